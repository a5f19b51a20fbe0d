//! The tokenization decision in words an agent can read out to the
//! cardholder ("Declined: the card is reported lost."), one sentence per
//! rule from the inputs it recorded, and one for the decision. The words are
//! ours; the rules and inputs are the core's (`domain::decision`).

use std::collections::BTreeMap;

use serde::Serialize;
use tmp_core::domain::decision::{Decision, DecisionRecord, RuleId, RuleOutcome, RuleVerdict};

/// One rule, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionStep {
    pub rule: String,
    pub verdict: tmp_api::token::RuleVerdict,
    pub explanation: String,
    pub inputs: BTreeMap<String, String>,
}

/// The decision, its one-sentence summary and every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionTrail {
    pub decision: tmp_api::token::DecisionOutcome,
    pub summary: String,
    pub steps: Vec<DecisionStep>,
}

fn input<'a>(rule: &'a RuleOutcome, name: &str) -> &'a str {
    rule.inputs.get(name).map_or("unknown", String::as_str)
}

/// A card status as the core records it (`Lost`, `Blocked` …), in words.
fn card_status(status: &str) -> &'static str {
    match status {
        "Lost" => "reported lost",
        "Stolen" => "reported stolen",
        "Blocked" => "blocked",
        "Expired" => "expired",
        "Closed" => "closed",
        "Active" => "active",
        _ => "not active",
    }
}

fn wallet_reason(rule: &RuleOutcome, authenticate: bool) -> String {
    let recommended = input(rule, "recommendedDecision");
    let network = rule.inputs.get("networkRecommendation").map(String::as_str);
    let wanted = if authenticate {
        "RequireAdditionalAuthentication"
    } else {
        "Declined"
    };
    if recommended == wanted {
        return format!(
            "the wallet recommends {}",
            if authenticate {
                "extra verification"
            } else {
                "declining"
            }
        );
    }
    if network == Some(wanted) {
        return format!(
            "the network recommends {}",
            if authenticate {
                "extra verification"
            } else {
                "declining"
            }
        );
    }
    let limit = input(rule, "scoreAtOrBelow");
    let low = |name: &str| {
        rule.inputs
            .get(name)
            .and_then(|s| s.parse::<u8>().ok())
            .zip(limit.parse::<u8>().ok())
            .is_some_and(|(score, limit)| score <= limit)
    };
    if low("deviceScore") {
        format!(
            "the wallet's device score was {}",
            input(rule, "deviceScore")
        )
    } else if low("accountScore") {
        format!(
            "the wallet's account score was {}",
            input(rule, "accountScore")
        )
    } else {
        "the wallet's advice".to_owned()
    }
}

/// One rule's sentence.
pub fn explain(rule: &RuleOutcome) -> String {
    use RuleVerdict::{Approve, Authenticate, Decline, NotEvaluated, Pass};
    if rule.verdict == NotEvaluated {
        return "Not checked: an earlier rule declined before the issuer was asked.".to_owned();
    }
    match (rule.rule, rule.verdict) {
        (RuleId::TokenReference, Decline) => {
            "Declined: the token reference belongs to another card, or its token was deleted or declined."
                .to_owned()
        }
        (RuleId::TokenReference, _) => "The token reference is new, or already this card's.".to_owned(),
        (RuleId::Velocity, Decline) => format!(
            "Declined: {} attempts for this card and wallet in 24 hours, over the limit of {}.",
            input(rule, "attemptsIn24h"),
            input(rule, "limit")
        ),
        (RuleId::Velocity, _) => format!(
            "{} attempt(s) for this card and wallet in 24 hours (limit {}).",
            input(rule, "attemptsIn24h"),
            input(rule, "limit")
        ),
        (RuleId::CardVelocity, Decline) => format!(
            "Declined: {} attempts for this card from all wallets in 24 hours, over the limit of {}.",
            input(rule, "cardAttemptsIn24h"),
            input(rule, "limit")
        ),
        (RuleId::CardVelocity, _) => format!(
            "{} attempt(s) for this card from all wallets in 24 hours (limit {}).",
            input(rule, "cardAttemptsIn24h"),
            input(rule, "limit")
        ),
        (RuleId::CardStatus, Decline) if input(rule, "cardKnown") == "false" => {
            "Declined: the issuer does not know the card.".to_owned()
        }
        (RuleId::CardStatus, Decline) => format!(
            "Declined: the card is {}.",
            card_status(input(rule, "cardStatus"))
        ),
        (RuleId::CardStatus, _) => "The issuer knows the card and it is active.".to_owned(),
        (RuleId::CardDataMatch, Decline) if input(rule, "expiryMatch") == "false" => {
            "Declined: the expiry date entered does not match the card.".to_owned()
        }
        (RuleId::CardDataMatch, Decline) => {
            "Declined: the security code (CVC2) entered does not match the card.".to_owned()
        }
        (RuleId::CardDataMatch, _) => match input(rule, "cvcResult") {
            "Match" => "The expiry date and the security code match the card.".to_owned(),
            _ => "The expiry date matches the card.".to_owned(),
        },
        (RuleId::TokenLimit, Decline) => format!(
            "Declined: the card already has {} live tokens (limit {}).",
            input(rule, "liveTokens"),
            input(rule, "limit")
        ),
        (RuleId::TokenLimit, _) => format!(
            "The card had {} live token(s) (limit {}).",
            input(rule, "liveTokens"),
            input(rule, "limit")
        ),
        (RuleId::WalletRiskDecline, Decline) => {
            format!("Declined: {}.", wallet_reason(rule, false))
        }
        (RuleId::WalletRiskDecline, _) => "The wallet's risk advice does not decline.".to_owned(),
        (RuleId::WalletRiskAuthenticate, Authenticate) => {
            format!("Extra verification: {}.", wallet_reason(rule, true))
        }
        (RuleId::WalletRiskAuthenticate, _) => {
            "The wallet's risk advice asks for no extra verification.".to_owned()
        }
        (RuleId::Approve, Approve | Pass) => "Approved: every check passed.".to_owned(),
        (_, _) => "Checked.".to_owned(),
    }
}

