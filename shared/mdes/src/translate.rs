//! Translation at the edge: MDES requests become core commands, core results
//! become MDES answers. The core never sees an MDES type.

use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tmp_core::domain::Network;
use tmp_core::domain::activation_code::CodeCheck;
use tmp_core::domain::delivery::DeliveryChannel;
use tmp_core::domain::token::{self, Change};
use tmp_core::domain::verification::{ActivationMethod as CoreMethod, ActivationMethodKind};
use tmp_core::ports::TokenAttributes;
use tmp_core::usecases::authorize::{AuthorizationOutcome, AuthorizeCommand};
use tmp_core::usecases::deliver_activation_code::DeliverActivationCodeCommand;
use tmp_core::usecases::ledger::{Message, signature};
use tmp_core::usecases::notify_activated::NotifyActivatedCommand;
use tmp_core::usecases::request_activation_methods::RequestActivationMethodsCommand;
use tmp_core::usecases::suspicious_activity::SuspiciousActivityCommand;
use tmp_core::usecases::update_tokens::{TokenUpdate, UpdateTokensCommand};
use tmp_core::usecases::validate_activation_code::ValidateActivationCodeCommand;

use crate::MdesError;
use crate::activation_method::{ActivationMethod, ActivationMethodType};
use crate::authorize_service::{AuthorizeServiceRequest, AuthorizeServiceResponse, DIGITIZATION};
use crate::card_data::MdesCardData;
use crate::deliver_activation_code::DeliverActivationCodeRequest;
use crate::fle::MdesKeyRing;
use crate::notify_service_activated::NotifyServiceActivatedRequest;
use crate::notify_suspicious_events::NotifySuspiciousEventsRequest;
use crate::notify_token_updated::{self as ntu, NotifyTokenUpdatedRequest, TokenUpdateReason};
use crate::request_activation_methods::RequestActivationMethodsRequest;
use crate::validate_activation_code::{ValidateActivationCodeRequest, ValidationResult};

fn message(request_id: &str, parts: &[&str]) -> Message {
    Message {
        network: Network::Mastercard,
        request_id: request_id.to_owned(),
        signature: signature(parts),
    }
}

/// An MDES enum's wire name.
fn wire_name<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

fn parse_time(field: &str, value: &str) -> Result<OffsetDateTime, MdesError> {
    OffsetDateTime::parse(value, &Rfc3339).map_err(|_| MdesError::format(field))
}

pub fn authorize_command(
    request: &AuthorizeServiceRequest,
    keys: &Arc<MdesKeyRing>,
) -> AuthorizeCommand {
    let fai = &request.funding_account_info;
    // The clear (non-card) identity of the request: a retry must carry the same.
    let parts = [
        Some(request.correlation_id.as_str()),
        fai.token_unique_reference.as_deref(),
        fai.pan_unique_reference.as_deref(),
        request.token_requestor_id.as_deref(),
    ]
    .map(|v| v.unwrap_or(""));
    AuthorizeCommand {
        message: message(&request.request_id, &parts),
        correlation_id: request.correlation_id.clone(),
        // MDES always sends tokenUniqueReference; without it the provisioning
        // is tracked by its correlation id.
        token_ref: fai
            .token_unique_reference
            .clone()
            .unwrap_or_else(|| format!("CORRELATION-{}", request.correlation_id)),
        pan_unique_reference: fai.pan_unique_reference.clone(),
        token_requestor_id: request.token_requestor_id.clone(),
        wallet_id: request.wallet_id.clone(),
        payment_app_instance_id: request.payment_app_instance_id.clone(),
        token_type: request.token_type.clone(),
        device_name: request
            .device_info
            .as_ref()
            .and_then(|d| d.device_name.clone()),
        device_type: request
            .device_info
            .as_ref()
            .and_then(|d| d.form_factor.clone().or_else(|| d.iso_device_type.clone())),
        device_os: request.device_info.as_ref().and_then(|d| d.os_name.clone()),
        wallet: request.wallet_advice().unwrap_or_default(),
        card_data: MdesCardData::sealed(&fai.encrypted_payload, keys),
    }
}

