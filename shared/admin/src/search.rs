//! `POST /admin-api/v1/tokens/search`: at most one key (PAN, card id, token
//! reference, device, last four + expiry, phone number) or, without one, the
//! tokens created in a range of days; filters narrow either. The PAN and the
//! phone number are held as secrets from the moment they are read and looked
//! up by their keyed fingerprints; the audit log names them masked.

use serde::{Deserialize, Deserializer};
use time::{Date, Duration};
use tmp_api::ids::{CardId, Cursor, DeviceId, TokenReference, TokenRequestorId};
use tmp_api::search::{LIMIT_DEFAULT, LIMIT_MAX};
use tmp_api::token::{Network, TokenStatus};
use tmp_api::validate::Validate;
use tmp_api::{Problem, translate};
use tmp_core::domain::card::Expiry;
use tmp_core::domain::phone;
use tmp_core::domain::wallet::Wallet;
use tmp_core::ports::{PageRequest, TokenFilter};
use tmp_core::secret::{Pan, Secret};
use tmp_core::usecases::token_queries::SearchBy;
use zeroize::Zeroize;

/// The longest range a listing or a date filter may span.
pub const MAX_RANGE_DAYS: i64 = 31;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchRequest {
    #[serde(default, deserialize_with = "tmp_api::search::pan")]
    pub pan: Option<Pan>,
    pub card_id: Option<CardId>,
    pub token_reference: Option<TokenReference>,
    pub device_id: Option<DeviceId>,
    pub last4: Option<String>,
    pub expiry: Option<String>,
    #[serde(default, deserialize_with = "phone_number")]
    pub phone_number: Option<Secret<String>>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub status: Option<TokenStatus>,
    pub token_requestor_id: Option<TokenRequestorId>,
    pub wallet: Option<Wallet>,
    pub network: Option<Network>,
    pub limit: Option<u32>,
    pub cursor: Option<Cursor>,
}

/// Reads a phone number straight into a normalised secret; the transient
/// string is zeroized and the error says nothing of the digits.
fn phone_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Secret<String>>, D::Error> {
    let mut raw = String::deserialize(deserializer)?;
    let parsed = (raw.len() <= 32).then(|| phone::normalized(&raw)).flatten();
    raw.zeroize();
    parsed
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom("not a valid phone number"))
}

fn day(field: &str, value: &str) -> Result<Date, Problem> {
    Date::parse(
        value,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| Problem::invalid(field))
}

fn one_key() -> Problem {
    Problem::new(
        tmp_api::ProblemKind::InvalidRequest,
        "At most one of pan, cardId, tokenReference, deviceId, last4 with expiry and phoneNumber \
         is allowed; without one, from is required",
    )
}

impl Validate for SearchRequest {
    fn validate(&self) -> Result<(), Problem> {
        let keys = [
            self.pan.is_some(),
            self.card_id.is_some(),
            self.token_reference.is_some(),
            self.device_id.is_some(),
            self.last4.is_some() || self.expiry.is_some(),
            self.phone_number.is_some(),
        ];
        match keys.iter().filter(|k| **k).count() {
            0 if self.from.is_none() => return Err(one_key()),
            0 | 1 => {}
            _ => return Err(one_key()),
        }
        match (&self.last4, &self.expiry) {
            (Some(_), None) => return Err(Problem::missing("expiry")),
            (None, Some(_)) => return Err(Problem::missing("last4")),
            (Some(last4), Some(expiry)) => {
                if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Problem::invalid("last4"));
                }
                if expiry.len() != 5 || Expiry::parse_slashed(expiry).is_none() {
                    return Err(Problem::invalid("expiry"));
                }
            }
            (None, None) => {}
        }
        if let Some(limit) = self.limit
            && !(1..=LIMIT_MAX).contains(&limit)
        {
            return Err(Problem::invalid("limit"));
        }
        Ok(())
    }
}