fn wire_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn verdict(verdict: RuleVerdict) -> tmp_api::token::RuleVerdict {
    use tmp_api::token::RuleVerdict as Wire;
    match verdict {
        RuleVerdict::Pass => Wire::Pass,
        RuleVerdict::NotEvaluated => Wire::NotEvaluated,
        RuleVerdict::Decline => Wire::Decline,
        RuleVerdict::Authenticate => Wire::Authenticate,
        RuleVerdict::Approve => Wire::Approve,
    }
}

/// The whole trail: the deciding rule's sentence is the summary.
pub fn trail(record: &DecisionRecord) -> DecisionTrail {
    use tmp_api::token::DecisionOutcome;
    let summary = record
        .rules
        .iter()
        .find(|r| r.rule == record.decided_by)
        .map_or_else(|| "Approved: every check passed.".to_owned(), explain);
    DecisionTrail {
        decision: match record.decision {
            Decision::Approved => DecisionOutcome::Approved,
            Decision::RequireAdditionalAuthentication => {
                DecisionOutcome::RequireAdditionalAuthentication
            }
            Decision::Declined => DecisionOutcome::Declined,
        },
        summary,
        steps: record
            .rules
            .iter()
            .map(|rule| DecisionStep {
                rule: wire_name(&rule.rule),
                verdict: verdict(rule.verdict),
                explanation: explain(rule),
                inputs: rule.inputs.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(rule: RuleId, verdict: RuleVerdict, inputs: &[(&str, &str)]) -> RuleOutcome {
        RuleOutcome {
            rule,
            verdict,
            inputs: inputs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn a_decline_reads_as_the_agent_would_say_it() {
        assert_eq!(
            explain(&rule(
                RuleId::CardStatus,
                RuleVerdict::Decline,
                &[("cardKnown", "true"), ("cardStatus", "Lost")]
            )),
            "Declined: the card is reported lost."
        );
        assert_eq!(
            explain(&rule(
                RuleId::CardStatus,
                RuleVerdict::Decline,
                &[("cardKnown", "false"), ("cardStatus", "absent")]
            )),
            "Declined: the issuer does not know the card."
        );
        assert_eq!(
            explain(&rule(
                RuleId::TokenLimit,
                RuleVerdict::Decline,
                &[("liveTokens", "10"), ("limit", "10")]
            )),
            "Declined: the card already has 10 live tokens (limit 10)."
        );
    }

    #[test]
    fn extra_verification_names_the_score_that_asked_for_it() {
        let scores = [
            ("recommendedDecision", "Approved"),
            ("deviceScore", "2"),
            ("accountScore", "5"),
            ("scoreAtOrBelow", "3"),
        ];
        assert_eq!(
            explain(&rule(
                RuleId::WalletRiskAuthenticate,
                RuleVerdict::Authenticate,
                &scores
            )),
            "Extra verification: the wallet's device score was 2."
        );
        let recommended = [
            ("recommendedDecision", "RequireAdditionalAuthentication"),
            ("deviceScore", "5"),
            ("accountScore", "5"),
            ("scoreAtOrBelow", "3"),
        ];
        assert_eq!(
            explain(&rule(
                RuleId::WalletRiskAuthenticate,
                RuleVerdict::Authenticate,
                &recommended
            )),
            "Extra verification: the wallet recommends extra verification."
        );
        assert!(
            explain(&rule(RuleId::CardStatus, RuleVerdict::NotEvaluated, &[]))
                .starts_with("Not checked")
        );
    }
}
