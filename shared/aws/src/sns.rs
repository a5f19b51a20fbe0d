//! SNS: the token-events topic and direct-to-phone SMS.

use async_trait::async_trait;
use aws_sdk_sns::Client;
use aws_sdk_sns::types::MessageAttributeValue;

use super::aws_error::AwsFailure;
use super::delivery_error;
use tmp_core::domain::events::TokenEvent;
use tmp_core::ports::{DeliveryError, EventPublisher, SmsSender};
use tmp_core::secret::Secret;

/// Message attribute subscription filter policies select on.
pub const EVENT_TYPE_ATTRIBUTE: &str = "eventType";

/// [`EventPublisher`] on an SNS standard topic: the message is the event JSON,
/// `eventType` (e.g. `TOKEN_ACTIVATED`) a String message attribute.
#[derive(Debug, Clone)]
pub struct SnsEventPublisher {
    client: Client,
    topic_arn: String,
}

impl SnsEventPublisher {
    pub fn new(client: Client, topic_arn: impl Into<String>) -> Self {
        Self {
            client,
            topic_arn: topic_arn.into(),
        }
    }
}

/// `TOKEN_ACTIVATED` etc.: the serde name of the event type.
pub fn event_type_name(event: &TokenEvent) -> String {
    serde_json::to_value(event.event_type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[async_trait]
impl EventPublisher for SnsEventPublisher {
    async fn publish(&self, event: &TokenEvent) -> Result<(), DeliveryError> {
        let message = serde_json::to_string(event)
            .map_err(|_| DeliveryError::Permanent("event is not serialisable".to_owned()))?;
        let event_type = string_attribute(event_type_name(event))?;
        self.client
            .publish()
            .topic_arn(&self.topic_arn)
            .message(message)
            .message_attributes(EVENT_TYPE_ATTRIBUTE, event_type)
            .send()
            .await
            .map_err(|e| delivery_error(AwsFailure::new(&e)))?;
        Ok(())
    }
}

/// [`SmsSender`] on SNS direct publish (`PhoneNumber`), transactional route
/// (delivery over price: these are codes and security notices).
#[derive(Debug, Clone)]
pub struct SnsSmsSender {
    client: Client,
    sender_id: Option<String>,
}

impl SnsSmsSender {
    /// `sender_id`: alphanumeric sender id where the destination country allows it.
    pub fn new(client: Client, sender_id: Option<String>) -> Self {
        Self { client, sender_id }
    }
}

#[async_trait]
impl SmsSender for SnsSmsSender {
    async fn send_sms(
        &self,
        phone_number: &Secret<String>,
        text: &Secret<String>,
    ) -> Result<(), DeliveryError> {
        let phone = e164(phone_number.expose()).ok_or_else(|| {
            DeliveryError::Permanent("phone number is not in international format".to_owned())
        })?;
        let mut request = self
            .client
            .publish()
            .phone_number(phone.expose())
            .message(text.expose())
            .message_attributes(
                "AWS.SNS.SMS.SMSType",
                string_attribute("Transactional".to_owned())?,
            );
        if let Some(sender_id) = &self.sender_id {
            request = request
                .message_attributes("AWS.SNS.SMS.SenderID", string_attribute(sender_id.clone())?);
        }
        request
            .send()
            .await
            .map_err(|e| delivery_error(AwsFailure::new(&e)))?;
        Ok(())
    }
}

fn string_attribute(value: String) -> Result<MessageAttributeValue, DeliveryError> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .map_err(|_| DeliveryError::Permanent("invalid message attribute".to_owned()))
}

/// `+<digits>` as SNS wants it, from what the issuer stored (`+44 7700 900123`,
/// `+1-202-555-0123`); `None` unless it has a leading `+` and 8 to 15 digits.
pub fn e164(phone: &str) -> Option<Secret<String>> {
    let trimmed = phone.trim();
    let rest = trimmed.strip_prefix('+')?;
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'))
    {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    (8..=15)
        .contains(&digits.len())
        .then(|| Secret::new(format!("+{digits}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tmp_core::domain::events::TokenEventType;

    #[test]
    fn phone_numbers_are_normalised_to_e164_or_refused() {
        let norm = |p: &str| e164(p).map(|s| s.expose().clone());
        assert_eq!(norm("+44 7700 900123").as_deref(), Some("+447700900123"));
        assert_eq!(norm("+1-202-555-0123").as_deref(), Some("+12025550123"));
        // No country code: SNS would guess, so we refuse.
        assert_eq!(norm("07700 900123"), None);
        assert_eq!(norm("+44 7700 9001x3"), None);
        assert_eq!(norm("+123"), None);
    }

    #[test]
    fn event_type_attribute_is_the_screaming_snake_name() {
        let event: TokenEvent = serde_json::from_value(serde_json::json!({
            "eventId": "e1", "eventType": "TOKEN_ACTIVATED", "schemaVersion": 1,
            "occurredAt": "2026-01-01T00:00:00Z", "network": "MDES",
            "tokenUniqueReference": "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45"
        }))
        .unwrap();
        assert_eq!(event.event_type, TokenEventType::TokenActivated);
        assert_eq!(event_type_name(&event), "TOKEN_ACTIVATED");
    }
}
