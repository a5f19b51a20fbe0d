//! Shared fixtures: test keys, valid request bodies and payloads, the venv's
//! Python, scratch files.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use tmp_core::secret::Secret;
use tmp_vts::common::Params;
use tmp_vts::jwe::{self, VtsKeyRing, VtsPrivateKey};

pub const KID_A: &str = "vts-2026-01";
pub const KID_B: &str = "vts-2026-07";
pub const STRANGER: &str = "someone-else";
pub const TOKEN_REQUESTOR: &str = "40010030273";
pub const TOKEN_REF: &str = "DNITHE381305071414000049";
/// A Visa test PAN.
pub const PAN: &str = "4111111111111111";

/// Three 2048-bit keys, generated once per test run: two in our ring (a
/// rotation), one that is not ours.
fn pems() -> &'static [(String, Secret<String>); 3] {
    static PEMS: OnceLock<[(String, Secret<String>); 3]> = OnceLock::new();
    PEMS.get_or_init(|| {
        [KID_A, KID_B, STRANGER].map(|kid| {
            let key = VtsPrivateKey::generate(kid, jwe::MIN_KEY_BITS).unwrap();
            (kid.to_owned(), key.to_pkcs8_pem().unwrap())
        })
    })
}

pub fn key(kid: &str) -> VtsPrivateKey {
    let (kid, pem) = pems().iter().find(|(k, _)| k == kid).unwrap();
    VtsPrivateKey::from_pkcs8_pem(kid, pem).unwrap()
}

pub fn ring() -> std::sync::Arc<VtsKeyRing> {
    std::sync::Arc::new(VtsKeyRing::new(vec![key(KID_A), key(KID_B)]).unwrap())
}

/// What VTS would send for `kid`, sealed by our own encoder.
pub fn sealed(kid: &str, plaintext: &Value) -> String {
    jwe::encrypt_as_vts(
        key(kid).public_key_der(),
        kid,
        plaintext.to_string().as_bytes(),
    )
    .unwrap()
}

pub fn cardholder_info() -> Value {
    json!({
        "primaryAccountNumber": PAN,
        "cvv2": "123",
        "name": "Jane Doe",
        "expirationDate": {"month": "12", "year": "2029"},
        "billingAddress": {"line1": "1 Main St", "city": "Springfield", "state": "IL",
                           "postalCode": "62701", "country": "US"}
    })
}

pub fn provisioning_content() -> Value {
    json!({
        "cardholderInfo": cardholder_info(),
        "riskInformation": {"walletProviderRiskAssessment": "0", "walletProviderRiskAssessmentVersion": "1",
                            "walletProviderAccountScore": "5", "walletProviderDeviceScore": "4",
                            "walletProviderReasonCodes": "01,0A", "visaTokenScore": "12",
                            "visaTokenDecisioning": "00"}
    })
}

pub fn token_changed_content() -> Value {
    json!({
        "tokenInfo": {"token": "4895370012003478", "tokenType": "SECURE_ELEMENT", "tokenStatus": "ACTIVE",
                      "tokenExpirationDate": {"month": "03", "year": "2030"}, "tokenAssuranceMethod": "12"},
        "cardholderInfo": cardholder_info()
    })
}

pub fn approve_body(encrypted_data: &str) -> Value {
    json!({
        "tokenInfo": {"tokenType": "SECURE_ELEMENT", "numberOfActiveTokensForPAN": "1",
                      "numberOfInactiveTokensForPAN": "0", "numberOfSuspendedTokensForPAN": "0"},
        "panReferenceID": "V-PANREF-000001",
        "lifeCycleTraceID": "381234567890123",
        "locale": "en_US",
        "deviceInfo": {"deviceID": "04A5B1C2D3E4F5", "deviceType": "MOBILE_PHONE",
                       "deviceName": "SmFuZSdzIFBob25l", "osType": "ANDROID"},
        "walletProviderMsgTracing": {"tokenRequestorID": TOKEN_REQUESTOR, "wpRequestId": "wp-1"},
        "encryptedData": encrypted_data
    })
}

pub fn token_params() -> Params {
    let mut params = Params::default();
    params
        .path
        .insert("tokenRequestorID".into(), TOKEN_REQUESTOR.into());
    params
        .path
        .insert("tokenReferenceID".into(), TOKEN_REF.into());
    params
}

pub fn token_changed_params(event_type: &str, event_id: &str) -> Params {
    let mut params = token_params();
    params.query.insert("eventType".into(), event_type.into());
    params.query.insert("eventID".into(), event_id.into());
    params
}

pub use tmp_testkit::moto::workspace_root;

/// The venv's Python with `args` (`make venv` installs it).
pub fn run_python(args: &[&str], stdin: &[u8]) -> Result<Vec<u8>, String> {
    tmp_testkit::python::run_python(args, stdin)
}

/// `infra/scripts/vts-jwe.py` with `args`.
pub fn vts_jwe(args: &[&str], stdin: &[u8]) -> Result<Vec<u8>, String> {
    let script = workspace_root().join("infra/scripts/vts-jwe.py");
    let mut all = vec![script.to_str().unwrap()];
    all.extend_from_slice(args);
    run_python(&all, stdin)
}

/// A file in the temp dir, removed on drop (test keys only).
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str, content: &[u8]) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "tmp-vts-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, content).unwrap();
        Self(path)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub fn public_pem(kid: &str) -> Scratch {
    Scratch::new(
        &format!("{kid}.pub.pem"),
        key(kid).public_key_pem().unwrap().as_bytes(),
    )
}

pub fn private_pem(kid: &str) -> Scratch {
    Scratch::new(
        &format!("{kid}.key.pem"),
        key(kid).to_pkcs8_pem().unwrap().expose().as_bytes(),
    )
}

/// approveProvisioning over a stand-in use case that does what the real one
/// does at the edge: translate, open the card data, decide.
pub struct FakeApprove {
    pub keys: std::sync::Arc<VtsKeyRing>,
}

#[async_trait::async_trait]
impl tmp_vts::operation::VtsOperation for FakeApprove {
    type Request = tmp_vts::approve_provisioning::ApproveProvisioning;
    type Response = tmp_vts::approve_provisioning::ApproveProvisioningResponse;

    async fn call(&self, request: Self::Request) -> Result<Self::Response, tmp_vts::VtsError> {
        let command = tmp_vts::translate::approve_provisioning_command(&request, &self.keys)?;
        let card = command
            .card_data
            .open(time::OffsetDateTime::now_utc())?
            .card
            .map_err(tmp_core::AppError::CardData)?;
        assert_eq!(card.pan.last4(), "1111");
        Ok(tmp_vts::translate::approve_provisioning_response(
            &tmp_core::usecases::authorize::AuthorizationOutcome {
                decision: tmp_core::domain::decision::Decision::Approved,
                activation_methods: Vec::new(),
                cvc_response: Some(tmp_core::domain::card::CvcResponse::Match),
                replayed: false,
            },
        ))
    }
}

/// Runs `operation::respond` on a current-thread runtime.
pub fn respond<O: tmp_vts::operation::VtsOperation>(
    operation: &O,
    params: &Params,
    body: &[u8],
) -> http::Response<Vec<u8>> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(tmp_vts::operation::respond(operation, params, body))
}
