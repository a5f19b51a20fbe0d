//! The only place that maps a template function's binary name
//! (`Metadata.BuildProperties.Binary`) to its code: the registries of the
//! function families, each the family's own list.

use tmp_aws::cold_start::{ColdStart, Init, Registry};
use tmp_runtime::lambda::{EventHandler, HttpHandler, SqsHandler};

/// An HTTP function's cold start.
pub type InitFn = ColdStart<HttpHandler>;
/// An SQS consumer's cold start.
pub type SqsInitFn = ColdStart<SqsHandler>;
/// A JSON-event function's cold start (DynamoDB streams, schedules).
pub type EventInitFn = ColdStart<EventHandler>;

const FAMILIES: &[Registry] = &[
    mdes_predigitization::FUNCTIONS,
    vts_predigitization::FUNCTIONS,
    notification_consumers::FUNCTIONS,
    issuer_api::FUNCTIONS,
    admin_api::FUNCTIONS,
    scheduled_jobs::FUNCTIONS,
];

fn functions() -> impl Iterator<Item = &'static (&'static str, Init)> {
    FAMILIES.iter().flat_map(|family| family.iter())
}

/// The init registered for `binary`, if any.
pub fn lookup(binary: &str) -> Option<Init> {
    functions()
        .find(|(name, _)| *name == binary)
        .map(|(_, init)| *init)
}

/// The HTTP init registered for `binary`, if it is an HTTP function.
pub fn lookup_http(binary: &str) -> Option<InitFn> {
    match lookup(binary)? {
        Init::Http(init) => Some(init),
        Init::Sqs(_) | Init::Event(_) => None,
    }
}

/// The SQS init registered for `binary`, if it is an SQS consumer.
pub fn lookup_sqs(binary: &str) -> Option<SqsInitFn> {
    match lookup(binary)? {
        Init::Sqs(init) => Some(init),
        Init::Http(_) | Init::Event(_) => None,
    }
}

/// The JSON-event init registered for `binary`, if it is one (stream consumers).
pub fn lookup_event(binary: &str) -> Option<EventInitFn> {
    match lookup(binary)? {
        Init::Event(init) => Some(init),
        Init::Http(_) | Init::Sqs(_) => None,
    }
}

/// Every registered binary name.
pub fn binaries() -> impl Iterator<Item = &'static str> {
    functions().map(|(name, _)| *name)
}
