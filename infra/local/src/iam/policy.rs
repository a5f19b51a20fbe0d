//! IAM policy documents and their evaluation, as AWS does it for one
//! principal's identity-based policies: an explicit `Deny` wins, else any
//! `Allow`, else the request is implicitly denied.
//!
//! Supported: `Action`/`NotAction`, `Resource`/`NotResource` (a string or a
//! list; `*` and `?` wildcards: case-insensitive for actions, case-sensitive
//! for resources), and `Condition` with the `String*`, `Arn*`, `Bool`, `Null`,
//! `Numeric*`, `Date*`, `IpAddress`/`NotIpAddress` and `BinaryEquals`
//! operators, their `...IfExists` forms and the `ForAllValues:` /
//! `ForAnyValue:` set qualifiers. Context key names are case-insensitive.
//! A key missing from the request makes a positive operator false and a
//! negated one (`StringNotEquals`, `ArnNotLike`...) true, as AWS documents.
//! Policy variables (`${aws:username}`) are not substituted. An operator this
//! module does not know makes its statement never apply (see
//! [`PolicyDocument::unsupported_operators`]); `Principal` is read and ignored
//! (identity policies have none).

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Deserialize;
use serde_json::Value as Json;

/// One request to authorize: what a single API call needs (a transaction
/// needs one per item).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthzRequest {
    /// `service:Operation`, e.g. `dynamodb:PutItem`.
    pub action: String,
    /// The resource ARN, or `*` for actions without a resource.
    pub resource: String,
    /// Condition keys → values (most keys have one value; a few, like
    /// `kms:EncryptionContextKeys`, have several).
    pub context: BTreeMap<String, Vec<String>>,
}

impl AuthzRequest {
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            resource: resource.into(),
            context: BTreeMap::new(),
        }
    }

    /// Adds one value to a condition key.
    pub fn with_context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.context
            .entry(key.into())
            .or_default()
            .push(value.into());
        self
    }

    fn context_values(&self, key: &str) -> Option<&[String]> {
        self.context
            .get(key)
            .or_else(|| {
                self.context
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v)
            })
            .map(Vec::as_slice)
    }
}

/// The outcome of [`evaluate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// No statement allows the request.
    ImplicitDeny,
    /// A `Deny` statement applies.
    ExplicitDeny,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Self::Allow
    }
}

