//! The VTS lifecycle client (the issuer lifecycle calls of Visa Token
//! Service, as `tmp_vts::lifecycle` states them, assumptions included):
//! suspend 3702, resume 3703, delete 3701, activate 3713, and the token
//! inquiry reconciliation reads. Visa authenticates us by mutual TLS at the
//! transport; the `requestID` is our stable action id, repeated on a retry.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tmp_core::domain::Network;
use tmp_core::domain::action::TokenAction;
use tmp_core::domain::job::card_update_reason;
use tmp_core::domain::token::{Suspender, TokenStatus};
use tmp_core::ports::{NetworkAnswer, NetworkCall, NetworkError, NetworkUpdate, NetworkView};
use tmp_vts::lifecycle::{
    INQUIRY_PATH, InquiryRequest, InquiryResponse, LIFECYCLE_PATH, LifecycleError,
    LifecycleRequest, LifecycleResponse, MessageReasonCode, TokenState, VisaEncryptionKey,
    read_answer,
};

use super::body::read_capped;

/// `operatorID` and `requestReason` limits.
const OPERATOR_MAX: usize = 64;
const REASON_MAX: usize = 256;

#[derive(Debug, Clone)]
pub struct VtsLifecycleConfig {
    /// Visa's base URL; the calls' paths are appended.
    pub base_url: String,
    pub timeout: Duration,
    /// Visa's key for the card updates' `cardholderInfo` (3720, 3721);
    /// without it a card update is refused here, never sent in clear.
    pub encryption_key: Option<VisaEncryptionKey>,
}

pub struct VtsLifecycle {
    http: reqwest::Client,
    config: VtsLifecycleConfig,
}

fn cut(value: &str, max: usize) -> String {
    value.chars().take(max).collect()
}

fn reason_code(action: TokenAction) -> MessageReasonCode {
    match action {
        TokenAction::Activate => MessageReasonCode::Activate,
        TokenAction::Suspend => MessageReasonCode::Suspend,
        TokenAction::Unsuspend => MessageReasonCode::Resume,
        TokenAction::Delete => MessageReasonCode::Delete,
    }
}

impl VtsLifecycle {
    pub fn new(http: reqwest::Client, config: VtsLifecycleConfig) -> Self {
        Self { http, config }
    }

