//! CloudFormation intrinsic functions as they appear in a template.
//!
//! `serde_norway` hands short forms (`!Ref X`, `!GetAtt X.Arn`) over as tagged
//! values; they are rewritten once, at parse time, into the long JSON forms
//! (`{Ref: X}`, `{"Fn::GetAtt": [X, Arn]}`) so everything downstream handles a
//! single shape.

use serde_norway::{Mapping, Value};

/// A template value that may contain intrinsic functions (long form only).
#[derive(Debug, Clone, PartialEq)]
pub struct Expr(pub Value);

impl Expr {
    pub fn literal(s: &str) -> Self {
        Self(Value::String(s.to_owned()))
    }

    /// Logical ids (resources or parameters) this expression refers to, in order.
    pub fn references(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_references(&self.0, &mut out);
        out
    }
}

/// Rewrites every tagged short form below `value` into its long form.
pub fn normalize(value: Value) -> Value {
    match value {
        Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let key = match name {
                "Ref" | "Condition" => name.to_owned(),
                other => format!("Fn::{other}"),
            };
            let inner = normalize(tagged.value);
            // `!GetAtt X.Arn` is the dotted string form of `[X, Arn]`.
            let inner = match (key.as_str(), inner) {
                ("Fn::GetAtt", Value::String(s)) => split_get_att(&s),
                (_, v) => v,
            };
            single(&key, inner)
        }
        Value::Sequence(seq) => Value::Sequence(seq.into_iter().map(normalize).collect()),
        Value::Mapping(map) => {
            let mut out = Mapping::new();
            for (k, v) in map {
                let v = normalize(v);
                let v = match (k.as_str(), v) {
                    (Some("Fn::GetAtt"), Value::String(s)) => split_get_att(&s),
                    (_, v) => v,
                };
                out.insert(k, v);
            }
            Value::Mapping(out)
        }
        other => other,
    }
}

fn split_get_att(s: &str) -> Value {
    match s.split_once('.') {
        Some((id, attr)) => Value::Sequence(vec![
            Value::String(id.to_owned()),
            Value::String(attr.to_owned()),
        ]),
        None => Value::String(s.to_owned()),
    }
}

pub(crate) fn single(key: &str, value: Value) -> Value {
    let mut m = Mapping::new();
    m.insert(Value::String(key.to_owned()), value);
    Value::Mapping(m)
}

/// The intrinsic function a mapping stands for: `(name, argument)`.
pub fn as_intrinsic(value: &Value) -> Option<(&str, &Value)> {
    let map = value.as_mapping()?;
    if map.len() != 1 {
        return None;
    }
    let (k, v) = map.iter().next()?;
    let k = k.as_str()?;
    (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then_some((k, v))
}

/// The pieces of a `Fn::Sub` template string.
#[derive(Debug, PartialEq)]
pub enum SubPart<'a> {
    Text(&'a str),
    /// `${Name}` or `${Name.Attr}`.
    Var(&'a str),
}

/// Splits a `Fn::Sub` string; `${!Literal}` stays literal as `${Literal}`.
pub fn sub_parts(s: &str) -> Vec<SubPart<'_>> {
    let mut parts = Vec::new();
    let mut rest = s;
    // `find` returns char boundaries and "${" / "}" are ASCII: every split is on one.
    while let Some((before, after)) = rest.split_once("${") {
        let Some((var, next)) = after.split_once('}') else {
            break;
        };
        parts.push(Text(before));
        if let Some(literal) = var.strip_prefix('!') {
            parts.push(Text("${"));
            parts.push(Text(literal));
            parts.push(Text("}"));
        } else {
            parts.push(SubPart::Var(var.trim()));
        }
        rest = next;
    }
    parts.push(Text(rest));
    parts.retain(|p| *p != Text(""));
    parts
}

use SubPart::Text;

fn collect_references(value: &Value, out: &mut Vec<String>) {
    if let Some((name, arg)) = as_intrinsic(value) {
        match (name, arg) {
            ("Ref", Value::String(id)) => out.push(id.clone()),
            ("Fn::GetAtt", Value::Sequence(seq)) => {
                if let Some(id) = seq.first().and_then(Value::as_str) {
                    out.push(id.to_owned());
                }
            }
            ("Fn::Sub", Value::String(s)) => sub_references(s, out),
            ("Fn::Sub", Value::Sequence(seq)) => {
                if let Some(s) = seq.first().and_then(Value::as_str) {
                    let local = seq.get(1).and_then(Value::as_mapping);
                    let mut vars = Vec::new();
                    sub_references(s, &mut vars);
                    vars.retain(|v| !local.is_some_and(|m| m.contains_key(v.as_str())));
                    out.extend(vars);
                }
                for v in seq.iter().skip(1) {
                    collect_references(v, out);
                }
            }
            (_, arg) => collect_references(arg, out),
        }
        return;
    }
    match value {
        Value::Sequence(seq) => seq.iter().for_each(|v| collect_references(v, out)),
        Value::Mapping(map) => map.values().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}

fn sub_references(s: &str, out: &mut Vec<String>) {
    for part in sub_parts(s) {
        if let SubPart::Var(var) = part {
            let id = var.split_once('.').map_or(var, |(id, _)| id);
            out.push(id.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        normalize(serde_norway::from_str(s).unwrap())
    }

    #[test]
    fn short_and_long_forms_normalise_to_the_same_value() {
        // GIVEN the short and long spellings of the same expressions
        let short = yaml("[!Ref Table, !GetAtt Queue.Arn, !Sub 'x-${AWS::Region}']");
        let long =
            yaml(r#"[{Ref: Table}, {"Fn::GetAtt": "Queue.Arn"}, {"Fn::Sub": "x-${AWS::Region}"}]"#);
        // THEN they are identical once normalised
        assert_eq!(short, long);
        let first = &short.as_sequence().unwrap()[1];
        assert_eq!(as_intrinsic(first).unwrap().0, "Fn::GetAtt");
    }

    #[test]
    fn references_cover_ref_getatt_and_sub_but_not_sub_locals() {
        // GIVEN an expression nesting Join, Sub with a local variable and GetAtt
        let e = Expr(yaml(
            "!Join ['', [!Ref A, !Sub ['${B.Arn}/${Local}', {Local: !GetAtt C.Arn}]]]",
        ));
        // THEN the referenced ids are found and the Sub-local name is not
        assert_eq!(e.references(), vec!["A", "B", "C"]);
    }

    #[test]
    fn sub_parts_keep_escaped_literals() {
        let parts = sub_parts("arn:${AWS::Partition}:x/${!Literal}/${T.Arn}");
        assert_eq!(
            parts,
            vec![
                Text("arn:"),
                SubPart::Var("AWS::Partition"),
                Text(":x/"),
                Text("${"),
                Text("Literal"),
                Text("}"),
                Text("/"),
                SubPart::Var("T.Arn"),
            ]
        );
    }
}
