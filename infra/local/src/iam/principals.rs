//! One principal per function of the template: a deterministic access key
//! id, and the inline policy documents of its `Policies:` property resolved
//! against the deployment (ARNs of what was provisioned).

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::policy::{PolicyDocument, PolicyError};
use super::proxy::Principal;
use crate::deployment::Deployment;
use crate::resolve::{ResolveError, resolve_json};
use crate::template::Template;

#[derive(Debug, thiserror::Error)]
pub enum PrincipalsError {
    #[error("no function {0} in the template")]
    UnknownFunction(String),
    #[error("function {function}: cannot resolve Policies")]
    Resolve {
        function: String,
        #[source]
        source: ResolveError,
    },
    #[error("function {function}: policy {index} is not a valid policy document")]
    Invalid {
        function: String,
        index: usize,
        #[source]
        source: PolicyError,
    },
}

/// The access key id tmp-local gives a function's SDK: `ASIA` and 16
/// characters derived from the logical id (stable across runs; never a
/// 12-digit number, which moto would read as an account id).
pub fn access_key_id(logical_id: &str) -> String {
    let digest = hex::encode_upper(Sha256::digest(logical_id.as_bytes()));
    format!("ASIA{}", digest.chars().take(16).collect::<String>())
}

/// The SDK configuration a function gets when IAM is checked: `base`
/// (region, retries, timeouts...) with the proxy as endpoint and the
/// function's own [`access_key_id`] as credentials.
pub fn function_sdk_config(
    base: &SdkConfig,
    proxy_endpoint_url: &str,
    logical_id: &str,
) -> SdkConfig {
    let credentials = Credentials::new(
        access_key_id(logical_id),
        "tmp-local",
        None,
        None,
        "tmp-local-iam",
    );
    base.to_builder()
        .endpoint_url(proxy_endpoint_url)
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

/// A function's `Policies:` as evaluated locally.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunctionPolicies {
    /// The inline policy documents.
    pub documents: Vec<PolicyDocument>,
    /// Entries not evaluated locally (managed policy names or ARNs, SAM
    /// policy templates such as `DynamoDBCrudPolicy`): what they grant is
    /// denied locally. Also condition operators that are not understood.
    pub unsupported: Vec<String>,
}

/// Resolves a function's `Policies:` (a document, a name, or a list of them).
pub fn function_policies(
    template: &Template,
    deployment: &Deployment,
    logical_id: &str,
) -> Result<FunctionPolicies, PrincipalsError> {
    let resource = template
        .resources
        .get(logical_id)
        .ok_or_else(|| PrincipalsError::UnknownFunction(logical_id.to_owned()))?;
    let mut out = FunctionPolicies::default();
    let Some(raw) = resource.properties.get("Policies") else {
        return Ok(out);
    };
    let resolved = resolve_json(deployment, raw).map_err(|source| PrincipalsError::Resolve {
        function: logical_id.to_owned(),
        source,
    })?;
    let entries = match resolved {
        None => Vec::new(),
        Some(Json::Array(items)) => items,
        Some(one) => vec![one],
    };
    for (index, entry) in entries.into_iter().enumerate() {
        match entry {
            Json::Object(ref map) if map.contains_key("Statement") => {
                let doc = PolicyDocument::from_json(entry).map_err(|source| {
                    PrincipalsError::Invalid {
                        function: logical_id.to_owned(),
                        index,
                        source,
                    }
                })?;
                out.unsupported.extend(doc.unsupported_operators());
                out.documents.push(doc);
            }
            Json::Object(map) => out.unsupported.extend(map.keys().cloned()),
            Json::String(name) => out.unsupported.push(name),
            other => out.unsupported.push(other.to_string()),
        }
    }
    Ok(out)
}

