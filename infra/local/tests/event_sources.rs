//! SQS event source mappings against moto: a test-only consumer injected for a
//! function of an inline template (queue with a dead-letter queue).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};
use tmp_local::emulator::EmulatorSource;
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform};
use tmp_shared::lambda::{HandlerError, SqsHandler};

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
                        assert!(r.event_source_arn.as_deref().unwrap().ends_with("JobsQueue"));
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
    eventually("the poison message in the DLQ", Duration::from_secs(20), || async {
        depth(&p, "JobsDeadLetterQueue").await == 1
    })
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
