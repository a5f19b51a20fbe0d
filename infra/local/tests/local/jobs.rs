//! Scheduled functions on the local platform, from the real template and
//! moto: no schedule fires by itself; `POST /_local/jobs/<binary>` runs the
//! function now through its own cold start and under its own policy, and
//! `/_local/functions` shows its schedule. What reconciliation does to each
//! kind of drift is tested with the issuer's flows (tests/).

use base64::Engine as _;
use serde_json::{Value, json};
use tmp_core::usecases::reconcile::ReconcileReport;
use tmp_local::emulator::EmulatorSource;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::seed::{self, MdesKeySource, VtsKeySource};
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform, workspace_root};
use tmp_vts::jwe;

const FUNCTION: &str = "TmpReconcileTokensFunction";
const BINARY: &str = "tmp-reconcile-tokens";
const REQUESTOR: &str = "40010030273";
const VISA_TOKEN: &str = "DNITHE000000000000000901";

async fn start() -> RunningPlatform {
    let root = workspace_root();
    let options = PlatformOptions {
        template_path: root.join("template.yaml"),
        port: 0,
        prefix: format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        emulator: EmulatorSource::default(),
        ..PlatformOptions::default()
    };
    // The test-only keys: importing is faster than generating.
    seed::standard_with(
        LocalPlatform::new(options),
        CardBook::load(root.join("infra/local/cards.json")).unwrap(),
        MdesKeySource::Import(root.join("events/test-keys/mdes-test-private-key.pem")),
        VtsKeySource::Import(root.join("events/test-keys/vts-test-private-key.pem")),
    )
    .start()
    .await
    .unwrap()
}

/// `(status, JSON body)`.
async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn run_job(p: &RunningPlatform, binary: &str) -> (u16, Value) {
    send(reqwest::Client::new().post(format!("{}/_local/jobs/{binary}", p.base_url))).await
}

async fn get(p: &RunningPlatform, path: &str) -> Value {
    send(reqwest::Client::new().get(format!("{}{path}", p.base_url)))
        .await
        .1
}

/// The served VTS key's `(kid, SubjectPublicKeyInfo DER)`.
async fn vts_key(p: &RunningPlatform) -> (String, Vec<u8>) {
    let r = reqwest::get(format!("{}/_local/keys/vts-public.pem", p.base_url))
        .await
        .unwrap();
    let kid = r.headers()["x-key-id"].to_str().unwrap().to_owned();
    let pem = r.text().await.unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    (kid, der)
}

