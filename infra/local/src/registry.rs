//! The only place that maps a template function's binary name
//! (`Metadata.BuildProperties.Binary`) to its code. Add a line per function:
//! `Init::Http` for API Gateway functions, `Init::Sqs` for SQS consumers.

use std::future::Future;
use std::pin::Pin;

use aws_config::SdkConfig;
use tmp_shared::config::FunctionEnv;
use tmp_shared::lambda::{HandlerError, HttpHandler, SqsHandler};

/// A cold start returning `H`: `init(&sdk, &env)` from the function's crate.
pub type ColdStart<H> =
    for<'a> fn(
        &'a SdkConfig,
        &'a FunctionEnv,
    ) -> Pin<Box<dyn Future<Output = Result<H, HandlerError>> + Send + 'a>>;

/// An HTTP function's cold start.
pub type InitFn = ColdStart<HttpHandler>;
/// An SQS consumer's cold start.
pub type SqsInitFn = ColdStart<SqsHandler>;

/// What kind of handler a binary's `init` builds.
#[derive(Clone, Copy)]
pub enum Init {
    Http(InitFn),
    Sqs(SqsInitFn),
}

const FUNCTIONS: &[(&str, Init)] = &[
    (
        "mdes-authorize-service",
        Init::Http(|sdk, env| Box::pin(mdes_authorize_service::init(sdk, env))),
    ),
    // An SQS consumer (its crate added to this package's dependencies):
    // ("otp-delivery", Init::Sqs(|sdk, env| Box::pin(otp_delivery::init(sdk, env)))),
];

/// The init registered for `binary`, if any.
pub fn lookup(binary: &str) -> Option<Init> {
    FUNCTIONS
        .iter()
        .find(|(name, _)| *name == binary)
        .map(|(_, init)| *init)
}

/// The HTTP init registered for `binary`, if it is an HTTP function.
pub fn lookup_http(binary: &str) -> Option<InitFn> {
    match lookup(binary)? {
        Init::Http(init) => Some(init),
        Init::Sqs(_) => None,
    }
}

/// The SQS init registered for `binary`, if it is an SQS consumer.
pub fn lookup_sqs(binary: &str) -> Option<SqsInitFn> {
    match lookup(binary)? {
        Init::Sqs(init) => Some(init),
        Init::Http(_) => None,
    }
}

/// Every registered binary name.
pub fn binaries() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|(name, _)| *name)
}
