//! The template's Cognito resources (the issuer's user pool, its domain,
//! resource server and back-office client) are not created in the emulator:
//! locally the TMP API's functions trust tmp-local's own token issuer
//! (`/_local/auth`, which the seed makes `IssuerTokenIssuerUrl` and
//! `IssuerTokenClientIds`), so a pool would issue nothing anyone checks. But
//! `!Ref` and `!GetAtt` of them resolve, to values of the shapes
//! CloudFormation returns, so an expression such as
//! `!Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${IssuerUserPool}`
//! reads as it would on AWS.

use crate::deployment::{DeployedResource, Deployment};
use crate::resolve::resolve_string;
use crate::template::Resource;

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
            let provider = format!("cognito-idp.{}.amazonaws.com/{pool}", d.region);
            DeployedResource::new(kind, pool.clone())
                .with(
                    "Arn",
                    format!(
                        "arn:aws:cognito-idp:{}:{}:userpool/{pool}",
                        d.region, d.account_id
                    ),
                )
                .with("ProviderName", provider.clone())
                .with("ProviderURL", format!("https://{provider}"))
                .with("UserPoolId", pool)
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