pub fn activation_method(method: &CoreMethod) -> ActivationMethod {
    ActivationMethod {
        method_type: match method.kind {
            ActivationMethodKind::Sms => ActivationMethodType::TextToCardholderNumber,
            ActivationMethodKind::Email => ActivationMethodType::EmailToCardholderAddress,
            ActivationMethodKind::CallCentre => ActivationMethodType::CardholderToCallMannedNumber,
        },
        value: method.value.clone(),
    }
}

pub fn authorize_response(
    outcome: AuthorizationOutcome,
    response_id: String,
) -> AuthorizeServiceResponse {
    AuthorizeServiceResponse {
        response_id,
        services: vec![DIGITIZATION.to_owned()],
        decision: outcome.decision,
        activation_methods: (!outcome.activation_methods.is_empty()).then(|| {
            outcome
                .activation_methods
                .iter()
                .map(activation_method)
                .collect()
        }),
        pan_sequence_number: None,
        cvc_response: outcome.cvc_response,
        token_requestor_id: None,
    }
}

pub fn request_activation_methods_command(
    request: &RequestActivationMethodsRequest,
    keys: &Arc<MdesKeyRing>,
) -> RequestActivationMethodsCommand {
    let fai = &request.funding_account_info;
    RequestActivationMethodsCommand {
        token_ref: fai.token_unique_reference.clone(),
        card_data: MdesCardData::sealed(&fai.encrypted_payload, keys),
    }
}

fn channel(method: ActivationMethodType) -> DeliveryChannel {
    match method {
        ActivationMethodType::TextToCardholderNumber => DeliveryChannel::Sms,
        ActivationMethodType::EmailToCardholderAddress => DeliveryChannel::Email,
        _ => DeliveryChannel::Issuer,
    }
}

pub fn deliver_activation_code_command(
    request: &DeliverActivationCodeRequest,
) -> Result<DeliverActivationCodeCommand, MdesError> {
    let method = wire_name(&request.activation_method.method_type).unwrap_or_default();
    let token_ref = request.token_unique_reference.as_str();
    Ok(DeliverActivationCodeCommand {
        message: message(
            &request.request_id,
            &[token_ref, &request.correlation_id, &method],
        ),
        token_ref: token_ref.to_owned(),
        channel: channel(request.activation_method.method_type),
        code: request.activation_code.clone(),
        expires_at: match (&request.activation_code, &request.expiration_date_time) {
            (Some(_), Some(raw)) => Some(parse_time("expirationDateTime", raw)?),
            _ => None,
        },
        expires_at_field: "expirationDateTime",
        // MDES handing over the code in force again asks for it to be re-sent.
        resend_same_code: true,
    })
}

pub fn validate_activation_code_command(
    request: &ValidateActivationCodeRequest,
) -> ValidateActivationCodeCommand {
    let token_ref = request.token_unique_reference.as_str();
    ValidateActivationCodeCommand {
        message: message(&request.request_id, &[token_ref, &request.correlation_id]),
        token_ref: token_ref.to_owned(),
        code: request.activation_code.clone(),
    }
}

pub fn validation_result(check: CodeCheck) -> ValidationResult {
    match check {
        CodeCheck::Success => ValidationResult::Success,
        CodeCheck::IncorrectCode => ValidationResult::IncorrectCode,
        CodeCheck::IncorrectCodeRetriesExceeded => ValidationResult::IncorrectCodeRetriesExceeded,
        CodeCheck::ExpiredCode => ValidationResult::ExpiredCode,
    }
}

