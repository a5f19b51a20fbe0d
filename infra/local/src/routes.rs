//! The route table: API Gateway REST resource paths (`/cards/{cardId}`,
//! `/{proxy+}`) matched against request paths, as API Gateway does.

use std::collections::BTreeMap;

use serde::Serialize;

/// One `Api` event of one function.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RouteInfo {
    /// Upper-case method, or `ANY`.
    pub method: String,
    /// The template `Path` (the API Gateway resource).
    pub path: String,
    pub function: String,
    pub binary: String,
    /// The stage of the API this route belongs to (`StageName`, SAM default `Prod`).
    pub stage: String,
    /// The `RestApiId` of that API; `None` for SAM's implicit API.
    pub api: Option<String>,
    /// What guards it on AWS (recorded, not enforced locally: see [`RouteAuth`]).
    #[serde(flatten)]
    pub auth: RouteAuth,
}

/// The authorizer API Gateway runs before a route's function, as SAM resolves
/// it (the event's `Auth.Authorizer`, else its API's `DefaultAuthorizer`;
/// `NONE` is none). The local gateway records it for `GET /_local/routes` but
/// does not emulate it: the functions verify their bearer tokens themselves,
/// against tmp-local's token issuer.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct RouteAuth {
    /// The authorizer's name in its API's `Auth.Authorizers` (or `AWS_IAM`).
    pub authorizer: Option<String>,
    /// A token must carry one of these (the event's `AuthorizationScopes`,
    /// else the authorizer's); empty without an authorizer.
    #[serde(rename = "authorizationScopes")]
    pub authorization_scopes: Vec<String>,
}

impl RouteInfo {
    /// Path parameters when `method`/`path` match this route.
    pub fn matches(&self, method: &str, path: &str) -> Option<BTreeMap<String, String>> {
        if self.method != "ANY" && !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        match_path(&self.path, path)
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Matches a resource path template; `{name+}` is greedy and must be last.
pub fn match_path(template: &str, path: &str) -> Option<BTreeMap<String, String>> {
    let wanted = segments(template);
    let got = segments(path);
    let mut params = BTreeMap::new();
    for (i, seg) in wanted.iter().enumerate() {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if let Some(greedy) = name.strip_suffix('+') {
                params.insert(greedy.to_owned(), got.get(i..)?.join("/"));
                return Some(params);
            }
            params.insert(name.to_owned(), (*got.get(i)?).to_owned());
        } else if got.get(i) != Some(seg) {
            return None;
        }
    }
    (wanted.len() == got.len()).then_some(params)
}

/// How many leading segments of `path` the resource path `template` matches
/// (a parameter matches any segment, a greedy one the rest): how close an
/// unmatched request is to a route.
pub fn shared_prefix(template: &str, path: &str) -> usize {
    let got = segments(path);
    let mut shared = 0;
    for (wanted, seg) in segments(template).iter().zip(&got) {
        match wanted.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) if name.ends_with('+') => return got.len(),
            Some(_) => {}
            None if wanted == seg => {}
            None => break,
        }
        shared += 1;
    }
    shared
}

/// API Gateway prefers literal segments over parameters: the route with the
/// most literal segments, then the fewest greedy ones, wins.
pub fn specificity(route: &RouteInfo) -> (usize, usize) {
    let segs = segments(&route.path);
    let literals = segs.iter().filter(|s| !s.starts_with('{')).count();
    let greedy = segs.iter().filter(|s| s.ends_with("+}")).count();
    (literals, usize::MAX - greedy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_parameter_and_greedy_segments_match() {
        assert_eq!(
            match_path("/mdes/authorizeService", "/mdes/authorizeService"),
            Some(BTreeMap::new())
        );
        assert_eq!(match_path("/mdes/authorizeService", "/mdes/other"), None);
        assert_eq!(
            match_path("/mdes/authorizeService", "/mdes/authorizeService/x"),
            None
        );
        let p = match_path("/cards/{cardId}/tokens", "/cards/c-1/tokens").unwrap();
        assert_eq!(p["cardId"], "c-1");
        assert_eq!(match_path("/cards/{cardId}", "/cards"), None);
        let p = match_path("/files/{proxy+}", "/files/a/b/c").unwrap();
        assert_eq!(p["proxy"], "a/b/c");
    }

    #[test]
    fn method_must_match_unless_any() {
        let r = RouteInfo {
            method: "POST".into(),
            path: "/x".into(),
            function: "F".into(),
            binary: "f".into(),
            stage: "v1".into(),
            api: None,
            auth: RouteAuth::default(),
        };
        assert!(r.matches("post", "/x").is_some());
        assert!(r.matches("GET", "/x").is_none());
        let any = RouteInfo {
            method: "ANY".into(),
            ..r
        };
        assert!(any.matches("DELETE", "/x").is_some());
    }

    #[test]
    fn shared_prefixes_count_matching_leading_segments() {
        let approve = "/vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/approveProvisioning";
        assert_eq!(shared_prefix(approve, "/vts/v1/nope"), 2);
        assert_eq!(
            shared_prefix(approve, "/vts/v1/tokenRequestors/1/tokens/t/nope"),
            6
        );
        assert_eq!(shared_prefix(approve, approve), 7);
        assert_eq!(shared_prefix("/mdes/authorizeService", "/vts/v1/nope"), 0);
        assert_eq!(shared_prefix("/mdes/authorizeService", "/mdes/nope"), 1);
        assert_eq!(shared_prefix("/mdes/authorizeService", "/"), 0);
        assert_eq!(shared_prefix("/files/{proxy+}", "/files/a/b/c"), 4);
    }
}
