//! The reports' wire form (`GET /reports/funnel`, `/reports/apple-pay`,
//! `/reports/active-tokens`): the query (a range of UTC days, a token
//! requestor, JSON or CSV) and the rows, as JSON or as the CSV download.
//! Nothing here is card data: days, networks, token requestors, wallets
//! and counts.

use serde::Serialize;
use time::macros::format_description;
use time::{Date, Duration};
use tmp_api::Problem;
use tmp_api::ids::TokenRequestorId;
use tmp_api::token::Network;
use tmp_core::domain::report::ActiveTokens;
use tmp_core::domain::wallet::Wallet;
use tmp_core::usecases::reports::FunnelLine;

use crate::csv::Csv;

/// The longest range a report spans (`to` at most this many days after `from`).
pub const MAX_DAYS: i64 = 92;
/// The default range: the week ending `to`.
const DEFAULT_DAYS: i64 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    pub from: Date,
    pub to: Date,
    pub token_requestor_id: Option<String>,
    pub format: Format,
}

fn day(field: &str, value: &str) -> Result<Date, Problem> {
    Date::parse(value, format_description!("[year]-[month]-[day]"))
        .map_err(|_| Problem::invalid(field))
}

/// `format=json|csv` (JSON by default).
pub fn format(parameter: &impl Fn(&str) -> Option<String>) -> Result<Format, Problem> {
    match parameter("format").as_deref() {
        None | Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some(_) => Err(Problem::invalid("format")),
    }
}

/// The query of a report from its parameters.
pub fn query(
    parameter: impl Fn(&str) -> Option<String>,
    today: Date,
) -> Result<ReportQuery, Problem> {
    let to = parameter("to")
        .map(|v| day("to", &v))
        .transpose()?
        .unwrap_or(today);
    let from = parameter("from")
        .map(|v| day("from", &v))
        .transpose()?
        .unwrap_or(to - Duration::days(DEFAULT_DAYS));
    if to < from || (to - from).whole_days() > MAX_DAYS {
        return Err(Problem::invalid("to"));
    }
    let token_requestor_id = parameter("tokenRequestorId")
        .map(|v| {
            TokenRequestorId::try_from(v)
                .map(|id| id.as_str().to_owned())
                .map_err(|_| Problem::invalid("tokenRequestorId"))
        })
        .transpose()?;
    Ok(ReportQuery {
        from,
        to,
        token_requestor_id,
        format: format(&parameter)?,
    })
}

