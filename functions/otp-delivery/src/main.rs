//! Lambda entry point: telemetry, configuration, clients built once per cold start.

use tmp_shared::config::FunctionEnv;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tmp_shared::telemetry::init();
    let sdk = aws_config::load_from_env().await;
    let handler = otp_delivery::init(&sdk, &FunctionEnv::from_process()).await?;
    tmp_shared::lambda::run_sqs(handler).await
}
