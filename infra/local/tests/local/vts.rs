//! The Visa side of the local platform against the real template and moto:
//! the five VTS routes on `VtsApi`, each API's own gateway responses and
//! allow-list, the seeded VTS key (served, and loaded by `vts_key_ring` with
//! the real SDK clients), and the VTS flow under the functions' own IAM
//! policies.

use std::collections::HashMap;

use base64::Engine as _;
use serde_json::{Value, json};
use tmp_aws::vts_keys::{self, VTS_KEY_MATERIAL_TABLE_ENV};
use tmp_local::emulator::EmulatorSource;
use tmp_local::gateway::cidr::AllowList;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::seed::{self, MdesKeySource, VtsKeySource};
use tmp_local::template::Template;
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform, workspace_root};
use tmp_runtime::config::FunctionEnv;
use tmp_vts::jwe;

/// The kid tmp-local gives the TEST-ONLY key (events/test-keys/README.md).
const TEST_KID: &str = "vts-dba1c039a010cf67";
const TOKEN_REQUESTOR: &str = "40010030273";
const TOKEN_REF: &str = "DNITHE000000000000000042";

/// The five VTS routes: function, route as served (parameters filled in).
const ROUTES: [(&str, &str, &str); 5] = [
    (
        "VtsCheckEligibilityFunction",
        "/vts/v1/checkEligibility",
        "/vts/v1/checkEligibility",
    ),
    (
        "VtsApproveProvisioningFunction",
        "/vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/approveProvisioning",
        "/vts/v1/tokenRequestors/40010030273/tokens/DNITHE000000000000000042/approveProvisioning",
    ),
    (
        "VtsGetCardholderVerificationMethodsFunction",
        "/vts/v1/getCardholderVerificationMethods",
        "/vts/v1/getCardholderVerificationMethods",
    ),
    (
        "VtsSendPasscodeFunction",
        "/vts/v1/sendPasscode",
        "/vts/v1/sendPasscode",
    ),
    (
        "VtsTokenChangedFunction",
        "/vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/tokenChanged",
        "/vts/v1/tokenRequestors/40010030273/tokens/DNITHE000000000000000042/tokenChanged?eventType=TOKEN_STATUS_UPDATED&eventID=evt-1",
    ),
];

fn options() -> PlatformOptions {
    PlatformOptions {
        template_path: workspace_root().join("template.yaml"),
        port: 0,
        prefix: format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        emulator: EmulatorSource::default(),
        ..PlatformOptions::default()
    }
}

/// The platform as `make run` builds it, with the test-only keys or a
/// generated VTS key.
fn platform(vts_key: VtsKeySource) -> LocalPlatform {
    let root = workspace_root();
    seed::standard_with(
        LocalPlatform::new(options()),
        CardBook::load(root.join("infra/local/cards.json")).unwrap(),
        MdesKeySource::Import(root.join("events/test-keys/mdes-test-private-key.pem")),
        vts_key,
    )
}

fn test_key() -> VtsKeySource {
    VtsKeySource::Import(workspace_root().join("events/test-keys/vts-test-private-key.pem"))
}

/// The body the template's gateway response `kind` of `api` gives request `request_id`.
fn templates_answer(api: &str, kind: &str, request_id: &str) -> Value {
    let t = Template::from_path(&workspace_root().join("template.yaml")).unwrap();
    let body = &t.api(api).unwrap().gateway_responses[kind].templates["application/json"];
    serde_json::from_str(&body.replace("$context.requestId", request_id)).unwrap()
}

/// `(status, x-amzn-requestid, JSON body)` of a POST of `body` to `path`.
async fn post(p: &RunningPlatform, path: &str, body: &Value) -> (u16, String, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", p.base_url))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let id = r.headers()["x-amzn-requestid"].to_str().unwrap().to_owned();
    let text = r.text().await.unwrap();
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON: {text}"))
    };
    (status, id, json)
}

/// The public key's SubjectPublicKeyInfo DER from a `PUBLIC KEY` PEM block.
fn spki_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// The served VTS public key: `(x-key-id, PEM)`.
async fn served_vts_key(p: &RunningPlatform) -> (String, String) {
    let r = reqwest::get(format!("{}/_local/keys/vts-public.pem", p.base_url))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/x-pem-file");
    let kid = r.headers()["x-key-id"].to_str().unwrap().to_owned();
    (kid, r.text().await.unwrap())
}

