//! The template's Cognito resources (the issuer's user pool, its domain,
//! resource server and back-office client) are not created in the emulator:
//! locally the TMP API's functions trust tmp-local's own token issuer
//! (`/_local/auth`, which the seed makes `IssuerTokenIssuerUrl` and
//! `IssuerTokenClientIds`), so a pool would issue nothing anyone checks. But
//! `!Ref` and `!GetAtt` of them resolve, to values of the shapes
//! CloudFormation returns, so an expression such as
//! `!Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${IssuerUserPool}`
//! reads as it would on AWS.
//!
//! The one exception is a pool with groups (the admin user pool, whose agents
//! are in role groups): [`create_grouped_pools`] creates it and its groups
//! in the emulator, so that the admin functions' Cognito calls (the agents'
//! roles) reach a real pool, on its real ARN for the IAM check.

use super::{ProvisionError, aws, resolving};
use crate::deployment::{DeployedResource, Deployment};
use crate::resolve::resolve_string;
use crate::template::{Resource, Template};

/// `{prefix}{LogicalId}` with only the ASCII letters and digits Cognito ids use.
fn local_id(d: &Deployment, id: &str) -> String {
    d.physical_name(id)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// A stand-in for the Cognito resource `id`, or `None` for another type.
pub(super) fn stand_in(d: &Deployment, id: &str, r: &Resource) -> Option<DeployedResource> {
    let kind = r.kind.as_str();
    Some(match kind {
        // Ref: the pool id, `<region>_<letters and digits>`.
        "AWS::Cognito::UserPool" => {
            let pool = format!("{}_{}", d.region, local_id(d, id));
            let arn = format!(
                "arn:aws:cognito-idp:{}:{}:userpool/{pool}",
                d.region, d.account_id
            );
            pool_resource(&d.region, &pool, arn)
        }
        // Ref: the client id (lower-case letters and digits).
        "AWS::Cognito::UserPoolClient" => {
            let client = local_id(d, id).to_ascii_lowercase();
            let name = r
                .properties
                .get("ClientName")
                .and_then(serde_norway::Value::as_str)
                .unwrap_or(id)
                .to_owned();
            DeployedResource::new(kind, client.clone())
                .with("ClientId", client)
                .with("Name", name)
        }
        // Ref: the domain (for a prefix domain, the prefix).
        "AWS::Cognito::UserPoolDomain" => {
            let domain = r
                .properties
                .get("Domain")
                .and_then(|v| resolve_string(d, v).ok())
                .unwrap_or_else(|| d.physical_name(id).to_ascii_lowercase());
            DeployedResource::new(kind, domain)
        }
        // Ref: the resource server's identifier.
        "AWS::Cognito::UserPoolResourceServer" => {
            let identifier = r
                .properties
                .get("Identifier")
                .and_then(serde_norway::Value::as_str)
                .unwrap_or(id)
                .to_owned();
            DeployedResource::new(kind, identifier)
        }
        _ => return None,
    })
}

/// A pool as `!Ref` and `!GetAtt` read it.
fn pool_resource(region: &str, pool: &str, arn: String) -> DeployedResource {
    let provider = format!("cognito-idp.{region}.amazonaws.com/{pool}");
    DeployedResource::new("AWS::Cognito::UserPool", pool)
        .with("Arn", arn)
        .with("ProviderName", provider.clone())
        .with("ProviderURL", format!("https://{provider}"))
        .with("UserPoolId", pool)
}

/// Creates in the emulator every user pool the template gives groups, with
/// those groups, replacing the pools' stand-ins (so call it after
/// [`super::register_unprovisioned`]).
pub(super) async fn create_grouped_pools(
    client: &aws_sdk_cognitoidentityprovider::Client,
    template: &Template,
    d: &mut Deployment,
) -> Result<(), ProvisionError> {
    let groups: Vec<(&String, &Resource)> = template
        .resources
        .iter()
        .filter(|(_, r)| r.kind == "AWS::Cognito::UserPoolGroup")
        .collect();
    let pools: Vec<&String> = template
        .resources
        .iter()
        .filter(|(_, r)| r.kind == "AWS::Cognito::UserPool")
        .map(|(id, _)| id)
        .collect();
    for pool_id in pools {
        // A group names its pool by `!Ref`, which reads as the stand-in's id.
        let Some(stand_in) = d.reference(pool_id).map(str::to_owned) else {
            continue;
        };
        let mut own_groups = Vec::new();
        for (group_id, group) in &groups {
            let pool_of = group
                .properties
                .get("UserPoolId")
                .map(|v| resolve_string(d, v))
                .transpose()
                .map_err(resolving(group_id))?;
            if pool_of.as_deref() == Some(stand_in.as_str()) {
                own_groups.push((*group_id, *group));
            }
        }
        if own_groups.is_empty() {
            continue;
        }
        let created = client
            .create_user_pool()
            .pool_name(d.physical_name(pool_id))
            .send()
            .await
            .map_err(aws(pool_id))?;
        let pool = created.user_pool();
        let (Some(pool_key), Some(arn)) = (pool.and_then(|p| p.id()), pool.and_then(|p| p.arn()))
        else {
            return Err(ProvisionError::Aws {
                id: pool_id.clone(),
                message: "the emulator returned no pool id".to_owned(),
            });
        };
        let resource = pool_resource(&d.region, pool_key, arn.to_owned());
        d.insert(pool_id, resource);
        for (group_id, group) in own_groups {
            let name = group
                .properties
                .get("GroupName")
                .map(|v| resolve_string(d, v))
                .transpose()
                .map_err(resolving(group_id))?
                .unwrap_or_else(|| d.physical_name(group_id));
            let description = group
                .properties
                .get("Description")
                .and_then(serde_norway::Value::as_str);
            client
                .create_group()
                .user_pool_id(pool_key)
                .group_name(&name)
                .set_description(description.map(str::to_owned))
                .send()
                .await
                .map_err(aws(group_id))?;
            d.insert(
                group_id,
                DeployedResource::new("AWS::Cognito::UserPoolGroup", name),
            );
        }
        tracing::debug!(pool = pool_id, "user pool created with its groups");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::template::Template;

    /// The workspace template deployed under `t1-` with `overrides`, the two
    /// resources the TMP API's functions name besides Cognito standing in
    /// (the table and the key).
    fn deployment(overrides: &[(&str, &str)]) -> Deployment {
        let t = Template::from_path(&crate::workspace_root().join("template.yaml")).unwrap();
        let overrides: HashMap<_, _> = overrides
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut d = Deployment::new(&t, "t1-", &overrides);
        crate::provision::register_unprovisioned(&t, &mut d);
        d.insert(
            "TokenStateTable",
            DeployedResource::new("AWS::DynamoDB::Table", "t1-TokenStateTable"),
        );
        d.insert(
            "SecretsKey",
            DeployedResource::new("AWS::KMS::Key", "key-1"),
        );
        d
    }

    #[test]
    fn without_parameters_the_functions_trust_the_stacks_own_pool_and_client() {
        // GIVEN the template with IssuerTokenIssuerUrl and IssuerTokenClientIds left empty
        let d = deployment(&[]);
        // WHEN TmpGetTokenFunction's environment is built
        let env = d.function_env("TmpGetTokenFunction").unwrap();
        // THEN its issuer is IssuerUserPool's Cognito URL and its client the back office's
        assert_eq!(
            env.get("TMP_API_TOKEN_ISSUER"),
            Some("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_t1IssuerUserPool")
        );
        assert_eq!(
            env.get("TMP_API_CLIENT_IDS"),
            Some("t1issuerbackofficeclient")
        );
        // AND the pool's attributes and the domain have CloudFormation's shapes
        let pool = d.resource("IssuerUserPool").unwrap();
        assert_eq!(
            pool.arn(),
            Some("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_t1IssuerUserPool")
        );
        assert_eq!(d.reference("IssuerUserPoolDomain"), Some("t1-local"));
        assert_eq!(d.reference("IssuerResourceServer"), Some("tmp"));
    }

    #[test]
    fn the_parameters_the_local_seed_sets_replace_the_pool() {
        // GIVEN the local issuer's URL and client as the parameters
        let d = deployment(&[
            ("IssuerTokenIssuerUrl", "http://127.0.0.1:3000/_local/auth"),
            ("IssuerTokenClientIds", "issuer-backoffice"),
        ]);
        // THEN every TMP API function gets them
        for id in ["TmpSearchTokensFunction", "TmpDeleteTokenFunction"] {
            let env = d.function_env(id).unwrap();
            assert_eq!(
                env.get("TMP_API_TOKEN_ISSUER"),
                Some("http://127.0.0.1:3000/_local/auth"),
                "{id}"
            );
            assert_eq!(
                env.get("TMP_API_CLIENT_IDS"),
                Some("issuer-backoffice"),
                "{id}"
            );
        }
    }
}
