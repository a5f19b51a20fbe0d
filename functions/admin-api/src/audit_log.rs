//! `GET /admin-api/v1/audit`: the audit log, newest first, a range of UTC
//! days at a time, optionally one agent's (supervisor and admin), a page as
//! JSON or every entry as a CSV download (`format=csv`). Reading it and
//! exporting it are themselves audited.

use aws_config::SdkConfig;
use lambda_http::Response;
use tmp_admin::Permission;
use tmp_admin::audit;
use tmp_admin::reports::{self, Format};
use tmp_api::{Problem, ProblemKind, http};
use tmp_aws::cold_start::Init;
use tmp_core::domain::audit::AuditAction;
use tmp_core::ports::AuditQuery;
use tmp_core::usecases::audit_trail::AuditTrail;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let guard = crate::guard(sdk, env).await?;
    let audit = guard.audit.clone();
    Ok(crate::endpoint(guard, ReadAudit { audit }))
}

pub struct ReadAudit {
    pub audit: AuditTrail,
}

#[async_trait::async_trait]
impl AdminOperation for ReadAudit {
    const NAME: &'static str = "adminAuditLog";
    const ACTION: AuditAction = AuditAction::ReadAudit;
    const PERMISSION: Permission = Permission::AuditRead;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let today = self.audit.clock.now().date();
        let query = match audit::query(|name| request.query.get(name).cloned(), today) {
            Ok(query) => query,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let target = Some(format!("days {} to {}", query.from, query.to));
        match reports::format(&|name: &str| request.query.get(name).cloned()) {
            Err(problem) => Answer::new(Err(problem), target),
            Ok(Format::Json) => {
                let response = self
                    .audit
                    .page(&query)
                    .await
                    .map(|page| http::json(200, &audit::page(&page)))
                    .map_err(Into::into);
                Answer::new(response, target)
            }
            Ok(Format::Csv) => {
                let response = self.export(query).await;
                Answer {
                    action: Some(AuditAction::ExportAudit),
                    ..Answer::new(response, target)
                }
            }
        }
    }
}

impl ReadAudit {
    /// Every entry of the range (page after page), as one CSV; past
    /// [`audit::EXPORT_MAX`] the agent is asked to narrow the range.
    async fn export(&self, mut query: AuditQuery) -> Result<Response<Vec<u8>>, Problem> {
        query.limit = audit::LIMIT_MAX;
        query.cursor = None;
        let mut entries = Vec::new();
        loop {
            let page = audit::page(&self.audit.page(&query).await?);
            entries.extend(page.entries);
            if entries.len() > audit::EXPORT_MAX {
                return Err(Problem::new(
                    ProblemKind::InvalidRequest,
                    "More than 10000 entries: narrow the range or name one agent",
                ));
            }
            match page.next_cursor {
                Some(cursor) => query.cursor = Some(cursor),
                None => break,
            }
        }
        let name = format!("audit-{}-{}.csv", query.from, query.to);
        Ok(http::csv(&name, audit::csv(&entries)))
    }
}
