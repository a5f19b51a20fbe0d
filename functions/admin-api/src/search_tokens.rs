//! `POST /admin-api/v1/tokens/search`: tokens by PAN (through its keyed
//! fingerprint), card id, token reference or device; audited with what was
//! searched, a PAN as its last four.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::audit::search_target;
use tmp_api::search::{SearchRequest, SearchResponse};
use tmp_api::{Problem, http, translate, validate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::{admin, issuer};
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::token_queries::TokenQueries;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the table, the audit log and the
/// PAN-fingerprint secret (unwrapped once).
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (verifier, queries) = tokio::try_join!(
        admin::agent_token_verifier(env),
        issuer::token_queries(sdk, env, true),
    )?;
    let audit = admin::audit_trail(sdk, env)?;
    Ok(crate::endpoint(
        Arc::new(verifier),
        audit,
        SearchTokens { queries },
    ))
}

pub struct SearchTokens {
    pub queries: TokenQueries,
}

impl SearchTokens {
    async fn search(&self, search: &SearchRequest) -> Result<SearchResponse, Problem> {
        let (by, filter, page) = translate::search_query(search)?;
        let found = self.queries.search(by, &filter, &page).await?;
        translate::search_response(&found)
    }
}

#[async_trait::async_trait]
impl AdminOperation for SearchTokens {
    const NAME: &'static str = "adminSearchTokens";
    const ACTION: AuditAction = AuditAction::SearchTokens;
    const PERMISSION: Permission = Permission::TokensRead;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let parsed: Result<SearchRequest, Problem> = validate::parse(request.body);
        let target = parsed.as_ref().ok().and_then(search_target);
        let response = match parsed {
            Ok(search) => self.search(&search).await.map(|r| http::json(200, &r)),
            Err(problem) => Err(problem),
        };
        Answer::new(response, target)
    }
}
