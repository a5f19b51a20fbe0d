//! The MDES Customer Service API 2.0.7 client: lifecycle actions and the
//! token search reconciliation reads. Every request is signed with OAuth 1.0a
//! RSA-SHA256 and `oauth_body_hash` (the key unwrapped once per cold start).

use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::job::CardEventKind;
use tmp_core::domain::token::{Suspender, TokenStatus};
use tmp_core::ports::{
    NetworkAnswer, NetworkCall, NetworkError, NetworkParty, NetworkStatusEntry, NetworkTransaction,
    NetworkUpdate, NetworkView, RecordsError,
};
use tmp_mdes::customer_service::activate::{
    ActivateReason, ActivateTarget, TokenActivateRequest, TokenActivateRequestSchema,
};
use tmp_mdes::customer_service::delete::{
    DeleteReason, TokenDeleteRequest, TokenDeleteRequestSchema,
};
use tmp_mdes::customer_service::search::{SearchCriterion, SearchRequest, SearchRequestSchema};
use tmp_mdes::customer_service::status_history::{
    TokenStatusHistoryRequest, TokenStatusHistoryRequestSchema,
};
use tmp_mdes::customer_service::suspend::{
    SuspendReason, TokenSuspendRequest, TokenSuspendRequestSchema,
};
use tmp_mdes::customer_service::token::{Party, ProvisioningStatusCode, Token, TokenStatusCode};
use tmp_mdes::customer_service::transactions::{TransactionsRequest, TransactionsRequestSchema};
use tmp_mdes::customer_service::unsuspend::{
    TokenUnsuspendRequest, TokenUnsuspendRequestSchema, UnsuspendReason,
};
use tmp_mdes::customer_service::update::{
    TokenUpdate, TokenUpdateRequest, TokenUpdateRequestSchema, UpdateTarget,
};
use tmp_mdes::customer_service::{AuditInfo, CsError, CsOperation, read_answer};
use tmp_mdes::oauth1::OAuthSigner;

use super::body::read_capped;
use tmp_core::domain::Network;

/// `AuditInfo.UserId` is at most 50 characters, `CommentText` 500.
const USER_ID_MAX: usize = 50;
const COMMENT_MAX: usize = 500;

#[derive(Debug, Clone)]
pub struct MdesCustomerServiceConfig {
    /// `https://api.mastercard.com/mdes/csapi/v2` (no trailing slash needed).
    pub base_url: String,
    pub timeout: Duration,
    /// `AuditInfo.Organization`: the issuer's name.
    pub organization: String,
}

pub struct MdesCustomerService {
    http: reqwest::Client,
    config: MdesCustomerServiceConfig,
    signer: OAuthSigner,
}

fn cut(value: &str, max: usize) -> String {
    value.chars().take(max).collect()
}

impl MdesCustomerService {
    pub fn new(
        http: reqwest::Client,
        config: MdesCustomerServiceConfig,
        signer: OAuthSigner,
    ) -> Self {
        Self {
            http,
            config,
            signer,
        }
    }

    fn audit(&self, operator: &str) -> AuditInfo {
        AuditInfo {
            user_id: cut(operator, USER_ID_MAX),
            user_name: cut(operator, USER_ID_MAX),
            organization: cut(&self.config.organization, 200),
            phone: None,
        }
    }

