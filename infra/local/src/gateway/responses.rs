//! The errors API Gateway answers itself (gateway responses): the function
//! never ran, crashed, or its init failed. The local gateway answers them as
//! the template's `GatewayResponses` say (the deployed API's answers, read,
//! never restated), else with API Gateway's built-in `{"message": ...}`.

use std::collections::BTreeMap;

use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, StatusCode};
use serde_json::json;

use crate::template::{GatewayResponseSpec, Template};

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
    #[error(
        "APIs {first} and {second} declare different GatewayResponses; the local gateway serves one set"
    )]
    Conflicting { first: String, second: String },
    #[error("API {api}, gateway response {kind}: header {header} is not a valid HTTP header")]
    Header {
        api: String,
        kind: String,
        header: String,
    },
}

/// The gateway responses the local gateway answers with.
#[derive(Debug, Clone, Default)]
pub struct GatewayResponses {
    by_type: BTreeMap<String, GatewayResponseSpec>,
}

impl GatewayResponses {
    /// API Gateway's built-in answers only (a template without `GatewayResponses`).
    pub fn builtin() -> Self {
        Self::default()
    }

    /// The `GatewayResponses` of the template's APIs that serve routes. APIs
    /// that declare none do not count; two that declare different ones are an
    /// error (the local gateway serves every route on one port).
    pub fn from_template(template: &Template) -> Result<Self, ResponsesError> {
        let served = served_apis(template);
        let mut chosen: Option<(&str, &BTreeMap<String, GatewayResponseSpec>)> = None;
        for api in &template.apis {
            if !served.contains(api.logical_id.as_str()) || api.gateway_responses.is_empty() {
                continue;
            }
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
            match chosen {
                Some((first, responses)) if *responses != api.gateway_responses => {
                    return Err(ResponsesError::Conflicting {
                        first: first.to_owned(),
                        second: api.logical_id.clone(),
                    });
                }
                Some(_) => {}
                None => chosen = Some((&api.logical_id, &api.gateway_responses)),
            }
        }
        Ok(Self {
            by_type: chosen.map(|(_, r)| r.clone()).unwrap_or_default(),
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

/// The APIs the template's `Api` events name (`RestApiId`).
fn served_apis(template: &Template) -> std::collections::BTreeSet<&str> {
    template
        .functions
        .iter()
        .flat_map(|f| f.events.iter())
        .filter_map(|(_, e)| match e {
            crate::template::FunctionEvent::Api { api: Some(api), .. } => Some(api.as_str()),
            _ => None,
        })
        .collect()
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
        let responses = GatewayResponses::from_template(&t).unwrap();
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
    async fn the_workspace_templates_errors_are_mdes_errors_responses() {
        let t = Template::from_path(&crate::workspace_root().join("template.yaml")).unwrap();
        let responses = GatewayResponses::from_template(&t).unwrap();
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
    fn apis_with_different_responses_are_refused_and_unserved_apis_ignored() {
        let two = format!(
            "{TEMPLATE}{}",
            r#"
  Other:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      GatewayResponses:
        DEFAULT_4XX: { ResponseTemplates: { application/json: '{}' } }
  Fn2:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: g } }
    Properties:
      Events:
        Call: { Type: Api, Properties: { Path: /y, Method: post, RestApiId: !Ref Other } }
"#
        );
        let t = Template::parse(&two).unwrap();
        assert!(matches!(
            GatewayResponses::from_template(&t),
            Err(ResponsesError::Conflicting { .. })
        ));
        // An API no route uses does not count.
        let unserved = two.replace("RestApiId: !Ref Other", "RestApiId: !Ref Api");
        let t = Template::parse(&unserved).unwrap();
        assert!(GatewayResponses::from_template(&t).is_ok());
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
