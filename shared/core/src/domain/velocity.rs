//! Velocity: the authorization attempts a card saw in the last 24 hours, per
//! token requestor and across all of them. Kept on the card aggregate and
//! written in the same transaction as each decision, so a count can neither
//! be skipped nor raced past.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The window the limits count over.
pub const WINDOW: Duration = Duration::hours(24);
/// Attempts kept per card: more than any sane limit, and a bound on the
/// item's size however hard a card is hammered.
pub const KEPT: usize = 64;

/// One authorization attempt on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub request_id: String,
    pub token_requestor_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// How many attempts fall in the window, this one included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptCounts {
    /// For this card and this token requestor.
    pub requestor: u32,
    /// For this card, whatever the requestor.
    pub card: u32,
}

/// The attempts to store after `attempt`: those still in the window, this one
/// added once (a retried request id keeps its first time), the newest
/// [`KEPT`] only.
pub fn record(history: &[Attempt], attempt: Attempt) -> Vec<Attempt> {
    let since = attempt.at - WINDOW;
    let mut kept: Vec<Attempt> = history.iter().filter(|a| a.at > since).cloned().collect();
    if !kept.iter().any(|a| a.request_id == attempt.request_id) {
        kept.push(attempt);
    }
    kept.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then_with(|| a.request_id.cmp(&b.request_id))
    });
    let excess = kept.len().saturating_sub(KEPT);
    kept.drain(..excess);
    kept
}

/// The counts `attempts` (as [`record`] returned them) give `attempt`.
pub fn counts(attempts: &[Attempt], attempt: &Attempt) -> AttemptCounts {
    let since = attempt.at - WINDOW;
    let in_window = attempts.iter().filter(|a| a.at > since);
    let (mut requestor, mut card) = (0u32, 0u32);
    for a in in_window {
        card = card.saturating_add(1);
        if a.token_requestor_id == attempt.token_requestor_id {
            requestor = requestor.saturating_add(1);
        }
    }
    AttemptCounts { requestor, card }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn attempt(id: &str, requestor: &str, at: OffsetDateTime) -> Attempt {
        Attempt {
            request_id: id.to_owned(),
            token_requestor_id: requestor.to_owned(),
            at,
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);

    #[test]
    fn attempts_count_per_requestor_and_per_card_within_the_window() {
        // GIVEN attempts by two requestors, one of them older than 24 h
        let history = vec![
            attempt("old", "A", NOW - Duration::hours(25)),
            attempt("a1", "A", NOW - Duration::hours(2)),
            attempt("b1", "B", NOW - Duration::hours(1)),
        ];
        // WHEN a new attempt by A is recorded
        let new = attempt("a2", "A", NOW);
        let kept = record(&history, new.clone());
        // THEN the old one is gone and the counts include this one
        assert_eq!(kept.len(), 3);
        assert_eq!(
            counts(&kept, &new),
            AttemptCounts {
                requestor: 2,
                card: 3
            }
        );
    }

    #[test]
    fn a_retried_request_is_counted_once() {
        let first = attempt("r", "A", NOW);
        let kept = record(&[], first.clone());
        let retry = attempt("r", "A", NOW + Duration::seconds(5));
        let kept = record(&kept, retry.clone());
        assert_eq!(kept.len(), 1);
        assert_eq!(counts(&kept, &retry).card, 1);
    }

    #[test]
    fn a_hammered_card_keeps_a_bounded_history() {
        let mut kept = Vec::new();
        for i in 0..(KEPT + 20) {
            kept = record(
                &kept,
                attempt(&format!("r{i:03}"), "A", NOW + Duration::seconds(i as i64)),
            );
        }
        assert_eq!(kept.len(), KEPT);
        // AND the count stays at the bound, so the limit keeps declining
        let last = kept.last().cloned().unwrap();
        assert_eq!(counts(&kept, &last).card, KEPT as u32);
    }
}
