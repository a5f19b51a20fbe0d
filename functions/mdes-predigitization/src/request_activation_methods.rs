//! `POST /mdes/requestActivationMethods`: how may the cardholder get a code?

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::usecases::request_activation_methods::RequestActivationMethods;
use tmp_mdes::MdesError;
use tmp_mdes::fle::MdesKeyRing;
use tmp_mdes::operation::MdesOperation;
use tmp_mdes::request_activation_methods::{
    RequestActivationMethodsRequest, RequestActivationMethodsResponse,
};
use tmp_mdes::translate;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

pub const INIT: Init = crate::http_init!(init);

pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    Ok(handler(RequestActivationMethodsOperation {
        keys: compose::mdes_key_ring(sdk, env).await?,
        use_case: compose::request_activation_methods(sdk, env).await?,
    }))
}

pub fn handler(operation: RequestActivationMethodsOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct RequestActivationMethodsOperation {
    pub use_case: RequestActivationMethods,
    pub keys: Arc<MdesKeyRing>,
}

#[async_trait::async_trait]
impl MdesOperation for RequestActivationMethodsOperation {
    type Request = RequestActivationMethodsRequest;
    type Response = RequestActivationMethodsResponse;

    async fn call(
        &self,
        request: RequestActivationMethodsRequest,
        response_id: String,
    ) -> Result<RequestActivationMethodsResponse, MdesError> {
        let command = translate::request_activation_methods_command(&request, &self.keys);
        let methods = self.use_case.methods(&command).await?;
        Ok(RequestActivationMethodsResponse {
            response_id,
            activation_methods: methods.iter().map(translate::activation_method).collect(),
        })
    }
}

#[cfg(test)]
mod tests;
