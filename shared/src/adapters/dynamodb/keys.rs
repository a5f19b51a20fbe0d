//! Item key formats of the token state table: one place, so that every access
//! pattern is visible at a glance.

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1PK: &str = "gsi1pk";
pub const GSI1SK: &str = "gsi1sk";
pub const EXPIRES_AT: &str = "expires_at";

/// Idempotency record of one MDES request.
pub fn request(operation: &str, request_id: &str) -> (String, String) {
    (
        format!("MDES_REQUEST#{operation}#{request_id}"),
        "REQUEST".to_owned(),
    )
}

/// One authorizeService attempt for a card and token requestor.
pub fn attempt(
    pan_fingerprint: &str,
    token_requestor_id: &str,
    request_id: &str,
) -> (String, String) {
    (
        format!("VELOCITY#{pan_fingerprint}#{token_requestor_id}"),
        request_id.to_owned(),
    )
}

/// The card aggregate: live-token counter.
pub fn card(pan_fingerprint: &str) -> (String, String) {
    (format!("CARD#{pan_fingerprint}"), "CARD".to_owned())
}

/// The token itself; its decisions and history share the partition.
pub fn token(token_ref: &str) -> (String, String) {
    (format!("TOKEN#{token_ref}"), "TOKEN".to_owned())
}

pub fn decision_sk(at: &str, request_id: &str) -> String {
    format!("DECISION#{at}#{request_id}")
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
