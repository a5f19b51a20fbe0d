//! Tells the cardholder when a card is added to or removed from a wallet: by
//! SMS to the phone on file, or through the issuer (e-mail hand-off) when only
//! an e-mail is known. Which events notify is configuration.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use super::otp_delivery::lookup_contact;
use super::templates::{self, LanguageTemplates, render};
use crate::AppError;
use crate::domain::delivery::DeliveryChannel;
use crate::domain::delivery_log::{DeliveryKind, DeliveryRecord, DeliveryResult, LoggedChannel};
use crate::domain::events::{TokenEvent, TokenEventType};
use crate::error::SettingError;
use crate::error::unavailable;
use crate::ports::ContactDirectory;
use crate::ports::{DeliveryError, DeliveryLog, IssuerNotifier, SmsSender, record_delivery};
use crate::secret::Secret;
use crate::usecases::ledger::{Idempotency, Message, Once, signature};

/// Event types that have cardholder templates.
pub const NOTIFIABLE: [TokenEventType; 2] =
    [TokenEventType::TokenActivated, TokenEventType::TokenDeleted];

/// Which event types notify the cardholder (`CARDHOLDER_NOTIFICATIONS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnabledNotifications(BTreeSet<String>);

impl EnabledNotifications {
    /// Comma-separated event types (`TOKEN_ACTIVATED,TOKEN_DELETED`); `NONE`
    /// turns all off; unset means all of [`NOTIFIABLE`].
    pub fn parse(raw: Option<&str>) -> Result<Self, SettingError> {
        let Some(raw) = raw else {
            return Ok(Self(NOTIFIABLE.iter().map(|t| type_name(*t)).collect()));
        };
        let mut enabled = BTreeSet::new();
        for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name.eq_ignore_ascii_case("NONE") {
                continue;
            }
            let known = NOTIFIABLE.iter().any(|t| type_name(*t) == name);
            if !known {
                return Err(SettingError {
                    name: "CARDHOLDER_NOTIFICATIONS",
                    reason: format!("{name} has no cardholder notification"),
                });
            }
            enabled.insert(name.to_owned());
        }
        Ok(Self(enabled))
    }

    pub fn contains(&self, event_type: TokenEventType) -> bool {
        self.0.contains(&type_name(event_type))
    }
}

