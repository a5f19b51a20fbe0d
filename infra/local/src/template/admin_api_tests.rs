//! The admin panel's part of the workspace template: the agents' user pool
//! (MFA required, one group per role), the panel's public code-flow client,
//! AdminApi's edge, the append-only audit table, and the twenty functions on
//! AdminApi with exactly the environment and permissions of the spec.

use std::collections::BTreeSet;
use std::path::Path;

use serde_norway::Value;

use super::*;
use crate::routes::RouteAuth;

const API: &str = "AdminApi";
const AUTHORIZER: &str = "AdminCognitoAuthorizer";

fn template() -> Template {
    Template::from_path(&crate::workspace_root().join("template.yaml")).unwrap()
}

fn raw() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    crate::intrinsics::normalize(
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap(),
    )
}

fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Me,
    Search,
    Get,
    Action,
    Preview,
    Start,
    Job,
    Audit,
    Transactions,
    Report,
    CardEvent,
    Rules,
    RulesUpdate,
    Agents,
    AgentRole,
}

type Route = (&'static str, &'static str);

const FUNCTIONS: [(&str, &str, &[Route], Kind); 20] = [
    (
        "AdminMeFunction",
        "admin-me",
        &[("get", "/admin-api/v1/me")],
        Kind::Me,
    ),
    (
        "AdminSearchTokensFunction",
        "admin-search-tokens",
        &[("post", "/admin-api/v1/tokens/search")],
        Kind::Search,
    ),
    (
        "AdminGetTokenFunction",
        "admin-get-token",
        &[("get", "/admin-api/v1/tokens/{tokenId}")],
        Kind::Get,
    ),
    (
        "AdminActivateTokenFunction",
        "admin-activate-token",
        &[("post", "/admin-api/v1/tokens/{tokenId}/activate")],
        Kind::Action,
    ),
    (
        "AdminSuspendTokenFunction",
        "admin-suspend-token",
        &[("post", "/admin-api/v1/tokens/{tokenId}/suspend")],
        Kind::Action,
    ),
    (
        "AdminUnsuspendTokenFunction",
        "admin-unsuspend-token",
        &[("post", "/admin-api/v1/tokens/{tokenId}/unsuspend")],
        Kind::Action,
    ),
    (
        "AdminDeleteTokenFunction",
        "admin-delete-token",
        &[("post", "/admin-api/v1/tokens/{tokenId}/delete")],
        Kind::Action,
    ),
    (
        "AdminPreviewBulkFunction",
        "admin-preview-bulk",
        &[
            (
                "get",
                "/admin-api/v1/cards/{cardId}/tokens/{action}/preview",
            ),
            (
                "get",
                "/admin-api/v1/devices/{deviceId}/tokens/{action}/preview",
            ),
        ],
        Kind::Preview,
    ),
    (
        "AdminStartBulkFunction",
        "admin-start-bulk",
        &[
            ("post", "/admin-api/v1/cards/{cardId}/tokens/{action}"),
            ("post", "/admin-api/v1/devices/{deviceId}/tokens/{action}"),
        ],
        Kind::Start,
    ),
    (
        "AdminPostCardEventFunction",
        "admin-post-card-event",
        &[("post", "/admin-api/v1/cards/{cardId}/events")],
        Kind::CardEvent,
    ),
    (
        "AdminGetJobFunction",
        "admin-get-job",
        &[("get", "/admin-api/v1/jobs/{jobId}")],
        Kind::Job,
    ),
    (
        "AdminAuditLogFunction",
        "admin-audit-log",
        &[("get", "/admin-api/v1/audit")],
        Kind::Audit,
    ),
    (
        "AdminTokenTransactionsFunction",
        "admin-token-transactions",
        &[("get", "/admin-api/v1/tokens/{tokenId}/transactions")],
        Kind::Transactions,
    ),
    (
        "AdminFunnelReportFunction",
        "admin-funnel-report",
        &[("get", "/admin-api/v1/reports/funnel")],
        Kind::Report,
    ),
    (
        "AdminApplePayReportFunction",
        "admin-apple-pay-report",
        &[("get", "/admin-api/v1/reports/apple-pay")],
        Kind::Report,
    ),
    (
        "AdminActiveTokensReportFunction",
        "admin-active-tokens-report",
        &[("get", "/admin-api/v1/reports/active-tokens")],
        Kind::Report,
    ),
    (
        "AdminGetDecisionRulesFunction",
        "admin-get-decision-rules",
        &[("get", "/admin-api/v1/decision-rules")],
        Kind::Rules,
    ),
    (
        "AdminUpdateDecisionRulesFunction",
        "admin-update-decision-rules",
        &[("put", "/admin-api/v1/decision-rules")],
        Kind::RulesUpdate,
    ),
    (
        "AdminListAgentsFunction",
        "admin-list-agents",
        &[("get", "/admin-api/v1/agents")],
        Kind::Agents,
    ),
    (
        "AdminSetAgentRoleFunction",
        "admin-set-agent-role",
        &[("put", "/admin-api/v1/agent-roles")],
        Kind::AgentRole,
    ),
];

