//! Notifications back to our TSP API, as the network sends them after a
//! change: spawned after the answer (a short delay later), switchable
//! (`POST …/notifications {"enabled": false}`), each recorded with the HTTP
//! status our API answered (`GET …/notifications`).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Default pause between the answer and the notification.
pub const DEFAULT_DELAY: Duration = Duration::from_millis(100);
/// Deadline of one notification call.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// One notification as sent, and how our API answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub url: String,
    /// The token's reference (TUR or tokenReferenceID).
    pub token_reference: String,
    /// The status the notification announced.
    pub status: String,
    pub body: Value,
    /// Our API's answer; `None` when it could not be sent.
    pub http_status: Option<u16>,
    pub error: Option<String>,
}

/// What to send: the URL and the JSON body.
pub struct Outgoing {
    pub url: String,
    pub body: Value,
}

/// `POST …/notifications`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Switch {
    pub enabled: bool,
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

/// Where notifications go (the gateway's URL, known once it is bound) and
/// the client that sends them; shared by both networks.
#[derive(Clone)]
pub struct Outbound {
    base_url: Arc<Mutex<Option<String>>>,
    pub http: reqwest::Client,
}

impl Outbound {
    pub fn new() -> Self {
        Self {
            base_url: Arc::new(Mutex::new(None)),
            http: reqwest::Client::builder()
                .timeout(SEND_TIMEOUT)
                .build()
                .unwrap_or_default(),
        }
    }

    /// Where the platform's gateway listens (set by the seed step).
    pub fn set_base_url(&self, base_url: &str) {
        *self.base_url.lock().unwrap_or_else(PoisonError::into_inner) = Some(base_url.to_owned());
    }

    /// `{base}{path}`, or an error before the platform is started.
    pub fn url(&self, path: &str) -> Result<String, String> {
        self.base_url
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|base| format!("{base}{path}"))
            .ok_or_else(|| "the platform's URL is not known yet".to_owned())
    }
}

impl Default for Outbound {
    fn default() -> Self {
        Self::new()
    }
}

pub struct Notifications {
    enabled: AtomicBool,
    delay_ms: AtomicU64,
    sent: Mutex<Vec<Notification>>,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            enabled: AtomicBool::new(true),
            delay_ms: AtomicU64::new(u64::try_from(DEFAULT_DELAY.as_millis()).unwrap_or(100)),
            sent: Mutex::new(Vec::new()),
        }
    }
}

impl Notifications {
    pub fn switch(&self, switch: &Switch) {
        self.enabled.store(switch.enabled, Ordering::SeqCst);
        if let Some(ms) = switch.delay_ms {
            self.delay_ms.store(ms, Ordering::SeqCst);
        }
    }

    pub fn sent(&self) -> Vec<Notification> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sends what `build` makes, after the delay, in the background; nothing
    /// when notifications are off.
    pub fn schedule(
        self: &Arc<Self>,
        outbound: &Outbound,
        token_reference: String,
        status: String,
        build: BoxFuture<'static, Result<Outgoing, String>>,
    ) {
        if !self.enabled.load(Ordering::SeqCst) {
            return;
        }
        let delay = Duration::from_millis(self.delay_ms.load(Ordering::SeqCst));
        let this = Arc::clone(self);
        let http = outbound.http.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let record = match build.await {
                Ok(outgoing) => send(&http, outgoing, token_reference, status).await,
                Err(error) => Notification {
                    url: String::new(),
                    token_reference,
                    status,
                    body: Value::Null,
                    http_status: None,
                    error: Some(error),
                },
            };
            tracing::info!(
                url = record.url,
                http_status = record.http_status,
                "TSP simulator: notification sent"
            );
            this.sent
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(record);
        });
    }
}

async fn send(
    http: &reqwest::Client,
    outgoing: Outgoing,
    token_reference: String,
    status: String,
) -> Notification {
    let answer = http
        .post(&outgoing.url)
        .header("content-type", "application/json")
        .body(outgoing.body.to_string())
        .send()
        .await;
    let (http_status, error) = match answer {
        Ok(r) => (Some(r.status().as_u16()), None),
        Err(e) => (None, Some(format!("not delivered: {e}"))),
    };
    Notification {
        url: outgoing.url,
        token_reference,
        status,
        body: outgoing.body,
        http_status,
        error,
    }
}
