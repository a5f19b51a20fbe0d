//! What was sent about a token, as customer service sees it: activation
//! codes, cardholder notices and the issuer's token events, each with its
//! channel, time and result. Never the code, the text or the address.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::delivery::DeliveryChannel;
use crate::domain::events::TokenEventType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryKind {
    ActivationCode,
    CardholderNotice,
    IssuerEvent,
}

/// The way it went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LoggedChannel {
    Sms,
    Email,
    /// Handed to the issuer to deliver by its own means.
    Issuer,
    /// The issuer's signed webhook.
    Webhook,
}

impl From<DeliveryChannel> for LoggedChannel {
    fn from(channel: DeliveryChannel) -> Self {
        match channel {
            DeliveryChannel::Sms => Self::Sms,
            DeliveryChannel::Email => Self::Email,
            DeliveryChannel::Issuer => Self::Issuer,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryResult {
    /// Handed to the carrier, or accepted by the issuer.
    Delivered,
    /// A code past its validity: not sent.
    Expired,
    /// Nothing to send it to.
    NoContact,
    /// Refused for good (no retry can help).
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The job's or the event's id: a redelivered message records once.
    pub id: String,
    pub kind: DeliveryKind,
    pub channel: LoggedChannel,
    pub at: OffsetDateTime,
    pub result: DeliveryResult,
    /// The token event a notice is about.
    pub event_type: Option<TokenEventType>,
}
