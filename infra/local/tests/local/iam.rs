//! IAM enforcement: the proxy in front of moto refuses what a function's
//! policies do not allow, exactly as AWS would, seen through the real SDK
//! clients.

use std::collections::HashMap;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, Put,
    ScalarAttributeType, TransactWriteItem, Update,
};
use aws_sdk_kms::primitives::Blob;
use serde_json::json;
use tmp_local::iam::{IamProxy, PolicyDocument, Principal, RunningIamProxy};
use tmp_testkit::moto::Emulator;

const AKID: &str = "ASIAIAMPROXYTEST0001";
const PRINCIPAL: &str = "IamTestFunction";

/// The resources of one test, uniquely named on a possibly shared moto.
struct Fixture {
    emulator: Emulator,
    /// Straight to moto, with tmp-local's own credentials.
    direct: SdkConfig,
    /// Only GetItem is allowed here.
    read_table: String,
    read_table_arn: String,
    /// Only PutItem is allowed here.
    write_table: String,
    key_id: String,
    queue_url: String,
    topic_arn: String,
}

fn unique(what: &str) -> String {
    format!("iam-{what}-{}", uuid::Uuid::new_v4().simple())
}

async fn table(ddb: &aws_sdk_dynamodb::Client, name: &str) -> String {
    let out = ddb
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    out.table_description.unwrap().table_arn.unwrap()
}

impl Fixture {
    async fn start() -> Self {
        let emulator = Emulator::for_tests().await;
        let direct = emulator.sdk_config().await;
        let ddb = aws_sdk_dynamodb::Client::new(&direct);
        let read_table = unique("read");
        let read_table_arn = table(&ddb, &read_table).await;
        let write_table = unique("write");
        table(&ddb, &write_table).await;
        ddb.put_item()
            .table_name(&read_table)
            .item("pk", AttributeValue::S("seeded".into()))
            .send()
            .await
            .unwrap();
        let kms = aws_sdk_kms::Client::new(&direct);
        let key_id = kms
            .create_key()
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap()
            .key_id;
        let queue_url = aws_sdk_sqs::Client::new(&direct)
            .create_queue()
            .queue_name(unique("queue"))
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let topic_arn = aws_sdk_sns::Client::new(&direct)
            .create_topic()
            .name(unique("topic"))
            .send()
            .await
            .unwrap()
            .topic_arn
            .unwrap();
        Self {
            emulator,
            direct,
            read_table,
            read_table_arn,
            write_table,
            key_id,
            queue_url,
            topic_arn,
        }
    }

    fn key_arn(&self) -> String {
        format!("arn:aws:kms:us-east-1:123456789012:key/{}", self.key_id)
    }

    fn write_table_arn(&self) -> String {
        format!(
            "arn:aws:dynamodb:us-east-1:123456789012:table/{}",
            self.write_table
        )
    }

    fn principals(&self) -> HashMap<String, Principal> {
        let policy = PolicyDocument::from_json(json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": self.read_table_arn},
                {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": self.write_table_arn()},
                {
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": self.key_arn(),
                    "Condition": {"StringEquals": {"kms:EncryptionContext:purpose": "a"}}
                }
            ]
        }))
        .unwrap();
        HashMap::from([(
            AKID.to_owned(),
            Principal {
                name: PRINCIPAL.to_owned(),
                policies: vec![policy],
            },
        )])
    }

    async fn proxy(&self, enforce: bool) -> RunningIamProxy {
        IamProxy::start(self.emulator.endpoint_url(), self.principals(), enforce)
            .await
            .unwrap()
    }

    async fn stored(&self, table: &str, pk: &str) -> bool {
        aws_sdk_dynamodb::Client::new(&self.direct)
            .get_item()
            .table_name(table)
            .key("pk", AttributeValue::S(pk.into()))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
            .is_some()
    }
}

/// What the function's SDK would be given: the proxy as endpoint, its own key.
async fn function_sdk(proxy: &RunningIamProxy, akid: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&proxy.endpoint_url)
        .credentials_provider(Credentials::new(akid, "secret", None, None, "iam-test"))
        .load()
        .await
}

