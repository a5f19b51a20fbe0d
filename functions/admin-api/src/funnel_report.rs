//! `GET /admin-api/v1/reports/funnel`: the tokenization funnel per token
//! requestor and per day (requests; green / yellow / orange / red;
//! activations; abandoned), as JSON or CSV.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::reports::{funnel, funnel_csv};
use tmp_aws::cold_start::Init;
use tmp_core::clock::{Clock, SystemClock};
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::reports::{ReportFilter, ReportQueries};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer, reports};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the reports table and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    reports::init(sdk, env, |reports| FunnelReport {
        reports,
        clock: Arc::new(SystemClock),
    })
    .await
}

pub struct FunnelReport {
    pub reports: ReportQueries,
    pub clock: Arc<dyn Clock>,
}

#[async_trait::async_trait]
impl AdminOperation for FunnelReport {
    const NAME: &'static str = "adminFunnelReport";
    const ACTION: AuditAction = AuditAction::ReadReport;
    const PERMISSION: Permission = Permission::ReportsRead;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let today = self.clock.now().date();
        let query = match reports::query(request, today) {
            Ok(query) => query,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let filter = ReportFilter {
            token_requestor_id: query.token_requestor_id.clone(),
            wallet: None,
        };
        let response = self
            .reports
            .funnel(query.from, query.to, today, &filter)
            .await
            .map(|lines| {
                let name = format!("funnel-{}-{}", query.from, query.to);
                reports::answer(query.format, &name, &funnel(&query, &lines), funnel_csv)
            })
            .map_err(Into::into);
        Answer::new(response, reports::target("funnel", &query))
    }
}
