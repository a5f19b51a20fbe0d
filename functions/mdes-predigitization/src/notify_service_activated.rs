//! `POST /mdes/notifyServiceActivated`: the token is provisioned and active.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::usecases::notify_activated::NotifyActivated;
use tmp_mdes::MdesError;
use tmp_mdes::fle::MdesKeyRing;
use tmp_mdes::notify_service_activated::{
    NotifyServiceActivatedRequest, NotifyServiceActivatedResponse,
};
use tmp_mdes::operation::MdesOperation;
use tmp_mdes::translate;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

pub const INIT: Init = crate::http_init!(init);

pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    Ok(handler(NotifyServiceActivatedOperation {
        keys: compose::mdes_key_ring(sdk, env).await?,
        use_case: compose::notify_activated(sdk, env).await?,
    }))
}

pub fn handler(operation: NotifyServiceActivatedOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct NotifyServiceActivatedOperation {
    pub use_case: NotifyActivated,
    pub keys: Arc<MdesKeyRing>,
}

#[async_trait::async_trait]
impl MdesOperation for NotifyServiceActivatedOperation {
    type Request = NotifyServiceActivatedRequest;
    type Response = NotifyServiceActivatedResponse;

    async fn call(
        &self,
        request: NotifyServiceActivatedRequest,
        response_id: String,
    ) -> Result<NotifyServiceActivatedResponse, MdesError> {
        let command = translate::notify_activated_command(&request, &self.keys)?;
        self.use_case.notify(&command).await?;
        Ok(NotifyServiceActivatedResponse { response_id })
    }
}

#[cfg(test)]
mod tests;
