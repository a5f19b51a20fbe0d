use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use serde_json::{Value, json};

use super::*;

const SNIPPET: &str = r#"
Parameters:
  Every: { Type: String, Default: rate(15 minutes) }
Resources:
  Job:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: the-job } }
    Properties:
      Events:
        Tick: { Type: Schedule, Properties: { Schedule: !Ref Every } }
        Named: { Type: Schedule, Properties: { Schedule: rate(1 day), Name: !Sub "${AWS::StackName}-nightly", Enabled: false } }
        Fed: { Type: ScheduleV2, Properties: { ScheduleExpression: "cron(0 3 * * ? *)", Input: '{"mode":"full"}' } }
  Web:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: web } }
    Properties:
      Events:
        Get: { Type: Api, Properties: { Path: /x, Method: get } }
"#;

fn deployment(parameters: &[(&str, &str)]) -> (Template, Deployment) {
    let t = Template::parse(SNIPPET).unwrap();
    let overrides: HashMap<String, String> = parameters
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let d = Deployment::new(&t, "t1-", &overrides);
    (t, d)
}

#[test]
fn each_functions_schedules_resolve_to_expression_state_arn_and_input() {
    // GIVEN a function with three schedules and one without any
    let (t, d) = deployment(&[]);
    let functions = scheduled_functions(&t, &d).unwrap();
    // THEN only the scheduled function is listed, its schedules in template order
    let [f] = functions.as_slice() else {
        panic!("{functions:?}")
    };
    assert_eq!((f.function.as_str(), f.binary.as_str()), ("Job", "the-job"));
    let [tick, named, fed] = f.schedules.as_slice() else {
        panic!("{:?}", f.schedules)
    };
    // AND the parameter's expression is resolved; an unnamed rule gets SAM's logical id
    assert_eq!(tick.expression, "rate(15 minutes)");
    assert!(tick.enabled);
    assert_eq!(
        tick.arn,
        "arn:aws:events:us-east-1:123456789012:rule/t1-JobTick"
    );
    // AND a named one its name, a disabled one stays listed (it runs on request)
    assert_eq!(
        named.arn,
        "arn:aws:events:us-east-1:123456789012:rule/t1-nightly"
    );
    assert!(!named.enabled);
    // AND a ScheduleV2 is a Scheduler schedule of the default group, with its input
    assert_eq!(
        fed.arn,
        "arn:aws:scheduler:us-east-1:123456789012:schedule/default/t1-JobFed"
    );
    assert_eq!(fed.input, Some(json!({"mode": "full"})));
    // AND /_local/functions and /_local/jobs show each as its SAM type, without the input
    assert_eq!(
        serde_json::to_value(fed).unwrap(),
        json!({"event": "Fed", "type": "ScheduleV2", "expression": "cron(0 3 * * ? *)",
               "enabled": true, "arn": fed.arn})
    );
}

#[test]
fn a_resolved_expression_aws_would_refuse_stops_start_up() {
    let (t, d) = deployment(&[("Every", "rate(15 minute)")]);
    let err = scheduled_functions(&t, &d).unwrap_err();
    assert!(matches!(err, JobError::Expression { .. }), "{err}");
    assert!(err.to_string().contains("Tick"), "{err}");
}

fn schedule(kind: ScheduleKind, input: Option<Value>) -> Schedule {
    Schedule {
        event: "Tick".into(),
        kind,
        expression: "rate(15 minutes)".into(),
        enabled: true,
        arn: "arn:aws:events:us-east-1:123456789012:rule/t1-JobTick".into(),
        input,
    }
}

#[test]
fn a_rule_sends_eventbridges_scheduled_event() {
    let at = time::macros::datetime!(2026-12-01 10:15:00.123 +01:00);
    let event = scheduled_event(
        &schedule(ScheduleKind::Rule, None),
        "0b7e2c1a-0000-4000-8000-000000000001",
        "123456789012",
        "us-east-1",
        at,
    );
    assert_eq!(
        event,
        json!({
            "version": "0",
            "id": "0b7e2c1a-0000-4000-8000-000000000001",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2026-12-01T09:15:00Z",
            "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/t1-JobTick"],
            "detail": {}
        })
    );
}

#[test]
fn an_input_replaces_the_event_and_a_scheduler_without_one_sends_an_empty_object() {
    let now = time::OffsetDateTime::now_utc();
    for kind in [ScheduleKind::Rule, ScheduleKind::Scheduler] {
        let s = schedule(kind, Some(json!({"mode": "full"})));
        assert_eq!(
            scheduled_event(&s, "id", "a", "r", now),
            json!({"mode": "full"})
        );
    }
    let s = schedule(ScheduleKind::Scheduler, None);
    assert_eq!(scheduled_event(&s, "id", "a", "r", now), json!({}));
}

