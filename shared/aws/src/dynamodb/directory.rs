//! [`TokenDirectory`] on the token state table.
//! - One token: one strongly consistent Query of its partition (token item,
//!   decisions, history).
//! - A card's tokens: a Query of gsi1 (`CARD#<fingerprint>`); by the issuer's
//!   card id through its `ISSUER_CARD#<cardId>` item first; a device's through
//!   its `DEVICE#<deviceId>` partition and one BatchGetItem.
//! - Pending actions: a conditional update of the token item.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::{Date, OffsetDateTime};
use tmp_core::domain::action::PendingAction;
use tmp_core::domain::decision::DecisionRecord;
use tmp_core::ports::{
    PageRequest, ReconciliationSweep, RequestCompletion, SaveError, SearchError, StoreError,
    TokenDirectory, TokenFilter, TokenPage, TokenQuery, TokenView,
};

use super::TokenStateTable;
use super::codec::{
    Item, PENDING_ACTION, built, delete, get_s, history_entry, item, json, key, n, pending_entry,
    put, rfc3339, s, token_view, unavailable, update,
};
use super::keys::{self, GSI1PK, GSI1SK, HISTORY_PREFIX, PK, SK};
use super::ledger::completion;

/// The most deliveries a token page shows (newest first).
const MAX_DELIVERIES: usize = 200;

/// Cursor format version: a cursor names the last item of its page, as
/// `c1` and the base64url of its key parts (the contract's cursor alphabet).
const CURSOR_V1: &str = "c1";

fn encode_cursor(parts: &[&str]) -> String {
    format!("{CURSOR_V1}{}", URL_SAFE_NO_PAD.encode(parts.join("\n")))
}

