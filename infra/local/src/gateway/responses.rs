//! The errors API Gateway answers itself (gateway responses): the function
//! never ran, crashed, or its init failed. The local gateway answers them as
//! the template's `GatewayResponses` say (the deployed API's answers, read,
//! never restated), else with API Gateway's built-in `{"message": ...}`.

use std::collections::BTreeMap;

use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, StatusCode};
use serde_json::json;

use crate::template::{ApiSpec, GatewayResponseSpec};

/// The API Gateway errors the local gateway can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// The resource policy refused the caller (here: `TMP_ALLOWED_CIDRS`).
    AccessDenied,
    /// No route for the method and path (API Gateway's answer for an unknown
    /// resource or method of a REST API).
    MissingAuthenticationToken,
    /// The body is over API Gateway's 10 MB.
    RequestTooLarge,
    /// The request cannot be turned into a proxy event.
    BadRequest,
    /// The function returned an error, crashed or its init failed: API
    /// Gateway's 502, which no specific type covers (`DEFAULT_5XX`).
    FunctionError,
}

impl ResponseType {
    /// The gateway response type that customises it.
    pub fn name(self) -> &'static str {
        match self {
            Self::AccessDenied => "ACCESS_DENIED",
            Self::MissingAuthenticationToken => "MISSING_AUTHENTICATION_TOKEN",
            Self::RequestTooLarge => "REQUEST_TOO_LARGE",
            Self::BadRequest => "DEFAULT_4XX",
            Self::FunctionError => "DEFAULT_5XX",
        }
    }

    /// API Gateway's status when the template does not set one.
    pub fn default_status(self) -> StatusCode {
        match self {
            Self::AccessDenied | Self::MissingAuthenticationToken => StatusCode::FORBIDDEN,
            Self::RequestTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::FunctionError => StatusCode::BAD_GATEWAY,
        }
    }

    /// API Gateway's built-in message (`$context.error.message`).
    pub fn message(self) -> &'static str {
        match self {
            Self::AccessDenied => "Forbidden",
            Self::MissingAuthenticationToken => "Missing Authentication Token",
            Self::RequestTooLarge => "Request Too Long",
            Self::BadRequest => "Bad Request",
            Self::FunctionError => "Internal server error",
        }
    }

    /// `DEFAULT_4XX` or `DEFAULT_5XX`: what answers when the type itself is not customised.
    fn family(self) -> &'static str {
        if self.default_status().is_server_error() {
            "DEFAULT_5XX"
        } else {
            "DEFAULT_4XX"
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ResponsesError {
    #[error("API {api}, gateway response {kind}: header {header} is not a valid HTTP header")]
    Header {
        api: String,
        kind: String,
        header: String,
    },
}

/// One API's gateway responses: what the local gateway answers for its routes.
#[derive(Debug, Clone, Default)]
pub struct GatewayResponses {
    by_type: BTreeMap<String, GatewayResponseSpec>,
}

impl GatewayResponses {
    /// API Gateway's built-in answers only (an API without `GatewayResponses`,
    /// SAM's implicit API).
    pub fn builtin() -> Self {
        Self::default()
    }

    /// The `GatewayResponses` of `api`, their headers checked once here.
    pub fn for_api(api: &ApiSpec) -> Result<Self, ResponsesError> {
        for (kind, spec) in &api.gateway_responses {
            for (header, value) in &spec.headers {
                if HeaderName::from_bytes(header.as_bytes()).is_err()
                    || HeaderValue::from_str(value).is_err()
                {
                    return Err(ResponsesError::Header {
                        api: api.logical_id.clone(),
                        kind: kind.clone(),
                        header: header.clone(),
                    });
                }
            }
        }
        Ok(Self {
            by_type: api.gateway_responses.clone(),
        })
    }

    /// The answer to `kind` for request `request_id`: the type's own response,
    /// else its family's (`DEFAULT_4XX`/`DEFAULT_5XX`), else API Gateway's built-in.
    pub fn respond(&self, kind: ResponseType, request_id: &str) -> Response {
        let own = self.by_type.get(kind.name());
        let family = self.by_type.get(kind.family());
        // A status on DEFAULT_4XX/5XX applies to every type of the family that
        // does not set its own.
        let status = own
            .and_then(|r| r.status_code)
            .or_else(|| family.and_then(|r| r.status_code))
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or_else(|| kind.default_status());
        let spec = own.or(family);
        let template = spec.and_then(|s| {
            s.templates
                .get_key_value("application/json")
                .or_else(|| s.templates.iter().next())
        });
        let mut response = match template {
            Some((content_type, body)) => {
                let mut r = (status, render(body, kind, request_id)).into_response();
                if let Ok(v) = HeaderValue::from_str(content_type) {
                    r.headers_mut().insert(http::header::CONTENT_TYPE, v);
                }
                r
            }
            None => (status, axum::Json(json!({ "message": kind.message() }))).into_response(),
        };
        for (name, value) in spec.map(|s| s.headers.as_slice()).unwrap_or_default() {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

/// The `$context` variables a gateway response template can use that the
/// local gateway knows; others are left as written.
fn render(template: &str, kind: ResponseType, request_id: &str) -> String {
    const PREFIX: &str = "$context.";
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find(PREFIX) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let name_len = from
            .get(PREFIX.len()..)
            .unwrap_or_default()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(from.len() - PREFIX.len());
        let (var, after) = from.split_at(PREFIX.len() + name_len);
        // A sentence-ending dot is not part of the name.
        let name = var.get(PREFIX.len()..).unwrap_or_default();
        let trimmed = name.trim_end_matches('.');
        let value = match trimmed {
            "requestId" | "extendedRequestId" => Some(request_id.to_owned()),
            "error.responseType" => Some(kind.name().to_owned()),
            "error.message" => Some(kind.message().to_owned()),
            "error.messageString" => Some(json!(kind.message()).to_string()),
            _ => None,
        };
        match value {
            Some(v) => {
                out.push_str(&v);
                out.push_str(name.get(trimmed.len()..).unwrap_or_default());
            }
            None => out.push_str(var),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;

    fn of(t: &Template, api: &str) -> GatewayResponses {
        GatewayResponses::for_api(t.api(api).unwrap()).unwrap()
    }

    const TEMPLATE: &str = r#"
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      GatewayResponses:
        ACCESS_DENIED:
          ResponseParameters:
            Headers:
              Content-Type: "'application/json'"
              X-Denied: "'yes'"
          ResponseTemplates:
            application/json: '{"id":"$context.requestId","code":"DENIED","type":"$context.error.responseType"}'
        DEFAULT_4XX:
          StatusCode: "418"
          ResponseTemplates:
            application/json: '{"id":"$context.requestId","code":"GENERIC_4XX","msg":$context.error.messageString}'
        DEFAULT_5XX:
          ResponseTemplates:
            application/json: '{"id":"$context.requestId","code":"RETRY","unknown":"$context.identity.sourceIp"}'
  Fn:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: f } }
    Properties:
      Events:
        Call: { Type: Api, Properties: { Path: /x, Method: post, RestApiId: !Ref Api } }
"#;

    async fn answer(responses: &GatewayResponses, kind: ResponseType) -> (u16, String, Response) {
        let r = responses.respond(kind, "req-1");
        let status = r.status().as_u16();
        let (parts, body) = r.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        (
            status,
            String::from_utf8(bytes.to_vec()).unwrap(),
            Response::from_parts(parts, axum::body::Body::empty()),
        )
    }

    #[tokio::test]
    async fn the_templates_responses_answer_with_their_fallbacks() {
        let t = Template::parse(TEMPLATE).unwrap();
        let responses = of(&t, "Api");
        // GIVEN ACCESS_DENIED customised: its template and headers; without a status
        // of its own it takes DEFAULT_4XX's ("changes the status codes of all other
        // 4XX responses", API Gateway's documentation)
        let (status, body, r) = answer(&responses, ResponseType::AccessDenied).await;
        assert_eq!(status, 418);
        assert_eq!(
            body,
            r#"{"id":"req-1","code":"DENIED","type":"ACCESS_DENIED"}"#
        );
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.headers()["x-denied"], "yes");
        // AND an uncustomised 4xx takes DEFAULT_4XX's template and status code
        let (status, body, _) = answer(&responses, ResponseType::RequestTooLarge).await;
        assert_eq!(status, 418);
        assert_eq!(
            body,
            r#"{"id":"req-1","code":"GENERIC_4XX","msg":"Request Too Long"}"#
        );
        // AND a function error takes DEFAULT_5XX at API Gateway's 502; unknown variables stay
        let (status, body, r) = answer(&responses, ResponseType::FunctionError).await;
        assert_eq!(status, 502);
        assert_eq!(
            body,
            r#"{"id":"req-1","code":"RETRY","unknown":"$context.identity.sourceIp"}"#
        );
        assert_eq!(r.headers()["content-type"], "application/json");
    }

    #[tokio::test]
    async fn the_workspace_templates_errors_are_each_networks_own_error_shape() {
        let t = Template::from_path(&crate::workspace_root().join("template.yaml")).unwrap();
        // GIVEN TspApi THEN MDES's ErrorsResponse, with this request's id
        let responses = of(&t, "TspApi");
        for (kind, status, code) in [
            (ResponseType::AccessDenied, 403, "INVALID_FIELD_VALUE"),
            (
                ResponseType::MissingAuthenticationToken,
                404,
                "INVALID_FIELD_VALUE",
            ),
            (ResponseType::RequestTooLarge, 413, "INVALID_FIELD_LENGTH"),
            (ResponseType::FunctionError, 502, "INTERNAL_SERVICE_FAILURE"),
        ] {
            let (got, body, r) = answer(&responses, kind).await;
            assert_eq!(got, status, "{kind:?}");
            assert_eq!(r.headers()["content-type"], "application/json");
            let body: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["responseId"], "req-1", "{kind:?}");
            assert_eq!(body["errorCode"], code, "{kind:?}");
            assert!(
                body["errorDescription"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty())
            );
        }
        // GIVEN VtsApi THEN Visa's {errorCode, errorDescription}, a failed function at 503
        let responses = of(&t, "VtsApi");
        for (kind, status, code) in [
            (ResponseType::AccessDenied, 403, "ISE40011"),
            (ResponseType::MissingAuthenticationToken, 404, "ISE40011"),
            (ResponseType::RequestTooLarge, 413, "ISE40005"),
            (ResponseType::BadRequest, 400, "ISE40011"),
            (ResponseType::FunctionError, 503, "ISE40504"),
        ] {
            let (got, body, r) = answer(&responses, kind).await;
            assert_eq!(got, status, "{kind:?}");
            assert_eq!(r.headers()["content-type"], "application/json");
            let body: serde_json::Value = serde_json::from_str(&body).unwrap();
            let members: Vec<&String> = body.as_object().unwrap().keys().collect();
            assert_eq!(members, ["errorCode", "errorDescription"], "{kind:?}");
            assert_eq!(body["errorCode"], code, "{kind:?}");
        }
        // GIVEN IssuerApi THEN RFC 9457 problems as application/problem+json, our faults at 503
        let responses = of(&t, "IssuerApi");
        for (kind, status, slug) in [
            (ResponseType::AccessDenied, 403, "forbidden"),
            (ResponseType::MissingAuthenticationToken, 404, "not-found"),
            (ResponseType::RequestTooLarge, 400, "malformed-request"),
            (ResponseType::BadRequest, 400, "malformed-request"),
            (ResponseType::FunctionError, 503, "service-unavailable"),
        ] {
            let (got, body, r) = answer(&responses, kind).await;
            assert_eq!(got, status, "{kind:?}");
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            let body: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                body["type"],
                format!("https://tmp.example/problems/{slug}"),
                "{kind:?}"
            );
            assert_eq!(body["status"], status, "{kind:?}");
        }
    }

    #[tokio::test]
    async fn without_gateway_responses_api_gateways_builtin_answers_remain() {
        for (kind, status, message) in [
            (ResponseType::AccessDenied, 403, "Forbidden"),
            (
                ResponseType::MissingAuthenticationToken,
                403,
                "Missing Authentication Token",
            ),
            (ResponseType::RequestTooLarge, 413, "Request Too Long"),
            (ResponseType::FunctionError, 502, "Internal server error"),
        ] {
            let (got, body, _) = answer(&GatewayResponses::builtin(), kind).await;
            assert_eq!(got, status, "{kind:?}");
            let body: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body, json!({ "message": message }));
        }
    }

    #[test]
    fn a_header_that_is_not_http_is_refused_naming_the_api() {
        let t = Template::parse(&TEMPLATE.replace("X-Denied", "X Denied")).unwrap();
        let err = GatewayResponses::for_api(t.api("Api").unwrap()).unwrap_err();
        assert!(err.to_string().contains("API Api"), "{err}");
    }

    #[test]
    fn rendering_replaces_known_context_variables_only() {
        assert_eq!(
            render(
                "$context.requestId. $context.extendedRequestId$context.error.message",
                ResponseType::AccessDenied,
                "r"
            ),
            "r. rForbidden"
        );
        assert_eq!(
            render("$context.", ResponseType::AccessDenied, "r"),
            "$context."
        );
        assert_eq!(
            render("no vars", ResponseType::AccessDenied, "r"),
            "no vars"
        );
    }
}
