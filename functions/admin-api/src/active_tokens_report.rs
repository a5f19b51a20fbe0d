//! `GET /admin-api/v1/reports/active-tokens`: the tokens active now, by
//! wallet and network, as JSON or CSV.

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::reports::{active_by_wallet, active_tokens_csv, format};
use tmp_aws::cold_start::Init;
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::reports::{ReportFilter, ReportQueries};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer, reports};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the reports table and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    reports::init(sdk, env, |reports| ActiveTokensReport { reports }).await
}

pub struct ActiveTokensReport {
    pub reports: ReportQueries,
}

#[async_trait::async_trait]
impl AdminOperation for ActiveTokensReport {
    const NAME: &'static str = "adminActiveTokensReport";
    const ACTION: AuditAction = AuditAction::ReadReport;
    const PERMISSION: Permission = Permission::ReportsRead;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let format = match format(&|name: &str| request.query.get(name).cloned()) {
            Ok(format) => format,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let response = self
            .reports
            .active_tokens(&ReportFilter::default())
            .await
            .map(|rows| {
                let name = format!("active-tokens-{}", time::OffsetDateTime::now_utc().date());
                reports::answer(format, &name, &active_by_wallet(&rows), active_tokens_csv)
            })
            .map_err(Into::into);
        Answer::new(response, Some("active-tokens".to_owned()))
    }
}
