//! Items of the token state table: how each domain record is written and read
//! (token, history line, outbox event, activation code, decision, ledger
//! entry), and the small helpers to build and read attribute maps.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tmp_core::domain::Network;
use tmp_core::domain::activation_code::{CodeSource, IssuedCode};
use tmp_core::domain::decision::{Decision, DecisionRecord};
use tmp_core::domain::events::TokenEvent;
use tmp_core::domain::token::{HistoryEntry, LifecycleState, Suspender, TokenStatus};
use tmp_core::domain::velocity::Attempt;
use tmp_core::ports::token_lifecycle::code_source_name;
use tmp_core::ports::{
    AuthorizationWrite, CardAggregate, DeviceFacts, StoreError, StoredCode, TokenAttributes,
    TokenRecord, TokenSnapshot, TokenView,
};

use super::keys::{self, GSI1PK, GSI1SK, PK, SK};

pub type Item = HashMap<String, AttributeValue>;

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn b(value: bool) -> AttributeValue {
    AttributeValue::Bool(value)
}

pub fn blob(bytes: &[u8]) -> AttributeValue {
    AttributeValue::B(Blob::new(bytes.to_vec()))
}

/// Builds an item from pairs, skipping absent optional values.
pub fn item<const N: usize>(pairs: [(&str, Option<AttributeValue>); N]) -> Item {
    pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect()
}

/// The key attributes of `(pk, sk)`.
pub fn key((pk, sk): (String, String)) -> Item {
    item([(PK, Some(s(pk))), (SK, Some(s(sk)))])
}

pub fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

pub fn get_bool(item: &Item, name: &str) -> Option<bool> {
    item.get(name).and_then(|v| v.as_bool().ok()).copied()
}

pub fn get_blob(item: &Item, name: &str) -> Option<Vec<u8>> {
    item.get(name)
        .and_then(|v| v.as_b().ok())
        .map(|b| b.as_ref().to_vec())
}

pub fn get_n(item: &Item, name: &str) -> Result<Option<u64>, StoreError> {
    match item.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_n()
            .ok()
            .and_then(|n| n.parse().ok())
            .map(Some)
            .ok_or_else(|| StoreError::Corrupt(format!("attribute {name} is not a number"))),
    }
}

pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

fn parse_time(value: Option<&str>) -> Option<OffsetDateTime> {
    value.and_then(|v| OffsetDateTime::parse(v, &Rfc3339).ok())
}

/// Epoch seconds, the format DynamoDB TTL reads.
pub fn epoch(at: OffsetDateTime) -> AttributeValue {
    n(at.unix_timestamp())
}

pub fn unavailable<E: std::error::Error + Send + Sync + 'static>(err: E) -> StoreError {
    StoreError::Unavailable(Box::new(err))
}

pub fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

