//! [`DeliveryLog`] on the token state table: `DELIVERY#<kind>#<id>` items in
//! the token's partition (kind, channel, time, result, event type; never a
//! code, a text or an address), read with the token page's one Query.

use async_trait::async_trait;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tmp_core::domain::delivery_log::{DeliveryKind, DeliveryRecord, DeliveryResult, LoggedChannel};
use tmp_core::ports::{DeliveryLog, StoreError};

use super::TokenStateTable;
use super::codec::{Item, get_s, item, key, rfc3339, s, unavailable};
use super::keys;

fn wire<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse<T: serde::de::DeserializeOwned>(value: Option<&str>) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value?.to_owned())).ok()
}

/// A delivery item of the token's partition, read back (`None`: not one we
/// can show, skipped).
pub fn delivery_record(entry: &Item) -> Option<DeliveryRecord> {
    Some(DeliveryRecord {
        id: get_s(entry, "delivery_id")?.to_owned(),
        kind: parse::<DeliveryKind>(get_s(entry, "kind"))?,
        channel: parse::<LoggedChannel>(get_s(entry, "channel"))?,
        at: OffsetDateTime::parse(get_s(entry, "at")?, &Rfc3339).ok()?,
        result: parse::<DeliveryResult>(get_s(entry, "result"))?,
        event_type: parse(get_s(entry, "event_type")),
    })
}

#[async_trait]
impl DeliveryLog for TokenStateTable {
    async fn record(&self, token_ref: &str, r: &DeliveryRecord) -> Result<(), StoreError> {
        let mut entry = key(keys::delivery(token_ref, &wire(&r.kind), &r.id));
        entry.extend(item([
            ("delivery_id", Some(s(&r.id))),
            ("kind", Some(s(wire(&r.kind)))),
            ("channel", Some(s(wire(&r.channel)))),
            ("at", Some(s(rfc3339(r.at)))),
            ("result", Some(s(wire(&r.result)))),
            ("event_type", r.event_type.as_ref().map(|e| s(wire(e)))),
        ]));
        // Only on a token we hold: a notice about an unknown token is not kept.
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(entry))
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        Ok(())
    }
}
