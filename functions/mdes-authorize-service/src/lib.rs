//! authorizeService handler: parse, one domain call, map to the MDES wire format.

mod wiring;

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use tmp_shared::lambda::{HandlerError, http_handler};
use tmp_shared::mdes::authorize_service::{
    AuthorizeServiceRequest, AuthorizeServiceResponse, DIGITIZATION,
};
use tmp_shared::mdes::handler;
use tmp_shared::services::mdes_authorize::AuthorizeService;

pub use wiring::init;

/// Handles one `POST /mdes/authorizeService`.
#[tracing::instrument(skip_all, fields(request_id))]
pub async fn handle(
    service: Arc<AuthorizeService>,
    req: Request,
) -> Result<Response<Body>, HandlerError> {
    Ok(handler::answer(
        &req,
        async |request: AuthorizeServiceRequest, response_id| {
            let outcome = service.authorize(&request).await?;
            Ok(AuthorizeServiceResponse {
                response_id,
                services: vec![DIGITIZATION.to_owned()],
                decision: outcome.decision,
                activation_methods: (!outcome.activation_methods.is_empty())
                    .then_some(outcome.activation_methods),
                pan_sequence_number: None,
                cvc_response: outcome.cvc_response,
                token_requestor_id: None,
            })
        },
    )
    .await)
}

/// Wraps the service into the handler the runtime and the local gateway call.
pub fn handler(service: AuthorizeService) -> tmp_shared::lambda::HttpHandler {
    http_handler(Arc::new(service), handle)
}
