//! The Visa Token Service issuer API family (our contract:
//! `api/vts-issuer.openapi.yaml`): one module per operation (its `init`, its
//! VTS adapter over one use case, its handler tests), one Lambda binary per
//! operation in `src/bin/`, and the family's slice of the registry that
//! tmp-local serves.
//!
//! Adding an operation: a module here (wire types and translation in
//! `tmp-vts`), a bin, its `template.yaml` entry, its `events/` samples.

pub mod approve_provisioning;
pub mod check_eligibility;
pub mod get_cardholder_verification_methods;
pub mod send_passcode;
pub mod token_changed;

#[cfg(test)]
mod samples;
#[cfg(test)]
mod testing;

use std::sync::Arc;

use lambda_http::{Body, Request, RequestExt, Response};
use tmp_aws::cold_start::Registry;
use tmp_runtime::lambda::{HttpHandler, http_handler};
use tmp_vts::common::Params;
use tmp_vts::operation::{VtsOperation, VtsRequest, respond};
use tracing::Instrument;

/// Every function of the family: binary name (as in `template.yaml`) → init.
pub const FUNCTIONS: Registry = &[
    ("vts-check-eligibility", check_eligibility::INIT),
    ("vts-approve-provisioning", approve_provisioning::INIT),
    (
        "vts-get-cardholder-verification-methods",
        get_cardholder_verification_methods::INIT,
    ),
    ("vts-send-passcode", send_passcode::INIT),
    ("vts-token-changed", token_changed::INIT),
];

/// The HTTP handler of a VTS operation: the API Gateway proxy event's path
/// parameters, query string and body in, the VTS answer out, under a span
/// that carries the operation (never the body).
pub fn endpoint<O: VtsOperation>(operation: O) -> HttpHandler {
    http_handler(
        Arc::new(operation),
        |operation, request: Request| async move {
            let span =
                tracing::info_span!("vts", operation = <O::Request as VtsRequest>::OPERATION);
            let response = answer(operation.as_ref(), &request).instrument(span).await;
            Ok(response.map(Body::from))
        },
    )
}

/// The gateway's parameters as [`Params`], then the operation's answer.
async fn answer<O: VtsOperation>(operation: &O, request: &Request) -> Response<Vec<u8>> {
    let path = request.path_parameters();
    let query = request.query_string_parameters();
    match Params::from_pairs(path.iter(), query.iter()) {
        Ok(params) => respond(operation, &params, request.body().as_ref()).await,
        Err(err) => {
            tracing::info!(error_code = %err.code, "VTS request refused");
            tmp_vts::http::error(&err)
        }
    }
}

/// An [`Init`](tmp_aws::cold_start::Init) from an async `init` function.
macro_rules! http_init {
    ($init:path) => {
        tmp_aws::cold_start::Init::Http(|sdk, env| Box::pin($init(sdk, env)))
    };
}
pub(crate) use http_init;
