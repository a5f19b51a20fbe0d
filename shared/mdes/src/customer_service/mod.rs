//! MDES Customer Service API (Mastercard's "MDES Customer Service" 2.0.7;
//! our statement of the part we call: `api/mdes-customer-service.openapi.yaml`): the calls the TMP
//! makes to MDES to manage tokens. Types carry the spec's names: PascalCase
//! fields, each body wrapped in its root element (`TokenSuspendRequestSchema`
//! is `{"TokenSuspendRequest": {…}}`). Requests are signed with
//! [`crate::oauth1`]; answers are read with [`read_answer`].

pub mod activate;
pub mod audit;
pub mod delete;
pub mod error;
mod flag;
pub mod search;
pub mod status_history;
pub mod suspend;
pub mod token;
pub mod transactions;
pub mod unsuspend;
pub mod update;

pub use audit::AuditInfo;
pub use error::{CsError, ErrorsResponse, read_answer};

/// Production base URL (the YAML's only server).
pub const BASE_URL: &str = "https://api.mastercard.com/mdes/csapi/v2";

/// One Customer Service operation: its path under [`BASE_URL`] and answer.
pub trait CsOperation: serde::Serialize {
    const PATH: &'static str;
    type Response: serde::de::DeserializeOwned;
}

/// Implements [`CsOperation`] for an envelope.
macro_rules! operation {
    ($request:ty, $path:literal, $response:ty) => {
        impl $crate::customer_service::CsOperation for $request {
            const PATH: &'static str = $path;
            type Response = $response;
        }
    };
}
pub(crate) use operation;
