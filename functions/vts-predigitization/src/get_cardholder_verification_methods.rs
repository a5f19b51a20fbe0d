//! `POST /vts/v1/getCardholderVerificationMethods`: how may the cardholder of
//! a token awaiting verification receive a passcode?

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::domain::Network;
use tmp_core::usecases::request_activation_methods::TokenActivationMethods;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};
use tmp_vts::VtsError;
use tmp_vts::cardholder_verification_methods::{
    GetCardholderVerificationMethodsRequest, GetCardholderVerificationMethodsResponse,
};
use tmp_vts::operation::VtsOperation;
use tmp_vts::translate;

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the sealing key unwrapped once (no key ring: the request
/// carries no `encryptedData`).
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    Ok(handler(GetCardholderVerificationMethodsOperation {
        use_case: compose::token_activation_methods(sdk, env).await?,
    }))
}

pub fn handler(operation: GetCardholderVerificationMethodsOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct GetCardholderVerificationMethodsOperation {
    pub use_case: TokenActivationMethods,
}

#[async_trait::async_trait]
impl VtsOperation for GetCardholderVerificationMethodsOperation {
    type Request = GetCardholderVerificationMethodsRequest;
    type Response = GetCardholderVerificationMethodsResponse;

    async fn call(
        &self,
        request: GetCardholderVerificationMethodsRequest,
    ) -> Result<GetCardholderVerificationMethodsResponse, VtsError> {
        let methods = self
            .use_case
            .methods_for_token(Network::Visa, &request.token_reference_id)
            .await?;
        Ok(translate::cardholder_verification_methods(&methods))
    }
}

#[cfg(test)]
mod tests;
