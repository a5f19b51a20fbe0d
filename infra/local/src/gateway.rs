//! The local API Gateway: serves every `Api` route of the template by calling
//! the function's handler with the proxy event Lambda would receive, plus the
//! dev-only `/_local/...` endpoints (never part of the template).
//!
//! Like the deployed APIs, each API admits only its allow-listed clients (its
//! resource policy's `AllowedTspCidrs` / `AllowedVtsCidrs` /
//! `AllowedIssuerCidrs`; locally
//! `TMP_ALLOWED_CIDRS` and the per-API variables, [`apis`], [`cidr`]) and
//! answers the errors the gateway produces itself (refused client, unknown
//! route, a function that fails, crashes or cannot start) with its own
//! `GatewayResponses` ([`responses`]).

pub mod apis;
pub mod cidr;
pub mod responses;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use aws_config::SdkConfig;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::HttpHandler;

pub use self::apis::{AllowListSettings, ApiEdge, GatewayConfig};
use self::cidr::CidrError;
use self::responses::{ResponseType, ResponsesError};
use crate::apigw_event::{IncomingRequest, into_lambda_request, proxy_event, response_parts};
use crate::deployment::Deployment;
use crate::registry::{self, InitFn};
use crate::resolve::ResolveError;
use crate::routes::{RouteInfo, specificity};
use crate::template::{FunctionEvent, Template, route_auth};

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
    #[error("function {function}: route {path} is under the reserved /_local/ prefix")]
    ReservedPath { function: String, path: String },
    #[error("the template's GatewayResponses")]
    Responses(#[from] ResponsesError),
    #[error("the allow-list of API {api}")]
    AllowList {
        api: String,
        #[source]
        source: CidrError,
    },
}

/// A route with its initialised handler.
#[derive(Clone)]
pub struct ServedRoute {
    pub info: RouteInfo,
    pub handler: HttpHandler,
}

/// Cold-starts every function that has an `Api` event, once, and returns its
/// routes, most specific first. A function whose init fails is still served,
/// as on Lambda: its requests answer `DEFAULT_5XX` (502) and each retries the
/// init until one succeeds.
pub async fn cold_start(
    template: &Template,
    deployment: &Deployment,
    sdk_for: &FunctionSdk,
) -> Result<Vec<ServedRoute>, GatewayError> {
    let mut served = Vec::new();
    for f in &template.functions {
        let apis: Vec<_> = f
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                FunctionEvent::Api {
                    path,
                    method,
                    api,
                    auth,
                } => Some((path, method, api, auth)),
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
        // Each function's own credentials: its calls are checked against its policy.
        // Its cold start runs on its first request, as on Lambda (a platform of
        // thirty functions starts in the time of the few a test calls).
        let sdk = sdk_for(&f.logical_id);
        let handler = init_on_request(f.logical_id.clone(), init, sdk, env);
        for (path, method, api, auth) in apis {
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
                    api: api.clone(),
                    auth: route_auth(api.as_deref().and_then(|a| template.api(a)), auth),
                },
                handler: handler.clone(),
            });
        }
    }
    served.sort_by_key(|r| std::cmp::Reverse(specificity(&r.info)));
    Ok(served)
}

/// The SDK configuration a function's cold start gets, by logical id.
pub type FunctionSdk = dyn Fn(&str) -> SdkConfig + Send + Sync;

/// A function's handler, built by its init on the first request; an init
/// that fails is tried again by the next request (Lambda re-runs a failed
/// init on the next invocation) and, while it fails, is a function error.
fn init_on_request(
    function: String,
    init: InitFn,
    sdk: SdkConfig,
    env: FunctionEnv,
) -> HttpHandler {
    let state = Arc::new((sdk, env, tokio::sync::OnceCell::<HttpHandler>::new()));
    Arc::new(move |req| {
        let state = Arc::clone(&state);
        let function = function.clone();
        Box::pin(async move {
            let (sdk, env, cell) = &*state;
            let handler = cell.get_or_try_init(|| init(sdk, env)).await.map_err(|e| {
                tracing::error!(function, error = %e, "init failed: answered as a function error");
                format!("function {function}: init failed: {e}")
            })?;
            handler(req).await
        })
    })
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
    config: GatewayConfig,
}

/// The gateway router: `/_local/health`, `/_local/routes`, the extra dev
/// routers (nested at their paths), and every template route. Each API's
/// allow-list and gateway responses apply to its routes and to the unknown
/// paths closest to them, not to the dev-only `/_local/` endpoints.
pub fn router(
    routes: Vec<ServedRoute>,
    extras: Vec<(String, Router)>,
    config: GatewayConfig,
) -> Router {
    let table: Vec<RouteInfo> = routes.iter().map(|r| r.info.clone()).collect();
    let state = Arc::new(GatewayState { routes, config });
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

async fn dispatch(State(state): State<Arc<GatewayState>>, req: axum::extract::Request) -> Response {
    let started = Instant::now();
    // Absent when the router is driven without a socket (e.g. `oneshot`).
    let source = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)), |c| c.0);
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = req.method().clone();
    let (mut response, route) = answer(&state, source, req, &request_id).await;
    if let Ok(v) = request_id.parse() {
        response.headers_mut().insert("x-amzn-requestid", v);
    }
    tracing::info!(
        %method,
        resource = route.map(|r| r.info.path.as_str()),
        function = route.map(|r| r.info.function.as_str()),
        source = %source.ip(),
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_millis() as u64,
        request_id,
        "request"
    );
    response
}

