//! `POST /cards/{cardId}/events`: what happened to a card, which the platform
//! carries to every token of it (202, a job). A replacement card's number
//! travels in the body only and is held as a [`Pan`].

use serde::{Deserialize, Deserializer};
use tmp_core::secret::Pan;
use zeroize::Zeroize;

use crate::Problem;
use crate::validate::{self, Validate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CardEventType {
    Lost,
    Stolen,
    Blocked,
    Unblocked,
    Replaced,
    Renewed,
    Closed,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardEvent {
    #[serde(rename = "type")]
    pub kind: CardEventType,
    #[serde(default, deserialize_with = "pan")]
    pub new_pan: Option<Pan>,
    /// `MM/YY`.
    pub new_expiry: Option<String>,
}

fn pan<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Pan>, D::Error> {
    let mut raw = String::deserialize(deserializer)?;
    let parsed = raw.parse::<Pan>();
    raw.zeroize();
    parsed
        .map(Some)
        .map_err(|_| serde::de::Error::custom("not a valid account number"))
}

impl Validate for CardEvent {
    /// REPLACED needs the new number and expiry, RENEWED the new expiry (a
    /// renewal may also renumber); no other event carries either.
    fn validate(&self) -> Result<(), Problem> {
        let (pan_rule, expiry_rule) = match self.kind {
            CardEventType::Replaced => (Rule::Required, Rule::Required),
            CardEventType::Renewed => (Rule::Optional, Rule::Required),
            _ => (Rule::Forbidden, Rule::Forbidden),
        };
        pan_rule.check("newPan", self.new_pan.is_some())?;
        expiry_rule.check("newExpiry", self.new_expiry.is_some())?;
        if let Some(expiry) = &self.new_expiry {
            validate::expiry("newExpiry", expiry)?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Rule {
    Required,
    Optional,
    Forbidden,
}

impl Rule {
    fn check(self, field: &str, present: bool) -> Result<(), Problem> {
        match (self, present) {
            (Self::Required, false) => Err(Problem::missing(field)),
            (Self::Forbidden, true) => Err(Problem::not_allowed(field)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ProblemKind;
    use crate::validate::parse;

    fn event(body: serde_json::Value) -> Result<CardEvent, Problem> {
        parse(body.to_string().as_bytes())
    }

    #[test]
    fn every_event_type_reads_with_what_it_needs() {
        for body in [
            json!({"type": "LOST"}),
            json!({"type": "STOLEN"}),
            json!({"type": "BLOCKED"}),
            json!({"type": "UNBLOCKED"}),
            json!({"type": "CLOSED"}),
            json!({"type": "REPLACED", "newPan": "5105105105105100", "newExpiry": "09/30"}),
            json!({"type": "RENEWED", "newExpiry": "09/30"}),
            json!({"type": "RENEWED", "newPan": "5105105105105100", "newExpiry": "09/30"}),
        ] {
            assert!(event(body.clone()).is_ok(), "{body}");
        }
        let replaced =
            event(json!({"type": "REPLACED", "newPan": "5105105105105100", "newExpiry": "09/30"}))
                .unwrap();
        assert_eq!(replaced.new_pan.unwrap().last4(), "5100");
    }

    #[test]
    fn missing_forbidden_and_invalid_fields_are_422_without_values() {
        let cases = [
            (json!({}), "type is required"),
            (json!({"type": "MISPLACED"}), "type is not valid"),
            (
                json!({"type": "REPLACED", "newExpiry": "09/30"}),
                "newPan is required",
            ),
            (
                json!({"type": "REPLACED", "newPan": "5105105105105100"}),
                "newExpiry is required",
            ),
            (json!({"type": "RENEWED"}), "newExpiry is required"),
            (
                json!({"type": "LOST", "newPan": "5105105105105100"}),
                "newPan is not allowed in this request",
            ),
            (
                json!({"type": "CLOSED", "newExpiry": "09/30"}),
                "newExpiry is not allowed in this request",
            ),
            (
                json!({"type": "RENEWED", "newExpiry": "13/30"}),
                "newExpiry is not valid",
            ),
            (
                json!({"type": "RENEWED", "newExpiry": "09/2030"}),
                "newExpiry is not valid",
            ),
            (
                json!({"type": "REPLACED", "newPan": "5105105105105101", "newExpiry": "09/30"}),
                "newPan is not valid",
            ),
        ];
        for (body, detail) in cases {
            let problem = event(body.clone()).unwrap_err();
            assert_eq!(
                (problem.kind, problem.detail.as_str()),
                (ProblemKind::InvalidRequest, detail),
                "{body}"
            );
            assert!(!problem.detail.contains("5105") && !problem.detail.contains("13/30"));
        }
        let problem = event(json!({"type": "RENEWED", "newExpiry": 930})).unwrap_err();
        assert_eq!(problem.kind, ProblemKind::MalformedRequest);
    }
}
