//! What was provisioned: logical id → physical names, ARNs and attributes,
//! plus the parameter values. Function environments are built from it exactly
//! as CloudFormation would hand them to Lambda.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_norway::Mapping;
use tmp_runtime::config::FunctionEnv;

use crate::intrinsics::Expr;
use crate::resolve::{ResolveError, json_text, resolve_json, resolve_string};
use crate::template::{FunctionSpec, Template};

/// moto's fixed account; the region every local client uses.
pub const LOCAL_ACCOUNT_ID: &str = "123456789012";
pub const LOCAL_REGION: &str = tmp_testkit::moto::REGION;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeployedResource {
    /// The CloudFormation type, e.g. `AWS::SQS::Queue`.
    pub kind: String,
    /// What `!Ref` returns: table name, queue URL, topic ARN, key id...
    pub reference: String,
    /// `!GetAtt Id.Attr` values (`Arn`, `QueueName`, `KeyId`...).
    pub attributes: BTreeMap<String, String>,
}

impl DeployedResource {
    pub fn new(kind: &str, reference: impl Into<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            reference: reference.into(),
            attributes: BTreeMap::new(),
        }
    }

    pub fn with(mut self, attribute: &str, value: impl Into<String>) -> Self {
        self.attributes.insert(attribute.to_owned(), value.into());
        self
    }

    pub fn arn(&self) -> Option<&str> {
        self.attributes.get("Arn").map(String::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct Deployment {
    pub prefix: String,
    pub region: String,
    pub account_id: String,
    pub(crate) parameters: BTreeMap<String, Option<String>>,
    pub(crate) conditions: Mapping,
    pub(crate) resources: BTreeMap<String, DeployedResource>,
    functions: BTreeMap<String, FunctionSpec>,
}

impl Deployment {
    /// An empty deployment: parameter values are the template defaults unless
    /// `overrides` names them. Parameters with neither stay unset and fail
    /// only when referenced.
    /// Sets a parameter's value (seed steps: values known only after provisioning).
    pub fn set_parameter(&mut self, name: &str, value: impl Into<String>) {
        self.parameters.insert(name.to_owned(), Some(value.into()));
    }

    pub fn new(template: &Template, prefix: &str, overrides: &HashMap<String, String>) -> Self {
        let mut parameters: BTreeMap<String, Option<String>> = template
            .parameters
            .iter()
            .map(|(k, p)| (k.clone(), p.default.clone()))
            .collect();
        parameters.extend(overrides.iter().map(|(k, v)| (k.clone(), Some(v.clone()))));
        Self {
            prefix: prefix.to_owned(),
            region: LOCAL_REGION.to_owned(),
            account_id: LOCAL_ACCOUNT_ID.to_owned(),
            parameters,
            conditions: template.conditions.clone(),
            resources: BTreeMap::new(),
            functions: template
                .functions
                .iter()
                .map(|f| (f.logical_id.clone(), f.clone()))
                .collect(),
        }
    }

    /// The physical name given to a named resource: `{prefix}{LogicalId}`.
    pub fn physical_name(&self, logical_id: &str) -> String {
        format!("{}{logical_id}", self.prefix)
    }

    pub fn insert(&mut self, logical_id: &str, resource: DeployedResource) {
        self.resources.insert(logical_id.to_owned(), resource);
    }

    pub fn resource(&self, logical_id: &str) -> Option<&DeployedResource> {
        self.resources.get(logical_id)
    }

    pub fn resources(&self) -> &BTreeMap<String, DeployedResource> {
        &self.resources
    }

    /// Whether the template declares parameter `name` (set or not).
    pub fn declares_parameter(&self, name: &str) -> bool {
        self.parameters.contains_key(name)
    }

    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).and_then(Option::as_deref)
    }

    /// `!Ref Id` of a provisioned resource (table name, queue URL, key id...).
    pub fn reference(&self, logical_id: &str) -> Option<&str> {
        self.resources.get(logical_id).map(|r| r.reference.as_str())
    }

    /// Resolves an expression to text, as an environment variable would get it.
    pub fn resolve(&self, expr: &Expr) -> Result<String, ResolveError> {
        resolve_string(self, &expr.0)
    }

    /// The environment Lambda would give the function: `Globals` merged under
    /// the function's own variables, every expression resolved.
    pub fn function_env(&self, logical_id: &str) -> Result<FunctionEnv, ResolveError> {
        let f = self
            .functions
            .get(logical_id)
            .ok_or_else(|| ResolveError::UnknownFunction(logical_id.to_owned()))?;
        let mut vars = HashMap::new();
        for (name, expr) in &f.environment {
            let in_variable = |e| ResolveError::InVariable {
                function: logical_id.to_owned(),
                variable: name.clone(),
                source: Box::new(e),
            };
            // `AWS::NoValue` drops the variable, as CloudFormation does.
            if let Some(json) = resolve_json(self, &expr.0).map_err(in_variable)? {
                vars.insert(name.clone(), json_text(json).map_err(in_variable)?);
            }
        }
        Ok(FunctionEnv::from_map(vars))
    }
}
