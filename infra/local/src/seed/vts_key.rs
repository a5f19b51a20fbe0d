//! The local stack's VTS private key, seeded like the MDES key: generated, or
//! imported from a PKCS#8 PEM (the test-only key of `events/test-keys/`),
//! sealed under the local `SecretsKey` (purpose `vts-private-key`) into
//! `VtsKeyMaterialTable`, and its public key served at
//! `/_local/keys/vts-public.pem` with its kid in `x-key-id`.

use std::path::{Path, PathBuf};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tmp_aws::DynamoDbKeyMaterialStore;
use tmp_aws::vts_keys;
use tmp_core::ports::KeyMaterialStoreError;
use tmp_core::secret::Secret;
use tmp_vts::jwe::VtsPrivateKey;

use crate::platform::{SeedContext, SeedError};

/// Logical id of the table in `template.yaml`.
pub const VTS_KEY_MATERIAL_TABLE: &str = "VtsKeyMaterialTable";
/// The header that names the key ids of `/_local/keys/vts-public.pem`.
pub const KEY_ID_HEADER: &str = "x-key-id";

/// Which VTS private key the local stack uses.
#[derive(Debug, Clone, Default)]
pub enum VtsKeySource {
    /// Keep the stored key, or generate one (RSA-2048) when there is none.
    #[default]
    GenerateIfMissing,
    /// Import a PKCS#8 PEM (the test-only key of `events/`); its kid is
    /// [`vts_keys::derived_kid`], so an import is idempotent.
    Import(PathBuf),
}

pub(super) fn store(
    sdk: &aws_config::SdkConfig,
    deployment: &crate::Deployment,
) -> Option<DynamoDbKeyMaterialStore> {
    let table = deployment.reference(VTS_KEY_MATERIAL_TABLE)?;
    Some(DynamoDbKeyMaterialStore::new(
        aws_sdk_dynamodb::Client::new(sdk),
        table,
    ))
}

/// Seeds the key; a template without `VtsKeyMaterialTable` has nothing to seed.
pub(super) async fn ensure_vts_key(
    ctx: &mut SeedContext<'_>,
    source: &VtsKeySource,
) -> Result<(), SeedError> {
    let Some(store) = store(ctx.sdk, ctx.deployment) else {
        tracing::info!("template declares no VtsKeyMaterialTable: no VTS key seeded");
        return Ok(());
    };
    let vault = super::vault(ctx)?;
    let kid = match source {
        VtsKeySource::Import(path) => {
            let key = read_pkcs8_pem(path)?;
            match vts_keys::seal_and_store(&vault, &store, &key).await {
                Ok(info) => info.kid,
                // Imported by an earlier run against this emulator: the same key.
                Err(vts_keys::VtsKeyStoreError::Store(KeyMaterialStoreError::AlreadyExists)) => {
                    key.kid().to_owned()
                }
                Err(e) => return Err(e.into()),
            }
        }
        VtsKeySource::GenerateIfMissing => {
            match vts_keys::public_keys(&store).await?.into_iter().next() {
                Some(existing) => existing.kid,
                None => {
                    vts_keys::generate_and_store(&vault, &store, None, vts_keys::DEFAULT_KEY_BITS)
                        .await?
                        .kid
                }
            }
        }
    };
    tracing::info!(%kid, "VTS public key ready");
    Ok(())
}

/// A `-----BEGIN PRIVATE KEY-----` (PKCS#8) PEM file, under its derived kid.
pub fn read_pkcs8_pem(path: &Path) -> Result<VtsPrivateKey, SeedError> {
    let pem = Secret::new(
        std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
    );
    let key = VtsPrivateKey::from_pkcs8_pem("import", &pem)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(vts_keys::with_kid(
        &key,
        &vts_keys::derived_kid(key.public_key_der()),
    )?)
}

/// `GET /_local/keys/vts-public.pem`: every active public key, their kids in
/// `x-key-id` (comma-separated, in the PEM blocks' order).
pub(super) async fn public_pem(store: Option<DynamoDbKeyMaterialStore>) -> Response {
    let Some(store) = store else {
        return (StatusCode::NOT_FOUND, "no VTS key material table").into_response();
    };
    match vts_keys::public_keys(&store).await {
        Ok(keys) if !keys.is_empty() => {
            let kids: Vec<String> = keys.iter().map(|k| k.kid.clone()).collect();
            let pem: String = keys.into_iter().map(|k| k.pem).collect();
            (
                [
                    (header::CONTENT_TYPE, "application/x-pem-file".to_owned()),
                    (
                        header::HeaderName::from_static(KEY_ID_HEADER),
                        kids.join(","),
                    ),
                ],
                pem,
            )
                .into_response()
        }
        Ok(_) => (StatusCode::NOT_FOUND, "no VTS key stored").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_only_key_imports_under_its_documented_kid() {
        // GIVEN the committed test-only key pair
        let dir = crate::workspace_root().join("events/test-keys");
        // WHEN the private key is read
        let key = read_pkcs8_pem(&dir.join("vts-test-private-key.pem")).unwrap();
        // THEN its kid is the one events/test-keys/README.md documents
        assert_eq!(key.kid(), "vts-dba1c039a010cf67");
        // AND its public half is the committed public key
        let public = std::fs::read_to_string(dir.join("vts-test-public-key.pem")).unwrap();
        assert_eq!(key.public_key_pem().unwrap().trim(), public.trim());
        // AND an unreadable file is refused naming it
        let err = read_pkcs8_pem(&dir.join("README.md")).unwrap_err();
        assert!(err.to_string().contains("README.md"), "{err}");
    }
}
