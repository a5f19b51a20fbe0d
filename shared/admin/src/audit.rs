//! The audit log's wire form (`GET /audit`): the query (a range of UTC
//! days, an optional agent, a page) and the entries, newest first; and the
//! targets entries name, never card data.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use tmp_api::Problem;
use tmp_core::domain::audit::{AuditAction, AuditEntry, AuditResult};
use tmp_core::ports::{AuditPage, AuditQuery};

use crate::agent::valid_actor;

pub const LIMIT_MAX: u32 = 200;
pub const LIMIT_DEFAULT: u32 = 50;
const CURSOR_MAX: usize = 512;

fn day(field: &str, value: &str) -> Result<Date, Problem> {
    Date::parse(value, format_description!("[year]-[month]-[day]"))
        .map_err(|_| Problem::invalid(field))
}

/// The query of `GET /audit` from its parameters (`from` and `to`
/// default to `today`).
pub fn query(
    parameter: impl Fn(&str) -> Option<String>,
    today: Date,
) -> Result<AuditQuery, Problem> {
    let from = parameter("from")
        .map(|v| day("from", &v))
        .transpose()?
        .unwrap_or(today);
    let to = parameter("to")
        .map(|v| day("to", &v))
        .transpose()?
        .unwrap_or(from);
    let actor = parameter("actor");
    if actor.as_deref().is_some_and(|a| !valid_actor(a)) {
        return Err(Problem::invalid("actor"));
    }
    let limit = match parameter("limit") {
        None => LIMIT_DEFAULT,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=LIMIT_MAX).contains(l))
            .ok_or_else(|| Problem::invalid("limit"))?,
    };
    let cursor = parameter("cursor");
    if cursor.as_deref().is_some_and(|c| {
        c.is_empty()
            || c.len() > CURSOR_MAX
            || !c
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return Err(Problem::invalid("cursor"));
    }
    Ok(AuditQuery {
        from,
        to,
        actor,
        limit,
        cursor,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireEntry {
    pub audit_id: String,
    pub at: String,
    pub actor: String,
    pub roles: Vec<String>,
    pub action: AuditAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    pub result: AuditResult,
    pub status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WirePage {
    pub entries: Vec<WireEntry>,
    pub next_cursor: Option<String>,
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

pub fn page(page: &AuditPage) -> WirePage {
    WirePage {
        entries: page
            .entries
            .iter()
            .map(|e: &AuditEntry| WireEntry {
                audit_id: e.audit_id.clone(),
                at: rfc3339(e.at),
                actor: e.actor.clone(),
                roles: e.roles.clone(),
                action: e.action,
                target: e.target.clone(),
                reason_code: e.reason_code.clone(),
                source_ip: e.source_ip.clone(),
                result: e.result,
                status: e.status,
            })
            .collect(),
        next_cursor: page.next_cursor.clone(),
    }
}

/// At most this many entries in one export (else: narrow the range).
pub const EXPORT_MAX: usize = 10_000;

/// The audit log's CSV download, newest first (as the page shows it).
pub fn csv(entries: &[WireEntry]) -> String {
    let mut csv = crate::csv::Csv::new(&[
        "auditId",
        "at",
        "actor",
        "roles",
        "action",
        "target",
        "reasonCode",
        "sourceIp",
        "result",
        "status",
    ]);
    for e in entries {
        csv.row([
            e.audit_id.clone(),
            e.at.clone(),
            e.actor.clone(),
            e.roles.join(" "),
            wire_name(&e.action),
            e.target.clone().unwrap_or_default(),
            e.reason_code.clone().unwrap_or_default(),
            e.source_ip.clone().unwrap_or_default(),
            wire_name(&e.result),
            e.status.to_string(),
        ]);
    }
    csv.finish()
}

/// The wire name of an enum the contract spells in capitals.
fn wire_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn params<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn a_query_defaults_to_today_and_refuses_what_the_contract_does_not_allow() {
        let today = date!(2026 - 12 - 01);
        let q = query(params(&[]), today).unwrap();
        assert_eq!((q.from, q.to, q.limit), (today, today, LIMIT_DEFAULT));
        let q = query(
            params(&[("from", "2026-11-20"), ("actor", "agent@bank.test")]),
            today,
        )
        .unwrap();
        assert_eq!(
            (q.from, q.to),
            (date!(2026 - 11 - 20), date!(2026 - 11 - 20))
        );
        for bad in [
            [("from", "20261120")],
            [("actor", "<b>")],
            [("limit", "0")],
            [("limit", "201")],
            [("cursor", "a b")],
        ] {
            assert!(query(params(&bad), today).is_err(), "{bad:?}");
        }
    }
}
