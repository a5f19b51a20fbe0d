//! The admin API family (the issuer's customer service → TMP; our contract:
//! `api/admin-api.openapi.yaml`): one module per operation, one Lambda
//! binary per operation in `src/bin/`, and the family's slice of the
//! registry that tmp-local serves.
//!
//! Every operation goes through [`endpoint`]: the bearer token is verified
//! against the admin user pool's JWKS (fetched once per cold start; on AWS
//! the API's Cognito authorizer checks it first), the agent's roles come from
//! its `cognito:groups` and must allow the operation (403 otherwise, never
//! only hidden in the panel), and the request is written to the audit log
//! with its result before the answer leaves (an entry that cannot be
//! written is a 503).
//!
//! Adding an operation: a module here (wire types in `tmp-admin`), a bin,
//! its `template.yaml` entry, its `events/` samples.

pub mod activate_token;
pub mod active_tokens_report;
pub mod apple_pay_report;
pub mod audit_log;
pub mod bulk_preview;
pub mod bulk_start;
pub mod delete_token;
pub mod funnel_report;
pub mod get_decision_rules;
pub mod get_job;
pub mod get_token;
pub mod list_agents;
pub mod me;
pub mod post_card_event;
pub mod search_tokens;
pub mod set_agent_role;
pub mod suspend_token;
pub mod token_transactions;
pub mod unsuspend_token;
pub mod update_decision_rules;

mod bulk;
mod reports;
mod token_action;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use aws_config::SdkConfig;
use lambda_http::http::HeaderValue;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use tmp_admin::{Agent, Permission};
use tmp_api::auth::AccessTokenVerifier;
use tmp_api::{Problem, http};
use tmp_aws::cold_start::Registry;
use tmp_aws::compose::admin;
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::audit_trail::{AuditRecord, AuditTrail};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::HandlerError;
use tmp_runtime::lambda::{HttpHandler, http_handler};
use tracing::Instrument;

/// Every function of the family: binary name (as in `template.yaml`) → init.
pub const FUNCTIONS: Registry = &[
    ("admin-me", me::INIT),
    ("admin-search-tokens", search_tokens::INIT),
    ("admin-get-token", get_token::INIT),
    ("admin-activate-token", activate_token::INIT),
    ("admin-suspend-token", suspend_token::INIT),
    ("admin-unsuspend-token", unsuspend_token::INIT),
    ("admin-delete-token", delete_token::INIT),
    ("admin-preview-bulk", bulk_preview::INIT),
    ("admin-start-bulk", bulk_start::INIT),
    ("admin-get-job", get_job::INIT),
    ("admin-post-card-event", post_card_event::INIT),
    ("admin-audit-log", audit_log::INIT),
    ("admin-token-transactions", token_transactions::INIT),
    ("admin-funnel-report", funnel_report::INIT),
    ("admin-apple-pay-report", apple_pay_report::INIT),
    ("admin-active-tokens-report", active_tokens_report::INIT),
    ("admin-get-decision-rules", get_decision_rules::INIT),
    ("admin-update-decision-rules", update_decision_rules::INIT),
    ("admin-list-agents", list_agents::INIT),
    ("admin-set-agent-role", set_agent_role::INIT),
];

/// What an operation gets of an authorised request.
pub struct AdminRequest<'a> {
    pub agent: &'a Agent,
    pub path: HashMap<String, String>,
    pub query: HashMap<String, String>,
    pub idempotency_key: Option<&'a str>,
    pub body: &'a [u8],
}

impl AdminRequest<'_> {
    /// A path parameter (the route guarantees it; absent reads as unknown).
    pub fn path(&self, name: &str) -> &str {
        self.path.get(name).map_or("", String::as_str)
    }
}

/// An operation's answer and what the audit log records of it.
pub struct Answer {
    pub response: Result<Response<Vec<u8>>, Problem>,
    /// What was acted on or searched (never card data).
    pub target: Option<String>,
    pub reason_code: Option<String>,
    /// What the audit log calls it when not the operation's own action
    /// (the audit log downloaded rather than read).
    pub action: Option<AuditAction>,
}

impl Answer {
    pub fn new(response: Result<Response<Vec<u8>>, Problem>, target: Option<String>) -> Self {
        Self {
            response,
            target,
            reason_code: None,
            action: None,
        }
    }
}

/// One admin API operation.
#[async_trait::async_trait]
pub trait AdminOperation: Send + Sync + 'static {
    /// For logs.
    const NAME: &'static str;
    /// What the audit log calls it.
    const ACTION: AuditAction;
    /// What the agent's roles must allow.
    const PERMISSION: Permission;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer;
}

/// What every admin operation stands behind: the agents' token verifier,
/// the audit log, and the panel's origin (the one origin answered
/// cross-origin: `ADMIN_PANEL_ORIGIN`).
pub struct Guard {
    pub verifier: Arc<AccessTokenVerifier>,
    pub audit: AuditTrail,
    pub panel_origin: Option<HeaderValue>,
}

