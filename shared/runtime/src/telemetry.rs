//! Logging set-up. Libraries that can log raw payloads (the Lambda runtime logs
//! event bodies at TRACE) are capped here so no `RUST_LOG` can raise them:
//! card data must never reach a log line.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

const CAPPED: &[&str] = &[
    "lambda_runtime=info",
    "lambda_runtime_api_client=info",
    "lambda_http=info",
    "aws_smithy_runtime=warn",
    "aws_smithy_runtime_api=warn",
    "aws_smithy_http_client=warn",
    "aws_sdk_dynamodb=warn",
    "aws_sdk_kms=warn",
    "aws_sdk_sqs=warn",
    "aws_sdk_sns=warn",
    "aws_config=warn",
    "hyper=warn",
    "hyper_util=warn",
    "reqwest=warn",
    "h2=warn",
    "rustls=warn",
];

/// The filter: `RUST_LOG` (default `info`) with the capped targets appended,
/// which wins over anything the variable says for those targets.
pub fn filter() -> EnvFilter {
    let mut filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .from_env_lossy();
    for directive in CAPPED {
        if let Ok(d) = directive.parse() {
            filter = filter.add_directive(d);
        }
    }
    filter
}

/// JSON logs to stdout (CloudWatch), without ANSI colours or timestamps that
/// Lambda adds itself.
pub fn init() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter())
        .with_current_span(true)
        .with_ansi(false)
        .without_time()
        .with_target(true)
        .try_init();
}
