//! One shard's consumer, as Lambda runs it: strictly in order, one batch at
//! a time. A batch is gathered (filtered records are dropped as they are
//! read), handed to the function, and retried, bisected or given up on as
//! [`super::settle`] decides; the next batch is read only once it is settled.
//! Checkpoints live in memory: a restart begins again at `StartingPosition`,
//! as a newly created mapping would.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use time::OffsetDateTime;
use tokio::sync::watch;

use super::filter;
use super::on_failure::{self, Condition, Discarded};
use super::reader::{MAX_LIMIT, Position, ShardReader};
use super::record::StreamRecord;
use super::settle::{self, Outcome, Verdict};
use super::{Consumer, StartingPosition};

const MAX_READ: usize = MAX_LIMIT as usize;
/// DynamoDB Streams keep a record 24 hours; Lambda retries no longer.
const RETENTION_SECONDS: i64 = 24 * 60 * 60;

/// Sleeps `d`; false if the platform stops first.
pub(super) async fn pause(stopped: &mut watch::Receiver<bool>, d: Duration) -> bool {
    if *stopped.borrow() {
        return false;
    }
    tokio::select! {
        _ = stopped.changed() => false,
        _ = tokio::time::sleep(d) => true,
    }
}

pub(super) async fn run(
    consumer: Arc<Consumer>,
    reader: ShardReader,
    mut stopped: watch::Receiver<bool>,
) {
    let c = consumer.as_ref();
    let mut position = match c.source.starting_position {
        StartingPosition::TrimHorizon => Position::TrimHorizon,
        StartingPosition::Latest => loop {
            match reader.end().await {
                Ok(end) => break end,
                Err(e) => {
                    tracing::warn!(function = c.source.function, shard = reader.shard_id(), error = %e, "reading to the stream's end failed")
                }
            }
            if !pause(&mut stopped, c.options.idle_delay).await {
                return;
            }
        },
    };
    let mut window_from = Instant::now();
    while !*stopped.borrow() {
        let batch = tokio::select! {
            _ = stopped.changed() => return,
            batch = gather(c, &reader, &mut position, window_from) => batch,
        };
        if !deliver(c, &reader, batch, &mut stopped).await {
            return;
        }
        // Lambda's batching window starts when the previous invocation ends.
        window_from = Instant::now();
    }
}

/// The next batch: up to `BatchSize` records that pass the filters, once it
/// is full or the batching window has passed. Records filtered out are
/// behind `position` from then on: they are never delivered.
async fn gather(
    c: &Consumer,
    reader: &ShardReader,
    position: &mut Position,
    window_from: Instant,
) -> Vec<StreamRecord> {
    let size = usize::try_from(c.source.batch_size).unwrap_or(usize::MAX);
    let deadline = window_from + c.source.maximum_batching_window;
    let mut batch: Vec<StreamRecord> = Vec::new();
    let mut idle = c.options.idle_delay;
    loop {
        let wanted = size.saturating_sub(batch.len());
        let read = match reader
            .read(position, u32::try_from(wanted).unwrap_or(u32::MAX))
            .await
        {
            Ok(records) => records,
            Err(e) => {
                tracing::warn!(function = c.source.function, shard = reader.shard_id(), error = %e, "reading the stream failed");
                tokio::time::sleep(idle).await;
                idle = (idle * 2).min(c.options.max_idle_delay);
                continue;
            }
        };
        let count = read.len();
        for record in read {
            *position = Position::After(record.sequence_number.clone());
            if filter::passes(&c.source.filters, &record.lambda) {
                batch.push(record);
            }
        }
        let now = Instant::now();
        if batch.len() >= size || (!batch.is_empty() && now >= deadline) {
            return batch;
        }
        if count >= wanted.min(MAX_READ) {
            // A full read: more may be waiting.
            continue;
        }
        if count > 0 {
            idle = c.options.idle_delay;
        }
        if batch.is_empty() {
            tokio::time::sleep(idle).await;
            idle = (idle * 2).min(c.options.max_idle_delay);
        } else {
            // Gathering: read again soon, and no later than the window's end.
            let wait = c.options.idle_delay;
            tokio::time::sleep(wait.min(deadline.saturating_duration_since(now))).await;
        }
    }
}

/// Records of one invocation, with what their retries have used so far.
struct Pending {
    records: Vec<StreamRecord>,
    retries: u32,
    invocations: u32,
}

