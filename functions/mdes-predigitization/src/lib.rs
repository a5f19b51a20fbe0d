//! The MDES Pre-Digitization API family: one module per operation (its
//! `init`, its MDES adapter over one use case, its handler tests), one Lambda
//! binary per operation in `src/bin/`, and the family's slice of the
//! registry that tmp-local serves.
//!
//! Adding an operation: a module here (translation in `tmp-mdes`), a bin,
//! its `template.yaml` entry, its `events/` samples.

pub mod authorize_service;
pub mod deliver_activation_code;
pub mod notify_service_activated;
pub mod notify_suspicious_events;
pub mod notify_token_updated;
pub mod request_activation_methods;
pub mod validate_activation_code;

#[cfg(test)]
mod testing;

use std::sync::Arc;

use lambda_http::{Body, Request};
use tmp_aws::cold_start::Registry;
use tmp_mdes::operation::{MdesOperation, MdesRequest, respond};
use tmp_runtime::lambda::{HttpHandler, http_handler};
use tracing::Instrument;

/// Every function of the family: binary name (as in `template.yaml`) → init.
pub const FUNCTIONS: Registry = &[
    ("mdes-authorize-service", authorize_service::INIT),
    (
        "mdes-request-activation-methods",
        request_activation_methods::INIT,
    ),
    (
        "mdes-deliver-activation-code",
        deliver_activation_code::INIT,
    ),
    (
        "mdes-validate-activation-code",
        validate_activation_code::INIT,
    ),
    (
        "mdes-notify-service-activated",
        notify_service_activated::INIT,
    ),
    ("mdes-notify-token-updated", notify_token_updated::INIT),
    (
        "mdes-notify-suspicious-events",
        notify_suspicious_events::INIT,
    ),
];

/// The HTTP handler of an MDES operation: the API Gateway proxy event's body
/// in, the MDES answer out, under a span that carries the operation and the
/// request's `requestId` (never the body).
pub fn endpoint<O: MdesOperation>(operation: O) -> HttpHandler {
    http_handler(
        Arc::new(operation),
        |operation, request: Request| async move {
            let span = tracing::info_span!(
                "mdes",
                operation = <O::Request as MdesRequest>::OPERATION,
                request_id = tracing::field::Empty
            );
            let response = respond(operation.as_ref(), request.body().as_ref())
                .instrument(span)
                .await;
            Ok(response.map(Body::from))
        },
    )
}

/// An [`Init`] from an async `init` function.
macro_rules! http_init {
    ($init:path) => {
        tmp_aws::cold_start::Init::Http(|sdk, env| Box::pin($init(sdk, env)))
    };
}
pub(crate) use http_init;
