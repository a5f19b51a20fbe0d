//! Evaluates CloudFormation intrinsic functions against a [`Deployment`]:
//! `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`,
//! `Fn::If` with `Conditions` (`Fn::Equals`/`Not`/`And`/`Or`), pseudo parameters.

use serde_json::Value as Json;
use serde_norway::Value;

use crate::deployment::Deployment;
use crate::intrinsics::{SubPart, as_intrinsic, sub_parts};

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("unknown reference {0}")]
    UnknownReference(String),
    #[error("parameter {0} has no value (no default, no override)")]
    MissingParameter(String),
    #[error("resource {id} has no attribute {attribute}")]
    UnknownAttribute { id: String, attribute: String },
    #[error("unknown condition {0}")]
    UnknownCondition(String),
    #[error("{0} is not supported locally")]
    Unsupported(String),
    #[error("malformed {0}")]
    Malformed(&'static str),
    #[error("expected text, got a list or map")]
    NotText,
    #[error("unknown function {0}")]
    UnknownFunction(String),
    #[error("function {function}, variable {variable}")]
    InVariable {
        function: String,
        variable: String,
        #[source]
        source: Box<ResolveError>,
    },
}

/// Resolves to text (numbers and booleans as CloudFormation renders them).
pub fn resolve_string(d: &Deployment, v: &Value) -> Result<String, ResolveError> {
    match resolve_json(d, v)? {
        Some(j) => json_text(j),
        None => Err(ResolveError::Malformed("AWS::NoValue where text is needed")),
    }
}

/// Resolves any value; `None` is `AWS::NoValue` (the property is dropped).
pub fn resolve_json(d: &Deployment, v: &Value) -> Result<Option<Json>, ResolveError> {
    if let Some((name, arg)) = as_intrinsic(v) {
        return intrinsic(d, name, arg);
    }
    Ok(Some(match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => serde_json::to_value(n).unwrap_or(Json::Null),
        Value::String(s) => Json::String(s.clone()),
        Value::Sequence(seq) => {
            let mut out = Vec::new();
            for item in seq {
                out.extend(resolve_json(d, item)?);
            }
            Json::Array(out)
        }
        Value::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, item) in map {
                let key = k.as_str().ok_or(ResolveError::Malformed("non-text key"))?;
                if let Some(j) = resolve_json(d, item)? {
                    out.insert(key.to_owned(), j);
                }
            }
            Json::Object(out)
        }
        Value::Tagged(t) => return Err(ResolveError::Unsupported(t.tag.to_string())),
    }))
}

pub(crate) fn json_text(j: Json) -> Result<String, ResolveError> {
    match j {
        Json::String(s) => Ok(s),
        Json::Number(n) => Ok(n.to_string()),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Null => Ok(String::new()),
        _ => Err(ResolveError::NotText),
    }
}

fn text(d: &Deployment, v: &Value) -> Result<String, ResolveError> {
    resolve_string(d, v)
}

fn intrinsic(d: &Deployment, name: &str, arg: &Value) -> Result<Option<Json>, ResolveError> {
    let s = |x: String| Ok(Some(Json::String(x)));
    match name {
        "Ref" => {
            let id = arg.as_str().ok_or(ResolveError::Malformed("Ref"))?;
            if id == "AWS::NoValue" {
                return Ok(None);
            }
            s(reference(d, id)?)
        }
        "Fn::GetAtt" => {
            let parts = arg
                .as_sequence()
                .ok_or(ResolveError::Malformed("Fn::GetAtt"))?;
            match parts.as_slice() {
                [id, attr] => s(get_att(d, &text(d, id)?, &text(d, attr)?)?),
                _ => Err(ResolveError::Malformed("Fn::GetAtt")),
            }
        }
        "Fn::Sub" => s(sub(d, arg)?),
        "Fn::Join" => {
            let (delim, items) = pair(arg, "Fn::Join")?;
            let items = list(d, items)?;
            s(items
                .into_iter()
                .map(json_text)
                .collect::<Result<Vec<_>, _>>()?
                .join(&text(d, delim)?))
        }
        "Fn::Select" => {
            let (idx, items) = pair(arg, "Fn::Select")?;
            let idx: usize = text(d, idx)?
                .parse()
                .map_err(|_| ResolveError::Malformed("Fn::Select index"))?;
            let items = list(d, items)?;
            let item = items
                .into_iter()
                .nth(idx)
                .ok_or(ResolveError::Malformed("Fn::Select index"))?;
            Ok(Some(item))
        }
        "Fn::Split" => {
            let (delim, source) = pair(arg, "Fn::Split")?;
            let delim = text(d, delim)?;
            let source = text(d, source)?;
            Ok(Some(Json::Array(
                source
                    .split(delim.as_str())
                    .map(|p| Json::String(p.to_owned()))
                    .collect(),
            )))
        }
        "Fn::If" => {
            let parts = arg.as_sequence().ok_or(ResolveError::Malformed("Fn::If"))?;
            let [cond, yes, no] = parts.as_slice() else {
                return Err(ResolveError::Malformed("Fn::If"));
            };
            let cond = cond.as_str().ok_or(ResolveError::Malformed("Fn::If"))?;
            let chosen = if condition(d, cond)? { yes } else { no };
            resolve_json(d, chosen)
        }
        "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" | "Condition" => {
            Ok(Some(Json::Bool(boolean(d, name, arg)?)))
        }
        other => Err(ResolveError::Unsupported(other.to_owned())),
    }
}

