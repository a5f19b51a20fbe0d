//! DynamoDB storage of envelope-encrypted MDES keys (`KeyMaterialTable`,
//! partition key `fingerprint`).

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use super::keys::KEY_MATERIAL_PK;
use crate::aws_error::AwsFailure;
use tmp_core::ports::key_material::{KeyMaterial, KeyMaterialStore, KeyMaterialStoreError};

/// Environment variable naming the table (see `template.yaml`).
pub const MDES_KEY_MATERIAL_TABLE_ENV: &str = "MDES_KEY_MATERIAL_TABLE";

#[derive(Debug, Clone)]
pub struct DynamoDbKeyMaterialStore {
    client: Client,
    table: String,
}

impl DynamoDbKeyMaterialStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

type Item = HashMap<String, AttributeValue>;

#[async_trait]
impl KeyMaterialStore for DynamoDbKeyMaterialStore {
    async fn put(&self, material: &KeyMaterial) -> Result<(), KeyMaterialStoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(material)))
            .condition_expression("attribute_not_exists(fingerprint)")
            .send()
            .await
            .map_err(|err| {
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception())
                {
                    KeyMaterialStoreError::AlreadyExists
                } else {
                    KeyMaterialStoreError::Unavailable(Box::new(AwsFailure::new(&err)))
                }
            })?;
        Ok(())
    }

    async fn list(&self) -> Result<Vec<KeyMaterial>, KeyMaterialStoreError> {
        // A handful of keys: a consistent scan is the simplest exact answer.
        let mut pages = self
            .client
            .scan()
            .table_name(&self.table)
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        let mut materials = Vec::new();
        while let Some(item) = pages.next().await {
            let item = item.map_err(|err| {
                KeyMaterialStoreError::Unavailable(Box::new(AwsFailure::new(&err)))
            })?;
            materials.push(from_item(&item)?);
        }
        materials.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        Ok(materials)
    }
}

fn to_item(m: &KeyMaterial) -> Item {
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let b = |v: &[u8]| AttributeValue::B(Blob::new(v));
    HashMap::from([
        (KEY_MATERIAL_PK.to_owned(), s(&m.fingerprint)),
        ("public_key_der".to_owned(), b(&m.public_key_der)),
        ("encrypted_data_key".to_owned(), b(&m.encrypted_data_key)),
        ("nonce".to_owned(), b(&m.nonce)),
        ("sealed_private_key".to_owned(), b(&m.sealed_private_key)),
        ("created_at".to_owned(), s(&m.created_at)),
        ("status".to_owned(), s(m.status.as_str())),
    ])
}

fn from_item(item: &Item) -> Result<KeyMaterial, KeyMaterialStoreError> {
    Ok(KeyMaterial {
        fingerprint: string(item, KEY_MATERIAL_PK)?,
        public_key_der: bytes(item, "public_key_der")?,
        encrypted_data_key: bytes(item, "encrypted_data_key")?,
        nonce: bytes(item, "nonce")?,
        sealed_private_key: bytes(item, "sealed_private_key")?,
        created_at: string(item, "created_at")?,
        status: string(item, "status")?.parse()?,
    })
}

fn string(item: &Item, name: &'static str) -> Result<String, KeyMaterialStoreError> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .ok_or(KeyMaterialStoreError::Corrupt(name))
}

fn bytes(item: &Item, name: &'static str) -> Result<Vec<u8>, KeyMaterialStoreError> {
    item.get(name)
        .and_then(|v| v.as_b().ok())
        .map(|blob| blob.as_ref().to_vec())
        .ok_or(KeyMaterialStoreError::Corrupt(name))
}
