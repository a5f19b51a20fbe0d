//! `POST /vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/approveProvisioning`:
//! may this token be provisioned? The shared decision engine decides.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_aws::vts_keys::vts_key_ring;
use tmp_core::usecases::authorize::AuthorizeTokenization;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};
use tmp_vts::VtsError;
use tmp_vts::approve_provisioning::{ApproveProvisioning, ApproveProvisioningResponse};
use tmp_vts::jwe::VtsKeyRing;
use tmp_vts::operation::VtsOperation;
use tmp_vts::translate;

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the key ring unwrapped once, the use case composed once.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    // Independent: the key ring's read and unwraps overlap the use case's.
    let (keys, use_case) = tokio::try_join!(
        vts_key_ring(sdk, env),
        compose::authorize_tokenization(sdk, env),
    )?;
    Ok(handler(ApproveProvisioningOperation { use_case, keys }))
}

pub fn handler(operation: ApproveProvisioningOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct ApproveProvisioningOperation {
    pub use_case: AuthorizeTokenization,
    pub keys: Arc<VtsKeyRing>,
}

#[async_trait::async_trait]
impl VtsOperation for ApproveProvisioningOperation {
    type Request = ApproveProvisioning;
    type Response = ApproveProvisioningResponse;

    async fn call(
        &self,
        request: ApproveProvisioning,
    ) -> Result<ApproveProvisioningResponse, VtsError> {
        let command = translate::approve_provisioning_command(&request, &self.keys)?;
        let outcome = self.use_case.authorize(&command).await?;
        Ok(translate::approve_provisioning_response(&outcome))
    }
}

#[cfg(test)]
mod tests;