    async fn send<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, LifecycleError> {
        let url = format!("{}/{path}", self.config.base_url.trim_end_matches('/'));
        let body =
            serde_json::to_vec(body).map_err(|_| LifecycleError::Unreadable { status: 0 })?;
        let call = async {
            let response = self
                .http
                .post(&url)
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT, "application/json")
                .body(body)
                .send()
                .await
                .map_err(|_| LifecycleError::timeout())?;
            let status = response.status().as_u16();
            let bytes = read_capped(response)
                .await
                .map_err(|_| LifecycleError::Unreadable { status })?;
            read_answer::<R>(status, &bytes)
        };
        tokio::time::timeout(self.config.timeout, call)
            .await
            .unwrap_or_else(|_| Err(LifecycleError::timeout()))
    }

    pub async fn act(&self, call: &NetworkCall) -> NetworkAnswer {
        let Some(token_requestor_id) = call.token_requestor_id.clone() else {
            // VTS names a token by requestor and reference: without the
            // requestor there is nothing to send.
            return NetworkAnswer::Refused {
                code: "NO_TOKEN_REQUESTOR".to_owned(),
            };
        };
        let code = reason_code(call.action);
        let request = LifecycleRequest {
            request_id: call.request_id.clone(),
            operator_id: cut(&call.operator, OPERATOR_MAX),
            message_reason_code: code,
            token_reference_id: call.token_ref.clone(),
            token_requestor_id,
            pan_reference_id: call.pan_unique_reference.clone(),
            request_reason: Some(cut(
                call.comment.as_deref().unwrap_or(call.reason.as_str()),
                REASON_MAX,
            )),
            activation_code: None,
            operation_type: code.operation_type(),
            cardholder_info: None,
        };
        self.lifecycle(&request).await
    }

    /// A card update: 3721 with the new PAN (and expiry, when it changed),
    /// 3720 with the new expiry alone; `cardholderInfo` encrypted for Visa.
    pub async fn update(&self, call: &NetworkUpdate) -> NetworkAnswer {
        let Some(token_requestor_id) = call.token_requestor_id.clone() else {
            return NetworkAnswer::Refused {
                code: "NO_TOKEN_REQUESTOR".to_owned(),
            };
        };
        let Some(key) = &self.config.encryption_key else {
            tracing::error!("no Visa encryption key configured: the card update is not sent");
            return NetworkAnswer::Refused {
                code: "NO_VISA_ENCRYPTION_KEY".to_owned(),
            };
        };
        let code = if call.new_pan.is_some() {
            MessageReasonCode::PanUpdate
        } else {
            MessageReasonCode::ExpiryUpdate
        };
        let cardholder_info = match key.cardholder_info(
            call.new_pan.as_ref().map(|p| p.expose()),
            call.new_expiry.map(|e| (e.month, e.full_year())),
        ) {
            Ok(info) => info,
            Err(_) => {
                tracing::error!("encrypting the card update for Visa failed");
                return NetworkAnswer::Unknown;
            }
        };
        let request = LifecycleRequest {
            request_id: call.request_id.clone(),
            operator_id: cut(&call.operator, OPERATOR_MAX),
            message_reason_code: code,
            token_reference_id: call.token_ref.clone(),
            token_requestor_id,
            pan_reference_id: call.pan_unique_reference.clone(),
            request_reason: Some(card_update_reason(call.event).to_owned()),
            activation_code: None,
            operation_type: code.operation_type(),
            cardholder_info: Some(cardholder_info),
        };
        self.lifecycle(&request).await
    }

    async fn lifecycle(&self, request: &LifecycleRequest) -> NetworkAnswer {
        match self
            .send::<_, LifecycleResponse>(LIFECYCLE_PATH, request)
            .await
        {
            Ok(_) => NetworkAnswer::Confirmed,
            Err(LifecycleError::Refused { reason, .. }) => NetworkAnswer::Refused { code: reason },
            Err(LifecycleError::NotFound) => NetworkAnswer::Refused {
                code: tmp_vts::lifecycle::TOKEN_NOT_FOUND.to_owned(),
            },
            Err(err) => {
                tracing::warn!(error = %err, "VTS gave no usable answer");
                NetworkAnswer::Unknown
            }
        }
    }

    /// VTS's view of one token (token inquiry).
    pub async fn view(
        &self,
        token_ref: &str,
        token_requestor_id: Option<&str>,
        request_id: String,
    ) -> Result<NetworkView, NetworkError> {
        let request = InquiryRequest {
            request_id,
            operator_id: "tmp-reconciliation".to_owned(),
            token_reference_id: Some(token_ref.to_owned()),
            token_requestor_id: token_requestor_id.map(str::to_owned),
            pan_reference_id: None,
        };
        match self
            .send::<_, InquiryResponse>(INQUIRY_PATH, &request)
            .await
        {
            Ok(answer) => Ok(answer
                .token_details
                .iter()
                .find(|t| t.token_reference_id == token_ref)
                .map_or(NetworkView::Unknown, |t| view_of(t.token_state))),
            Err(LifecycleError::NotFound) => Ok(NetworkView::Unknown),
            Err(err) => {
                tracing::warn!(error = %err, "VTS inquiry failed");
                Err(NetworkError::Unavailable(Network::Visa))
            }
        }
    }
}

/// Visa does not say who suspended: a suspension is the network's.
fn view_of(state: TokenState) -> NetworkView {
    let (status, suspenders) = match state {
        TokenState::Active => (TokenStatus::Active, Default::default()),
        TokenState::Inactive => (TokenStatus::Inactive, Default::default()),
        TokenState::Suspended => (
            TokenStatus::Suspended,
            std::iter::once(Suspender::Network).collect(),
        ),
        TokenState::Deactivated => (TokenStatus::Deactivated, Default::default()),
    };
    NetworkView::Known { status, suspenders }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_has_its_visa_reason_code() {
        assert_eq!(reason_code(TokenAction::Delete).as_str(), "3701");
        assert_eq!(reason_code(TokenAction::Suspend).as_str(), "3702");
        assert_eq!(reason_code(TokenAction::Unsuspend).as_str(), "3703");
        assert_eq!(reason_code(TokenAction::Activate).as_str(), "3713");
    }
}
