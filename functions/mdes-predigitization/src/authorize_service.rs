//! `POST /mdes/authorizeService`: may this card be tokenized?

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_core::usecases::authorize::AuthorizeTokenization;
use tmp_mdes::MdesError;
use tmp_mdes::authorize_service::{AuthorizeServiceRequest, AuthorizeServiceResponse};
use tmp_mdes::fle::MdesKeyRing;
use tmp_mdes::operation::MdesOperation;
use tmp_mdes::translate;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the key ring unwrapped once, the use case composed once.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    // Independent: the key ring's read and unwraps overlap the use case's.
    let (keys, use_case) = tokio::try_join!(
        compose::mdes_key_ring(sdk, env),
        compose::authorize_tokenization(sdk, env),
    )?;
    Ok(handler(AuthorizeService { keys, use_case }))
}

pub fn handler(operation: AuthorizeService) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct AuthorizeService {
    pub use_case: AuthorizeTokenization,
    pub keys: Arc<MdesKeyRing>,
}

#[async_trait::async_trait]
impl MdesOperation for AuthorizeService {
    type Request = AuthorizeServiceRequest;
    type Response = AuthorizeServiceResponse;

    async fn call(
        &self,
        request: AuthorizeServiceRequest,
        response_id: String,
    ) -> Result<AuthorizeServiceResponse, MdesError> {
        let command = translate::authorize_command(&request, &self.keys);
        let outcome = self.use_case.authorize(&command).await?;
        Ok(translate::authorize_response(outcome, response_id))
    }
}

#[cfg(test)]
mod tests;
