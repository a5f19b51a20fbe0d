//! Translation at the edge: VTS requests become core commands, core results
//! become VTS answers. The core never sees a VTS type.

use std::sync::Arc;

use tmp_core::domain::Network;
use tmp_core::domain::card::CvcResponse;
use tmp_core::domain::decision::{Decision, WalletAdvice};
use tmp_core::domain::delivery::DeliveryChannel;
use tmp_core::domain::token;
use tmp_core::domain::verification::{ActivationMethod, ActivationMethodKind};
use tmp_core::ports::TokenAttributes;
use tmp_core::usecases::authorize::{AuthorizationOutcome, AuthorizeCommand};
use tmp_core::usecases::check_eligibility::{CheckEligibilityCommand, Eligibility};
use tmp_core::usecases::deliver_activation_code::DeliverActivationCodeCommand;
use tmp_core::usecases::ledger::{Message, signature};
use tmp_core::usecases::token_changed::{TokenChangeCommand, TokenChangeKind};

use crate::VtsError;
use crate::approve_provisioning::{
    ApproveProvisioning, ApproveProvisioningResponse, Cvv2ResultsCode,
};
use crate::card_data::VtsCardData;
use crate::cardholder_verification_methods::{
    CardholderVerificationMethod, CardholderVerificationMethodType,
    GetCardholderVerificationMethodsResponse,
};
use crate::check_eligibility::{
    CardMetadataCatalog, CheckEligibilityRequest, CheckEligibilityResponse,
};
use crate::common::{ActionCode, TokenStatus};
use crate::jwe::VtsKeyRing;
use crate::payload::{CheckedRisk, DecryptedData};
use crate::send_passcode::SendPasscodeRequest;
use crate::token_changed::{EventType, TokenChanged};

/// An enum's name as Visa spells it on the wire (`MOBILE_PHONE`, `ANDROID`).
fn wire_text<T: serde::Serialize>(value: &T) -> Option<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => Some(name),
        _ => None,
    }
}

fn message(request_id: &str, parts: &[&str]) -> Message {
    Message {
        network: Network::Visa,
        request_id: request_id.to_owned(),
        signature: signature(parts),
    }
}

/// The wallet's and Visa's advice in the core's terms: the wallet's
/// `walletProviderRiskAssessment` (0 approve, 1 approve with verification,
/// 2 decline) and scores, and Visa's own `visaTokenDecisioning` (00, 85, 05)
/// and `visaTokenScore`, each recorded on its own in the decision (the core
/// never lets a confident wallet override Visa's step-up or decline).
pub fn wallet_advice(risk: &CheckedRisk) -> WalletAdvice {
    let wallet = risk.wallet_provider_risk_assessment.and_then(|r| match r {
        0 => Some(Decision::Approved),
        1 => Some(Decision::RequireAdditionalAuthentication),
        2 => Some(Decision::Declined),
        _ => None,
    });
    let visa = risk.visa_token_decisioning.and_then(|d| match d {
        0 => Some(Decision::Approved),
        85 => Some(Decision::RequireAdditionalAuthentication),
        5 => Some(Decision::Declined),
        _ => None,
    });
    WalletAdvice {
        recommended_decision: wallet,
        device_score: risk.wallet_provider_device_score,
        account_score: risk.wallet_provider_account_score,
        network_recommendation: visa,
        network_score: risk.visa_token_score,
    }
}

/// approveProvisioning as the core's tokenization authorization.
///
/// The wallet's and Visa's advice travel inside `encryptedData`: the use
/// case reads them with the card when it opens it (one decryption).
///
/// The ledger key is the `tokenReferenceID` (one approval per token; a
/// retry by VTS carries the same), with the requestor and PAN reference as
/// the message's identity.
pub fn approve_provisioning_command(
    request: &ApproveProvisioning,
    keys: &Arc<VtsKeyRing>,
) -> Result<AuthorizeCommand, VtsError> {
    let path = &request.path;
    let body = &request.body;
    let card_data = VtsCardData::for_provisioning(&body.encrypted_data, keys);
    let token_ref = path.token_reference_id.as_str();
    let pan_reference = body.pan_reference_id.as_deref().unwrap_or("");
    let device = body.device_info.as_ref();
    Ok(AuthorizeCommand {
        message: message(
            token_ref,
            &[&path.token_requestor_id, token_ref, pan_reference],
        ),
        correlation_id: body
            .life_cycle_trace_id
            .clone()
            .unwrap_or_else(|| token_ref.to_owned()),
        token_ref: token_ref.to_owned(),
        pan_unique_reference: body.pan_reference_id.clone(),
        token_requestor_id: Some(path.token_requestor_id.clone()),
        wallet_id: None,
        payment_app_instance_id: device.and_then(|d| d.device_id.clone()),
        token_type: body.token_info.token_type.as_str().to_owned(),
        device_name: device.and_then(|d| d.decoded_name()),
        device_type: device
            .and_then(|d| d.device_type)
            .and_then(|t| wire_text(&t)),
        device_os: device.and_then(|d| d.os_type).and_then(|o| wire_text(&o)),
        // In the encrypted riskInformation: the opened card data carries it.
        wallet: WalletAdvice::default(),
        card_data: card_data.sealed(),
    })
}