/// The guard's cold start: the admin user pool's keys (fetched once), the
/// audit log and the panel's origin.
pub async fn guard(sdk: &SdkConfig, env: &FunctionEnv) -> Result<Guard, HandlerError> {
    let verifier = admin::agent_token_verifier(env).await?;
    let panel_origin = env
        .get("ADMIN_PANEL_ORIGIN")
        .filter(|o| !o.is_empty())
        .map(HeaderValue::from_str)
        .transpose()
        .map_err(|_| HandlerError::from("ADMIN_PANEL_ORIGIN is not a header value"))?;
    Ok(Guard {
        verifier: Arc::new(verifier),
        audit: admin::audit_trail(sdk, env)?,
        panel_origin,
    })
}

/// An operation behind the agent check and the audit log.
pub struct Guarded<O> {
    pub verifier: Arc<AccessTokenVerifier>,
    pub audit: AuditTrail,
    pub panel_origin: Option<HeaderValue>,
    pub operation: O,
}

/// The HTTP handler of an admin operation, under a span that carries the
/// operation (never the body or the token).
pub fn endpoint<O: AdminOperation>(guard: Guard, operation: O) -> HttpHandler {
    http_handler(
        Arc::new(Guarded {
            verifier: guard.verifier,
            audit: guard.audit,
            panel_origin: guard.panel_origin,
            operation,
        }),
        |guarded, request: Request| async move {
            let span = tracing::info_span!("admin_api", operation = O::NAME);
            let mut response = answer(guarded.as_ref(), &request).instrument(span).await;
            allow_panel_origin(guarded.panel_origin.as_ref(), &request, &mut response);
            Ok(response.map(Body::from))
        },
    )
}

/// The panel calls from its own origin (its CloudFront site): that origin,
/// and no other, may read the answer.
fn allow_panel_origin(
    panel_origin: Option<&HeaderValue>,
    request: &Request,
    response: &mut Response<Vec<u8>>,
) {
    let Some(origin) = panel_origin else {
        return;
    };
    let headers = response.headers_mut();
    headers.insert(
        lambda_http::http::header::VARY,
        HeaderValue::from_static("Origin"),
    );
    if request.headers().get(lambda_http::http::header::ORIGIN) == Some(origin) {
        headers.insert(
            lambda_http::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
            origin.clone(),
        );
        headers.insert(
            lambda_http::http::header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Content-Disposition"),
        );
    }
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The caller's address as API Gateway saw it.
fn source_ip(request: &Request) -> Option<String> {
    match request.request_context_ref()? {
        RequestContext::ApiGatewayV1(context) => context.identity.source_ip.clone(),
        _ => None,
    }
    .filter(|ip| ip.len() <= 64)
}

async fn answer<O: AdminOperation>(guarded: &Guarded<O>, request: &Request) -> Response<Vec<u8>> {
    let now = time::OffsetDateTime::now_utc();
    // No agent, nothing to audit: an unauthenticated call is logged only.
    let agent = match guarded
        .verifier
        .authenticate(header(request, "authorization"), now)
        .map_err(Problem::from)
        .and_then(|token| Agent::from_token(&token))
    {
        Ok(agent) => agent,
        Err(problem) => return http::problem(&problem),
    };
    let answer = match agent.require(O::PERMISSION) {
        Err(problem) => Answer::new(Err(problem), None),
        Ok(()) => {
            let admin_request = AdminRequest {
                agent: &agent,
                path: request
                    .path_parameters()
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                query: request
                    .query_string_parameters()
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                idempotency_key: header(request, "idempotency-key"),
                body: request.body().as_ref(),
            };
            guarded.operation.call(&admin_request).await
        }
    };
    let status = match &answer.response {
        Ok(response) => response.status().as_u16(),
        Err(problem) => problem.status,
    };
    let record = AuditRecord {
        actor: agent.email.clone(),
        roles: agent.role_names(),
        action: answer.action.unwrap_or(O::ACTION),
        target: answer.target,
        reason_code: answer.reason_code,
        source_ip: source_ip(request),
        status,
    };
    if let Err(err) = guarded.audit.record(record).await {
        tracing::error!(error = %err, "audit entry not written: the answer is withheld");
        return http::problem(&Problem::unavailable());
    }
    tracing::info!(status, "answered");
    match answer.response {
        Ok(response) => response,
        Err(problem) => http::problem(&problem),
    }
}

/// An [`Init`](tmp_aws::cold_start::Init) from an async `init` function.
macro_rules! http_init {
    ($init:path) => {
        tmp_aws::cold_start::Init::Http(|sdk, env| Box::pin($init(sdk, env)))
    };
}
pub(crate) use http_init;
