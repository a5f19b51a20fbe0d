//! `POST /vts/v1/sendPasscode`: deliver Visa's passcode to the cardholder.

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::usecases::deliver_activation_code::DeliverActivationCode;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};
use tmp_vts::VtsError;
use tmp_vts::operation::VtsOperation;
use tmp_vts::send_passcode::{SendPasscodeRequest, SendPasscodeResponse};
use tmp_vts::translate;

pub const INIT: Init = crate::http_init!(init);

pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    Ok(handler(SendPasscodeOperation {
        use_case: compose::deliver_activation_code(sdk, env).await?,
    }))
}

pub fn handler(operation: SendPasscodeOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct SendPasscodeOperation {
    pub use_case: DeliverActivationCode,
}

#[async_trait::async_trait]
impl VtsOperation for SendPasscodeOperation {
    type Request = SendPasscodeRequest;
    type Response = SendPasscodeResponse;

    async fn call(&self, request: SendPasscodeRequest) -> Result<SendPasscodeResponse, VtsError> {
        let command = translate::send_passcode_command(&request)?;
        self.use_case.deliver(&command).await?;
        Ok(SendPasscodeResponse::accepted())
    }
}

#[cfg(test)]
mod tests;
