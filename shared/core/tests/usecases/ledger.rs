//! `Idempotency::once`: a message runs once, retries replay, failures release.

use std::cell::Cell;
use std::time::Duration;

use time::Duration as TimeDuration;
use tmp_core::AppError;
use tmp_core::ports::RequestLedger;
use tmp_core::usecases::ledger::{Claim, Once};

use crate::support::{World, key, message};

const OPERATION: &str = "testOperation";

/// Work that completes its claim with `answer`, counting its runs.
async fn completing(
    world: &World,
    runs: &Cell<u32>,
    claim: Claim,
    answer: &str,
) -> Result<String, AppError> {
    runs.set(runs.get() + 1);
    world
        .state
        .complete(&claim.completion(answer.to_owned()), world.now())
        .await
        .map_err(|_| AppError::Unavailable("complete"))?;
    Ok(answer.to_owned())
}

#[tokio::test]
async fn the_first_call_runs_the_work_and_completes_the_request() {
    // GIVEN a message never seen
    let world = World::default();
    let runs = Cell::new(0);
    // WHEN it is processed
    let done = world
        .idempotency()
        .once(OPERATION, &message("r1", &["a"]), |claim| {
            completing(&world, &runs, claim, "answer-1")
        })
        .await
        .unwrap();
    // THEN the work ran once and the ledger holds its answer
    assert_eq!(done, Once::Done("answer-1".to_owned()));
    assert_eq!(runs.get(), 1);
    let entry = world.state.ledger_entry(&key(OPERATION, "r1")).unwrap();
    assert_eq!(
        entry,
        (
            "COMPLETED".to_owned(),
            "a".to_owned(),
            Some("answer-1".to_owned())
        )
    );
}

#[tokio::test]
async fn a_retry_replays_the_stored_outcome_without_running_the_work() {
    // GIVEN a completed message
    let world = World::default();
    let runs = Cell::new(0);
    let idempotency = world.idempotency();
    let msg = message("r1", &["a", "b"]);
    idempotency
        .once(OPERATION, &msg, |claim| {
            completing(&world, &runs, claim, "first")
        })
        .await
        .unwrap();
    // WHEN the network retries it with the same request id and signature
    let again = idempotency
        .once(OPERATION, &msg, |claim| {
            completing(&world, &runs, claim, "second")
        })
        .await
        .unwrap();
    // THEN the first answer is replayed and the work did not run again
    assert_eq!(again, Once::Replayed("first".to_owned()));
    assert_eq!(runs.get(), 1);
}

#[tokio::test]
async fn a_request_id_reused_for_another_message_is_refused() {
    // GIVEN a completed message
    let world = World::default();
    let runs = Cell::new(0);
    let idempotency = world.idempotency();
    idempotency
        .once(OPERATION, &message("r1", &["a"]), |claim| {
            completing(&world, &runs, claim, "first")
        })
        .await
        .unwrap();
    // WHEN another message arrives with the same request id
    let reused = idempotency
        .once(OPERATION, &message("r1", &["other"]), |claim| {
            completing(&world, &runs, claim, "second")
        })
        .await;
    // THEN it is refused, the work did not run, the first answer stays
    assert_eq!(reused, Err(AppError::RequestIdReused));
    assert_eq!(runs.get(), 1);
    let entry = world.state.ledger_entry(&key(OPERATION, "r1")).unwrap();
    assert_eq!(entry.2.as_deref(), Some("first"));
}

#[tokio::test]
async fn the_same_request_id_in_another_operation_is_another_message() {
    let world = World::default();
    let runs = Cell::new(0);
    let idempotency = world.idempotency();
    let msg = message("r1", &["a"]);
    idempotency
        .once("opA", &msg, |claim| completing(&world, &runs, claim, "a"))
        .await
        .unwrap();
    let other = idempotency
        .once("opB", &msg, |claim| completing(&world, &runs, claim, "b"))
        .await
        .unwrap();
    assert_eq!(other, Once::Done("b".to_owned()));
    assert_eq!(runs.get(), 2);
}

#[tokio::test]
async fn a_failed_work_releases_its_claim_so_that_the_retry_runs() {
    // GIVEN a message whose first processing fails
    let world = World::default();
    let runs = Cell::new(0);
    let idempotency = world.idempotency();
    let msg = message("r1", &["a"]);
    let failed = idempotency
        .once(OPERATION, &msg, |_claim| async {
            runs.set(runs.get() + 1);
            Err::<String, _>(AppError::Unavailable("issuer down"))
        })
        .await;
    assert_eq!(failed, Err(AppError::Unavailable("issuer down")));
    // THEN nothing is left in the ledger
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    // WHEN the network retries THEN the work runs again, at once
    let retried = idempotency
        .once(OPERATION, &msg, |claim| {
            completing(&world, &runs, claim, "ok")
        })
        .await
        .unwrap();
    assert_eq!(retried, Once::Done("ok".to_owned()));
    assert_eq!(runs.get(), 2);
    assert!(world.clock.slept().is_empty(), "the retry did not wait");
}

#[tokio::test]
async fn a_duplicate_waits_for_a_claim_in_progress_then_gives_up() {
    // GIVEN another invocation holds the request (its lease lasts 30 s)
    let world = World::default();
    let start = world.now();
    let held = world
        .state
        .claim(&key(OPERATION, "r1"), "a", "other-lease", start)
        .await
        .unwrap();
    assert_eq!(held, tmp_core::ports::RequestClaim::Claimed);
    let runs = Cell::new(0);
    // WHEN a duplicate arrives
    let duplicate = world
        .idempotency()
        .once(OPERATION, &message("r1", &["a"]), |claim| {
            completing(&world, &runs, claim, "dup")
        })
        .await;
    // THEN it polled (on the clock, no real sleeping) for 5 s, then answered Unavailable
    assert!(matches!(duplicate, Err(AppError::Unavailable(_))));
    assert_eq!(runs.get(), 0);
    let slept = world.clock.slept();
    assert_eq!(slept.len(), 50);
    assert!(slept.iter().all(|d| *d == Duration::from_millis(100)));
    assert_eq!(world.now() - start, TimeDuration::seconds(5));
    // AND the other invocation's claim is untouched
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("IN_PROGRESS")
    );
}

#[tokio::test]
async fn a_duplicate_takes_over_a_claim_whose_lease_ran_out_while_it_waited() {
    // GIVEN a claim taken 28 s ago by an invocation that died
    let world = World::default();
    let start = world.now();
    world
        .state
        .claim(
            &key(OPERATION, "r1"),
            "a",
            "dead-lease",
            start - TimeDuration::seconds(28),
        )
        .await
        .unwrap();
    let runs = Cell::new(0);
    // WHEN a duplicate arrives
    let done = world
        .idempotency()
        .once(OPERATION, &message("r1", &["a"]), |claim| {
            completing(&world, &runs, claim, "taken over")
        })
        .await
        .unwrap();
    // THEN it waited until the lease expired, then ran the work itself
    assert_eq!(done, Once::Done("taken over".to_owned()));
    assert_eq!(runs.get(), 1);
    let waited = world.now() - start;
    assert!(waited > TimeDuration::seconds(2) && waited < TimeDuration::seconds(5));
}

#[tokio::test]
async fn a_ledger_outage_is_unavailable_and_runs_nothing() {
    let world = World::default();
    world.state.unavailable(true);
    let runs = Cell::new(0);
    let result = world
        .idempotency()
        .once(OPERATION, &message("r1", &["a"]), |claim| {
            completing(&world, &runs, claim, "x")
        })
        .await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    assert_eq!(runs.get(), 0);
}
