//! SQS event source mappings against moto: a test-only consumer injected for a
//! function of an inline template (queue with a dead-letter queue).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};
use tmp_local::emulator::EmulatorSource;
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform};
use tmp_runtime::lambda::{HandlerError, SqsHandler};

const TEMPLATE: &str = r#"
Resources:
  JobsDeadLetterQueue:
    Type: AWS::SQS::Queue
  JobsQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt JobsDeadLetterQueue.Arn
        maxReceiveCount: 2
  JobsConsumerFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: test-jobs-consumer
    Properties:
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt JobsQueue.Arn
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
"#;

/// One handler call: (message id, body, ApproximateReceiveCount) per record.
type Call = Vec<(String, String, String)>;

#[derive(Clone, Copy)]
enum Behaviour {
    /// Bodies starting with `poison` are reported as batch item failures.
    ReportPoison,
    /// The first call returns Err; later calls succeed.
    FailFirstCall,
}

#[derive(Clone, Default)]
struct Recorder {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Recorder {
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// How often each body was handed to the consumer.
    fn deliveries(&self) -> HashMap<String, Vec<String>> {
        let mut by_body: HashMap<String, Vec<String>> = HashMap::new();
        for call in self.calls() {
            for (_, body, count) in call {
                by_body.entry(body).or_default().push(count);
            }
        }
        by_body
    }

    fn handler(&self, behaviour: Behaviour) -> SqsHandler {
        let calls = Arc::clone(&self.calls);
        Arc::new(move |event: SqsEvent| {
            let calls = Arc::clone(&calls);
            Box::pin(async move {
                let call: Call = event
                    .records
                    .iter()
                    .map(|r| {
                        assert_eq!(r.event_source.as_deref(), Some("aws:sqs"));
                        assert!(
                            r.event_source_arn
                                .as_deref()
                                .unwrap()
                                .ends_with("JobsQueue")
                        );
                        (
                            r.message_id.clone().unwrap(),
                            r.body.clone().unwrap(),
                            r.attributes["ApproximateReceiveCount"].clone(),
                        )
                    })
                    .collect();
                let first = {
                    let mut calls = calls.lock().unwrap();
                    calls.push(call.clone());
                    calls.len() == 1
                };
                let mut response = SqsBatchResponse::default();
                match behaviour {
                    Behaviour::FailFirstCall if first => {
                        return Err(HandlerError::from("issuer unreachable"));
                    }
                    Behaviour::FailFirstCall => {}
                    Behaviour::ReportPoison => {
                        for (id, body, _) in call {
                            if body.starts_with("poison") {
                                let mut f = BatchItemFailure::default();
                                f.item_identifier = id;
                                response.batch_item_failures.push(f);
                            }
                        }
                    }
                }
                Ok(response)
            })
        })
    }
}

fn inline_template() -> PathBuf {
    let path = std::env::temp_dir().join(format!("tmp-local-{}.yaml", uuid::Uuid::new_v4()));
    std::fs::write(&path, TEMPLATE).unwrap();
    path
}

async fn start(handler: SqsHandler) -> RunningPlatform {
    let path = inline_template();
    let opts = PlatformOptions {
        template_path: path.clone(),
        port: 0,
        prefix: format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        emulator: EmulatorSource::default(),
        // The template says 30 s; retries after 1 s keep the test short.
        visibility_timeout_override: Some(Duration::from_secs(1)),
        ..PlatformOptions::default()
    };
    let p = LocalPlatform::new(opts)
        .sqs_consumer("JobsConsumerFunction", handler)
        .start()
        .await
        .unwrap();
    let _ = std::fs::remove_file(path);
    p
}

async fn send(p: &RunningPlatform, bodies: &[&str]) {
    let sqs = aws_sdk_sqs::Client::new(&p.sdk);
    let entries = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(*b)
                .build()
                .unwrap()
        })
        .collect();
    sqs.send_message_batch()
        .queue_url(p.deployment.reference("JobsQueue").unwrap())
        .set_entries(Some(entries))
        .send()
        .await
        .unwrap();
}

/// Visible + in flight.
async fn depth(p: &RunningPlatform, queue: &str) -> u64 {
    let sqs = aws_sdk_sqs::Client::new(&p.sdk);
    let out = sqs
        .get_queue_attributes()
        .queue_url(p.deployment.reference(queue).unwrap())
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap();
    out.attributes()
        .unwrap()
        .values()
        .map(|v| v.parse::<u64>().unwrap())
        .sum()
}

