//! The steps every MDES operation shares: read the body, echo its requestId,
//! deserialise, validate, translate and make one use-case call, answer 200 or
//! `ErrorsResponse`. Each operation only says how its request becomes a
//! command and its result an answer.

use ::http::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{MdesError, http, validate};

/// A request body of one MDES operation.
pub trait MdesRequest: DeserializeOwned + Send {
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

/// One MDES operation over its use case.
#[async_trait::async_trait]
pub trait MdesOperation: Send + Sync + 'static {
    type Request: MdesRequest;
    type Response: Serialize;

    /// Gets the validated request and the `responseId` to answer with.
    async fn call(
        &self,
        request: Self::Request,
        response_id: String,
    ) -> Result<Self::Response, MdesError>;
}

/// Runs one request body through `operation`. Records `request_id` on the
/// current span.
pub async fn respond<O: MdesOperation>(operation: &O, body: &[u8]) -> Response<Vec<u8>> {
    let body = match validate::parse_body(body) {
        Ok(body) => body,
        Err(err) => return refused::<O::Request>(&http::fresh_response_id(), &err),
    };
    let response_id = validate::request_id_of(&body).unwrap_or_else(http::fresh_response_id);
    tracing::Span::current().record("request_id", response_id.as_str());
    let request =
        match validate::from_value::<O::Request>(body).and_then(|r| r.validate().map(|()| r)) {
            Ok(request) => request,
            Err(err) => return refused::<O::Request>(&response_id, &err),
        };
    match operation.call(request, response_id.clone()).await {
        Ok(body) => http::ok(&body),
        Err(err) => refused::<O::Request>(&response_id, &err),
    }
}

fn refused<Req: MdesRequest>(response_id: &str, err: &MdesError) -> Response<Vec<u8>> {
    tracing::info!(operation = Req::OPERATION, error_code = ?err.code, "MDES request refused");
    http::error(response_id, err)
}
