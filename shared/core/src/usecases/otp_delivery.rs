//! Delivers one activation code (an OTP queue job) by its channel: SMS to the
//! cardholder's phone, or a hand-off to the issuer's webhook (e-mail, or the
//! issuer's own channel). The code is opened from KMS only here, only for the
//! send, and never logged.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::templates::{self, render};
use crate::domain::delivery::{
    ContactDetails, DeliveryChannel, OtpDeliveryJob, purpose, sealing_context,
};
use crate::domain::delivery_log::{DeliveryKind, DeliveryRecord, DeliveryResult};
use crate::ports::{
    ContactDirectory, ContactDirectoryError, DeliveryError, DeliveryLog, IssuerNotifier, KeyVault,
    KeyVaultError, SmsSender, TokenSummary, record_delivery,
};
use crate::secret::Secret;

/// What happened to a job that needs no retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpOutcome {
    Delivered(DeliveryChannel),
    /// Past `expiresAt`: the code is useless, the job is dropped.
    Expired,
}

pub struct OtpDeliveryService {
    pub vault: Arc<dyn KeyVault>,
    pub contacts: Arc<dyn ContactDirectory>,
    pub sms: Arc<dyn SmsSender>,
    pub issuer: Arc<dyn IssuerNotifier>,
    /// Shown in the texts (`ISSUER_NAME`).
    pub issuer_name: String,
    /// Where each delivery is recorded on its token (never the code).
    pub log: Arc<dyn DeliveryLog>,
}

/// KMS encryption context of an activation code.
pub fn activation_code_context(token_unique_reference: &str) -> BTreeMap<String, String> {
    sealing_context(purpose::ACTIVATION_CODE, token_unique_reference)
}

/// The webhook document of a code hand-off. Holds the code or the address:
/// only serialised into a [`Secret`] buffer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeHandOff<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    channel: DeliveryChannel,
    event_id: &'a str,
    token_unique_reference: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    recipient: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    activation_code: Option<&'a str>,
    expires_at: &'a str,
    language: &'a str,
}

impl OtpDeliveryService {
    /// Delivers the job, then records on the token how it went (a
    /// transient failure records nothing: the queue delivers it again).
    pub async fn deliver(
        &self,
        job: &OtpDeliveryJob,
        now: OffsetDateTime,
    ) -> Result<OtpOutcome, DeliveryError> {
        let outcome = self.send(job, now).await;
        let result = match &outcome {
            Ok(OtpOutcome::Delivered(_)) => Some(DeliveryResult::Delivered),
            Ok(OtpOutcome::Expired) => Some(DeliveryResult::Expired),
            Err(DeliveryError::Permanent(_)) => Some(DeliveryResult::Failed),
            Err(_) => None,
        };
        if let Some(result) = result {
            let record = DeliveryRecord {
                id: job.job_id.clone(),
                kind: DeliveryKind::ActivationCode,
                channel: job.channel.into(),
                at: now,
                result,
                event_type: None,
            };
            record_delivery(self.log.as_ref(), &job.token_unique_reference, record).await;
        }
        outcome
    }