/// The response, and the route it matched (if the client was admitted).
async fn answer<'s>(
    state: &'s GatewayState,
    source: SocketAddr,
    req: axum::extract::Request,
    request_id: &str,
) -> (Response, Option<&'s ServedRoute>) {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    let found = state.routes.iter().find_map(|r| {
        r.info
            .matches(parts.method.as_str(), path)
            .map(|params| (r, params))
    });
    // The API the request is for: its route's, else the closest one's.
    let edge = match &found {
        Some((route, _)) => state.config.edge(route.info.api.as_deref()),
        None => state.config.edge_for_unmatched(&state.routes, path),
    };
    let gateway = |kind| edge.responses.respond(kind, request_id);
    // That API's resource policy is evaluated before anything else: a
    // refused client never reaches a function.
    if !edge.allowed.allows(source.ip()) {
        tracing::warn!(
            source = %source.ip(),
            api = edge.name,
            allowed = %edge.allowed,
            "client not in the API's allow-list: ACCESS_DENIED"
        );
        return (gateway(ResponseType::AccessDenied), None);
    }
    let Some((route, params)) = found else {
        return (gateway(ResponseType::MissingAuthenticationToken), None);
    };
    let matched = Some(route);
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return (gateway(ResponseType::RequestTooLarge), matched);
    };
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
        request_id,
        time::OffsetDateTime::now_utc(),
    );
    let lambda_req = match into_lambda_request(&event) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, resource = route.info.path, "bad proxy event");
            return (gateway(ResponseType::BadRequest), matched);
        }
    };
    // Spawned so that a panicking handler becomes a 502, as a crashed Lambda would.
    let response = match tokio::spawn((route.handler)(lambda_req)).await {
        Ok(Ok(resp)) => {
            let (parts, bytes) = response_parts(resp);
            Response::from_parts(parts, axum::body::Body::from(bytes))
        }
        Ok(Err(e)) => {
            // Handler errors carry fixed messages (no card data), as the
            // Lambda runtime would log them.
            tracing::error!(function = route.info.function, error = %e, "handler error");
            gateway(ResponseType::FunctionError)
        }
        Err(_) => {
            tracing::error!(function = route.info.function, "handler panicked");
            gateway(ResponseType::FunctionError)
        }
    };
    (response, matched)
}

#[cfg(test)]
mod tests {
    use lambda_http::{Body, RequestExt};
    use tmp_runtime::lambda::HandlerError;

    use super::*;
    use crate::gateway::cidr::AllowList;
    use crate::gateway::responses::GatewayResponses;
    use crate::routes::RouteAuth;

