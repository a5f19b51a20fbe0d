//! deliverActivationCode handler: validate the MDES request, one service call, answer.

#[cfg(test)]
mod tests;
mod wiring;

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use tmp_shared::lambda::{HandlerError, HttpHandler, http_handler};
use tmp_shared::mdes::deliver_activation_code::{
    DeliverActivationCodeRequest, DeliverActivationCodeResponse,
};
use tmp_shared::mdes::handler;
use tmp_shared::services::predigitization::PreDigitization;

pub use wiring::init;

/// Handles one `POST /mdes/deliverActivationCode`.
#[tracing::instrument(skip_all, fields(request_id))]
pub async fn handle(
    service: Arc<dyn PreDigitization>,
    req: Request,
) -> Result<Response<Body>, HandlerError> {
    Ok(handler::answer(
        &req,
        async |request: DeliverActivationCodeRequest, response_id| {
            service.deliver_activation_code(&request).await?;
            Ok(DeliverActivationCodeResponse { response_id })
        },
    )
    .await)
}

/// Wraps the service into the handler the runtime and the local gateway call.
pub fn handler(service: Arc<dyn PreDigitization>) -> HttpHandler {
    http_handler(service, handle)
}
