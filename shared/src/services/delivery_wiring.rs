//! Cold start of the consumers that reach cardholders (otp-delivery,
//! cardholder-notification): the channels both need, built once from the
//! environment `template.yaml` gives them.

use std::sync::Arc;

use crate::adapters::webhook::issuer_notifier_from_env;
use crate::adapters::{DynamoDbContactDirectory, KmsKeyVault, SnsSmsSender};
use crate::config::FunctionEnv;
use crate::lambda::HandlerError;
use crate::ports::{ContactDirectory, IssuerNotifier, KeyVault, SmsSender};

/// Name in the texts when `ISSUER_NAME` is unset.
pub const DEFAULT_ISSUER_NAME: &str = "your bank";

pub struct CardholderChannels {
    pub vault: Arc<dyn KeyVault>,
    pub contacts: Arc<dyn ContactDirectory>,
    pub sms: Arc<dyn SmsSender>,
    pub issuer: Arc<dyn IssuerNotifier>,
    pub issuer_name: String,
}

/// KMS vault, sealed contact directory, SNS SMS, the issuer's signed webhook
/// (its secret decrypted once) and the issuer's display name.
pub async fn cardholder_channels(
    sdk: &aws_config::SdkConfig,
    env: &FunctionEnv,
) -> Result<CardholderChannels, HandlerError> {
    let vault: Arc<dyn KeyVault> = Arc::new(KmsKeyVault::new(
        aws_sdk_kms::Client::new(sdk),
        env.require("SECRETS_KEY_ID")?,
    ));
    let contacts = DynamoDbContactDirectory::new(
        aws_sdk_dynamodb::Client::new(sdk),
        env.require("TOKEN_STATE_TABLE")?,
        Arc::clone(&vault),
    );
    let issuer = issuer_notifier_from_env(vault.as_ref(), env).await?;
    let sms = SnsSmsSender::new(
        aws_sdk_sns::Client::new(sdk),
        env.get("SMS_SENDER_ID").map(str::to_owned),
    );
    Ok(CardholderChannels {
        vault,
        contacts: Arc::new(contacts),
        sms: Arc::new(sms),
        issuer,
        issuer_name: env
            .get("ISSUER_NAME")
            .unwrap_or(DEFAULT_ISSUER_NAME)
            .to_owned(),
    })
}