    /// One signed call within the deadline.
    async fn send<R: CsOperation>(&self, request: &R) -> Result<R::Response, CsError> {
        let url = format!("{}{}", self.config.base_url.trim_end_matches('/'), R::PATH);
        let body = serde_json::to_vec(request).map_err(|_| CsError::Unreadable { status: 0 })?;
        let authorization = self
            .signer
            .authorization("POST", &url, &body)
            .map_err(|_| CsError::Unreadable { status: 0 })?;
        let call = async {
            let response = self
                .http
                .post(&url)
                .header(AUTHORIZATION, authorization)
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT, "application/json")
                .body(body)
                .send()
                .await
                .map_err(|_| CsError::timeout())?;
            let status = response.status().as_u16();
            let bytes = read_capped(response)
                .await
                .map_err(|_| CsError::Unreadable { status })?;
            read_answer::<R::Response>(status, &bytes)
        };
        tokio::time::timeout(self.config.timeout, call)
            .await
            .unwrap_or_else(|_| Err(CsError::timeout()))
    }

    async fn lifecycle(&self, call: &NetworkCall) -> Result<(), CsError> {
        let tur = call.token_ref.clone();
        let comment_text = call.comment.as_deref().map(|c| cut(c, COMMENT_MAX));
        let audit_info = self.audit(&call.operator);
        match call.action {
            TokenAction::Suspend => self
                .send(&TokenSuspendRequestSchema {
                    request: TokenSuspendRequest {
                        token_unique_reference: tur,
                        reason_code: suspend_reason(call.reason),
                        comment_text,
                        audit_info,
                    },
                })
                .await
                .map(drop),
            TokenAction::Unsuspend => self
                .send(&TokenUnsuspendRequestSchema {
                    request: TokenUnsuspendRequest {
                        token_unique_reference: tur,
                        reason_code: unsuspend_reason(call.reason),
                        comment_text,
                        audit_info,
                    },
                })
                .await
                .map(drop),
            TokenAction::Delete => self
                .send(&TokenDeleteRequestSchema {
                    request: TokenDeleteRequest {
                        token_unique_reference: tur,
                        reason_code: delete_reason(call.reason),
                        comment_text,
                        audit_info,
                    },
                })
                .await
                .map(drop),
            TokenAction::Activate => self
                .send(&TokenActivateRequestSchema {
                    request: TokenActivateRequest {
                        target: ActivateTarget::Token {
                            token_unique_reference: tur,
                        },
                        // The TMP API's activation is the call-centre path.
                        reason_code: ActivateReason::AuthenticatedByAgent,
                        comment_text,
                        audit_info,
                    },
                })
                .await
                .map(drop),
        }
    }

    pub async fn act(&self, call: &NetworkCall) -> NetworkAnswer {
        answer_of(self.lifecycle(call).await)
    }

    /// `token/update` of one token to its card's new Account PAN and / or
    /// expiry (MDES maps only ACTIVE and SUSPENDED tokens; the PAN must stay
    /// in the account range). MDES has no request id: the update is the same
    /// however often it is sent.
    pub async fn update(&self, call: &NetworkUpdate) -> NetworkAnswer {
        let mut request = TokenUpdateRequestSchema {
            request: TokenUpdateRequest {
                target: UpdateTarget::Token {
                    token_unique_reference: call.token_ref.clone(),
                },
                update: TokenUpdate::AccountMapping {
                    new_account_pan: call.new_pan.as_ref().map(|p| p.expose().to_owned()),
                    expiration_date: call.new_expiry.map(|e| e.mmyy()),
                    account_pan_sequence_number: None,
                },
                update_wallet_provider_indicator: None,
                comment_text: Some(
                    match call.event {
                        CardEventKind::Replaced => "Card replaced",
                        _ => "Card renewed",
                    }
                    .to_owned(),
                ),
                audit_info: self.audit(&call.operator),
            },
        };
        let answer = answer_of(self.send(&request).await.map(drop));
        if let TokenUpdate::AccountMapping {
            new_account_pan: Some(pan),
            ..
        } = &mut request.request.update
        {
            zeroize::Zeroize::zeroize(pan);
        }
        answer
    }

    /// `token/statushistory`: the token's status changes, newest first.
    pub async fn status_history(
        &self,
        token_ref: &str,
        operator: &str,
    ) -> Result<Vec<NetworkStatusEntry>, RecordsError> {
        let answer = self
            .send(&TokenStatusHistoryRequestSchema {
                request: TokenStatusHistoryRequest {
                    token_unique_reference: token_ref.to_owned(),
                    audit_info: self.audit(operator),
                },
            })
            .await
            .map_err(records_error)?;
        Ok(answer
            .response
            .statuses
            .status
            .into_iter()
            .map(|s| NetworkStatusEntry {
                at: s.status_date_time,
                status: status_of(s.status_code),
                initiator: s.initiator.map(party_of),
                reason_code: s.reason_code,
                operator: s.audit_info.map(|a| a.user_id),
            })
            .collect())
    }

    /// `transactions`: the token's transactions of the last 30 days.
    pub async fn transactions(
        &self,
        token_ref: &str,
        operator: &str,
    ) -> Result<Vec<NetworkTransaction>, RecordsError> {
        let answer = self
            .send(&TransactionsRequestSchema {
                request: TransactionsRequest {
                    token_unique_reference: token_ref.to_owned(),
                    audit_info: self.audit(operator),
                },
            })
            .await
            .map_err(records_error)?;
        Ok(answer
            .response
            .transactions
            .transaction
            .into_iter()
            .map(|t| NetworkTransaction {
                at: t.transaction_date_time,
                amount: t.transaction_amount,
                currency: t.currency_code,
                type_code: t.transaction_type_code,
                type_description: t.transaction_type_description,
                status_code: t.transaction_status_code,
                merchant_name: t.merchant_name,
                merchant_category_code: t.merchant_category_code,
                merchant_category_description: t.merchant_category_description,
                pos_entry_mode: t.pos_entry_mode,
            })
            .collect())
    }

    /// MDES's view of one token (`search` by TokenUniqueReference, deleted
    /// tokens included).
    pub async fn view(&self, token_ref: &str) -> Result<NetworkView, NetworkError> {
        let answer = self
            .send(&SearchRequestSchema {
                request: SearchRequest {
                    criterion: SearchCriterion::TokenUniqueReference(token_ref.to_owned()),
                    exclude_deleted_indicator: Some(false),
                    audit_info: self.audit("tmp-reconciliation"),
                },
            })
            .await;
        match answer {
            Ok(found) => Ok(found
                .response
                .accounts
                .account
                .iter()
                .flat_map(|a| a.tokens.token.iter())
                .find(|t| t.token_unique_reference.as_deref() == Some(token_ref))
                .map_or(NetworkView::Unknown, view_of)),
            Err(err) => {
                tracing::warn!(error = %err, "MDES search failed");
                Err(NetworkError::Unavailable(Network::Mastercard))
            }
        }
    }
}

