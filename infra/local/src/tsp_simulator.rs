//! The token service providers as the TMP calls them, locally: a simulated
//! MDES (Customer Service 2.0.7 behind OAuth 1.0a, `mdes.rs`) at
//! `/_local/mdes` and a simulated VTS (the lifecycle and inquiry calls,
//! `vts.rs`) at `/_local/vts`, each holding real token state, recording
//! every call, failing on demand, and notifying our TSP API of each change
//! as the network would (notifyTokenUpdated, tokenChanged).
//!
//! Per network, under its mount point:
//! - `POST /tokens` registers or overwrites a token silently (no
//!   notification: how a test creates drift), `GET /tokens/{ref}` shows it,
//!   `DELETE /tokens/{ref}` forgets it silently;
//! - `GET /calls`: every API request received, in order
//!   (`[{"method","url","headers","body"}]`);
//! - `POST /fail-next` `{"count","mode":"timeout"|"500","operations"?}`;
//! - `POST /notifications` `{"enabled", "delayMs"?}`, `GET /notifications`.
//!
//! Card data: the simulators hold no PAN (only last fours), never log a
//! body, and their errors never quote a request.

mod calls;
mod control;
mod faults;
mod mdes;
mod mdes_auth;
mod mdes_book;
mod mdes_ops;
mod mdes_registration;
mod notify;
mod seed;
mod vts;
mod vts_book;
mod vts_notify;

use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tmp_mdes::oauth1::OAuthSigner;

pub use calls::Call;
pub use faults::{FailNext, FaultMode, HOLD};
pub use mdes::{CS_BASE_PATH, MDES_PATH};
pub use mdes_auth::{LOCAL_CONSUMER_KEY, MAX_SKEW};
pub use notify::Notification;
pub use seed::{
    LOCAL_NETWORK_TIMEOUT_MS, MDES_CONSUMER_KEY_PARAMETER, MDES_CS_BASE_URL_PARAMETER,
    MDES_OAUTH_SIGNING_KEY_PURPOSE, MDES_SIGNING_KEY_PARAMETER, NETWORK_TIMEOUT_PARAMETER,
    VTS_LIFECYCLE_BASE_URL_PARAMETER,
};
pub use vts::VTS_PATH;

use crate::platform::LocalPlatform;

/// Both simulators; clones share their state.
#[derive(Clone)]
pub struct TspSimulator {
    mdes: Arc<mdes::MdesSim>,
    vts: Arc<vts::VtsSim>,
    outbound: notify::Outbound,
}

impl Default for TspSimulator {
    fn default() -> Self {
        Self::new()
    }
}

impl TspSimulator {
    pub fn new() -> Self {
        let outbound = notify::Outbound::new();
        Self {
            mdes: Arc::new(mdes::MdesSim::new(outbound.clone())),
            vts: Arc::new(vts::VtsSim::new(outbound.clone())),
            outbound,
        }
    }

    /// Mounts both simulators and their seed step (signing key, parameters).
    pub fn mount(&self, platform: LocalPlatform) -> LocalPlatform {
        let this = self.clone();
        platform
            .extra_router(MDES_PATH, mdes::router(Arc::clone(&self.mdes)))
            .extra_router(VTS_PATH, vts::router(Arc::clone(&self.vts)))
            .seed(move |ctx| Box::pin(async move { seed::seed(ctx, &this).await }))
    }

    /// What the TMP signs Customer Service requests with (after start-up).
    pub fn mdes_signer(&self) -> Option<OAuthSigner> {
        self.mdes.gate.signer()
    }

    /// The signing key's public half, SubjectPublicKeyInfo PEM (after start-up).
    pub fn mdes_oauth_public_pem(&self) -> Option<String> {
        self.mdes.gate.public_pem()
    }

    pub fn mdes_calls(&self) -> Vec<Call> {
        self.mdes.desk.calls.all()
    }

    pub fn vts_calls(&self) -> Vec<Call> {
        self.vts.desk.calls.all()
    }

    pub fn mdes_notifications(&self) -> Vec<Notification> {
        self.mdes.desk.notifications.sent()
    }

    pub fn vts_notifications(&self) -> Vec<Notification> {
        self.vts.desk.notifications.sent()
    }

    /// `GET /_local/keys/mdes-oauth-public.pem`.
    pub fn public_pem_response(&self) -> Response {
        match self.mdes_oauth_public_pem() {
            Some(pem) => ([(header::CONTENT_TYPE, "application/x-pem-file")], pem).into_response(),
            None => (StatusCode::NOT_FOUND, "no MDES OAuth signing key yet").into_response(),
        }
    }
}
