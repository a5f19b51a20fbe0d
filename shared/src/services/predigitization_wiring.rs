//! Cold start of the Pre-Digitization functions: builds the one
//! [`PreDigitization`] implementation every function shares. Each function's
//! template entry sets only what it needs, so optional parts are read with
//! `get`: a function without `OTP_QUEUE_URL` cannot deliver codes, one
//! without `TOKEN_EVENTS_TOPIC_ARN` publishes nothing, and so on.

use std::sync::Arc;

use crate::adapters::dynamodb::DynamoTokenStore;
use crate::adapters::sns::SnsEventPublisher;
use crate::adapters::sqs::SqsOtpJobQueue;
use crate::adapters::{DynamoDbKeyMaterialStore, KmsKeyVault, KmsPanFingerprinter};
use crate::config::FunctionEnv;
use crate::crypto::mdes_keys;
use crate::domain::activation_code::CodePolicy;
use crate::lambda::HandlerError;
use crate::services::activation_methods::IssuerContact;
use crate::services::events::EventDispatch;
use crate::services::mdes_predigitization::MdesPreDigitization;
use crate::services::predigitization::PreDigitization;

const DEFAULT_CALL_CENTRE: &str = "+1-800-555-0100";

/// The service over DynamoDB, KMS, SQS and SNS, configured from `env`.
pub async fn service(
    sdk: &aws_config::SdkConfig,
    env: &FunctionEnv,
) -> Result<Arc<dyn PreDigitization>, HandlerError> {
    let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
    let kms = aws_sdk_kms::Client::new(sdk);
    let store = Arc::new(DynamoTokenStore::new(
        dynamodb.clone(),
        env.require("TOKEN_STATE_TABLE")?,
    ));
    let vault = Arc::new(KmsKeyVault::new(
        kms.clone(),
        env.require("SECRETS_KEY_ID")?,
    ));
    let hmac = Arc::new(KmsPanFingerprinter::new(
        kms,
        env.require("PAN_FINGERPRINT_KEY_ID")?,
    ));

    let decryptor = match env.get("MDES_KEY_MATERIAL_TABLE") {
        Some(table) => {
            let keys = DynamoDbKeyMaterialStore::new(dynamodb, table);
            let ring = mdes_keys::load_keyring(vault.as_ref(), &keys).await?;
            tracing::info!(keys = ?ring.fingerprints(), "MDES key ring loaded");
            Some(Arc::new(ring) as Arc<dyn crate::ports::PayloadDecryptor>)
        }
        None => None,
    };
    let otp_queue = env.get("OTP_QUEUE_URL").map(|url| {
        Arc::new(SqsOtpJobQueue::new(aws_sdk_sqs::Client::new(sdk), url))
            as Arc<dyn crate::ports::OtpJobQueue>
    });
    let events = env.get("TOKEN_EVENTS_TOPIC_ARN").map(|arn| EventDispatch {
        publisher: Arc::new(SnsEventPublisher::new(aws_sdk_sns::Client::new(sdk), arn)),
        outbox: store.clone(),
    });
    let defaults = CodePolicy::default();
    let code_policy = CodePolicy {
        length: env.parse_or("ACTIVATION_CODE_LENGTH", defaults.length)?,
        ttl: time::Duration::minutes(env.parse_or("ACTIVATION_CODE_TTL_MINUTES", 30i64)?),
        max_attempts: env.parse_or("ACTIVATION_CODE_MAX_ATTEMPTS", defaults.max_attempts)?,
    };
    Ok(Arc::new(MdesPreDigitization {
        tokens: store.clone(),
        codes: store,
        vault,
        mac: hmac.clone(),
        fingerprinter: hmac,
        decryptor,
        otp_queue,
        events,
        contact: IssuerContact {
            call_centre_number: env
                .get("ISSUER_CALL_CENTRE_NUMBER")
                .unwrap_or(DEFAULT_CALL_CENTRE)
                .to_owned(),
        },
        code_policy,
    }))
}
