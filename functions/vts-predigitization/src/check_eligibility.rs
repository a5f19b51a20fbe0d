//! `POST /vts/v1/checkEligibility`: may this card be tokenized at all?

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose;
use tmp_aws::vts_keys::vts_key_ring;
use tmp_core::usecases::check_eligibility::CheckEligibility;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};
use tmp_vts::VtsError;
use tmp_vts::check_eligibility::{
    CardMetadataCatalog, CheckEligibilityRequest, CheckEligibilityResponse,
};
use tmp_vts::jwe::VtsKeyRing;
use tmp_vts::operation::VtsOperation;
use tmp_vts::translate;

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the card metadata checked first (a bad configuration fails
/// before any call), then the key ring and the issuer client at once.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let metadata = compose::vts_card_metadata(env)?;
    let (keys, use_case) =
        tokio::try_join!(vts_key_ring(sdk, env), compose::check_eligibility(sdk, env),)?;
    Ok(handler(CheckEligibilityOperation {
        use_case,
        keys,
        metadata,
    }))
}

pub fn handler(operation: CheckEligibilityOperation) -> HttpHandler {
    crate::endpoint(operation)
}

pub struct CheckEligibilityOperation {
    pub use_case: CheckEligibility,
    pub keys: Arc<VtsKeyRing>,
    pub metadata: Arc<CardMetadataCatalog>,
}

#[async_trait::async_trait]
impl VtsOperation for CheckEligibilityOperation {
    type Request = CheckEligibilityRequest;
    type Response = CheckEligibilityResponse;

    async fn call(
        &self,
        request: CheckEligibilityRequest,
    ) -> Result<CheckEligibilityResponse, VtsError> {
        let command = translate::check_eligibility_command(&request, &self.keys);
        let eligibility = self.use_case.check(&command).await?;
        Ok(translate::check_eligibility_response(
            &eligibility,
            &self.metadata,
        ))
    }
}

#[cfg(test)]
mod tests;
