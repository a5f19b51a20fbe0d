//! DynamoDB stream event source mappings against moto: a test-only handler
//! injected for the function of an inline template (a table with a stream,
//! an on-failure queue), items written with the SDK as the functions write
//! them (single writes and TransactWriteItems).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde_json::{Value as Json, json};
use tmp_local::emulator::{Emulator, EmulatorSource};
use tmp_local::stream_sources::StreamPollOptions;
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform};
use tmp_runtime::lambda::{EventHandler, HandlerError};

/// The template's table, on-failure queue and function; `event` adds
/// properties to the function's `DynamoDB` event.
fn template(event: &str) -> String {
    format!(
        r#"
Resources:
  OutboxTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - {{ AttributeName: pk, AttributeType: S }}
        - {{ AttributeName: sk, AttributeType: S }}
      KeySchema:
        - {{ AttributeName: pk, KeyType: HASH }}
        - {{ AttributeName: sk, KeyType: RANGE }}
      StreamSpecification:
        StreamViewType: NEW_IMAGE
  PublisherDeadLetterQueue:
    Type: AWS::SQS::Queue
  PublisherFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: test-stream-publisher
    Properties:
      Environment:
        Variables:
          OUTBOX_STREAM_ARN: !GetAtt OutboxTable.StreamArn
      Events:
        Outbox:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt OutboxTable.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
            DestinationConfig:
              OnFailure:
                Type: SQS
                Destination: !GetAtt PublisherDeadLetterQueue.Arn
{event}"#
    )
}

/// As in template.yaml: new outbox items only, partial failures reported.
const OUTBOX_EVENT: &str = r#"            MaximumRetryAttempts: 5
            BisectBatchOnFunctionError: true
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria:
              Filters:
                - Pattern: '{"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "EVENT#"}]}}}}'
"#;

/// What a test handler answers for one invocation.
enum Reply {
    Ok(Json),
    Err,
    Panic,
}

/// Every invocation's records, in the order the handler saw them.
#[derive(Clone, Default)]
struct Recorder {
    calls: Arc<Mutex<Vec<Vec<Json>>>>,
    active: Arc<Mutex<usize>>,
}

impl Recorder {
    fn calls(&self) -> Vec<Vec<Json>> {
        self.calls.lock().unwrap().clone()
    }

    /// The sort key of each record, per invocation.
    fn sks(&self) -> Vec<Vec<String>> {
        self.calls()
            .iter()
            .map(|call| call.iter().map(sk).collect())
            .collect()
    }

    fn delivered(&self, wanted: &str) -> bool {
        self.sks().iter().flatten().any(|s| s == wanted)
    }

    fn active(&self) -> usize {
        *self.active.lock().unwrap()
    }

    /// A handler answering `reply(invocation index, records)` after `delay`.
    fn handler(
        &self,
        delay: Duration,
        reply: impl Fn(usize, &[Json]) -> Reply + Send + Sync + 'static,
    ) -> EventHandler {
        let me = self.clone();
        let reply = Arc::new(reply);
        Arc::new(move |event: Json| {
            let me = me.clone();
            let reply = Arc::clone(&reply);
            Box::pin(async move {
                *me.active.lock().unwrap() += 1;
                let records = event["Records"].as_array().cloned().unwrap_or_default();
                let index = {
                    let mut calls = me.calls.lock().unwrap();
                    calls.push(records.clone());
                    calls.len() - 1
                };
                tokio::time::sleep(delay).await;
                *me.active.lock().unwrap() -= 1;
                match reply(index, &records) {
                    Reply::Ok(response) => Ok(response),
                    Reply::Err => Err(HandlerError::from("the topic is unreachable")),
                    Reply::Panic => panic!("the publisher crashed"),
                }
            })
        })
    }
}

