//! A reverse proxy in front of the emulator that enforces IAM: each request
//! signed with a known access key id is authorized against that principal's
//! policies before it is forwarded; a denied request is answered with the
//! access-denied error AWS gives for that protocol and never reaches moto.
//! Unknown access key ids (tmp-local's own provisioning credentials) and
//! unsigned requests pass through unchecked.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt as _;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::actions::{ApiCall, Protocol, classify};
use super::policy::{AuthzRequest, Decision, PolicyDocument, evaluate};
use crate::deployment::LOCAL_ACCOUNT_ID;

/// Requests larger than this are refused (DynamoDB batches stay far below).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Whom an access key id belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// The function's logical id (also the role and session name in errors).
    pub name: String,
    pub policies: Vec<PolicyDocument>,
}

/// What one principal did through the proxy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrincipalUsage {
    pub name: String,
    /// Every action it requested, allowed or not.
    pub used: BTreeSet<String>,
    /// The actions its policies did not allow (a subset of `used`).
    pub denied: BTreeSet<String>,
    /// `(action, resource)` of every denial.
    pub denied_on: BTreeSet<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum IamProxyError {
    #[error("cannot listen on 127.0.0.1")]
    Listen(#[source] std::io::Error),
    #[error("cannot build the upstream HTTP client")]
    Client(#[source] reqwest::Error),
}

struct ProxyState {
    upstream: String,
    client: reqwest::Client,
    principals: HashMap<String, Principal>,
    enforce: bool,
    usage: Mutex<HashMap<String, PrincipalUsage>>,
}

/// Starts [`RunningIamProxy`]s.
pub struct IamProxy;

impl IamProxy {
    /// Listens on `127.0.0.1:0` in front of `upstream` (the emulator's
    /// endpoint URL). `principals` maps access key ids to their principal;
    /// with `enforce` false, denials are only recorded and logged.
    pub async fn start(
        upstream: &str,
        principals: HashMap<String, Principal>,
        enforce: bool,
    ) -> Result<RunningIamProxy, IamProxyError> {
        let client = reqwest::Client::builder()
            .tcp_nodelay(true)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(IamProxyError::Client)?;
        let usage = principals
            .iter()
            .map(|(akid, p)| {
                (
                    akid.clone(),
                    PrincipalUsage {
                        name: p.name.clone(),
                        ..PrincipalUsage::default()
                    },
                )
            })
            .collect();
        let state = Arc::new(ProxyState {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client,
            principals,
            enforce,
            usage: Mutex::new(usage),
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(IamProxyError::Listen)?;
        let local_addr = listener.local_addr().map_err(IamProxyError::Listen)?;
        let listener = listener.tap_io(|tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!(%err, "cannot set TCP_NODELAY");
            }
        });
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&state));
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%local_addr, upstream, enforce, "IAM proxy listening");
        Ok(RunningIamProxy {
            endpoint_url: format!("http://{local_addr}"),
            local_addr,
            state,
            stop,
            server,
        })
    }
}

/// A running proxy; dropping it leaves the server running until the
/// runtime stops, [`RunningIamProxy::shutdown`] stops it.
pub struct RunningIamProxy {
    /// `http://127.0.0.1:PORT`: the endpoint URL functions' SDKs use.
    pub endpoint_url: String,
    pub local_addr: SocketAddr,
    state: Arc<ProxyState>,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

/// A handle on the proxy's usage records, for the gateway's `/_local/functions`.
#[derive(Clone)]
pub struct UsageHandle(Arc<ProxyState>);

impl UsageHandle {
    pub fn usage(&self) -> Vec<PrincipalUsage> {
        let usage = self.0.usage.lock().unwrap_or_else(PoisonError::into_inner);
        let mut all: Vec<PrincipalUsage> = usage.values().cloned().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }
}

impl RunningIamProxy {
    pub fn usage_handle(&self) -> UsageHandle {
        UsageHandle(Arc::clone(&self.state))
    }

    /// What each known principal used and was denied, by name.
    pub fn usage(&self) -> Vec<PrincipalUsage> {
        let usage = self
            .state
            .usage
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut all: Vec<PrincipalUsage> = usage.values().cloned().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    pub fn enforcing(&self) -> bool {
        self.state.enforce
    }

    /// Stops accepting requests; in-flight ones finish (5 s at most).
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let mut server = self.server;
        if tokio::time::timeout(std::time::Duration::from_secs(5), &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
    }
}

async fn handle(State(state): State<Arc<ProxyState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(err) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("IAM proxy: cannot read the request body: {err}"),
            )
                .into_response();
        }
    };
    let call = classify(&parts.method, &parts.uri, &parts.headers, &body);
    if let Some(denial) = authorize(&state, &call)
        && state.enforce
    {
        return denial;
    }
    forward(&state, parts, body).await
}