/// The parts of a cursor we produced; anything else is refused.
fn decode_cursor(cursor: &str, parts: usize) -> Result<Vec<String>, SearchError> {
    let decoded = cursor
        .strip_prefix(CURSOR_V1)
        .and_then(|b64| URL_SAFE_NO_PAD.decode(b64).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(SearchError::BadCursor)?;
    let decoded: Vec<String> = decoded.split('\n').map(str::to_owned).collect();
    if decoded.len() == parts
        && decoded
            .iter()
            .all(|p| p.starts_with("TOKEN#") && p.len() <= 160)
    {
        Ok(decoded)
    } else {
        Err(SearchError::BadCursor)
    }
}

/// Page size per Query: enough for a page after filtering, bounded.
fn query_limit(page: &PageRequest) -> i32 {
    i32::try_from(page.limit.saturating_add(1).min(101)).unwrap_or(101)
}

/// The cards a card id names: the current one first, then those it
/// replaced (their tokens a network did not move are still the card's).
fn alias_fingerprints(alias: &Item) -> Vec<String> {
    let mut previous = match alias.get("previous_pan_fingerprints") {
        Some(AttributeValue::Ss(set)) => set.clone(),
        _ => Vec::new(),
    };
    previous.sort_unstable();
    get_s(alias, "pan_fingerprint")
        .map(str::to_owned)
        .into_iter()
        .chain(previous)
        .collect()
}

/// A card id's cursor: which of its cards, and the cursor within it.
const CARDS_CURSOR_V1: &str = "k1";

fn encode_cards_cursor(index: usize, inner: Option<&str>) -> String {
    format!(
        "{CARDS_CURSOR_V1}{}",
        URL_SAFE_NO_PAD.encode(format!("{index}\n{}", inner.unwrap_or_default()))
    )
}

fn decode_cards_cursor(cursor: &str, cards: usize) -> Result<(usize, Option<String>), SearchError> {
    let decoded = cursor
        .strip_prefix(CARDS_CURSOR_V1)
        .filter(|b64| b64.len() <= 1024)
        .and_then(|b64| URL_SAFE_NO_PAD.decode(b64).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(SearchError::BadCursor)?;
    let (index, inner) = decoded.split_once('\n').ok_or(SearchError::BadCursor)?;
    let index: usize = index.parse().map_err(|_| SearchError::BadCursor)?;
    if index >= cards {
        return Err(SearchError::BadCursor);
    }
    Ok((index, (!inner.is_empty()).then(|| inner.to_owned())))
}

impl TokenStateTable {
    /// The tokens of several cards (a card id's current and replaced
    /// cards), one after the other, one page.
    async fn cards_tokens(
        &self,
        fingerprints: &[String],
        filter: &TokenFilter,
        page: &PageRequest,
    ) -> Result<TokenPage, SearchError> {
        let (mut index, mut cursor) = match &page.cursor {
            None => (0, None),
            Some(cursor) => decode_cards_cursor(cursor, fingerprints.len())?,
        };
        let mut tokens = Vec::new();
        while let Some(fingerprint) = fingerprints.get(index) {
            let remaining = page
                .limit
                .saturating_sub(u32::try_from(tokens.len()).unwrap_or(u32::MAX));
            let inner = self
                .card_tokens(
                    fingerprint,
                    filter,
                    &PageRequest {
                        limit: remaining,
                        cursor: cursor.take(),
                    },
                )
                .await?;
            tokens.extend(inner.tokens);
            if let Some(next) = inner.next_cursor {
                return Ok(TokenPage {
                    tokens,
                    next_cursor: Some(encode_cards_cursor(index, Some(&next))),
                });
            }
            index += 1;
            if u32::try_from(tokens.len()).unwrap_or(u32::MAX) >= page.limit {
                let next_cursor =
                    (index < fingerprints.len()).then(|| encode_cards_cursor(index, None));
                return Ok(TokenPage {
                    tokens,
                    next_cursor,
                });
            }
        }
        Ok(TokenPage {
            tokens,
            next_cursor: None,
        })
    }

    /// A card's tokens from gsi1, filtered, one page.
    async fn card_tokens(
        &self,
        pan_fingerprint: &str,
        filter: &TokenFilter,
        page: &PageRequest,
    ) -> Result<TokenPage, SearchError> {
        let (gpk, _) = keys::card_tokens_index(pan_fingerprint, "", "");
        let mut start = match &page.cursor {
            None => None,
            Some(cursor) => {
                let mut parts = decode_cursor(cursor, 2)?.into_iter();
                let (Some(gsk), Some(pk)) = (parts.next(), parts.next()) else {
                    return Err(SearchError::BadCursor);
                };
                Some(Item::from([
                    (GSI1PK.to_owned(), s(&gpk)),
                    (GSI1SK.to_owned(), s(gsk)),
                    (PK.to_owned(), s(pk)),
                    (SK.to_owned(), s("TOKEN")),
                ]))
            }
        };
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let mut tokens = Vec::new();
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("gsi1")
                .key_condition_expression("gsi1pk = :pk AND begins_with(gsi1sk, :prefix)")
                .expression_attribute_values(":pk", s(&gpk))
                .expression_attribute_values(":prefix", s("TOKEN#"))
                .limit(query_limit(page))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| SearchError::Store(unavailable(e.into_service_error())))?;
            let items = out.items.unwrap_or_default();
            let more = out.last_evaluated_key.is_some();
            for (i, item) in items.iter().enumerate() {
                let view = token_view(item, Vec::new(), None)?;
                if !filter.admits(&view) {
                    continue;
                }
                tokens.push(view);
                if tokens.len() == limit {
                    let rest = i + 1 < items.len() || more;
                    let next_cursor = rest
                        .then(|| Some(encode_cursor(&[get_s(item, GSI1SK)?, get_s(item, PK)?])))
                        .flatten();
                    return Ok(TokenPage {
                        tokens,
                        next_cursor,
                    });
                }
            }
            match out.last_evaluated_key {
                Some(key) => start = Some(key),
                None => {
                    return Ok(TokenPage {
                        tokens,
                        next_cursor: None,
                    });
                }
            }
        }
    }

    /// The tokens an index partition lists (a device's, a card's last four
    /// and expiry, a phone's, a day's): one Query page of entries, then the
    /// tokens in one batch; `matches` drops entries a change left behind.
    async fn index_tokens(
        &self,
        pk: &str,
        newest_first: bool,
        matches: &(dyn Fn(&TokenView) -> bool + Sync),
        filter: &TokenFilter,
        page: &PageRequest,
    ) -> Result<TokenPage, SearchError> {
        let mut start = match &page.cursor {
            None => None,
            Some(cursor) => {
                let sk = decode_cursor(cursor, 1)?
                    .pop()
                    .ok_or(SearchError::BadCursor)?;
                Some(Item::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))]))
            }
        };
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let mut tokens = Vec::new();
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", s(pk))
                .expression_attribute_values(":prefix", s("TOKEN#"))
                .consistent_read(true)
                .scan_index_forward(!newest_first)
                .limit(query_limit(page))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| SearchError::Store(unavailable(e.into_service_error())))?;
            let entries = out.items.unwrap_or_default();
            let refs: Vec<(String, String)> = entries
                .iter()
                .filter_map(|e| {
                    Some((
                        get_s(e, "token_unique_reference")?.to_owned(),
                        get_s(e, SK)?.to_owned(),
                    ))
                })
                .collect();
            let found = self
                .batch_get(
                    refs.iter().map(|(r, _)| key(keys::token(r))).collect(),
                    None,
                )
                .await?;
            let more = out.last_evaluated_key.is_some();
            for (i, (token_ref, sk)) in refs.iter().enumerate() {
                let Some(item) = found
                    .iter()
                    .find(|t| get_s(t, "token_unique_reference") == Some(token_ref.as_str()))
                else {
                    continue;
                };
                let view = token_view(item, Vec::new(), None)?;
                if !matches(&view) || !filter.admits(&view) {
                    continue;
                }
                tokens.push(view);
                if tokens.len() == limit {
                    let rest = i + 1 < refs.len() || more;
                    return Ok(TokenPage {
                        tokens,
                        next_cursor: rest.then(|| encode_cursor(&[sk])),
                    });
                }
            }
            match out.last_evaluated_key {
                Some(key) => start = Some(key),
                None => {
                    return Ok(TokenPage {
                        tokens,
                        next_cursor: None,
                    });
                }
            }
        }
    }

    /// The tokens created from `from` to `to`, newest day first: each day's
    /// partition in turn, one page across them.
    async fn created_tokens(
        &self,
        from: Date,
        to: Date,
        filter: &TokenFilter,
        page: &PageRequest,
    ) -> Result<TokenPage, SearchError> {
        let (mut day, mut cursor) = match &page.cursor {
            None => (to, None),
            Some(cursor) => decode_day_cursor(cursor, from, to)?,
        };
        let mut tokens = Vec::new();
        loop {
            let remaining = page
                .limit
                .saturating_sub(u32::try_from(tokens.len()).unwrap_or(u32::MAX));
            let (pk, _) = keys::created_token(&day_key(day), "", "");
            let inner = self
                .index_tokens(
                    &pk,
                    true,
                    &|_| true,
                    filter,
                    &PageRequest {
                        limit: remaining,
                        cursor: cursor.take(),
                    },
                )
                .await?;
            tokens.extend(inner.tokens);
            if let Some(next) = inner.next_cursor {
                return Ok(TokenPage {
                    tokens,
                    next_cursor: Some(encode_day_cursor(day, Some(&next))),
                });
            }
            let previous = day.previous_day().filter(|d| *d >= from);
            if u32::try_from(tokens.len()).unwrap_or(u32::MAX) >= page.limit {
                return Ok(TokenPage {
                    tokens,
                    next_cursor: previous.map(|d| encode_day_cursor(d, None)),
                });
            }
            match previous {
                Some(d) => day = d,
                None => {
                    return Ok(TokenPage {
                        tokens,
                        next_cursor: None,
                    });
                }
            }
        }
    }
}

