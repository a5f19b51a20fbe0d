//! `POST /mdes/deliverActivationCode`: send the cardholder an activation code.

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::usecases::deliver_activation_code::DeliverActivationCode;
use tmp_mdes::MdesError;
use tmp_mdes::deliver_activation_code::{
    DeliverActivationCodeRequest, DeliverActivationCodeResponse,
};
use tmp_mdes::operation::MdesOperation;
use tmp_mdes::translate;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

pub const INIT: Init = crate::http_init!(init);

pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    Ok(handler(DeliverActivationCodeOperation {
        use_case: compose::deliver_activation_code(sdk, env).await?,
    }))
}

pub fn handler(operation: DeliverActivationCodeOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct DeliverActivationCodeOperation {
    pub use_case: DeliverActivationCode,
}

#[async_trait::async_trait]
impl MdesOperation for DeliverActivationCodeOperation {
    type Request = DeliverActivationCodeRequest;
    type Response = DeliverActivationCodeResponse;

    async fn call(
        &self,
        request: DeliverActivationCodeRequest,
        response_id: String,
    ) -> Result<DeliverActivationCodeResponse, MdesError> {
        let command = translate::deliver_activation_code_command(&request)?;
        self.use_case.deliver(&command).await?;
        Ok(DeliverActivationCodeResponse { response_id })
    }
}

#[cfg(test)]
mod tests;