pub fn notify_activated_command(
    request: &NotifyServiceActivatedRequest,
    keys: &Arc<MdesKeyRing>,
) -> Result<NotifyActivatedCommand, MdesError> {
    let fai = &request.funding_account_info;
    let token_ref = fai.token_unique_reference.as_str();
    let device_name = request
        .device_info
        .as_ref()
        .and_then(|d| d.device_name.clone());
    let decision_made_by = request.decision_made_by.as_ref().and_then(wire_name);
    Ok(NotifyActivatedCommand {
        message: message(&request.request_id, &[token_ref, &request.correlation_id]),
        token_ref: token_ref.to_owned(),
        card_data: MdesCardData::sealed(&fai.encrypted_payload, keys),
        activated_at: parse_time("tokenActivatedDateTime", &request.token_activated_date_time)?,
        activated_at_field: "tokenActivatedDateTime",
        decision_made_by: decision_made_by.clone(),
        account_pan_suffix: request.account_pan_suffix.clone(),
        attributes: TokenAttributes {
            activated_at: Some(request.token_activated_date_time.clone()),
            token_requestor_id: Some(request.token_requestor_id.clone()),
            token_type: Some(request.token_type.clone()),
            wallet_id: request.wallet_id.clone(),
            payment_app_instance_id: request.payment_app_instance_id.clone(),
            device_name: device_name.clone(),
            language: request.consumer_language.clone(),
            decision_made_by,
            ..TokenAttributes::default()
        },
        details: serde_json::json!({
            "decision": request.decision,
            "decisionMadeBy": request.decision_made_by,
            "tokenType": request.token_type,
            "deviceName": device_name,
        }),
    })
}

fn suspender(s: ntu::Suspender) -> token::Suspender {
    match s {
        ntu::Suspender::Issuer => token::Suspender::Issuer,
        ntu::Suspender::PaymentAppProvider => token::Suspender::PaymentAppProvider,
        ntu::Suspender::TokenRequestor => token::Suspender::TokenRequestor,
        ntu::Suspender::MobilePinLocked => token::Suspender::MobilePinLocked,
        ntu::Suspender::Cardholder => token::Suspender::Cardholder,
    }
}

fn status(s: ntu::TokenStatus) -> token::TokenStatus {
    match s {
        ntu::TokenStatus::Inactive => token::TokenStatus::Inactive,
        ntu::TokenStatus::Active => token::TokenStatus::Active,
        ntu::TokenStatus::Suspended => token::TokenStatus::Suspended,
        ntu::TokenStatus::Deactivated => token::TokenStatus::Deactivated,
    }
}

pub fn update_tokens_command(request: &NotifyTokenUpdatedRequest) -> UpdateTokensCommand {
    let refs: Vec<&str> = request
        .tokens
        .iter()
        .map(|t| t.token_unique_reference.as_str())
        .collect();
    let reason = wire_name(&request.reason_code).unwrap_or_default();
    let updates = request
        .tokens
        .iter()
        .map(|update| TokenUpdate {
            token_ref: update.token_unique_reference.clone(),
            change: match (request.reason_code, update.status) {
                (_, Some(ntu::TokenStatus::Deactivated))
                | (TokenUpdateReason::DeletedFromConsumerApp, None) => Some(Change::Delete),
                (_, Some(s)) => Some(Change::SetStatus {
                    status: status(s),
                    suspended_by: update.suspended_by.iter().copied().map(suspender).collect(),
                }),
                (_, None) => None,
            },
            initial_status: update.status.map_or(token::TokenStatus::Inactive, status),
            token_expiry: update.token_expiry.clone(),
            details: serde_json::json!({"suspendedBy": update.suspended_by}),
        })
        .collect();
    UpdateTokensCommand {
        message: message(&request.request_id, &[&reason, &refs.join(",")]),
        announces_update: matches!(
            request.reason_code,
            TokenUpdateReason::RedigitizationComplete | TokenUpdateReason::FundingAccountUpdate
        ),
        reason_code: reason,
        updates,
    }
}

pub fn suspicious_activity_command(
    request: &NotifySuspiciousEventsRequest,
) -> SuspiciousActivityCommand {
    let token_ref = request.token_unique_reference.as_str();
    SuspiciousActivityCommand {
        message: message(&request.request_id, &[token_ref]),
        token_ref: token_ref.to_owned(),
        event_name: wire_name(&request.events.event_name),
        status: status(request.status),
        details: serde_json::to_value(&request.events).unwrap_or_default(),
    }
}
