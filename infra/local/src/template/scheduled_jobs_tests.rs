//! The scheduled jobs' part of the workspace template: reconciliation's
//! function with exactly the environment and permissions its code needs, its
//! parameters, and the alarm on its failed runs.

use std::collections::BTreeSet;

use serde_norway::Value;

use super::*;

const FUNCTION: &str = "TmpReconcileTokensFunction";

fn raw() -> Value {
    let path = crate::workspace_root().join("template.yaml");
    crate::intrinsics::normalize(
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap(),
    )
}

fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Sequence(items) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_owned())
            .collect(),
        other => vec![other.as_str().unwrap().to_owned()],
    }
}

#[test]
fn reconciliation_has_exactly_its_environment_and_parameters() {
    let t = Template::from_path(&crate::workspace_root().join("template.yaml")).unwrap();
    let f = t.function(FUNCTION).unwrap();
    // THEN the table, the network clients as the TMP API's actions build them, and its pacing
    let names: BTreeSet<&str> = f.environment.keys().map(String::as_str).collect();
    let wanted: BTreeSet<&str> = [
        "RUST_LOG",
        "TOKEN_STATE_TABLE",
        "SECRETS_KEY_ID",
        "MDES_CS_BASE_URL",
        "MDES_OAUTH_CONSUMER_KEY",
        "MDES_OAUTH_SIGNING_KEY_CIPHERTEXT",
        "VTS_LIFECYCLE_BASE_URL",
        "NETWORK_TIMEOUT_MS",
        "ISSUER_NAME",
        "RECONCILE_SWEEP_BATCH",
        "RECONCILE_RESEND_AFTER_SECONDS",
        "RECONCILE_UNKNOWN_GRACE_MINUTES",
    ]
    .into();
    assert_eq!(names, wanted);
    let action = t.function("TmpSuspendTokenFunction").unwrap();
    for network in [
        "MDES_CS_BASE_URL",
        "MDES_OAUTH_CONSUMER_KEY",
        "MDES_OAUTH_SIGNING_KEY_CIPHERTEXT",
        "VTS_LIFECYCLE_BASE_URL",
        "NETWORK_TIMEOUT_MS",
    ] {
        assert_eq!(
            f.environment[network], action.environment[network],
            "{network}"
        );
    }
    // AND its pacing parameters default to the use case's defaults
    for (parameter, variable, default) in [
        ("ReconcileSweepBatch", "RECONCILE_SWEEP_BATCH", "100"),
        (
            "ReconcileResendAfterSeconds",
            "RECONCILE_RESEND_AFTER_SECONDS",
            "120",
        ),
        (
            "ReconcileUnknownGraceMinutes",
            "RECONCILE_UNKNOWN_GRACE_MINUTES",
            "60",
        ),
    ] {
        assert_eq!(f.environment[variable].references(), vec![parameter]);
        let p = &t.parameters[parameter];
        assert_eq!(
            (p.kind.as_str(), p.default.as_deref()),
            ("Number", Some(default))
        );
    }
    // AND a run has five minutes
    let raw = raw();
    assert_eq!(raw["Resources"][FUNCTION]["Properties"]["Timeout"], 300);
}

#[test]
fn reconciliation_may_read_and_repair_tokens_and_open_only_the_mdes_signing_key() {
    let raw = raw();
    let statements = raw["Resources"][FUNCTION]["Properties"]["Policies"][0]["Statement"]
        .as_sequence()
        .unwrap();
    let [table, key] = statements.as_slice() else {
        panic!("{statements:?}")
    };
    // THEN the table (never an index) for exactly what the sweep and a repair do
    assert_eq!(table["Effect"], "Allow");
    assert_eq!(
        table["Resource"],
        yaml(r#"[{"Fn::GetAtt": [TokenStateTable, Arn]}]"#)
    );
    let actions: BTreeSet<String> = strings(&table["Action"]).into_iter().collect();
    let wanted: BTreeSet<String> = [
        "GetItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
    ]
    .iter()
    .map(|a| format!("dynamodb:{a}"))
    .collect();
    assert_eq!(actions, wanted);
    // AND the key to unwrap the MDES OAuth signing key only
    assert_eq!(key["Effect"], "Allow");
    assert_eq!(strings(&key["Action"]), ["kms:Decrypt"]);
    assert_eq!(
        key["Resource"],
        yaml(r#"{"Fn::GetAtt": [SecretsKey, Arn]}"#)
    );
    assert_eq!(
        key["Condition"],
        yaml(r#"{StringEquals: {"kms:EncryptionContext:purpose": ["mdes-oauth-signing-key"]}}"#)
    );
}

#[test]
fn a_failed_reconciliation_run_alarms_and_is_not_retried() {
    let raw = raw();
    let resources = raw["Resources"].as_mapping().unwrap();
    // GIVEN the alarms on the function's metrics
    let alarms: Vec<&Value> = resources
        .values()
        .filter(|r| {
            r["Type"] == "AWS::CloudWatch::Alarm"
                && r["Properties"]["Dimensions"][0]["Value"]
                    == yaml(&format!("{{Ref: {FUNCTION}}}"))
        })
        .collect();
    // THEN one, on Errors, to the alarm topic when one is set
    let [alarm] = alarms.as_slice() else {
        panic!("{alarms:?}")
    };
    let p = &alarm["Properties"];
    assert_eq!(
        (&p["Namespace"], &p["MetricName"], &p["Statistic"]),
        (&yaml("AWS/Lambda"), &yaml("Errors"), &yaml("Sum"))
    );
    assert_eq!(p["Dimensions"][0]["Name"], "FunctionName");
    assert_eq!(p["ComparisonOperator"], "GreaterThanThreshold");
    assert_eq!(p["Threshold"], 0);
    assert_eq!(
        p["AlarmActions"],
        yaml(r#"{"Fn::If": [HasAlarmTopic, [{Ref: AlarmTopicArn}], {Ref: "AWS::NoValue"}]}"#)
    );
    // AND Lambda does not retry a failed run: the next scheduled one does the same work
    assert_eq!(
        raw["Resources"][FUNCTION]["Properties"]["EventInvokeConfig"]["MaximumRetryAttempts"],
        0
    );
}