fn day_text(day: Date) -> String {
    day.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunnelRow {
    pub day: String,
    pub network: Network,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_requestor_id: Option<String>,
    pub wallet: Wallet,
    pub requests: u64,
    pub green: u64,
    pub yellow: u64,
    pub orange: u64,
    pub red: u64,
    pub activations: u64,
    pub abandoned: Option<u64>,
    pub settled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunnelReport {
    pub from: String,
    pub to: String,
    pub rows: Vec<FunnelRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveTokensRow {
    pub network: Network,
    pub wallet: Wallet,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_requestor_id: Option<String>,
    pub active_tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplePayReport {
    pub from: String,
    pub to: String,
    pub rows: Vec<FunnelRow>,
    pub active_tokens: Vec<ActiveTokensRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveTokensReport {
    pub rows: Vec<ActiveTokensRow>,
}

pub fn funnel_rows(lines: &[FunnelLine]) -> Vec<FunnelRow> {
    lines
        .iter()
        .map(|l| FunnelRow {
            day: day_text(l.key.day),
            network: l.key.network.into(),
            token_requestor_id: l.key.token_requestor_id.clone(),
            wallet: l.wallet,
            requests: l.counts.requests,
            green: l.counts.green,
            yellow: l.counts.yellow,
            orange: l.counts.orange,
            red: l.counts.red,
            activations: l.counts.activations,
            abandoned: l.abandoned,
            settled: l.settled,
        })
        .collect()
}

pub fn funnel(query: &ReportQuery, lines: &[FunnelLine]) -> FunnelReport {
    FunnelReport {
        from: day_text(query.from),
        to: day_text(query.to),
        rows: funnel_rows(lines),
    }
}

/// Per network and token requestor (the Apple Pay report).
pub fn active_by_requestor(rows: &[ActiveTokens]) -> Vec<ActiveTokensRow> {
    rows.iter()
        .map(|r| ActiveTokensRow {
            network: r.network.into(),
            wallet: r.wallet,
            token_requestor_id: r.token_requestor_id.clone(),
            active_tokens: r.active,
        })
        .collect()
}

/// Summed per wallet and network, largest first (the active-tokens report).
pub fn active_by_wallet(rows: &[ActiveTokens]) -> ActiveTokensReport {
    let mut sums: std::collections::BTreeMap<(Wallet, &'static str), (Network, u64)> =
        std::collections::BTreeMap::new();
    for r in rows {
        let entry = sums
            .entry((r.wallet, r.network.as_str()))
            .or_insert((r.network.into(), 0));
        entry.1 += r.active;
    }
    let mut rows: Vec<ActiveTokensRow> = sums
        .into_iter()
        .map(|((wallet, _), (network, active))| ActiveTokensRow {
            network,
            wallet,
            token_requestor_id: None,
            active_tokens: active,
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.active_tokens));
    ActiveTokensReport { rows }
}

fn network_name(network: Network) -> String {
    serde_json::to_value(network)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn optional(value: Option<u64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

const FUNNEL_HEADER: [&str; 12] = [
    "day",
    "network",
    "tokenRequestorId",
    "wallet",
    "requests",
    "green",
    "yellow",
    "orange",
    "red",
    "activations",
    "abandoned",
    "settled",
];

pub fn funnel_csv(report: &FunnelReport) -> String {
    let mut csv = Csv::new(&FUNNEL_HEADER);
    for r in &report.rows {
        csv.row(funnel_fields(r));
    }
    csv.finish()
}

fn funnel_fields(r: &FunnelRow) -> Vec<String> {
    vec![
        r.day.clone(),
        network_name(r.network),
        r.token_requestor_id.clone().unwrap_or_default(),
        r.wallet.as_str().to_owned(),
        r.requests.to_string(),
        r.green.to_string(),
        r.yellow.to_string(),
        r.orange.to_string(),
        r.red.to_string(),
        r.activations.to_string(),
        optional(r.abandoned),
        r.settled.to_string(),
    ]
}

/// The daily rows, then a `total` row per network and token requestor,
/// with its active tokens now.
pub fn apple_pay_csv(report: &ApplePayReport) -> String {
    let mut csv = Csv::new(&[
        "day",
        "network",
        "tokenRequestorId",
        "provisioningAttempts",
        "green",
        "yellow",
        "orange",
        "red",
        "activations",
        "activeTokens",
    ]);
    type Totals = [u64; 6];
    let mut totals: std::collections::BTreeMap<(String, String), Totals> =
        std::collections::BTreeMap::new();
    for r in &report.rows {
        let counts = [
            r.requests,
            r.green,
            r.yellow,
            r.orange,
            r.red,
            r.activations,
        ];
        let key = (
            network_name(r.network),
            r.token_requestor_id.clone().unwrap_or_default(),
        );
        let sum = totals.entry(key.clone()).or_insert([0; 6]);
        for (total, count) in sum.iter_mut().zip(counts) {
            *total += count;
        }
        let mut fields = vec![r.day.clone(), key.0, key.1];
        fields.extend(counts.iter().map(u64::to_string));
        fields.push(String::new());
        csv.row(fields);
    }
    for a in &report.active_tokens {
        totals
            .entry((
                network_name(a.network),
                a.token_requestor_id.clone().unwrap_or_default(),
            ))
            .or_insert([0; 6]);
    }
    for ((network, requestor), sum) in totals {
        let active: u64 = report
            .active_tokens
            .iter()
            .filter(|a| {
                network_name(a.network) == network
                    && a.token_requestor_id.clone().unwrap_or_default() == requestor
            })
            .map(|a| a.active_tokens)
            .sum();
        let mut fields = vec!["total".to_owned(), network, requestor];
        fields.extend(sum.iter().map(u64::to_string));
        fields.push(active.to_string());
        csv.row(fields);
    }
    csv.finish()
}

pub fn active_tokens_csv(report: &ActiveTokensReport) -> String {
    let mut csv = Csv::new(&["wallet", "network", "activeTokens"]);
    for r in &report.rows {
        csv.row([
            r.wallet.as_str().to_owned(),
            network_name(r.network),
            r.active_tokens.to_string(),
        ]);
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use time::macros::date;
    use tmp_core::domain::report::{FunnelCounts, FunnelKey};

    use super::*;

    fn params<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    const TODAY: Date = date!(2026 - 12 - 01);

    #[test]
    fn a_report_defaults_to_the_week_ending_today_and_refuses_what_is_not_allowed() {
        let q = query(params(&[]), TODAY).unwrap();
        assert_eq!(
            (q.from, q.to, q.format),
            (date!(2026 - 11 - 25), TODAY, Format::Json)
        );
        let q = query(params(&[("from", "2026-09-01"), ("format", "csv")]), TODAY).unwrap();
        assert_eq!((q.from, q.format), (date!(2026 - 09 - 01), Format::Csv));
        for bad in [
            [("from", "2026-12-02"), ("to", "2026-12-01")],
            [("from", "2026-08-01"), ("to", "2026-12-01")],
            [("from", "2026-13-01"), ("format", "json")],
            [("format", "xlsx"), ("to", "2026-12-01")],
            [("tokenRequestorId", "5011"), ("to", "2026-12-01")],
        ] {
            let problem = query(params(&bad), TODAY).unwrap_err();
            assert_eq!(problem.status, 422, "{bad:?}");
        }
    }

    fn line(day: Date, network: tmp_core::domain::Network, requests: u64) -> FunnelLine {
        FunnelLine {
            key: FunnelKey {
                day,
                network,
                token_requestor_id: Some("50110030273".into()),
            },
            wallet: Wallet::ApplePay,
            counts: FunnelCounts {
                requests,
                green: requests,
                activations: 1,
                ..FunnelCounts::default()
            },
            abandoned: None,
            settled: false,
        }
    }

    #[test]
    fn the_apple_pay_csv_has_the_days_then_a_total_per_requestor_with_active_tokens() {
        use tmp_core::domain::Network::Mastercard;
        let q = query(params(&[]), TODAY).unwrap();
        let report = ApplePayReport {
            from: "2026-11-25".into(),
            to: "2026-12-01".into(),
            rows: funnel_rows(&[
                line(date!(2026 - 11 - 30), Mastercard, 2),
                line(date!(2026 - 12 - 01), Mastercard, 3),
            ]),
            active_tokens: active_by_requestor(&[ActiveTokens {
                network: Mastercard,
                token_requestor_id: Some("50110030273".into()),
                wallet: Wallet::ApplePay,
                active: 4,
            }]),
        };
        assert_eq!(q.from, date!(2026 - 11 - 25));
        let csv = apple_pay_csv(&report);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines,
            [
                "day,network,tokenRequestorId,provisioningAttempts,green,yellow,orange,red,activations,activeTokens",
                "2026-11-30,MASTERCARD,50110030273,2,2,0,0,0,1,",
                "2026-12-01,MASTERCARD,50110030273,3,3,0,0,0,1,",
                "total,MASTERCARD,50110030273,5,5,0,0,0,2,4",
                "",
            ]
        );
    }
}
