//! Lambda event filtering (`FilterCriteria`) over a record as Lambda builds
//! it. A pattern is a JSON object: every key it names must match (AND); a
//! nested object matches the nested value; a list holds alternatives (OR):
//! exact values (strings, numbers, `null`), `{"prefix"}`, `{"suffix"}`,
//! `{"equals-ignore-case"}`, `{"exists": bool}`, `{"anything-but": ...}`
//! and `{"numeric": [op, n, ...]}`. Where the record holds a list, a
//! condition matches if any element does. Operators Lambda has beyond these
//! (`wildcard`, `cidr`, `$or`) are refused when the pattern is compiled, not
//! silently mismatched.

use serde_json::{Map, Value as Json};

#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("the pattern is not JSON")]
    Json(#[source] serde_json::Error),
    #[error("the pattern must be a JSON object")]
    NotAnObject,
    #[error("pattern key {0}: expected a list of conditions or a nested object")]
    NotAList(String),
    #[error("pattern key {0}: an empty list matches nothing")]
    Empty(String),
    #[error("pattern key {key}: {reason}")]
    Invalid { key: String, reason: &'static str },
    #[error("pattern key {key}: operator {operator} is not supported locally")]
    Unsupported { key: String, operator: String },
}

/// One compiled filter of `FilterCriteria.Filters`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter(Vec<(String, Node)>);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Object(Vec<(String, Node)>),
    AnyOf(Vec<Condition>),
}

