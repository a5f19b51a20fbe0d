//! `POST /admin-api/v1/tokens/search`: tokens by PAN or phone number
//! (through their keyed fingerprints), card id, token reference, device,
//! last four + expiry, or created in a range of days; audited with what was
//! searched, a PAN or phone number as its last four.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::search::SearchRequest;
use tmp_api::search::SearchResponse;
use tmp_api::{Problem, http, translate, validate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::clock::{Clock, SystemClock};
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::token_queries::TokenQueries;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the table, the audit log and the
/// fingerprint secret (PANs and phone numbers; unwrapped once).
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (guard, queries) = tokio::try_join!(
        crate::guard(sdk, env),
        issuer::token_queries(sdk, env, true),
    )?;
    Ok(crate::endpoint(
        guard,
        SearchTokens {
            queries,
            clock: Arc::new(SystemClock),
        },
    ))
}

pub struct SearchTokens {
    pub queries: TokenQueries,
    pub clock: Arc<dyn Clock>,
}

impl SearchTokens {
    async fn search(&self, request: &SearchRequest) -> Result<SearchResponse, Problem> {
        let search = request.search(self.clock.now().date())?;
        let found = self
            .queries
            .search(search.by, &search.filter, &search.page)
            .await?;
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
        let target = parsed.as_ref().ok().map(SearchRequest::audit_target);
        let response = match parsed {
            Ok(search) => self.search(&search).await.map(|r| http::json(200, &r)),
            Err(problem) => Err(problem),
        };
        Answer::new(response, target)
    }
}
