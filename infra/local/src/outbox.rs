//! `GET /_local/outbox`: what a phone, a mailbox and the issuer's webhook
//! would have received, each text exactly as its recipient sees it. Dev-only:
//! it shows activation codes, which is the point locally and never in AWS.
//!
//! - SMS: moto records `Publish(PhoneNumber=…)` without sending it; its
//!   `/moto-api/data.json` lists them as `sns.SMS[{message_id, phone_number,
//!   message}]` (no timestamp: `receivedAt` is when the outbox first saw it).
//! - EMAIL: the issuer delivers e-mails itself; webhook deliveries of
//!   `{"type":"ACTIVATION_CODE_DELIVERY","channel":"EMAIL"}` are those e-mails.
//! - WEBHOOK: every accepted (deduplicated) webhook delivery, body as text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::issuer_simulator::{IssuerSimulator, WebhookDelivery};

pub const OUTBOX_PATH: &str = "/_local/outbox";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Channel {
    Sms,
    Email,
    Webhook,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    pub channel: Channel,
    pub recipient: String,
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub event_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MotoSms {
    message_id: String,
    phone_number: String,
    message: String,
}

struct OutboxState {
    emulator_url: String,
    http: reqwest::Client,
    simulator: IssuerSimulator,
    /// SMS message id → when the outbox first saw it.
    sms_seen: Mutex<HashMap<String, OffsetDateTime>>,
}

/// The outbox router (mount at [`OUTBOX_PATH`]).
pub fn router(emulator_url: &str, simulator: IssuerSimulator) -> Router {
    let state = Arc::new(OutboxState {
        emulator_url: emulator_url.trim_end_matches('/').to_owned(),
        http: reqwest::Client::new(),
        simulator,
        sms_seen: Mutex::new(HashMap::new()),
    });
    Router::new().route("/", get(list)).with_state(state)
}

async fn list(State(state): State<Arc<OutboxState>>) -> Response {
    let sms = match recorded_sms(&state).await {
        Ok(sms) => sms,
        Err(e) => {
            tracing::warn!(error = %e, "outbox: cannot read moto's recorded SMS");
            return (
                StatusCode::BAD_GATEWAY,
                axum::Json(json!({"message": "emulator state unavailable"})),
            )
                .into_response();
        }
    };
    let mut messages = sms;
    for d in state.simulator.webhook_deliveries() {
        messages.extend(from_webhook(&d));
    }
    messages.sort_by_key(|m| m.received_at);
    axum::Json(json!({ "messages": messages })).into_response()
}

async fn recorded_sms(state: &OutboxState) -> Result<Vec<OutboxMessage>, reqwest::Error> {
    let data: Value = state
        .http
        .get(format!("{}/moto-api/data.json", state.emulator_url))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let sms: Vec<MotoSms> = data
        .pointer("/sns/SMS")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let now = OffsetDateTime::now_utc();
    let mut seen = state
        .sms_seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    Ok(sms
        .into_iter()
        .map(|s| OutboxMessage {
            channel: Channel::Sms,
            received_at: *seen.entry(s.message_id).or_insert(now),
            recipient: s.phone_number,
            text: s.message,
            event_id: None,
            event_type: None,
        })
        .collect())
}

/// The WEBHOOK entry of a delivery, preceded by the EMAIL it carries, if any.
fn from_webhook(d: &WebhookDelivery) -> Vec<OutboxMessage> {
    let mut out = Vec::new();
    let body: Value = serde_json::from_str(&d.body).unwrap_or(Value::Null);
    if body.get("type").and_then(Value::as_str) == Some("ACTIVATION_CODE_DELIVERY")
        && body.get("channel").and_then(Value::as_str) == Some("EMAIL")
    {
        out.push(OutboxMessage {
            channel: Channel::Email,
            recipient: text_of(&body, "recipient"),
            text: text_of(&body, "text"),
            received_at: d.received_at,
            event_id: Some(d.event_id.clone()),
            event_type: d.event_type.clone(),
        });
    }
    out.push(OutboxMessage {
        channel: Channel::Webhook,
        recipient: "issuer".to_owned(),
        text: d.body.clone(),
        received_at: d.received_at,
        event_id: Some(d.event_id.clone()),
        event_type: d.event_type.clone(),
    });
    out
}

fn text_of(body: &Value, field: &str) -> String {
    body.get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}
