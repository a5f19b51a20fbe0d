//! The local platform end to end: real template, real moto, real SDK clients.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::QueueAttributeName;
use tmp_local::emulator::{EmulatorSource, free_port};
use tmp_local::gateway::GatewayError;
use tmp_local::gateway::cidr::AllowList;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::platform::PlatformError;
use tmp_local::seed::{self, MdesKeySource};
use tmp_local::template::Template;
use tmp_local::{LocalPlatform, PlatformOptions, workspace_root};

/// The platform as `make run` builds it: simulator, issuer parameters, MDES key.
fn standard(opts: PlatformOptions) -> LocalPlatform {
    seed::standard(
        LocalPlatform::new(opts),
        CardBook::load(workspace_root().join("infra/local/cards.json")).unwrap(),
        MdesKeySource::GenerateIfMissing,
    )
}

fn unique_prefix() -> String {
    format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

fn options(template_path: PathBuf) -> PlatformOptions {
    PlatformOptions {
        template_path,
        port: 0,
        prefix: unique_prefix(),
        emulator: EmulatorSource::default(),
        ..PlatformOptions::default()
    }
}

fn inline_template(yaml: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("tmp-local-{}.yaml", uuid::Uuid::new_v4()));
    std::fs::write(&path, yaml).unwrap();
    path
}