#[derive(Debug, Clone, PartialEq)]
enum Condition {
    /// A string, number, boolean or `null`.
    Equals(Json),
    Prefix(String),
    Suffix(String),
    EqualsIgnoreCase(String),
    Exists(bool),
    AnythingBut(Vec<Condition>),
    /// `(operator, bound)` pairs, all of which must hold.
    Numeric(Vec<(Comparison, f64)>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Comparison {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Filter {
    pub fn parse(pattern: &str) -> Result<Self, FilterError> {
        let json: Json = serde_json::from_str(pattern).map_err(FilterError::Json)?;
        match json {
            Json::Object(map) => Ok(Self(object(&map)?)),
            _ => Err(FilterError::NotAnObject),
        }
    }

    /// Whether the record (Lambda's JSON of it) satisfies this filter.
    pub fn matches(&self, record: &Json) -> bool {
        fields_match(&self.0, Some(record))
    }
}

/// Lambda's rule for a mapping's filters: any of them (none: everything).
pub fn passes(filters: &[Filter], record: &Json) -> bool {
    filters.is_empty() || filters.iter().any(|f| f.matches(record))
}

fn object(map: &Map<String, Json>) -> Result<Vec<(String, Node)>, FilterError> {
    map.iter()
        .map(|(key, v)| Ok((key.clone(), node(key, v)?)))
        .collect()
}

fn node(key: &str, v: &Json) -> Result<Node, FilterError> {
    match v {
        Json::Object(map) => Ok(Node::Object(object(map)?)),
        Json::Array(items) if items.is_empty() => Err(FilterError::Empty(key.to_owned())),
        Json::Array(items) => Ok(Node::AnyOf(
            items
                .iter()
                .map(|c| condition(key, c))
                .collect::<Result<_, _>>()?,
        )),
        _ => Err(FilterError::NotAList(key.to_owned())),
    }
}

fn invalid(key: &str, reason: &'static str) -> FilterError {
    FilterError::Invalid {
        key: key.to_owned(),
        reason,
    }
}

fn text(key: &str, v: &Json) -> Result<String, FilterError> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| invalid(key, "expected text"))
}

fn condition(key: &str, c: &Json) -> Result<Condition, FilterError> {
    let Json::Object(op) = c else {
        return match c {
            Json::Array(_) => Err(invalid(key, "a condition cannot be a list")),
            value => Ok(Condition::Equals(value.clone())),
        };
    };
    let mut entries = op.iter();
    let (Some((name, arg)), None) = (entries.next(), entries.next()) else {
        return Err(invalid(key, "a condition object has exactly one operator"));
    };
    Ok(match name.as_str() {
        "prefix" => Condition::Prefix(text(key, arg)?),
        "suffix" => Condition::Suffix(text(key, arg)?),
        "equals-ignore-case" => Condition::EqualsIgnoreCase(text(key, arg)?),
        "exists" => Condition::Exists(
            arg.as_bool()
                .ok_or_else(|| invalid(key, "exists takes true or false"))?,
        ),
        "anything-but" => Condition::AnythingBut(match arg {
            Json::Array(values) => values
                .iter()
                .map(|v| match v {
                    Json::String(_) | Json::Number(_) => Ok(Condition::Equals(v.clone())),
                    _ => Err(invalid(key, "anything-but lists strings or numbers")),
                })
                .collect::<Result<_, _>>()?,
            Json::Object(_) => match condition(key, arg)? {
                inner @ (Condition::Prefix(_) | Condition::Suffix(_)) => vec![inner],
                _ => return Err(invalid(key, "anything-but takes a prefix or a suffix")),
            },
            Json::String(_) | Json::Number(_) => vec![Condition::Equals(arg.clone())],
            _ => return Err(invalid(key, "anything-but takes values or a prefix")),
        }),
        "numeric" => Condition::Numeric(numeric(key, arg)?),
        other => {
            return Err(FilterError::Unsupported {
                key: key.to_owned(),
                operator: other.to_owned(),
            });
        }
    })
}

fn numeric(key: &str, arg: &Json) -> Result<Vec<(Comparison, f64)>, FilterError> {
    let items = arg
        .as_array()
        .filter(|a| !a.is_empty() && a.len() % 2 == 0)
        .ok_or_else(|| invalid(key, "numeric takes [operator, number, ...]"))?;
    items
        .chunks(2)
        .map(|pair| {
            let (Some(op), Some(bound)) = (pair.first(), pair.get(1)) else {
                return Err(invalid(key, "numeric takes [operator, number, ...]"));
            };
            let op = match op.as_str() {
                Some("=") => Comparison::Eq,
                Some("<") => Comparison::Lt,
                Some("<=") => Comparison::Le,
                Some(">") => Comparison::Gt,
                Some(">=") => Comparison::Ge,
                _ => return Err(invalid(key, "numeric operators are = < <= > >=")),
            };
            let bound = bound
                .as_f64()
                .ok_or_else(|| invalid(key, "numeric bounds are numbers"))?;
            Ok((op, bound))
        })
        .collect()
}

fn fields_match(fields: &[(String, Node)], value: Option<&Json>) -> bool {
    fields.iter().all(|(key, node)| {
        let field = match value {
            Some(Json::Object(map)) => map.get(key),
            _ => None,
        };
        node_matches(node, field)
    })
}

fn node_matches(node: &Node, value: Option<&Json>) -> bool {
    match (node, value) {
        // A list of objects matches if one of them does.
        (Node::Object(fields), Some(Json::Array(items))) => {
            items.iter().any(|i| fields_match(fields, Some(i)))
        }
        (Node::Object(fields), value) => fields_match(fields, value),
        (Node::AnyOf(conditions), value) => conditions.iter().any(|c| holds(c, value)),
    }
}

fn holds(c: &Condition, value: Option<&Json>) -> bool {
    match (c, value) {
        (Condition::Exists(wanted), value) => *wanted == value.is_some_and(is_leaf),
        (_, None) => false,
        (c, Some(Json::Array(items))) => items.iter().any(|i| holds_on_leaf(c, i)),
        (c, Some(v)) => holds_on_leaf(c, v),
    }
}

/// Exists matches leaf values only, as in Lambda (an object is not a leaf).
fn is_leaf(v: &Json) -> bool {
    !v.is_object()
}

fn holds_on_leaf(c: &Condition, v: &Json) -> bool {
    match c {
        Condition::Equals(expected) => equals(expected, v),
        Condition::Prefix(p) => v.as_str().is_some_and(|s| s.starts_with(p.as_str())),
        Condition::Suffix(p) => v.as_str().is_some_and(|s| s.ends_with(p.as_str())),
        Condition::EqualsIgnoreCase(p) => v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(p)),
        Condition::Exists(wanted) => *wanted == is_leaf(v),
        Condition::AnythingBut(excluded) => {
            !v.is_object() && !excluded.iter().any(|e| holds_on_leaf(e, v))
        }
        Condition::Numeric(bounds) => v.as_f64().is_some_and(|n| {
            bounds.iter().all(|(op, b)| match op {
                Comparison::Eq => n == *b,
                Comparison::Lt => n < *b,
                Comparison::Le => n <= *b,
                Comparison::Gt => n > *b,
                Comparison::Ge => n >= *b,
            })
        }),
    }
}

