//! authorizeService handler: parse, one domain call, map to the MDES wire format.

use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use tmp_shared::config::FunctionEnv;
use tmp_shared::lambda::{HandlerError, HttpHandler, http_handler};

pub struct State {}

pub async fn init(
    _sdk: &aws_config::SdkConfig,
    _env: &FunctionEnv,
) -> Result<HttpHandler, HandlerError> {
    Ok(http_handler(Arc::new(State {}), handle))
}

pub async fn handle(_state: Arc<State>, _req: Request) -> Result<Response<Body>, HandlerError> {
    Ok(Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from("{}"))?)
}