pub fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A builder's result, or the store error it means (a bug, never input).
pub fn built<T, E: std::fmt::Display>(built: Result<T, E>) -> Result<T, StoreError> {
    built.map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A transaction item that puts `item`, optionally under a condition.
pub fn put(
    table: &str,
    item: Item,
    condition: Option<&str>,
    values: &[(&str, AttributeValue)],
) -> Result<TransactWriteItem, StoreError> {
    let mut put = Put::builder().table_name(table).set_item(Some(item));
    if let Some(condition) = condition {
        put = put.condition_expression(condition);
    }
    for (name, value) in values {
        put = put.expression_attribute_values(*name, value.clone());
    }
    Ok(TransactWriteItem::builder()
        .put(built(put.build())?)
        .build())
}

pub fn update(update: Update) -> TransactWriteItem {
    TransactWriteItem::builder().update(update).build()
}

/// A transaction item that deletes the item at `key` (whether it exists or not).
pub fn delete(table: &str, key: Item) -> Result<TransactWriteItem, StoreError> {
    let delete = Delete::builder().table_name(table).set_key(Some(key));
    Ok(TransactWriteItem::builder()
        .delete(built(delete.build())?)
        .build())
}

/// The pending-action list entry of a token.
pub fn pending_entry(token_ref: &str, at: &str) -> Item {
    let mut entry = key(keys::pending_action(token_ref));
    entry.extend(item([
        ("token_unique_reference", Some(s(token_ref))),
        ("created_at", Some(s(at))),
    ]));
    entry
}

// --- token -----------------------------------------------------------------

/// The token attributes a message may set, by column name.
pub fn attribute_columns(a: &TokenAttributes) -> Vec<(&'static str, &str)> {
    [
        ("activated_at", &a.activated_at),
        ("token_requestor_id", &a.token_requestor_id),
        ("token_type", &a.token_type),
        ("token_last4", &a.token_last4),
        ("token_fingerprint", &a.token_fingerprint),
        ("token_expiry", &a.token_expiry),
        ("wallet_id", &a.wallet_id),
        ("payment_app_instance_id", &a.payment_app_instance_id),
        ("device_name", &a.device_name),
        ("device_type", &a.device_type),
        ("device_os", &a.device_os),
        ("language", &a.language),
        ("decision_made_by", &a.decision_made_by),
        ("pan_last4", &a.pan_last4),
        ("pan_expiry", &a.pan_expiry),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
    .collect()
}

/// A token first seen in a lifecycle message.
pub fn new_token_item(
    token_ref: &str,
    network: Network,
    state: &LifecycleState,
    pan_fingerprint: Option<&str>,
    attributes: &TokenAttributes,
    now: OffsetDateTime,
) -> Result<Item, StoreError> {
    let mut token = key(keys::token(token_ref));
    token.extend(item([
        ("token_unique_reference", Some(s(token_ref))),
        ("network", Some(s(network.as_str()))),
        ("status", Some(s(state.status.as_str()))),
        ("live", Some(b(state.status.is_live()))),
        ("suspenders", Some(s(json(&state.suspenders)?))),
        ("last_event_at", state.last_event_at.map(|t| s(rfc3339(t)))),
        ("pan_fingerprint", pan_fingerprint.map(s)),
        ("version", Some(n(1))),
        ("created_at", Some(s(rfc3339(now)))),
        ("updated_at", Some(s(rfc3339(now)))),
    ]));
    // Listed among its card's tokens, like a token we authorized.
    if let Some(fingerprint) = pan_fingerprint {
        let (gpk, gsk) = keys::card_tokens_index(fingerprint, &rfc3339(now), token_ref);
        token.insert(GSI1PK.to_owned(), s(gpk));
        token.insert(GSI1SK.to_owned(), s(gsk));
    }
    for (name, value) in attribute_columns(attributes) {
        token.insert(name.to_owned(), s(value));
    }
    Ok(token)
}

/// The token an authorization decision creates (or re-authorizes).
pub fn authorized_token_item(w: &AuthorizationWrite, at: &str) -> Item {
    let approved = w.record.decision != Decision::Declined;
    let live = approved || w.existing.as_ref().is_some_and(|t| t.live);
    let status = if live {
        TokenStatus::Inactive
    } else {
        TokenStatus::Declined
    };
    let mut token = key(keys::token(&w.token_ref));
    let (gpk, gsk) = keys::card_tokens_index(&w.pan_fingerprint, at, &w.token_ref);
    token.extend(item([
        (GSI1PK, Some(s(gpk))),
        (GSI1SK, Some(s(gsk))),
        ("network", Some(s(w.network.as_str()))),
        ("token_unique_reference", Some(s(&w.token_ref))),
        (
            "pan_unique_reference",
            w.pan_unique_reference.as_deref().map(s),
        ),
        ("pan_fingerprint", Some(s(&w.pan_fingerprint))),
        ("pan_last4", Some(s(&w.pan_last4))),
        ("pan_expiry", w.pan_expiry.as_deref().map(s)),
        (ISSUER_CARD_ID, w.issuer_card_id.as_deref().map(s)),
        ("token_requestor_id", w.token_requestor_id.as_deref().map(s)),
        ("wallet_id", w.wallet_id.as_deref().map(s)),
        (
            "payment_app_instance_id",
            w.payment_app_instance_id.as_deref().map(s),
        ),
        ("correlation_id", Some(s(&w.correlation_id))),
        ("token_type", Some(s(&w.token_type))),
        ("device_name", w.device_name.as_deref().map(s)),
        ("device_type", w.device_type.as_deref().map(s)),
        ("device_os", w.device_os.as_deref().map(s)),
        ("status", Some(s(status.as_str()))),
        (
            "authorization_decision",
            Some(s(decision_name(w.record.decision))),
        ),
        ("live", Some(b(live))),
        ("suspenders", Some(s("[]"))),
        ("version", Some(n(1))),
        (
            CONTACT_CIPHERTEXT,
            w.contact_ciphertext.as_deref().map(blob),
        ),
        ("created_at", Some(s(at))),
        ("updated_at", Some(s(at))),
    ]));
    token
}

/// Token-item attribute holding the issuer's card id.
pub const ISSUER_CARD_ID: &str = "issuer_card_id";

/// The device's list entry of a token (when the device is known).
pub fn device_index_item(token_ref: &str, device_id: Option<&str>, at: &str) -> Option<Item> {
    let device_id = device_id?;
    let mut entry = key(keys::device_token(device_id, token_ref));
    entry.extend(item([
        ("token_unique_reference", Some(s(token_ref))),
        ("created_at", Some(s(at))),
    ]));
    Some(entry)
}

/// A search-index entry: which token, and when it was created.
fn index_entry((pk, sk): (String, String), token_ref: &str, at: &str) -> Item {
    let mut entry = key((pk, sk));
    entry.extend(item([
        ("token_unique_reference", Some(s(token_ref))),
        ("created_at", Some(s(at))),
    ]));
    entry
}

/// The entries that let customer service find a token created now: by its
/// card's last four and expiry, by the cardholder's phone (keyed
/// fingerprint) and by its creation day.
pub fn search_index_items(
    token_ref: &str,
    at: &str,
    day: &str,
    card: Option<(&str, &str)>,
    phone_fingerprint: Option<&str>,
) -> Vec<Item> {
    let mut entries = vec![index_entry(
        keys::created_token(day, at, token_ref),
        token_ref,
        at,
    )];
    if let Some((last4, expiry)) = card {
        entries.push(index_entry(
            keys::card_last4_token(last4, expiry, token_ref),
            token_ref,
            at,
        ));
    }
    if let Some(fingerprint) = phone_fingerprint {
        entries.push(index_entry(
            keys::phone_token(fingerprint, token_ref),
            token_ref,
            at,
        ));
    }
    entries
}

/// The card's last-four entry of a token whose card changed.
pub fn card_last4_item(token_ref: &str, last4: &str, expiry: &str, at: &str) -> Item {
    index_entry(
        keys::card_last4_token(last4, expiry, token_ref),
        token_ref,
        at,
    )
}

/// The UTC day (`yyyy-mm-dd`) of an instant.
pub fn utc_day(at: OffsetDateTime) -> String {
    let date = at.to_offset(time::UtcOffset::UTC).date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The issuer's card id names the card (an update: the cards it replaced,
/// remembered by a card update, stay).
pub fn issuer_card_alias(
    table: &str,
    card_id: &str,
    pan_fingerprint: &str,
    at: &str,
) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, StoreError> {
    let alias = aws_sdk_dynamodb::types::Update::builder()
        .table_name(table)
        .set_key(Some(key(keys::issuer_card(card_id))))
        .update_expression("SET pan_fingerprint = :fp, updated_at = :at")
        .expression_attribute_values(":fp", s(pan_fingerprint))
        .expression_attribute_values(":at", s(at))
        .build();
    Ok(update(built(alias)?))
}

/// A token item read for the issuer: the record and what it shows beyond it.
pub fn token_view(
    token: &Item,
    history: Vec<HistoryEntry>,
    decision: Option<DecisionRecord>,
) -> Result<TokenView, StoreError> {
    let token_ref = get_s(token, "token_unique_reference")
        .or_else(|| get_s(token, PK).and_then(|pk| pk.strip_prefix("TOKEN#")))
        .ok_or_else(|| corrupt("token reference"))?;
    let text = |name: &str| get_s(token, name).map(str::to_owned);
    Ok(TokenView {
        record: token_record(token_ref, token)?,
        issuer_card_id: text(ISSUER_CARD_ID),
        device: DeviceFacts {
            device_id: text("payment_app_instance_id"),
            name: text("device_name"),
            kind: text("device_type"),
            os: text("device_os"),
        },
        created_at: parse_time(get_s(token, "created_at")),
        updated_at: parse_time(get_s(token, "updated_at")),
        history,
        decision,
        deliveries: Vec::new(),
    })
}

/// Token-item attribute holding an issuer action the network has not
/// confirmed (JSON of `PendingAction`).
pub const PENDING_ACTION: &str = "pending_action";

/// Token-item attribute holding the sealed contact details JSON.
pub const CONTACT_CIPHERTEXT: &str = "contact_ciphertext";

pub fn token_record(token_ref: &str, token: &Item) -> Result<TokenRecord, StoreError> {
    let status = get_s(token, "status")
        .and_then(TokenStatus::parse)
        .ok_or_else(|| corrupt("token status"))?;
    let suspenders: BTreeSet<Suspender> = match get_s(token, "suspenders") {
        Some(raw) => serde_json::from_str(raw).map_err(|_| corrupt("token suspenders"))?,
        None => BTreeSet::new(),
    };
    Ok(TokenRecord {
        token_ref: token_ref.to_owned(),
        // Tokens written before networks were recorded are Mastercard's.
        network: get_s(token, "network")
            .and_then(Network::parse)
            .unwrap_or(Network::Mastercard),
        state: LifecycleState {
            status,
            suspenders,
            last_event_at: parse_time(get_s(token, "last_event_at")),
        },
        version: get_n(token, "version")?.unwrap_or(0),
        pan_fingerprint: get_s(token, "pan_fingerprint").map(str::to_owned),
        pan_last4: get_s(token, "pan_last4").map(str::to_owned),
        pan_expiry: get_s(token, "pan_expiry").map(str::to_owned),
        pan_unique_reference: get_s(token, "pan_unique_reference").map(str::to_owned),
        token_requestor_id: get_s(token, "token_requestor_id").map(str::to_owned),
        wallet_id: get_s(token, "wallet_id").map(str::to_owned),
        has_contact: token.contains_key(CONTACT_CIPHERTEXT),
        language: get_s(token, "language").map(str::to_owned),
        authorization_decision: match get_s(token, "authorization_decision") {
            Some("APPROVED") => Some(Decision::Approved),
            Some("REQUIRE_ADDITIONAL_AUTHENTICATION") => {
                Some(Decision::RequireAdditionalAuthentication)
            }
            Some("DECLINED") => Some(Decision::Declined),
            _ => None,
        },
        pending: match get_s(token, PENDING_ACTION) {
            Some(raw) => Some(serde_json::from_str(raw).map_err(|_| corrupt("pending action"))?),
            None => None,
        },
    })
}

/// What an authorization needs of a token item.
pub fn token_snapshot(token: &Item) -> Result<TokenSnapshot, StoreError> {
    Ok(TokenSnapshot {
        status: get_s(token, "status")
            .and_then(TokenStatus::parse)
            .ok_or_else(|| corrupt("token status"))?,
        live: get_bool(token, "live").unwrap_or(false),
        pan_fingerprint: get_s(token, "pan_fingerprint").map(str::to_owned),
        suspenders: match get_s(token, "suspenders") {
            Some(raw) => serde_json::from_str(raw).map_err(|_| corrupt("token suspenders"))?,
            None => BTreeSet::new(),
        },
    })
}

// --- card aggregate ------------------------------------------------------------

pub fn attempts_json(attempts: &[Attempt]) -> Result<String, StoreError> {
    json(&attempts)
}

/// The card aggregate item (`CARD#<fingerprint>`); absent attributes mean none yet.
pub fn card_aggregate(card: &Item) -> Result<CardAggregate, StoreError> {
    let attempts = match get_s(card, "attempts") {
        Some(raw) => serde_json::from_str(raw).map_err(|_| corrupt("card attempts"))?,
        None => Vec::new(),
    };
    let live = get_n(card, "live_tokens")?.unwrap_or(0);
    Ok(CardAggregate {
        version: get_n(card, "version")?.unwrap_or(0),
        live_tokens: u32::try_from(live).unwrap_or(u32::MAX),
        attempts,
    })
}

// --- history, outbox, decision -----------------------------------------------

pub fn history_item(token_ref: &str, entry: &HistoryEntry, at: &str) -> Result<Item, StoreError> {
    let mut history = key(keys::history(token_ref, at, &entry.source_request_id));
    history.extend(item([
        ("entry", Some(s(json(entry)?))),
        ("to_status", Some(s(entry.to.as_str()))),
        ("applied", Some(b(entry.applied))),
        ("created_at", Some(s(at))),
    ]));
    Ok(history)
}

pub fn history_entry(item: &Item) -> Result<HistoryEntry, StoreError> {
    get_s(item, "entry")
        .and_then(|e| serde_json::from_str(e).ok())
        .ok_or_else(|| corrupt("history entry"))
}

pub fn outbox_item(token_ref: &str, event: &TokenEvent, at: &str) -> Result<Item, StoreError> {
    let mut outbox = key(keys::event(token_ref, &event.event_id));
    outbox.extend(item([
        ("event", Some(s(json(event)?))),
        ("published", Some(b(false))),
        ("created_at", Some(s(at))),
    ]));
    Ok(outbox)
}

pub fn decision_item(w: &AuthorizationWrite, at: &str) -> Result<Item, StoreError> {
    let mut decision = key(keys::decision(&w.token_ref, at, &w.answer.key.request_id));
    decision.extend(item([
        ("request_id", Some(s(&w.answer.key.request_id))),
        ("correlation_id", Some(s(&w.correlation_id))),
        ("decision", Some(s(decision_name(w.record.decision)))),
        ("decided_by", Some(s(wire_name(&w.record.decided_by)))),
        ("explanation", Some(s(json(&w.record)?))),
        ("issuer_card_id", w.issuer_card_id.as_deref().map(s)),
        ("product_category", w.product_category.as_deref().map(s)),
        // What the reports count it by (read from the table's stream).
        ("network", Some(s(w.network.as_str()))),
        ("token_requestor_id", w.token_requestor_id.as_deref().map(s)),
        ("wallet_id", w.wallet_id.as_deref().map(s)),
        ("path", Some(s(w.path.as_str()))),
        ("created_at", Some(s(at))),
    ]));
    Ok(decision)
}

fn decision_name(decision: Decision) -> &'static str {
    match decision {
        Decision::Approved => "APPROVED",
        Decision::RequireAdditionalAuthentication => "REQUIRE_ADDITIONAL_AUTHENTICATION",
        Decision::Declined => "DECLINED",
    }
}

fn wire_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

// --- activation code ---------------------------------------------------------

pub fn code_item(token_ref: &str, code: &StoredCode, now: OffsetDateTime) -> Item {
    let mut record = key(keys::activation_code(token_ref));
    record.extend(item([
        ("mac", Some(s(&code.issued.mac))),
        ("expires_at", Some(epoch(code.issued.expires_at))),
        ("expires_at_text", Some(s(rfc3339(code.issued.expires_at)))),
        ("attempts", Some(n(0))),
        ("max_attempts", Some(n(code.issued.max_attempts))),
        ("sends", Some(n(code.issued.sends))),
        ("generation", Some(n(code.issued.generation))),
        ("used", Some(b(false))),
        ("source", Some(s(code_source_name(code.issued.source)))),
        ("ciphertext", Some(blob(&code.ciphertext))),
        ("issued_at", Some(s(rfc3339(now)))),
    ]));
    record
}

pub fn stored_code(code: &Item) -> Result<StoredCode, StoreError> {
    let source = match get_s(code, "source") {
        Some("NETWORK") => CodeSource::Network,
        _ => CodeSource::Issuer,
    };
    let expires = get_n(code, "expires_at")?.ok_or_else(|| corrupt("code expiry"))?;
    Ok(StoredCode {
        issued: IssuedCode {
            mac: get_s(code, "mac")
                .ok_or_else(|| corrupt("code mac"))?
                .to_owned(),
            expires_at: OffsetDateTime::from_unix_timestamp(
                i64::try_from(expires).unwrap_or(i64::MAX),
            )
            .map_err(|_| corrupt("code expiry"))?,
            attempts: u32::try_from(get_n(code, "attempts")?.unwrap_or(0)).unwrap_or(u32::MAX),
            max_attempts: u32::try_from(get_n(code, "max_attempts")?.unwrap_or(0)).unwrap_or(0),
            used: get_bool(code, "used").unwrap_or(false),
            source,
            // Codes stored before sends were counted: sent once, the first code.
            sends: u32::try_from(get_n(code, "sends")?.unwrap_or(1)).unwrap_or(u32::MAX),
            generation: u32::try_from(get_n(code, "generation")?.unwrap_or(1)).unwrap_or(u32::MAX),
        },
        ciphertext: get_blob(code, "ciphertext").unwrap_or_default(),
    })
}