fn answer_of(result: Result<(), CsError>) -> NetworkAnswer {
    match result {
        Ok(()) => NetworkAnswer::Confirmed,
        Err(CsError::Refused { reason_code, .. }) => NetworkAnswer::Refused { code: reason_code },
        Err(err) => {
            tracing::warn!(error = %err, "MDES gave no usable answer");
            NetworkAnswer::Unknown
        }
    }
}

/// A refused read: 404 is a token MDES does not hold, `NOT_SUPPORTED` a
/// token without the record (static card-on-file); anything else, or no
/// answer, is MDES being unavailable to us.
fn records_error(err: CsError) -> RecordsError {
    match err {
        CsError::Refused { status: 404, .. } => RecordsError::UnknownToken,
        CsError::Refused { reason_code, .. } if reason_code == "NOT_SUPPORTED" => {
            RecordsError::NotSupported(Network::Mastercard)
        }
        err => {
            tracing::warn!(error = %err, "MDES record read failed");
            RecordsError::Unavailable(Network::Mastercard)
        }
    }
}

fn status_of(code: TokenStatusCode) -> TokenStatus {
    match code {
        TokenStatusCode::Unmapped => TokenStatus::Inactive,
        TokenStatusCode::Active => TokenStatus::Active,
        TokenStatusCode::Suspended => TokenStatus::Suspended,
        TokenStatusCode::Deleted => TokenStatus::Deactivated,
    }
}

fn party_of(party: Party) -> NetworkParty {
    match party {
        Party::Issuer => NetworkParty::Issuer,
        Party::TokenRequestor => NetworkParty::TokenRequestor,
        Party::Cardholder => NetworkParty::Cardholder,
        Party::MobilePinValidation | Party::MobilePinChangeValidation => NetworkParty::MobilePin,
    }
}

