//! The local API Gateway: serves every `Api` route of the template by calling
//! the function's handler with the proxy event Lambda would receive, plus the
//! dev-only `/_local/...` endpoints (never part of the template).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use aws_config::SdkConfig;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::StatusCode;
use serde_json::json;
use tmp_shared::lambda::HttpHandler;

use crate::apigw_event::{IncomingRequest, into_lambda_request, proxy_event, response_parts};
use crate::deployment::Deployment;
use crate::registry;
use crate::resolve::ResolveError;
use crate::routes::{RouteInfo, specificity};
use crate::template::{FunctionEvent, Template};

/// API Gateway's payload limit.
const MAX_BODY: usize = 10 * 1024 * 1024;
/// Dev-only endpoints live under this prefix.
pub const LOCAL_PREFIX: &str = "/_local/";

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("function {function}: binary {binary} is not in the local registry (infra/local/src/registry.rs)")]
    Unregistered { function: String, binary: String },
    #[error("function {function}: building its environment failed")]
    Environment {
        function: String,
        #[source]
        source: ResolveError,
    },
    #[error("function {function}: init failed: {message}")]
    Init { function: String, message: String },
    #[error("function {function}: route {path} is under the reserved /_local/ prefix")]
    ReservedPath { function: String, path: String },
}

/// A route with its initialised handler.
#[derive(Clone)]
pub struct ServedRoute {
    pub info: RouteInfo,
    pub handler: HttpHandler,
}

/// Cold-starts every function that has an `Api` event, once, and returns its
/// routes, most specific first.
pub async fn cold_start(
    template: &Template,
    deployment: &Deployment,
    sdk: &SdkConfig,
) -> Result<Vec<ServedRoute>, GatewayError> {
    let mut served = Vec::new();
    for f in &template.functions {
        let apis: Vec<_> = f
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                FunctionEvent::Api { path, method, api } => Some((path, method, api)),
                _ => None,
            })
            .collect();
        if apis.is_empty() {
            tracing::info!(function = f.logical_id, "no Api event; not served by the gateway");
            continue;
        }
        let init = registry::lookup(&f.binary).ok_or_else(|| GatewayError::Unregistered {
            function: f.logical_id.clone(),
            binary: f.binary.clone(),
        })?;
        let env = deployment
            .function_env(&f.logical_id)
            .map_err(|source| GatewayError::Environment {
                function: f.logical_id.clone(),
                source,
            })?;
        let handler = init(sdk, &env).await.map_err(|e| GatewayError::Init {
            function: f.logical_id.clone(),
            message: e.to_string(),
        })?;
        for (path, method, api) in apis {
            if path.starts_with(LOCAL_PREFIX) {
                return Err(GatewayError::ReservedPath {
                    function: f.logical_id.clone(),
                    path: path.clone(),
                });
            }
            served.push(ServedRoute {
                info: RouteInfo {
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    function: f.logical_id.clone(),
                    binary: f.binary.clone(),
                    stage: stage_of(template, api.as_deref()),
                },
                handler: handler.clone(),
            });
        }
    }
    served.sort_by_key(|r| std::cmp::Reverse(specificity(&r.info)));
    Ok(served)
}

/// The `StageName` of the API a route belongs to; SAM's implicit API uses `Prod`.
fn stage_of(template: &Template, api: Option<&str>) -> String {
    api.and_then(|id| template.resources.get(id))
        .and_then(|r| r.properties.get("StageName"))
        .and_then(serde_yaml::Value::as_str)
        .unwrap_or("Prod")
        .to_owned()
}

struct GatewayState {
    routes: Vec<ServedRoute>,
}

/// The gateway router: `/_local/health`, `/_local/routes`, the extra dev
/// routers (nested at their paths), and every template route.
pub fn router(routes: Vec<ServedRoute>, extras: Vec<(String, Router)>) -> Router {
    let table: Vec<RouteInfo> = routes.iter().map(|r| r.info.clone()).collect();
    let state = Arc::new(GatewayState { routes });
    let mut app = Router::new()
        .route(
            "/_local/health",
            get(|| async { axum::Json(json!({"status": "ok"})) }),
        )
        .route(
            "/_local/routes",
            get(move || {
                let table = table.clone();
                async move { axum::Json(table) }
            }),
        )
        .fallback(dispatch)
        .with_state(state);
    for (path, extra) in extras {
        app = app.nest(&path, extra);
    }
    app
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({ "message": text }))).into_response()
}

async fn dispatch(
    State(state): State<Arc<GatewayState>>,
    req: axum::extract::Request,
) -> Response {
    let started = Instant::now();
    // Absent when the router is driven without a socket (e.g. `oneshot`).
    let source = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)), |c| c.0);
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    let Some((route, params)) = state.routes.iter().find_map(|r| {
        r.info
            .matches(parts.method.as_str(), path)
            .map(|params| (r, params))
    }) else {
        return message(StatusCode::NOT_FOUND, "Not Found");
    };
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return message(StatusCode::PAYLOAD_TOO_LARGE, "Request Too Long");
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    let incoming = IncomingRequest {
        method: &parts.method,
        uri: &parts.uri,
        headers: &parts.headers,
        body: &body,
        source,
    };
    let event = proxy_event(
        &incoming,
        &route.info,
        &params,
        &request_id,
        time::OffsetDateTime::now_utc(),
    );
    let lambda_req = match into_lambda_request(&event) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, resource = route.info.path, "bad proxy event");
            return message(StatusCode::BAD_REQUEST, "Bad Request");
        }
    };
    // Spawned so that a panicking handler becomes a 502, as a crashed Lambda would.
    let outcome = tokio::spawn((route.handler)(lambda_req)).await;
    let mut response = match outcome {
        Ok(Ok(resp)) => {
            let (parts, bytes) = response_parts(resp);
            Response::from_parts(parts, axum::body::Body::from(bytes))
        }
        Ok(Err(e)) => {
            // Handler errors carry fixed messages (no card data), as the
            // Lambda runtime would log them.
            tracing::error!(function = route.info.function, error = %e, "handler error");
            message(StatusCode::BAD_GATEWAY, "Internal server error")
        }
        Err(_) => {
            tracing::error!(function = route.info.function, "handler panicked");
            message(StatusCode::BAD_GATEWAY, "Internal server error")
        }
    };
    if let Ok(v) = request_id.parse() {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
    tracing::info!(
        method = %parts.method,
        resource = route.info.path,
        function = route.info.function,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_millis() as u64,
        request_id,
        "request"
    );
    response
}
