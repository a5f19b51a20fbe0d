//! `POST /api/v1/cards/{cardId}/tokens/{action}`: see [`crate::bulk_tokens`].

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::bulk_tokens::Owner;

pub const INIT: Init = crate::http_init!(init);

pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    crate::bulk_tokens::init(sdk, env, Owner::Card).await
}