fn view_of(token: &Token) -> NetworkView {
    let status = match (token.current_status_code, token.provisioning_status_code) {
        (Some(TokenStatusCode::Deleted), _) => TokenStatus::Deactivated,
        (Some(TokenStatusCode::Suspended), _) => TokenStatus::Suspended,
        (_, Some(ProvisioningStatusCode::AwaitingActivation)) => TokenStatus::Inactive,
        (Some(TokenStatusCode::Active), _) => TokenStatus::Active,
        (Some(TokenStatusCode::Unmapped) | None, _) => TokenStatus::Inactive,
    };
    let suspenders = token
        .suspenders
        .iter()
        .flat_map(|s| s.suspender.iter())
        .map(|party| match party {
            Party::Issuer => Suspender::Issuer,
            Party::TokenRequestor => Suspender::TokenRequestor,
            Party::Cardholder => Suspender::Cardholder,
            Party::MobilePinValidation | Party::MobilePinChangeValidation => {
                Suspender::MobilePinLocked
            }
        })
        .collect();
    NetworkView::Known { status, suspenders }
}

fn suspend_reason(reason: ActionReason) -> SuspendReason {
    match reason {
        ActionReason::DeviceLost => SuspendReason::DeviceLost,
        ActionReason::DeviceStolen => SuspendReason::DeviceStolen,
        ActionReason::SuspectedFraud | ActionReason::ConfirmedFraud => SuspendReason::FraudReported,
        _ => SuspendReason::Other,
    }
}

fn unsuspend_reason(reason: ActionReason) -> UnsuspendReason {
    match reason {
        ActionReason::DeviceFound => UnsuspendReason::DeviceFound,
        ActionReason::FraudCleared => UnsuspendReason::NoFraud,
        _ => UnsuspendReason::Other,
    }
}

fn delete_reason(reason: ActionReason) -> DeleteReason {
    match reason {
        ActionReason::DeviceLost => DeleteReason::DeviceLost,
        ActionReason::DeviceStolen => DeleteReason::DeviceStolen,
        ActionReason::ConfirmedFraud => DeleteReason::FraudConfirmed,
        ActionReason::AccountClosed => DeleteReason::AccountClosed,
        _ => DeleteReason::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tmp_mdes::customer_service::token::Suspenders;

    #[test]
    fn reasons_map_to_the_specs_codes() {
        assert_eq!(
            serde_json::to_value(suspend_reason(ActionReason::DeviceStolen)).unwrap(),
            "S"
        );
        assert_eq!(
            serde_json::to_value(suspend_reason(ActionReason::SuspectedFraud)).unwrap(),
            "T"
        );
        assert_eq!(
            serde_json::to_value(unsuspend_reason(ActionReason::FraudCleared)).unwrap(),
            "T"
        );
        assert_eq!(
            serde_json::to_value(delete_reason(ActionReason::AccountClosed)).unwrap(),
            "C"
        );
        assert_eq!(
            serde_json::to_value(delete_reason(ActionReason::CardholderRequest)).unwrap(),
            "Z"
        );
    }

    #[test]
    fn mdes_status_and_suspenders_become_ours() {
        // GIVEN a token MDES holds suspended by the issuer and the wallet
        let token = Token {
            token_unique_reference: Some("DWSPMC1".into()),
            current_status_code: Some(TokenStatusCode::Suspended),
            suspenders: Some(Suspenders {
                suspender: vec![Party::Issuer, Party::TokenRequestor],
            }),
            ..Token::default()
        };
        // THEN our view says the same
        assert_eq!(
            view_of(&token),
            NetworkView::Known {
                status: TokenStatus::Suspended,
                suspenders: [Suspender::Issuer, Suspender::TokenRequestor]
                    .into_iter()
                    .collect()
            }
        );
        // AND one awaiting activation is inactive, a deleted one deactivated
        let awaiting = Token {
            current_status_code: Some(TokenStatusCode::Active),
            provisioning_status_code: Some(ProvisioningStatusCode::AwaitingActivation),
            ..Token::default()
        };
        assert!(matches!(
            view_of(&awaiting),
            NetworkView::Known {
                status: TokenStatus::Inactive,
                ..
            }
        ));
        let deleted = Token {
            current_status_code: Some(TokenStatusCode::Deleted),
            ..Token::default()
        };
        assert!(matches!(
            view_of(&deleted),
            NetworkView::Known {
                status: TokenStatus::Deactivated,
                ..
            }
        ));
    }
}
