//! Notification adapters and the OTP delivery function against the AWS
//! emulator (real SDK clients) and a local webhook receiver.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;
use tmp_aws::config_secret;
use tmp_aws::local_keys::SealingKey;
use tmp_aws::webhook::{WebhookConfig, WebhookNotifier};
use tmp_aws::{
    DynamoDbContactDirectory, KmsKeyVault, SnsEventPublisher, SnsSmsSender, SqsOtpJobQueue,
};
use tmp_core::domain::delivery::{ContactDetails, DeliveryChannel, OtpDeliveryJob};
use tmp_core::domain::events::TokenEvent;
use tmp_core::ports::{
    ContactDirectory, DeliveryError, EventPublisher, IssuerNotifier, KeyVault, OtpJobQueue,
    SmsSender,
};
use tmp_core::secret::Secret;
use tmp_core::usecases::authorize::contact_context;
use tmp_core::usecases::otp_delivery::activation_code_context;
use tmp_runtime::config::FunctionEnv;
use tmp_testkit::moto::Emulator;

struct Aws {
    emulator: Emulator,
    sdk: aws_config::SdkConfig,
}

impl Aws {
    async fn start() -> Self {
        let emulator = Emulator::for_tests().await;
        let sdk = emulator.sdk_config().await;
        Self { emulator, sdk }
    }

    fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.sdk)
    }

    fn sns(&self) -> aws_sdk_sns::Client {
        aws_sdk_sns::Client::new(&self.sdk)
    }

    async fn queue(&self) -> (String, String) {
        let name = format!("q-{}", uuid::Uuid::new_v4());
        let url = self
            .sqs()
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let arn = self
            .sqs()
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap()[&QueueAttributeName::QueueArn]
            .clone();
        (url, arn)
    }

    /// SMS the emulator recorded (`/moto-api/data.json` → `sns.SMS`).
    async fn recorded_sms(&self) -> Vec<(String, String)> {
        let data: serde_json::Value = reqwest::get(format!(
            "{}/moto-api/data.json",
            self.emulator.endpoint_url()
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        data["sns"]["SMS"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|m| {
                (
                    m["phone_number"].as_str().unwrap().to_owned(),
                    m["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    async fn symmetric_key(&self) -> String {
        let kms = aws_sdk_kms::Client::new(&self.sdk);
        kms.create_key()
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap()
            .key_id
    }

    /// A fresh token state table (pk/sk).
    async fn token_table(&self) -> String {
        let name = format!("token-state-{}", uuid::Uuid::new_v4());
        let attr = |n: &str| {
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap()
        };
        let key = |n: &str, t| {
            KeySchemaElement::builder()
                .attribute_name(n)
                .key_type(t)
                .build()
                .unwrap()
        };
        aws_sdk_dynamodb::Client::new(&self.sdk)
            .create_table()
            .table_name(&name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr("pk"))
            .attribute_definitions(attr("sk"))
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("sk", KeyType::Range))
            .send()
            .await
            .unwrap();
        name
    }
}

/// A phone number no other test uses (tests share the emulator).
fn unique_phone() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 1_000_000;
    format!("+4477009{n:06}")
}

fn token_ref() -> String {
    format!("DWSPMC{}", uuid::Uuid::new_v4().simple())
}

fn sample_event(event_type: &str) -> TokenEvent {
    serde_json::from_value(json!({
        "eventId": uuid::Uuid::new_v4().to_string(), "eventType": event_type, "schemaVersion": 1,
        "occurredAt": "2026-03-01T10:00:00Z", "network": "MDES", "tokenUniqueReference": token_ref(),
        "panLast4": "4444", "status": "ACTIVE"
    }))
    .unwrap()
}

#[tokio::test]
async fn otp_jobs_round_trip_through_the_sqs_queue() {
    // GIVEN a queue and a job
    let aws = Aws::start().await;
    let (url, _) = aws.queue().await;
    let job = OtpDeliveryJob {
        job_id: "job-rt-1".to_owned(),
        token_unique_reference: token_ref(),
        channel: DeliveryChannel::Sms,
        encrypted_code: "AQICAHh=".to_owned(),
        expires_at: "2099-01-01T00:00:00Z".to_owned(),
        language: Some("pl".to_owned()),
        source_request_id: None,
    };
    // WHEN enqueued through the adapter
    SqsOtpJobQueue::new(aws.sqs(), &url)
        .enqueue(&job)
        .await
        .unwrap();
    // THEN the queue holds exactly that job as JSON
    let received = aws
        .sqs()
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    let messages = received.messages.unwrap();
    assert_eq!(messages.len(), 1);
    let body: OtpDeliveryJob = serde_json::from_str(messages[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(body, job);
}

#[tokio::test]
async fn enqueue_to_a_missing_queue_is_a_permanent_failure() {
    let aws = Aws::start().await;
    let url = format!(
        "{}/123456789012/no-such-queue-{}",
        aws.emulator.endpoint_url(),
        uuid::Uuid::new_v4()
    );
    let job = OtpDeliveryJob {
        job_id: "j".to_owned(),
        token_unique_reference: token_ref(),
        channel: DeliveryChannel::Sms,
        encrypted_code: "AA==".to_owned(),
        expires_at: "2099-01-01T00:00:00Z".to_owned(),
        language: None,
        source_request_id: None,
    };
    let err = SqsOtpJobQueue::new(aws.sqs(), url)
        .enqueue(&job)
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Permanent(_)), "{err:?}");
}

#[tokio::test]
async fn token_events_reach_a_raw_sqs_subscription_with_their_event_type() {
    // GIVEN a topic with a raw-delivery SQS subscription
    let aws = Aws::start().await;
    let topic = aws
        .sns()
        .create_topic()
        .name(format!("token-events-{}", uuid::Uuid::new_v4()))
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let (url, arn) = aws.queue().await;
    aws.sns()
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(arn)
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .unwrap();
    let event = sample_event("TOKEN_DELETED");
    // WHEN published through the adapter
    SnsEventPublisher::new(aws.sns(), &topic)
        .publish(&event)
        .await
        .unwrap();
    // THEN the queue receives the bare event JSON with the eventType attribute
    let received = aws
        .sqs()
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .wait_time_seconds(2)
        .send()
        .await
        .unwrap();
    let messages = received.messages.unwrap();
    assert_eq!(messages.len(), 1);
    let body: TokenEvent = serde_json::from_str(messages[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(body, event);
    let attributes = messages[0].message_attributes.as_ref().unwrap();
    assert_eq!(
        attributes["eventType"].string_value.as_deref(),
        Some("TOKEN_DELETED")
    );
    assert_eq!(attributes["eventType"].data_type, "String");
}

#[tokio::test]
async fn sms_is_published_to_the_phone_number() {
    // GIVEN a fresh phone number
    let aws = Aws::start().await;
    let phone = unique_phone();
    let spaced = format!("{} {}", &phone[..3], &phone[3..]);
    // WHEN a text is sent to it (as the issuer wrote it, with a space)
    SnsSmsSender::new(aws.sns(), Some("EXBANK".to_owned()))
        .send_sms(
            &Secret::new(spaced),
            &Secret::new("Your code is 654321".to_owned()),
        )
        .await
        .unwrap();
    // THEN the emulator recorded it for the E.164 number
    let sms = aws.recorded_sms().await;
    assert!(
        sms.contains(&(phone, "Your code is 654321".to_owned())),
        "{sms:?}"
    );
}

#[tokio::test]
async fn sms_to_a_local_format_number_is_refused_before_sending() {
    let aws = Aws::start().await;
    let err = SnsSmsSender::new(aws.sns(), None)
        .send_sms(
            &Secret::new("07700 900123".to_owned()),
            &Secret::new("x".to_owned()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Permanent(_)));
}

// ------------------------------------------------------------- webhook

#[derive(Default)]
struct Receiver {
    calls: Mutex<Vec<(HeaderMap, Vec<u8>)>>,
}

/// A webhook answering `status` after `delay`; returns its URL.
async fn webhook(status: u16, delay: Duration, receiver: Arc<Receiver>) -> String {
    let app = axum::Router::new().route(
        "/notify",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let receiver = Arc::clone(&receiver);
            async move {
                receiver
                    .calls
                    .lock()
                    .unwrap()
                    .push((headers, body.to_vec()));
                tokio::time::sleep(delay).await;
                StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/notify")
}

fn notifier(url: String, timeout: Duration) -> WebhookNotifier {
    WebhookNotifier::new(WebhookConfig {
        url,
        secret: Secret::new("whsec-test-only".to_owned()),
        timeout,
    })
    .unwrap()
}

#[tokio::test]
async fn webhook_posts_are_signed_over_timestamp_and_body() {
    // GIVEN a receiver that accepts
    let receiver = Arc::new(Receiver::default());
    let url = webhook(204, Duration::ZERO, receiver.clone()).await;
    let body = br#"{"eventId":"evt-sig-1","eventType":"TOKEN_ACTIVATED"}"#;
    // WHEN notified
    notifier(url, Duration::from_secs(2))
        .notify("evt-sig-1", body)
        .await
        .unwrap();
    // THEN the receiver can verify the signature with the shared secret
    let calls = receiver.calls.lock().unwrap();
    let (headers, received) = &calls[0];
    assert_eq!(received.as_slice(), body);
    assert_eq!(headers["x-tmp-event-id"], "evt-sig-1");
    assert_eq!(headers["content-type"], "application/json");
    let signature = headers["x-tmp-signature"].to_str().unwrap();
    let (t, v1) = signature.split_once(",v1=").unwrap();
    let t: i64 = t.strip_prefix("t=").unwrap().parse().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((now - t).abs() < 60, "timestamp is current");
    let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec-test-only").unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    assert_eq!(v1, hex::encode(mac.finalize().into_bytes()));
}

#[tokio::test]
async fn webhook_outcomes_split_into_retry_and_refusal() {
    // GIVEN receivers answering 500, 429 and 400, and one too slow
    let cases = [
        (500, Duration::ZERO, true),
        (429, Duration::ZERO, true),
        (400, Duration::ZERO, false),
        (200, Duration::from_secs(3), true),
    ];
    for (status, delay, transient) in cases {
        let url = webhook(status, delay, Arc::new(Receiver::default())).await;
        // WHEN notified with a 500 ms budget
        let err = notifier(url, Duration::from_millis(500))
            .notify("evt-x", b"{}")
            .await
            .unwrap_err();
        // THEN 5xx, 429 and timeouts are transient; other 4xx permanent
        assert_eq!(
            matches!(err, DeliveryError::Transient(_)),
            transient,
            "{status}: {err:?}"
        );
    }
}

// ------------------------------------------------------------- end to end

/// A token item as MDES operations store it, contact sealed under KMS.
async fn store_token(aws: &Aws, table: &str, vault: &dyn KeyVault, token: &str, phone: &str) {
    let contact = json!({"phoneNumber": phone, "email": "jane@example.com"});
    let sealed = vault
        .encrypt(contact.to_string().as_bytes(), &contact_context(token))
        .await
        .unwrap();
    aws_sdk_dynamodb::Client::new(&aws.sdk)
        .put_item()
        .table_name(table)
        .item("pk", AttributeValue::S(format!("TOKEN#{token}")))
        .item("sk", AttributeValue::S("TOKEN".to_owned()))
        .item("pan_last4", AttributeValue::S("4444".to_owned()))
        .item(
            "token_requestor_id",
            AttributeValue::S("50110030273".to_owned()),
        )
        .item("wallet_id", AttributeValue::S("103".to_owned()))
        .item("contact_ciphertext", AttributeValue::B(sealed.into()))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn contact_directory_opens_the_sealed_contact_of_a_token() {
    // GIVEN a token with sealed contact details
    let aws = Aws::start().await;
    let key = aws.symmetric_key().await;
    let table = aws.token_table().await;
    let vault = KmsKeyVault::new(aws_sdk_kms::Client::new(&aws.sdk), &key);
    let token = token_ref();
    let phone = unique_phone();
    store_token(&aws, &table, &vault, &token, &phone).await;
    let directory = DynamoDbContactDirectory::new(
        aws_sdk_dynamodb::Client::new(&aws.sdk),
        &table,
        Arc::new(vault),
    );
    // WHEN read
    let (contact, summary): (ContactDetails, _) = directory.contact(&token).await.unwrap().unwrap();
    // THEN phone, e-mail and the token facts come back; unknown tokens are None
    assert_eq!(contact.phone_number.unwrap().expose(), &phone);
    assert_eq!(contact.email.unwrap().expose(), "jane@example.com");
    assert_eq!(summary.pan_last4.as_deref(), Some("4444"));
    assert_eq!(summary.wallet_id.as_deref(), Some("103"));
    assert!(directory.contact(&token_ref()).await.unwrap().is_none());
}

#[tokio::test]
async fn otp_delivery_function_texts_the_code_to_the_tokens_phone() {
    // GIVEN a KMS key, the data-sealing key generated under it (as an issuer
    // onboards), a token with sealed contact and an SMS job with a sealed code
    let aws = Aws::start().await;
    let key = aws.symmetric_key().await;
    let table = aws.token_table().await;
    let kms = KmsKeyVault::new(aws_sdk_kms::Client::new(&aws.sdk), &key);
    let sealing_ciphertext = config_secret::generate_key(&kms, config_secret::DATA_SEALING_KEY)
        .await
        .unwrap();
    let vault = SealingKey::new(
        config_secret::decrypt_key(&kms, &sealing_ciphertext, config_secret::DATA_SEALING_KEY)
            .await
            .unwrap(),
    )
    .unwrap();
    let token = token_ref();
    let phone = unique_phone();
    store_token(&aws, &table, &vault, &token, &phone).await;
    let code = format!("{:06}", uuid::Uuid::new_v4().as_u128() % 1_000_000);
    let sealed = vault
        .encrypt(code.as_bytes(), &activation_code_context(&token))
        .await
        .unwrap();
    let expires = time::OffsetDateTime::now_utc() + time::Duration::minutes(10);
    let job = json!({
        "jobId": "job-e2e-1", "tokenUniqueReference": token, "channel": "SMS",
        "encryptedCode": base64::engine::general_purpose::STANDARD.encode(sealed),
        "expiresAt": expires.format(&time::format_description::well_known::Rfc3339).unwrap(),
        "language": "en"
    });
    let event: aws_lambda_events::event::sqs::SqsEvent = serde_json::from_value(json!({"Records": [
        {"messageId": "m-e2e-1", "receiptHandle": "rh", "body": job.to_string(),
         "attributes": {"ApproximateReceiveCount": "1"}, "eventSource": "aws:sqs",
         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:OtpDeliveryQueue"},
        {"messageId": "m-e2e-poison", "receiptHandle": "rh2", "body": "{\"jobId\":", "attributes": {}}
    ]}))
    .unwrap();
    let env = FunctionEnv::from_map(HashMap::from([
        ("SECRETS_KEY_ID".to_owned(), key.clone()),
        ("TOKEN_STATE_TABLE".to_owned(), table.clone()),
        ("ISSUER_NAME".to_owned(), "Example Bank".to_owned()),
        ("DATA_SEALING_KEY_CIPHERTEXT".to_owned(), sealing_ciphertext),
    ]));
    // WHEN the function (cold start + handler) processes the batch
    let handler = notification_consumers::otp_delivery::init(&aws.sdk, &env)
        .await
        .unwrap();
    let response = handler(event).await.unwrap();
    // THEN the poison record alone is reported, and the phone got the code
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["m-e2e-poison"]);
    let texts: Vec<_> = aws
        .recorded_sms()
        .await
        .into_iter()
        .filter(|(p, _)| *p == phone)
        .collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(
        texts[0].1,
        format!(
            "Your Example Bank verification code is {code}. It expires in 10 minutes. Never share it."
        )
    );
}