fn type_name(event_type: TokenEventType) -> String {
    serde_json::to_value(event_type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What happened to an event that needs no retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardholderOutcome {
    Sent(DeliveryChannel),
    /// Not a notifiable type, or turned off.
    NotEnabled,
    /// The issuer gave neither phone nor e-mail: nobody to tell.
    NoContact,
    /// This event was already told (a redelivered message): not sent twice.
    AlreadySent,
}

/// The ledger operation under which each event is told once.
pub const OPERATION: &str = "cardholderNotification";

pub struct CardholderNotificationService {
    pub contacts: Arc<dyn ContactDirectory>,
    pub sms: Arc<dyn SmsSender>,
    pub issuer: Arc<dyn IssuerNotifier>,
    pub issuer_name: String,
    pub enabled: EnabledNotifications,
    /// Each `eventId` is told once: SNS and SQS deliver at least once.
    pub idempotency: Idempotency,
    /// Where each notice is recorded on its token (never its text or address).
    pub log: Arc<dyn DeliveryLog>,
}

/// The e-mail hand-off document; holds the address, so serialised into a [`Secret`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EmailHandOff<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    channel: DeliveryChannel,
    event_id: &'a str,
    token_event_id: &'a str,
    event_type: TokenEventType,
    token_unique_reference: &'a str,
    recipient: &'a str,
    subject: &'a str,
    text: &'a str,
    language: &'a str,
}

impl CardholderNotificationService {
    pub async fn notify(&self, event: &TokenEvent) -> Result<CardholderOutcome, DeliveryError> {
        if !self.enabled.contains(event.event_type) {
            return Ok(CardholderOutcome::NotEnabled);
        }
        let message = Message {
            network: event.network,
            request_id: event.event_id.clone(),
            signature: signature(&[&type_name(event.event_type), &event.token_unique_reference]),
        };
        // The channel's own error, kept to report it as it was (transient or not).
        let failure = Mutex::new(None);
        let failure_slot = &failure;
        let done = self
            .idempotency
            .once(OPERATION, &message, |claim| async move {
                let outcome = match self.send(event).await {
                    Ok(outcome) => outcome,
                    Err(err) => {
                        *failure_slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(err);
                        return Err(AppError::Unavailable("cardholder delivery failed"));
                    }
                };
                let now = self.idempotency.clock.now();
                self.idempotency
                    .ledger
                    .complete(&claim.completion(format!("{outcome:?}")), now)
                    .await
                    .map_err(unavailable("recording the notice failed"))?;
                Ok(outcome)
            })
            .await;
        let failure = failure.into_inner().unwrap_or_else(PoisonError::into_inner);
        match (done, failure) {
            (Ok(Once::Done(outcome)), _) => {
                self.record(event, outcome).await;
                Ok(outcome)
            }
            (Ok(Once::Replayed(_)), _) => {
                tracing::info!(
                    event_id = event.event_id,
                    "cardholder already notified of this event"
                );
                Ok(CardholderOutcome::AlreadySent)
            }
            (Err(_), Some(err)) => Err(err),
            (Err(AppError::RequestIdReused), None) => Err(DeliveryError::Permanent(
                "eventId already used for another event".to_owned(),
            )),
            (Err(err), None) => Err(DeliveryError::Transient(err.to_string())),
        }
    }

    /// A notice sent, or nobody to send it to, on the token's deliveries.
    async fn record(&self, event: &TokenEvent, outcome: CardholderOutcome) {
        let (channel, result) = match outcome {
            CardholderOutcome::Sent(channel) => (channel.into(), DeliveryResult::Delivered),
            CardholderOutcome::NoContact => (LoggedChannel::Sms, DeliveryResult::NoContact),
            CardholderOutcome::NotEnabled | CardholderOutcome::AlreadySent => return,
        };
        let record = DeliveryRecord {
            id: event.event_id.clone(),
            kind: DeliveryKind::CardholderNotice,
            channel,
            at: self.idempotency.clock.now(),
            result,
            event_type: Some(event.event_type),
        };
        record_delivery(self.log.as_ref(), &event.token_unique_reference, record).await;
    }

    async fn send(&self, event: &TokenEvent) -> Result<CardholderOutcome, DeliveryError> {
        let (contact, token) =
            lookup_contact(self.contacts.as_ref(), &event.token_unique_reference)
                .await?
                .ok_or_else(|| DeliveryError::Permanent("token is unknown".to_owned()))?;
        let language = templates::for_language(event.language.as_deref());
        let (text, subject) = texts(language, event.event_type);
        let last4 = event
            .pan_last4
            .as_deref()
            .or(token.pan_last4.as_deref())
            .unwrap_or("****");
        let wallet = templates::wallet_name(
            event
                .token_requestor_id
                .as_deref()
                .or(token.token_requestor_id.as_deref()),
            event.wallet_id.as_deref().or(token.wallet_id.as_deref()),
        )
        .unwrap_or(language.unknown_wallet);
        let values = [
            ("issuer", self.issuer_name.as_str()),
            ("last4", last4),
            ("wallet", wallet),
        ];
        let text = Secret::new(render(text, &values));
        if let Some(phone) = &contact.phone_number {
            self.sms.send_sms(phone, &text).await?;
            tracing::info!(event_id = event.event_id, "cardholder notified by SMS");
            return Ok(CardholderOutcome::Sent(DeliveryChannel::Sms));
        }
        let Some(email) = &contact.email else {
            tracing::info!(
                event_id = event.event_id,
                "no cardholder contact on file; not notified"
            );
            return Ok(CardholderOutcome::NoContact);
        };
        // Its own id: the issuer also receives the event itself under `eventId`.
        let event_id = format!("{}:cardholder", event.event_id);
        let subject = render(subject, &values);
        let body = Secret::new(
            serde_json::to_vec(&EmailHandOff {
                kind: "CARDHOLDER_NOTIFICATION",
                channel: DeliveryChannel::Email,
                event_id: &event_id,
                token_event_id: &event.event_id,
                event_type: event.event_type,
                token_unique_reference: &event.token_unique_reference,
                recipient: email.expose(),
                subject: &subject,
                text: text.expose(),
                language: language.language,
            })
            .map_err(|_| {
                DeliveryError::Permanent("hand-off document is not serialisable".to_owned())
            })?,
        );
        self.issuer.notify(&event_id, body.expose()).await?;
        tracing::info!(
            event_id = event.event_id,
            "cardholder e-mail handed to the issuer"
        );
        Ok(CardholderOutcome::Sent(DeliveryChannel::Email))
    }
}

fn texts(
    t: &'static LanguageTemplates,
    event_type: TokenEventType,
) -> (&'static str, &'static str) {
    match event_type {
        TokenEventType::TokenDeleted => (t.token_deleted_text, t.token_deleted_subject),
        _ => (t.token_activated_text, t.token_activated_subject),
    }
}