/// `yyyy-mm-dd`.
fn day_key(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// A date range's cursor: which day, and the cursor within it.
const DAYS_CURSOR_V1: &str = "d1";

fn encode_day_cursor(day: Date, inner: Option<&str>) -> String {
    format!(
        "{DAYS_CURSOR_V1}{}",
        URL_SAFE_NO_PAD.encode(format!("{}\n{}", day_key(day), inner.unwrap_or_default()))
    )
}

fn decode_day_cursor(
    cursor: &str,
    from: Date,
    to: Date,
) -> Result<(Date, Option<String>), SearchError> {
    let decoded = cursor
        .strip_prefix(DAYS_CURSOR_V1)
        .filter(|b64| b64.len() <= 1024)
        .and_then(|b64| URL_SAFE_NO_PAD.decode(b64).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(SearchError::BadCursor)?;
    let (day, inner) = decoded.split_once('\n').ok_or(SearchError::BadCursor)?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = Date::parse(day, format).map_err(|_| SearchError::BadCursor)?;
    if day < from || day > to {
        return Err(SearchError::BadCursor);
    }
    Ok((day, (!inner.is_empty()).then(|| inner.to_owned())))
}

#[async_trait]
impl TokenDirectory for TokenStateTable {
    async fn token_view(&self, token_ref: &str) -> Result<Option<TokenView>, StoreError> {
        let items = self
            .partition(&keys::token_partition(token_ref), "")
            .await?;
        let Some(token) = items.iter().find(|i| get_s(i, SK) == Some("TOKEN")) else {
            return Ok(None);
        };
        let history = items
            .iter()
            .filter(|i| get_s(i, SK).is_some_and(|sk| sk.starts_with(HISTORY_PREFIX)))
            .map(history_entry)
            .collect::<Result<Vec<_>, _>>()?;
        // The newest decision (sort keys are DECISION#<rfc3339>#<requestId>).
        let decision = items
            .iter()
            .rfind(|i| get_s(i, SK).is_some_and(|sk| sk.starts_with("DECISION#")))
            .and_then(|i| get_s(i, "explanation"))
            .and_then(|raw| serde_json::from_str::<DecisionRecord>(raw).ok());
        let mut deliveries: Vec<_> = items
            .iter()
            .filter(|i| get_s(i, SK).is_some_and(|sk| sk.starts_with(keys::DELIVERY_PREFIX)))
            .filter_map(super::deliveries::delivery_record)
            .collect();
        deliveries.sort_by_key(|d| std::cmp::Reverse(d.at));
        deliveries.truncate(MAX_DELIVERIES);
        let mut view = token_view(token, history, decision)?;
        view.deliveries = deliveries;
        Ok(Some(view))
    }

    async fn search(
        &self,
        query: &TokenQuery,
        filter: &TokenFilter,
        page: &PageRequest,
    ) -> Result<TokenPage, SearchError> {
        match query {
            TokenQuery::Reference { token_ref } => {
                if page.cursor.is_some() {
                    return Err(SearchError::BadCursor);
                }
                let tokens = match self.get(key(keys::token(token_ref))).await? {
                    Some(item) => {
                        let view = token_view(&item, Vec::new(), None)?;
                        filter.admits(&view).then_some(view)
                    }
                    None => None,
                };
                Ok(TokenPage {
                    tokens: tokens.into_iter().collect(),
                    next_cursor: None,
                })
            }
            TokenQuery::Card { pan_fingerprint } => {
                self.card_tokens(pan_fingerprint, filter, page).await
            }
            TokenQuery::IssuerCard { card_id } => {
                let fingerprints = self
                    .get(key(keys::issuer_card(card_id)))
                    .await?
                    .as_ref()
                    .map(alias_fingerprints)
                    .unwrap_or_default();
                self.cards_tokens(&fingerprints, filter, page).await
            }
            TokenQuery::Device { device_id } => {
                let (pk, _) = keys::device_token(device_id, "");
                self.index_tokens(&pk, false, &|_| true, filter, page).await
            }
            TokenQuery::CardLast4 { last4, expiry } => {
                let (pk, _) = keys::card_last4_token(last4, expiry, "");
                // A card update leaves the old pair's entry: the token must still match.
                let matches = |view: &TokenView| {
                    view.record.pan_last4.as_deref() == Some(last4.as_str())
                        && view.record.pan_expiry.as_deref() == Some(expiry.as_str())
                };
                self.index_tokens(&pk, false, &matches, filter, page).await
            }
            TokenQuery::Phone { phone_fingerprint } => {
                let (pk, _) = keys::phone_token(phone_fingerprint, "");
                self.index_tokens(&pk, false, &|_| true, filter, page).await
            }
            TokenQuery::Created { from, to } => self.created_tokens(*from, *to, filter, page).await,
        }
    }

    async fn mark_pending(
        &self,
        token_ref: &str,
        expected_version: u64,
        pending: &PendingAction,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let at = rfc3339(now);
        let condition = if expected_version == 0 {
            "attribute_exists(pk) AND attribute_not_exists(version)"
        } else {
            "version = :version"
        };
        let mut token = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::token(token_ref))))
            .update_expression("SET #pending = :pending, version = :next, updated_at = :at")
            .condition_expression(condition)
            .expression_attribute_names("#pending", PENDING_ACTION)
            .expression_attribute_values(":pending", s(json(pending)?))
            .expression_attribute_values(":next", n(expected_version + 1))
            .expression_attribute_values(":at", s(&at));
        if expected_version != 0 {
            token = token.expression_attribute_values(":version", n(expected_version));
        }
        // Listed for reconciliation in the same write.
        let items = vec![
            update(built(token.build())?),
            put(&self.table, pending_entry(token_ref, &at), None, &[])?,
        ];
        self.transact(items, None).await
    }

    async fn clear_pending(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let token = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::token(token_ref))))
            .update_expression("REMOVE #pending SET updated_at = :at ADD version :one")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#pending", PENDING_ACTION)
            .expression_attribute_values(":at", s(rfc3339(now)))
            .expression_attribute_values(":one", n(1));
        let items = vec![
            update(built(token.build())?),
            delete(&self.table, key(keys::pending_action(token_ref)))?,
            completion(&self.table, request, now)?,
        ];
        self.transact(items, None).await
    }
}

