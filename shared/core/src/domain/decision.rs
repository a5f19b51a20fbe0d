//! The tokenization decision engine: pure, ordered rules, every rule's inputs
//! and result kept so a decision can be explained to the issuer's risk team.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::card::{CardStatus, CvcResult};

/// The three answers MDES and VTS understand (green, yellow/orange, red).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Decision {
    Approved,
    RequireAdditionalAuthentication,
    Declined,
}

/// Thresholds of the default rules; overridable per token requestor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DecisionRules {
    /// Live tokens (neither declined nor deleted) per card at which we decline.
    pub max_live_tokens_per_card: u32,
    /// Authorization attempts per card and token requestor allowed in 24 h.
    pub max_attempts_per_24h: u32,
    /// Authorization attempts per card, whatever the requestor, allowed in 24 h
    /// (the requestor is the caller's choice: this bounds CVC and PAN guessing).
    pub max_card_attempts_per_24h: u32,
    /// Wallet device/account score at or below which we decline.
    pub decline_score_at_or_below: u8,
    /// Wallet device/account score at or below which we ask for authentication.
    pub authenticate_score_at_or_below: u8,
}

impl Default for DecisionRules {
    fn default() -> Self {
        Self {
            max_live_tokens_per_card: 10,
            max_attempts_per_24h: 5,
            max_card_attempts_per_24h: 10,
            decline_score_at_or_below: 1,
            authenticate_score_at_or_below: 3,
        }
    }
}

/// What the issuer said about the card, reduced to what the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardFacts {
    pub known: bool,
    pub status: Option<CardStatus>,
    pub expiry_match: bool,
    pub cvc_supplied: bool,
    pub cvc_result: CvcResult,
}

/// The wallet provider's opinion (MDES `walletProviderDecisioningInfo`;
/// Visa `walletProviderRiskAssessment` and scores), and the network's own
/// where it gives one (Visa `visaTokenDecisioning`, `visaTokenScore`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletAdvice {
    pub recommended_decision: Option<Decision>,
    pub device_score: Option<u8>,
    pub account_score: Option<u8>,
    /// The network's recommendation: a decline or step-up it asks for is
    /// never overridden by a confident wallet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_recommendation: Option<Decision>,
    /// The network's risk score (Visa 00–99), recorded, not decided on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_score: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionInputs {
    pub card: CardFacts,
    /// False when the issuer was not asked (velocity declined first): the card
    /// rules are then not evaluated.
    pub issuer_asked: bool,
    /// The token reference is already another card's, or its token is deleted
    /// or declined: it can never be (re)authorized.
    pub token_conflict: bool,
    /// Our own count of this card's live tokens, before this request.
    pub live_tokens: u32,
    /// Attempts for this card and token requestor in the last 24 h, this one included.
    pub attempts_24h: u32,
    /// Attempts for this card in the last 24 h, whatever the requestor, this one included.
    pub card_attempts_24h: u32,
    pub wallet: WalletAdvice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleId {
    TokenReference,
    Velocity,
    CardVelocity,
    CardStatus,
    CardDataMatch,
    TokenLimit,
    WalletRiskDecline,
    WalletRiskAuthenticate,
    Approve,
}

/// The verdict of one rule: pass, or the decision it forces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleVerdict {
    Pass,
    /// Not evaluated: an earlier rule declined before the issuer was asked.
    NotEvaluated,
    Decline,
    Authenticate,
    Approve,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleOutcome {
    pub rule: RuleId,
    pub inputs: BTreeMap<String, String>,
    pub verdict: RuleVerdict,
}

/// The decision with its full explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionRecord {
    pub decision: Decision,
    pub decided_by: RuleId,
    pub rules: Vec<RuleOutcome>,
    pub thresholds: DecisionRules,
}

fn inputs<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn opt<T: std::fmt::Debug>(value: Option<T>) -> String {
    value.map_or_else(|| "absent".to_owned(), |v| format!("{v:?}"))
}

fn score_at_or_below(score: Option<u8>, limit: u8) -> bool {
    score.is_some_and(|s| s <= limit)
}

/// Whether the velocity rules decline before the issuer is asked: counted
/// first, so a guessing caller learns nothing about the card past the limit.
pub fn velocity_exceeded(rules: &DecisionRules, attempts_24h: u32, card_attempts_24h: u32) -> bool {
    attempts_24h > rules.max_attempts_per_24h || card_attempts_24h > rules.max_card_attempts_per_24h
}