async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_batch_that_succeeds_is_deleted_once_handled() {
    // GIVEN a consumer that succeeds
    let recorder = Recorder::default();
    let p = start(recorder.handler(Behaviour::ReportPoison)).await;

    // WHEN three jobs are queued
    send(&p, &["job-1", "job-2", "job-3"]).await;

    // THEN each is handled once, on its first receive, and the queue empties
    eventually("three deliveries", Duration::from_secs(10), || async {
        recorder.deliveries().len() == 3
    })
    .await;
    eventually("an empty queue", Duration::from_secs(10), || async {
        depth(&p, "JobsQueue").await == 0
    })
    .await;
    // AND past the 1 s visibility timeout nothing comes back
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let deliveries = recorder.deliveries();
    for body in ["job-1", "job-2", "job-3"] {
        assert_eq!(deliveries[body], vec!["1".to_owned()], "{body}");
    }
    assert_eq!(depth(&p, "JobsDeadLetterQueue").await, 0);
    p.shutdown().await;
}

#[tokio::test]
async fn a_poison_message_is_retried_then_dead_lettered_without_blocking_the_others() {
    // GIVEN a consumer that reports `poison` bodies as batch item failures
    let recorder = Recorder::default();
    let p = start(recorder.handler(Behaviour::ReportPoison)).await;

    // WHEN a poison message is queued with two good ones
    send(&p, &["job-a", "poison-1", "job-b"]).await;

    // THEN after maxReceiveCount (2) receives it lands in the dead-letter queue
    eventually(
        "the poison message in the DLQ",
        Duration::from_secs(20),
        || async { depth(&p, "JobsDeadLetterQueue").await == 1 },
    )
    .await;
    let deliveries = recorder.deliveries();
    assert_eq!(deliveries["poison-1"], vec!["1".to_owned(), "2".to_owned()]);
    // AND the good ones were handled exactly once
    assert_eq!(deliveries["job-a"], vec!["1".to_owned()]);
    assert_eq!(deliveries["job-b"], vec!["1".to_owned()]);
    // AND the source queue is empty, the DLQ holds the poison body
    assert_eq!(depth(&p, "JobsQueue").await, 0);
    let sqs = aws_sdk_sqs::Client::new(&p.sdk);
    let dead = sqs
        .receive_message()
        .queue_url(p.deployment.reference("JobsDeadLetterQueue").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(dead.messages()[0].body(), Some("poison-1"));
    p.shutdown().await;
}

#[tokio::test]
async fn a_handler_error_retries_the_whole_batch() {
    // GIVEN a consumer whose first invocation fails
    let recorder = Recorder::default();
    let p = start(recorder.handler(Behaviour::FailFirstCall)).await;

    // WHEN two jobs are queued
    send(&p, &["job-x", "job-y"]).await;

    // THEN every message of the failed batch is delivered again (receive count 2)
    eventually("the retry", Duration::from_secs(15), || async {
        recorder.calls().len() >= 2 && recorder.deliveries().len() == 2
    })
    .await;
    eventually("an empty queue", Duration::from_secs(10), || async {
        depth(&p, "JobsQueue").await == 0
    })
    .await;
    let calls = recorder.calls();
    let failed: Vec<&String> = calls[0].iter().map(|(id, _, _)| id).collect();
    assert!(!failed.is_empty());
    for id in failed {
        let retried = calls[1..]
            .iter()
            .flatten()
            .any(|(rid, _, count)| rid == id && count == "2");
        assert!(retried, "message of the failed batch was not retried");
    }
    // AND none was dead-lettered (2 receives, the second succeeded)
    assert_eq!(depth(&p, "JobsDeadLetterQueue").await, 0);
    p.shutdown().await;
}

mod webhook_and_outbox {
    use tmp_aws::KmsKeyVault;
    use tmp_aws::config_secret;
    use tmp_local::issuer_simulator::CardBook;
    use tmp_local::issuer_simulator::webhook::signature_header;
    use tmp_local::seed::{self, MdesKeySource};
    use tmp_local::workspace_root;

    use super::*;

    #[tokio::test]
    async fn the_issuer_receives_each_signed_event_once_and_the_outbox_shows_it() {
        // GIVEN the standard platform on the workspace template
        let opts = PlatformOptions {
            port: 0,
            prefix: format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            emulator: EmulatorSource::default(),
            ..PlatformOptions::default()
        };
        let book = CardBook::load(workspace_root().join("infra/local/cards.json")).unwrap();
        let p = seed::standard(
            LocalPlatform::new(opts),
            book,
            MdesKeySource::GenerateIfMissing,
        )
        .start()
        .await
        .unwrap();
        // THEN the webhook parameters point at the simulator, the secret KMS-encrypted
        let url = p
            .deployment
            .parameter("IssuerWebhookUrl")
            .unwrap()
            .to_owned();
        assert_eq!(url, format!("{}/_local/issuer/webhook", p.base_url));
        let vault = KmsKeyVault::new(
            aws_sdk_kms::Client::new(&p.sdk),
            p.deployment.reference("SecretsKey").unwrap(),
        );
        let secret = config_secret::decrypt(
            &vault,
            p.deployment
                .parameter("IssuerWebhookSecretCiphertext")
                .unwrap(),
            config_secret::ISSUER_WEBHOOK_SECRET,
        )
        .await
        .unwrap();
        let key = secret.expose().as_bytes();
        let http = reqwest::Client::new();
        let body = r#"{"type":"ACTIVATION_CODE_DELIVERY","channel":"EMAIL","recipient":"cardholder@example.com","text":"Your activation code is 482913"}"#;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let deliver = |signature: String| {
            http.post(&url)
                .header("X-TMP-Signature", signature)
                .header("X-TMP-Event-Id", "evt-1")
                .header("content-type", "application/json")
                .body(body)
                .send()
        };

        // WHEN the body is signed with another secret THEN 401
        let r = deliver(signature_header(b"wrong", now, body.as_bytes()))
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        // WHEN the signature is right but 6 minutes old THEN 400
        let r = deliver(signature_header(key, now - 360, body.as_bytes()))
            .await
            .unwrap();
        assert_eq!(r.status(), 400);

        // GIVEN the next two deliveries fail with 500
        let r = http
            .post(format!("{url}/fail-next"))
            .json(&serde_json::json!({"count": 2, "status": 500}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // WHEN the sender tries four times THEN 500, 500, 200 (accepted), 200 (duplicate)
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let r = deliver(signature_header(key, now, body.as_bytes()))
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        assert_eq!(statuses, [500, 500, 200, 200]);

        // AND an SMS is published to a phone number through SNS
        let sns = aws_sdk_sns::Client::new(&p.sdk);
        let phone = format!("+1555{:07}", rand_digits());
        sns.publish()
            .phone_number(&phone)
            .message("Your activation code is 105934")
            .send()
            .await
            .unwrap();

        // THEN the outbox shows the SMS, the e-mail and the webhook event, once each
        let outbox: serde_json::Value = http
            .get(format!("{}/_local/outbox", p.base_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let messages = outbox["messages"].as_array().unwrap();
        let sms: Vec<_> = messages
            .iter()
            .filter(|m| m["channel"] == "SMS" && m["recipient"] == phone.as_str())
            .collect();
        assert_eq!(sms.len(), 1);
        assert_eq!(sms[0]["text"], "Your activation code is 105934");
        assert!(sms[0]["receivedAt"].is_string());
        let email: Vec<_> = messages
            .iter()
            .filter(|m| m["channel"] == "EMAIL")
            .collect();
        assert_eq!(email.len(), 1);
        assert_eq!(email[0]["recipient"], "cardholder@example.com");
        assert_eq!(email[0]["text"], "Your activation code is 482913");
        let hooks: Vec<_> = messages
            .iter()
            .filter(|m| m["channel"] == "WEBHOOK")
            .collect();
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0]["eventId"], "evt-1");
        assert_eq!(hooks[0]["eventType"], "ACTIVATION_CODE_DELIVERY");
        assert_eq!(hooks[0]["text"], body);
        p.shutdown().await;
    }

    /// Seven digits that differ between test runs sharing an emulator.
    fn rand_digits() -> u32 {
        uuid::Uuid::new_v4().as_u128() as u32 % 10_000_000
    }
}
