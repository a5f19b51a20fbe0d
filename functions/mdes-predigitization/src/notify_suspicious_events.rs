//! `POST /mdes/notifySuspiciousEvents`: MDES saw suspicious activity on a token.

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::usecases::suspicious_activity::RecordSuspiciousActivity;
use tmp_mdes::MdesError;
use tmp_mdes::notify_suspicious_events::{
    NotifySuspiciousEventsRequest, NotifySuspiciousEventsResponse,
};
use tmp_mdes::operation::MdesOperation;
use tmp_mdes::translate;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

pub const INIT: Init = crate::http_init!(init);

pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    Ok(handler(NotifySuspiciousEventsOperation {
        use_case: compose::record_suspicious_activity(sdk, env)?,
    }))
}

pub fn handler(operation: NotifySuspiciousEventsOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct NotifySuspiciousEventsOperation {
    pub use_case: RecordSuspiciousActivity,
}

#[async_trait::async_trait]
impl MdesOperation for NotifySuspiciousEventsOperation {
    type Request = NotifySuspiciousEventsRequest;
    type Response = NotifySuspiciousEventsResponse;

    async fn call(
        &self,
        request: NotifySuspiciousEventsRequest,
        response_id: String,
    ) -> Result<NotifySuspiciousEventsResponse, MdesError> {
        self.use_case
            .record(&translate::suspicious_activity_command(&request))
            .await?;
        Ok(NotifySuspiciousEventsResponse { response_id })
    }
}

#[cfg(test)]
mod tests;