fn pair<'a>(arg: &'a Value, what: &'static str) -> Result<(&'a Value, &'a Value), ResolveError> {
    match arg.as_sequence().map(Vec::as_slice) {
        Some([a, b]) => Ok((a, b)),
        _ => Err(ResolveError::Malformed(what)),
    }
}

fn list(d: &Deployment, v: &Value) -> Result<Vec<Json>, ResolveError> {
    match resolve_json(d, v)? {
        Some(Json::Array(items)) => Ok(items),
        _ => Err(ResolveError::Malformed("expected a list")),
    }
}

fn condition(d: &Deployment, name: &str) -> Result<bool, ResolveError> {
    let body = d
        .conditions
        .get(name)
        .ok_or_else(|| ResolveError::UnknownCondition(name.to_owned()))?;
    let (f, arg) = as_intrinsic(body).ok_or(ResolveError::Malformed("condition"))?;
    boolean(d, f, arg)
}

fn boolean(d: &Deployment, name: &str, arg: &Value) -> Result<bool, ResolveError> {
    let items = || {
        arg.as_sequence()
            .ok_or(ResolveError::Malformed("condition"))
    };
    let eval = |v: &Value| -> Result<bool, ResolveError> {
        match as_intrinsic(v) {
            Some((f, a)) => boolean(d, f, a),
            None => Err(ResolveError::Malformed("condition")),
        }
    };
    match name {
        "Condition" => condition(d, arg.as_str().ok_or(ResolveError::Malformed("Condition"))?),
        "Fn::Equals" => {
            let (a, b) = pair(arg, "Fn::Equals")?;
            Ok(text(d, a)? == text(d, b)?)
        }
        "Fn::Not" => Ok(!eval(
            items()?.first().ok_or(ResolveError::Malformed("Fn::Not"))?,
        )?),
        "Fn::And" => items()?.iter().try_fold(true, |acc, v| Ok(acc && eval(v)?)),
        "Fn::Or" => items()?
            .iter()
            .try_fold(false, |acc, v| Ok(acc || eval(v)?)),
        other => Err(ResolveError::Unsupported(other.to_owned())),
    }
}

fn pseudo(d: &Deployment, id: &str) -> Option<String> {
    Some(match id {
        "AWS::Region" => d.region.clone(),
        "AWS::AccountId" => d.account_id.clone(),
        "AWS::Partition" => "aws".to_owned(),
        "AWS::URLSuffix" => "amazonaws.com".to_owned(),
        "AWS::StackName" => d.prefix.trim_end_matches(['-', '_']).to_owned(),
        "AWS::StackId" => format!(
            "arn:aws:cloudformation:{}:{}:stack/{}/local",
            d.region,
            d.account_id,
            d.prefix.trim_end_matches(['-', '_'])
        ),
        _ => return None,
    })
}

fn reference(d: &Deployment, id: &str) -> Result<String, ResolveError> {
    if let Some(v) = pseudo(d, id) {
        return Ok(v);
    }
    if let Some(r) = d.resources.get(id) {
        return Ok(r.reference.clone());
    }
    if let Some(value) = d.parameters.get(id) {
        return value
            .clone()
            .ok_or_else(|| ResolveError::MissingParameter(id.to_owned()));
    }
    if id.starts_with("AWS::") {
        return Err(ResolveError::Unsupported(id.to_owned()));
    }
    Err(ResolveError::UnknownReference(id.to_owned()))
}

fn get_att(d: &Deployment, id: &str, attr: &str) -> Result<String, ResolveError> {
    let r = d
        .resources
        .get(id)
        .ok_or_else(|| ResolveError::UnknownReference(id.to_owned()))?;
    r.attributes
        .get(attr)
        .cloned()
        .ok_or_else(|| ResolveError::UnknownAttribute {
            id: id.to_owned(),
            attribute: attr.to_owned(),
        })
}