/// A validated search in the core's terms.
pub struct Search<'a> {
    pub by: SearchBy<'a>,
    pub filter: TokenFilter,
    pub page: PageRequest,
}

impl SearchRequest {
    /// The days asked for: `to` defaults to `from` + 30 days, not past
    /// today; at most [`MAX_RANGE_DAYS`] days, `from` first. `to` alone
    /// (with a key) only bounds the newest.
    fn range(&self, today: Date) -> Result<(Option<Date>, Option<Date>), Problem> {
        let to = self.to.as_deref().map(|t| day("to", t)).transpose()?;
        let Some(from) = self.from.as_deref().map(|f| day("from", f)).transpose()? else {
            return Ok((None, to));
        };
        let to =
            to.unwrap_or_else(|| (from + Duration::days(MAX_RANGE_DAYS - 1)).min(today.max(from)));
        if to < from || (to - from).whole_days() >= MAX_RANGE_DAYS {
            return Err(Problem::invalid("to"));
        }
        Ok((Some(from), Some(to)))
    }

    pub fn search(&self, today: Date) -> Result<Search<'_>, Problem> {
        let (from, to) = self.range(today)?;
        let by = if let Some(pan) = &self.pan {
            SearchBy::Pan(pan)
        } else if let Some(card) = &self.card_id {
            SearchBy::CardId(card.as_str())
        } else if let Some(reference) = &self.token_reference {
            SearchBy::TokenReference(reference.as_str())
        } else if let Some(device) = &self.device_id {
            SearchBy::DeviceId(device.as_str())
        } else if let (Some(last4), Some(expiry)) = (&self.last4, &self.expiry) {
            SearchBy::CardLast4 { last4, expiry }
        } else if let Some(phone) = &self.phone_number {
            SearchBy::Phone(phone)
        } else {
            let (Some(from), Some(to)) = (from, to) else {
                return Err(one_key());
            };
            SearchBy::Created { from, to }
        };
        let filter = TokenFilter {
            status: self.status.map(translate::status),
            token_requestor_id: self
                .token_requestor_id
                .as_ref()
                .map(|t| t.as_str().to_owned()),
            network: self.network.map(translate::network),
            wallet: self.wallet,
            created_from: from,
            created_to: to,
        };
        let page = PageRequest {
            limit: self.limit.unwrap_or(LIMIT_DEFAULT),
            cursor: self.cursor.as_ref().map(|c| c.as_str().to_owned()),
        };
        Ok(Search { by, filter, page })
    }

    /// What was searched, as the audit log records it: the key (a PAN or a
    /// phone number by its last four only) and the range.
    pub fn audit_target(&self) -> String {
        let last4_of = |digits: &str| {
            digits
                .get(digits.len().saturating_sub(4)..)
                .unwrap_or_default()
                .to_owned()
        };
        let key = if let Some(pan) = &self.pan {
            Some(format!("pan {}", pan.masked()))
        } else if let Some(card) = &self.card_id {
            Some(format!("cardId {}", card.as_str()))
        } else if let Some(reference) = &self.token_reference {
            Some(format!("tokenReference {}", reference.as_str()))
        } else if let Some(device) = &self.device_id {
            Some(format!("deviceId {}", device.as_str()))
        } else if let (Some(last4), Some(expiry)) = (&self.last4, &self.expiry) {
            Some(format!("last4 ****{last4} expiry {expiry}"))
        } else {
            self.phone_number
                .as_ref()
                .map(|phone| format!("phone ***{}", last4_of(phone.expose())))
        };
        let range = (self.from.is_some() || self.to.is_some()).then(|| {
            format!(
                "created {}..{}",
                self.from.as_deref().unwrap_or_default(),
                self.to.as_deref().unwrap_or_default()
            )
        });
        let text = [key, range]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        // Bounded like every audit target; the parts were validated above.
        text.chars().take(256).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::date;
    use tmp_api::validate::parse;

    use super::*;

    fn request(body: serde_json::Value) -> Result<SearchRequest, Problem> {
        parse(body.to_string().as_bytes())
    }

    const TODAY: Date = date!(2026 - 12 - 01);

    #[test]
    fn each_key_alone_or_a_range_alone_is_a_search() {
        // GIVEN one body per key, and one with only a range
        for body in [
            json!({"pan": "5555555555554444"}),
            json!({"cardId": "card-0001"}),
            json!({"tokenReference": "DWSPMC0001"}),
            json!({"deviceId": "04A5B1C2"}),
            json!({"last4": "4444", "expiry": "12/29"}),
            json!({"phoneNumber": "+44 7700 900123"}),
            json!({"from": "2026-11-01", "to": "2026-11-30", "wallet": "APPLE_PAY"}),
        ] {
            // WHEN it is read THEN it is a search
            let parsed = request(body.clone()).unwrap_or_else(|p| panic!("{body}: {p:?}"));
            assert!(parsed.search(TODAY).is_ok(), "{body}");
        }
    }

    #[test]
    fn a_range_alone_lists_and_defaults_its_end_to_today() {
        let parsed = request(json!({"from": "2026-11-25"})).unwrap();
        let search = parsed.search(TODAY).unwrap();
        assert!(matches!(
            search.by,
            SearchBy::Created { from, to } if from == date!(2026 - 11 - 25) && to == TODAY
        ));
        assert_eq!(search.filter.created_to, Some(TODAY));
    }

    #[test]
    fn a_key_with_a_range_filters_by_it() {
        let parsed =
            request(json!({"cardId": "card-0001", "from": "2026-11-01", "to": "2026-11-02"}))
                .unwrap();
        let search = parsed.search(TODAY).unwrap();
        assert!(matches!(search.by, SearchBy::CardId("card-0001")));
        assert_eq!(search.filter.created_from, Some(date!(2026 - 11 - 01)));
    }

    #[test]
    fn what_the_contract_does_not_allow_is_refused_without_echoing_it() {
        for body in [
            json!({}),
            json!({"cardId": "card-0001", "deviceId": "d1"}),
            json!({"last4": "4444"}),
            json!({"expiry": "12/29"}),
            json!({"last4": "44a4", "expiry": "12/29"}),
            json!({"last4": "4444", "expiry": "13/29"}),
            json!({"last4": "4444", "expiry": "1/29"}),
            json!({"phoneNumber": "07700 900123"}),
            json!({"phoneNumber": "+44 7700 900123", "last4": "4444", "expiry": "12/29"}),
            json!({"to": "2026-11-30"}),
            json!({"cardId": "card-0001", "to": "2026-11-3"}),
            json!({"from": "2026-11-30", "to": "2026-11-01"}),
            json!({"from": "2026-10-01", "to": "2026-11-30"}),
            json!({"from": "2026-02-30"}),
            json!({"from": "2026-11-01", "wallet": "PAYPAL"}),
            json!({"cardId": "card-0001", "limit": 0}),
        ] {
            let problem = request(body.clone())
                .and_then(|r| r.search(TODAY).map(|_| ()))
                .expect_err(&body.to_string());
            assert_eq!(problem.status, 422, "{body}");
            let detail = problem.detail.to_string();
            assert!(
                !detail.contains("7700") && !detail.contains("44a4"),
                "{detail}"
            );
        }
    }

    #[test]
    fn the_audit_names_a_pan_or_a_phone_by_its_last_four_only() {
        let pan = request(json!({"pan": "5555555555554444"})).unwrap();
        assert_eq!(pan.audit_target(), "pan ****4444");
        let phone =
            request(json!({"phoneNumber": "+44 7700 900123", "from": "2026-11-01"})).unwrap();
        assert_eq!(phone.audit_target(), "phone ***0123, created 2026-11-01..");
        let card = request(json!({"last4": "4444", "expiry": "12/29"})).unwrap();
        assert_eq!(card.audit_target(), "last4 ****4444 expiry 12/29");
    }
}