#[tokio::test]
async fn the_real_template_is_provisioned_and_its_routes_served() {
    // GIVEN the platform started from the workspace template on a free port
    let opts = options(workspace_root().join("template.yaml"));
    let prefix = opts.prefix.clone();
    let p = standard(opts).start().await.unwrap();

    // THEN both DynamoDB tables exist under the prefix, with keys, GSI and TTL
    let ddb = aws_sdk_dynamodb::Client::new(&p.sdk);
    let table_name = format!("{prefix}TokenStateTable");
    let table = ddb
        .describe_table()
        .table_name(&table_name)
        .send()
        .await
        .unwrap();
    let table = table.table().unwrap();
    assert_eq!(table.key_schema().len(), 2);
    assert_eq!(
        table.global_secondary_indexes()[0].index_name(),
        Some("gsi1")
    );
    let ttl = ddb
        .describe_time_to_live()
        .table_name(&table_name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ttl.time_to_live_description().unwrap().attribute_name(),
        Some("expires_at")
    );
    ddb.describe_table()
        .table_name(format!("{prefix}MdesKeyMaterialTable"))
        .send()
        .await
        .unwrap();
    // AND the KMS key exists with the template's spec
    let kms = aws_sdk_kms::Client::new(&p.sdk);
    let by_alias = kms
        .describe_key()
        .key_id(format!("alias/{prefix}SecretsKey"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_alias
            .key_metadata()
            .unwrap()
            .key_spec()
            .unwrap()
            .as_str(),
        "SYMMETRIC_DEFAULT"
    );
    // AND the function's environment is what Lambda would get
    let env = p
        .deployment
        .function_env("MdesAuthorizeServiceFunction")
        .unwrap();
    assert_eq!(env.get("TOKEN_STATE_TABLE"), Some(table_name.as_str()));
    // AND its in-memory keys arrive only as KMS ciphertext, seeded as an issuer would
    for name in [
        "PAN_FINGERPRINT_SECRET_CIPHERTEXT",
        "DATA_SEALING_KEY_CIPHERTEXT",
    ] {
        let ciphertext = env.get(name).unwrap_or_else(|| panic!("{name}"));
        assert!(ciphertext.len() > 64, "{name}");
    }
    assert_eq!(env.get("ISSUER_API_TIMEOUT_MS"), Some("2500"));
    assert_eq!(env.get("RUST_LOG"), Some("info"));

    let http = reqwest::Client::new();
    // WHEN health is asked THEN it is 200 ok
    let r = http
        .get(format!("{}/_local/health", p.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // AND the route table lists authorizeService
    let routes: serde_json::Value = http
        .get(format!("{}/_local/routes", p.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(routes.as_array().unwrap().iter().any(|r| {
        r["method"] == "POST"
            && r["path"] == "/mdes/authorizeService"
            && r["function"] == "MdesAuthorizeServiceFunction"
    }));
    // AND POST /mdes/authorizeService reaches the handler, which answers in MDES terms
    let r = http
        .post(format!("{}/mdes/authorizeService", p.base_url))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "MISSING_REQUIRED_FIELD");
    // AND an undeclared route is the template's MISSING_AUTHENTICATION_TOKEN: a 404 in MDES's shape
    let r = http
        .get(format!("{}/mdes/undeclared", p.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let id = r.headers()["x-amzn-requestid"].to_str().unwrap().to_owned();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["responseId"], id.as_str());
    assert_eq!(body["errorCode"], "INVALID_FIELD_VALUE");

    // WHEN shut down THEN the emulator port is closed
    let emulator = p.emulator_url.trim_start_matches("http://").to_owned();
    p.shutdown().await;
    assert!(TcpStream::connect(&emulator).is_err());
}

const MESSAGING: &str = r#"
Parameters:
  Receives: { Type: Number, Default: 4 }
Resources:
  EventsTopic: { Type: AWS::SNS::Topic }
  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 45
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt WorkDlq.Arn
        maxReceiveCount: !Ref Receives
  WorkDlq: { Type: AWS::SQS::Queue }
  OrderedQueue: { Type: AWS::SQS::Queue, Properties: { FifoQueue: true } }
  WorkSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref EventsTopic
      Protocol: sqs
      Endpoint: !GetAtt WorkQueue.Arn
      RawMessageDelivery: true
  Unknown: { Type: AWS::S3::Bucket }
"#;

#[tokio::test]
async fn queues_with_redrive_topics_and_subscriptions_are_provisioned() {
    // GIVEN a template with a queue redriving into a DLQ declared after it,
    // a FIFO queue, a topic and an SQS subscription
    let path = inline_template(MESSAGING);
    let p = LocalPlatform::new(options(path.clone()))
        .start()
        .await
        .unwrap();
    let _ = std::fs::remove_file(path);
    let d = &p.deployment;
    let sqs = aws_sdk_sqs::Client::new(&p.sdk);

    // THEN the work queue carries the redrive policy and visibility timeout
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(d.reference("WorkQueue").unwrap())
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let attrs = attrs.attributes().unwrap();
    let redrive: serde_json::Value =
        serde_json::from_str(&attrs[&QueueAttributeName::RedrivePolicy]).unwrap();
    assert_eq!(
        redrive["deadLetterTargetArn"],
        d.resource("WorkDlq").unwrap().arn().unwrap()
    );
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        "4"
    );
    assert_eq!(attrs[&QueueAttributeName::VisibilityTimeout], "45");
    // AND the FIFO queue got the .fifo suffix
    assert!(
        d.reference("OrderedQueue")
            .unwrap()
            .ends_with("OrderedQueue.fifo")
    );
    // AND the subscription exists and delivers topic messages to the queue
    let sns = aws_sdk_sns::Client::new(&p.sdk);
    let topic_arn = d.reference("EventsTopic").unwrap();
    let subs = sns
        .list_subscriptions_by_topic()
        .topic_arn(topic_arn)
        .send()
        .await
        .unwrap();
    let sub = &subs.subscriptions()[0];
    assert_eq!(sub.endpoint(), d.resource("WorkQueue").unwrap().arn());
    assert_eq!(sub.protocol(), Some("sqs"));
    sns.publish()
        .topic_arn(topic_arn)
        .message("token-event")
        .send()
        .await
        .unwrap();
    let received = sqs
        .receive_message()
        .queue_url(d.reference("WorkQueue").unwrap())
        .wait_time_seconds(2)
        .send()
        .await
        .unwrap();
    assert_eq!(received.messages()[0].body(), Some("token-event"));
    p.shutdown().await;
}

#[tokio::test]
async fn an_unregistered_function_binary_stops_start_up_naming_it() {
    // GIVEN a function whose binary is not in the registry
    let path = inline_template(
        r#"
Resources:
  GhostFunction:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: ghost-service } }
    Properties:
      Events:
        Call: { Type: Api, Properties: { Path: /ghost, Method: get } }
"#,
    );
    // WHEN the platform starts THEN it fails naming the function and binary
    let result = LocalPlatform::new(options(path.clone())).start().await;
    let _ = std::fs::remove_file(path);
    let Err(PlatformError::Gateway(e @ GatewayError::Unregistered { .. })) = result else {
        panic!("expected an unregistered-binary error");
    };
    let msg = e.to_string();
    assert!(
        msg.contains("GhostFunction") && msg.contains("ghost-service"),
        "{msg}"
    );
}

#[tokio::test]
async fn extra_routers_outside_local_prefix_are_rejected() {
    let result = LocalPlatform::new(options(workspace_root().join("template.yaml")))
        .extra_router("/issuer", axum::Router::new())
        .start()
        .await;
    assert!(matches!(result, Err(PlatformError::ExtraRouterPath(_))));
}

#[test]
fn the_binary_stops_cleanly_on_sigint_and_takes_moto_with_it() {
    // GIVEN the tmp-local binary running on a free port
    let port = free_port().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmp-local"))
        .args([
            "run",
            "--port",
            &port.to_string(),
            "--prefix",
            &unique_prefix(),
        ])
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("PORT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut emulator = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the binary did not report ready in time");
        if let Some(url) = line.strip_prefix("emulator: ") {
            emulator = Some(url.trim().trim_start_matches("http://").to_owned());
        }
        if line.starts_with("ready") {
            break;
        }
    }
    let emulator = emulator.expect("no emulator line printed");
    let health = status_of(format!("http://127.0.0.1:{port}/_local/health"));
    assert_eq!(health, 200);
    assert!(TcpStream::connect(&emulator).is_ok());

    // WHEN it receives SIGINT
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    // THEN it exits 0 within seconds and the moto port is closed
    let deadline = Instant::now() + Duration::from_secs(15);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the binary did not exit after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "exit status {exit}");
    assert!(TcpStream::connect(&emulator).is_err());
}