/// What the VTS functions' policies refused so far: `(function, action, resource)`.
fn denials(p: &RunningPlatform) -> Vec<(String, String, String)> {
    p.iam_usage()
        .into_iter()
        .filter(|u| u.name.starts_with("Vts"))
        .flat_map(|u| {
            u.denied_on
                .into_iter()
                .map(move |(action, resource)| (u.name.clone(), action, resource))
        })
        .collect()
}

/// What VTS encrypts for checkEligibility and approveProvisioning.
fn provisioning(pan: &str, cvv2: &str, wallet: &str, visa: &str) -> Value {
    json!({
        "cardholderInfo": {
            "primaryAccountNumber": pan, "cvv2": cvv2, "name": "Alex Example",
            "expirationDate": {"month": "12", "year": "2029"},
            "billingAddress": {"line1": "1 Main St", "city": "London", "postalCode": "EC1A 1BB", "country": "GB"}
        },
        "riskInformation": {
            "walletProviderRiskAssessment": wallet, "walletProviderAccountScore": "5",
            "walletProviderDeviceScore": "5", "visaTokenScore": "12", "visaTokenDecisioning": visa
        }
    })
}

/// `now` moved by `seconds`, as Visa writes times (`yyyy-MM-dd'T'HH:mm:ss.SSSZ`).
fn visa_time(seconds: i64) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
        .format(&format)
        .unwrap()
}

#[tokio::test]
async fn the_template_serves_the_five_vts_routes_on_the_vts_api_each_reaching_its_function() {
    // GIVEN the standard platform on the real template, with the test-only VTS key
    let p = platform(test_key()).start().await.unwrap();
    // THEN the VTS key table is provisioned
    aws_sdk_dynamodb::Client::new(&p.sdk)
        .describe_table()
        .table_name(p.deployment.reference("VtsKeyMaterialTable").unwrap())
        .send()
        .await
        .unwrap();
    // AND the route table lists each VTS route on VtsApi with its function
    let routes: Value = reqwest::get(format!("{}/_local/routes", p.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (function, resource, _) in ROUTES {
        assert!(
            routes
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["method"] == "POST"
                    && r["path"] == resource
                    && r["function"] == function
                    && r["api"] == "VtsApi"),
            "{function} {resource}: {routes}"
        );
    }
    // WHEN each is called with an empty object
    for (function, _, path) in ROUTES {
        let (status, _, body) = post(&p, path, &json!({})).await;
        // THEN its function answers (not the gateway): a missing field, in Visa's terms
        assert_eq!(status, 400, "{function}: {body}");
        let code = body["errorCode"].as_str().unwrap_or_default();
        assert!(code.starts_with("ISE400"), "{function}: {body}");
    }
    // AND no function was denied anything by its policy (cold starts included)
    let denied: Vec<_> = p
        .iam_usage()
        .into_iter()
        .filter(|u| u.name.starts_with("Vts") && !u.denied.is_empty())
        .collect();
    assert!(denied.is_empty(), "{denied:?}");
    p.shutdown().await;
}

#[tokio::test]
async fn the_vts_flow_runs_under_each_functions_own_policy() {
    // GIVEN the standard platform with the test-only VTS key, and a JWE for it
    let p = platform(test_key()).start().await.unwrap();
    let (kid, pem) = served_vts_key(&p).await;
    let seal = |content: &Value| {
        jwe::encrypt_as_vts(&spki_der(&pem), &kid, content.to_string().as_bytes()).unwrap()
    };
    // WHEN VTS asks whether the active Visa debit card is eligible
    let (status, _, body) = post(
        &p,
        "/vts/v1/checkEligibility",
        &json!({"tokenRequestorID": TOKEN_REQUESTOR, "encryptedData": seal(&provisioning("4111111111111111", "123", "0", "00"))}),
    )
    .await;
    // THEN 00 with the template's CONSUMER_DEBIT metadata
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["actionCode"], "00", "{body}");
    assert_eq!(
        body["cardMetadataInfo"]["cardArtData"]["cardArtRefID"][0],
        "art-consumer-debit-0001"
    );
    // WHEN VTS asks to provision a token, Visa advising verification
    let (status, _, body) = post(
        &p,
        ROUTES[1].2,
        &json!({
            "tokenInfo": {"tokenType": "SECURE_ELEMENT"},
            "walletProviderMsgTracing": {"tokenRequestorID": TOKEN_REQUESTOR, "wpRequestId": "wp-1"},
            "encryptedData": seal(&provisioning("4111111111111111", "123", "1", "85"))
        }),
    )
    .await;
    // THEN 85 with the CVV2 matched
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"actionCode": "85", "cvv2ResultsCode": "M"}));
    // WHEN VTS asks how the cardholder can be verified
    let (status, _, body) = post(
        &p,
        "/vts/v1/getCardholderVerificationMethods",
        &json!({"tokenReferenceID": TOKEN_REF,
                "walletProviderMsgTracing": {"tokenRequestorID": TOKEN_REQUESTOR, "wpRequestId": "wp-2"}}),
    )
    .await;
    // THEN the masked phone and e-mail of the card book, then the call centre
    assert_eq!(status, 200, "{body}");
    let methods = body["cardholderVerificationMethod"].as_array().unwrap();
    let types: Vec<&str> = methods
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["cell_phone", "email", "customer_service"], "{body}");
    assert_eq!(methods[0]["value"], "***-***-0222");
    // WHEN VTS sends its passcode for the SMS method
    let (status, _, body) = post(
        &p,
        "/vts/v1/sendPasscode",
        &json!({"tokenReferenceID": TOKEN_REF,
                "walletProviderMsgTracing": {"tokenRequestorID": TOKEN_REQUESTOR, "wpRequestId": "wp-3"},
                "otpMethodIdentifier": methods[0]["identifier"], "OTPCode": "482913",
                "OTPCodeExp": visa_time(1200)}),
    )
    .await;
    // THEN it is accepted for delivery
    assert_eq!(
        (status, body),
        (200, json!({"actionCode": "00"})),
        "{:?}",
        denials(&p)
    );
    // WHEN VTS says the token is now ACTIVE
    let (status, _, body) = post(
        &p,
        &format!(
            "/vts/v1/tokenRequestors/{TOKEN_REQUESTOR}/tokens/{TOKEN_REF}/tokenChanged?eventType=TOKEN_STATUS_UPDATED&eventID=evt-active-1"
        ),
        &json!({
            "messageReasonCode": "3701",
            "dateTimeOfEvent": visa_time(-1),
            "encryptedData": seal(&json!({"tokenInfo": {
                "token": "4895370012003478", "tokenType": "SECURE_ELEMENT", "tokenStatus": "ACTIVE",
                "tokenExpirationDate": {"month": "03", "year": "2030"}}}))
        }),
    )
    .await;
    // THEN 200 with an empty body
    assert_eq!((status, &body), (200, &Value::Null), "{body}");
    // AND no VTS function was denied anything by its policy, and each used its key ring
    let usage = p.iam_usage();
    for u in usage.iter().filter(|u| u.name.starts_with("Vts")) {
        assert!(u.denied.is_empty(), "{}: {:?}", u.name, u.denied_on);
    }
    for function in [
        "VtsCheckEligibilityFunction",
        "VtsApproveProvisioningFunction",
        "VtsTokenChangedFunction",
    ] {
        let u = usage.iter().find(|u| u.name == function).unwrap();
        assert!(u.used.contains("dynamodb:Scan"), "{function}: {:?}", u.used);
    }
    p.shutdown().await;
}