// ---------------------------------------------------------------- the router

type InitFuture<'a> = Pin<Box<dyn Future<Output = Result<EventHandler, HandlerError>> + Send + 'a>>;

fn handler(
    f: impl Fn(Value) -> Result<Value, HandlerError> + Send + Sync + 'static,
) -> EventHandler {
    let f = std::sync::Arc::new(f);
    std::sync::Arc::new(move |event| {
        let f = std::sync::Arc::clone(&f);
        Box::pin(async move { f(event) })
    })
}

/// Answers the event it got.
fn echo<'a>(_: &'a SdkConfig, _: &'a FunctionEnv) -> InitFuture<'a> {
    Box::pin(async { Ok(handler(|event| Ok(json!({ "got": event })))) })
}

static FLAKY_INITS: AtomicUsize = AtomicUsize::new(0);

/// Fails its first cold start, as an init whose dependency is not up yet.
fn flaky<'a>(_: &'a SdkConfig, _: &'a FunctionEnv) -> InitFuture<'a> {
    Box::pin(async {
        if FLAKY_INITS.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err("KMS unreachable at arn:aws:kms:secret-detail".into());
        }
        Ok(handler(|_| Ok(json!({ "checked": 0 }))))
    })
}

fn failing<'a>(_: &'a SdkConfig, _: &'a FunctionEnv) -> InitFuture<'a> {
    Box::pin(async {
        Ok(handler(|_| {
            Err("table TOKEN#secret-detail unreadable".into())
        }))
    })
}

fn panicking<'a>(_: &'a SdkConfig, _: &'a FunctionEnv) -> InitFuture<'a> {
    Box::pin(async {
        Ok(handler(|_| -> Result<Value, HandlerError> {
            panic!("handler bug")
        }))
    })
}

fn job(binary: &str, init: EventInitFn, schedule: Schedule) -> Job {
    Job::new(
        ScheduledFunction {
            function: format!("{binary}-function"),
            binary: binary.to_owned(),
            schedules: vec![schedule],
        },
        init,
        SdkConfig::builder().build(),
        FunctionEnv::from_map(HashMap::new()),
    )
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

async fn post(base: &str, binary: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/{binary}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_run_answers_the_handlers_result_and_failures_say_nothing_of_them() {
    // GIVEN jobs that echo, fail their first init, fail, and panic
    let (_, d) = deployment(&[]);
    let jobs = vec![
        job("echo", echo, schedule(ScheduleKind::Rule, None)),
        job("flaky", flaky, schedule(ScheduleKind::Rule, None)),
        job("failing", failing, schedule(ScheduleKind::Rule, None)),
        job("panicking", panicking, schedule(ScheduleKind::Rule, None)),
    ];
    let base = serve(router(jobs, &d)).await;

    // WHEN the echo job runs THEN 200 with its result: the scheduled event of its rule
    let (status, body) = post(&base, "echo").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["got"]["detail-type"], "Scheduled Event");
    assert_eq!(body["got"]["account"], d.account_id);
    assert_eq!(body["got"]["region"], d.region);
    assert_eq!(
        body["got"]["resources"],
        json!(["arn:aws:events:us-east-1:123456789012:rule/t1-JobTick"])
    );
    // AND each run is a new event
    let (_, again) = post(&base, "echo").await;
    assert_ne!(again["got"]["id"], body["got"]["id"]);

    // WHEN a job's init fails THEN 500 without its error, and the next run starts it again
    let (status, body) = post(&base, "flaky").await;
    assert_eq!(status, 500);
    assert_eq!(
        body,
        json!({"error": "flaky-function could not start (see the platform's log)"})
    );
    let (status, body) = post(&base, "flaky").await;
    assert_eq!((status, body), (200, json!({"checked": 0})));
    // AND a started one is not started again
    post(&base, "flaky").await;
    assert_eq!(FLAKY_INITS.load(Ordering::SeqCst), 2);

    // WHEN a handler fails or panics THEN 500, naming the function only
    for binary in ["failing", "panicking"] {
        let (status, body) = post(&base, binary).await;
        assert_eq!(status, 500, "{binary}");
        assert_eq!(
            body,
            json!({"error": format!("{binary}-function failed (see the platform's log)")})
        );
    }

    // WHEN the binary has no schedule THEN 404
    let (status, body) = post(&base, "web").await;
    assert_eq!(
        (status, body),
        (404, json!({"error": "no scheduled function web"}))
    );

    // AND the list shows each job with its schedules
    let listed: Value = reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let binaries: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["binary"].as_str().unwrap())
        .collect();
    assert_eq!(binaries, ["echo", "flaky", "failing", "panicking"]);
    assert_eq!(listed[0]["schedules"][0]["expression"], "rate(15 minutes)");
}
