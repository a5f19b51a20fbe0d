//! `POST /mdes/notifyTokenUpdated`: tokens were suspended, resumed, deleted or re-issued.

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::usecases::update_tokens::UpdateTokens;
use tmp_mdes::MdesError;
use tmp_mdes::notify_token_updated::{NotifyTokenUpdatedRequest, NotifyTokenUpdatedResponse};
use tmp_mdes::operation::MdesOperation;
use tmp_mdes::translate;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

pub const INIT: Init = crate::http_init!(init);

pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    Ok(handler(NotifyTokenUpdatedOperation {
        use_case: compose::update_tokens(sdk, env)?,
    }))
}

pub fn handler(operation: NotifyTokenUpdatedOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct NotifyTokenUpdatedOperation {
    pub use_case: UpdateTokens,
}

#[async_trait::async_trait]
impl MdesOperation for NotifyTokenUpdatedOperation {
    type Request = NotifyTokenUpdatedRequest;
    type Response = NotifyTokenUpdatedResponse;

    async fn call(
        &self,
        request: NotifyTokenUpdatedRequest,
        response_id: String,
    ) -> Result<NotifyTokenUpdatedResponse, MdesError> {
        self.use_case
            .update(&translate::update_tokens_command(&request))
            .await?;
        Ok(NotifyTokenUpdatedResponse { response_id })
    }
}

#[cfg(test)]
mod tests;
