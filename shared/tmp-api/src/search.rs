//! `POST /tokens/search`: exactly one selector (`pan`, `cardId`,
//! `tokenReference`, `deviceId`), optional filters, a page. The PAN travels in
//! the body only, is held as a Luhn-checked [`Pan`] from the moment it is
//! read, and is looked up through its keyed fingerprint, never stored.

use serde::{Deserialize, Deserializer, Serialize};
use tmp_core::secret::Pan;
use zeroize::Zeroize;

use crate::Problem;
use crate::ids::{CardId, Cursor, DeviceId, TokenReference, TokenRequestorId};
use crate::token::{Network, TokenStatus, TokenSummary};
use crate::validate::Validate;

pub const LIMIT_MAX: u32 = 100;
pub const LIMIT_DEFAULT: u32 = 25;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchRequest {
    #[serde(default, deserialize_with = "pan")]
    pub pan: Option<Pan>,
    pub card_id: Option<CardId>,
    pub token_reference: Option<TokenReference>,
    pub device_id: Option<DeviceId>,
    pub status: Option<TokenStatus>,
    pub token_requestor_id: Option<TokenRequestorId>,
    pub network: Option<Network>,
    pub limit: Option<u32>,
    pub cursor: Option<Cursor>,
}

/// What a search looks tokens up by.
#[derive(Debug, Clone, Copy)]
pub enum Selector<'a> {
    Pan(&'a Pan),
    CardId(&'a CardId),
    TokenReference(&'a TokenReference),
    DeviceId(&'a DeviceId),
}

/// Reads a PAN straight into [`Pan`]; the transient string is zeroized and
/// the error says nothing of the digits.
pub fn pan<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Pan>, D::Error> {
    let mut raw = String::deserialize(deserializer)?;
    let parsed = raw.parse::<Pan>();
    raw.zeroize();
    parsed
        .map(Some)
        .map_err(|_| serde::de::Error::custom("not a valid account number"))
}

impl Validate for SearchRequest {
    fn validate(&self) -> Result<(), Problem> {
        let selectors = [
            self.pan.is_some(),
            self.card_id.is_some(),
            self.token_reference.is_some(),
            self.device_id.is_some(),
        ];
        if selectors.iter().filter(|s| **s).count() != 1 {
            return Err(Problem::one_selector());
        }
        if let Some(limit) = self.limit
            && !(1..=LIMIT_MAX).contains(&limit)
        {
            return Err(Problem::invalid("limit"));
        }
        Ok(())
    }
}

impl SearchRequest {
    /// The one selector (validated: exactly one is present).
    pub fn selector(&self) -> Option<Selector<'_>> {
        self.pan
            .as_ref()
            .map(Selector::Pan)
            .or_else(|| self.card_id.as_ref().map(Selector::CardId))
            .or_else(|| self.token_reference.as_ref().map(Selector::TokenReference))
            .or_else(|| self.device_id.as_ref().map(Selector::DeviceId))
    }

    pub fn limit_or_default(&self) -> u32 {
        self.limit.unwrap_or(LIMIT_DEFAULT)
    }
}

/// One page of tokens; `nextCursor` is `null` on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResponse {
    pub tokens: Vec<TokenSummary>,
    pub next_cursor: Option<Cursor>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ProblemKind;
    use crate::validate::parse;

    fn search(body: serde_json::Value) -> Result<SearchRequest, Problem> {
        parse(body.to_string().as_bytes())
    }

    #[test]
    fn each_selector_alone_is_accepted() {
        // GIVEN a body per selector, with every filter
        for (selector, value) in [
            ("pan", "5555555555554444"),
            ("cardId", "card-0001"),
            (
                "tokenReference",
                "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45",
            ),
            ("deviceId", "04A5B1C2D3E4F5"),
        ] {
            let body = json!({selector: value, "status": "ACTIVE", "tokenRequestorId": "50110030273",
                              "network": "MASTERCARD", "limit": 100, "cursor": "eyJrIjoxfQ"});
            // WHEN read THEN the selector is that one
            let request = search(body).unwrap();
            let found = match request.selector().unwrap() {
                Selector::Pan(_) => "pan",
                Selector::CardId(_) => "cardId",
                Selector::TokenReference(_) => "tokenReference",
                Selector::DeviceId(_) => "deviceId",
            };
            assert_eq!(found, selector);
        }
    }

    #[test]
    fn zero_or_several_selectors_are_422() {
        for body in [
            json!({}),
            json!({"status": "ACTIVE"}),
            json!({"pan": "5555555555554444", "cardId": "card-0001"}),
            json!({"cardId": "c", "tokenReference": "t", "deviceId": "d"}),
        ] {
            let problem = search(body.clone()).unwrap_err();
            assert_eq!(problem.kind, ProblemKind::InvalidRequest, "{body}");
            assert_eq!(
                problem.detail,
                "Exactly one of pan, cardId, tokenReference and deviceId is required"
            );
            assert!(!problem.detail.contains("4444"));
        }
    }

    #[test]
    fn a_pan_is_luhn_checked_never_echoed_never_printed() {
        // GIVEN a valid PAN
        let request = search(json!({"pan": "5555555555554444"})).unwrap();
        // THEN it is held as a Pan that prints masked
        let debug = format!("{request:?}");
        assert!(debug.contains("****4444") && !debug.contains("5555555555554444"));
        // AND bad PANs are 422 naming only the field
        for bad in [
            "5555555555554445",
            "5555-5555-5555-4444",
            "1234",
            "45555555555555555555",
        ] {
            let problem = search(json!({"pan": bad})).unwrap_err();
            assert_eq!(
                (problem.kind, problem.detail.as_str()),
                (ProblemKind::InvalidRequest, "pan is not valid")
            );
        }
        // AND a PAN of the wrong JSON type is 400
        let problem = search(json!({"pan": 5555555555554444_u64})).unwrap_err();
        assert_eq!(
            (problem.kind, problem.detail.as_str()),
            (ProblemKind::MalformedRequest, "pan has the wrong JSON type")
        );
    }

    #[test]
    fn filters_and_page_are_checked() {
        let cases = [
            (
                json!({"cardId": "c", "limit": 0}),
                ProblemKind::InvalidRequest,
                "limit is not valid",
            ),
            (
                json!({"cardId": "c", "limit": 101}),
                ProblemKind::InvalidRequest,
                "limit is not valid",
            ),
            (
                json!({"cardId": "c", "limit": -1}),
                ProblemKind::InvalidRequest,
                "limit is not valid",
            ),
            (
                json!({"cardId": "c", "limit": "10"}),
                ProblemKind::MalformedRequest,
                "limit has the wrong JSON type",
            ),
            (
                json!({"cardId": "c", "status": "GONE"}),
                ProblemKind::InvalidRequest,
                "status is not valid",
            ),
            (
                json!({"cardId": "c", "network": "MDES"}),
                ProblemKind::InvalidRequest,
                "network is not valid",
            ),
            (
                json!({"cardId": "c", "tokenRequestorId": "123"}),
                ProblemKind::InvalidRequest,
                "tokenRequestorId is not valid",
            ),
            (
                json!({"cardId": "c", "cursor": "a b"}),
                ProblemKind::InvalidRequest,
                "cursor is not valid",
            ),
            (
                json!({"cardId": "c/../../etc"}),
                ProblemKind::InvalidRequest,
                "cardId is not valid",
            ),
            (
                json!({"deviceId": "x".repeat(65)}),
                ProblemKind::InvalidRequest,
                "deviceId is not valid",
            ),
        ];
        for (body, kind, detail) in cases {
            let problem = search(body.clone()).unwrap_err();
            assert_eq!(
                (problem.kind, problem.detail.as_str()),
                (kind, detail),
                "{body}"
            );
        }
        assert_eq!(
            search(json!({"cardId": "c"})).unwrap().limit_or_default(),
            LIMIT_DEFAULT
        );
    }
}