fn sk(record: &Json) -> String {
    record["dynamodb"]["Keys"]["sk"]["S"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn sequence_number(record: &Json) -> u128 {
    record["dynamodb"]["SequenceNumber"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A batch item failure response naming the records with these sort keys.
fn failures(records: &[Json], sks: &[&str]) -> Json {
    let items: Vec<Json> = records
        .iter()
        .filter(|r| sks.contains(&sk(r).as_str()))
        .map(|r| json!({"itemIdentifier": r["dynamodb"]["SequenceNumber"]}))
        .collect();
    json!({ "batchItemFailures": items })
}

fn ok() -> Reply {
    Reply::Ok(json!({"batchItemFailures": []}))
}

fn unique_prefix() -> String {
    format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

fn inline_template(yaml: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("tmp-local-{}.yaml", uuid::Uuid::new_v4()));
    std::fs::write(&path, yaml).unwrap();
    path
}

async fn start_on(
    yaml: &str,
    handler: EventHandler,
    emulator: EmulatorSource,
    prefix: String,
) -> RunningPlatform {
    let path = inline_template(yaml);
    let opts = PlatformOptions {
        template_path: path.clone(),
        port: 0,
        prefix,
        emulator,
        ..PlatformOptions::default()
    };
    let p = LocalPlatform::new(opts)
        .stream_consumer("PublisherFunction", handler)
        .stream_poll_options(StreamPollOptions {
            idle_delay: Duration::from_millis(50),
            max_idle_delay: Duration::from_millis(200),
            retry_delay: Duration::from_millis(50),
        })
        .start()
        .await
        .unwrap();
    let _ = std::fs::remove_file(path);
    p
}

async fn start(yaml: &str, handler: EventHandler) -> RunningPlatform {
    start_on(yaml, handler, EmulatorSource::default(), unique_prefix()).await
}

fn item(pk: &str, sk: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(pk.to_owned())),
        ("sk".to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

fn table(p: &RunningPlatform) -> String {
    p.deployment.reference("OutboxTable").unwrap().to_owned()
}

fn stream_arn(p: &RunningPlatform) -> String {
    p.deployment.resource("OutboxTable").unwrap().attributes["StreamArn"].clone()
}

async fn put(p: &RunningPlatform, item: HashMap<String, AttributeValue>) {
    aws_sdk_dynamodb::Client::new(&p.sdk)
        .put_item()
        .table_name(table(p))
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
}

/// Writes the items in one TransactWriteItems: one request, so one read
/// of the stream sees all of their records.
async fn transact(p: &RunningPlatform, items: Vec<HashMap<String, AttributeValue>>) {
    let table = table(p);
    let writes = items
        .into_iter()
        .map(|item| {
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(&table)
                        .set_item(Some(item))
                        .build()
                        .unwrap(),
                )
                .build()
        })
        .collect();
    aws_sdk_dynamodb::Client::new(&p.sdk)
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .unwrap();
}

async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The on-failure records in the dead-letter queue (received: hidden for
/// the queue's visibility timeout afterwards).
async fn failure_records(p: &RunningPlatform) -> Vec<Json> {
    let out = aws_sdk_sqs::Client::new(&p.sdk)
        .receive_message()
        .queue_url(p.deployment.reference("PublisherDeadLetterQueue").unwrap())
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    out.messages()
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap()).unwrap())
        .collect()
}

async fn the_failure_record(p: &RunningPlatform) -> Json {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(record) = failure_records(p).await.into_iter().next() {
            return record;
        }
        assert!(Instant::now() < deadline, "no on-failure record");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn stream_records_reach_the_handler_in_order_in_lambdas_shape_and_filtered_ones_never() {
    // GIVEN the outbox mapping of template.yaml and a handler that succeeds
    let recorder = Recorder::default();
    let p = start(
        &template(OUTBOX_EVENT),
        recorder.handler(Duration::ZERO, |_, _| ok()),
    )
    .await;
    let arn = stream_arn(&p);
    // THEN !GetAtt OutboxTable.StreamArn is the table's LatestStreamArn
    let described = aws_sdk_dynamodb::Client::new(&p.sdk)
        .describe_table()
        .table_name(table(&p))
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.table().unwrap().latest_stream_arn(),
        Some(arn.as_str())
    );
    assert_eq!(
        p.deployment
            .function_env("PublisherFunction")
            .unwrap()
            .get("OUTBOX_STREAM_ARN"),
        Some(arn.as_str())
    );

    // WHEN a transaction writes a state item, three outbox items and a history item
    let mut first = item("TOKEN#1", "EVENT#0001");
    first.insert("type".into(), AttributeValue::S("TOKEN_ACTIVATED".into()));
    first.insert("attempt".into(), AttributeValue::N("1".into()));
    first.insert("published".into(), AttributeValue::Bool(false));
    first.insert("channels".into(), AttributeValue::Ss(vec!["SMS".into()]));
    first.insert(
        "detail".into(),
        AttributeValue::M(HashMap::from([(
            "reasons".to_owned(),
            AttributeValue::L(vec![AttributeValue::S("CARDHOLDER".into())]),
        )])),
    );
    transact(
        &p,
        vec![
            item("TOKEN#1", "STATE"),
            first,
            item("TOKEN#1", "EVENT#0002"),
            item("TOKEN#1", "HISTORY#0001"),
            item("TOKEN#1", "EVENT#0003"),
        ],
    )
    .await;
    // AND an outbox item is changed, another removed, and a fourth written
    let ddb = aws_sdk_dynamodb::Client::new(&p.sdk);
    ddb.update_item()
        .table_name(table(&p))
        .set_key(Some(item("TOKEN#1", "EVENT#0001")))
        .update_expression("SET published = :t")
        .expression_attribute_values(":t", AttributeValue::Bool(true))
        .send()
        .await
        .unwrap();
    ddb.delete_item()
        .table_name(table(&p))
        .set_key(Some(item("TOKEN#1", "EVENT#0002")))
        .send()
        .await
        .unwrap();
    put(&p, item("TOKEN#2", "EVENT#0004")).await;

    // THEN the four new outbox items arrive: the transaction's in one batch, in order
    eventually("EVENT#0004", Duration::from_secs(15), || async {
        recorder.delivered("EVENT#0004")
    })
    .await;
    // (the MODIFY and REMOVE records precede EVENT#0004 in the shard: had
    // they passed the filter they would have been delivered by now)
    assert_eq!(
        recorder.sks(),
        vec![
            vec!["EVENT#0001", "EVENT#0002", "EVENT#0003"],
            vec!["EVENT#0004"]
        ]
    );
    let records: Vec<Json> = recorder.calls().concat();
    let sequence_numbers: Vec<u128> = records.iter().map(sequence_number).collect();
    assert!(
        sequence_numbers.windows(2).all(|w| w[0] < w[1]),
        "{sequence_numbers:?}"
    );
    // AND each record has Lambda's shape, attribute values as the stream gives them
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for r in &records {
        assert_eq!(r["eventName"], "INSERT");
        assert_eq!(r["eventSource"], "aws:dynamodb");
        assert_eq!(r["eventSourceARN"], arn.as_str());
        assert_eq!(r["awsRegion"], "us-east-1");
        assert!(r["eventVersion"].is_string());
        assert!(!r["eventID"].as_str().unwrap().is_empty());
        let d = &r["dynamodb"];
        assert_eq!(d["StreamViewType"], "NEW_IMAGE");
        assert!(d["SizeBytes"].as_u64().unwrap() > 0);
        let created = d["ApproximateCreationDateTime"].as_i64().unwrap();
        assert!((now - 60..=now + 1).contains(&created), "{created}");
        assert_eq!(d["Keys"]["pk"], d["NewImage"]["pk"]);
        assert!(d.get("OldImage").is_none());
    }
    assert_eq!(
        records[0]["dynamodb"]["Keys"],
        json!({"pk": {"S": "TOKEN#1"}, "sk": {"S": "EVENT#0001"}})
    );
    assert_eq!(
        records[0]["dynamodb"]["NewImage"],
        json!({
            "pk": {"S": "TOKEN#1"},
            "sk": {"S": "EVENT#0001"},
            "type": {"S": "TOKEN_ACTIVATED"},
            "attempt": {"N": "1"},
            "published": {"BOOL": false},
            "channels": {"SS": ["SMS"]},
            "detail": {"M": {"reasons": {"L": [{"S": "CARDHOLDER"}]}}},
        })
    );
    // AND GET /_local/functions lists the consumer with its environment
    let functions: Json = reqwest::get(format!("{}/_local/functions", p.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let publisher = functions
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["logicalId"] == "PublisherFunction")
        .expect("PublisherFunction listed");
    assert_eq!(publisher["binary"], "test-stream-publisher");
    assert_eq!(publisher["environment"]["OUTBOX_STREAM_ARN"], arn.as_str());
    p.shutdown().await;
}

#[tokio::test]
async fn a_reported_failure_redelivers_that_record_and_the_later_ones_but_not_the_earlier() {
    // GIVEN a handler that, the first time, reports EVENT#0005 and EVENT#0003 as failed
    let recorder = Recorder::default();
    let p = start(
        &template(OUTBOX_EVENT),
        recorder.handler(Duration::ZERO, |index, records| match index {
            0 => Reply::Ok(failures(records, &["EVENT#0005", "EVENT#0003"])),
            _ => ok(),
        }),
    )
    .await;

    // WHEN five outbox items are written in one transaction
    transact(
        &p,
        (1..=5)
            .map(|i| item("TOKEN#1", &format!("EVENT#000{i}")))
            .collect(),
    )
    .await;
    eventually("the retry", Duration::from_secs(15), || async {
        recorder.calls().len() >= 2
    })
    .await;
    // AND a later item follows
    put(&p, item("TOKEN#1", "EVENT#0006")).await;
    eventually("EVENT#0006", Duration::from_secs(15), || async {
        recorder.delivered("EVENT#0006")
    })
    .await;

    // THEN the retry starts at the lowest failed record: 1 and 2 came once, 3 to 5 twice
    assert_eq!(
        recorder.sks(),
        vec![
            vec![
                "EVENT#0001",
                "EVENT#0002",
                "EVENT#0003",
                "EVENT#0004",
                "EVENT#0005"
            ],
            vec!["EVENT#0003", "EVENT#0004", "EVENT#0005"],
            vec!["EVENT#0006"],
        ]
    );
    // AND nothing was given up on
    assert!(failure_records(&p).await.is_empty());
    p.shutdown().await;
}

#[tokio::test]
async fn a_function_error_or_crash_retries_the_whole_batch_then_it_is_described_to_the_on_failure_queue()
 {
    // GIVEN a mapping without bisection, two retries, and a handler that
    // crashes, then fails twice, then succeeds
    let recorder = Recorder::default();
    let p = start(
        &template("            MaximumRetryAttempts: 2\n"),
        recorder.handler(Duration::ZERO, |index, _| match index {
            0 => Reply::Panic,
            1 | 2 => Reply::Err,
            _ => ok(),
        }),
    )
    .await;

    // WHEN three items are written in one transaction
    transact(
        &p,
        (1..=3)
            .map(|i| item("TOKEN#1", &format!("EVENT#000{i}")))
            .collect(),
    )
    .await;

    // THEN after the first invocation and two retries the batch is given up on
    let failure = the_failure_record(&p).await;
    let batch = vec!["EVENT#0001", "EVENT#0002", "EVENT#0003"];
    assert_eq!(recorder.sks(), vec![batch.clone(), batch.clone(), batch]);
    // AND Lambda's on-failure record names the batch's range, not its records
    let records = &recorder.calls()[0];
    let info = &failure["DDBStreamBatchInfo"];
    assert_eq!(info["batchSize"], 3);
    assert_eq!(
        info["startSequenceNumber"],
        records[0]["dynamodb"]["SequenceNumber"]
    );
    assert_eq!(
        info["endSequenceNumber"],
        records[2]["dynamodb"]["SequenceNumber"]
    );
    assert_eq!(info["streamArn"], stream_arn(&p).as_str());
    assert!(info["shardId"].as_str().unwrap().starts_with("shardId-"));
    for arrival in [
        "approximateArrivalOfFirstRecord",
        "approximateArrivalOfLastRecord",
    ] {
        let text = info[arrival].as_str().unwrap();
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap();
    }
    let context = &failure["requestContext"];
    assert_eq!(context["condition"], "RetryAttemptsExhausted");
    assert_eq!(context["approximateInvokeCount"], 3);
    assert_eq!(
        context["functionArn"],
        p.deployment
            .resource("PublisherFunction")
            .unwrap()
            .arn()
            .unwrap()
    );
    assert!(!context["requestId"].as_str().unwrap().is_empty());
    assert_eq!(failure["responseContext"]["functionError"], "Unhandled");
    assert_eq!(failure["version"], "1.0");
    assert!(!failure.to_string().contains("EVENT#"), "{failure}");

    // WHEN a later item is written THEN it flows
    put(&p, item("TOKEN#1", "EVENT#0004")).await;
    eventually("EVENT#0004", Duration::from_secs(15), || async {
        recorder.delivered("EVENT#0004")
    })
    .await;
    assert_eq!(recorder.sks().last().unwrap(), &vec!["EVENT#0004"]);
    assert!(failure_records(&p).await.is_empty(), "one record only");
    p.shutdown().await;
}

#[tokio::test]
async fn a_function_error_bisects_the_batch_until_the_failing_record_is_isolated_and_given_up_on() {
    // GIVEN bisection, two retries, and a handler that fails any batch holding a poison item
    let recorder = Recorder::default();
    let p = start(
        &template(
            "            MaximumRetryAttempts: 2\n            BisectBatchOnFunctionError: true\n",
        ),
        recorder.handler(Duration::ZERO, |_, records| {
            if records
                .iter()
                .any(|r| r["dynamodb"]["NewImage"].get("poison").is_some())
            {
                Reply::Err
            } else {
                ok()
            }
        }),
    )
    .await;

    // WHEN four items are written in one transaction, the third poisoned
    let mut poison = item("TOKEN#1", "EVENT#0003");
    poison.insert("poison".into(), AttributeValue::Bool(true));
    transact(
        &p,
        vec![
            item("TOKEN#1", "EVENT#0001"),
            item("TOKEN#1", "EVENT#0002"),
            poison,
            item("TOKEN#1", "EVENT#0004"),
        ],
    )
    .await;

    // THEN the batch is halved, then halved again, without using retries;
    // the isolated record is retried twice, then given up on
    let failure = the_failure_record(&p).await;
    eventually(
        "EVENT#0004 after the poison",
        Duration::from_secs(15),
        || async { recorder.sks().last() == Some(&vec!["EVENT#0004".to_owned()]) },
    )
    .await;
    assert_eq!(
        recorder.sks(),
        vec![
            vec!["EVENT#0001", "EVENT#0002", "EVENT#0003", "EVENT#0004"],
            vec!["EVENT#0001", "EVENT#0002"],
            vec!["EVENT#0003", "EVENT#0004"],
            vec!["EVENT#0003"],
            vec!["EVENT#0003"],
            vec!["EVENT#0003"],
            vec!["EVENT#0004"],
        ]
    );
    // AND the on-failure record names the poison record alone
    let poison_seq = recorder.calls()[3][0]["dynamodb"]["SequenceNumber"].clone();
    let info = &failure["DDBStreamBatchInfo"];
    assert_eq!(info["batchSize"], 1);
    assert_eq!(info["startSequenceNumber"], poison_seq);
    assert_eq!(info["endSequenceNumber"], poison_seq);
    // (five invocations held it: the whole batch, its half, and three alone)
    assert_eq!(failure["requestContext"]["approximateInvokeCount"], 5);

    // WHEN a later item is written THEN it flows
    put(&p, item("TOKEN#2", "EVENT#0005")).await;
    eventually("EVENT#0005", Duration::from_secs(15), || async {
        recorder.delivered("EVENT#0005")
    })
    .await;
    assert!(failure_records(&p).await.is_empty(), "one record only");
    p.shutdown().await;
}

#[tokio::test]
async fn a_cancelled_transaction_never_reaches_the_handler_and_the_stream_goes_on() {
    // GIVEN a consumer that has handled an outbox item (its poller now idles at the end)
    let recorder = Recorder::default();
    let p = start(
        &template(OUTBOX_EVENT),
        recorder.handler(Duration::ZERO, |_, _| ok()),
    )
    .await;
    put(&p, item("TOKEN#1", "EVENT#0001")).await;
    eventually("EVENT#0001", Duration::from_secs(15), || async {
        recorder.delivered("EVENT#0001")
    })
    .await;

    // WHEN a transaction writing an outbox item is cancelled by its condition
    let ddb = aws_sdk_dynamodb::Client::new(&p.sdk);
    let lost = TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(table(&p))
                .set_item(Some(item("TOKEN#1", "EVENT#LOST")))
                .build()
                .unwrap(),
        )
        .build();
    let conflicting = TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(table(&p))
                .set_item(Some(item("TOKEN#1", "EVENT#0001")))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .unwrap(),
        )
        .build();
    let cancelled = ddb
        .transact_write_items()
        .transact_items(lost)
        .transact_items(conflicting)
        .send()
        .await;
    assert!(cancelled.is_err());
    // AND an item is written after it
    put(&p, item("TOKEN#1", "EVENT#0002")).await;

    // THEN the later item arrives and the cancelled one never did
    eventually("EVENT#0002", Duration::from_secs(15), || async {
        recorder.delivered("EVENT#0002")
    })
    .await;
    let delivered: Vec<String> = recorder.sks().concat();
    assert_eq!(delivered, vec!["EVENT#0001", "EVENT#0002"]);
    p.shutdown().await;
}

#[tokio::test]
async fn shutdown_is_clean_while_a_batch_is_being_retried() {
    // GIVEN a slow handler that always fails, retried until the record expires
    let recorder = Recorder::default();
    let p = start(
        &template(""),
        recorder.handler(Duration::from_millis(300), |_, _| Reply::Err),
    )
    .await;
    put(&p, item("TOKEN#1", "EVENT#0001")).await;
    eventually("a retry", Duration::from_secs(15), || async {
        recorder.calls().len() >= 2
    })
    .await;

    // WHEN the platform stops
    tokio::time::timeout(Duration::from_secs(10), p.shutdown())
        .await
        .expect("shutdown completes");

    // THEN it waited for the invocation under way, if any: none was cut short
    assert_eq!(recorder.active(), 0);
}

#[tokio::test]
async fn a_table_made_before_its_stream_was_declared_gets_one() {
    // GIVEN an emulator holding the table, created without a stream
    let emulator = Emulator::start(&EmulatorSource::default()).await.unwrap();
    let prefix = unique_prefix();
    let sdk = emulator.sdk_config().await;
    let keys = |name: &str, kind| {
        aws_sdk_dynamodb::types::KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    };
    let attribute = |name: &str| {
        aws_sdk_dynamodb::types::AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(aws_sdk_dynamodb::types::ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    aws_sdk_dynamodb::Client::new(&sdk)
        .create_table()
        .table_name(format!("{prefix}OutboxTable"))
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .key_schema(keys("pk", aws_sdk_dynamodb::types::KeyType::Hash))
        .key_schema(keys("sk", aws_sdk_dynamodb::types::KeyType::Range))
        .attribute_definitions(attribute("pk"))
        .attribute_definitions(attribute("sk"))
        .send()
        .await
        .unwrap();

    // WHEN the platform starts on it
    let recorder = Recorder::default();
    let p = start_on(
        &template(""),
        recorder.handler(Duration::ZERO, |_, _| ok()),
        EmulatorSource::Connect {
            endpoint_url: emulator.endpoint_url().to_owned(),
        },
        prefix,
    )
    .await;

    // THEN the table was given its stream, and its records flow
    assert!(stream_arn(&p).contains("/stream/"));
    put(&p, item("TOKEN#1", "EVENT#0001")).await;
    eventually("EVENT#0001", Duration::from_secs(15), || async {
        recorder.delivered("EVENT#0001")
    })
    .await;
    p.shutdown().await;
    emulator.shutdown().await;
}
