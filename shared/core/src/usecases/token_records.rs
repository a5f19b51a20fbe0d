//! What the token's network records of it, read for the issuer's customer
//! service on demand: its status history and its transactions of the last
//! 30 days. Nothing is stored; a network without the call says so.

use std::sync::Arc;

use crate::AppError;
use crate::error::unavailable;
use crate::ports::{
    NetworkStatusEntry, NetworkTransaction, RecordsError, TokenDirectory, TokenNetworkRecords,
};

/// The network's records, or its lack of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkRecords<T> {
    Found(Vec<T>),
    /// The token's network offers no such call (VTS: neither).
    NotOffered,
}

#[derive(Clone)]
pub struct TokenRecords {
    pub directory: Arc<dyn TokenDirectory>,
    pub records: Arc<dyn TokenNetworkRecords>,
}

fn answer<T>(result: Result<Vec<T>, RecordsError>) -> Result<NetworkRecords<T>, AppError> {
    match result {
        Ok(found) => Ok(NetworkRecords::Found(found)),
        Err(RecordsError::NotSupported(_)) => Ok(NetworkRecords::NotOffered),
        Err(RecordsError::UnknownToken) => Err(AppError::UnknownToken),
        Err(RecordsError::Unavailable(_) | RecordsError::NotConfigured(_)) => {
            Err(AppError::Unavailable("the token's network did not answer"))
        }
    }
}

impl TokenRecords {
    async fn network_of(&self, token_ref: &str) -> Result<crate::domain::Network, AppError> {
        Ok(self
            .directory
            .token_view(token_ref)
            .await
            .map_err(unavailable("reading token failed"))?
            .ok_or(AppError::UnknownToken)?
            .record
            .network)
    }

    /// Newest first. `operator` goes into the network's audit trail.
    pub async fn status_history(
        &self,
        token_ref: &str,
        operator: &str,
    ) -> Result<NetworkRecords<NetworkStatusEntry>, AppError> {
        let network = self.network_of(token_ref).await?;
        answer(
            self.records
                .status_history(network, token_ref, operator)
                .await,
        )
    }

    pub async fn transactions(
        &self,
        token_ref: &str,
        operator: &str,
    ) -> Result<NetworkRecords<NetworkTransaction>, AppError> {
        let network = self.network_of(token_ref).await?;
        answer(
            self.records
                .transactions(network, token_ref, operator)
                .await,
        )
    }
}
