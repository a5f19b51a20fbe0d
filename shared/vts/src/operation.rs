//! The steps every VTS operation shares: read the body, check the path and
//! query, deserialise and validate, make one use-case call, answer with the
//! operation's body or the ISE error. Each operation only says how its
//! request becomes a command and its result an answer.

use ::http::Response;
use serde_json::Value;

use crate::common::Params;
use crate::{VtsError, http, validate};

/// The checked input of one VTS operation (path, query and body).
pub trait VtsRequest: Sized + Send {
    /// The operation's name, as in its path, for logs.
    const OPERATION: &'static str;

    /// Builds the request from the gateway's parameters and the parsed body:
    /// the contract's types, lengths, patterns and enums.
    fn from_parts(params: &Params, body: Value) -> Result<Self, VtsError>;
}

/// Deserialises and validates a body type, for requests that are their body.
pub fn body<T, F>(body: Value, validate: F) -> Result<T, VtsError>
where
    T: serde::de::DeserializeOwned,
    F: FnOnce(&T) -> Result<(), VtsError>,
{
    let request: T = validate::from_value(body)?;
    validate(&request)?;
    Ok(request)
}

/// An operation's answer as an HTTP response.
pub trait VtsResponse {
    fn into_response(self) -> Response<Vec<u8>>;
}

/// One VTS operation over its use case.
#[async_trait::async_trait]
pub trait VtsOperation: Send + Sync + 'static {
    type Request: VtsRequest;
    type Response: VtsResponse;

    async fn call(&self, request: Self::Request) -> Result<Self::Response, VtsError>;
}

/// Reads and checks one request (what [`respond`] does before the call).
pub fn parse<R: VtsRequest>(params: &Params, body: &[u8]) -> Result<R, VtsError> {
    R::from_parts(params, validate::parse_body(body)?)
}

/// Runs one request through `operation`.
pub async fn respond<O: VtsOperation>(
    operation: &O,
    params: &Params,
    body: &[u8],
) -> Response<Vec<u8>> {
    let request = match parse::<O::Request>(params, body) {
        Ok(request) => request,
        Err(err) => return refused::<O::Request>(&err),
    };
    match operation.call(request).await {
        Ok(answer) => answer.into_response(),
        Err(err) => refused::<O::Request>(&err),
    }
}

fn refused<R: VtsRequest>(err: &VtsError) -> Response<Vec<u8>> {
    tracing::info!(operation = R::OPERATION, error_code = %err.code, "VTS request refused");
    http::error(err)
}