/// Evaluates identity-based policies: an applicable `Deny` anywhere wins,
/// else an applicable `Allow`, else [`Decision::ImplicitDeny`].
pub fn evaluate(policies: &[PolicyDocument], request: &AuthzRequest) -> Decision {
    let mut allowed = false;
    for statement in policies.iter().flat_map(|p| &p.statements) {
        if statement.applies_to(request) {
            match statement.effect {
                Effect::Deny => return Decision::ExplicitDeny,
                Effect::Allow => allowed = true,
            }
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("not a valid policy document: {0}")]
    Invalid(#[from] serde_json::Error),
}

/// An IAM policy document (`Version`, `Statement`: one or a list).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version", default)]
    pub version: Option<String>,
    #[serde(rename = "Id", default)]
    pub id: Option<String>,
    #[serde(rename = "Statement", deserialize_with = "one_or_many")]
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// Parses the JSON a template's inline policy resolves to.
    pub fn from_json(value: Json) -> Result<Self, PolicyError> {
        Ok(serde_json::from_value(value)?)
    }

    /// Condition operators this module cannot evaluate (their statements
    /// never apply): worth a warning when a template uses them.
    pub fn unsupported_operators(&self) -> Vec<String> {
        self.statements
            .iter()
            .flat_map(|s| &s.conditions)
            .filter_map(|c| match &c.operator {
                Operator::Unsupported(name) => Some(name.clone()),
                _ => None,
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` or `NotAction`; `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// Matches when any pattern matches.
    Any(Vec<String>),
    /// Matches when no pattern matches.
    NoneOf(Vec<String>),
}

impl Matcher {
    fn matches(&self, value: &str, case_insensitive: bool) -> bool {
        let hit = |patterns: &[String]| {
            patterns
                .iter()
                .any(|p| wildcard_match(p, value, case_insensitive))
        };
        match self {
            Self::Any(patterns) => hit(patterns),
            Self::NoneOf(patterns) => !hit(patterns),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub action: Matcher,
    pub resource: Matcher,
    pub conditions: Vec<Condition>,
}

impl Statement {
    fn applies_to(&self, request: &AuthzRequest) -> bool {
        self.action.matches(&request.action, true)
            && self.resource.matches(&request.resource, false)
            && self.conditions.iter().all(|c| c.holds(request))
    }
}

#[derive(Deserialize)]
struct RawStatement {
    #[serde(rename = "Sid", default)]
    sid: Option<String>,
    #[serde(rename = "Effect")]
    effect: Effect,
    #[serde(rename = "Action", default, deserialize_with = "opt_strings")]
    action: Option<Vec<String>>,
    #[serde(rename = "NotAction", default, deserialize_with = "opt_strings")]
    not_action: Option<Vec<String>>,
    #[serde(rename = "Resource", default, deserialize_with = "opt_strings")]
    resource: Option<Vec<String>>,
    #[serde(rename = "NotResource", default, deserialize_with = "opt_strings")]
    not_resource: Option<Vec<String>>,
    #[serde(rename = "Condition", default)]
    condition: BTreeMap<String, BTreeMap<String, Json>>,
    // Resource-based policies (key policies) name a principal; identity
    // policies do not. Accepted, not evaluated.
    #[serde(rename = "Principal", default)]
    _principal: Option<Json>,
    #[serde(rename = "NotPrincipal", default)]
    _not_principal: Option<Json>,
}

fn matcher(
    positive: Option<Vec<String>>,
    negative: Option<Vec<String>>,
    what: &str,
) -> Result<Matcher, String> {
    match (positive, negative) {
        (Some(p), None) => Ok(Matcher::Any(p)),
        (None, Some(n)) => Ok(Matcher::NoneOf(n)),
        (Some(_), Some(_)) => Err(format!("a statement has both {what} and Not{what}")),
        (None, None) => Err(format!("a statement has neither {what} nor Not{what}")),
    }
}

impl<'de> Deserialize<'de> for Statement {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawStatement::deserialize(d)?;
        let action =
            matcher(raw.action, raw.not_action, "Action").map_err(serde::de::Error::custom)?;
        let resource = matcher(raw.resource, raw.not_resource, "Resource")
            .map_err(serde::de::Error::custom)?;
        let mut conditions = Vec::new();
        for (operator, keys) in raw.condition {
            for (key, values) in keys {
                let values = strings(values).map_err(serde::de::Error::custom)?;
                conditions.push(Condition::new(&operator, key, values));
            }
        }
        Ok(Self {
            sid: raw.sid,
            effect: raw.effect,
            action,
            resource,
            conditions,
        })
    }
}

/// A scalar or a list of scalars, as text (YAML may turn `true` into a bool).
fn strings(value: Json) -> Result<Vec<String>, String> {
    let scalar = |v: Json| match v {
        Json::String(s) => Ok(s),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Number(n) => Ok(n.to_string()),
        other => Err(format!("expected text, got {other}")),
    };
    match value {
        Json::Array(items) => items.into_iter().map(scalar).collect(),
        other => Ok(vec![scalar(other)?]),
    }
}

fn opt_strings<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let value = Json::deserialize(d)?;
    strings(value).map(Some).map_err(serde::de::Error::custom)
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Statement>, D::Error> {
    match Json::deserialize(d)? {
        value @ Json::Array(_) => serde_json::from_value::<Vec<Statement>>(value),
        other => serde_json::from_value::<Statement>(other).map(|s| vec![s]),
    }
    .map_err(serde::de::Error::custom)
}

/// `ForAllValues:` / `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    ArnEquals,
    ArnNotEquals,
    ArnLike,
    ArnNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    Null,
    /// Never holds: its statement does not apply.
    Unsupported(String),
}

impl Operator {
    fn parse(name: &str) -> Self {
        match name {
            "StringEquals" => Self::StringEquals,
            "StringNotEquals" => Self::StringNotEquals,
            "StringEqualsIgnoreCase" => Self::StringEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase" => Self::StringNotEqualsIgnoreCase,
            "StringLike" => Self::StringLike,
            "StringNotLike" => Self::StringNotLike,
            "ArnEquals" => Self::ArnEquals,
            "ArnNotEquals" => Self::ArnNotEquals,
            "ArnLike" => Self::ArnLike,
            "ArnNotLike" => Self::ArnNotLike,
            "NumericEquals" => Self::NumericEquals,
            "NumericNotEquals" => Self::NumericNotEquals,
            "NumericLessThan" => Self::NumericLessThan,
            "NumericLessThanEquals" => Self::NumericLessThanEquals,
            "NumericGreaterThan" => Self::NumericGreaterThan,
            "NumericGreaterThanEquals" => Self::NumericGreaterThanEquals,
            "DateEquals" => Self::DateEquals,
            "DateNotEquals" => Self::DateNotEquals,
            "DateLessThan" => Self::DateLessThan,
            "DateLessThanEquals" => Self::DateLessThanEquals,
            "DateGreaterThan" => Self::DateGreaterThan,
            "DateGreaterThanEquals" => Self::DateGreaterThanEquals,
            "Bool" => Self::Bool,
            "BinaryEquals" => Self::BinaryEquals,
            "IpAddress" => Self::IpAddress,
            "NotIpAddress" => Self::NotIpAddress,
            "Null" => Self::Null,
            other => Self::Unsupported(other.to_owned()),
        }
    }

    /// Negated operators hold when the key is missing, and for a value
    /// that matches none of the policy's values.
    fn is_negated(&self) -> bool {
        matches!(
            self,
            Self::StringNotEquals
                | Self::StringNotEqualsIgnoreCase
                | Self::StringNotLike
                | Self::ArnNotEquals
                | Self::ArnNotLike
                | Self::NumericNotEquals
                | Self::DateNotEquals
                | Self::NotIpAddress
        )
    }

    /// Whether one policy value matches one request value (before negation).
    fn matches(&self, policy: &str, actual: &str) -> bool {
        match self {
            Self::StringEquals | Self::StringNotEquals | Self::BinaryEquals => policy == actual,
            Self::StringEqualsIgnoreCase | Self::StringNotEqualsIgnoreCase => {
                policy.to_lowercase() == actual.to_lowercase()
            }
            Self::StringLike | Self::StringNotLike => wildcard_match(policy, actual, false),
            Self::ArnEquals | Self::ArnNotEquals | Self::ArnLike | Self::ArnNotLike => {
                arn_match(policy, actual)
            }
            Self::NumericEquals | Self::NumericNotEquals => numeric(policy, actual, |a, p| a == p),
            Self::NumericLessThan => numeric(policy, actual, |a, p| a < p),
            Self::NumericLessThanEquals => numeric(policy, actual, |a, p| a <= p),
            Self::NumericGreaterThan => numeric(policy, actual, |a, p| a > p),
            Self::NumericGreaterThanEquals => numeric(policy, actual, |a, p| a >= p),
            Self::DateEquals | Self::DateNotEquals => date(policy, actual, |a, p| a == p),
            Self::DateLessThan => date(policy, actual, |a, p| a < p),
            Self::DateLessThanEquals => date(policy, actual, |a, p| a <= p),
            Self::DateGreaterThan => date(policy, actual, |a, p| a > p),
            Self::DateGreaterThanEquals => date(policy, actual, |a, p| a >= p),
            Self::Bool => policy.eq_ignore_ascii_case(actual),
            Self::IpAddress | Self::NotIpAddress => ip_in(policy, actual),
            Self::Null | Self::Unsupported(_) => false,
        }
    }
}

/// One `operator: { key: values }` entry of a `Condition` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub qualifier: Option<SetQualifier>,
    pub operator: Operator,
    pub if_exists: bool,
    pub key: String,
    pub values: Vec<String>,
}

impl Condition {
    /// `operator` as written, e.g. `ForAllValues:StringEqualsIfExists`.
    pub fn new(operator: &str, key: impl Into<String>, values: Vec<String>) -> Self {
        let (qualifier, rest) = if let Some(rest) = operator.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = operator.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, operator)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(base) if base != "Null" => (true, base),
            _ => (false, rest),
        };
        let mut parsed = Operator::parse(base);
        if matches!(parsed, Operator::Unsupported(_)) {
            parsed = Operator::Unsupported(operator.to_owned());
        }
        Self {
            qualifier,
            operator: parsed,
            if_exists,
            key: key.into(),
            values,
        }
    }

    fn holds(&self, request: &AuthzRequest) -> bool {
        let actual = request.context_values(&self.key).filter(|v| !v.is_empty());
        if self.operator == Operator::Null {
            // `"Null": {"key": "true"}` holds when the key is absent.
            return self
                .values
                .iter()
                .any(|v| v.eq_ignore_ascii_case("true") == actual.is_none());
        }
        if let Operator::Unsupported(_) = self.operator {
            return false;
        }
        let negated = self.operator.is_negated();
        let Some(actual) = actual else {
            if self.if_exists {
                return true;
            }
            return match self.qualifier {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => negated,
            };
        };
        let one = |value: &String| {
            let hit = self.values.iter().any(|p| self.operator.matches(p, value));
            hit != negated
        };
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => actual.iter().all(one),
            Some(SetQualifier::ForAnyValue) => actual.iter().any(one),
            None if negated => actual.iter().all(one),
            None => actual.iter().any(one),
        }
    }
}