/// Settles a batch: retries, halves and gives up as Lambda would. False if
/// the platform stopped before it was settled.
async fn deliver(
    c: &Consumer,
    reader: &ShardReader,
    records: Vec<StreamRecord>,
    stopped: &mut watch::Receiver<bool>,
) -> bool {
    let mut queue = VecDeque::from([Pending {
        records,
        retries: 0,
        invocations: 0,
    }]);
    while let Some(mut p) = queue.pop_front() {
        p.invocations += 1;
        let response = invoke(c, reader, &p.records).await;
        let outcome = match &response {
            Some(json) => Outcome::Returned(json),
            None => Outcome::Failed,
        };
        let seqs: Vec<&str> = p
            .records
            .iter()
            .map(|r| r.sequence_number.as_str())
            .collect();
        let verdict = settle::verdict(
            &c.source.function,
            &seqs,
            outcome,
            c.source.report_batch_item_failures,
            c.source.bisect_batch_on_function_error,
        );
        match verdict {
            Verdict::Done => {}
            Verdict::Bisect => {
                let second = p.records.split_off(p.records.len() / 2);
                queue.push_front(Pending {
                    records: second,
                    ..p
                });
                queue.push_front(p);
            }
            Verdict::RetryFrom { index, counted } => {
                p.records = p.records.split_off(index.min(p.records.len()));
                let give_up = if counted { exhausted(c, &p) } else { None };
                match give_up {
                    Some(condition) => {
                        let discarded = Discarded {
                            function_arn: &c.source.function_arn,
                            stream_arn: &c.source.stream_arn,
                            shard_id: reader.shard_id(),
                            records: &p.records,
                            condition,
                            invocations: p.invocations,
                            function_error: response.is_none(),
                        };
                        if !discard(c, &discarded, stopped).await {
                            return false;
                        }
                    }
                    None => {
                        if counted {
                            p.retries += 1;
                        }
                        queue.push_front(p);
                    }
                }
            }
        }
        if !queue.is_empty() && !pause(stopped, c.options.retry_delay).await {
            return false;
        }
    }
    true
}

/// Why retrying `p` again is not allowed, if it is not.
fn exhausted(c: &Consumer, p: &Pending) -> Option<Condition> {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let oldest = p.records.first().and_then(|r| r.created_at);
    if oldest.is_some_and(|created| now - created > RETENTION_SECONDS) {
        return Some(Condition::RecordAgeExceeded);
    }
    let max = c.source.maximum_retry_attempts;
    // -1: until the records expire.
    (u32::try_from(max).is_ok_and(|max| p.retries >= max))
        .then_some(Condition::RetryAttemptsExhausted)
}

/// Calls the function with Lambda's event; `None` is a function error. The
/// handler runs in its own task so that a panic fails the batch, as a
/// crashed Lambda would, instead of the poller.
async fn invoke(c: &Consumer, reader: &ShardReader, records: &[StreamRecord]) -> Option<Json> {
    let event = json!({
        "Records": records.iter().map(|r| r.lambda.clone()).collect::<Vec<_>>(),
    });
    let first = records.first().map(|r| r.sequence_number.as_str());
    let last = records.last().map(|r| r.sequence_number.as_str());
    let response = match tokio::spawn((c.handler)(event)).await {
        Ok(Ok(response)) => Some(response),
        Ok(Err(e)) => {
            tracing::error!(function = c.source.function, shard = reader.shard_id(), first, last, error = %e, "stream handler error");
            None
        }
        Err(_) => {
            tracing::error!(
                function = c.source.function,
                shard = reader.shard_id(),
                first,
                last,
                "stream handler panicked"
            );
            None
        }
    };
    tracing::info!(
        function = c.source.function,
        shard = reader.shard_id(),
        records = records.len(),
        first,
        last,
        failed = response.is_none(),
        "stream batch handled"
    );
    response
}

/// Describes the discarded batch to the `OnFailure` destination, retrying
/// until it is accepted (Lambda does not move on without it). False if the
/// platform stopped first.
async fn discard(c: &Consumer, d: &Discarded<'_>, stopped: &mut watch::Receiver<bool>) -> bool {
    let first = d.records.first().map(|r| r.sequence_number.as_str());
    let last = d.records.last().map(|r| r.sequence_number.as_str());
    let Some(destination) = &c.source.on_failure else {
        tracing::error!(
            function = c.source.function,
            first,
            last,
            condition = ?d.condition,
            "stream batch given up on and skipped: the event has no OnFailure destination"
        );
        return true;
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    let body = on_failure::invocation_record(d, &request_id, OffsetDateTime::now_utc()).to_string();
    loop {
        match on_failure::send(destination, &c.sqs, &c.sns, body.clone()).await {
            Ok(()) => {
                tracing::warn!(
                    function = c.source.function,
                    first,
                    last,
                    condition = ?d.condition,
                    destination = destination.arn(),
                    "stream batch given up on; described to the OnFailure destination"
                );
                return true;
            }
            Err(error) => {
                tracing::error!(
                    function = c.source.function,
                    destination = destination.arn(),
                    error,
                    "sending to the OnFailure destination failed; retrying"
                );
                if !pause(stopped, c.options.retry_delay).await {
                    return false;
                }
            }
        }
    }
}