/// An ACTIVE Visa token our platform holds: VTS told it of its creation.
async fn visa_token_created(p: &RunningPlatform, reference: &str) {
    let (kid, der) = vts_key(p).await;
    let content = json!({
        "tokenInfo": {"token": "4895370012000901", "tokenType": "SECURE_ELEMENT", "tokenStatus": "ACTIVE",
                      "tokenExpirationDate": {"month": "03", "year": "2030"}},
        "cardholderInfo": {"primaryAccountNumber": "4111111111111111", "name": "Alex Example",
                           "expirationDate": {"month": "12", "year": "2029"}}
    });
    let created = json!({
        "messageReasonCode": "3700",
        "dateTimeOfEvent": time::OffsetDateTime::now_utc()
            .format(&time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"))
            .unwrap(),
        "encryptedData": jwe::encrypt_as_vts(&der, &kid, content.to_string().as_bytes()).unwrap()
    });
    let url = format!(
        "{}/vts/v1/tokenRequestors/{REQUESTOR}/tokens/{reference}/tokenChanged?eventType=TOKEN_CREATED&eventID=evt-jobs-901",
        p.base_url
    );
    let (status, body) = send(reqwest::Client::new().post(url).json(&created)).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_function_runs_on_request_through_its_cold_start_and_policy() {
    // GIVEN the standard platform on the real template
    let p = start().await;

    // THEN /_local/functions shows reconciliation's schedule, and none for a routed function
    let functions = get(&p, "/_local/functions").await;
    let of = |id: &str| {
        functions
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["logicalId"] == id)
            .unwrap_or_else(|| panic!("no {id}"))
            .clone()
    };
    let reconcile = of(FUNCTION);
    assert_eq!(reconcile["binary"], BINARY);
    let rule = format!(
        "arn:aws:events:{}:{}:rule/{}{FUNCTION}ReconcileSchedule",
        p.deployment.region, p.deployment.account_id, p.deployment.prefix
    );
    assert_eq!(
        reconcile["schedules"],
        json!([{"event": "ReconcileSchedule", "type": "Schedule",
                "expression": "rate(15 minutes)", "enabled": true, "arn": rule}])
    );
    assert_eq!(of("MdesAuthorizeServiceFunction")["schedules"], json!([]));
    // AND /_local/jobs and the running platform list it, as the only scheduled function
    let listed = get(&p, "/_local/jobs").await;
    assert_eq!(listed[0]["binary"], BINARY, "{listed}");
    assert_eq!(listed[0]["function"], FUNCTION);
    let binaries: Vec<&str> = p.jobs.iter().map(|j| j.binary.as_str()).collect();
    assert_eq!(binaries, [BINARY]);

    // WHEN it runs on an empty table THEN 200 with its report: nothing checked, the sweep done
    let (status, report) = run_job(&p, BINARY).await;
    assert_eq!(status, 200, "{report}");
    let expected = ReconcileReport {
        sweep_complete: true,
        ..ReconcileReport::default()
    };
    assert_eq!(report, serde_json::to_value(&expected).unwrap());

    // GIVEN a Visa token we hold as ACTIVE, which VTS holds as SUSPENDED (no notification)
    visa_token_created(&p, VISA_TOKEN).await;
    let (status, body) = send(
        reqwest::Client::new()
            .post(format!("{}/_local/vts/tokens", p.base_url))
            .json(
                &json!({"tokenReferenceID": VISA_TOKEN, "tokenRequestorID": REQUESTOR,
                      "status": "SUSPENDED", "panReferenceID": "V-PANREF-000901",
                      "lastFourOfPAN": "1111"}),
            ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // WHEN it runs again THEN the token is checked and repaired to VTS's state
    let (status, report) = run_job(&p, BINARY).await;
    assert_eq!(status, 200, "{report}");
    let expected = ReconcileReport {
        checked: 1,
        repaired: 1,
        sweep_complete: true,
        ..ReconcileReport::default()
    };
    assert_eq!(report, serde_json::to_value(&expected).unwrap());
    // AND VTS was asked through its inquiry, never told to change anything
    let calls = get(&p, "/_local/vts/calls").await;
    let urls: Vec<&str> = calls
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["url"].as_str().unwrap())
        .collect();
    assert!(urls.iter().all(|u| u.ends_with("/Inquiry/v1")), "{urls:?}");
    assert_eq!(urls.len(), 1, "{urls:?}");

    // AND it did all that under its own policy: cold start, sweep and repair, nothing denied
    let usage = p.iam_usage();
    let u = usage.iter().find(|u| u.name == FUNCTION).unwrap();
    assert!(u.denied.is_empty(), "{:?}", u.denied_on);
    for action in [
        "kms:Decrypt",
        "dynamodb:Query",
        "dynamodb:GetItem",
        "dynamodb:Scan",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ] {
        assert!(u.used.contains(action), "{action}: {:?}", u.used);
    }

    // WHEN a binary is unknown, or is a function without a schedule THEN 404, nothing run
    for binary in ["tmp-no-such-job", "mdes-authorize-service"] {
        let (status, body) = run_job(&p, binary).await;
        assert_eq!(status, 404, "{binary}");
        assert_eq!(
            body,
            json!({"error": format!("no scheduled function {binary}")})
        );
    }
    p.shutdown().await;
}