    async fn send(
        &self,
        job: &OtpDeliveryJob,
        now: OffsetDateTime,
    ) -> Result<OtpOutcome, DeliveryError> {
        let expires_at = OffsetDateTime::parse(&job.expires_at, &Rfc3339)
            .map_err(|_| DeliveryError::Permanent("job expiresAt is not RFC 3339".to_owned()))?;
        if expires_at <= now {
            tracing::info!(
                job_id = job.job_id,
                "activation code expired before delivery; dropped"
            );
            return Ok(OtpOutcome::Expired);
        }
        let code = self.open_code(job).await?;
        let language = templates::for_language(job.language.as_deref());
        let minutes = minutes_left(expires_at - now).to_string();
        let values = [
            ("issuer", self.issuer_name.as_str()),
            ("code", code.expose().as_str()),
            ("minutes", minutes.as_str()),
        ];
        let text = Secret::new(render(language.otp_text, &values));
        match job.channel {
            DeliveryChannel::Sms => {
                let (contact, _) = self.contact(&job.token_unique_reference).await?;
                let phone = contact.phone_number.ok_or_else(|| {
                    DeliveryError::Permanent("no phone number on file for SMS delivery".to_owned())
                })?;
                self.sms.send_sms(&phone, &text).await?;
            }
            DeliveryChannel::Email => {
                let (contact, _) = self.contact(&job.token_unique_reference).await?;
                let email = contact.email.ok_or_else(|| {
                    DeliveryError::Permanent(
                        "no e-mail address on file for EMAIL delivery".to_owned(),
                    )
                })?;
                let subject = render(language.otp_subject, &values);
                self.hand_off(CodeHandOff {
                    kind: "ACTIVATION_CODE_DELIVERY",
                    channel: DeliveryChannel::Email,
                    event_id: &job.job_id,
                    token_unique_reference: &job.token_unique_reference,
                    recipient: Some(email.expose()),
                    subject: Some(&subject),
                    text: Some(text.expose()),
                    activation_code: None,
                    expires_at: &job.expires_at,
                    language: language.language,
                })
                .await?;
            }
            DeliveryChannel::Issuer => {
                self.hand_off(CodeHandOff {
                    kind: "ACTIVATION_CODE_DELIVERY",
                    channel: DeliveryChannel::Issuer,
                    event_id: &job.job_id,
                    token_unique_reference: &job.token_unique_reference,
                    recipient: None,
                    subject: None,
                    text: None,
                    activation_code: Some(code.expose()),
                    expires_at: &job.expires_at,
                    language: language.language,
                })
                .await?;
            }
        }
        tracing::info!(job_id = job.job_id, channel = ?job.channel, "activation code delivered");
        Ok(OtpOutcome::Delivered(job.channel))
    }

    async fn open_code(&self, job: &OtpDeliveryJob) -> Result<Secret<String>, DeliveryError> {
        use base64::Engine as _;
        let ciphertext = base64::engine::general_purpose::STANDARD
            .decode(job.encrypted_code.trim())
            .map_err(|_| DeliveryError::Permanent("encryptedCode is not base64".to_owned()))?;
        let plaintext = self
            .vault
            .decrypt(
                &ciphertext,
                &activation_code_context(&job.token_unique_reference),
            )
            .await
            .map_err(|e| match e {
                KeyVaultError::Unavailable(_) => {
                    DeliveryError::Transient("key service unavailable".to_owned())
                }
                KeyVaultError::Refused(code) => {
                    DeliveryError::Permanent(format!("key service refused the code ({code})"))
                }
            })?;
        std::str::from_utf8(plaintext.expose())
            .map(|code| Secret::new(code.to_owned()))
            .map_err(|_| DeliveryError::Permanent("activation code is not text".to_owned()))
    }

    async fn contact(
        &self,
        token_unique_reference: &str,
    ) -> Result<(ContactDetails, TokenSummary), DeliveryError> {
        lookup_contact(self.contacts.as_ref(), token_unique_reference)
            .await?
            .ok_or_else(|| DeliveryError::Permanent("token is unknown".to_owned()))
    }

    async fn hand_off(&self, document: CodeHandOff<'_>) -> Result<(), DeliveryError> {
        let body = Secret::new(serde_json::to_vec(&document).map_err(|_| {
            DeliveryError::Permanent("hand-off document is not serialisable".to_owned())
        })?);
        self.issuer.notify(document.event_id, body.expose()).await
    }
}

/// A contact lookup as a delivery outcome.
pub(crate) async fn lookup_contact(
    contacts: &dyn ContactDirectory,
    token_unique_reference: &str,
) -> Result<Option<(ContactDetails, TokenSummary)>, DeliveryError> {
    contacts
        .contact(token_unique_reference)
        .await
        .map_err(|e| match e {
            ContactDirectoryError::Unavailable(_) => {
                DeliveryError::Transient("contact directory unavailable".to_owned())
            }
            ContactDirectoryError::Corrupt(reason) => DeliveryError::Permanent(reason),
        })
}

/// Whole minutes left, rounded up, at least 1.
fn minutes_left(left: time::Duration) -> i64 {
    let seconds = left.whole_seconds().max(1);
    (seconds + 59) / 60
}