pub fn action_code(decision: Decision) -> ActionCode {
    match decision {
        Decision::Approved => ActionCode::Approve,
        Decision::RequireAdditionalAuthentication => ActionCode::ApproveWithVerification,
        Decision::Declined => ActionCode::Decline,
    }
}

pub fn cvv2_results_code(cvc: CvcResponse) -> Cvv2ResultsCode {
    match cvc {
        CvcResponse::Match => Cvv2ResultsCode::Match,
        CvcResponse::Invalid => Cvv2ResultsCode::NoMatch,
        CvcResponse::NotProcessed => Cvv2ResultsCode::NotProcessed,
    }
}

/// The core's decision as approveProvisioning's answer (a replayed outcome
/// answers the same).
pub fn approve_provisioning_response(
    outcome: &AuthorizationOutcome,
) -> ApproveProvisioningResponse {
    ApproveProvisioningResponse {
        action_code: action_code(outcome.decision),
        cvv2_results_code: outcome.cvc_response.map(cvv2_results_code),
    }
}

/// The opaque `identifier` of each kind of method: stable, so sendPasscode
/// can be resolved without storing what getCardholderVerificationMethods
/// answered. It reveals nothing the method's `type` does not.
pub fn method_identifier(kind: ActivationMethodKind) -> &'static str {
    match kind {
        ActivationMethodKind::Sms => "cvm-sms",
        ActivationMethodKind::Email => "cvm-email",
        ActivationMethodKind::CallCentre => "cvm-call",
    }
}

fn method_type(kind: ActivationMethodKind) -> CardholderVerificationMethodType {
    match kind {
        ActivationMethodKind::Sms => CardholderVerificationMethodType::CellPhone,
        ActivationMethodKind::Email => CardholderVerificationMethodType::Email,
        ActivationMethodKind::CallCentre => CardholderVerificationMethodType::CustomerService,
    }
}

/// The core's methods (masked phone, masked e-mail, call centre) as
/// getCardholderVerificationMethods' answer.
pub fn cardholder_verification_methods(
    methods: &[ActivationMethod],
) -> GetCardholderVerificationMethodsResponse {
    GetCardholderVerificationMethodsResponse {
        action_code: ActionCode::Approve,
        cardholder_verification_method: methods
            .iter()
            .map(|m| CardholderVerificationMethod {
                method_type: method_type(m.kind),
                value: m.value.clone(),
                identifier: method_identifier(m.kind).to_owned(),
            })
            .collect(),
    }
}

/// How sendPasscode's code reaches the cardholder; an identifier we never
/// gave out is `ISE40501`.
pub fn delivery_channel(otp_method_identifier: &str) -> Result<DeliveryChannel, VtsError> {
    [
        ActivationMethodKind::Sms,
        ActivationMethodKind::Email,
        ActivationMethodKind::CallCentre,
    ]
    .into_iter()
    .find(|k| method_identifier(*k) == otp_method_identifier)
    .map(|kind| match kind {
        ActivationMethodKind::Sms => DeliveryChannel::Sms,
        ActivationMethodKind::Email => DeliveryChannel::Email,
        ActivationMethodKind::CallCentre => DeliveryChannel::Issuer,
    })
    .ok_or_else(VtsError::unknown_method_identifier)
}

