//! The steps every MDES operation shares: read the body, echo its requestId,
//! deserialise, validate, make one service call, answer 200 or `ErrorsResponse`.

use std::future::Future;

use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::mdes::{MdesError, http, validate};

/// A request body of one MDES operation.
pub trait MdesRequest: DeserializeOwned {
    /// The operation name, as in the path (`/mdes/<OPERATION>`), for logs.
    const OPERATION: &'static str;

    /// The spec's lengths, formats, enums and conditional fields.
    fn validate(&self) -> Result<(), MdesError>;
}

/// The `{responseId}` body of the operations that only acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Acknowledgement {
    pub response_id: String,
}

/// Runs one MDES request through `call`, which gets the validated request and
/// the `responseId` to answer with. Records `request_id` on the current span.
pub async fn answer<Req, Resp, F, Fut>(req: &Request, call: F) -> Response<Body>
where
    Req: MdesRequest,
    Resp: Serialize,
    F: FnOnce(Req, String) -> Fut,
    Fut: Future<Output = Result<Resp, MdesError>>,
{
    let body = match validate::parse_body(req.body().as_ref()) {
        Ok(body) => body,
        Err(err) => return refused::<Req>(&http::fresh_response_id(), &err),
    };
    let response_id = validate::request_id_of(&body).unwrap_or_else(http::fresh_response_id);
    tracing::Span::current().record("request_id", response_id.as_str());
    let request = match validate::from_value::<Req>(body).and_then(|r| r.validate().map(|()| r)) {
        Ok(request) => request,
        Err(err) => return refused::<Req>(&response_id, &err),
    };
    match call(request, response_id.clone()).await {
        Ok(body) => http::ok(&body),
        Err(err) => refused::<Req>(&response_id, &err),
    }
}

fn refused<Req: MdesRequest>(response_id: &str, err: &MdesError) -> Response<Body> {
    tracing::info!(operation = Req::OPERATION, error_code = ?err.code, "MDES request refused");
    http::error(response_id, err)
}
