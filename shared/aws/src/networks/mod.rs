//! The networks' lifecycle APIs behind one [`TokenNetworks`]: each call goes
//! to the token's network (MDES Customer Service or VTS); a network this
//! deployment is not configured for answers `Unknown`, never a guess.

pub mod body;
pub mod mdes;
pub mod vts;

use async_trait::async_trait;
use tmp_core::domain::Network;
use tmp_core::ports::{
    NetworkAnswer, NetworkCall, NetworkError, NetworkStatusEntry, NetworkTransaction,
    NetworkUpdate, NetworkView, RecordsError, TokenNetworkRecords, TokenNetworks,
};

pub use mdes::{MdesCustomerService, MdesCustomerServiceConfig};
pub use vts::{VtsLifecycle, VtsLifecycleConfig};

#[derive(Default)]
pub struct NetworkClients {
    pub mdes: Option<MdesCustomerService>,
    pub vts: Option<VtsLifecycle>,
}

#[async_trait]
impl TokenNetworks for NetworkClients {
    async fn act(&self, call: &NetworkCall) -> NetworkAnswer {
        match (call.network, &self.mdes, &self.vts) {
            (Network::Mastercard, Some(mdes), _) => mdes.act(call).await,
            (Network::Visa, _, Some(vts)) => vts.act(call).await,
            (network, ..) => {
                tracing::error!(%network, "no lifecycle client configured for the network");
                NetworkAnswer::Unknown
            }
        }
    }

    async fn update(&self, call: &NetworkUpdate) -> NetworkAnswer {
        match (call.network, &self.mdes, &self.vts) {
            (Network::Mastercard, Some(mdes), _) => mdes.update(call).await,
            (Network::Visa, _, Some(vts)) => vts.update(call).await,
            (network, ..) => {
                tracing::error!(%network, "no lifecycle client configured for the network");
                NetworkAnswer::Unknown
            }
        }
    }

    async fn view(
        &self,
        network: Network,
        token_ref: &str,
        token_requestor_id: Option<&str>,
    ) -> Result<NetworkView, NetworkError> {
        match (network, &self.mdes, &self.vts) {
            (Network::Mastercard, Some(mdes), _) => mdes.view(token_ref).await,
            (Network::Visa, _, Some(vts)) => {
                vts.view(
                    token_ref,
                    token_requestor_id,
                    uuid::Uuid::new_v4().simple().to_string(),
                )
                .await
            }
            (network, ..) => Err(NetworkError::NotConfigured(network)),
        }
    }
}

/// MDES Customer Service records the history and transactions of a token;
/// the VTS calls we know of offer neither.
#[async_trait]
impl TokenNetworkRecords for NetworkClients {
    async fn status_history(
        &self,
        network: Network,
        token_ref: &str,
        operator: &str,
    ) -> Result<Vec<NetworkStatusEntry>, RecordsError> {
        match (network, &self.mdes) {
            (Network::Mastercard, Some(mdes)) => mdes.status_history(token_ref, operator).await,
            (Network::Mastercard, None) => Err(RecordsError::NotConfigured(network)),
            (Network::Visa, _) => Err(RecordsError::NotSupported(network)),
        }
    }

    async fn transactions(
        &self,
        network: Network,
        token_ref: &str,
        operator: &str,
    ) -> Result<Vec<NetworkTransaction>, RecordsError> {
        match (network, &self.mdes) {
            (Network::Mastercard, Some(mdes)) => mdes.transactions(token_ref, operator).await,
            (Network::Mastercard, None) => Err(RecordsError::NotConfigured(network)),
            (Network::Visa, _) => Err(RecordsError::NotSupported(network)),
        }
    }
}
