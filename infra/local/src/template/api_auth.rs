//! SAM's API authorization: an `AWS::Serverless::Api`'s `Auth` (its
//! `Authorizers` and `DefaultAuthorizer`) and an `Api` event's `Auth`
//! (`Authorizer`, `AuthorizationScopes`), resolved as SAM resolves them into
//! what guards each route ([`RouteAuth`]). tmp-local records it and does not
//! emulate the authorizer (the functions verify their tokens themselves), but
//! an event naming an authorizer its API does not define is refused, as SAM's
//! transform refuses it.

use std::collections::BTreeMap;

use serde_norway::{Mapping, Value};

use super::{ApiSpec, FunctionEvent, Template, TemplateError, invalid};
use crate::routes::RouteAuth;

/// SAM's names for "no authorizer" and IAM authorization (never in `Authorizers`).
const NONE: &str = "NONE";
const AWS_IAM: &str = "AWS_IAM";

/// What an `Api` event's `Auth` says; `None` where it says nothing (the API's
/// defaults apply).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventAuth {
    /// `Authorizer`: one of the API's authorizers, `NONE` or `AWS_IAM`.
    pub authorizer: Option<String>,
    /// `AuthorizationScopes`.
    pub authorization_scopes: Option<Vec<String>>,
}

/// One of an API's `Auth.Authorizers`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizerSpec {
    /// `Cognito` (`UserPoolArn`) or `Lambda` (`FunctionArn`).
    pub kind: &'static str,
    /// Its own `AuthorizationScopes`, for routes that name none.
    pub authorization_scopes: Vec<String>,
}

/// An API's `Auth` (authorization part; `ResourcePolicy` is the allow-list's).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiAuth {
    pub default_authorizer: Option<String>,
    pub authorizers: BTreeMap<String, AuthorizerSpec>,
}

fn scopes(id: &str, v: Option<&Value>) -> Result<Option<Vec<String>>, TemplateError> {
    let Some(v) = v else { return Ok(None) };
    v.as_sequence()
        .and_then(|seq| {
            seq.iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        })
        .map(Some)
        .ok_or_else(|| invalid(id, "AuthorizationScopes must be a list of literal scopes"))
}

fn name(id: &str, v: Option<&Value>, what: &'static str) -> Result<Option<String>, TemplateError> {
    match v {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .map(|s| Some(s.to_owned()))
            .ok_or_else(|| invalid(id, what)),
    }
}

/// The `Auth` of the API `id`'s properties.
pub(super) fn api_auth(id: &str, p: &Mapping) -> Result<ApiAuth, TemplateError> {
    let Some(auth) = p.get("Auth") else {
        return Ok(ApiAuth::default());
    };
    let mut authorizers = BTreeMap::new();
    for (name, a) in auth
        .get("Authorizers")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        let name = name
            .as_str()
            .ok_or_else(|| invalid(id, "an Auth.Authorizers key is not text"))?;
        let kind = if a.get("UserPoolArn").is_some() {
            "Cognito"
        } else if a.get("FunctionArn").is_some() {
            "Lambda"
        } else {
            return Err(invalid(
                id,
                "an authorizer has neither UserPoolArn nor FunctionArn",
            ));
        };
        authorizers.insert(
            name.to_owned(),
            AuthorizerSpec {
                kind,
                authorization_scopes: scopes(id, a.get("AuthorizationScopes"))?.unwrap_or_default(),
            },
        );
    }
    let default_authorizer = name(
        id,
        auth.get("DefaultAuthorizer"),
        "Auth.DefaultAuthorizer must be a literal name",
    )?;
    if let Some(default) = &default_authorizer
        && !is_builtin(default)
        && !authorizers.contains_key(default)
    {
        return Err(invalid(
            id,
            "Auth.DefaultAuthorizer names no authorizer of the API",
        ));
    }
    Ok(ApiAuth {
        default_authorizer,
        authorizers,
    })
}

/// The `Auth` of an `Api` event of function `id`.
pub(super) fn event_auth(id: &str, ep: &Mapping) -> Result<EventAuth, TemplateError> {
    let Some(auth) = ep.get("Auth") else {
        return Ok(EventAuth::default());
    };
    Ok(EventAuth {
        authorizer: name(
            id,
            auth.get("Authorizer"),
            "an Api event's Auth.Authorizer must be a literal name",
        )?,
        authorization_scopes: scopes(id, auth.get("AuthorizationScopes"))?,
    })
}

fn is_builtin(name: &str) -> bool {
    name == NONE || name == AWS_IAM
}