/// IAM wildcard matching: `*` is any run of characters (none included),
/// `?` exactly one.
pub fn wildcard_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if case_insensitive {
            s.chars().flat_map(char::to_lowercase).collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, t) = (fold(pattern), fold(text));
    // Iterative matching with one backtrack point (the last `*`).
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.iter().skip(pi).all(|c| *c == '*')
}

/// `Arn*` operators: the six colon-separated parts match one by one, each
/// with wildcards (`ArnEquals` and `ArnLike` behave the same in AWS).
fn arn_match(pattern: &str, arn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == 6 && a.len() == 6 && p.iter().zip(&a).all(|(p, a)| wildcard_match(p, a, false))
}

fn numeric(policy: &str, actual: &str, op: impl Fn(f64, f64) -> bool) -> bool {
    match (actual.trim().parse::<f64>(), policy.trim().parse::<f64>()) {
        (Ok(a), Ok(p)) => op(a, p),
        _ => false,
    }
}

fn date(policy: &str, actual: &str, op: impl Fn(i128, i128) -> bool) -> bool {
    fn instant(s: &str) -> Option<i128> {
        let s = s.trim();
        if let Ok(epoch) = s.parse::<i64>() {
            return Some(i128::from(epoch) * 1_000_000_000);
        }
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(time::OffsetDateTime::unix_timestamp_nanos)
    }
    match (instant(actual), instant(policy)) {
        (Some(a), Some(p)) => op(a, p),
        _ => false,
    }
}

