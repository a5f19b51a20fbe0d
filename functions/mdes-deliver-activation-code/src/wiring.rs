//! Cold start: the shared Pre-Digitization service, built once and captured.

use tmp_shared::config::FunctionEnv;
use tmp_shared::lambda::{HandlerError, HttpHandler};
use tmp_shared::services::predigitization_wiring;

pub async fn init(
    sdk: &aws_config::SdkConfig,
    env: &FunctionEnv,
) -> Result<HttpHandler, HandlerError> {
    Ok(crate::handler(
        predigitization_wiring::service(sdk, env).await?,
    ))
}
