//! What the three report operations share: the query from the parameters,
//! and a report answered as JSON or as its CSV download.

use aws_config::SdkConfig;
use serde::Serialize;
use tmp_admin::reports::{self, Format, ReportQuery};
use tmp_api::{Problem, http};
use tmp_aws::compose::admin;
use tmp_core::usecases::reports::ReportQueries;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest};

/// A report's cold start: the admin user pool's keys, the reports table
/// and the audit log, behind the admin guard.
pub async fn init<O: AdminOperation>(
    sdk: &SdkConfig,
    env: &FunctionEnv,
    operation: impl FnOnce(ReportQueries) -> O,
) -> Result<HttpHandler, HandlerError> {
    let guard = crate::guard(sdk, env).await?;
    Ok(crate::endpoint(
        guard,
        operation(admin::report_queries(sdk, env)?),
    ))
}

pub fn query(request: &AdminRequest<'_>, today: time::Date) -> Result<ReportQuery, Problem> {
    reports::query(|name| request.query.get(name).cloned(), today)
}

/// The report as JSON, or `csv(report)` as `<name>-<from>-<to>.csv`.
pub fn answer<T: Serialize>(
    format: Format,
    name: &str,
    report: &T,
    csv: impl FnOnce(&T) -> String,
) -> lambda_http::Response<Vec<u8>> {
    match format {
        Format::Json => http::json(200, report),
        Format::Csv => http::csv(&format!("{name}.csv"), csv(report)),
    }
}

/// `days 2026-11-25 to 2026-12-01`, as the audit log names a report's range.
pub fn target(report: &str, query: &ReportQuery) -> Option<String> {
    Some(format!("{report} days {} to {}", query.from, query.to))
}