/// Every `Api` event names an authorizer its API defines (SAM's transform
/// refuses the template otherwise).
pub(super) fn check_events(t: &Template) -> Result<(), TemplateError> {
    for f in &t.functions {
        for (_, event) in &f.events {
            let FunctionEvent::Api { api, auth, .. } = event else {
                continue;
            };
            let Some(name) = auth.authorizer.as_deref().filter(|n| !is_builtin(n)) else {
                continue;
            };
            let defined = api
                .as_deref()
                .and_then(|a| t.api(a))
                .is_some_and(|a| a.auth.authorizers.contains_key(name));
            if !defined {
                return Err(invalid(
                    &f.logical_id,
                    "an Api event names an authorizer its API does not define",
                ));
            }
        }
    }
    Ok(())
}

/// What guards a route of API `api` whose event says `event`: the event's
/// authorizer, else the API's default (`NONE`: none); the event's scopes,
/// else the authorizer's.
pub fn route_auth(api: Option<&ApiSpec>, event: &EventAuth) -> RouteAuth {
    let authorizer = event
        .authorizer
        .clone()
        .or_else(|| api.and_then(|a| a.auth.default_authorizer.clone()))
        .filter(|name| name != NONE);
    let Some(authorizer) = authorizer else {
        return RouteAuth::default();
    };
    let authorization_scopes = event.authorization_scopes.clone().unwrap_or_else(|| {
        api.and_then(|a| a.auth.authorizers.get(&authorizer))
            .map(|a| a.authorization_scopes.clone())
            .unwrap_or_default()
    });
    RouteAuth {
        authorizer: Some(authorizer),
        authorization_scopes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APIS: &str = r#"
Resources:
  Pool: { Type: AWS::Cognito::UserPool }
  Guarded:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Pool
        Authorizers:
          Pool: { UserPoolArn: !GetAtt Pool.Arn, AuthorizationScopes: [app/read] }
  Open: { Type: AWS::Serverless::Api, Properties: { StageName: v1 } }
  Fn:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: f } }
    Properties:
      Events:
        Own:
          Type: Api
          Properties:
            Path: /own
            Method: get
            RestApiId: !Ref Guarded
            Auth: { Authorizer: Pool, AuthorizationScopes: [app/read, app/write] }
        Default: { Type: Api, Properties: { Path: /default, Method: get, RestApiId: !Ref Guarded } }
        Public:
          Type: Api
          Properties: { Path: /public, Method: get, RestApiId: !Ref Guarded, Auth: { Authorizer: NONE } }
        Unguarded: { Type: Api, Properties: { Path: /open, Method: get, RestApiId: !Ref Open } }
"#;

    fn auth_of(t: &Template, event: &str) -> RouteAuth {
        let f = t.function("Fn").unwrap();
        let (_, e) = f.events.iter().find(|(name, _)| name == event).unwrap();
        let FunctionEvent::Api { api, auth, .. } = e else {
            panic!("{event} is not an Api event")
        };
        route_auth(api.as_deref().and_then(|a| t.api(a)), auth)
    }

    #[test]
    fn each_route_gets_its_events_authorizer_else_its_apis_default() {
        // GIVEN an API with a default Cognito authorizer and routes saying more or less
        let t = Template::parse(APIS).unwrap();
        let guarded = &t.api("Guarded").unwrap().auth;
        assert_eq!(guarded.default_authorizer.as_deref(), Some("Pool"));
        assert_eq!(guarded.authorizers["Pool"].kind, "Cognito");
        // THEN the event's own authorizer and scopes win
        assert_eq!(
            auth_of(&t, "Own"),
            RouteAuth {
                authorizer: Some("Pool".into()),
                authorization_scopes: vec!["app/read".into(), "app/write".into()],
            }
        );
        // AND a route saying nothing gets the default authorizer with its scopes
        assert_eq!(
            auth_of(&t, "Default"),
            RouteAuth {
                authorizer: Some("Pool".into()),
                authorization_scopes: vec!["app/read".into()],
            }
        );
        // AND NONE, or an API without Auth, is no authorizer
        assert_eq!(auth_of(&t, "Public"), RouteAuth::default());
        assert_eq!(auth_of(&t, "Unguarded"), RouteAuth::default());
    }

    #[test]
    fn an_authorizer_the_api_does_not_define_is_refused_naming_the_resource() {
        // GIVEN an event naming an unknown authorizer
        let err = Template::parse(
            &APIS.replace("Auth: { Authorizer: Pool,", "Auth: { Authorizer: Nope,"),
        )
        .unwrap_err();
        // THEN parsing fails naming the function
        assert!(err.to_string().contains("resource Fn"), "{err}");
        // AND an unknown default authorizer names the API
        let err = Template::parse(&APIS.replace("DefaultAuthorizer: Pool", "DefaultAuthorizer: X"))
            .unwrap_err();
        assert!(err.to_string().contains("resource Guarded"), "{err}");
    }
}
