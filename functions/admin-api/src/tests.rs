//! The admin operations behind their guard: roles from the agent's groups
//! decide (403 otherwise, the network never asked), every answered request
//! is in the audit log with its result, a PAN only as its last four, and an
//! answer whose audit entry cannot be written is withheld (503).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};
use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{Value, json};
use tmp_api::auth::{AccessTokenClaims, AccessTokenVerifier, Jwks};
use tmp_core::domain::Network;
use tmp_core::domain::audit::{AuditAction, AuditResult};
use tmp_core::domain::decision::Decision;
use tmp_core::domain::token::{LifecycleState, Suspender, TokenStatus};
use tmp_core::ports::TokenRecord;
use tmp_runtime::lambda::HttpHandler;
use tmp_testkit::world::{World, base64_decode};

use crate::active_tokens_report::ActiveTokensReport;
use crate::apple_pay_report::ApplePayReport;
use crate::audit_log::ReadAudit;
use crate::bulk_preview::PreviewBulk;
use crate::bulk_start::StartBulk;
use crate::funnel_report::FunnelReport;
use crate::get_decision_rules::GetDecisionRules;
use crate::get_job::GetJob as ReadJob;
use crate::get_token::GetToken;
use crate::list_agents::ListAgents;
use crate::me::ReadMe;
use crate::post_card_event::PostCardEvent;
use crate::search_tokens::SearchTokens;
use crate::set_agent_role::SetAgentRoleOperation;
use crate::token_action::{Act, Activate, Delete, Suspend, Unsuspend};
use crate::token_transactions::TokenTransactions;
use crate::update_decision_rules::UpdateDecisionRules;

mod samples;

const ISSUER: &str = "https://tmp.test/admin";
const CLIENT: &str = "admin-panel-test";
const ACTIVE: &str = "DWSPMC000000000000000000000000000000000000000901";
const PAN: &str = "5555555555554444";

