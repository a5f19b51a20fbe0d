//! HTTP request → the API Gateway REST (v1) proxy event Lambda receives, and
//! the handler's response back to HTTP.
//!
//! The event is built as JSON and deserialised by `lambda_http::request::from_str`,
//! the same code path the Lambda runtime takes, so handlers see identical
//! requests (URI with the stage prefix, path parameters, request context).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, Method, Uri};
use lambda_http::{Body, Request, Response};
use serde_json::{Map, Value as Json, json};

use crate::deployment::LOCAL_ACCOUNT_ID;
use crate::routes::RouteInfo;

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the proxy event does not deserialise")]
    Deserialise(#[source] serde_json::Error),
}

/// What the gateway knows about one incoming request.
pub struct IncomingRequest<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub source: SocketAddr,
}

/// The proxy event JSON for a request matched to `route`.
pub fn proxy_event(
    req: &IncomingRequest<'_>,
    route: &RouteInfo,
    path_parameters: &BTreeMap<String, String>,
    request_id: &str,
    now: time::OffsetDateTime,
) -> Json {
    let (headers, multi_headers) = header_maps(req.headers);
    let (query, multi_query) = query_maps(req.uri);
    let path = req.uri.path();
    let (body, base64) = match std::str::from_utf8(req.body) {
        _ if req.body.is_empty() => (Json::Null, false),
        Ok(text) => (Json::String(text.to_owned()), false),
        Err(_) => (Json::String(STANDARD.encode(req.body)), true),
    };
    let user_agent = req
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let request_time = now
        .format(time::macros::format_description!(
            "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
        ))
        .unwrap_or_default();
    json!({
        "resource": route.path,
        "path": path,
        "httpMethod": req.method.as_str(),
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": if path_parameters.is_empty() { Json::Null } else { json!(path_parameters) },
        "stageVariables": null,
        "requestContext": {
            "accountId": LOCAL_ACCOUNT_ID,
            "apiId": "local",
            "resourceId": "local",
            "resourcePath": route.path,
            "httpMethod": req.method.as_str(),
            "stage": route.stage,
            "path": format!("/{}{path}", route.stage),
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": request_time,
            "requestTimeEpoch": now.unix_timestamp() * 1000 + i64::from(now.millisecond()),
            "domainName": req.headers.get(http::header::HOST).and_then(|v| v.to_str().ok()).filter(|h| is_plain_host(h)),
            "identity": {
                "sourceIp": req.source.ip().to_string(),
                "userAgent": user_agent,
            },
        },
        "body": body,
        "isBase64Encoded": base64,
    })
}

/// The `lambda_http::Request` the Lambda runtime would build from the event.
pub fn into_lambda_request(event: &Json) -> Result<Request, EventError> {
    lambda_http::request::from_str(&event.to_string()).map_err(EventError::Deserialise)
}

/// The handler's response as bytes; API Gateway passes status and headers on.
pub fn response_parts(resp: Response<Body>) -> (http::response::Parts, Vec<u8>) {
    let (parts, body) = resp.into_parts();
    let bytes = match body {
        Body::Empty => Vec::new(),
        Body::Text(t) => t.into_bytes(),
        Body::Binary(b) => b,
        _ => Vec::new(),
    };
    (parts, bytes)
}

