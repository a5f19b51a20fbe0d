//! `POST /mdes/validateActivationCode`: is the code the cardholder entered right?

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::usecases::validate_activation_code::ValidateActivationCode;
use tmp_mdes::MdesError;
use tmp_mdes::operation::MdesOperation;
use tmp_mdes::translate;
use tmp_mdes::validate_activation_code::{
    ValidateActivationCodeRequest, ValidateActivationCodeResponse,
};
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

pub const INIT: Init = crate::http_init!(init);

pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    Ok(handler(ValidateActivationCodeOperation {
        use_case: compose::validate_activation_code(sdk, env).await?,
    }))
}

pub fn handler(operation: ValidateActivationCodeOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct ValidateActivationCodeOperation {
    pub use_case: ValidateActivationCode,
}

#[async_trait::async_trait]
impl MdesOperation for ValidateActivationCodeOperation {
    type Request = ValidateActivationCodeRequest;
    type Response = ValidateActivationCodeResponse;

    async fn call(
        &self,
        request: ValidateActivationCodeRequest,
        response_id: String,
    ) -> Result<ValidateActivationCodeResponse, MdesError> {
        let command = translate::validate_activation_code_command(&request);
        let check = self.use_case.validate(&command).await?;
        Ok(ValidateActivationCodeResponse {
            response_id,
            result: translate::validation_result(check),
        })
    }
}

#[cfg(test)]
mod tests;
