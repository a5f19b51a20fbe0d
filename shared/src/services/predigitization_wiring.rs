//! Cold start of the Pre-Digitization functions: builds the one
//! [`PreDigitization`] implementation every function shares.

use std::sync::Arc;

use crate::config::FunctionEnv;
use crate::lambda::HandlerError;
use crate::services::predigitization::PreDigitization;

/// The service over DynamoDB, KMS, SQS and SNS, configured from `env`.
pub async fn service(
    _sdk: &aws_config::SdkConfig,
    _env: &FunctionEnv,
) -> Result<Arc<dyn PreDigitization>, HandlerError> {
    // The integrator replaces this body with the real implementation.
    Err("pre-digitization service not wired yet".into())
}