fn read(relative: &str) -> String {
    std::fs::read_to_string(format!("{}/../../{relative}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn verifier() -> Arc<AccessTokenVerifier> {
    let jwks =
        Jwks::from_slice(read("events/test-keys/tmp-api-test-jwks.json").as_bytes()).unwrap();
    Arc::new(AccessTokenVerifier::new(ISSUER, jwks, [CLIENT]))
}

/// A token of the TEST-ONLY key for `email` in `groups`.
fn token(email: &str, groups: &[&str]) -> String {
    let pem = read("events/test-keys/tmp-api-test-private-key.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let key = PrivateKey::from_pkcs8_der(&base64_decode(&body)).unwrap();
    let jwks: Value =
        serde_json::from_str(&read("events/test-keys/tmp-api-test-jwks.json")).unwrap();
    let kid = jwks["keys"][0]["kid"].as_str().unwrap().to_owned();
    let claims = AccessTokenClaims::user(
        ISSUER,
        CLIENT,
        ("0f1e2d3c-0000-4000-8000-000000000001", email),
        groups,
        time::OffsetDateTime::now_utc(),
        time::Duration::minutes(15),
    )
    .unwrap();
    tmp_api::auth::issue(&key, &kid, &claims).unwrap()
}

struct Fx {
    world: World,
    reports: Arc<tmp_testkit::memory::MemoryReports>,
    rules: Arc<tmp_testkit::memory::MemoryDecisionRules>,
    agents: Arc<tmp_testkit::memory::MemoryAgents>,
}

impl Fx {
    fn new() -> Self {
        let world = World::default();
        world.state.seed_token(
            TokenRecord {
                token_ref: ACTIVE.to_owned(),
                network: Network::Mastercard,
                state: LifecycleState {
                    status: TokenStatus::Active,
                    suspenders: BTreeSet::new(),
                    last_event_at: Some(world.now() - time::Duration::hours(1)),
                },
                version: 1,
                pan_fingerprint: Some(world.fingerprint(PAN)),
                pan_last4: Some("4444".to_owned()),
                pan_expiry: Some("12/30".to_owned()),
                pan_unique_reference: Some("FWSPMC1".to_owned()),
                token_requestor_id: Some("50110030273".to_owned()),
                wallet_id: Some("103".to_owned()),
                has_contact: false,
                language: None,
                authorization_decision: Some(Decision::Approved),
                pending: None,
            },
            None,
        );
        world
            .state
            .set_card_and_device(ACTIVE, "card-0001", Some("phone-1"));
        // MDES's transaction list of it: one purchase.
        world.networks.set_records(
            ACTIVE,
            Vec::new(),
            vec![tmp_core::ports::NetworkTransaction {
                at: Some("2026-11-30T18:02:11Z".to_owned()),
                amount: Some("12.50".to_owned()),
                currency: Some("EUR".to_owned()),
                type_code: Some("P".to_owned()),
                type_description: Some("PURCHASE".to_owned()),
                status_code: Some("AUTHORIZED".to_owned()),
                merchant_name: Some("Corner Shop".to_owned()),
                merchant_category_code: Some("5411".to_owned()),
                merchant_category_description: Some("Grocery Stores".to_owned()),
                pos_entry_mode: Some("CONTACTLESS".to_owned()),
            }],
        );
        use tmp_core::domain::agent::AgentRole;
        // The user pool of the samples: one agent per role.
        let agents = Arc::new(tmp_testkit::memory::MemoryAgents::with(&[
            ("viewer@bank.test", &[AgentRole::Viewer]),
            ("agent@bank.test", &[AgentRole::Agent]),
            ("supervisor@bank.test", &[AgentRole::Supervisor]),
            ("admin@bank.test", &[AgentRole::Admin]),
        ]));
        Self {
            world,
            reports: Arc::default(),
            rules: Arc::default(),
            agents,
        }
    }

    fn handler(&self, operation: &str) -> HttpHandler {
        let guard = || crate::Guard {
            verifier: verifier(),
            audit: self.world.audit_trail(),
            panel_origin: None,
        };
        match operation {
            "me" => crate::endpoint(guard(), ReadMe),
            "search" => crate::endpoint(
                guard(),
                SearchTokens {
                    queries: self.world.token_queries(),
                    clock: self.world.clock.clone(),
                },
            ),
            "get" => crate::endpoint(
                guard(),
                GetToken {
                    queries: self.world.token_queries(),
                },
            ),
            "suspend" => crate::endpoint(guard(), Act::<Suspend>::new(self.world.token_actions())),
            "delete" => crate::endpoint(guard(), Act::<Delete>::new(self.world.token_actions())),
            "preview" => crate::endpoint(
                guard(),
                PreviewBulk {
                    jobs: self.world.job_runner(),
                },
            ),
            "start" => crate::endpoint(
                guard(),
                StartBulk {
                    jobs: self.world.job_runner(),
                },
            ),
            "job" => crate::endpoint(
                guard(),
                ReadJob {
                    jobs: self.world.job_runner(),
                },
            ),
            "audit" => crate::endpoint(
                guard(),
                ReadAudit {
                    audit: self.world.audit_trail(),
                },
            ),
            "rules" => crate::endpoint(
                guard(),
                GetDecisionRules {
                    rules: self.decision_rules(),
                },
            ),
            "update-rules" => crate::endpoint(
                guard(),
                UpdateDecisionRules {
                    rules: self.decision_rules(),
                },
            ),
            "card-event" => crate::endpoint(
                guard(),
                PostCardEvent {
                    jobs: self.world.job_runner(),
                    lost_or_stolen: tmp_core::domain::action::TokenAction::Delete,
                },
            ),
            "activate" => {
                crate::endpoint(guard(), Act::<Activate>::new(self.world.token_actions()))
            }
            "unsuspend" => {
                crate::endpoint(guard(), Act::<Unsuspend>::new(self.world.token_actions()))
            }
            "transactions" => crate::endpoint(
                guard(),
                TokenTransactions {
                    records: self.world.token_records(),
                },
            ),
            "funnel" => crate::endpoint(
                guard(),
                FunnelReport {
                    reports: self.report_queries(),
                    clock: self.world.clock.clone(),
                },
            ),
            "apple-pay" => crate::endpoint(
                guard(),
                ApplePayReport {
                    reports: self.report_queries(),
                    clock: self.world.clock.clone(),
                },
            ),
            "active-tokens" => crate::endpoint(
                guard(),
                ActiveTokensReport {
                    reports: self.report_queries(),
                },
            ),
            "agents" => crate::endpoint(
                guard(),
                ListAgents {
                    roles: self.agent_roles(),
                },
            ),
            "agent-role" => crate::endpoint(
                guard(),
                SetAgentRoleOperation {
                    roles: self.agent_roles(),
                },
            ),
            other => panic!("no operation {other}"),
        }
    }

    fn agent_roles(&self) -> Arc<tmp_core::usecases::agent_roles::AgentRoles> {
        Arc::new(tmp_core::usecases::agent_roles::AgentRoles {
            directory: self.agents.clone(),
        })
    }

    fn decision_rules(&self) -> Arc<tmp_core::usecases::decision_rules::DecisionRulesAdmin> {
        Arc::new(tmp_core::usecases::decision_rules::DecisionRulesAdmin {
            store: self.rules.clone(),
            deployment: tmp_core::domain::policy::DecisionPolicy::default(),
            clock: self.world.clock.clone(),
        })
    }

    fn report_queries(&self) -> tmp_core::usecases::reports::ReportQueries {
        tmp_core::usecases::reports::ReportQueries {
            store: self.reports.clone(),
        }
    }

    async fn call(
        &self,
        operation: &str,
        bearer: Option<&str>,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut builder = lambda_http::http::Request::builder()
            .method(if body.is_some() { "POST" } else { "GET" })
            .uri("https://admin.tmp.test/admin-api/v1/x")
            .header("content-type", "application/json")
            .header("idempotency-key", "7d2c4a90-0000-4000-8000-00000000aa01");
        if let Some(bearer) = bearer {
            builder = builder.header("authorization", format!("Bearer {bearer}"));
        }
        let body = body.map_or(Body::Empty, |b| Body::from(b.to_string()));
        let mut context = aws_lambda_events::apigw::ApiGatewayProxyRequestContext::default();
        context.identity.source_ip = Some("203.0.113.7".to_owned());
        let request: Request = builder
            .body(body)
            .unwrap()
            .with_path_parameters(
                path.iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect::<HashMap<_, _>>(),
            )
            .with_query_string_parameters(
                query
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect::<HashMap<_, _>>(),
            )
            .with_request_context(RequestContext::ApiGatewayV1(context));
        let response = (self.handler(operation))(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().to_vec();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

#[tokio::test]
async fn an_agent_sees_their_roles_and_every_request_is_audited() {
    // GIVEN an agent
    let fx = Fx::new();
    let bearer = token("agent@bank.test", &["agent"]);
    // WHEN they read their profile
    let (status, me) = fx.call("me", Some(&bearer), &[], &[], None).await;
    // THEN their roles and what those allow
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "agent@bank.test");
    assert_eq!(me["roles"], json!(["agent"]));
    assert_eq!(
        me["permissions"],
        json!([
            "tokens.read",
            "tokens.activate",
            "tokens.suspend",
            "tokens.unsuspend",
            "reports.read"
        ])
    );
    // AND the request is in the audit log: who, what, from where, the result
    let entries = fx.world.audit.entries();
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(
        (
            entry.actor.as_str(),
            entry.action,
            entry.result,
            entry.status
        ),
        (
            "agent@bank.test",
            AuditAction::ReadProfile,
            AuditResult::Succeeded,
            200
        )
    );
    assert_eq!(entry.source_ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(entry.roles, ["agent"]);
}

#[tokio::test]
async fn a_viewer_may_read_but_not_act_and_the_refusal_is_audited() {
    // GIVEN a viewer
    let fx = Fx::new();
    let viewer = token("viewer@bank.test", &["viewer"]);
    // WHEN they open the token THEN they see it with no action offered
    let (status, page) = fx
        .call("get", Some(&viewer), &[("tokenId", ACTIVE)], &[], None)
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["allowedActions"], json!([]));
    assert_eq!(page["status"], "ACTIVE");
    // WHEN they try to suspend it anyway
    let (status, problem) = fx
        .call(
            "suspend",
            Some(&viewer),
            &[("tokenId", ACTIVE)],
            &[],
            Some(json!({"reasonCode": "DEVICE_LOST"})),
        )
        .await;
    // THEN 403, the network never asked, the token unchanged, the refusal in the log
    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["detail"], "Your role does not allow this operation");
    assert!(fx.world.networks.calls().is_empty());
    assert_eq!(
        fx.world.state.token_of(ACTIVE).unwrap().state.status,
        TokenStatus::Active
    );
    let refused = fx.world.audit.entries().pop().unwrap();
    assert_eq!(
        (refused.action, refused.result, refused.status),
        (AuditAction::SuspendToken, AuditResult::Refused, 403)
    );
}

#[tokio::test]
async fn an_agent_suspends_as_themselves_and_may_not_delete() {
    // GIVEN an agent on an active token's page
    let fx = Fx::new();
    let agent = token("agent@bank.test", &["agent"]);
    let (_, page) = fx
        .call("get", Some(&agent), &[("tokenId", ACTIVE)], &[], None)
        .await;
    assert_eq!(page["allowedActions"], json!(["suspend"]));
    // WHEN they suspend it for a lost phone
    let (status, result) = fx
        .call(
            "suspend",
            Some(&agent),
            &[("tokenId", ACTIVE)],
            &[],
            Some(json!({"reasonCode": "DEVICE_LOST", "comment": "Phone lost"})),
        )
        .await;
    // THEN confirmed by the network, suspended by the issuer, the agent as operator
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["networkStatus"], "CONFIRMED");
    assert_eq!(result["status"], "SUSPENDED");
    assert_eq!(result["allowedActions"], json!(["unsuspend"]));
    let line = result["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(line["operator"], "agent@bank.test");
    assert_eq!(line["reasonCode"], "DEVICE_LOST");
    assert_eq!(fx.world.networks.calls()[0].operator, "agent@bank.test");
    let token = fx.world.state.token_of(ACTIVE).unwrap();
    assert!(token.state.suspenders.contains(&Suspender::Issuer));
    // AND the audit entry names the token and the reason
    let entry = fx.world.audit.entries().pop().unwrap();
    assert_eq!(entry.action, AuditAction::SuspendToken);
    assert_eq!(entry.target.as_deref(), Some(&*format!("token {ACTIVE}")));
    assert_eq!(entry.reason_code.as_deref(), Some("DEVICE_LOST"));
    // WHEN they try to delete it THEN 403 (a supervisor's action)
    let (status, _) = fx
        .call(
            "delete",
            Some(&agent),
            &[("tokenId", ACTIVE)],
            &[],
            Some(json!({"reasonCode": "DEVICE_LOST"})),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(fx.world.networks.calls().len(), 1);
}

#[tokio::test]
async fn a_pan_search_is_audited_by_its_last_four_only() {
    let fx = Fx::new();
    let viewer = token("viewer@bank.test", &["viewer"]);
    let (status, found) = fx
        .call("search", Some(&viewer), &[], &[], Some(json!({"pan": PAN})))
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["tokens"][0]["tokenId"], ACTIVE);
    let entry = fx.world.audit.entries().pop().unwrap();
    assert_eq!(entry.target.as_deref(), Some("pan ****4444"));
    assert!(!format!("{:?}", fx.world.audit.entries()).contains(PAN));
}

#[tokio::test]
async fn no_or_a_foreign_token_is_401_and_an_unwritten_audit_withholds_the_answer() {
    let fx = Fx::new();
    // No token, or one without a user (client credentials): 401, nothing to audit
    let (status, _) = fx.call("me", None, &[], &[], None).await;
    assert_eq!(status, 401);
    let (status, _) = fx.call("me", Some("not-a-jwt"), &[], &[], None).await;
    assert_eq!(status, 401);
    assert!(fx.world.audit.entries().is_empty());
    // A user in no known group: 403, audited
    let stranger = token("stranger@bank.test", &["Admins"]);
    let (status, _) = fx.call("me", Some(&stranger), &[], &[], None).await;
    assert_eq!(status, 403);
    assert_eq!(fx.world.audit.entries().len(), 1);
    // An action whose audit entry cannot be written: 503, whatever it did
    fx.world.audit.set_offline(true);
    let agent = token("agent@bank.test", &["agent"]);
    let (status, problem) = fx.call("me", Some(&agent), &[], &[], None).await;
    assert_eq!(status, 503, "{problem}");
}

#[tokio::test]
async fn supervisors_read_the_audit_log_and_agents_may_not() {
    // GIVEN an agent's suspension and a viewer's refused one
    let fx = Fx::new();
    let agent = token("agent@bank.test", &["agent"]);
    let viewer = token("viewer@bank.test", &["viewer"]);
    let body = json!({"reasonCode": "DEVICE_LOST"});
    fx.call(
        "suspend",
        Some(&agent),
        &[("tokenId", ACTIVE)],
        &[],
        Some(body.clone()),
    )
    .await;
    fx.call(
        "suspend",
        Some(&viewer),
        &[("tokenId", ACTIVE)],
        &[],
        Some(body),
    )
    .await;
    // WHEN a supervisor reads today's log
    let supervisor = token("supervisor@bank.test", &["supervisor"]);
    let (status, page) = fx.call("audit", Some(&supervisor), &[], &[], None).await;
    // THEN both, newest first
    assert_eq!(status, 200, "{page}");
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (&entries[0]["actor"], &entries[0]["result"]),
        (&json!("viewer@bank.test"), &json!("REFUSED"))
    );
    assert_eq!(
        (
            &entries[1]["actor"],
            &entries[1]["action"],
            &entries[1]["result"]
        ),
        (
            &json!("agent@bank.test"),
            &json!("SUSPEND_TOKEN"),
            &json!("SUCCEEDED")
        )
    );
    // AND filtered by agent, and refused to an agent, and an invalid range is 422
    let (_, mine) = fx
        .call(
            "audit",
            Some(&supervisor),
            &[],
            &[("actor", "agent@bank.test")],
            None,
        )
        .await;
    assert_eq!(mine["entries"].as_array().unwrap().len(), 1);
    let (status, _) = fx.call("audit", Some(&agent), &[], &[], None).await;
    assert_eq!(status, 403);
    let (status, _) = fx
        .call(
            "audit",
            Some(&supervisor),
            &[],
            &[("from", "2026-01-01"), ("to", "2026-03-01")],
            None,
        )
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn a_supervisor_previews_then_starts_a_bulk_action_and_follows_its_job() {
    // GIVEN the phone's active token and a supervisor
    let fx = Fx::new();
    let supervisor = token("supervisor@bank.test", &["supervisor"]);
    let device = [("deviceId", "phone-1"), ("action", "delete")];
    // WHEN they preview deleting every token of the device
    let (status, preview) = fx
        .call("preview", Some(&supervisor), &device, &[], None)
        .await;
    // THEN the token, which would change; nothing queued, no network asked
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        (preview["total"].clone(), preview["changing"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(preview["tokens"][0]["tokenId"], ACTIVE);
    assert!(fx.world.job_queue.messages().is_empty());
    // WHEN they start it
    let (status, accepted) = fx
        .call(
            "start",
            Some(&supervisor),
            &device,
            &[],
            Some(json!({"reasonCode": "DEVICE_STOLEN", "comment": "Phone stolen"})),
        )
        .await;
    // THEN a job of one item, the supervisor its operator, audited with the reason
    assert_eq!(status, 202, "{accepted}");
    let job_id = accepted["jobId"].as_str().unwrap().to_owned();
    assert_eq!(fx.world.job_queue.messages().len(), 1);
    let job = fx.world.job_runner().job(&job_id).await.unwrap();
    assert!(matches!(
        job.plan,
        tmp_core::domain::job::JobPlan::Action { ref operator, .. } if operator == "supervisor@bank.test"
    ));
    let entry = fx.world.audit.entries().pop().unwrap();
    assert_eq!(entry.action, AuditAction::StartBulk);
    assert_eq!(entry.target.as_deref(), Some("deviceId phone-1 delete"));
    assert_eq!(entry.reason_code.as_deref(), Some("DEVICE_STOLEN"));
    // AND the job reads back
    let (status, read) = fx
        .call("job", Some(&supervisor), &[("jobId", &job_id)], &[], None)
        .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["status"], "RUNNING");
    assert_eq!(read["total"], 1);
    // AND an agent may neither preview nor start one
    let agent = token("agent@bank.test", &["agent"]);
    let (status, _) = fx.call("preview", Some(&agent), &device, &[], None).await;
    assert_eq!(status, 403);
    let (status, _) = fx
        .call(
            "start",
            Some(&agent),
            &device,
            &[],
            Some(json!({"reasonCode": "DEVICE_STOLEN"})),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(fx.world.job_queue.messages().len(), 1);
    // AND activation is never bulk
    let (status, _) = fx
        .call(
            "preview",
            Some(&supervisor),
            &[("deviceId", "phone-1"), ("action", "activate")],
            &[],
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn only_the_panels_origin_may_read_an_answer_cross_origin() {
    // GIVEN the "me" operation for a panel served from its own origin
    let fx = Fx::new();
    let handler = crate::endpoint(
        crate::Guard {
            verifier: verifier(),
            audit: fx.world.audit_trail(),
            panel_origin: Some("https://admin.bank.test".parse().unwrap()),
        },
        ReadMe,
    );
    let bearer = token("viewer@bank.test", &["viewer"]);
    for (origin, allowed) in [
        ("https://admin.bank.test", true),
        ("https://evil.example", false),
    ] {
        // WHEN the browser calls from `origin`
        let request = lambda_http::http::Request::builder()
            .uri("https://api.tmp.test/v1/admin-api/v1/me")
            .header("authorization", format!("Bearer {bearer}"))
            .header("origin", origin)
            .body(Body::Empty)
            .unwrap()
            .with_request_context(RequestContext::ApiGatewayV1(Default::default()));
        let response = handler(request).await.unwrap();
        // THEN only the panel's origin is allowed to read it, and caches keep them apart
        assert_eq!(response.status(), 200);
        let allow = response.headers().get("access-control-allow-origin");
        assert_eq!(allow.is_some(), allowed, "{origin}");
        if allowed {
            assert_eq!(allow.unwrap(), origin);
        }
        assert_eq!(response.headers()["vary"], "Origin");
    }
}

#[tokio::test]
async fn an_administrator_sets_an_agents_role_but_not_their_own_and_each_change_is_audited() {
    // GIVEN the pool's four agents and an administrator
    let fx = Fx::new();
    let admin = token("admin@bank.test", &["admin"]);
    // WHEN the administrator lists the agents
    let (status, list) = fx.call("agents", Some(&admin), &[], &[], None).await;
    // THEN each is there with their role
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["truncated"], false);
    let viewer = list["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "viewer@bank.test")
        .unwrap();
    assert_eq!(viewer["roles"], json!(["viewer"]));
    // WHEN they make the viewer an agent
    let body = json!({"username": "viewer@bank.test", "role": "agent"});
    let (status, change) = fx
        .call("agent-role", Some(&admin), &[], &[], Some(body))
        .await;
    // THEN the pool says so, the viewer was signed out, and the audit log names the change
    assert_eq!(status, 200, "{change}");
    assert_eq!(
        change,
        json!({"username": "viewer@bank.test", "before": ["viewer"], "after": ["agent"], "signedOut": true})
    );
    assert_eq!(
        fx.agents.roles("viewer@bank.test"),
        Some([tmp_core::domain::agent::AgentRole::Agent].into())
    );
    assert_eq!(fx.agents.signed_out(), ["viewer@bank.test"]);
    let entry = fx.world.audit.entries().pop().unwrap();
    assert_eq!(entry.action, AuditAction::SetAgentRole);
    assert_eq!(
        entry.target.as_deref(),
        Some("agent viewer@bank.test: viewer → agent")
    );
    // WHEN they try their own role
    let own = json!({"username": "admin@bank.test", "role": "viewer"});
    let (status, problem) = fx
        .call("agent-role", Some(&admin), &[], &[], Some(own))
        .await;
    // THEN 409, nothing changed, and the refusal is audited
    assert_eq!(status, 409, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("own role"));
    let entry = fx.world.audit.entries().pop().unwrap();
    assert_eq!(
        (entry.result, entry.target.as_deref()),
        (AuditResult::Refused, Some("agent admin@bank.test"))
    );
    // AND an agent the pool does not hold is 404, without the name echoed
    let unknown = json!({"username": "nobody@bank.test", "role": "viewer"});
    let (status, problem) = fx
        .call("agent-role", Some(&admin), &[], &[], Some(unknown))
        .await;
    assert_eq!(status, 404);
    assert!(!problem.to_string().contains("nobody"));
}

#[tokio::test]
async fn a_supervisor_may_neither_list_agents_nor_set_a_role_even_when_calling_directly() {
    // GIVEN a supervisor
    let fx = Fx::new();
    let supervisor = token("supervisor@bank.test", &["supervisor"]);
    // WHEN they list the agents or promote themself
    let (listed, _) = fx.call("agents", Some(&supervisor), &[], &[], None).await;
    let body = json!({"username": "supervisor@bank.test", "role": "admin"});
    let (promoted, _) = fx
        .call("agent-role", Some(&supervisor), &[], &[], Some(body))
        .await;
    // THEN both are 403 and the pool was not asked
    assert_eq!((listed, promoted), (403, 403));
    assert!(fx.agents.calls().is_empty());
    assert_eq!(
        fx.agents.roles("supervisor@bank.test"),
        Some([tmp_core::domain::agent::AgentRole::Supervisor].into())
    );
}
