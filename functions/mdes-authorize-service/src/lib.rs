//! authorizeService handler: parse, one domain call, map to the MDES wire format.

mod wiring;

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use tmp_shared::lambda::{HandlerError, http_handler};
use tmp_shared::mdes::authorize_service::{
    AuthorizeServiceRequest, AuthorizeServiceResponse, DIGITIZATION,
};
use tmp_shared::mdes::{http as mdes_http, validate};
use tmp_shared::services::mdes_authorize::AuthorizeService;

pub use wiring::init;

/// Handles one `POST /mdes/authorizeService`.
#[tracing::instrument(skip_all, fields(request_id))]
pub async fn handle(
    service: Arc<AuthorizeService>,
    req: Request,
) -> Result<Response<Body>, HandlerError> {
    let body = match validate::parse_body(req.body().as_ref()) {
        Ok(body) => body,
        Err(err) => return Ok(mdes_http::error(&mdes_http::fresh_response_id(), &err)),
    };
    let response_id = validate::request_id_of(&body).unwrap_or_else(mdes_http::fresh_response_id);
    tracing::Span::current().record("request_id", response_id.as_str());
    let request: AuthorizeServiceRequest = match validate::from_value(body) {
        Ok(request) => request,
        Err(err) => return Ok(mdes_http::error(&response_id, &err)),
    };
    Ok(match service.authorize(&request).await {
        Ok(outcome) => mdes_http::ok(&AuthorizeServiceResponse {
            response_id,
            services: vec![DIGITIZATION.to_owned()],
            decision: outcome.decision,
            activation_methods: (!outcome.activation_methods.is_empty())
                .then_some(outcome.activation_methods),
            pan_sequence_number: None,
            cvc_response: outcome.cvc_response,
            token_requestor_id: None,
        }),
        Err(err) => {
            tracing::info!(error_code = ?err.code, "authorizeService refused");
            mdes_http::error(&response_id, &err)
        }
    })
}

/// Wraps the service into the handler the runtime and the local gateway call.
pub fn handler(service: AuthorizeService) -> tmp_shared::lambda::HttpHandler {
    http_handler(Arc::new(service), handle)
}