/// `IpAddress`: an address or a CIDR block.
fn ip_in(policy: &str, actual: &str) -> bool {
    let Ok(addr) = actual.trim().parse::<IpAddr>() else {
        return false;
    };
    let (net, bits) = match policy.trim().split_once('/') {
        Some((net, bits)) => (net, bits.parse::<u32>().ok()),
        None => (policy.trim(), None),
    };
    let Ok(net) = net.parse::<IpAddr>() else {
        return false;
    };
    let (a, n, width) = match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u128::from(u32::from(a)), u128::from(u32::from(n)), 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => return false,
    };
    let bits = bits.unwrap_or(width);
    if bits > width {
        return false;
    }
    if bits == 0 {
        return true;
    }
    let shift = width - bits;
    (a >> shift) == (n >> shift)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TABLE: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/t";

    fn doc(v: Json) -> PolicyDocument {
        PolicyDocument::from_json(v).unwrap()
    }

    fn allow(action: Json, resource: Json) -> PolicyDocument {
        doc(json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]
        }))
    }

    fn decide(policies: &[PolicyDocument], action: &str, resource: &str) -> Decision {
        evaluate(policies, &AuthzRequest::new(action, resource))
    }

    #[test]
    fn no_policy_is_an_implicit_deny() {
        assert_eq!(
            decide(&[], "dynamodb:GetItem", TABLE),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn allow_matches_action_and_resource() {
        let p = [allow(
            json!(["dynamodb:GetItem", "dynamodb:Query"]),
            json!(TABLE),
        )];
        assert_eq!(decide(&p, "dynamodb:GetItem", TABLE), Decision::Allow);
        assert_eq!(decide(&p, "dynamodb:Query", TABLE), Decision::Allow);
        assert_eq!(
            decide(&p, "dynamodb:PutItem", TABLE),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(&p, "dynamodb:GetItem", &format!("{TABLE}2")),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn a_single_statement_and_single_strings_parse() {
        let p = doc(json!({
            "Statement": {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}
        }));
        assert_eq!(p.statements.len(), 1);
        assert_eq!(
            decide(&[p], "sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q"),
            Decision::Allow
        );
    }

    #[test]
    fn explicit_deny_wins_over_any_allow() {
        let p = [
            allow(json!("dynamodb:*"), json!("*")),
            doc(json!({"Statement": [
                {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": TABLE}
            ]})),
        ];
        assert_eq!(decide(&p, "dynamodb:PutItem", TABLE), Decision::Allow);
        assert_eq!(
            decide(&p, "dynamodb:DeleteItem", TABLE),
            Decision::ExplicitDeny
        );
    }

    #[test]
    fn actions_match_wildcards_case_insensitively() {
        let p = [allow(json!(["DynamoDB:get*", "kms:?ecrypt"]), json!("*"))];
        assert_eq!(decide(&p, "dynamodb:GetItem", TABLE), Decision::Allow);
        assert_eq!(decide(&p, "dynamodb:getitem", TABLE), Decision::Allow);
        assert_eq!(decide(&p, "kms:Decrypt", "*"), Decision::Allow);
        assert_eq!(decide(&p, "kms:Encrypt", "*"), Decision::ImplicitDeny);
        assert_eq!(
            decide(&p, "dynamodb:PutItem", TABLE),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn resources_match_wildcards_case_sensitively() {
        let p = [allow(
            json!("dynamodb:Query"),
            json!(format!("{TABLE}/index/*")),
        )];
        assert_eq!(
            decide(&p, "dynamodb:Query", &format!("{TABLE}/index/by-pan")),
            Decision::Allow
        );
        assert_eq!(decide(&p, "dynamodb:Query", TABLE), Decision::ImplicitDeny);
        let upper = TABLE.replace("table/t", "table/T");
        assert_eq!(
            decide(&p, "dynamodb:Query", &format!("{upper}/index/x")),
            Decision::ImplicitDeny
        );
        let q = [allow(
            json!("sqs:*"),
            json!("arn:aws:sqs:*:123456789012:jobs-?"),
        )];
        assert_eq!(
            decide(
                &q,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:123456789012:jobs-1"
            ),
            Decision::Allow
        );
        assert_eq!(
            decide(
                &q,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:123456789012:jobs-10"
            ),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn not_action_and_not_resource_invert_the_match() {
        let p = [doc(json!({"Statement": [
            {"Effect": "Allow", "NotAction": "dynamodb:Delete*", "NotResource": "arn:aws:dynamodb:*:*:table/secret"}
        ]}))];
        assert_eq!(decide(&p, "dynamodb:PutItem", TABLE), Decision::Allow);
        assert_eq!(
            decide(&p, "dynamodb:DeleteItem", TABLE),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(
                &p,
                "dynamodb:PutItem",
                "arn:aws:dynamodb:us-east-1:123456789012:table/secret"
            ),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn a_statement_needs_exactly_one_of_action_and_not_action() {
        let both = json!({"Statement": [
            {"Effect": "Allow", "Action": "a:b", "NotAction": "a:c", "Resource": "*"}
        ]});
        assert!(PolicyDocument::from_json(both).is_err());
        let neither = json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]});
        assert!(PolicyDocument::from_json(neither).is_err());
        let no_resource = json!({"Statement": [{"Effect": "Allow", "Action": "a:b"}]});
        assert!(PolicyDocument::from_json(no_resource).is_err());
        let bad_effect =
            json!({"Statement": [{"Effect": "Maybe", "Action": "a:b", "Resource": "*"}]});
        assert!(PolicyDocument::from_json(bad_effect).is_err());
    }

    fn conditional(operator: &str, key: &str, values: Json) -> [PolicyDocument; 1] {
        [doc(json!({"Statement": [{
            "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {operator: {key: values}}
        }]}))]
    }

    fn decrypt(context: &[(&str, &str)]) -> AuthzRequest {
        context.iter().fold(
            AuthzRequest::new("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/k"),
            |r, (k, v)| r.with_context(*k, *v),
        )
    }

    #[test]
    fn string_equals_needs_the_key_and_one_of_the_values() {
        let p = conditional(
            "StringEquals",
            "kms:EncryptionContext:purpose",
            json!(["a", "c"]),
        );
        let key = "kms:EncryptionContext:purpose";
        assert_eq!(evaluate(&p, &decrypt(&[(key, "a")])), Decision::Allow);
        assert_eq!(evaluate(&p, &decrypt(&[(key, "c")])), Decision::Allow);
        assert_eq!(
            evaluate(&p, &decrypt(&[(key, "b")])),
            Decision::ImplicitDeny
        );
        assert_eq!(
            evaluate(&p, &decrypt(&[(key, "A")])),
            Decision::ImplicitDeny
        );
        // A missing key makes the condition false.
        assert_eq!(evaluate(&p, &decrypt(&[])), Decision::ImplicitDeny);
        // Context key names are case-insensitive.
        assert_eq!(
            evaluate(&p, &decrypt(&[("KMS:encryptioncontext:PURPOSE", "a")])),
            Decision::Allow
        );
    }

    #[test]
    fn string_like_uses_wildcards() {
        let p = conditional(
            "StringLike",
            "aws:SourceArn",
            json!("arn:aws:sns:*:topic-?"),
        );
        assert_eq!(
            evaluate(
                &p,
                &decrypt(&[("aws:SourceArn", "arn:aws:sns:us-east-1:topic-1")])
            ),
            Decision::Allow
        );
        assert_eq!(
            evaluate(
                &p,
                &decrypt(&[("aws:SourceArn", "arn:aws:sqs:us-east-1:topic-1")])
            ),
            Decision::ImplicitDeny
        );
        assert_eq!(evaluate(&p, &decrypt(&[])), Decision::ImplicitDeny);
    }

    #[test]
    fn negated_operators_hold_for_a_missing_key() {
        let p = conditional(
            "StringNotEquals",
            "kms:EncryptionContext:purpose",
            json!(["x", "y"]),
        );
        let key = "kms:EncryptionContext:purpose";
        assert_eq!(evaluate(&p, &decrypt(&[(key, "a")])), Decision::Allow);
        assert_eq!(
            evaluate(&p, &decrypt(&[(key, "y")])),
            Decision::ImplicitDeny
        );
        assert_eq!(evaluate(&p, &decrypt(&[])), Decision::Allow);
        let like = conditional("StringNotLike", "aws:SourceArn", json!("arn:*"));
        assert_eq!(evaluate(&like, &decrypt(&[])), Decision::Allow);
    }

    #[test]
    fn if_exists_holds_when_the_key_is_missing() {
        let p = conditional(
            "StringEqualsIfExists",
            "kms:EncryptionContext:purpose",
            json!("a"),
        );
        let key = "kms:EncryptionContext:purpose";
        assert_eq!(evaluate(&p, &decrypt(&[])), Decision::Allow);
        assert_eq!(evaluate(&p, &decrypt(&[(key, "a")])), Decision::Allow);
        assert_eq!(
            evaluate(&p, &decrypt(&[(key, "b")])),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn set_qualifiers_over_multivalued_keys() {
        let all = conditional(
            "ForAllValues:StringEquals",
            "kms:EncryptionContextKeys",
            json!(["purpose", "tenant"]),
        );
        let key = "kms:EncryptionContextKeys";
        let both = decrypt(&[(key, "purpose"), (key, "tenant")]);
        let extra = decrypt(&[(key, "purpose"), (key, "other")]);
        assert_eq!(evaluate(&all, &both), Decision::Allow);
        assert_eq!(evaluate(&all, &extra), Decision::ImplicitDeny);
        // ForAllValues holds vacuously for a missing key.
        assert_eq!(evaluate(&all, &decrypt(&[])), Decision::Allow);
        let any = conditional("ForAnyValue:StringEquals", key, json!("purpose"));
        assert_eq!(evaluate(&any, &extra), Decision::Allow);
        assert_eq!(
            evaluate(&any, &decrypt(&[(key, "other")])),
            Decision::ImplicitDeny
        );
        assert_eq!(evaluate(&any, &decrypt(&[])), Decision::ImplicitDeny);
    }

    #[test]
    fn all_conditions_of_a_statement_must_hold() {
        let p = [doc(json!({"Statement": [{
            "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:EncryptionContext:purpose": "a"},
                "StringLike": {"kms:EncryptionContext:tenant": "t-*"}
            }
        }]}))];
        let ok = decrypt(&[
            ("kms:EncryptionContext:purpose", "a"),
            ("kms:EncryptionContext:tenant", "t-1"),
        ]);
        let half = decrypt(&[("kms:EncryptionContext:purpose", "a")]);
        assert_eq!(evaluate(&p, &ok), Decision::Allow);
        assert_eq!(evaluate(&p, &half), Decision::ImplicitDeny);
    }

    #[test]
    fn a_conditional_deny_applies_only_when_its_condition_holds() {
        let p = [
            allow(json!("kms:Decrypt"), json!("*")),
            doc(json!({"Statement": [{
                "Effect": "Deny", "Action": "kms:*", "Resource": "*",
                "Condition": {"StringEquals": {"kms:EncryptionContext:purpose": "forbidden"}}
            }]})),
        ];
        let key = "kms:EncryptionContext:purpose";
        assert_eq!(evaluate(&p, &decrypt(&[(key, "a")])), Decision::Allow);
        assert_eq!(evaluate(&p, &decrypt(&[])), Decision::Allow);
        assert_eq!(
            evaluate(&p, &decrypt(&[(key, "forbidden")])),
            Decision::ExplicitDeny
        );
    }

    #[test]
    fn arn_bool_null_numeric_date_and_ip_operators() {
        let key = "k";
        let case = |op: &str, policy: Json, value: Option<&str>| {
            let p = conditional(op, key, policy);
            let r = match value {
                Some(v) => decrypt(&[(key, v)]),
                None => decrypt(&[]),
            };
            evaluate(&p, &r).is_allowed()
        };
        let topic = "arn:aws:sns:us-east-1:123456789012:events";
        assert!(case("ArnEquals", json!(topic), Some(topic)));
        assert!(case("ArnLike", json!("arn:aws:sns:*:*:ev*"), Some(topic)));
        assert!(!case("ArnLike", json!("arn:aws:sqs:*:*:*"), Some(topic)));
        assert!(!case("ArnEquals", json!(topic), Some("not-an-arn")));
        assert!(case("ArnNotEquals", json!(topic), None));
        assert!(case("Bool", json!(true), Some("true")));
        assert!(!case("Bool", json!("true"), Some("false")));
        assert!(case("Null", json!("true"), None));
        assert!(!case("Null", json!("true"), Some("x")));
        assert!(case("Null", json!("false"), Some("x")));
        assert!(case("NumericLessThan", json!(10), Some("9.5")));
        assert!(!case("NumericLessThan", json!("10"), Some("10")));
        assert!(case("NumericGreaterThanEquals", json!("10"), Some("10")));
        assert!(!case("NumericEquals", json!("10"), Some("ten")));
        assert!(case(
            "DateLessThan",
            json!("2030-01-01T00:00:00Z"),
            Some("2026-05-01T12:00:00Z")
        ));
        assert!(!case(
            "DateGreaterThan",
            json!("2030-01-01T00:00:00Z"),
            Some("1700000000")
        ));
        assert!(case(
            "IpAddress",
            json!(["10.0.0.0/8", "192.0.2.1"]),
            Some("10.1.2.3")
        ));
        assert!(case("IpAddress", json!("192.0.2.1"), Some("192.0.2.1")));
        assert!(!case("IpAddress", json!("10.0.0.0/8"), Some("11.0.0.1")));
        assert!(case("NotIpAddress", json!("10.0.0.0/8"), Some("11.0.0.1")));
        assert!(case("NotIpAddress", json!("10.0.0.0/8"), None));
        assert!(case(
            "IpAddress",
            json!("2001:db8::/32"),
            Some("2001:db8::1")
        ));
    }

    #[test]
    fn unknown_operators_never_hold_and_are_reported() {
        let p = conditional("StringSortOf", "k", json!("v"));
        assert_eq!(
            evaluate(&p, &decrypt(&[("k", "v")])),
            Decision::ImplicitDeny
        );
        assert_eq!(
            p[0].unsupported_operators(),
            vec!["StringSortOf".to_owned()]
        );
    }

    #[test]
    fn key_policy_statements_with_principal_and_sid_parse() {
        let p = doc(json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "CloudWatchLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
                "Action": ["kms:Encrypt*", "kms:Decrypt*"],
                "Resource": "*",
                "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:/x"}}
            }]
        }));
        assert_eq!(p.statements[0].sid.as_deref(), Some("CloudWatchLogs"));
        assert!(p.unsupported_operators().is_empty());
    }

    #[test]
    fn wildcard_matching() {
        assert!(wildcard_match("*", "", false));
        assert!(wildcard_match("a*b*c", "aXXbYYc", false));
        assert!(!wildcard_match("a*b*c", "aXXbYY", false));
        assert!(wildcard_match("a?c", "abc", false));
        assert!(!wildcard_match("a?c", "ac", false));
        assert!(wildcard_match("*table/*", "arn:table/x", false));
        assert!(!wildcard_match("ABC", "abc", false));
        assert!(wildcard_match("ABC", "abc", true));
        assert!(wildcard_match("a**", "a", false));
    }
}
