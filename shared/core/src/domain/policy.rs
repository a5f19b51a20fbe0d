//! Decision rules per token requestor: defaults, with per-requestor overrides
//! (JSON: the deployment's `DECISION_RULES`, or the document an administrator
//! stored, which replaces it as a whole).

use std::collections::HashMap;

use serde::Deserialize;

use crate::domain::decision::DecisionRules;

/// Fields a token requestor override may change; absent ones keep the default.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RulesOverride {
    max_live_tokens_per_card: Option<u32>,
    max_attempts_per_24h: Option<u32>,
    max_card_attempts_per_24h: Option<u32>,
    decline_score_at_or_below: Option<u8>,
    authenticate_score_at_or_below: Option<u8>,
}

impl RulesOverride {
    fn apply(self, base: DecisionRules) -> DecisionRules {
        DecisionRules {
            max_live_tokens_per_card: self
                .max_live_tokens_per_card
                .unwrap_or(base.max_live_tokens_per_card),
            max_attempts_per_24h: self
                .max_attempts_per_24h
                .unwrap_or(base.max_attempts_per_24h),
            max_card_attempts_per_24h: self
                .max_card_attempts_per_24h
                .unwrap_or(base.max_card_attempts_per_24h),
            decline_score_at_or_below: self
                .decline_score_at_or_below
                .unwrap_or(base.decline_score_at_or_below),
            authenticate_score_at_or_below: self
                .authenticate_score_at_or_below
                .unwrap_or(base.authenticate_score_at_or_below),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PolicyDocument {
    #[serde(default)]
    default: RulesOverride,
    #[serde(default)]
    token_requestors: HashMap<String, RulesOverride>,
}

#[derive(Debug, thiserror::Error)]
#[error("decision rules configuration is invalid: {0}")]
pub struct PolicyError(String);

/// The rules in force: defaults, then per token requestor id (11 digits).
#[derive(Debug, Clone, Default)]
pub struct DecisionPolicy {
    default: DecisionRules,
    per_token_requestor: HashMap<String, DecisionRules>,
}

impl DecisionPolicy {
    /// Parses `{"default": {...}, "tokenRequestors": {"50110030273": {...}}}`.
    pub fn from_json(json: &str) -> Result<Self, PolicyError> {
        let doc: PolicyDocument =
            serde_json::from_str(json).map_err(|e| PolicyError(e.to_string()))?;
        let default = doc.default.apply(DecisionRules::default());
        // The caller names the token requestor: a card-wide limit that one
        // requestor could lift would be no limit at all.
        if let Some(id) = doc
            .token_requestors
            .iter()
            .find_map(|(id, o)| o.max_card_attempts_per_24h.map(|_| id))
        {
            return Err(PolicyError(format!(
                "maxCardAttemptsPer24h applies to every token requestor: set it under default, not {id}"
            )));
        }
        if let Some(id) = doc
            .token_requestors
            .keys()
            .find(|id| id.len() != 11 || !id.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(PolicyError(format!(
                "token requestor ids are 11 digits: {} is not one",
                id.chars().take(16).collect::<String>()
            )));
        }
        let per_token_requestor = doc
            .token_requestors
            .into_iter()
            .map(|(id, o)| (id, o.apply(default)))
            .collect();
        Ok(Self {
            default,
            per_token_requestor,
        })
    }

    /// The rules in force as a document `from_json` reads back: the
    /// default in full, and each token requestor's (all but the card-wide
    /// limit, which is the default's).
    pub fn document(&self) -> serde_json::Value {
        let mut requestors: Vec<(&String, &DecisionRules)> =
            self.per_token_requestor.iter().collect();
        requestors.sort_by_key(|(id, _)| id.as_str());
        serde_json::json!({
            "default": self.default,
            "tokenRequestors": requestors
                .into_iter()
                .map(|(id, rules)| {
                    let mut rules = serde_json::json!(rules);
                    // Card-wide: only the default may set it (from_json refuses it here).
                    if let Some(fields) = rules.as_object_mut() {
                        fields.remove("maxCardAttemptsPer24h");
                    }
                    (id.clone(), rules)
                })
                .collect::<serde_json::Map<_, _>>(),
        })
    }

    /// The administrator's document when there is one (checked when it was
    /// stored), else this policy.
    pub fn with_stored(&self, stored: Option<&str>) -> std::borrow::Cow<'_, Self> {
        match stored.map(Self::from_json) {
            Some(Ok(policy)) => std::borrow::Cow::Owned(policy),
            Some(Err(err)) => {
                tracing::error!(error = %err, "stored decision rules unreadable: the deployment's apply");
                std::borrow::Cow::Borrowed(self)
            }
            None => std::borrow::Cow::Borrowed(self),
        }
    }

    pub fn rules_for(&self, token_requestor_id: Option<&str>) -> DecisionRules {
        token_requestor_id
            .and_then(|id| self.per_token_requestor.get(id))
            .copied()
            .unwrap_or(self.default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_layer_on_defaults() {
        // GIVEN a stricter default velocity and one token requestor with fewer tokens
        let policy = DecisionPolicy::from_json(
            r#"{"default":{"maxAttemptsPer24h":3},
                "tokenRequestors":{"50110030273":{"maxLiveTokensPerCard":2}}}"#,
        )
        .unwrap();
        // THEN the requestor inherits the default velocity and keeps its own limit
        let tr = policy.rules_for(Some("50110030273"));
        assert_eq!(
            (tr.max_attempts_per_24h, tr.max_live_tokens_per_card),
            (3, 2)
        );
        let other = policy.rules_for(Some("99999999999"));
        assert_eq!(
            (other.max_attempts_per_24h, other.max_live_tokens_per_card),
            (3, 10)
        );
        assert_eq!(policy.rules_for(None).authenticate_score_at_or_below, 3);
    }

    #[test]
    fn the_document_reads_back_as_the_same_policy() {
        let policy = DecisionPolicy::from_json(
            r#"{"default":{"maxCardAttemptsPer24h":7},
                "tokenRequestors":{"50110030273":{"maxLiveTokensPerCard":2}}}"#,
        )
        .unwrap();
        let again = DecisionPolicy::from_json(&policy.document().to_string()).unwrap();
        for id in [Some("50110030273"), Some("99999999999"), None] {
            assert_eq!(again.rules_for(id), policy.rules_for(id), "{id:?}");
        }
    }

    #[test]
    fn typos_are_rejected_not_ignored() {
        assert!(DecisionPolicy::from_json(r#"{"default":{"maxAttempts":3}}"#).is_err());
    }

    #[test]
    fn the_card_wide_limit_is_set_once_for_every_requestor() {
        let policy =
            DecisionPolicy::from_json(r#"{"default":{"maxCardAttemptsPer24h":7}}"#).unwrap();
        assert_eq!(
            policy
                .rules_for(Some("50110030273"))
                .max_card_attempts_per_24h,
            7
        );
        let err = DecisionPolicy::from_json(
            r#"{"tokenRequestors":{"50110030273":{"maxCardAttemptsPer24h":99}}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("maxCardAttemptsPer24h"), "{err}");
    }
}
