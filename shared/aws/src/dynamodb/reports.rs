//! [`ReportStore`] on the reports table (`ReportsTable`), fed from the token
//! state table's stream:
//! - funnel rows: `FUNNEL#<yyyy-mm>` / `<yyyy-mm-dd>#<network>#<requestor>`,
//!   one counter per path plus `requests` and `activations`;
//! - active tokens: `ACTIVE` / `<network>#<requestor>`, a signed counter;
//! - what was counted: `COUNTED#<input id>` (expires after a week: the
//!   stream keeps records a day) and `ACTIVATED#<token>` (a token activates
//!   once), each put in the same transaction as its counter, on condition it
//!   is new, so an input delivered again changes nothing.
//!
//! The table holds no card data: days, networks, token requestor ids,
//! wallets and counts.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use time::{Date, Duration, Month, OffsetDateTime};
use tmp_core::domain::Network;
use tmp_core::domain::report::{ActiveTokens, DecisionFact, FunnelCounts, FunnelKey, FunnelRow};
use tmp_core::domain::wallet::Wallet;
use tmp_core::ports::{ActiveChange, Counted, ReportStore, StoreError};

use super::codec::{Item, built, epoch, get_n, get_s, key, n, put, s, unavailable, update};
use super::keys::EXPIRES_AT;

/// How long an input's id is remembered (well past the stream's 24 h).
const COUNTED_FOR: Duration = Duration::days(7);
/// Who requested when the network named no token requestor.
const NO_REQUESTOR: &str = "-";

#[derive(Clone)]
pub struct ReportsTable {
    client: Client,
    table: String,
}

fn day_text(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

fn month_key(year: i32, month: Month) -> String {
    format!("FUNNEL#{year:04}-{:02}", u8::from(month))
}

fn funnel_key(k: &FunnelKey) -> (String, String) {
    (
        month_key(k.day.year(), k.day.month()),
        format!(
            "{}#{}#{}",
            day_text(k.day),
            k.network.as_str(),
            k.token_requestor_id.as_deref().unwrap_or(NO_REQUESTOR)
        ),
    )
}

fn active_key(network: Network, token_requestor_id: Option<&str>) -> (String, String) {
    (
        "ACTIVE".to_owned(),
        format!(
            "{}#{}",
            network.as_str(),
            token_requestor_id.unwrap_or(NO_REQUESTOR)
        ),
    )
}

/// The counter's own description, set with every count.
fn describe(
    counter: aws_sdk_dynamodb::types::builders::UpdateBuilder,
    sets: &mut Vec<&'static str>,
    network: Network,
    token_requestor_id: Option<&str>,
    wallet: Wallet,
) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
    // Every name aliased: none can collide with DynamoDB's reserved words.
    sets.extend(["#network = :network", "#wallet = :wallet"]);
    let counter = counter
        .expression_attribute_names("#network", "network")
        .expression_attribute_names("#wallet", "wallet")
        .expression_attribute_values(":network", s(network.as_str()))
        .expression_attribute_values(":wallet", s(wallet.as_str()));
    match token_requestor_id {
        Some(id) => {
            sets.push("#requestor = :requestor");
            counter
                .expression_attribute_names("#requestor", "token_requestor_id")
                .expression_attribute_values(":requestor", s(id))
        }
        None => counter,
    }
}

impl ReportsTable {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The marker that an input was counted, on condition it is new.
    fn marker(
        &self,
        pk: String,
        expires: Option<OffsetDateTime>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = key((pk, "MARK".to_owned()));
        if let Some(at) = expires {
            item.insert(EXPIRES_AT.to_owned(), epoch(at));
        }
        put(&self.table, item, Some("attribute_not_exists(pk)"), &[])
    }

    /// The marker and the counters, all or nothing; `Before` when the
    /// marker was there already.
    async fn count(&self, items: Vec<TransactWriteItem>) -> Result<Counted, StoreError> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(Counted::Now),
            Err(err) => counted_before(err),
        }
    }

    fn funnel_update(
        &self,
        k: &FunnelKey,
        wallet: Wallet,
        counters: &[&str],
    ) -> Result<TransactWriteItem, StoreError> {
        let mut sets = vec!["#day = :day"];
        let counter = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(funnel_key(k))))
            .expression_attribute_names("#day", "day")
            .expression_attribute_values(":day", s(day_text(k.day)))
            .expression_attribute_values(":one", n(1));
        let counter = describe(
            counter,
            &mut sets,
            k.network,
            k.token_requestor_id.as_deref(),
            wallet,
        );
        let mut counter = counter;
        let mut adds = Vec::new();
        for (i, name) in counters.iter().enumerate() {
            counter = counter.expression_attribute_names(format!("#c{i}"), *name);
            adds.push(format!("#c{i} :one"));
        }
        let counter =
            counter.update_expression(format!("SET {} ADD {}", sets.join(", "), adds.join(", ")));
        Ok(update(built(counter.build())?))
    }
}

/// A cancelled transaction whose first item (the marker) failed its
/// condition: counted before. Anything else is a store failure (retried).
fn counted_before(
    err: SdkError<TransactWriteItemsError, impl std::fmt::Debug + Send + Sync + 'static>,
) -> Result<Counted, StoreError> {
    match err.into_service_error() {
        TransactWriteItemsError::TransactionCanceledException(e)
            if e.cancellation_reasons().first().and_then(|r| r.code())
                == Some("ConditionalCheckFailed") =>
        {
            Ok(Counted::Before)
        }
        other => Err(unavailable(other)),
    }
}

fn count_of(item: &Item, name: &str) -> Result<u64, StoreError> {
    Ok(get_n(item, name)?.unwrap_or(0))
}