/// Evaluates every request of the call and records the outcome; the
/// access-denied response when one is denied.
fn authorize(state: &ProxyState, call: &ApiCall) -> Option<Response> {
    let akid = call.access_key_id()?;
    let principal = state.principals.get(akid)?;
    let decisions: Vec<(&AuthzRequest, Decision)> = call
        .requests
        .iter()
        .map(|r| (r, evaluate(&principal.policies, r)))
        .collect();
    {
        let mut usage = state.usage.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = usage
            .entry(akid.to_owned())
            .or_insert_with(|| PrincipalUsage {
                name: principal.name.clone(),
                ..PrincipalUsage::default()
            });
        for (request, decision) in &decisions {
            entry.used.insert(request.action.clone());
            if !decision.is_allowed() {
                entry.denied.insert(request.action.clone());
                entry
                    .denied_on
                    .insert((request.action.clone(), request.resource.clone()));
            }
        }
    }
    let (request, decision) = decisions.into_iter().find(|(_, d)| !d.is_allowed())?;
    tracing::warn!(
        principal = principal.name,
        action = request.action,
        resource = request.resource,
        ?decision,
        enforced = state.enforce,
        "IAM: not allowed by the function's policies in template.yaml"
    );
    Some(access_denied(call, &principal.name, request, decision))
}

/// The error AWS answers a denied call with, per protocol, so the SDK
/// reports the same error code it would on AWS.
pub fn access_denied(
    call: &ApiCall,
    principal: &str,
    request: &AuthzRequest,
    decision: Decision,
) -> Response {
    let user = format!("arn:aws:sts::{LOCAL_ACCOUNT_ID}:assumed-role/{principal}/{principal}");
    // SQS names actions in lower case, SNS with an upper-case prefix.
    let action = match call.service.as_str() {
        "sqs" => request.action.to_lowercase(),
        "sns" => request
            .action
            .strip_prefix("sns:")
            .map_or_else(|| request.action.clone(), |op| format!("SNS:{op}")),
        _ => request.action.clone(),
    };
    let why = match decision {
        Decision::ExplicitDeny => "with an explicit deny in an identity-based policy".to_owned(),
        _ => format!("because no identity-based policy allows the {action} action"),
    };
    let message = format!(
        "User: {user} is not authorized to perform: {action} on resource: {} {why}",
        request.resource
    );
    let request_id = uuid::Uuid::new_v4().to_string();
    let mut headers = HeaderMap::new();
    insert(&mut headers, "x-amzn-requestid", &request_id);
    let (status, body) = match (call.protocol, call.service.as_str()) {
        // SQS's JSON protocol is query-compatible: the SDK takes the error
        // code from `x-amzn-query-error` (`AccessDenied`).
        (Protocol::AwsJson10 | Protocol::AwsJson11, "sqs") => {
            insert(&mut headers, "x-amzn-query-error", "AccessDenied;Sender");
            insert(&mut headers, "content-type", "application/x-amz-json-1.0");
            let body = serde_json::json!({
                "__type": "com.amazon.coral.service#AccessDeniedException",
                "message": message,
            });
            (StatusCode::FORBIDDEN, body.to_string())
        }
        (Protocol::AwsJson10 | Protocol::AwsJson11, _) => {
            let version = if call.protocol == Protocol::AwsJson10 {
                "1.0"
            } else {
                "1.1"
            };
            insert(&mut headers, "x-amzn-errortype", "AccessDeniedException");
            insert(
                &mut headers,
                "content-type",
                &format!("application/x-amz-json-{version}"),
            );
            let body = serde_json::json!({
                "__type": "AccessDeniedException",
                "message": message,
            });
            (StatusCode::BAD_REQUEST, body.to_string())
        }
        (Protocol::AwsQuery, service) => {
            let (code, namespace) = match service {
                "sns" => (
                    "AuthorizationError",
                    "http://sns.amazonaws.com/doc/2010-03-31/",
                ),
                "sqs" => ("AccessDenied", "http://queue.amazonaws.com/doc/2012-11-05/"),
                _ => ("AccessDenied", "https://iam.amazonaws.com/doc/2010-05-08/"),
            };
            insert(&mut headers, "content-type", "text/xml");
            let body = format!(
                "<ErrorResponse xmlns=\"{namespace}\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
                xml_escape(&message)
            );
            (StatusCode::FORBIDDEN, body)
        }
        (Protocol::Other, _) => {
            insert(&mut headers, "x-amzn-errortype", "AccessDeniedException");
            insert(&mut headers, "content-type", "application/json");
            let body = serde_json::json!({ "message": message, "Message": message });
            (StatusCode::FORBIDDEN, body.to_string())
        }
    };
    (status, headers, body).into_response()
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(HeaderName::from_static(name), value);
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded; the length is
/// set again by the client for the body it sends.
fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
    )
}