/// sendPasscode as the core's code delivery: Visa's code and expiry are
/// relayed. The ledger key is the wallet provider's `wpRequestId`.
pub fn send_passcode_command(
    request: &SendPasscodeRequest,
) -> Result<DeliverActivationCodeCommand, VtsError> {
    let channel = delivery_channel(&request.otp_method_identifier)?;
    let token_ref = request.token_reference_id.as_str();
    Ok(DeliverActivationCodeCommand {
        message: message(
            &request.wallet_provider_msg_tracing.wp_request_id,
            &[
                token_ref,
                &request.otp_method_identifier,
                &request.otp_code_exp,
            ],
        ),
        token_ref: token_ref.to_owned(),
        channel,
        code: Some(request.otp_code.clone()),
        expires_at: Some(request.expires_at()?),
        expires_at_field: "OTPCodeExp",
        // Visa sending the same code again is a duplicate, not a resend request.
        resend_same_code: false,
    })
}

/// A VTS token status in the core's lifecycle.
pub fn token_status(status: TokenStatus) -> token::TokenStatus {
    match status {
        TokenStatus::Active => token::TokenStatus::Active,
        TokenStatus::Inactive => token::TokenStatus::Inactive,
        TokenStatus::Suspended => token::TokenStatus::Suspended,
        TokenStatus::Deactivated => token::TokenStatus::Deactivated,
    }
}

/// checkEligibility as the core's eligibility check: the card stays sealed
/// until the use case opens it (PAN required, expiry and CVV2 if sent).
pub fn check_eligibility_command(
    request: &CheckEligibilityRequest,
    keys: &Arc<VtsKeyRing>,
) -> CheckEligibilityCommand {
    CheckEligibilityCommand {
        card_data: VtsCardData::for_eligibility(&request.encrypted_data, keys).sealed(),
    }
}

/// The core's eligibility as checkEligibility's answer: `00` with the
/// product's card metadata, else `05` alone.
pub fn check_eligibility_response(
    eligibility: &Eligibility,
    catalog: &CardMetadataCatalog,
) -> CheckEligibilityResponse {
    match eligibility {
        Eligibility::Eligible { product_category } => match catalog.get(product_category) {
            Some(metadata) => CheckEligibilityResponse::eligible(metadata.clone()),
            // A product the issuer configured no metadata for is not
            // eligible: the wallet could not show the card (no art, no terms
            // to accept), so it must not be provisioned. The answer does not
            // say why, like every other ineligible card.
            None => {
                tracing::warn!(
                    product_category = %product_category,
                    "eligible card of a product without card metadata: answered not eligible"
                );
                CheckEligibilityResponse::ineligible()
            }
        },
        Eligibility::NotEligible => CheckEligibilityResponse::ineligible(),
    }
}

/// tokenChanged as the core's token change. `encryptedData` is opened here:
/// the status and the card are the command itself (every failure, from the
/// JWE to a field inside, is the one `ISE40010`).
///
/// The ledger key is the `eventID`; the message's identity is the path, the
/// event type, the status and the event's reason and time (not the JWE,
/// which a re-encrypted retry changes).
pub fn token_changed_command(
    request: &TokenChanged,
    keys: &VtsKeyRing,
) -> Result<TokenChangeCommand, VtsError> {
    let body = &request.body;
    let kind = match request.event_type {
        EventType::TokenCreated => TokenChangeKind::Created,
        EventType::TokenStatusUpdated => TokenChangeKind::StatusUpdated,
    };
    // TOKEN_CREATED must carry the card: a token new to us is counted on it.
    let data = DecryptedData::open(keys, &body.encrypted_data)?
        .for_token_changed(kind == TokenChangeKind::Created)?;
    let path = &request.path;
    let status = token_status(data.token_status);
    let reason_code = body.message_reason_code.as_deref().unwrap_or("");
    Ok(TokenChangeCommand {
        message: message(
            &request.event_id,
            &[
                &path.token_requestor_id,
                &path.token_reference_id,
                request.event_type.as_str(),
                status.as_str(),
                reason_code,
                &body.date_time_of_event,
            ],
        ),
        token_ref: path.token_reference_id.clone(),
        kind,
        status,
        reason_code: body.message_reason_code.clone(),
        event_time: Some(body.event_time()?),
        event_time_field: "dateTimeOfEvent",
        pan: data.pan,
        attributes: TokenAttributes {
            token_requestor_id: Some(path.token_requestor_id.clone()),
            token_type: data.token_type.map(|t| t.as_str().to_owned()),
            token_last4: Some(data.token_last4),
            token_expiry: data.token_expiry,
            payment_app_instance_id: body.device_id().map(str::to_owned),
            device_name: body.device_info.as_ref().and_then(|d| d.decoded_name()),
            pan_last4: data.pan_last4,
            ..TokenAttributes::default()
        },
    })
}