fn sub(d: &Deployment, arg: &Value) -> Result<String, ResolveError> {
    let (template, locals) = match arg {
        Value::String(s) => (s.as_str(), None),
        Value::Sequence(seq) => match seq.as_slice() {
            [Value::String(s), Value::Mapping(m)] => (s.as_str(), Some(m)),
            _ => return Err(ResolveError::Malformed("Fn::Sub")),
        },
        _ => return Err(ResolveError::Malformed("Fn::Sub")),
    };
    let mut out = String::new();
    for part in sub_parts(template) {
        match part {
            SubPart::Text(t) => out.push_str(t),
            SubPart::Var(var) => {
                if let Some(v) = locals.and_then(|m| m.get(var)) {
                    out.push_str(&text(d, v)?);
                } else if pseudo(d, var).is_some() || !var.contains('.') {
                    out.push_str(&reference(d, var)?);
                } else if let Some((id, attr)) = var.split_once('.') {
                    out.push_str(&get_att(d, id, attr)?);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::deployment::DeployedResource;
    use crate::intrinsics::Expr;
    use crate::template::Template;

    const SNIPPET: &str = r#"
Parameters:
  Level: { Type: String, Default: info }
  Timeout: { Type: Number, Default: 2500 }
  Env: { Type: String, Default: dev }
  NoDefault: { Type: String }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
Globals:
  Function:
    Environment:
      Variables:
        RUST_LOG: !Ref Level
        REGION: !Ref AWS::Region
Resources:
  Table: { Type: AWS::DynamoDB::Table, Properties: { AttributeDefinitions: [], KeySchema: [] } }
  Queue: { Type: AWS::SQS::Queue }
  Fn:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: f } }
    Properties:
      Environment:
        Variables:
          RUST_LOG: debug
          TABLE: !Ref Table
          TABLE_ARN: !GetAtt Table.Arn
          INDEX: !Sub "${Table.Arn}/index/*"
          QUEUE_URL: { Ref: Queue }
          QUEUE_ARN: { "Fn::GetAtt": [Queue, Arn] }
          ROOT: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root
          LOCAL: !Sub ["${Name}-${Timeout}", { Name: !Ref Env }]
          JOINED: !Join [",", [a, !Ref Timeout, !Select [1, !Split ["/", "x/y/z"]]]]
          CHOSEN: !If [IsProd, prod-value, !If [NotProd, dev-value, x]]
          HOST: !Sub "${!Literal}.${AWS::URLSuffix}"
"#;

    fn deployment(overrides: &[(&str, &str)]) -> Deployment {
        let t = Template::parse(SNIPPET).unwrap();
        let overrides: HashMap<_, _> = overrides
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut d = Deployment::new(&t, "t1-", &overrides);
        d.insert(
            "Table",
            DeployedResource::new("AWS::DynamoDB::Table", "t1-Table").with(
                "Arn",
                "arn:aws:dynamodb:us-east-1:123456789012:table/t1-Table",
            ),
        );
        d.insert(
            "Queue",
            DeployedResource::new("AWS::SQS::Queue", "http://q/123456789012/t1-Queue")
                .with("Arn", "arn:aws:sqs:us-east-1:123456789012:t1-Queue"),
        );
        d
    }

    #[test]
    fn function_env_resolves_every_form_and_function_values_win() {
        // GIVEN a deployment of the snippet with default parameters
        let env = deployment(&[]).function_env("Fn").unwrap();
        // THEN each variable has the value Lambda would see
        assert_eq!(env.get("RUST_LOG"), Some("debug"), "own beats Globals");
        assert_eq!(env.get("REGION"), Some("us-east-1"));
        assert_eq!(env.get("TABLE"), Some("t1-Table"));
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/t1-Table";
        assert_eq!(env.get("TABLE_ARN"), Some(arn));
        assert_eq!(env.get("INDEX"), Some(format!("{arn}/index/*").as_str()));
        assert_eq!(env.get("QUEUE_URL"), Some("http://q/123456789012/t1-Queue"));
        assert_eq!(
            env.get("QUEUE_ARN"),
            Some("arn:aws:sqs:us-east-1:123456789012:t1-Queue")
        );
        assert_eq!(env.get("ROOT"), Some("arn:aws:iam::123456789012:root"));
        assert_eq!(env.get("LOCAL"), Some("dev-2500"));
        assert_eq!(env.get("JOINED"), Some("a,2500,y"));
        assert_eq!(env.get("CHOSEN"), Some("dev-value"));
        assert_eq!(env.get("HOST"), Some("${Literal}.amazonaws.com"));
    }

    #[test]
    fn overrides_replace_parameter_defaults_and_drive_conditions() {
        let env = deployment(&[("Env", "prod"), ("Timeout", "900")])
            .function_env("Fn")
            .unwrap();
        assert_eq!(env.get("LOCAL"), Some("prod-900"));
        assert_eq!(env.get("CHOSEN"), Some("prod-value"));
    }

    #[test]
    fn unresolvable_references_are_errors_naming_the_reference() {
        let d = deployment(&[]);
        let e = d.resolve(&Expr::literal("x")).unwrap();
        assert_eq!(e, "x");
        let missing: Value = serde_norway::from_str("{Ref: NoDefault}").unwrap();
        let err = d.resolve(&Expr(missing)).unwrap_err();
        assert!(matches!(err, ResolveError::MissingParameter(_)));
        assert!(err.to_string().contains("NoDefault"));
        let attr: Value = serde_norway::from_str(r#"{"Fn::GetAtt": [Table, StreamArn]}"#).unwrap();
        assert!(matches!(
            d.resolve(&Expr(attr)),
            Err(ResolveError::UnknownAttribute { .. })
        ));
        assert!(matches!(
            d.function_env("Nope"),
            Err(ResolveError::UnknownFunction(_))
        ));
    }
}