    fn route(method: &str, path: &str, handler: HttpHandler) -> ServedRoute {
        ServedRoute {
            info: RouteInfo {
                method: method.into(),
                path: path.into(),
                function: format!("Fn{path}"),
                binary: "test".into(),
                stage: "v1".into(),
                api: Some("Api".into()),
                auth: RouteAuth::default(),
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

    /// A template whose API answers its gateway errors in MDES's shape.
    const MDES_SHAPED: &str = r#"
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      GatewayResponses:
        ACCESS_DENIED:
          ResponseParameters: { Headers: { Content-Type: "'application/json'" } }
          ResponseTemplates:
            application/json: '{"responseId":"$context.requestId","errorCode":"INVALID_FIELD_VALUE","errorDescription":"denied"}'
        MISSING_AUTHENTICATION_TOKEN:
          StatusCode: "404"
          ResponseTemplates:
            application/json: '{"responseId":"$context.requestId","errorCode":"INVALID_FIELD_VALUE","errorDescription":"unknown"}'
        DEFAULT_5XX:
          ResponseTemplates:
            application/json: '{"responseId":"$context.requestId","errorCode":"INTERNAL_SERVICE_FAILURE","errorDescription":"retry"}'
  Fn:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: f } }
    Properties:
      Events:
        Call: { Type: Api, Properties: { Path: /op, Method: post, RestApiId: !Ref Api } }
"#;

    fn mdes_config(allowed: &str) -> GatewayConfig {
        let template = Template::parse(MDES_SHAPED).unwrap();
        GatewayConfig::uniform(
            GatewayResponses::for_api(template.api("Api").unwrap()).unwrap(),
            AllowList::parse(allowed).unwrap(),
        )
    }

    /// `(status, x-amzn-requestid, body)` of a POST.
    async fn post(base: &str, path: &str) -> (u16, String, serde_json::Value) {
        let r = reqwest::Client::new()
            .post(format!("{base}{path}"))
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let id = r.headers()["x-amzn-requestid"].to_str().unwrap().to_owned();
        assert_eq!(r.headers()["content-type"], "application/json");
        (status, id, r.json().await.unwrap())
    }

    #[tokio::test]
    async fn a_client_outside_the_allow_list_is_denied_before_any_handler_runs() {
        // GIVEN a handler that counts its calls, served to 10.0.0.0/8 only
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let counting = handler(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(lambda_http::Response::new(Body::from("{}")))
        });
        let base = serve(router(
            vec![route("POST", "/op", counting.clone())],
            vec![],
            mdes_config("10.0.0.0/8"),
        ))
        .await;
        // WHEN 127.0.0.1 calls the route and an unknown path
        for path in ["/op", "/unknown"] {
            let (status, id, body) = post(&base, path).await;
            // THEN both are the template's ACCESS_DENIED, with this request's id
            assert_eq!(status, 403, "{path}");
            assert_eq!(
                body,
                json!({"responseId": id, "errorCode": "INVALID_FIELD_VALUE", "errorDescription": "denied"})
            );
        }
        // AND the handler never ran
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
        // AND the dev-only endpoints are not the API: still served
        let r = reqwest::get(format!("{base}/_local/health")).await.unwrap();
        assert_eq!(r.status(), 200);

        // GIVEN the same route served to loopback
        let base = serve(router(
            vec![route("POST", "/op", counting)],
            vec![],
            mdes_config("10.0.0.0/8,127.0.0.1/32"),
        ))
        .await;
        // WHEN 127.0.0.1 calls THEN the handler answers
        let r = reqwest::Client::new()
            .post(format!("{base}/op"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
        // AND an unknown path is the template's MISSING_AUTHENTICATION_TOKEN (a 404 there)
        let (status, id, body) = post(&base, "/unknown").await;
        assert_eq!(status, 404);
        assert_eq!(body["responseId"], id.as_str());
        assert_eq!(body["errorDescription"], "unknown");
    }

    #[tokio::test]
    async fn failing_panicking_and_never_started_functions_answer_the_templates_default_5xx() {
        // GIVEN a failing handler, a panicking one, and a function whose init fails (twice)
        let failing = handler(|_| Err("downstream timeout".into()));
        let panicking = handler(|_| panic!("boom"));
        let never: InitFn =
            |_, _| Box::pin(async { Err("MDES_KEY_MATERIAL_TABLE is not set".into()) });
        let sdk = aws_config::SdkConfig::builder().build();
        let not_started = init_on_request("Never".into(), never, sdk, FunctionEnv::default());
        let base = serve(router(
            vec![
                route("POST", "/fail", failing),
                route("POST", "/panic", panicking),
                route("POST", "/never", not_started),
            ],
            vec![],
            mdes_config("127.0.0.0/8"),
        ))
        .await;
        // WHEN each is called THEN each is API Gateway's 502 in the template's shape
        for path in ["/fail", "/panic", "/never", "/never"] {
            let (status, id, body) = post(&base, path).await;
            assert_eq!(status, 502, "{path}");
            assert_eq!(
                body,
                json!({"responseId": id, "errorCode": "INTERNAL_SERVICE_FAILURE", "errorDescription": "retry"}),
                "{path}"
            );
        }
    }

    #[tokio::test]
    async fn a_failed_init_is_retried_by_the_next_request_and_then_serves() {
        // GIVEN an init that fails the first time only
        static ATTEMPTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let flaky: InitFn = |_, _| {
            Box::pin(async {
                if ATTEMPTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    return Err("emulator not ready".into());
                }
                let ok: HttpHandler = Arc::new(|_| {
                    Box::pin(async { Ok(lambda_http::Response::new(Body::from("up"))) })
                });
                Ok(ok)
            })
        };
        let sdk = aws_config::SdkConfig::builder().build();
        let h = init_on_request("Flaky".into(), flaky, sdk, FunctionEnv::default());
        let req = || lambda_http::Request::new(Body::Empty);
        // WHEN called three times THEN the first fails, the next inits and serves, the third reuses it
        assert!(h(req()).await.is_err());
        assert!(h(req()).await.is_ok());
        assert!(h(req()).await.is_ok());
        assert_eq!(ATTEMPTS.load(std::sync::atomic::Ordering::SeqCst), 2);
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
        let base = serve(router(
            routes,
            vec![("/_local/extra".into(), extra)],
            GatewayConfig::default(),
        ))
        .await;
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
        // AND a wrong method or undeclared path is REST API Gateway's 403
        for (method, path) in [(http::Method::GET, "/fail"), (http::Method::GET, "/nope")] {
            let r = http
                .request(method, format!("{base}{path}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403);
            assert_eq!(
                r.json::<serde_json::Value>().await.unwrap()["message"],
                "Missing Authentication Token"
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
                api: v["api"].as_str().map(Into::into),
                auth: RouteAuth::default(),
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
