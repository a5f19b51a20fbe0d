//! Item key formats of the token state table: one place, so that every access
//! pattern is visible at a glance.

use tmp_core::domain::Network;
use tmp_core::ports::RequestKey;

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1PK: &str = "gsi1pk";
pub const GSI1SK: &str = "gsi1sk";
pub const EXPIRES_AT: &str = "expires_at";

pub const HISTORY_PREFIX: &str = "HISTORY#";
pub const EVENT_PREFIX: &str = "EVENT#";

/// Ledger entry of one network message (`MDES_REQUEST#<operation>#<requestId>`).
pub fn request(key: &RequestKey) -> (String, String) {
    (
        format!(
            "{}_REQUEST#{}#{}",
            ledger_prefix(key.network),
            key.operation,
            key.request_id
        ),
        "REQUEST".to_owned(),
    )
}

fn ledger_prefix(network: Network) -> &'static str {
    network.as_str()
}

/// The card aggregate: live-token counter, recent attempts, version.
pub fn card(pan_fingerprint: &str) -> (String, String) {
    (format!("CARD#{pan_fingerprint}"), "CARD".to_owned())
}

/// The token itself; its decisions, history, outbox and code share the partition.
pub fn token(token_ref: &str) -> (String, String) {
    (token_partition(token_ref), "TOKEN".to_owned())
}

pub fn token_partition(token_ref: &str) -> String {
    format!("TOKEN#{token_ref}")
}

pub fn decision(token_ref: &str, at: &str, request_id: &str) -> (String, String) {
    (
        token_partition(token_ref),
        format!("DECISION#{at}#{request_id}"),
    )
}

/// A history line, in arrival order.
pub fn history(token_ref: &str, at: &str, request_id: &str) -> (String, String) {
    (
        token_partition(token_ref),
        format!("{HISTORY_PREFIX}{at}#{request_id}"),
    )
}

/// An outbox event.
pub fn event(token_ref: &str, event_id: &str) -> (String, String) {
    (
        token_partition(token_ref),
        format!("{EVENT_PREFIX}{event_id}"),
    )
}

/// The token's activation code in force.
pub fn activation_code(token_ref: &str) -> (String, String) {
    (token_partition(token_ref), "ACTIVATION_CODE".to_owned())
}

/// gsi1: a card's tokens, newest last.
pub fn card_tokens_index(
    pan_fingerprint: &str,
    created_at: &str,
    token_ref: &str,
) -> (String, String) {
    (
        format!("CARD#{pan_fingerprint}"),
        format!("TOKEN#{created_at}#{token_ref}"),
    )
}

/// Key-material table: one item per key fingerprint.
pub const KEY_MATERIAL_PK: &str = "fingerprint";
