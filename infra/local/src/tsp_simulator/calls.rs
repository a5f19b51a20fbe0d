//! Every request a simulated network API received, in order, as the test
//! that drives it wants to see it: method, URL, headers and body (parsed
//! JSON, else text). Kept in memory, never logged: bodies may carry card data.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use axum::http::{HeaderMap, Method, Uri};
use serde::Serialize;
use serde_json::Value;

/// One request as received.
#[derive(Debug, Clone, Serialize)]
pub struct Call {
    pub method: String,
    pub url: String,
    /// Header names in lower case; repeated headers joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The body as JSON when it parses, else as text (`null` when empty).
    pub body: Value,
}

#[derive(Default)]
pub struct CallLog {
    calls: Mutex<Vec<Call>>,
}

impl CallLog {
    pub fn record(&self, method: &Method, url: &str, headers: &HeaderMap, body: &[u8]) {
        let mut joined: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in headers {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            joined
                .entry(name.as_str().to_owned())
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(&value);
                })
                .or_insert(value);
        }
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        };
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Call {
                method: method.as_str().to_owned(),
                url: url.to_owned(),
                headers: joined,
                body,
            });
    }

    pub fn all(&self) -> Vec<Call> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The URL a client called: `http://{Host}{mount}{path?query}` (the nested
/// router sees the path without its mount point).
pub fn request_url(headers: &HeaderMap, mount: &str, uri: &Uri) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    format!("http://{host}{mount}{}{query}", uri.path())
}