/// Status of a GET from a plain (non-async) test; 0 when unreachable.
fn status_of(url: String) -> u16 {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        reqwest::get(url)
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    })
}

#[tokio::test]
async fn provisioning_twice_with_one_prefix_reuses_the_resources() {
    // GIVEN a platform whose emulator stays up, and a second one connected to it
    let mut opts = options(workspace_root().join("template.yaml"));
    let first = standard(opts.clone()).start().await.unwrap();
    opts.emulator = EmulatorSource::Connect {
        endpoint_url: first.emulator_url.clone(),
    };
    // WHEN the second provisions with the same prefix
    let second = standard(opts).start().await.unwrap();
    // THEN it succeeds and resolves the same table and keys
    for id in ["TokenStateTable", "SecretsKey", "MdesKeyMaterialTable"] {
        assert_eq!(
            first.deployment.reference(id),
            second.deployment.reference(id),
            "{id}"
        );
    }
    second.shutdown().await;
    first.shutdown().await;
}

/// The body the template's gateway response `kind` of `TspApi` gives request `request_id`.
fn templates_answer(kind: &str, request_id: &str) -> serde_json::Value {
    let t = Template::from_path(&workspace_root().join("template.yaml")).unwrap();
    let body = &t.api("TspApi").unwrap().gateway_responses[kind].templates["application/json"];
    serde_json::from_str(&body.replace("$context.requestId", request_id)).unwrap()
}

async fn token_state_items(p: &tmp_local::RunningPlatform) -> i32 {
    aws_sdk_dynamodb::Client::new(&p.sdk)
        .scan()
        .table_name(p.deployment.reference("TokenStateTable").unwrap())
        .send()
        .await
        .unwrap()
        .count()
}