/// lambda_http parses `https://{Host}{path}` with a panicking unwrap; a
/// hostile Host header must not reach it.
fn is_plain_host(h: &str) -> bool {
    !h.is_empty()
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

fn header_maps(headers: &HeaderMap) -> (Map<String, Json>, Map<String, Json>) {
    let mut single = Map::new();
    let mut multi: Map<String, Json> = Map::new();
    for (name, value) in headers {
        let Ok(value) = value.to_str() else { continue };
        if name == http::header::HOST && !is_plain_host(value) {
            continue;
        }
        single.insert(name.as_str().to_owned(), json!(value));
        if let Json::Array(values) = multi
            .entry(name.as_str().to_owned())
            .or_insert_with(|| json!([]))
        {
            values.push(json!(value));
        }
    }
    (single, multi)
}

fn query_maps(uri: &Uri) -> (Json, Json) {
    let pairs: Vec<(String, String)> = uri.query().map(urlencoded_pairs).unwrap_or_default();
    if pairs.is_empty() {
        return (Json::Null, Json::Null);
    }
    let mut single = Map::new();
    let mut multi: Map<String, Json> = Map::new();
    for (k, v) in pairs {
        single.insert(k.clone(), json!(v));
        if let Json::Array(values) = multi.entry(k).or_insert_with(|| json!([])) {
            values.push(json!(v));
        }
    }
    (Json::Object(single), Json::Object(multi))
}

/// Decoded `key=value` pairs, repeated keys kept (axum's query extractor).
fn urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    let Ok(uri) = format!("/?{query}").parse::<Uri>() else {
        return Vec::new();
    };
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map(|q| q.0)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use lambda_http::RequestExt;

    use super::*;

    fn route() -> RouteInfo {
        RouteInfo {
            method: "POST".into(),
            path: "/cards/{cardId}".into(),
            function: "Fn".into(),
            binary: "f".into(),
            stage: "v1".into(),
            api: None,
            auth: crate::routes::RouteAuth::default(),
        }
    }

    #[test]
    fn the_event_deserialises_to_the_request_lambda_would_see() {
        // GIVEN a POST with a repeated query key, a header and a JSON body
        let mut headers = HeaderMap::new();
        headers.insert("host", "127.0.0.1:3000".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.append("x-multi", "a".parse().unwrap());
        headers.append("x-multi", "b".parse().unwrap());
        let uri: Uri = "/cards/c-1?x=1&x=2&y=%20z".parse().unwrap();
        let req = IncomingRequest {
            method: &Method::POST,
            uri: &uri,
            headers: &headers,
            body: br#"{"a":1}"#,
            source: "127.0.0.1:5555".parse().unwrap(),
        };
        let params = BTreeMap::from([("cardId".to_owned(), "c-1".to_owned())]);
        // WHEN the event is built and deserialised like Lambda does
        let event = proxy_event(
            &req,
            &route(),
            &params,
            "req-1",
            time::OffsetDateTime::now_utc(),
        );
        let lambda_req = into_lambda_request(&event).unwrap();
        // THEN the request carries method, stage-prefixed URI, parameters and body
        assert_eq!(lambda_req.method(), Method::POST);
        assert_eq!(lambda_req.uri().path(), "/v1/cards/c-1");
        assert_eq!(lambda_req.path_parameters().first("cardId"), Some("c-1"));
        let q = lambda_req.query_string_parameters();
        assert_eq!(q.all("x").unwrap(), vec!["1", "2"]);
        assert_eq!(q.first("y"), Some(" z"));
        // AND, as on Lambda (lambda_http lets `headers` override
        // `multiValueHeaders`), a repeated header arrives as its last value
        let multi: Vec<_> = lambda_req.headers().get_all("x-multi").iter().collect();
        assert_eq!(multi, vec!["b"]);
        assert_eq!(lambda_req.body().as_ref(), br#"{"a":1}"#);
        let ctx = lambda_req.request_context();
        let lambda_http::request::RequestContext::ApiGatewayV1(ctx) = ctx else {
            panic!("not a REST API context")
        };
        assert_eq!(ctx.stage.as_deref(), Some("v1"));
        assert_eq!(ctx.request_id.as_deref(), Some("req-1"));
        assert_eq!(ctx.identity.source_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(ctx.resource_path.as_deref(), Some("/cards/{cardId}"));
    }

    #[test]
    fn binary_bodies_travel_base64_encoded_and_bad_hosts_are_dropped() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "bad host/".parse().unwrap());
        let uri: Uri = "/cards/c".parse().unwrap();
        let req = IncomingRequest {
            method: &Method::POST,
            uri: &uri,
            headers: &headers,
            body: &[0xff, 0x00, 0xfe],
            source: "127.0.0.1:5555".parse().unwrap(),
        };
        let event = proxy_event(
            &req,
            &route(),
            &BTreeMap::new(),
            "r",
            time::OffsetDateTime::now_utc(),
        );
        assert_eq!(event["isBase64Encoded"], json!(true));
        let lambda_req = into_lambda_request(&event).unwrap();
        assert_eq!(lambda_req.body().as_ref(), &[0xff, 0x00, 0xfe]);
        assert!(lambda_req.headers().get("host").is_none());
    }
}