#[tokio::test]
async fn a_caller_vts_does_not_admit_gets_visas_error_and_mdes_routes_stay_mdes() {
    // GIVEN VtsApi allow-listed for 10.0.0.0/8 only, TspApi for this machine
    let p = platform(VtsKeySource::GenerateIfMissing)
        .api_allowed_cidrs("VtsApi", AllowList::parse("10.0.0.0/8").unwrap())
        .start()
        .await
        .unwrap();
    // WHEN 127.0.0.1 calls a VTS route, and an unknown path under /vts/
    for path in [ROUTES[0].2, ROUTES[1].2, "/vts/v1/nope"] {
        let (status, id, body) = post(&p, path, &json!({})).await;
        // THEN VtsApi's ACCESS_DENIED: 403, Visa's shape, no MDES responseId
        assert_eq!(status, 403, "{path}");
        assert_eq!(
            body,
            templates_answer("VtsApi", "ACCESS_DENIED", &id),
            "{path}"
        );
        assert_eq!(
            body,
            json!({"errorCode": "ISE40011", "errorDescription": "The caller is not allowed to call this API"})
        );
    }
    // AND an MDES route reaches its function, which answers in MDES's terms
    let (status, _, body) = post(&p, "/mdes/authorizeService", &json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(body["errorCode"], "MISSING_REQUIRED_FIELD");
    // AND an unknown /mdes/ path is TspApi's 404, in MDES's shape with the request id
    let (status, id, body) = post(&p, "/mdes/nope", &json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        templates_answer("TspApi", "MISSING_AUTHENTICATION_TOKEN", &id)
    );
    // AND the generated VTS key is served under a derived kid
    let (kid, pem) = served_vts_key(&p).await;
    assert!(kid.starts_with("vts-") && kid.len() == 20, "{kid}");
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    p.shutdown().await;
}

#[tokio::test]
async fn a_caller_mdes_does_not_admit_gets_mdes_error_and_vts_routes_stay_visa() {
    // GIVEN TspApi allow-listed for 10.0.0.0/8 only, VtsApi for this machine
    let p = platform(test_key())
        .api_allowed_cidrs("TspApi", AllowList::parse("10.0.0.0/8").unwrap())
        .start()
        .await
        .unwrap();
    // WHEN 127.0.0.1 calls an MDES route THEN TspApi's ACCESS_DENIED in MDES's shape
    let (status, id, body) = post(&p, "/mdes/authorizeService", &json!({})).await;
    assert_eq!(status, 403);
    assert_eq!(body, templates_answer("TspApi", "ACCESS_DENIED", &id));
    assert_eq!(body["responseId"], id.as_str());
    // AND a VTS route reaches its function
    let (status, _, body) = post(&p, "/vts/v1/sendPasscode", &json!({})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errorCode"].as_str().unwrap().starts_with("ISE400"));
    // AND unknown VTS paths and methods are VtsApi's 404 in Visa's shape
    let unknown = json!({"errorCode": "ISE40011", "errorDescription": "Unknown operation"});
    for path in ["/vts/v1/nope", "/vts/v1/tokenRequestors/1/tokens/t/nope"] {
        let (status, id, body) = post(&p, path, &json!({})).await;
        assert_eq!((status, &body), (404, &unknown), "{path}");
        assert_eq!(
            body,
            templates_answer("VtsApi", "MISSING_AUTHENTICATION_TOKEN", &id)
        );
    }
    let r = reqwest::get(format!("{}/vts/v1/checkEligibility", p.base_url))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap(), unknown);
    p.shutdown().await;
}

#[tokio::test]
async fn the_seeded_vts_key_is_served_and_vts_key_ring_opens_what_visa_encrypts_for_it() {
    // GIVEN the platform with the test-only VTS key imported
    let p = platform(test_key()).start().await.unwrap();
    // WHEN its public key is asked for
    let (kid, pem) = served_vts_key(&p).await;
    // THEN it is the committed public key, under its documented kid
    let committed =
        std::fs::read_to_string(workspace_root().join("events/test-keys/vts-test-public-key.pem"))
            .unwrap();
    assert_eq!(kid, TEST_KID);
    assert_eq!(pem.trim(), committed.trim());

    // WHEN vts_key_ring loads the table with the real SDK clients against moto
    let env = FunctionEnv::from_map(HashMap::from([
        (
            VTS_KEY_MATERIAL_TABLE_ENV.to_owned(),
            p.deployment
                .reference("VtsKeyMaterialTable")
                .unwrap()
                .to_owned(),
        ),
        (
            "SECRETS_KEY_ID".to_owned(),
            p.deployment.reference("SecretsKey").unwrap().to_owned(),
        ),
    ]));
    let ring = vts_keys::vts_key_ring(&p.sdk, &env).await.unwrap();
    // THEN it holds that one key
    assert_eq!(ring.kids(), [TEST_KID]);
    // AND a JWE Visa makes for the served public key decrypts
    let plaintext = br#"{"cardholderInfo":{"primaryAccountNumber":"4111111111111111"}}"#;
    let compact = jwe::encrypt_as_vts(&spki_der(&pem), &kid, plaintext).unwrap();
    assert_eq!(ring.decrypt(&compact).unwrap().expose(), plaintext);

    // WHEN a function whose policy allows the key ring loads it, through the IAM proxy
    let functions: Value = reqwest::get(format!("{}/_local/functions", p.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let proxy = functions[0]["environment"]["AWS_ENDPOINT_URL"]
        .as_str()
        .unwrap()
        .to_owned();
    let as_function = |id: &str| tmp_local::iam::function_sdk_config(&p.sdk, &proxy, id);
    let ring = vts_keys::vts_key_ring(&as_function("VtsTokenChangedFunction"), &env)
        .await
        .unwrap();
    // THEN it opens the same JWE
    assert_eq!(ring.decrypt(&compact).unwrap().expose(), plaintext);
    // AND a function without that permission cannot load it
    assert!(
        vts_keys::vts_key_ring(&as_function("VtsSendPasscodeFunction"), &env)
            .await
            .is_err()
    );
    p.shutdown().await;
}
