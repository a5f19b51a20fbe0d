//! Each API of the template has its own edge locally, as on AWS (each its own
//! domain, resource policy and gateway responses): the routes of `VtsApi`
//! answer in Visa's error shape and admit `AllowedVtsCidrs`' local stand-in,
//! those of `TspApi` in MDES's and admit `AllowedTspCidrs`', those of
//! `IssuerApi` as RFC 9457 problems and admit `AllowedIssuerCidrs`'. A request that
//! matches no route is answered by the API whose routes share the longest path
//! prefix with it (`/vts/v1/nope` by `VtsApi`, `/mdes/nope` by `TspApi`).

use std::collections::{BTreeMap, BTreeSet};

use super::GatewayError;
use super::ServedRoute;
use super::cidr::{AllowList, CidrError};
use super::responses::GatewayResponses;
use crate::routes::shared_prefix;
use crate::template::{ApiSpec, FunctionEvent, Template};

/// What the local gateway applies at one API's edge.
#[derive(Debug, Clone, Default)]
pub struct ApiEdge {
    /// The API's logical id, for logs.
    pub name: String,
    /// Its gateway responses (the errors the gateway produces itself).
    pub responses: GatewayResponses,
    /// Clients outside it get `ACCESS_DENIED` before the request goes
    /// further, as the resource policy refuses them.
    pub allowed: AllowList,
}

/// Where each API's local allow-list comes from, the first that is set:
/// 1. [`AllowListSettings::per_api`] (tests: `LocalPlatform::api_allowed_cidrs`);
/// 2. [`AllowListSettings::every`] (tests: `LocalPlatform::allowed_cidrs`);
/// 3. the environment variable named after the parameter the API's resource
///    policy matches `aws:SourceIp` with ([`allowed_cidrs_env`]:
///    `TMP_ALLOWED_VTS_CIDRS` for `AllowedVtsCidrs`);
/// 4. `TMP_ALLOWED_CIDRS`, every API's;
/// 5. loopback.
///
/// The parameters' own values are never used locally: their defaults are a
/// documentation range that would admit no one, this machine included.
#[derive(Debug, Clone, Default)]
pub struct AllowListSettings {
    pub per_api: BTreeMap<String, AllowList>,
    pub every: Option<AllowList>,
}

impl AllowListSettings {
    /// The allow-list of `api` (`None`: SAM's implicit API, or no API).
    pub fn resolve(&self, api: Option<&ApiSpec>) -> Result<AllowList, CidrError> {
        if let Some(list) = api.and_then(|a| self.per_api.get(&a.logical_id)) {
            return Ok(list.clone());
        }
        if let Some(list) = &self.every {
            return Ok(list.clone());
        }
        let parameter = api.and_then(|a| a.source_ip_parameter.as_deref());
        if let Some(list) = parameter
            .map(|p| AllowList::from_env_var(&allowed_cidrs_env(p)))
            .transpose()?
            .flatten()
        {
            return Ok(list);
        }
        AllowList::from_env()
    }
}

/// `TMP_` and the parameter's name in upper snake case: the variable that
/// sets an API's allow-list locally (`AllowedVtsCidrs` → `TMP_ALLOWED_VTS_CIDRS`).
pub fn allowed_cidrs_env(parameter: &str) -> String {
    let mut var = String::from("TMP_");
    let mut previous_lower = false;
    for c in parameter.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            var.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        var.push(c.to_ascii_uppercase());
    }
    var
}

/// Every served API's edge, and how a request finds its API.
#[derive(Debug, Clone, Default)]
pub struct GatewayConfig {
    /// By `RestApiId` (`None`: SAM's implicit API).
    pub apis: BTreeMap<Option<String>, ApiEdge>,
    /// The edge of a route of an API not listed, and of any path when no
    /// route exists (API Gateway's built-in answers by default).
    pub fallback: ApiEdge,
}

impl GatewayConfig {
    /// One edge for everything (tests, a one-API gateway).
    pub fn uniform(responses: GatewayResponses, allowed: AllowList) -> Self {
        Self {
            apis: BTreeMap::new(),
            fallback: ApiEdge {
                name: "every API".to_owned(),
                responses,
                allowed,
            },
        }
    }

    /// The edges of the APIs the template's `Api` events name: each its own
    /// `GatewayResponses` and allow-list.
    pub fn from_template(
        template: &Template,
        settings: &AllowListSettings,
    ) -> Result<Self, GatewayError> {
        let served: BTreeSet<Option<String>> = template
            .functions
            .iter()
            .flat_map(|f| f.events.iter())
            .filter_map(|(_, e)| match e {
                FunctionEvent::Api { api, .. } => Some(api.clone()),
                _ => None,
            })
            .collect();
        let mut apis = BTreeMap::new();
        for api in served {
            let name = api
                .clone()
                .unwrap_or_else(|| "ServerlessRestApi".to_owned());
            let spec = api.as_deref().and_then(|id| template.api(id));
            let responses = spec
                .map(GatewayResponses::for_api)
                .transpose()?
                .unwrap_or_default();
            let allowed = settings
                .resolve(spec)
                .map_err(|source| GatewayError::AllowList {
                    api: name.clone(),
                    source,
                })?;
            apis.insert(
                api,
                ApiEdge {
                    name,
                    responses,
                    allowed,
                },
            );
        }
        let fallback = ApiEdge {
            name: "no API".to_owned(),
            responses: GatewayResponses::builtin(),
            allowed: settings
                .resolve(None)
                .map_err(|source| GatewayError::AllowList {
                    api: "no API".to_owned(),
                    source,
                })?,
        };
        Ok(Self { apis, fallback })
    }

