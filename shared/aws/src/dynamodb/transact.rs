//! The one mapping from a failed TransactWriteItems to a [`SaveError`].

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use tmp_core::ports::SaveError;

use super::TokenStateTable;
use super::codec::unavailable;

/// Cancellation reasons that mean "someone else held an item, try again".
const CONTENTION: &[&str] = &[
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
];

/// `limit_item`: the index of the item whose failed condition means the
/// card's live-token limit (the card counter), if the transaction has one.
pub fn save_error(
    err: SdkError<TransactWriteItemsError, impl std::fmt::Debug + Send + Sync + 'static>,
    limit_item: Option<usize>,
) -> SaveError {
    match err.into_service_error() {
        TransactWriteItemsError::TransactionCanceledException(e) => {
            let reasons = e.cancellation_reasons();
            let code = |i: usize| reasons.get(i).and_then(|r| r.code());
            if limit_item.is_some_and(|i| code(i) == Some("ConditionalCheckFailed")) {
                SaveError::TokenLimitReached
            } else if reasons
                .iter()
                .any(|r| r.code().is_some_and(|c| CONTENTION.contains(&c)))
            {
                SaveError::Contention
            } else {
                let codes: Vec<&str> = reasons.iter().map(|r| r.code().unwrap_or("-")).collect();
                tracing::debug!(?codes, "transaction cancelled");
                SaveError::Conflict
            }
        }
        TransactWriteItemsError::TransactionInProgressException(_)
        | TransactWriteItemsError::ProvisionedThroughputExceededException(_)
        | TransactWriteItemsError::RequestLimitExceeded(_) => SaveError::Contention,
        other => SaveError::Store(unavailable(other)),
    }
}

impl TokenStateTable {
    /// Writes `items` all or nothing.
    pub(crate) async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
        limit_item: Option<usize>,
    ) -> Result<(), SaveError> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(|_| ())
            .map_err(|err| save_error(err, limit_item))
    }
}