/// `(action, resource, condition)`.
type Grant = (String, String, String);

fn resource_name(r: &Value) -> String {
    for (name, text) in [
        ("table", r#"{"Fn::GetAtt": [TokenStateTable, Arn]}"#),
        ("index", r#"{"Fn::Sub": "${TokenStateTable.Arn}/index/*"}"#),
        ("key", r#"{"Fn::GetAtt": [SecretsKey, Arn]}"#),
        ("audit", r#"{"Fn::GetAtt": [AdminAuditTable, Arn]}"#),
        ("job-queue", r#"{"Fn::GetAtt": [TokenJobQueue, Arn]}"#),
        ("reports", r#"{"Fn::GetAtt": [ReportsTable, Arn]}"#),
        ("rules", r#"{"Fn::GetAtt": [DecisionRulesTable, Arn]}"#),
        ("agents", r#"{"Fn::GetAtt": [AdminUserPool, Arn]}"#),
    ] {
        if r == &yaml(text) {
            return name.to_owned();
        }
    }
    panic!("unexpected resource {r:?}")
}

fn grants(statements: &[Value]) -> BTreeSet<Grant> {
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::Sequence(items) => items
                .iter()
                .map(|i| i.as_str().unwrap().to_owned())
                .collect(),
            one => vec![one.as_str().unwrap().to_owned()],
        }
    };
    let mut out = BTreeSet::new();
    for s in statements {
        assert_eq!(s["Effect"], "Allow", "{s:?}");
        let condition = match s.get("Condition") {
            None => String::new(),
            Some(c) if c["StringEquals"].get("kms:ViaService").is_some() => {
                assert_eq!(
                    c["StringEquals"]["kms:ViaService"],
                    yaml(r#"{"Fn::Sub": "sqs.${AWS::Region}.amazonaws.com"}"#)
                );
                "via=sqs".to_owned()
            }
            Some(c) => {
                let purposes = c["StringEquals"]["kms:EncryptionContext:purpose"]
                    .as_sequence()
                    .unwrap_or_else(|| panic!("unexpected condition {c:?}"));
                let names: Vec<&str> = purposes.iter().map(|p| p.as_str().unwrap()).collect();
                format!("purpose={}", names.join(","))
            }
        };
        let resources: Vec<String> = match &s["Resource"] {
            Value::Sequence(r) => r.iter().map(resource_name).collect(),
            r => vec![resource_name(r)],
        };
        for action in strings(&s["Action"]) {
            for resource in &resources {
                out.insert((action.clone(), resource.clone(), condition.clone()));
            }
        }
    }
    out
}

fn grant(resource: &str, actions: &[&str], condition: &str) -> Vec<Grant> {
    actions
        .iter()
        .map(|a| ((*a).to_owned(), resource.to_owned(), condition.to_owned()))
        .collect()
}

#[test]
fn agents_sign_in_with_mfa_one_group_per_role_through_a_public_code_flow_client() {
    let raw = raw();
    let r = &raw["Resources"];
    let pool = &r["AdminUserPool"]["Properties"];
    // THEN only administrators create agents, a second factor is required, passwords are strong
    assert_eq!(
        pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"],
        Value::Bool(true)
    );
    assert_eq!(pool["MfaConfiguration"], "ON");
    // AND the username is the agent's e-mail as typed (tokens carry it as `username`, the
    // operator of histories), not a generated id, and matched whatever its case
    assert!(pool.get("UsernameAttributes").is_none());
    assert_eq!(
        pool["UsernameConfiguration"]["CaseSensitive"],
        Value::Bool(false)
    );
    assert_eq!(pool["EnabledMfas"], yaml("[SOFTWARE_TOKEN_MFA]"));
    assert!(
        scalar_string(&pool["Policies"]["PasswordPolicy"]["MinimumLength"])
            .unwrap()
            .parse::<u32>()
            .unwrap()
            >= 12
    );
    assert_eq!(r["AdminUserPool"]["DeletionPolicy"], "Retain");
    // AND its groups are exactly the roles the functions know
    let mut groups: Vec<String> = r
        .as_mapping()
        .unwrap()
        .values()
        .filter(|v| v["Type"] == "AWS::Cognito::UserPoolGroup")
        .map(|v| {
            assert_eq!(v["Properties"]["UserPoolId"], yaml("{Ref: AdminUserPool}"));
            v["Properties"]["GroupName"].as_str().unwrap().to_owned()
        })
        .collect();
    groups.sort();
    let mut roles: Vec<String> = tmp_admin::Role::ALL
        .iter()
        .map(|r| r.as_str().to_owned())
        .collect();
    roles.sort();
    assert_eq!(groups, roles);
    // AND the panel is a public client of the code flow, short-lived tokens, revocable
    let c = &r["AdminPanelClient"]["Properties"];
    assert_eq!(c["GenerateSecret"], Value::Bool(false));
    assert_eq!(c["AllowedOAuthFlows"], yaml("[code]"));
    assert_eq!(c["AllowedOAuthScopes"], yaml("[openid, email]"));
    assert_eq!(c["EnableTokenRevocation"], Value::Bool(true));
    assert_eq!(c["TokenValidityUnits"]["AccessToken"], "minutes");
}

#[test]
fn the_audit_table_denies_every_change_and_deletion_of_an_entry() {
    let raw = raw();
    let table = &raw["Resources"]["AdminAuditTable"];
    assert_eq!(table["DeletionPolicy"], "Retain");
    let p = &table["Properties"];
    assert_eq!(p["DeletionProtectionEnabled"], Value::Bool(true));
    assert_eq!(
        p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        Value::Bool(true)
    );
    assert_eq!(
        p["SSESpecification"]["KMSMasterKeyId"],
        yaml("{Ref: SecretsKey}")
    );
    let statements = p["ResourcePolicy"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    let denied: BTreeSet<&str> = statements
        .iter()
        .filter(|s| s["Effect"] == "Deny" && s["Principal"] == "*")
        .flat_map(|s| {
            s["Action"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
        })
        .collect();
    for action in [
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
    ] {
        assert!(denied.contains(action), "{action} is not denied");
    }
    // AND no function may update or delete there: each only puts (and the audit page reads)
    for (id, _, _, kind) in FUNCTIONS {
        let statements = raw["Resources"][id]["Properties"]["Policies"][0]["Statement"]
            .as_sequence()
            .unwrap();
        let on_audit: BTreeSet<String> = grants(statements)
            .into_iter()
            .filter(|(_, r, _)| r == "audit")
            .map(|(a, _, _)| a)
            .collect();
        let wanted: BTreeSet<String> = match kind {
            Kind::Audit => ["dynamodb:PutItem", "dynamodb:Query"]
                .map(str::to_owned)
                .into(),
            _ => ["dynamodb:PutItem".to_owned()].into(),
        };
        assert_eq!(on_audit, wanted, "{id}");
    }
}

#[test]
fn the_admin_functions_are_routed_on_the_admin_api_with_exactly_their_permissions() {
    let t = template();
    let raw = raw();
    let api = t.api(API);
    let served = t
        .functions
        .iter()
        .flat_map(|f| f.events.iter())
        .filter(|(_, e)| matches!(e, FunctionEvent::Api { api, .. } if api.as_deref() == Some(API)))
        .count();
    let routes: usize = FUNCTIONS.iter().map(|(_, _, r, _)| r.len()).sum();
    assert_eq!(served, routes);
    for (id, binary, wanted_routes, kind) in FUNCTIONS {
        let f = t.function(id).unwrap_or_else(|| panic!("no {id}"));
        assert_eq!(f.binary, binary);
        assert!(
            crate::registry::lookup_http(binary).is_some(),
            "{binary} not registered"
        );
        let mut routes: Vec<(String, String)> = Vec::new();
        for (_, event) in &f.events {
            let FunctionEvent::Api {
                path,
                method,
                api: a,
                auth,
            } = event
            else {
                panic!("{id} has a non-Api event")
            };
            assert_eq!(a.as_deref(), Some(API), "{id}");
            assert_eq!(
                route_auth(api, auth),
                RouteAuth {
                    authorizer: Some(AUTHORIZER.to_owned()),
                    authorization_scopes: vec!["email".to_owned()],
                },
                "{id}"
            );
            routes.push((method.clone(), path.clone()));
        }
        routes.sort();
        let mut wanted: Vec<(String, String)> = wanted_routes
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        wanted.sort();
        assert_eq!(routes, wanted, "{id}");
        // AND its environment is exactly the spec's
        let mut wanted = vec![
            "RUST_LOG",
            "ADMIN_AUDIT_TABLE",
            "AUDIT_RETENTION_DAYS",
            "TMP_ADMIN_TOKEN_ISSUER",
            "TMP_ADMIN_CLIENT_IDS",
            "ADMIN_PANEL_ORIGIN",
        ];
        wanted.extend(match kind {
            Kind::Me | Kind::Audit => vec![],
            Kind::Report => vec!["REPORTS_TABLE"],
            Kind::Rules | Kind::RulesUpdate => vec!["DECISION_RULES", "DECISION_RULES_TABLE"],
            Kind::Agents | Kind::AgentRole => vec!["ADMIN_USER_POOL_ID"],
            Kind::Get | Kind::Preview | Kind::Job => vec!["TOKEN_STATE_TABLE"],
            Kind::Start => vec!["TOKEN_STATE_TABLE", "JOB_QUEUE_URL"],
            Kind::CardEvent => vec![
                "TOKEN_STATE_TABLE",
                "JOB_QUEUE_URL",
                "LOST_OR_STOLEN_CARD_ACTION",
            ],
            Kind::Search => vec![
                "TOKEN_STATE_TABLE",
                "SECRETS_KEY_ID",
                "PAN_FINGERPRINT_SECRET_CIPHERTEXT",
            ],
            Kind::Action | Kind::Transactions => vec![
                "TOKEN_STATE_TABLE",
                "SECRETS_KEY_ID",
                "MDES_CS_BASE_URL",
                "MDES_OAUTH_CONSUMER_KEY",
                "MDES_OAUTH_SIGNING_KEY_CIPHERTEXT",
                "VTS_LIFECYCLE_BASE_URL",
                "NETWORK_TIMEOUT_MS",
                "ISSUER_NAME",
            ],
        });
        let names: BTreeSet<&str> = f.environment.keys().map(String::as_str).collect();
        assert_eq!(names, wanted.into_iter().collect(), "{id}");
        assert_eq!(
            f.environment["TMP_ADMIN_TOKEN_ISSUER"].0,
            yaml(
                r#"{"Fn::If": [HasAdminTokenIssuerUrl, {Ref: AdminTokenIssuerUrl}, {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${AdminUserPool}"}]}"#
            ),
        );
        assert_eq!(
            f.environment["ADMIN_AUDIT_TABLE"].0,
            yaml("{Ref: AdminAuditTable}")
        );
        // AND an action's network settings are the TMP API's own
        if matches!(kind, Kind::Action | Kind::Transactions) {
            let tmp = t.function("TmpSuspendTokenFunction").unwrap();
            for same in [
                "MDES_CS_BASE_URL",
                "MDES_OAUTH_SIGNING_KEY_CIPHERTEXT",
                "VTS_LIFECYCLE_BASE_URL",
                "NETWORK_TIMEOUT_MS",
            ] {
                assert_eq!(f.environment[same], tmp.environment[same], "{id} {same}");
            }
        }
        // AND its statements grant exactly the spec's actions
        let statements = raw["Resources"][id]["Properties"]["Policies"][0]["Statement"]
            .as_sequence()
            .unwrap();
        let audit = grant("audit", &["dynamodb:PutItem"], "");
        let wanted: BTreeSet<Grant> = match kind {
            Kind::Me => audit,
            Kind::Audit => grant("audit", &["dynamodb:PutItem", "dynamodb:Query"], ""),
            Kind::Get => [
                grant("table", &["dynamodb:Query"], ""),
                grant("index", &["dynamodb:Query"], ""),
                audit,
            ]
            .concat(),
            Kind::Search => [
                grant(
                    "table",
                    &[
                        "dynamodb:GetItem",
                        "dynamodb:BatchGetItem",
                        "dynamodb:Query",
                    ],
                    "",
                ),
                grant("index", &["dynamodb:Query"], ""),
                grant("key", &["kms:Decrypt"], "purpose=pan-fingerprint-secret"),
                audit,
            ]
            .concat(),
            Kind::Action => [
                grant("table", super::issuer_api_tests::ACTION_TABLE, ""),
                grant("index", &["dynamodb:Query"], ""),
                grant("key", &["kms:Decrypt"], "purpose=mdes-oauth-signing-key"),
                audit,
            ]
            .concat(),
            Kind::Preview => [
                grant(
                    "table",
                    &[
                        "dynamodb:GetItem",
                        "dynamodb:BatchGetItem",
                        "dynamodb:Query",
                    ],
                    "",
                ),
                grant("index", &["dynamodb:Query"], ""),
                audit,
            ]
            .concat(),
            Kind::Start | Kind::CardEvent => [
                grant("table", super::issuer_api_tests::ACTION_TABLE, ""),
                grant("table", &["dynamodb:BatchGetItem"], ""),
                grant("index", &["dynamodb:Query"], ""),
                grant("job-queue", &["sqs:SendMessage"], ""),
                grant("key", &["kms:GenerateDataKey", "kms:Decrypt"], "via=sqs"),
                audit,
            ]
            .concat(),
            Kind::Job => [grant("table", &["dynamodb:Query"], ""), audit].concat(),
            Kind::Transactions => [
                grant("table", &["dynamodb:Query"], ""),
                grant("key", &["kms:Decrypt"], "purpose=mdes-oauth-signing-key"),
                audit,
            ]
            .concat(),
            Kind::Report => [grant("reports", &["dynamodb:Query"], ""), audit].concat(),
            Kind::Rules => [grant("rules", &["dynamodb:GetItem"], ""), audit].concat(),
            Kind::RulesUpdate => [
                grant("rules", &["dynamodb:GetItem", "dynamodb:PutItem"], ""),
                audit,
            ]
            .concat(),
            // Reads only: never a user created, deleted or given a password.
            Kind::Agents => [
                grant(
                    "agents",
                    &["cognito-idp:ListUsers", "cognito-idp:ListUsersInGroup"],
                    "",
                ),
                audit,
            ]
            .concat(),
            Kind::AgentRole => [
                grant(
                    "agents",
                    &[
                        "cognito-idp:AdminListGroupsForUser",
                        "cognito-idp:AdminAddUserToGroup",
                        "cognito-idp:AdminRemoveUserFromGroup",
                        "cognito-idp:AdminUserGlobalSignOut",
                    ],
                    "",
                ),
                audit,
            ]
            .concat(),
        }
        .into_iter()
        .collect();
        assert_eq!(grants(statements), wanted, "{id}");
    }
}

#[test]
fn the_panel_site_is_a_private_bucket_behind_cloudfront_with_the_security_headers() {
    let raw = raw();
    let r = &raw["Resources"];
    let bucket = &r["AdminPanelBucket"]["Properties"];
    for block in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            bucket["PublicAccessBlockConfiguration"][block],
            Value::Bool(true)
        );
    }
    // THEN only the distribution reads it, over TLS
    let statements = r["AdminPanelBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    let read = statements.iter().find(|s| s["Effect"] == "Allow").unwrap();
    assert_eq!(
        read["Principal"],
        yaml("{Service: cloudfront.amazonaws.com}")
    );
    assert_eq!(read["Action"], "s3:GetObject");
    assert!(
        format!("{:?}", read["Condition"]).contains("AdminPanelDistribution"),
        "{:?}",
        read["Condition"]
    );
    assert!(
        statements
            .iter()
            .any(|s| s["Effect"] == "Deny"
                && s["Condition"]["Bool"]["aws:SecureTransport"] == "false")
    );
    // AND every answer carries CSP (no framing), HSTS, DENY, nosniff, no referrer
    let headers = &r["AdminPanelSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"];
    let csp = format!(
        "{:?}",
        headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    );
    for part in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "${AdminApi}.execute-api",
    ] {
        assert!(csp.contains(part), "{part} not in {csp}");
    }
    let hsts = &headers["StrictTransportSecurity"];
    assert!(
        scalar_string(&hsts["AccessControlMaxAgeSec"])
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 31_536_000
    );
    assert_eq!(hsts["Preload"], Value::Bool(true));
    assert_eq!(headers["FrameOptions"]["FrameOption"], "DENY");
    assert_eq!(headers["ReferrerPolicy"]["ReferrerPolicy"], "no-referrer");
    let config = &r["AdminPanelDistribution"]["Properties"]["DistributionConfig"];
    assert_eq!(
        config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"],
        yaml("{Ref: AdminPanelSecurityHeaders}")
    );
    assert_eq!(
        config["DefaultCacheBehavior"]["ViewerProtocolPolicy"],
        "redirect-to-https"
    );
    // AND the local site sends the same headers (its connect-src is its own origin and AWS's)
    let mut local = axum::http::HeaderMap::new();
    crate::local_admin::security_headers(&mut local);
    let local_csp = local["content-security-policy"].to_str().unwrap();
    for part in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(local_csp.contains(part), "{part} not in {local_csp}");
    }
    assert_eq!(local["x-frame-options"], "DENY");
    assert_eq!(local["referrer-policy"], "no-referrer");
}

#[test]
fn the_admin_api_admits_only_the_allowed_networks_and_answers_problems_as_the_tmp_api() {
    let raw = raw();
    let api = &raw["Resources"]["AdminApi"]["Properties"];
    let statements = api["Auth"]["ResourcePolicy"]["CustomStatements"]
        .as_sequence()
        .unwrap();
    let deny = statements.iter().find(|s| s["Effect"] == "Deny").unwrap();
    assert_eq!(
        deny["Condition"]["NotIpAddress"]["aws:SourceIp"],
        yaml("{Ref: AllowedAdminCidrs}")
    );
    // AND its gateway's own answers are the TMP API's problems, readable by the panel's origin
    let mut responses = api["GatewayResponses"].clone();
    for (_, response) in responses.as_mapping_mut().unwrap().iter_mut() {
        let headers = response["ResponseParameters"]["Headers"]
            .as_mapping_mut()
            .unwrap();
        assert_eq!(
            headers.remove("Access-Control-Allow-Origin"),
            Some(yaml(r#"{"Fn::Sub": "'${AdminPanelOrigin}'"}"#))
        );
    }
    assert_eq!(
        responses,
        raw["Resources"]["IssuerApi"]["Properties"]["GatewayResponses"]
    );
    // AND CORS admits the panel's origin only, its preflight outside the authorizer
    assert_eq!(
        api["Cors"]["AllowOrigin"],
        yaml(r#"{"Fn::Sub": "'${AdminPanelOrigin}'"}"#)
    );
    assert_eq!(
        api["Auth"]["AddDefaultAuthorizerToCorsPreflight"],
        Value::Bool(false)
    );
    assert_eq!(
        api["Auth"]["Authorizers"][AUTHORIZER]["UserPoolArn"],
        yaml(r#"{"Fn::GetAtt": [AdminUserPool, Arn]}"#)
    );
}