/// Every `AWS::Serverless::Function` of the template, keyed by its
/// [`access_key_id`].
pub fn principals(
    template: &Template,
    deployment: &Deployment,
) -> Result<HashMap<String, Principal>, PrincipalsError> {
    let mut out = HashMap::new();
    for function in &template.functions {
        let policies = function_policies(template, deployment, &function.logical_id)?;
        for entry in &policies.unsupported {
            tracing::warn!(
                function = function.logical_id,
                entry,
                "IAM: policy entry not evaluated locally; what it grants is denied"
            );
        }
        out.insert(
            access_key_id(&function.logical_id),
            Principal {
                name: function.logical_id.clone(),
                policies: policies.documents,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::deployment::DeployedResource;
    use crate::iam::{AuthzRequest, Decision, evaluate};

    const TEMPLATE: &str = r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: fn
    Properties:
      Policies:
        - AWSLambdaBasicExecutionRole
        - DynamoDBReadPolicy:
            TableName: !Ref Table
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem]
              Resource:
                - !GetAtt Table.Arn
                - !Sub "${Table.Arn}/index/*"
  Bare:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: bare
"#;

    #[test]
    fn policies_resolve_against_the_deployment() {
        let template = Template::parse(TEMPLATE).unwrap();
        let mut d = Deployment::new(&template, "p-", &HashMap::new());
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/p-Table";
        d.insert(
            "Table",
            DeployedResource::new("AWS::DynamoDB::Table", "p-Table").with("Arn", arn),
        );
        let policies = function_policies(&template, &d, "Fn").unwrap();
        assert_eq!(
            policies.unsupported,
            vec!["AWSLambdaBasicExecutionRole", "DynamoDBReadPolicy"]
        );
        let get = AuthzRequest::new("dynamodb:GetItem", format!("{arn}/index/by-pan"));
        assert_eq!(evaluate(&policies.documents, &get), Decision::Allow);

        let all = principals(&template, &d).unwrap();
        assert_eq!(all.len(), 2);
        let bare = &all[&access_key_id("Bare")];
        assert_eq!(bare.name, "Bare");
        assert!(bare.policies.is_empty());
        assert!(function_policies(&template, &d, "Nope").is_err());
    }

    /// A deployment of every resource of the template, with made-up names.
    fn fake_deployment(template: &Template) -> Deployment {
        let mut d = Deployment::new(template, "p-", &HashMap::new());
        for (id, r) in &template.resources {
            let name = format!("p-{id}");
            let (reference, arn) = match r.kind.as_str() {
                "AWS::DynamoDB::Table" => (
                    name.clone(),
                    format!("arn:aws:dynamodb:us-east-1:123456789012:table/{name}"),
                ),
                "AWS::SQS::Queue" => (
                    format!("http://127.0.0.1:1/123456789012/{name}"),
                    format!("arn:aws:sqs:us-east-1:123456789012:{name}"),
                ),
                "AWS::SNS::Topic" => {
                    let arn = format!("arn:aws:sns:us-east-1:123456789012:{name}");
                    (arn.clone(), arn)
                }
                "AWS::KMS::Key" => (
                    format!("key-{id}"),
                    format!("arn:aws:kms:us-east-1:123456789012:key/key-{id}"),
                ),
                _ => (
                    name.clone(),
                    format!("arn:aws:local:us-east-1:123456789012:{name}"),
                ),
            };
            d.insert(
                id,
                DeployedResource::new(&r.kind, reference)
                    .with("Arn", arn)
                    .with("QueueName", name.clone())
                    .with("TopicName", name.clone())
                    .with("KeyId", format!("key-{id}")),
            );
        }
        d
    }

    #[test]
    fn every_function_of_template_yaml_has_evaluable_policies() {
        let template = Template::from_path(&crate::workspace_root().join("template.yaml")).unwrap();
        let d = fake_deployment(&template);
        for f in &template.functions {
            let policies = function_policies(&template, &d, &f.logical_id).unwrap();
            assert!(
                policies.unsupported.is_empty(),
                "{}: {:?}",
                f.logical_id,
                policies.unsupported
            );
        }
        let all = principals(&template, &d).unwrap();
        assert_eq!(all.len(), template.functions.len());
        let authorize = &all[&access_key_id("MdesAuthorizeServiceFunction")];
        let table = "arn:aws:dynamodb:us-east-1:123456789012:table/p-TokenStateTable";
        let may = |action: &str, resource: &str| {
            evaluate(&authorize.policies, &AuthzRequest::new(action, resource)).is_allowed()
        };
        assert!(may("dynamodb:PutItem", table));
        assert!(may("dynamodb:BatchGetItem", table));
        // Least privilege: authorization reads by key only.
        assert!(!may("dynamodb:Query", &format!("{table}/index/any")));
        assert!(!may("dynamodb:Scan", table));
        assert!(!may(
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:123456789012:p-OtpDeliveryQueue"
        ));
    }

    #[tokio::test]
    async fn function_sdk_configs_sign_with_the_functions_key_through_the_proxy() {
        use aws_sdk_dynamodb::config::ProvideCredentials as _;
        let base = tmp_testkit::moto::sdk_config("http://127.0.0.1:1").await;
        let sdk = function_sdk_config(&base, "http://127.0.0.1:2", "Fn");
        assert_eq!(sdk.endpoint_url(), Some("http://127.0.0.1:2"));
        assert_eq!(sdk.region(), base.region());
        let credentials = sdk
            .credentials_provider()
            .unwrap()
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), access_key_id("Fn"));
    }

    #[test]
    fn access_key_ids_are_stable_and_distinct() {
        let a = access_key_id("MdesAuthorizeServiceFunction");
        assert_eq!(a, access_key_id("MdesAuthorizeServiceFunction"));
        assert_ne!(a, access_key_id("OtpDeliveryFunction"));
        assert_eq!(a.len(), 20);
        assert!(a.starts_with("ASIA"));
    }

    #[test]
    fn every_function_answering_a_network_message_may_claim_release_and_complete_it() {
        // GIVEN the functions that apply each network message once (request ledger)
        let template = Template::from_path(&crate::workspace_root().join("template.yaml")).unwrap();
        let d = fake_deployment(&template);
        let all = principals(&template, &d).unwrap();
        let table = "arn:aws:dynamodb:us-east-1:123456789012:table/p-TokenStateTable";
        for function in [
            "MdesAuthorizeServiceFunction",
            "MdesDeliverActivationCodeFunction",
            "MdesValidateActivationCodeFunction",
            "MdesNotifyServiceActivatedFunction",
            "MdesNotifyTokenUpdatedFunction",
            "MdesNotifySuspiciousEventsFunction",
            "CardholderNotificationFunction",
        ] {
            let policies = &all[&access_key_id(function)].policies;
            // THEN each may claim (PutItem), complete (UpdateItem) and, after a
            // failure, release (DeleteItem) its ledger entry, as on AWS
            for action in [
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
            ] {
                assert!(
                    evaluate(policies, &AuthzRequest::new(action, table)).is_allowed(),
                    "{function} may not {action}"
                );
            }
            // AND none may scan the table
            assert!(!evaluate(policies, &AuthzRequest::new("dynamodb:Scan", table)).is_allowed());
        }
    }
}
