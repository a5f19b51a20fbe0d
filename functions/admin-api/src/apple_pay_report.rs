//! `GET /admin-api/v1/reports/apple-pay`: the Apple Pay report (provisioning
//! attempts, decisions by path and activations of Apple Pay's token
//! requestors per day and network, and their tokens active now), as JSON or CSV.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::reports::{
    ApplePayReport as Report, active_by_requestor, apple_pay_csv, funnel_rows,
};
use tmp_aws::cold_start::Init;
use tmp_core::clock::{Clock, SystemClock};
use tmp_core::domain::audit::AuditAction;
use tmp_core::domain::wallet::Wallet;
use tmp_core::usecases::reports::{ReportFilter, ReportQueries};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer, reports};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the reports table and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    reports::init(sdk, env, |reports| ApplePayReport {
        reports,
        clock: Arc::new(SystemClock),
    })
    .await
}

pub struct ApplePayReport {
    pub reports: ReportQueries,
    pub clock: Arc<dyn Clock>,
}

#[async_trait::async_trait]
impl AdminOperation for ApplePayReport {
    const NAME: &'static str = "adminApplePayReport";
    const ACTION: AuditAction = AuditAction::ReadReport;
    const PERMISSION: Permission = Permission::ReportsRead;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let today = self.clock.now().date();
        let query = match reports::query(request, today) {
            Ok(query) => query,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let apple = ReportFilter {
            token_requestor_id: query.token_requestor_id.clone(),
            wallet: Some(Wallet::ApplePay),
        };
        let response = async {
            let (lines, active) = tokio::try_join!(
                self.reports.funnel(query.from, query.to, today, &apple),
                self.reports.active_tokens(&apple),
            )?;
            let report = Report {
                from: query.from.to_string(),
                to: query.to.to_string(),
                rows: funnel_rows(&lines),
                active_tokens: active_by_requestor(&active),
            };
            let name = format!("apple-pay-{}-{}", query.from, query.to);
            Ok(reports::answer(query.format, &name, &report, apple_pay_csv))
        }
        .await;
        Answer::new(response, reports::target("apple-pay", &query))
    }
}