fn funnel_row(item: &Item) -> Result<FunnelRow, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("funnel row {what}"));
    let day = get_s(item, "day")
        .and_then(|d| {
            Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok()
        })
        .ok_or_else(|| corrupt("day"))?;
    Ok(FunnelRow {
        key: FunnelKey {
            day,
            network: get_s(item, "network")
                .and_then(Network::parse)
                .ok_or_else(|| corrupt("network"))?,
            token_requestor_id: get_s(item, "token_requestor_id").map(str::to_owned),
        },
        wallet: get_s(item, "wallet")
            .and_then(Wallet::parse)
            .unwrap_or(Wallet::Other),
        counts: FunnelCounts {
            requests: count_of(item, "requests")?,
            green: count_of(item, "green")?,
            yellow: count_of(item, "yellow")?,
            orange: count_of(item, "orange")?,
            red: count_of(item, "red")?,
            activations: count_of(item, "activations")?,
        },
    })
}

fn active_row(item: &Item) -> Result<ActiveTokens, StoreError> {
    // Signed: a token active before counting began may leave ACTIVE since.
    let active: i64 = item
        .get("active")
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok(ActiveTokens {
        network: get_s(item, "network")
            .and_then(Network::parse)
            .ok_or_else(|| StoreError::Corrupt("active row network".into()))?,
        token_requestor_id: get_s(item, "token_requestor_id").map(str::to_owned),
        wallet: get_s(item, "wallet")
            .and_then(Wallet::parse)
            .unwrap_or(Wallet::Other),
        active: u64::try_from(active.max(0)).unwrap_or(0),
    })
}

/// The months a range of days touches, first to last.
fn months(from: Date, to: Date) -> Vec<(i32, Month)> {
    let mut out = Vec::new();
    let (mut year, mut month) = (from.year(), from.month());
    loop {
        out.push((year, month));
        if (year, u8::from(month)) >= (to.year(), u8::from(to.month())) {
            return out;
        }
        if month == Month::December {
            year += 1;
        }
        month = month.next();
    }
}

impl ReportsTable {
    async fn query_all(
        &self,
        pk: &str,
        range: Option<(String, String)>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .expression_attribute_values(":pk", s(pk));
            query = match &range {
                Some((low, high)) => query
                    .key_condition_expression("pk = :pk AND sk BETWEEN :low AND :high")
                    .expression_attribute_values(":low", s(low))
                    .expression_attribute_values(":high", s(high)),
                None => query.key_condition_expression("pk = :pk"),
            };
            let page = query
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| unavailable(e.into_service_error()))?;
            items.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }
}

#[async_trait]
impl ReportStore for ReportsTable {
    async fn count_decision(&self, fact: &DecisionFact) -> Result<Counted, StoreError> {
        let expires = OffsetDateTime::now_utc() + COUNTED_FOR;
        self.count(vec![
            self.marker(format!("COUNTED#{}", fact.id), Some(expires))?,
            self.funnel_update(&fact.key, fact.wallet, &["requests", fact.path.as_str()])?,
        ])
        .await
    }

    async fn count_active(&self, change: &ActiveChange) -> Result<Counted, StoreError> {
        let expires = OffsetDateTime::now_utc() + COUNTED_FOR;
        let mut sets = Vec::new();
        let counter = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(active_key(
                change.network,
                change.token_requestor_id.as_deref(),
            ))))
            .expression_attribute_values(":delta", n(change.delta));
        let counter = describe(
            counter,
            &mut sets,
            change.network,
            change.token_requestor_id.as_deref(),
            change.wallet,
        );
        let counter = counter
            .expression_attribute_names("#active", "active")
            .update_expression(format!("SET {} ADD #active :delta", sets.join(", ")));
        self.count(vec![
            self.marker(format!("COUNTED#EVENT#{}", change.event_id), Some(expires))?,
            update(built(counter.build())?),
        ])
        .await
    }

    async fn count_activation(
        &self,
        token_ref: &str,
        key: &FunnelKey,
        wallet: Wallet,
    ) -> Result<Counted, StoreError> {
        self.count(vec![
            self.marker(format!("ACTIVATED#{token_ref}"), None)?,
            self.funnel_update(key, wallet, &["activations"])?,
        ])
        .await
    }

    async fn funnel(&self, from: Date, to: Date) -> Result<Vec<FunnelRow>, StoreError> {
        let (low, high) = (
            format!("{}#", day_text(from)),
            format!("{}#~", day_text(to)),
        );
        let mut rows = Vec::new();
        for (year, month) in months(from, to) {
            for item in self
                .query_all(&month_key(year, month), Some((low.clone(), high.clone())))
                .await?
            {
                rows.push(funnel_row(&item)?);
            }
        }
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(rows)
    }

    async fn active_tokens(&self) -> Result<Vec<ActiveTokens>, StoreError> {
        self.query_all("ACTIVE", None)
            .await?
            .iter()
            .map(active_row)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_range_of_days_reads_every_month_it_touches() {
        assert_eq!(
            months(date!(2026 - 11 - 20), date!(2027 - 01 - 05)),
            vec![
                (2026, Month::November),
                (2026, Month::December),
                (2027, Month::January)
            ]
        );
        assert_eq!(
            months(date!(2026 - 12 - 01), date!(2026 - 12 - 31)),
            vec![(2026, Month::December)]
        );
    }

    #[test]
    fn rows_are_keyed_by_month_then_day_network_and_requestor() {
        let k = FunnelKey {
            day: date!(2026 - 12 - 01),
            network: Network::Visa,
            token_requestor_id: None,
        };
        assert_eq!(
            funnel_key(&k),
            ("FUNNEL#2026-12".to_owned(), "2026-12-01#VISA#-".to_owned())
        );
    }
}
