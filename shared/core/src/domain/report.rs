//! What the issuer's reports count: each tokenization decision by its path
//! (green / yellow / orange / red) per UTC day, network and token
//! requestor; each token's first activation, on the day it was requested;
//! and the tokens active now. Counts are kept as they happen (from the
//! table's stream), never recomputed from the tokens.

use time::{Date, Duration};

use crate::domain::Network;
use crate::domain::decision::Decision;
use crate::domain::verification::{ActivationMethod, ActivationMethodKind};
use crate::domain::wallet::Wallet;

/// A day's `abandoned` count is final this many days after it.
pub const SETTLE_DAYS: i64 = 7;

/// The path a tokenization request took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DecisionPath {
    /// Approved.
    Green,
    /// Additional authentication with a code the cardholder can receive.
    Yellow,
    /// Additional authentication through the call centre only.
    Orange,
    /// Declined.
    Red,
}

impl DecisionPath {
    pub const ALL: [Self; 4] = [Self::Green, Self::Yellow, Self::Orange, Self::Red];

    /// The path of a decision, from the activation methods it offered.
    pub fn of(decision: Decision, methods: &[ActivationMethod]) -> Self {
        match decision {
            Decision::Approved => Self::Green,
            Decision::Declined => Self::Red,
            Decision::RequireAdditionalAuthentication
                if methods.iter().any(|m| {
                    matches!(
                        m.kind,
                        ActivationMethodKind::Sms | ActivationMethodKind::Email
                    )
                }) =>
            {
                Self::Yellow
            }
            Decision::RequireAdditionalAuthentication => Self::Orange,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Orange => "orange",
            Self::Red => "red",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }
}

/// A funnel row's key: the day a request was decided, its network and token
/// requestor (`None` when the network named none).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FunnelKey {
    pub day: Date,
    pub network: Network,
    pub token_requestor_id: Option<String>,
}

/// One decision, as the funnel counts it (once, by `id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionFact {
    /// Unique per decision (its token and request).
    pub id: String,
    pub key: FunnelKey,
    pub wallet: Wallet,
    pub path: DecisionPath,
}

/// The counters of one funnel row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunnelCounts {
    pub requests: u64,
    pub green: u64,
    pub yellow: u64,
    pub orange: u64,
    pub red: u64,
    /// Tokens requested that day that became active (each once).
    pub activations: u64,
}

impl FunnelCounts {
    pub fn approved(&self) -> u64 {
        self.green + self.yellow + self.orange
    }

    /// Approved that day and never activated, once the day is settled.
    pub fn abandoned(&self, day: Date, today: Date) -> Option<u64> {
        settled(day, today).then(|| self.approved().saturating_sub(self.activations))
    }
}

/// Whether `day` is old enough for its abandoned count to be final.
pub fn settled(day: Date, today: Date) -> bool {
    day + Duration::days(SETTLE_DAYS) <= today
}

/// One funnel row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelRow {
    pub key: FunnelKey,
    pub wallet: Wallet,
    pub counts: FunnelCounts,
}

/// Tokens active now of one network and token requestor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveTokens {
    pub network: Network,
    pub token_requestor_id: Option<String>,
    pub wallet: Wallet,
    pub active: u64,
}

/// +1 when a status change makes a token active, -1 when it leaves ACTIVE.
pub fn active_delta(
    previous: Option<crate::domain::token::TokenStatus>,
    now: Option<crate::domain::token::TokenStatus>,
) -> i8 {
    use crate::domain::token::TokenStatus::Active;
    i8::from(now == Some(Active)) - i8::from(previous == Some(Active))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::domain::token::TokenStatus;

    fn method(kind: ActivationMethodKind) -> ActivationMethod {
        ActivationMethod {
            kind,
            value: String::new(),
        }
    }

    #[test]
    fn the_path_follows_the_decision_and_the_methods_offered() {
        use ActivationMethodKind::{CallCentre, Email, Sms};
        let raa = Decision::RequireAdditionalAuthentication;
        assert_eq!(
            DecisionPath::of(Decision::Approved, &[]),
            DecisionPath::Green
        );
        assert_eq!(DecisionPath::of(Decision::Declined, &[]), DecisionPath::Red);
        assert_eq!(
            DecisionPath::of(raa, &[method(Sms), method(CallCentre)]),
            DecisionPath::Yellow
        );
        assert_eq!(
            DecisionPath::of(raa, &[method(Email)]),
            DecisionPath::Yellow
        );
        assert_eq!(
            DecisionPath::of(raa, &[method(CallCentre)]),
            DecisionPath::Orange
        );
    }

    #[test]
    fn abandoned_is_reported_once_the_day_is_settled() {
        let counts = FunnelCounts {
            requests: 5,
            green: 2,
            yellow: 1,
            orange: 1,
            red: 1,
            activations: 3,
        };
        let day = date!(2026 - 11 - 20);
        assert_eq!(counts.abandoned(day, date!(2026 - 11 - 26)), None);
        assert_eq!(counts.abandoned(day, date!(2026 - 11 - 27)), Some(1));
    }

    #[test]
    fn only_entering_or_leaving_active_moves_the_count() {
        use TokenStatus::{Active, Deactivated, Inactive, Suspended};
        assert_eq!(active_delta(Some(Inactive), Some(Active)), 1);
        assert_eq!(active_delta(None, Some(Active)), 1);
        assert_eq!(active_delta(Some(Active), Some(Suspended)), -1);
        assert_eq!(active_delta(Some(Active), Some(Deactivated)), -1);
        assert_eq!(active_delta(Some(Active), Some(Active)), 0);
        assert_eq!(active_delta(Some(Inactive), Some(Deactivated)), 0);
    }
}
