//! The issuer simulator: a local implementation of the issuer Card
//! Verification API (`api/issuer-card-verification.openapi.yaml`), answering
//! from a card book file, and the issuer's webhook receiver (`webhook.rs`).
//! It never logs card data.

mod card_book;
mod problem;
mod token;
mod verify;
pub mod webhook;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use tmp_core::secret::Secret;

pub use card_book::{BookCard, CARDS_FILE_ENV, CardBook, CardBookError};
pub use webhook::WebhookDelivery;
use webhook::WebhookReceiver;

/// Lifetime of the access tokens the simulator issues, unless configured.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(300);

/// The OAuth2 client the simulator accepts.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: Secret<String>,
}

impl ClientCredentials {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret.into()),
        }
    }

    /// The credentials the local platform configures on both sides.
    pub fn local_default() -> Self {
        Self::new("tmp-local", "tmp-local-issuer-secret")
    }
}

/// How often each endpoint was called (all calls, accepted or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallCounts {
    pub verify: u64,
    pub token: u64,
}

struct SimulatorState {
    book: CardBook,
    credentials: ClientCredentials,
    token_ttl: Duration,
    /// Issued access token → expiry.
    tokens: Mutex<HashMap<String, Instant>>,
    verify_calls: AtomicU64,
    token_calls: AtomicU64,
    webhook: WebhookReceiver,
}

impl SimulatorState {
    fn issue_token(&self) -> String {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let expires_at = Instant::now() + self.token_ttl;
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens.retain(|_, expiry| *expiry > Instant::now());
        tokens.insert(token.clone(), expires_at);
        token
    }

    fn token_is_valid(&self, token: &str) -> bool {
        let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens
            .get(token)
            .is_some_and(|expiry| *expiry > Instant::now())
    }
}

/// A simulated issuer; clones share the card book, tokens and call counts.
#[derive(Clone)]
pub struct IssuerSimulator {
    state: Arc<SimulatorState>,
}

impl IssuerSimulator {
    pub fn new(book: CardBook, credentials: ClientCredentials) -> Self {
        Self::with_token_ttl(book, credentials, DEFAULT_TOKEN_TTL)
    }

    /// Tokens expire after `token_ttl` (short values let tests exercise refresh).
    /// The webhook signing secret is random unless set with [`Self::with_webhook_secret`].
    pub fn with_token_ttl(
        book: CardBook,
        credentials: ClientCredentials,
        token_ttl: Duration,
    ) -> Self {
        // No OS randomness (start-up only): a fixed-length v4 UUID pair instead.
        let secret = webhook::generate_secret().unwrap_or_else(|_| {
            Secret::new(format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            ))
        });
        Self::build(book, credentials, token_ttl, secret)
    }

    /// The same simulator with a chosen webhook signing secret.
    pub fn with_webhook_secret(
        book: CardBook,
        credentials: ClientCredentials,
        secret: Secret<String>,
    ) -> Self {
        Self::build(book, credentials, DEFAULT_TOKEN_TTL, secret)
    }

    fn build(
        book: CardBook,
        credentials: ClientCredentials,
        token_ttl: Duration,
        webhook_secret: Secret<String>,
    ) -> Self {
        Self {
            state: Arc::new(SimulatorState {
                book,
                credentials,
                token_ttl,
                tokens: Mutex::new(HashMap::new()),
                verify_calls: AtomicU64::new(0),
                token_calls: AtomicU64::new(0),
                webhook: WebhookReceiver::new(webhook_secret),
            }),
        }
    }

    /// `POST /oauth/token`, `POST /cards/verify`, `POST /webhook` and
    /// `POST /webhook/fail-next`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/oauth/token", post(token::issue))
            .route("/cards/verify", post(verify::verify))
            .route("/webhook", post(webhook::receive))
            .route("/webhook/fail-next", post(webhook::fail_next))
            .with_state(Arc::clone(&self.state))
    }

    pub fn calls(&self) -> CallCounts {
        CallCounts {
            verify: self.state.verify_calls.load(Ordering::Relaxed),
            token: self.state.token_calls.load(Ordering::Relaxed),
        }
    }

    /// The secret the issuer verifies webhook signatures with.
    pub fn webhook_secret(&self) -> &Secret<String> {
        self.state.webhook.secret()
    }

    /// Accepted webhook deliveries (one per event id), oldest first.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.state.webhook.accepted()
    }

    /// Every webhook call, accepted, duplicate, refused or failed on purpose.
    pub fn webhook_attempts(&self) -> u64 {
        self.state.webhook.attempts()
    }

    /// Invalidates every issued token, as an issuer rotating keys would.
    pub fn revoke_tokens(&self) {
        self.state
            .tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Binds `addr` (port 0 picks a free one) and serves in a background task.
    pub async fn spawn(&self, addr: SocketAddr) -> std::io::Result<SocketAddr> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        let router = self.router();
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, "issuer simulator stopped");
            }
        });
        Ok(bound)
    }
}

/// The simulator's routes for `book`, accepting only `credentials`.
pub fn router(book: CardBook, credentials: ClientCredentials) -> Router {
    IssuerSimulator::new(book, credentials).router()
}