/// Numbers compare by value (`300` is `300.0`); everything else exactly.
fn equals(expected: &Json, v: &Json) -> bool {
    match (expected, v) {
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The workspace template's filter: new outbox items only.
    const OUTBOX: &str =
        r#"{"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "EVENT#"}]}}}}"#;

    fn record(event_name: &str, sk: &str) -> Json {
        json!({
            "eventName": event_name,
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "Keys": {"pk": {"S": "TOKEN#1"}, "sk": {"S": sk}},
                "NewImage": {"pk": {"S": "TOKEN#1"}, "sk": {"S": sk}, "tries": {"N": "3"}},
            },
        })
    }

    fn matches(pattern: &str, record: &Json) -> bool {
        Filter::parse(pattern).unwrap().matches(record)
    }

    #[test]
    fn the_outbox_filter_passes_new_events_only() {
        // GIVEN the template's pattern
        // THEN a new outbox item passes
        assert!(matches(OUTBOX, &record("INSERT", "EVENT#0001")));
        // AND a changed or removed one, and any other item, do not
        assert!(!matches(OUTBOX, &record("MODIFY", "EVENT#0001")));
        assert!(!matches(OUTBOX, &record("REMOVE", "EVENT#0001")));
        assert!(!matches(OUTBOX, &record("INSERT", "STATE")));
        assert!(!matches(OUTBOX, &record("INSERT", "HISTORY#EVENT#1")));
    }

    #[test]
    fn exact_values_are_alternatives_and_numbers_compare_by_value() {
        let r = record("MODIFY", "STATE");
        assert!(matches(r#"{"eventName": ["INSERT", "MODIFY"]}"#, &r));
        assert!(!matches(r#"{"eventName": ["insert"]}"#, &r));
        assert!(matches(
            r#"{"eventName": [{"equals-ignore-case": "modify"}]}"#,
            &r
        ));
        assert!(matches(r#"{"n": [300]}"#, &json!({"n": 300.0})));
        assert!(matches(r#"{"n": [null]}"#, &json!({"n": null})));
        assert!(!matches(r#"{"n": [null]}"#, &json!({})));
        // AND a list in the record matches if any element does
        assert!(matches(r#"{"tags": ["b"]}"#, &json!({"tags": ["a", "b"]})));
    }

    #[test]
    fn every_key_of_the_pattern_must_match_and_nesting_follows_the_record() {
        let r = record("INSERT", "EVENT#1");
        assert!(!matches(
            r#"{"eventName": ["INSERT"], "eventSource": ["aws:sqs"]}"#,
            &r
        ));
        assert!(matches(
            r#"{"dynamodb": {"NewImage": {"tries": {"N": ["3"]}}}}"#,
            &r
        ));
        // A nested pattern over a value that is not an object does not match
        assert!(!matches(r#"{"eventName": {"S": ["INSERT"]}}"#, &r));
        // A list of objects matches if one of them does
        assert!(matches(
            r#"{"items": {"kind": ["b"]}}"#,
            &json!({"items": [{"kind": "a"}, {"kind": "b"}]})
        ));
    }

    #[test]
    fn exists_prefix_suffix_anything_but_and_numeric() {
        let r = record("INSERT", "EVENT#0001");
        let image = |f: &str| format!(r#"{{"dynamodb": {{"NewImage": {f}}}}}"#);
        // exists: leaves only; false matches a missing field
        assert!(matches(
            &image(r#"{"tries": {"N": [{"exists": true}]}}"#),
            &r
        ));
        assert!(!matches(&image(r#"{"tries": [{"exists": true}]}"#), &r));
        assert!(matches(&image(r#"{"gone": [{"exists": false}]}"#), &r));
        assert!(!matches(
            &image(r#"{"sk": {"S": [{"exists": false}]}}"#),
            &r
        ));
        // prefix and suffix on text only
        assert!(matches(
            &image(r#"{"sk": {"S": [{"suffix": "0001"}]}}"#),
            &r
        ));
        assert!(matches(
            &image(r#"{"tries": {"N": [{"prefix": "3"}]}}"#),
            &r
        ));
        assert!(!matches(r#"{"n": [{"prefix": "5"}]}"#, &json!({"n": 5})));
        // anything-but: present and none of the values (or not the prefix)
        assert!(matches(
            r#"{"eventName": [{"anything-but": ["MODIFY", "REMOVE"]}]}"#,
            &r
        ));
        assert!(!matches(
            r#"{"eventName": [{"anything-but": "INSERT"}]}"#,
            &r
        ));
        assert!(!matches(
            r#"{"eventName": [{"anything-but": {"prefix": "INS"}}]}"#,
            &r
        ));
        assert!(!matches(r#"{"missing": [{"anything-but": ["x"]}]}"#, &r));
        // numeric ranges
        assert!(matches(
            r#"{"n": [{"numeric": [">", 0, "<=", 5]}]}"#,
            &json!({"n": 5})
        ));
        assert!(!matches(
            r#"{"n": [{"numeric": [">", 5]}]}"#,
            &json!({"n": 5})
        ));
        assert!(!matches(
            r#"{"n": [{"numeric": ["=", 5]}]}"#,
            &json!({"n": "5"})
        ));
    }

    #[test]
    fn a_record_passes_if_any_filter_matches_and_no_filters_pass_everything() {
        let filters = vec![
            Filter::parse(r#"{"eventName": ["REMOVE"]}"#).unwrap(),
            Filter::parse(OUTBOX).unwrap(),
        ];
        assert!(passes(&filters, &record("INSERT", "EVENT#1")));
        assert!(passes(&filters, &record("REMOVE", "STATE")));
        assert!(!passes(&filters, &record("MODIFY", "STATE")));
        assert!(passes(&[], &record("MODIFY", "STATE")));
    }

    #[test]
    fn patterns_lambda_would_refuse_or_tmp_local_cannot_evaluate_are_errors() {
        for (pattern, expected) in [
            ("not json", "not JSON"),
            (r#"["INSERT"]"#, "JSON object"),
            (r#"{"eventName": "INSERT"}"#, "eventName"),
            (r#"{"eventName": []}"#, "empty list"),
            (r#"{"eventName": [{"wildcard": "IN*"}]}"#, "wildcard"),
            (
                r#"{"eventName": [{"prefix": "a", "suffix": "b"}]}"#,
                "one operator",
            ),
            (r#"{"n": [{"numeric": [">"]}]}"#, "numeric"),
            (r#"{"n": [{"exists": "yes"}]}"#, "exists"),
        ] {
            let err = Filter::parse(pattern).unwrap_err();
            assert!(err.to_string().contains(expected), "{pattern}: {err}");
        }
    }
}
