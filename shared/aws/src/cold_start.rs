//! How a function starts: its `init` builds the handler once per cold start
//! from the SDK configuration and the environment; the Lambda binary serves
//! it, and tmp-local calls the very same `init` with the environment it
//! resolves from `template.yaml`.

use std::future::Future;
use std::pin::Pin;

use aws_config::SdkConfig;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{EventHandler, HandlerError, HttpHandler, SqsHandler};

/// A cold start returning `H`: `init(&sdk, &env)` of one operation's module.
pub type ColdStart<H> =
    for<'a> fn(
        &'a SdkConfig,
        &'a FunctionEnv,
    ) -> Pin<Box<dyn Future<Output = Result<H, HandlerError>> + Send + 'a>>;

/// What kind of handler a function's `init` builds.
#[derive(Clone, Copy)]
pub enum Init {
    /// API Gateway proxy integration.
    Http(ColdStart<HttpHandler>),
    /// SQS event source mapping with batch item failures.
    Sqs(ColdStart<SqsHandler>),
    /// Any other JSON event (EventBridge schedule, DynamoDB stream).
    Event(ColdStart<EventHandler>),
}

/// A function family's slice of the registry: binary name → init.
pub type Registry = &'static [(&'static str, Init)];

/// The whole of a Lambda binary: telemetry, configuration, clients once, serve.
pub async fn serve(init: Init) -> Result<(), HandlerError> {
    tmp_runtime::telemetry::init();
    let sdk = crate::compose::sdk_config().await;
    let env = FunctionEnv::from_process();
    match init {
        Init::Http(init) => tmp_runtime::lambda::serve_http(init(&sdk, &env).await?).await,
        Init::Sqs(init) => tmp_runtime::lambda::serve_sqs(init(&sdk, &env).await?).await,
        Init::Event(init) => tmp_runtime::lambda::serve_event(init(&sdk, &env).await?).await,
    }
}
