//! The jobs' part of the workspace template (card events and bulk actions):
//! the worker on its queue with exactly the environment and permissions its
//! code needs, the queue's redrive above the worker's own last attempt, the
//! dead-letter queue's alarm, and the two parameters. The starters and
//! `TmpGetJobFunction` are IssuerApi's, pinned in `issuer_api_tests`.

use std::collections::BTreeSet;

use serde_norway::Value;

use super::issuer_api_tests::{ACTION_TABLE, Grant, grant, grants};
use super::*;

const WORKER: &str = "TmpJobWorkerFunction";
const QUEUE: &str = "TokenJobQueue";
const DEAD_LETTERS: &str = "TokenJobDeadLetterQueue";

fn template() -> Template {
    Template::from_path(&crate::workspace_root().join("template.yaml")).unwrap()
}

fn raw() -> Value {
    let path = crate::workspace_root().join("template.yaml");
    crate::intrinsics::normalize(
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap(),
    )
}

fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap()
}

fn number(v: &Value) -> u64 {
    scalar_string(v).unwrap().parse().unwrap()
}

#[test]
fn the_worker_runs_off_the_job_queue_with_the_network_clients_of_the_actions() {
    let t = template();
    let f = t.function(WORKER).unwrap();
    assert_eq!(f.binary, "tmp-job-worker");
    // THEN its one event is the job queue, ten at a time, failed items reported one by one
    let [
        (
            _,
            FunctionEvent::Sqs {
                queue,
                batch_size,
                report_batch_item_failures,
            },
        ),
    ] = f.events.as_slice()
    else {
        panic!("{WORKER} has not exactly one SQS event: {:?}", f.events)
    };
    assert_eq!(
        queue.0,
        yaml(&format!(r#"{{"Fn::GetAtt": [{QUEUE}, Arn]}}"#))
    );
    assert_eq!(*batch_size, Some(10));
    assert!(report_batch_item_failures);
    // AND exactly the table, the network clients as the TMP API's actions build them, and
    // its retry pacing
    let names: BTreeSet<&str> = f.environment.keys().map(String::as_str).collect();
    let wanted: BTreeSet<&str> = [
        "RUST_LOG",
        "TOKEN_STATE_TABLE",
        "SECRETS_KEY_ID",
        "MDES_CS_BASE_URL",
        "MDES_OAUTH_CONSUMER_KEY",
        "MDES_OAUTH_SIGNING_KEY_CIPHERTEXT",
        "VTS_LIFECYCLE_BASE_URL",
        "VTS_LIFECYCLE_ENCRYPTION_KEY",
        "VTS_LIFECYCLE_ENCRYPTION_KEY_ID",
        "DATA_SEALING_KEY_CIPHERTEXT",
        "NETWORK_TIMEOUT_MS",
        "ISSUER_NAME",
        "JOB_MAX_ATTEMPTS",
        "RETRY_BACKOFF_BASE_SECONDS",
    ]
    .into();
    assert_eq!(names, wanted);
    let action = t.function("TmpSuspendTokenFunction").unwrap();
    for same in [
        "TOKEN_STATE_TABLE",
        "SECRETS_KEY_ID",
        "MDES_CS_BASE_URL",
        "MDES_OAUTH_CONSUMER_KEY",
        "MDES_OAUTH_SIGNING_KEY_CIPHERTEXT",
        "VTS_LIFECYCLE_BASE_URL",
        "NETWORK_TIMEOUT_MS",
        "ISSUER_NAME",
    ] {
        assert_eq!(f.environment[same], action.environment[same], "{same}");
    }
    assert_eq!(
        f.environment["JOB_MAX_ATTEMPTS"].references(),
        vec!["JobItemMaxAttempts"]
    );
    // AND Visa's key for card updates, and the sealing key of their new PAN
    assert_eq!(
        f.environment["VTS_LIFECYCLE_ENCRYPTION_KEY"].references(),
        vec!["VtsLifecycleEncryptionKey"]
    );
    assert_eq!(
        f.environment["VTS_LIFECYCLE_ENCRYPTION_KEY_ID"].references(),
        vec!["VtsLifecycleEncryptionKeyId"]
    );
    assert_eq!(
        f.environment["DATA_SEALING_KEY_CIPHERTEXT"].references(),
        vec!["DataSealingKeyCiphertext"]
    );
    // AND it backs off as the other consumers do
    assert_eq!(
        f.environment["RETRY_BACKOFF_BASE_SECONDS"],
        t.function("OtpDeliveryFunction").unwrap().environment["RETRY_BACKOFF_BASE_SECONDS"]
    );
}

#[test]
fn the_worker_may_act_on_tokens_back_off_and_open_only_the_signing_and_sealing_keys() {
    let raw = raw();
    let statements = raw["Resources"][WORKER]["Properties"]["Policies"][0]["Statement"]
        .as_sequence()
        .unwrap();
    // THEN an action's table access (never an index: it searches nothing), the MDES signing
    // key and the data-sealing key (a card update's new PAN), its own queue's backoff, and
    // that queue's key through SQS only: no SendMessage (it queues nothing), no topic, never
    // the PAN-fingerprint key
    let wanted: BTreeSet<Grant> = [
        grant("table", ACTION_TABLE, ""),
        grant(
            "key",
            &["kms:Decrypt"],
            "purpose=mdes-oauth-signing-key,data-sealing-key",
        ),
        grant(
            "job-queue",
            &["sqs:ChangeMessageVisibility", "sqs:GetQueueUrl"],
            "",
        ),
        grant("key", &["kms:Decrypt"], "via=sqs"),
    ]
    .concat()
    .into_iter()
    .collect();
    assert_eq!(grants(statements), wanted);
}

#[test]
fn the_job_queue_dead_letters_only_what_the_worker_could_not_settle() {
    let t = template();
    let raw = raw();
    let worker = &raw["Resources"][WORKER]["Properties"];
    let timeout = number(&worker["Timeout"]);
    assert_eq!(timeout, 30);
    // GIVEN the job queue and its dead-letter queue
    let queue = t.queues.iter().find(|q| q.logical_id == QUEUE).unwrap();
    let p = &raw["Resources"][QUEUE]["Properties"];
    // THEN a batch still running is never delivered again (Lambda's six times the timeout)
    let visibility = number(&queue.visibility_timeout.as_ref().unwrap().0);
    assert!(visibility >= 6 * timeout, "{visibility}");
    // AND an item is kept 4 days, far beyond its retries (at most 15 min apart)
    assert_eq!(number(&p["MessageRetentionPeriod"]), 4 * 24 * 3600);
    // AND a message is dead-lettered only after more receives than the worker's last
    // attempt can ever be (the parameter's maximum), so the worker settles every item it can
    let redrive = queue.redrive.as_ref().unwrap();
    assert_eq!(
        redrive.dead_letter_target.0,
        yaml(&format!(r#"{{"Fn::GetAtt": [{DEAD_LETTERS}, Arn]}}"#))
    );
    let attempts = &raw["Parameters"]["JobItemMaxAttempts"];
    assert!(number(&redrive.max_receive_count.0) > number(&attempts["MaxValue"]));
    // AND both queues are encrypted under SecretsKey, dead letters kept 14 days
    for id in [QUEUE, DEAD_LETTERS] {
        assert_eq!(
            raw["Resources"][id]["Properties"]["KmsMasterKeyId"],
            yaml("{Ref: SecretsKey}"),
            "{id}"
        );
    }
    assert_eq!(
        number(&raw["Resources"][DEAD_LETTERS]["Properties"]["MessageRetentionPeriod"]),
        14 * 24 * 3600
    );
    // AND only the starters (the TMP API's and the admin API's) send to the job queue, and
    // only the worker consumes it
    let resources = raw["Resources"].as_mapping().unwrap();
    let mut senders = Vec::new();
    for (id, r) in resources {
        if r["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        let statements = r["Properties"]["Policies"][0]["Statement"]
            .as_sequence()
            .unwrap();
        let sends = statements.iter().any(|s| {
            s["Resource"] == yaml(&format!(r#"{{"Fn::GetAtt": [{QUEUE}, Arn]}}"#))
                && s["Action"]
                    .as_sequence()
                    .is_some_and(|a| a.iter().any(|a| a == "sqs:SendMessage"))
        });
        if sends {
            senders.push(id.as_str().unwrap());
        }
    }
    senders.sort_unstable();
    assert_eq!(
        senders,
        [
            "AdminPostCardEventFunction",
            "AdminStartBulkFunction",
            "TmpBulkCardTokensFunction",
            "TmpBulkDeviceTokensFunction",
            "TmpPostCardEventFunction"
        ]
    );
    let consumers: Vec<&str> = t
        .functions
        .iter()
        .filter(|f| {
            f.events.iter().any(|(_, e)| {
                matches!(e, FunctionEvent::Sqs { queue, .. }
                    if queue.0 == yaml(&format!(r#"{{"Fn::GetAtt": [{QUEUE}, Arn]}}"#)))
            })
        })
        .map(|f| f.logical_id.as_str())
        .collect();
    assert_eq!(consumers, [WORKER]);
}

#[test]
fn a_dead_lettered_job_item_alarms() {
    let raw = raw();
    let resources = raw["Resources"].as_mapping().unwrap();
    // GIVEN the alarms on the dead-letter queue
    let alarms: Vec<&Value> = resources
        .values()
        .filter(|r| {
            r["Type"] == "AWS::CloudWatch::Alarm"
                && r["Properties"]["Dimensions"][0]["Value"]
                    == yaml(&format!(r#"{{"Fn::GetAtt": [{DEAD_LETTERS}, QueueName]}}"#))
        })
        .collect();
    // THEN one, on any visible message, to the alarm topic when one is set
    let [alarm] = alarms.as_slice() else {
        panic!("{alarms:?}")
    };
    let p = &alarm["Properties"];
    assert_eq!(
        (&p["Namespace"], &p["MetricName"], &p["Statistic"]),
        (
            &yaml("AWS/SQS"),
            &yaml("ApproximateNumberOfMessagesVisible"),
            &yaml("Maximum")
        )
    );
    assert_eq!(p["Dimensions"][0]["Name"], "QueueName");
    assert_eq!(p["ComparisonOperator"], "GreaterThanThreshold");
    assert_eq!(p["Threshold"], 0);
    assert_eq!(p["TreatMissingData"], "notBreaching");
    assert_eq!(
        p["AlarmActions"],
        yaml(r#"{"Fn::If": [HasAlarmTopic, [{Ref: AlarmTopicArn}], {Ref: "AWS::NoValue"}]}"#)
    );
}

#[test]
fn the_job_parameters_default_to_the_codes_defaults() {
    let raw = raw();
    let parameters = &raw["Parameters"];
    // THEN an item has as many attempts as the worker assumes without the variable, 1 to 10
    let attempts = &parameters["JobItemMaxAttempts"];
    assert_eq!(attempts["Type"], "Number");
    assert_eq!(
        number(&attempts["Default"]),
        u64::from(tmp_aws::compose::issuer::DEFAULT_JOB_MAX_ATTEMPTS)
    );
    assert_eq!(
        (number(&attempts["MinValue"]), number(&attempts["MaxValue"])),
        (1, 10)
    );
    // AND a lost or stolen card deletes its tokens unless the issuer chose to suspend them
    let policy = &parameters["LostOrStolenCardAction"];
    assert_eq!(policy["Type"], "String");
    assert_eq!(policy["Default"], "DELETE");
    assert_eq!(policy["AllowedValues"], yaml("[DELETE, SUSPEND]"));
    assert!(
        policy["Description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
}
