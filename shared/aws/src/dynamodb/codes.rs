//! [`ActivationCodeStore`] on the token state table: one `ACTIVATION_CODE`
//! item per token, replaced only when no longer in force; attempts and use are
//! conditional writes in the same transaction as the message's completion.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use time::OffsetDateTime;
use tmp_core::ports::{
    ActivationCodeStore, IssueOutcome, RequestCompletion, SaveError, StoreError, StoredCode,
};

use super::TokenStateTable;
use super::codec::{b, built, code_item, epoch, key, n, put, stored_code, update};
use super::keys;
use super::ledger::completion;

impl TokenStateTable {
    fn code_update(
        &self,
        token_ref: &str,
        expression: &str,
        condition: &str,
        now: OffsetDateTime,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut code = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::activation_code(token_ref))))
            .update_expression(expression)
            .condition_expression(condition)
            .expression_attribute_values(":false", b(false))
            .expression_attribute_values(":now", epoch(now));
        if expression.contains(":one") {
            code = code.expression_attribute_values(":one", n(1));
        }
        if expression.contains(":true") {
            code = code.expression_attribute_values(":true", b(true));
        }
        Ok(update(built(code.build())?))
    }
}

#[async_trait]
impl ActivationCodeStore for TokenStateTable {
    async fn code(&self, token_ref: &str) -> Result<Option<StoredCode>, StoreError> {
        self.get(key(keys::activation_code(token_ref)))
            .await?
            .map(|c| stored_code(&c))
            .transpose()
    }

    async fn issue(
        &self,
        token_ref: &str,
        code: &StoredCode,
        now: OffsetDateTime,
    ) -> Result<IssueOutcome, SaveError> {
        // Only replaces a code that is no longer in force.
        let write = put(
            &self.table,
            code_item(token_ref, code, now),
            Some(
                "attribute_not_exists(pk) OR used = :true OR expires_at <= :now OR attempts >= max_attempts",
            ),
            &[(":true", b(true)), (":now", epoch(now))],
        )?;
        match self.transact(vec![write], None).await {
            Ok(()) => Ok(IssueOutcome::Issued),
            Err(SaveError::Conflict) => match self.code(token_ref).await? {
                Some(existing) => Ok(IssueOutcome::Existing(existing)),
                None => Err(SaveError::Conflict),
            },
            Err(other) => Err(other),
        }
    }

    async fn record_failure(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let failure = self.code_update(
            token_ref,
            "ADD attempts :one",
            "used = :false AND attempts < max_attempts",
            now,
        )?;
        self.transact(vec![failure, completion(&self.table, request, now)?], None)
            .await
    }

    async fn consume(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let consume = self.code_update(
            token_ref,
            "SET used = :true, used_at = :now REMOVE ciphertext",
            "used = :false AND attempts < max_attempts AND expires_at > :now",
            now,
        )?;
        self.transact(vec![consume, completion(&self.table, request, now)?], None)
            .await
    }
}
