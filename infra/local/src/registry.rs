//! The only place that maps a template function's binary name
//! (`Metadata.BuildProperties.Binary`) to its code. Add a line per function.

use std::future::Future;
use std::pin::Pin;

use aws_config::SdkConfig;
use tmp_shared::config::FunctionEnv;
use tmp_shared::lambda::{HandlerError, HttpHandler};

/// A function's cold start: `init(&sdk, &env)` from its crate.
pub type InitFn =
    for<'a> fn(
        &'a SdkConfig,
        &'a FunctionEnv,
    ) -> Pin<Box<dyn Future<Output = Result<HttpHandler, HandlerError>> + Send + 'a>>;

const FUNCTIONS: &[(&str, InitFn)] = &[("mdes-authorize-service", |sdk, env| {
    Box::pin(mdes_authorize_service::init(sdk, env))
})];

/// The init function registered for `binary`, if any.
pub fn lookup(binary: &str) -> Option<InitFn> {
    FUNCTIONS
        .iter()
        .find(|(name, _)| *name == binary)
        .map(|(_, init)| *init)
}

/// Every registered binary name.
pub fn binaries() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|(name, _)| *name)
}
