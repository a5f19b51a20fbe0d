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
    (
        "mdes-request-activation-methods",
        Init::Http(|sdk, env| Box::pin(mdes_request_activation_methods::init(sdk, env))),
    ),
    (
        "mdes-deliver-activation-code",
        Init::Http(|sdk, env| Box::pin(mdes_deliver_activation_code::init(sdk, env))),
    ),
    (
        "mdes-validate-activation-code",
        Init::Http(|sdk, env| Box::pin(mdes_validate_activation_code::init(sdk, env))),
    ),
    (
        "mdes-notify-service-activated",
        Init::Http(|sdk, env| Box::pin(mdes_notify_service_activated::init(sdk, env))),
    ),
    (
        "mdes-notify-token-updated",
        Init::Http(|sdk, env| Box::pin(mdes_notify_token_updated::init(sdk, env))),
    ),
    (
        "mdes-notify-suspicious-events",
        Init::Http(|sdk, env| Box::pin(mdes_notify_suspicious_events::init(sdk, env))),
    ),
    (
        "otp-delivery",
        Init::Sqs(|sdk, env| Box::pin(otp_delivery::init(sdk, env))),
    ),
    (
        "issuer-notification",
        Init::Sqs(|sdk, env| Box::pin(issuer_notification::init(sdk, env))),
    ),
    (
        "cardholder-notification",
        Init::Sqs(|sdk, env| Box::pin(cardholder_notification::init(sdk, env))),
    ),
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
