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
use tmp_runtime::lambda::HttpHandler;

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
    #[error(
        "function {function}: binary {binary} is not registered as an HTTP function (infra/local/src/registry.rs)"
    )]
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
            tracing::info!(
                function = f.logical_id,
                "no Api event; not served by the gateway"
            );
            continue;
        }
        let init = registry::lookup_http(&f.binary).ok_or_else(|| GatewayError::Unregistered {
            function: f.logical_id.clone(),
            binary: f.binary.clone(),
        })?;
        let env =
            deployment
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
        .and_then(serde_norway::Value::as_str)
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

async fn dispatch(State(state): State<Arc<GatewayState>>, req: axum::extract::Request) -> Response {
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

#[cfg(test)]
mod tests {
    use lambda_http::{Body, RequestExt};
    use tmp_runtime::lambda::HandlerError;

    use super::*;

    fn route(method: &str, path: &str, handler: HttpHandler) -> ServedRoute {
        ServedRoute {
            info: RouteInfo {
                method: method.into(),
                path: path.into(),
                function: format!("Fn{path}"),
                binary: "test".into(),
                stage: "v1".into(),
            },
            handler,
        }
    }

    fn handler(
        f: impl Fn(lambda_http::Request) -> Result<lambda_http::Response<Body>, HandlerError>
        + Send
        + Sync
        + 'static,
    ) -> HttpHandler {
        let f = Arc::new(f);
        Arc::new(move |req| {
            let f = Arc::clone(&f);
            Box::pin(async move { f(req) })
        })
    }

    async fn serve(app: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn routes_errors_panics_and_unknown_paths_behave_like_api_gateway() {
        // GIVEN a literal route, a parameter route, a failing and a panicking handler
        let echo = handler(|req| {
            let card = req
                .path_parameters()
                .first("cardId")
                .unwrap_or("-")
                .to_owned();
            Ok(lambda_http::Response::builder()
                .status(201)
                .header("x-card", card)
                .body(Body::from(req.uri().path().to_owned()))?)
        });
        let literal = handler(|_| Ok(lambda_http::Response::new(Body::from("literal"))));
        let failing = handler(|_| Err("downstream timeout".into()));
        let panicking = handler(|_| panic!("boom"));
        let routes = vec![
            route("GET", "/cards/{cardId}", echo),
            route("GET", "/cards/special", literal),
            route("POST", "/fail", failing),
            route("ANY", "/panic", panicking),
        ];
        let mut routes = routes;
        routes.sort_by_key(|r| std::cmp::Reverse(specificity(&r.info)));
        let extra = Router::new().route("/", get(|| async { "extra" }));
        let base = serve(router(routes, vec![("/_local/extra".into(), extra)])).await;
        let http = reqwest::Client::new();

        // WHEN a parameter route is called THEN the handler sees the stage path and parameter
        let r = http.get(format!("{base}/cards/c-7")).send().await.unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.headers()["x-card"], "c-7");
        assert!(r.headers().contains_key("x-amzn-requestid"));
        assert_eq!(r.text().await.unwrap(), "/v1/cards/c-7");
        // AND a literal segment beats a parameter
        let r = http
            .get(format!("{base}/cards/special"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.text().await.unwrap(), "literal");
        // AND a handler error or panic is a 502 with API Gateway's body
        for (method, path) in [
            (http::Method::POST, "/fail"),
            (http::Method::DELETE, "/panic"),
        ] {
            let r = http
                .request(method, format!("{base}{path}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 502);
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body, json!({"message": "Internal server error"}));
        }
        // AND a wrong method or undeclared path is a 404 JSON
        for (method, path) in [(http::Method::GET, "/fail"), (http::Method::GET, "/nope")] {
            let r = http
                .request(method, format!("{base}{path}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404);
            assert_eq!(
                r.json::<serde_json::Value>().await.unwrap()["message"],
                "Not Found"
            );
        }
        // AND dev endpoints answer: health, the route table, a mounted extra router
        let r = http
            .get(format!("{base}/_local/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.json::<serde_json::Value>().await.unwrap(),
            json!({"status": "ok"})
        );
        let table: Vec<RouteInfo> = http
            .get(format!("{base}/_local/routes"))
            .send()
            .await
            .unwrap()
            .json::<Vec<serde_json::Value>>()
            .await
            .unwrap()
            .into_iter()
            .map(|v| RouteInfo {
                method: v["method"].as_str().unwrap().into(),
                path: v["path"].as_str().unwrap().into(),
                function: v["function"].as_str().unwrap().into(),
                binary: v["binary"].as_str().unwrap().into(),
                stage: v["stage"].as_str().unwrap().into(),
            })
            .collect();
        assert_eq!(table.len(), 4);
        let r = http
            .get(format!("{base}/_local/extra"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.text().await.unwrap(), "extra");
    }
}
