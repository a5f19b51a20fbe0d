//! `GET` and `PUT /admin-api/v1/decision-rules` (administrators): the rules
//! in force as a document (the default and each token requestor's, every
//! threshold explicit), their version and who set them; a replacement names
//! the version it was made from.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use tmp_api::Problem;
use tmp_api::validate::Validate;
use tmp_core::usecases::decision_rules::RulesInForce;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesView {
    /// 0 while the deployment's rules apply.
    pub version: u64,
    /// `DEPLOYMENT` (the stack's `DecisionRules`) or `ADMIN` (stored here).
    pub source: &'static str,
    pub rules: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

pub fn view(rules: &RulesInForce) -> RulesView {
    RulesView {
        version: rules.version,
        source: if rules.version == 0 {
            "DEPLOYMENT"
        } else {
            "ADMIN"
        },
        rules: rules.policy.document(),
        updated_by: rules.updated_by.clone(),
        updated_at: rules.updated_at.and_then(|at| at.format(&Rfc3339).ok()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplaceRules {
    /// The version the new rules were made from.
    pub version: u64,
    pub rules: serde_json::Value,
}

/// The most token requestors a document may name: authorization reads the
/// whole document with every card, so it stays small.
pub const MAX_TOKEN_REQUESTORS: usize = 200;

impl Validate for ReplaceRules {
    fn validate(&self) -> Result<(), Problem> {
        if !self.rules.is_object() {
            return Err(Problem::invalid("rules"));
        }
        let requestors = self
            .rules
            .get("tokenRequestors")
            .and_then(serde_json::Value::as_object)
            .map_or(0, serde_json::Map::len);
        if requestors > MAX_TOKEN_REQUESTORS {
            return Err(Problem::length("rules.tokenRequestors"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tmp_api::validate::parse;

    use super::*;

    #[test]
    fn a_document_naming_too_many_token_requestors_is_refused() {
        let many: serde_json::Map<String, serde_json::Value> = (0..=MAX_TOKEN_REQUESTORS)
            .map(|n| (format!("{n:011}"), json!({"maxLiveTokensPerCard": 1})))
            .collect();
        let body = json!({"version": 0, "rules": {"tokenRequestors": many}});
        let problem = parse::<ReplaceRules>(body.to_string().as_bytes()).unwrap_err();
        assert_eq!(problem.status, 422);
        let fewer = json!({"version": 0, "rules": {"tokenRequestors": {"50110030273": {}}}});
        assert!(parse::<ReplaceRules>(fewer.to_string().as_bytes()).is_ok());
        let not_a_document = json!({"version": 0, "rules": [1]});
        assert!(parse::<ReplaceRules>(not_a_document.to_string().as_bytes()).is_err());
    }
}
