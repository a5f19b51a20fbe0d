//! What Lambda does with a stream batch once the function has answered
//! (`services-ddb-batchfailurereporting`): pure, so each rule is a test.

use std::collections::HashSet;

use serde_json::Value as Json;

/// How an invocation ended.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// The function returned this response.
    Returned(&'a Json),
    /// The function returned an error, or crashed.
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every record is done: the checkpoint moves past the batch.
    Done,
    /// The records before `index` are done; the batch is retried from it.
    /// `counted`: the retry uses one of `MaximumRetryAttempts`.
    RetryFrom { index: usize, counted: bool },
    /// A function error with `BisectBatchOnFunctionError`: each half is
    /// retried on its own, without using a retry attempt.
    Bisect,
}

/// The verdict on `batch` (its records' sequence numbers, in shard order).
pub fn verdict(
    function: &str,
    batch: &[&str],
    outcome: Outcome<'_>,
    report_batch_item_failures: bool,
    bisect: bool,
) -> Verdict {
    let whole = Verdict::RetryFrom {
        index: 0,
        counted: true,
    };
    let response = match outcome {
        Outcome::Failed if bisect && batch.len() > 1 => return Verdict::Bisect,
        Outcome::Failed => return whole,
        Outcome::Returned(response) => response,
    };
    let failures = match item_failures(response) {
        Ok(failures) => failures,
        Err(reason) if report_batch_item_failures => {
            tracing::error!(
                function,
                reason,
                "invalid stream batch response; the whole batch is retried"
            );
            return whole;
        }
        // Without ReportBatchItemFailures Lambda does not read the response.
        Err(_) => return Verdict::Done,
    };
    if !report_batch_item_failures {
        if !failures.is_empty() {
            // The function expects partial retries that Lambda would not do:
            // on AWS these records would be skipped. Say so loudly.
            tracing::error!(
                function,
                reported = failures.len(),
                "handler reported batchItemFailures but the DynamoDB event lacks FunctionResponseTypes: [ReportBatchItemFailures]; Lambda ignores them and checkpoints the whole batch"
            );
        }
        return Verdict::Done;
    }
    if failures.is_empty() {
        return Verdict::Done;
    }
    let known: HashSet<&str> = batch.iter().copied().collect();
    if failures.iter().any(|id| !known.contains(id.as_str())) {
        tracing::error!(
            function,
            "batchItemFailures names an empty or unknown itemIdentifier; the whole batch is retried"
        );
        return whole;
    }
    // The lowest sequence number reported: the batch is in shard order.
    let index = batch
        .iter()
        .position(|seq| failures.iter().any(|f| f == seq))
        .unwrap_or(0);
    Verdict::RetryFrom {
        index,
        // With bisection on, the batch is split at the failed record: free.
        counted: !(bisect && index > 0),
    }
}

/// The reported identifiers. Success is an empty or missing list, or an
/// empty or null response; an entry without a text `itemIdentifier` is an
/// invalid response.
fn item_failures(response: &Json) -> Result<Vec<String>, &'static str> {
    let failures = match response {
        Json::Null => return Ok(Vec::new()),
        Json::Object(map) => match map.get("batchItemFailures") {
            None | Some(Json::Null) => return Ok(Vec::new()),
            Some(Json::Array(items)) => items,
            Some(_) => return Err("batchItemFailures is not a list"),
        },
        _ => return Err("the response is not a JSON object"),
    };
    failures
        .iter()
        .map(|f| match f.get("itemIdentifier") {
            Some(Json::String(id)) => Ok(id.clone()),
            _ => Err("a batchItemFailures entry lacks a text itemIdentifier"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const BATCH: &[&str] = &["101", "102", "103", "104"];

    fn returned(response: Json, report: bool, bisect: bool) -> Verdict {
        verdict("F", BATCH, Outcome::Returned(&response), report, bisect)
    }

    fn failures(ids: &[&str]) -> Json {
        json!({"batchItemFailures": ids.iter().map(|id| json!({"itemIdentifier": id})).collect::<Vec<_>>()})
    }

    #[test]
    fn an_empty_or_missing_list_or_response_checkpoints_the_whole_batch() {
        for response in [
            json!({"batchItemFailures": []}),
            json!({"batchItemFailures": null}),
            json!({}),
            Json::Null,
        ] {
            assert_eq!(
                returned(response.clone(), true, false),
                Verdict::Done,
                "{response}"
            );
        }
    }

    #[test]
    fn the_lowest_reported_sequence_number_is_where_the_retry_starts() {
        // GIVEN two failures reported out of order
        // THEN the batch is retried from the earlier one, as a retry attempt
        assert_eq!(
            returned(failures(&["104", "102"]), true, false),
            Verdict::RetryFrom {
                index: 1,
                counted: true
            }
        );
        // AND with bisection the split at the failure is free
        assert_eq!(
            returned(failures(&["103"]), true, true),
            Verdict::RetryFrom {
                index: 2,
                counted: false
            }
        );
        // AND a failure of the first record is a retry even with bisection
        assert_eq!(
            returned(failures(&["101"]), true, true),
            Verdict::RetryFrom {
                index: 0,
                counted: true
            }
        );
    }

    #[test]
    fn an_empty_unknown_or_malformed_identifier_retries_the_whole_batch() {
        let whole = Verdict::RetryFrom {
            index: 0,
            counted: true,
        };
        for response in [
            failures(&[""]),
            failures(&["999"]),
            failures(&["102", "999"]),
            json!({"batchItemFailures": [{"itemIdentifier": null}]}),
            json!({"batchItemFailures": [{"id": "102"}]}),
            json!({"batchItemFailures": "102"}),
            json!("done"),
        ] {
            assert_eq!(returned(response.clone(), true, true), whole, "{response}");
        }
    }

    #[test]
    fn without_report_batch_item_failures_the_response_is_ignored() {
        assert_eq!(returned(failures(&["102"]), false, false), Verdict::Done);
        assert_eq!(returned(json!("done"), false, false), Verdict::Done);
    }

    #[test]
    fn a_function_error_retries_the_whole_batch_or_bisects_it() {
        let whole = Verdict::RetryFrom {
            index: 0,
            counted: true,
        };
        assert_eq!(verdict("F", BATCH, Outcome::Failed, true, false), whole);
        assert_eq!(
            verdict("F", BATCH, Outcome::Failed, true, true),
            Verdict::Bisect
        );
        // A single record cannot be split: its retries count
        assert_eq!(verdict("F", &["101"], Outcome::Failed, true, true), whole);
    }
}