#[tokio::test]
async fn a_client_outside_the_allow_list_gets_the_templates_access_denied_and_no_handler_runs() {
    // GIVEN the real template served to 10.0.0.0/8 and the single host 127.0.0.2 only
    // (the local stand-in for AllowedTspCidrs), with the sample events' test key
    let root = workspace_root();
    let p = seed::standard(
        LocalPlatform::new(options(root.join("template.yaml")))
            .allowed_cidrs(AllowList::parse("10.0.0.0/8,127.0.0.2/32").unwrap()),
        CardBook::load(root.join("infra/local/cards.json")).unwrap(),
        MdesKeySource::Import(root.join("events/test-keys/mdes-test-private-key.pem")),
    )
    .start()
    .await
    .unwrap();
    let sample: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("events/mdes-authorize-service/green-approved.json"))
            .unwrap(),
    )
    .unwrap();
    let body = sample["body"].as_str().unwrap().to_owned();
    let url = format!("{}/mdes/authorizeService", p.base_url);
    let call = |client: reqwest::Client| {
        let (url, body) = (url.clone(), body.clone());
        async move {
            client
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };

    // WHEN a valid authorizeService comes from 127.0.0.1
    let r = call(reqwest::Client::new()).await;
    // THEN it is the template's ACCESS_DENIED: 403, MDES's ErrorsResponse, this request's id
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["content-type"], "application/json");
    let id = r.headers()["x-amzn-requestid"].to_str().unwrap().to_owned();
    let denied: serde_json::Value = r.json().await.unwrap();
    assert_eq!(denied, templates_answer("ACCESS_DENIED", &id));
    assert_eq!(denied["responseId"], id.as_str());
    // AND the handler never ran: it would have claimed the requestId in the table
    assert_eq!(token_state_items(&p).await, 0);

    // WHEN the same request comes from the allow-listed 127.0.0.2
    let allowed = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let r = call(allowed).await;
    // THEN the handler decides it and records it
    assert_eq!(r.status(), 200);
    let answer: serde_json::Value = r.json().await.unwrap();
    assert_eq!(answer["responseId"], sample_request_id(&body));
    assert!(token_state_items(&p).await > 0);
    p.shutdown().await;
}

fn sample_request_id(body: &str) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(body).unwrap()["requestId"].clone()
}

#[tokio::test]
async fn a_function_whose_init_fails_answers_the_templates_default_5xx_and_start_up_goes_on() {
    // GIVEN an API with gateway responses and a function whose environment lacks
    // everything its init needs
    let path = inline_template(
        r#"
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      GatewayResponses:
        DEFAULT_4XX:
          ResponseParameters: { Headers: { Content-Type: "'application/json'" } }
          ResponseTemplates:
            application/json: '{"responseId":"$context.requestId","errorCode":"INVALID_FIELD_VALUE","errorDescription":"refused"}'
        DEFAULT_5XX:
          ResponseParameters: { Headers: { Content-Type: "'application/json'" } }
          ResponseTemplates:
            application/json: '{"responseId":"$context.requestId","errorCode":"INTERNAL_SERVICE_FAILURE","errorDescription":"retry"}'
  BrokenFunction:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: mdes-authorize-service } }
    Properties:
      Events:
        Call: { Type: Api, Properties: { Path: /mdes/authorizeService, Method: post, RestApiId: !Ref Api } }
"#,
    );
    // WHEN the platform starts THEN it serves despite the failed init, as Lambda would
    let p = LocalPlatform::new(options(path.clone()))
        .start()
        .await
        .unwrap();
    let _ = std::fs::remove_file(path);
    let http = reqwest::Client::new();
    // AND each call is API Gateway's 502 in the template's DEFAULT_5XX shape (init retried each time)
    for _ in 0..2 {
        let r = http
            .post(format!("{}/mdes/authorizeService", p.base_url))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 502);
        assert_eq!(r.headers()["content-type"], "application/json");
        let id = r.headers()["x-amzn-requestid"].to_str().unwrap().to_owned();
        assert_eq!(
            r.json::<serde_json::Value>().await.unwrap(),
            serde_json::json!({"responseId": id, "errorCode": "INTERNAL_SERVICE_FAILURE", "errorDescription": "retry"})
        );
    }
    // AND an unknown path falls back to DEFAULT_4XX, at API Gateway's 403
    let r = http
        .get(format!("{}/nope", p.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let id = r.headers()["x-amzn-requestid"].to_str().unwrap().to_owned();
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["responseId"],
        id.as_str()
    );
    p.shutdown().await;
}