    /// The edge of the API `api` (a route's `RestApiId`).
    pub fn edge(&self, api: Option<&str>) -> &ApiEdge {
        self.apis
            .get(&api.map(str::to_owned))
            .unwrap_or(&self.fallback)
    }

    /// The edge that answers a request for `path` that matches no route: the
    /// API of the route sharing the most leading segments with it; on a tie
    /// (`/nope` shares none with any) the API whose logical id sorts first.
    pub fn edge_for_unmatched(&self, routes: &[ServedRoute], path: &str) -> &ApiEdge {
        let mut best: Option<(usize, Option<&str>)> = None;
        for route in routes {
            let shared = shared_prefix(&route.info.path, path);
            let api = route.info.api.as_deref();
            let better =
                best.is_none_or(|(most, first)| shared > most || (shared == most && api < first));
            if better {
                best = Some((shared, api));
            }
        }
        best.map_or(&self.fallback, |(_, api)| self.edge(api))
    }

    /// Every edge, for the start-up log.
    pub fn edges(&self) -> impl Iterator<Item = &ApiEdge> {
        self.apis.values()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::routes::RouteInfo;

    const TWO_APIS: &str = r#"
Parameters:
  AllowedBlueCidrs: { Type: CommaDelimitedList, Default: 192.0.2.0/24 }
Resources:
  BlueApi:
    Type: AWS::Serverless::Api
    Properties:
      Auth:
        ResourcePolicy:
          CustomStatements:
            - { Effect: Deny, Condition: { NotIpAddress: { aws:SourceIp: !Ref AllowedBlueCidrs } } }
      GatewayResponses:
        DEFAULT_4XX: { ResponseTemplates: { application/json: '{"blue":true}' } }
  GreenApi:
    Type: AWS::Serverless::Api
    Properties:
      GatewayResponses:
        DEFAULT_4XX: { ResponseTemplates: { application/json: '{"green":true}' } }
  BlueFunction:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: b } }
    Properties:
      Events:
        Call: { Type: Api, Properties: { Path: "/blue/v1/things/{id}/op", Method: post, RestApiId: !Ref BlueApi } }
  GreenFunction:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: g } }
    Properties:
      Events:
        Call: { Type: Api, Properties: { Path: /green/op, Method: post, RestApiId: !Ref GreenApi } }
"#;

    fn route(path: &str, api: &str) -> ServedRoute {
        ServedRoute {
            info: RouteInfo {
                method: "POST".into(),
                path: path.into(),
                function: "F".into(),
                binary: "f".into(),
                stage: "v1".into(),
                api: Some(api.into()),
                auth: crate::routes::RouteAuth::default(),
            },
            handler: Arc::new(|_| Box::pin(async { Err("unused".into()) })),
        }
    }

    fn list(cidrs: &str) -> AllowList {
        AllowList::parse(cidrs).unwrap()
    }

    #[test]
    fn each_api_gets_its_own_responses_and_allow_list() {
        // GIVEN two APIs, one allow-listed per API and the other by the every-API setting
        let t = Template::parse(TWO_APIS).unwrap();
        let settings = AllowListSettings {
            per_api: BTreeMap::from([("BlueApi".to_owned(), list("10.0.0.0/8"))]),
            every: Some(list("127.0.0.2")),
        };
        // WHEN the edges are built
        let config = GatewayConfig::from_template(&t, &settings).unwrap();
        // THEN each API has its own list and its own gateway responses
        let blue = config.edge(Some("BlueApi"));
        let green = config.edge(Some("GreenApi"));
        assert_eq!(blue.allowed, list("10.0.0.0/8"));
        assert_eq!(green.allowed, list("127.0.0.2"));
        assert_eq!(
            (blue.name.as_str(), green.name.as_str()),
            ("BlueApi", "GreenApi")
        );
        assert_eq!(config.edges().count(), 2);
        // AND an API no route names is the fallback's
        assert_eq!(config.edge(Some("Other")).name, "no API");
    }

    #[test]
    fn an_unmatched_path_is_answered_by_the_api_sharing_the_longest_prefix() {
        let t = Template::parse(TWO_APIS).unwrap();
        let settings = AllowListSettings {
            every: Some(list("127.0.0.1")),
            ..AllowListSettings::default()
        };
        let config = GatewayConfig::from_template(&t, &settings).unwrap();
        let routes = [
            route("/blue/v1/things/{id}/op", "BlueApi"),
            route("/green/op", "GreenApi"),
        ];
        for (path, api) in [
            ("/blue/v1/nope", "BlueApi"),
            ("/blue/v1/things/7/other", "BlueApi"),
            ("/green/nope", "GreenApi"),
            ("/green/op/deeper", "GreenApi"),
            // A tie (nothing shared): the API whose logical id sorts first.
            ("/nope", "BlueApi"),
            ("/", "BlueApi"),
        ] {
            assert_eq!(config.edge_for_unmatched(&routes, path).name, api, "{path}");
        }
        // AND without routes, the fallback
        assert_eq!(config.edge_for_unmatched(&[], "/x").name, "no API");
    }

    #[test]
    fn allow_list_variables_are_named_after_the_parameter() {
        assert_eq!(
            allowed_cidrs_env("AllowedVtsCidrs"),
            "TMP_ALLOWED_VTS_CIDRS"
        );
        assert_eq!(
            allowed_cidrs_env("AllowedTspCidrs"),
            "TMP_ALLOWED_TSP_CIDRS"
        );
        assert_eq!(
            allowed_cidrs_env("AllowedIssuerCidrs"),
            "TMP_ALLOWED_ISSUER_CIDRS"
        );
        assert_eq!(allowed_cidrs_env("Allowed3dsCidrs"), "TMP_ALLOWED3DS_CIDRS");
    }
}
