//! `POST /admin-api/v1/tokens/{tokenId}/suspend`: see [`crate::token_action`].

use aws_config::SdkConfig;
use tmp_api::token::LifecycleAction;
use tmp_aws::cold_start::Init;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

pub const INIT: Init = crate::http_init!(init);

pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    crate::token_action::init(sdk, env, LifecycleAction::Suspend).await
}
