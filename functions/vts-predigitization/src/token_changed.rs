//! `POST /vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/tokenChanged`:
//! a token was created at Visa, or its status changed.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_aws::vts_keys::vts_key_ring;
use tmp_core::usecases::token_changed::RecordTokenChange;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};
use tmp_vts::VtsError;
use tmp_vts::jwe::VtsKeyRing;
use tmp_vts::operation::VtsOperation;
use tmp_vts::token_changed::{TokenChanged, TokenChangedResponse};
use tmp_vts::translate;

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the key ring and the PAN-fingerprint secret unwrapped at once.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (keys, use_case) = tokio::try_join!(
        vts_key_ring(sdk, env),
        compose::record_token_change(sdk, env),
    )?;
    Ok(handler(TokenChangedOperation { use_case, keys }))
}

pub fn handler(operation: TokenChangedOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct TokenChangedOperation {
    pub use_case: RecordTokenChange,
    pub keys: Arc<VtsKeyRing>,
}

#[async_trait::async_trait]
impl VtsOperation for TokenChangedOperation {
    type Request = TokenChanged;
    type Response = TokenChangedResponse;

    async fn call(&self, request: TokenChanged) -> Result<TokenChangedResponse, VtsError> {
        let command = translate::token_changed_command(&request, &self.keys)?;
        self.use_case.record(&command).await?;
        Ok(TokenChangedResponse)
    }
}

#[cfg(test)]
mod tests;
