//! [`ContactDirectory`] over the token item of `TokenStateTable`: contact
//! details are stored sealed under KMS (`contact_ciphertext`, binary), bound
//! to the token by the encryption context, and only opened to deliver.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;

use tmp_core::domain::delivery::ContactDetails;
use tmp_core::ports::{
    ContactDirectory, ContactDirectoryError, KeyVault, KeyVaultError, TokenSummary,
};
use tmp_core::usecases::authorize::contact_context;

use super::codec::{CONTACT_CIPHERTEXT, get_s};
use super::keys::{self, PK, SK};
use crate::aws_error::AwsFailure;

pub struct DynamoDbContactDirectory {
    client: Client,
    table: String,
    vault: Arc<dyn KeyVault>,
}

impl DynamoDbContactDirectory {
    pub fn new(client: Client, table: impl Into<String>, vault: Arc<dyn KeyVault>) -> Self {
        Self {
            client,
            table: table.into(),
            vault,
        }
    }
}

#[async_trait]
impl ContactDirectory for DynamoDbContactDirectory {
    async fn contact(
        &self,
        token_unique_reference: &str,
    ) -> Result<Option<(ContactDetails, TokenSummary)>, ContactDirectoryError> {
        let (pk, sk) = keys::token(token_unique_reference);
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, AttributeValue::S(pk))
            .key(SK, AttributeValue::S(sk))
            .projection_expression("contact_ciphertext, pan_last4, token_requestor_id, wallet_id")
            .send()
            .await
            .map_err(|e| ContactDirectoryError::Unavailable(Box::new(AwsFailure::new(&e))))?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let summary = TokenSummary {
            pan_last4: get_s(&item, "pan_last4").map(str::to_owned),
            token_requestor_id: get_s(&item, "token_requestor_id").map(str::to_owned),
            wallet_id: get_s(&item, "wallet_id").map(str::to_owned),
        };
        let Some(sealed) = item.get(CONTACT_CIPHERTEXT) else {
            return Ok(Some((ContactDetails::default(), summary)));
        };
        let sealed = sealed.as_b().map_err(|_| {
            ContactDirectoryError::Corrupt(format!("{CONTACT_CIPHERTEXT} is not binary"))
        })?;
        let plaintext = self
            .vault
            .decrypt(sealed.as_ref(), &contact_context(token_unique_reference))
            .await
            .map_err(|e| match e {
                KeyVaultError::Unavailable(source) => ContactDirectoryError::Unavailable(source),
                KeyVaultError::Refused(code) => ContactDirectoryError::Corrupt(format!(
                    "key service refused to open the contact ({code})"
                )),
            })?;
        // The serde error could quote the content: replaced by a fixed text.
        let contact: ContactDetails = serde_json::from_slice(plaintext.expose())
            .map_err(|_| ContactDirectoryError::Corrupt("contact is not valid JSON".to_owned()))?;
        Ok(Some((contact, summary)))
    }
}