/// Evaluates every rule in order; the first rule that does not pass decides.
pub fn decide(rules: &DecisionRules, facts: &DecisionInputs) -> DecisionRecord {
    let asked = facts.issuer_asked;
    let card = &facts.card;
    let wallet = &facts.wallet;

    let card_ok = card.known && card.status == Some(CardStatus::Active);
    let cvc_bad = card.cvc_supplied && card.cvc_result == CvcResult::Mismatch;
    let recommends = |decision: Decision| {
        wallet.recommended_decision == Some(decision)
            || wallet.network_recommendation == Some(decision)
    };
    let wallet_declines = recommends(Decision::Declined)
        || score_at_or_below(wallet.device_score, rules.decline_score_at_or_below)
        || score_at_or_below(wallet.account_score, rules.decline_score_at_or_below);
    let wallet_doubts = recommends(Decision::RequireAdditionalAuthentication)
        || score_at_or_below(wallet.device_score, rules.authenticate_score_at_or_below)
        || score_at_or_below(wallet.account_score, rules.authenticate_score_at_or_below);

    let verdict = |fails: bool, when_fails: RuleVerdict| {
        if fails { when_fails } else { RuleVerdict::Pass }
    };
    let wallet_inputs = |limit: u8| {
        let mut all = inputs([
            ("recommendedDecision", opt(wallet.recommended_decision)),
            ("deviceScore", opt(wallet.device_score)),
            ("accountScore", opt(wallet.account_score)),
            ("scoreAtOrBelow", limit.to_string()),
        ]);
        // Only networks that advise (Visa) show these: MDES records stay as they were.
        if let Some(recommendation) = wallet.network_recommendation {
            all.insert(
                "networkRecommendation".to_owned(),
                format!("{recommendation:?}"),
            );
        }
        if let Some(score) = wallet.network_score {
            all.insert("networkScore".to_owned(), score.to_string());
        }
        all
    };

    // The issuer's rules are not evaluated when it was not asked.
    let issuer_verdict = |fails: bool| {
        if asked {
            verdict(fails, RuleVerdict::Decline)
        } else {
            RuleVerdict::NotEvaluated
        }
    };
    let outcomes = vec![
        RuleOutcome {
            rule: RuleId::TokenReference,
            inputs: inputs([("referenceUsable", (!facts.token_conflict).to_string())]),
            verdict: verdict(facts.token_conflict, RuleVerdict::Decline),
        },
        RuleOutcome {
            rule: RuleId::Velocity,
            inputs: inputs([
                ("attemptsIn24h", facts.attempts_24h.to_string()),
                ("limit", rules.max_attempts_per_24h.to_string()),
            ]),
            verdict: verdict(
                facts.attempts_24h > rules.max_attempts_per_24h,
                RuleVerdict::Decline,
            ),
        },
        RuleOutcome {
            rule: RuleId::CardVelocity,
            inputs: inputs([
                ("cardAttemptsIn24h", facts.card_attempts_24h.to_string()),
                ("limit", rules.max_card_attempts_per_24h.to_string()),
            ]),
            verdict: verdict(
                facts.card_attempts_24h > rules.max_card_attempts_per_24h,
                RuleVerdict::Decline,
            ),
        },
        RuleOutcome {
            rule: RuleId::CardStatus,
            inputs: inputs([
                ("cardKnown", card.known.to_string()),
                ("cardStatus", opt(card.status)),
            ]),
            verdict: issuer_verdict(!card_ok),
        },
        RuleOutcome {
            rule: RuleId::CardDataMatch,
            inputs: inputs([
                ("expiryMatch", card.expiry_match.to_string()),
                ("cvcSupplied", card.cvc_supplied.to_string()),
                ("cvcResult", format!("{:?}", card.cvc_result)),
            ]),
            verdict: issuer_verdict(card.known && (!card.expiry_match || cvc_bad)),
        },
        RuleOutcome {
            rule: RuleId::TokenLimit,
            inputs: inputs([
                ("liveTokens", facts.live_tokens.to_string()),
                ("limit", rules.max_live_tokens_per_card.to_string()),
            ]),
            verdict: verdict(
                facts.live_tokens >= rules.max_live_tokens_per_card,
                RuleVerdict::Decline,
            ),
        },
        RuleOutcome {
            rule: RuleId::WalletRiskDecline,
            inputs: wallet_inputs(rules.decline_score_at_or_below),
            verdict: verdict(wallet_declines, RuleVerdict::Decline),
        },
        RuleOutcome {
            rule: RuleId::WalletRiskAuthenticate,
            inputs: wallet_inputs(rules.authenticate_score_at_or_below),
            verdict: verdict(wallet_doubts, RuleVerdict::Authenticate),
        },
        RuleOutcome {
            rule: RuleId::Approve,
            inputs: BTreeMap::new(),
            verdict: RuleVerdict::Approve,
        },
    ];

    let deciding = outcomes
        .iter()
        .find(|o| !matches!(o.verdict, RuleVerdict::Pass | RuleVerdict::NotEvaluated))
        .map_or((RuleId::Approve, RuleVerdict::Approve), |o| {
            (o.rule, o.verdict)
        });
    let decision = match deciding.1 {
        RuleVerdict::Decline => Decision::Declined,
        RuleVerdict::Authenticate => Decision::RequireAdditionalAuthentication,
        RuleVerdict::Pass | RuleVerdict::NotEvaluated | RuleVerdict::Approve => Decision::Approved,
    };
    DecisionRecord {
        decision,
        decided_by: deciding.0,
        rules: outcomes,
        thresholds: *rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn green() -> DecisionInputs {
        DecisionInputs {
            card: CardFacts {
                known: true,
                status: Some(CardStatus::Active),
                expiry_match: true,
                cvc_supplied: true,
                cvc_result: CvcResult::Match,
            },
            issuer_asked: true,
            token_conflict: false,
            live_tokens: 0,
            attempts_24h: 1,
            card_attempts_24h: 1,
            wallet: WalletAdvice {
                recommended_decision: Some(Decision::Approved),
                device_score: Some(5),
                account_score: Some(5),
                ..WalletAdvice::default()
            },
        }
    }

    fn decided(facts: DecisionInputs) -> (Decision, RuleId) {
        let record = decide(&DecisionRules::default(), &facts);
        (record.decision, record.decided_by)
    }

    #[test]
    fn clean_request_is_approved_and_explained() {
        // GIVEN an active card, matching data, trusted wallet
        let record = decide(&DecisionRules::default(), &green());
        // THEN green, and every rule's verdict is recorded
        assert_eq!(record.decision, Decision::Approved);
        assert_eq!(record.decided_by, RuleId::Approve);
        assert_eq!(record.rules.len(), 9);
        assert_eq!(record.rules[5].inputs["liveTokens"], "0");
    }

    #[test]
    fn unknown_or_inactive_card_is_declined_first() {
        let mut facts = green();
        facts.card.known = false;
        facts.card.status = None;
        assert_eq!(decided(facts), (Decision::Declined, RuleId::CardStatus));
        for status in [
            CardStatus::Blocked,
            CardStatus::Lost,
            CardStatus::Stolen,
            CardStatus::Expired,
            CardStatus::Closed,
        ] {
            let mut facts = green();
            facts.card.status = Some(status);
            assert_eq!(
                decided(facts),
                (Decision::Declined, RuleId::CardStatus),
                "{status:?}"
            );
        }
    }

    #[test]
    fn expiry_or_cvc_mismatch_declines_but_missing_cvc_does_not() {
        let mut facts = green();
        facts.card.expiry_match = false;
        assert_eq!(decided(facts), (Decision::Declined, RuleId::CardDataMatch));

        let mut facts = green();
        facts.card.cvc_result = CvcResult::Mismatch;
        assert_eq!(decided(facts), (Decision::Declined, RuleId::CardDataMatch));

        let mut facts = green();
        facts.card.cvc_supplied = false;
        facts.card.cvc_result = CvcResult::NotChecked;
        assert_eq!(decided(facts), (Decision::Approved, RuleId::Approve));
    }

    #[test]
    fn tenth_live_token_is_the_limit() {
        let mut facts = green();
        facts.live_tokens = 9;
        assert_eq!(decided(facts).0, Decision::Approved);
        facts.live_tokens = 10;
        assert_eq!(decided(facts), (Decision::Declined, RuleId::TokenLimit));
    }

    #[test]
    fn sixth_attempt_in_a_day_is_declined() {
        let mut facts = green();
        facts.attempts_24h = 5;
        assert_eq!(decided(facts).0, Decision::Approved);
        facts.attempts_24h = 6;
        assert_eq!(decided(facts), (Decision::Declined, RuleId::Velocity));
    }

    #[test]
    fn wallet_scores_drive_red_and_yellow() {
        let cases = [
            (
                Some(Decision::Declined),
                Some(5),
                Some(5),
                Decision::Declined,
            ),
            (None, Some(1), Some(5), Decision::Declined),
            (None, Some(5), Some(1), Decision::Declined),
            (
                Some(Decision::RequireAdditionalAuthentication),
                Some(5),
                Some(5),
                Decision::RequireAdditionalAuthentication,
            ),
            (
                None,
                Some(3),
                Some(5),
                Decision::RequireAdditionalAuthentication,
            ),
            (
                None,
                Some(4),
                Some(2),
                Decision::RequireAdditionalAuthentication,
            ),
            (None, Some(4), Some(4), Decision::Approved),
            (None, None, None, Decision::Approved),
        ];
        for (recommended, device, account, expected) in cases {
            let mut facts = green();
            facts.wallet = WalletAdvice {
                recommended_decision: recommended,
                device_score: device,
                account_score: account,
                ..WalletAdvice::default()
            };
            assert_eq!(
                decided(facts).0,
                expected,
                "{recommended:?} {device:?} {account:?}"
            );
        }
    }

    #[test]
    fn thresholds_are_configurable() {
        let strict = DecisionRules {
            max_attempts_per_24h: 2,
            ..DecisionRules::default()
        };
        let mut facts = green();
        facts.attempts_24h = 3;
        assert_eq!(decide(&strict, &facts).decision, Decision::Declined);
        assert_eq!(
            decide(&DecisionRules::default(), &facts).decision,
            Decision::Approved
        );
    }

    #[test]
    fn velocity_declines_before_the_issuer_is_asked() {
        // GIVEN an eleventh attempt on the card in 24 h, across requestors
        let mut facts = green();
        facts.card_attempts_24h = 11;
        let rules = DecisionRules::default();
        assert!(velocity_exceeded(
            &rules,
            facts.attempts_24h,
            facts.card_attempts_24h
        ));
        // WHEN decided without asking the issuer
        facts.issuer_asked = false;
        let record = decide(&rules, &facts);
        // THEN declined by the card-wide rule, the card rules not evaluated
        assert_eq!(
            (record.decision, record.decided_by),
            (Decision::Declined, RuleId::CardVelocity)
        );
        let card_rule = record
            .rules
            .iter()
            .find(|r| r.rule == RuleId::CardStatus)
            .unwrap();
        assert_eq!(card_rule.verdict, RuleVerdict::NotEvaluated);
        // AND within both limits nothing is exceeded
        assert!(!velocity_exceeded(&rules, 5, 10));
        assert!(velocity_exceeded(&rules, 6, 1));
    }

    #[test]
    fn a_network_decline_or_step_up_is_never_overridden_by_a_confident_wallet() {
        for (network, expected) in [
            (Decision::Declined, Decision::Declined),
            (
                Decision::RequireAdditionalAuthentication,
                Decision::RequireAdditionalAuthentication,
            ),
            (Decision::Approved, Decision::Approved),
        ] {
            // GIVEN a green card and wallet, and the network's own advice
            let mut facts = green();
            facts.wallet.network_recommendation = Some(network);
            facts.wallet.network_score = Some(42);
            // WHEN decided
            let record = decide(&DecisionRules::default(), &facts);
            // THEN the network's advice counts, and the record shows it
            assert_eq!(record.decision, expected, "{network:?}");
            let wallet_rule = record
                .rules
                .iter()
                .find(|r| r.rule == RuleId::WalletRiskDecline)
                .unwrap();
            assert_eq!(
                wallet_rule.inputs["networkRecommendation"],
                format!("{network:?}")
            );
            assert_eq!(wallet_rule.inputs["networkScore"], "42");
        }
        // AND without network advice the record has no such inputs (MDES records unchanged)
        let record = decide(&DecisionRules::default(), &green());
        assert!(
            record
                .rules
                .iter()
                .all(|r| !r.inputs.contains_key("networkRecommendation"))
        );
    }
}
