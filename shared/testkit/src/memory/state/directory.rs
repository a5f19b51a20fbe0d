//! [`TokenDirectory`] on the in-memory token state: the same look-ups as the
//! table (by card fingerprint, issuer card id, device, reference), pages
//! ordered by token reference with the last reference as cursor.

use async_trait::async_trait;
use time::OffsetDateTime;
use tmp_core::domain::action::PendingAction;
use tmp_core::ports::{
    DeviceFacts, PageRequest, RequestCompletion, SaveError, SearchError, StoreError,
    TokenDirectory, TokenFilter, TokenPage, TokenQuery, TokenView,
};

use super::{Inner, MemoryTokenState, Partition, StoredToken};

const CURSOR_PREFIX: &str = "mem-";

fn view(token_ref: &str, partition: &Partition, with_history: bool) -> Option<TokenView> {
    let token = partition.token.as_ref()?;
    Some(TokenView {
        record: token.record(token_ref),
        issuer_card_id: token
            .authorization
            .as_ref()
            .and_then(|a| a.issuer_card_id.clone()),
        device: DeviceFacts {
            device_id: token.attributes.payment_app_instance_id.clone(),
            name: token.attributes.device_name.clone(),
            kind: token.attributes.device_type.clone(),
            os: token.attributes.device_os.clone(),
        },
        created_at: token.authorization.as_ref().map(|a| a.created_at),
        updated_at: None,
        history: if with_history {
            partition.history.values().cloned().collect()
        } else {
            Vec::new()
        },
        decision: if with_history {
            partition.decisions.values().last().cloned()
        } else {
            None
        },
        deliveries: if with_history {
            let mut deliveries: Vec<_> = partition.deliveries.values().cloned().collect();
            deliveries.sort_by_key(|d| std::cmp::Reverse(d.at));
            deliveries
        } else {
            Vec::new()
        },
    })
}

fn matches(query: &TokenQuery, v: &TokenView, phone: Option<&str>) -> bool {
    match query {
        TokenQuery::Card { pan_fingerprint } => {
            v.record.pan_fingerprint.as_deref() == Some(pan_fingerprint)
        }
        TokenQuery::IssuerCard { card_id } => v.issuer_card_id.as_deref() == Some(card_id),
        TokenQuery::Device { device_id } => v.device.device_id.as_deref() == Some(device_id),
        TokenQuery::Reference { token_ref } => *token_ref == v.record.token_ref,
        TokenQuery::CardLast4 { last4, expiry } => {
            v.record.pan_last4.as_deref() == Some(last4)
                && v.record.pan_expiry.as_deref() == Some(expiry)
        }
        TokenQuery::Phone { phone_fingerprint } => {
            phone.is_some_and(|p| p == phone_fingerprint.as_str())
        }
        TokenQuery::Created { from, to } => v
            .created_at
            .map(time::OffsetDateTime::date)
            .is_some_and(|d| d >= *from && d <= *to),
    }
}

impl Inner {
    fn token_mut(&mut self, token_ref: &str) -> Option<&mut StoredToken> {
        self.tokens.get_mut(token_ref)?.token.as_mut()
    }
}

#[async_trait]
impl TokenDirectory for MemoryTokenState {
    async fn token_view(&self, token_ref: &str) -> Result<Option<TokenView>, StoreError> {
        let inner = self.lock();
        inner.check()?;
        Ok(inner
            .tokens
            .get(token_ref)
            .and_then(|p| view(token_ref, p, true)))
    }

    async fn search(
        &self,
        query: &TokenQuery,
        filter: &TokenFilter,
        page: &PageRequest,
    ) -> Result<TokenPage, SearchError> {
        let after = match &page.cursor {
            None => None,
            Some(c) => Some(
                c.strip_prefix(CURSOR_PREFIX)
                    .ok_or(SearchError::BadCursor)?
                    .to_owned(),
            ),
        };
        let inner = self.lock();
        inner.check()?;
        let mut refs: Vec<&String> = inner.tokens.keys().collect();
        refs.sort();
        let mut found: Vec<TokenView> = refs
            .into_iter()
            .filter(|r| after.as_deref().is_none_or(|a| r.as_str() > a))
            .filter_map(|r| {
                let partition = inner.tokens.get(r)?;
                let phone = partition
                    .token
                    .as_ref()
                    .and_then(|t| t.authorization.as_ref())
                    .and_then(|a| a.phone_fingerprint.as_deref());
                view(r, partition, false).filter(|v| matches(query, v, phone))
            })
            .filter(|v| filter.admits(v))
            .collect();
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let next_cursor = (found.len() > limit)
            .then(|| found.get(limit.saturating_sub(1)))
            .flatten()
            .map(|v| format!("{CURSOR_PREFIX}{}", v.record.token_ref));
        found.truncate(limit);
        Ok(TokenPage {
            tokens: found,
            next_cursor,
        })
    }

    async fn mark_pending(
        &self,
        token_ref: &str,
        expected_version: u64,
        pending: &PendingAction,
        _now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let mut inner = self.lock();
        inner.check_write()?;
        let token = inner.token_mut(token_ref).ok_or(SaveError::Conflict)?;
        if token.version.unwrap_or(0) != expected_version {
            return Err(SaveError::Conflict);
        }
        token.pending = Some(pending.clone());
        token.version = Some(expected_version + 1);
        Ok(())
    }

    async fn clear_pending(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        _now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let mut inner = self.lock();
        inner.check_write()?;
        if !inner.can_complete(request) || inner.token_mut(token_ref).is_none() {
            return Err(SaveError::Conflict);
        }
        inner.complete(request);
        if let Some(token) = inner.token_mut(token_ref) {
            token.pending = None;
            token.version = Some(token.version.unwrap_or(0) + 1);
        }
        Ok(())
    }
}

#[async_trait]
impl tmp_core::ports::ReconciliationSweep for MemoryTokenState {
    async fn pending(&self, limit: u32) -> Result<Vec<TokenView>, StoreError> {
        let inner = self.lock();
        inner.check()?;
        let mut refs: Vec<&String> = inner.tokens.keys().collect();
        refs.sort();
        Ok(refs
            .into_iter()
            .filter_map(|r| inner.tokens.get(r).and_then(|p| view(r, p, false)))
            .filter(|v| v.record.pending.is_some())
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .collect())
    }

    async fn next_page(&self, limit: u32) -> Result<(Vec<TokenView>, bool), StoreError> {
        let mut inner = self.lock();
        inner.check()?;
        let mut refs: Vec<String> = inner.tokens.keys().cloned().collect();
        refs.sort();
        let after = inner.sweep_after.clone();
        let rest: Vec<String> = refs
            .into_iter()
            .filter(|r| after.as_deref().is_none_or(|a| r.as_str() > a))
            .collect();
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let page: Vec<TokenView> = rest
            .iter()
            .take(limit)
            .filter_map(|r| inner.tokens.get(r).and_then(|p| view(r, p, false)))
            .collect();
        let done = rest.len() <= limit;
        inner.sweep_after = if done {
            None
        } else {
            rest.get(limit.saturating_sub(1)).cloned()
        };
        Ok((page, done))
    }
}