#[tokio::test]
async fn the_proxy_refuses_what_the_policies_do_not_allow() {
    // GIVEN a principal allowed GetItem on one table, PutItem on another and
    // kms:Decrypt only for purpose=a, behind an enforcing proxy
    let f = Fixture::start().await;
    let proxy = f.proxy(true).await;
    let sdk = function_sdk(&proxy, AKID).await;
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);

    // THEN an allowed GetItem reaches moto and answers
    let got = ddb
        .get_item()
        .table_name(&f.read_table)
        .key("pk", AttributeValue::S("seeded".into()))
        .send()
        .await
        .unwrap();
    assert!(got.item.is_some());

    // AND a PutItem on the read-only table is refused as AWS does, and nothing is written
    let err = ddb
        .put_item()
        .table_name(&f.read_table)
        .item("pk", AttributeValue::S("forbidden".into()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"), "{err:?}");
    let message = err.message().unwrap();
    assert!(
        message.contains(&format!(
            "assumed-role/{PRINCIPAL}/{PRINCIPAL} is not authorized to perform: dynamodb:PutItem on resource: {}",
            f.read_table_arn
        )),
        "{message}"
    );
    assert!(!f.stored(&f.read_table, "forbidden").await);

    // AND a PutItem on the writable table succeeds
    ddb.put_item()
        .table_name(&f.write_table)
        .item("pk", AttributeValue::S("allowed".into()))
        .send()
        .await
        .unwrap();
    assert!(f.stored(&f.write_table, "allowed").await);

    // AND a transaction with one allowed and one disallowed item is refused as a whole
    let allowed_put = TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(&f.write_table)
                .item("pk", AttributeValue::S("in-transaction".into()))
                .build()
                .unwrap(),
        )
        .build();
    let denied_update = TransactWriteItem::builder()
        .update(
            Update::builder()
                .table_name(&f.read_table)
                .key("pk", AttributeValue::S("seeded".into()))
                .update_expression("SET touched = :t")
                .expression_attribute_values(":t", AttributeValue::Bool(true))
                .build()
                .unwrap(),
        )
        .build();
    let err = ddb
        .transact_write_items()
        .transact_items(allowed_put)
        .transact_items(denied_update)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"), "{err:?}");
    assert!(err.message().unwrap().contains("dynamodb:UpdateItem"));
    assert!(!f.stored(&f.write_table, "in-transaction").await);

    // AND KMS Decrypt passes the policy with purpose=a and is denied with purpose=b
    let direct_kms = aws_sdk_kms::Client::new(&f.direct);
    let ciphertext = |purpose: &'static str| {
        let direct_kms = direct_kms.clone();
        let key_id = f.key_id.clone();
        async move {
            direct_kms
                .encrypt()
                .key_id(key_id)
                .plaintext(Blob::new(b"secret".to_vec()))
                .encryption_context("purpose", purpose)
                .send()
                .await
                .unwrap()
                .ciphertext_blob
                .unwrap()
        }
    };
    let kms = aws_sdk_kms::Client::new(&sdk);
    // No KeyId: the key is the one the ciphertext names.
    let decrypted = kms
        .decrypt()
        .ciphertext_blob(ciphertext("a").await)
        .encryption_context("purpose", "a")
        .send()
        .await;
    // moto decrypts it: the policy check passed and the request went through.
    assert_eq!(decrypted.unwrap().plaintext.unwrap().as_ref(), b"secret");
    let err = kms
        .decrypt()
        .key_id(&f.key_id)
        .ciphertext_blob(ciphertext("b").await)
        .encryption_context("purpose", "b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"), "{err:?}");

    // AND SQS SendMessage and SNS Publish, never allowed, are denied with the codes AWS gives
    let err = aws_sdk_sqs::Client::new(&sdk)
        .send_message()
        .queue_url(&f.queue_url)
        .message_body("hello")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied"),
        "{err:?}"
    );
    let queued = aws_sdk_sqs::Client::new(&f.direct)
        .receive_message()
        .queue_url(&f.queue_url)
        .wait_time_seconds(0)
        .send()
        .await
        .unwrap();
    assert!(queued.messages.unwrap_or_default().is_empty());
    let err = aws_sdk_sns::Client::new(&sdk)
        .publish()
        .topic_arn(&f.topic_arn)
        .message("hello")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_sns::error::ProvideErrorMetadata::code(&err),
        Some("AuthorizationError"),
        "{err:?}"
    );
    assert!(
        err.as_service_error()
            .unwrap()
            .is_authorization_error_exception()
    );

    // AND usage() lists what the principal used and what it was denied
    let usage = proxy.usage();
    assert_eq!(usage.len(), 1);
    let usage = &usage[0];
    assert_eq!(usage.name, PRINCIPAL);
    let set = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        usage.used,
        set(&[
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "kms:Decrypt",
            "sns:Publish",
            "sqs:SendMessage",
        ])
    );
    assert_eq!(
        usage.denied,
        set(&[
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "kms:Decrypt",
            "sns:Publish",
            "sqs:SendMessage",
        ])
    );
    assert!(
        usage
            .denied_on
            .contains(&("dynamodb:PutItem".to_owned(), f.read_table_arn.clone()))
    );
    assert!(
        !usage
            .denied_on
            .contains(&("dynamodb:PutItem".to_owned(), f.write_table_arn()))
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn unknown_credentials_pass_and_reporting_mode_only_records() {
    let f = Fixture::start().await;

    // GIVEN tmp-local's own credentials through an enforcing proxy
    let proxy = f.proxy(true).await;
    let own = aws_sdk_dynamodb::Client::new(&function_sdk(&proxy, "test").await);
    // THEN they are not checked
    own.put_item()
        .table_name(&f.read_table)
        .item("pk", AttributeValue::S("provisioned".into()))
        .send()
        .await
        .unwrap();
    assert!(f.stored(&f.read_table, "provisioned").await);
    assert!(proxy.usage()[0].used.is_empty());
    proxy.shutdown().await;

    // GIVEN a proxy that does not enforce
    let proxy = f.proxy(false).await;
    let ddb = aws_sdk_dynamodb::Client::new(&function_sdk(&proxy, AKID).await);
    // WHEN the function does what it may not
    ddb.put_item()
        .table_name(&f.read_table)
        .item("pk", AttributeValue::S("reported".into()))
        .send()
        .await
        .unwrap();
    // THEN the call goes through and the denial is recorded
    assert!(f.stored(&f.read_table, "reported").await);
    let usage = proxy.usage();
    assert!(usage[0].denied.contains("dynamodb:PutItem"));
    proxy.shutdown().await;
}
