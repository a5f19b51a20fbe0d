//! Item key formats of the token state table: one place, so that every access
//! pattern is visible at a glance.

use tmp_core::ports::RequestKey;

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1PK: &str = "gsi1pk";
pub const GSI1SK: &str = "gsi1sk";
pub const EXPIRES_AT: &str = "expires_at";

pub const HISTORY_PREFIX: &str = "HISTORY#";
pub const EVENT_PREFIX: &str = "EVENT#";
pub const DECISION_PREFIX: &str = "DECISION#";
pub const DELIVERY_PREFIX: &str = "DELIVERY#";

/// Ledger entry of one request (`MDES_REQUEST#<operation>#<requestId>`,
/// `ISSUER_REQUEST#<operation>#<client>#<Idempotency-Key>`).
pub fn request(key: &RequestKey) -> (String, String) {
    (
        format!(
            "{}_REQUEST#{}#{}",
            key.origin.as_str(),
            key.operation,
            key.request_id
        ),
        "REQUEST".to_owned(),
    )
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

/// One thing sent about the token (by kind and job or event id: a
/// redelivered message writes the same item).
pub fn delivery(token_ref: &str, kind: &str, id: &str) -> (String, String) {
    (
        token_partition(token_ref),
        format!("{DELIVERY_PREFIX}{kind}#{id}"),
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

/// The issuer's card id → the card's PAN fingerprint (written at
/// tokenization, when the issuer's Card Verification API named the card).
pub fn issuer_card(card_id: &str) -> (String, String) {
    (format!("ISSUER_CARD#{card_id}"), "CARD".to_owned())
}

/// One token of a device (the network's device id): the device's partition
/// lists its tokens.
pub fn device_token(device_id: &str, token_ref: &str) -> (String, String) {
    (format!("DEVICE#{device_id}"), format!("TOKEN#{token_ref}"))
}

/// One token of a card's last four and expiry (`MM/YY`): several cards may
/// share the pair. An entry left by a card update is ignored on read (the
/// token's own last four and expiry must match).
pub fn card_last4_token(last4: &str, expiry: &str, token_ref: &str) -> (String, String) {
    (
        format!("LAST4#{last4}#{expiry}"),
        format!("TOKEN#{token_ref}"),
    )
}

/// One token of a cardholder's phone number, by its keyed fingerprint.
pub fn phone_token(phone_fingerprint: &str, token_ref: &str) -> (String, String) {
    (
        format!("PHONE#{phone_fingerprint}"),
        format!("TOKEN#{token_ref}"),
    )
}

/// One token created on a UTC day (`yyyy-mm-dd`), in creation order.
pub fn created_token(day: &str, created_at: &str, token_ref: &str) -> (String, String) {
    (
        format!("CREATED#{day}"),
        format!("TOKEN#{created_at}#{token_ref}"),
    )
}

/// The list of tokens with an issuer action pending at their network.
pub fn pending_action(token_ref: &str) -> (String, String) {
    ("PENDING_ACTIONS".to_owned(), format!("TOKEN#{token_ref}"))
}

/// Where reconciliation's sweep over every token goes on from.
pub fn sweep_position() -> (String, String) {
    ("RECONCILIATION".to_owned(), "SWEEP".to_owned())
}

/// A job's header (bulk action or card event).
pub fn job(job_id: &str) -> (String, String) {
    (format!("JOB#{job_id}"), "JOB".to_owned())
}

/// One token's item of a job.
pub fn job_item(job_id: &str, token_ref: &str) -> (String, String) {
    (format!("JOB#{job_id}"), format!("ITEM#{token_ref}"))
}

/// Key-material table: one item per key fingerprint.
pub const KEY_MATERIAL_PK: &str = "fingerprint";
