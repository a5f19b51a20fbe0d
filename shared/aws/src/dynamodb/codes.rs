//! [`ActivationCodeStore`] on the token state table: one `ACTIVATION_CODE`
//! item per token, replaced only when no longer in force; attempts and use are
//! conditional writes in the same transaction as the message's completion.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use time::OffsetDateTime;
use tmp_core::ports::{
    ActivationCodeStore, RequestCompletion, SaveError, StoreError, StoredCode, TokenRecord,
};

use super::TokenStateTable;
use super::codec::{
    b, built, code_item, epoch, get_s, key, n, put, stored_code, token_record, update,
};
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

    async fn token_and_code(
        &self,
        token_ref: &str,
    ) -> Result<(Option<TokenRecord>, Option<StoredCode>), StoreError> {
        let items = self
            .batch_get(
                vec![
                    key(keys::token(token_ref)),
                    key(keys::activation_code(token_ref)),
                ],
                None,
            )
            .await?;
        let of = |sk: &str| items.iter().find(|i| get_s(i, keys::SK) == Some(sk));
        let (_, token_sk) = keys::token(token_ref);
        let (_, code_sk) = keys::activation_code(token_ref);
        Ok((
            of(&token_sk)
                .map(|t| token_record(token_ref, t))
                .transpose()?,
            of(&code_sk).map(stored_code).transpose()?,
        ))
    }

    async fn issue(
        &self,
        token_ref: &str,
        code: &StoredCode,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        // The code read was generation − 1: replace exactly that one (or none).
        let previous = code.issued.generation.saturating_sub(1);
        let write = if previous == 0 {
            put(
                &self.table,
                code_item(token_ref, code, now),
                Some("attribute_not_exists(pk) OR attribute_not_exists(generation)"),
                &[],
            )?
        } else {
            put(
                &self.table,
                code_item(token_ref, code, now),
                Some("generation = :previous"),
                &[(":previous", n(previous))],
            )?
        };
        self.transact(vec![write], None).await
    }

    async fn record_send(
        &self,
        token_ref: &str,
        sends: u32,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let send = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::activation_code(token_ref))))
            .update_expression("SET sends = :next, last_sent_at = :now")
            // Codes stored before sends were counted have no `sends`.
            .condition_expression(
                "(sends = :sends OR attribute_not_exists(sends)) AND used = :false",
            )
            .expression_attribute_values(":sends", n(sends))
            .expression_attribute_values(":next", n(sends + 1))
            .expression_attribute_values(":false", b(false))
            .expression_attribute_values(":now", epoch(now));
        self.transact(vec![update(built(send.build())?)], None)
            .await
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