#[async_trait]
impl ReconciliationSweep for TokenStateTable {
    async fn pending(&self, limit: u32) -> Result<Vec<TokenView>, StoreError> {
        let (pk, _) = keys::pending_action("");
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(pk))
            .consistent_read(true)
            .limit(i32::try_from(limit.clamp(1, 100)).unwrap_or(100))
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        let refs: Vec<String> = out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|e| get_s(e, "token_unique_reference").map(str::to_owned))
            .collect();
        self.batch_get(refs.iter().map(|r| key(keys::token(r))).collect(), None)
            .await?
            .iter()
            .map(|item| token_view(item, Vec::new(), None))
            .collect()
    }

    /// One Scan page of token items from where the last run stopped; the
    /// position is saved for the next run (a lost save re-checks a page).
    async fn next_page(&self, limit: u32) -> Result<(Vec<TokenView>, bool), StoreError> {
        let position = key(keys::sweep_position());
        let start = self.get(position.clone()).await?.and_then(|saved| {
            let pk = get_s(&saved, "next_pk")?.to_owned();
            let sk = get_s(&saved, "next_sk")?.to_owned();
            Some(Item::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))]))
        });
        let out = self
            .client
            .scan()
            .table_name(&self.table)
            .filter_expression("sk = :token")
            .expression_attribute_values(":token", s("TOKEN"))
            .limit(i32::try_from(limit.clamp(1, 250).saturating_mul(4)).unwrap_or(1000))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        let tokens = out
            .items
            .unwrap_or_default()
            .iter()
            .map(|item| token_view(item, Vec::new(), None))
            .collect::<Result<Vec<_>, _>>()?;
        let next = out.last_evaluated_key;
        let done = next.is_none();
        let mut saved = position;
        if let Some(next) = &next {
            saved.extend(item([
                ("next_pk", next.get(PK).cloned()),
                ("next_sk", next.get(SK).cloned()),
            ]));
        }
        saved.insert(
            "updated_at".to_owned(),
            s(rfc3339(OffsetDateTime::now_utc())),
        );
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(saved))
            .send()
            .await
            .map_err(|e| unavailable(e.into_service_error()))?;
        Ok((tokens, done))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_forgeries_are_refused() {
        // GIVEN a cursor we produced
        let cursor = encode_cursor(&["TOKEN#2026-01-01T00:00:00Z#T1", "TOKEN#T1"]);
        // THEN it decodes to its parts
        assert_eq!(
            decode_cursor(&cursor, 2).unwrap(),
            vec!["TOKEN#2026-01-01T00:00:00Z#T1", "TOKEN#T1"]
        );
        // AND anything else is refused: wrong version, arity, key space, encoding
        assert!(
            cursor
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        for forged in [
            &cursor.replacen("c1", "c2", 1),
            &encode_cursor(&["TOKEN#T1"]),
            &encode_cursor(&["CARD#abc", "TOKEN#T1"]),
            "c1!!!???",
            "",
        ] {
            assert!(
                matches!(decode_cursor(forged, 2), Err(SearchError::BadCursor)),
                "{forged}"
            );
        }
    }
}