async fn forward(state: &ProxyState, parts: http::request::Parts, body: Bytes) -> Response {
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    let url = format!("{}{path}", state.upstream);
    let mut headers = HeaderMap::new();
    for (name, value) in &parts.headers {
        if !is_hop_by_hop(name) && name != header::CONTENT_LENGTH {
            headers.append(name.clone(), value.clone());
        }
    }
    let sent = state
        .client
        .request(parts.method, url)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let upstream = match sent {
        Ok(response) => response,
        Err(err) => {
            tracing::warn!(%err, "IAM proxy: upstream unreachable");
            return (
                StatusCode::BAD_GATEWAY,
                format!("IAM proxy: the emulator did not answer: {err}"),
            )
                .into_response();
        }
    };
    let status = upstream.status();
    let mut headers = HeaderMap::new();
    for (name, value) in upstream.headers() {
        if !is_hop_by_hop(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    // Streams the body back chunk by chunk.
    let chunks = futures::stream::unfold(Some(upstream), |upstream| async move {
        let mut upstream = upstream?;
        match upstream.chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(upstream))),
            Ok(None) => None,
            Err(err) => Some((Err(err), None)),
        }
    });
    let mut response = Response::new(Body::from_stream(chunks));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::iam::actions::CredentialScope;

    fn call(service: &str, protocol: Protocol) -> ApiCall {
        ApiCall {
            credential: Some(CredentialScope {
                access_key_id: "AKIAF".into(),
                date: "20260501".into(),
                region: "us-east-1".into(),
                service: service.into(),
            }),
            service: service.into(),
            operation: Some("Op".into()),
            protocol,
            requests: Vec::new(),
        }
    }

    async fn body(response: Response) -> (StatusCode, HeaderMap, String) {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn json_protocols_answer_access_denied_exception() {
        let request = AuthzRequest::new(
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:123456789012:table/t",
        );
        let (status, headers, text) = body(access_denied(
            &call("dynamodb", Protocol::AwsJson10),
            "Fn",
            &request,
            Decision::ImplicitDeny,
        ))
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(headers["x-amzn-errortype"], "AccessDeniedException");
        assert_eq!(headers["content-type"], "application/x-amz-json-1.0");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v,
            json!({
                "__type": "AccessDeniedException",
                "message": "User: arn:aws:sts::123456789012:assumed-role/Fn/Fn is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/t because no identity-based policy allows the dynamodb:PutItem action"
            })
        );
        let (_, headers, text) = body(access_denied(
            &call("kms", Protocol::AwsJson11),
            "Fn",
            &AuthzRequest::new("kms:Decrypt", "*"),
            Decision::ExplicitDeny,
        ))
        .await;
        assert_eq!(headers["content-type"], "application/x-amz-json-1.1");
        assert!(text.contains("with an explicit deny in an identity-based policy"));
    }

    #[tokio::test]
    async fn sqs_json_answers_the_query_compatible_code() {
        let (status, headers, text) = body(access_denied(
            &call("sqs", Protocol::AwsJson10),
            "Fn",
            &AuthzRequest::new("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q"),
            Decision::ImplicitDeny,
        ))
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(headers["x-amzn-query-error"], "AccessDenied;Sender");
        assert!(text.contains("perform: sqs:sendmessage on resource"));
    }

    #[tokio::test]
    async fn the_query_protocol_answers_xml() {
        let (status, headers, text) = body(access_denied(
            &call("sns", Protocol::AwsQuery),
            "Fn",
            &AuthzRequest::new("sns:Publish", "arn:aws:sns:us-east-1:123456789012:t"),
            Decision::ImplicitDeny,
        ))
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(headers["content-type"], "text/xml");
        assert!(text.starts_with("<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>User: arn:aws:sts::123456789012:assumed-role/Fn/Fn is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:123456789012:t because no identity-based policy allows the SNS:Publish action</Message></Error><RequestId>"));
        assert!(text.ends_with("</RequestId></ErrorResponse>"));
    }

    #[test]
    fn xml_is_escaped() {
        assert_eq!(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
    }
}
