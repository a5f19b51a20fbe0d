//! Translation: approveProvisioning → the core's AuthorizeCommand, the core's
//! outcome → actionCode / cvv2ResultsCode, and the verification methods.

use serde_json::{Value, json};
use time::OffsetDateTime;
use tmp_core::domain::Network;
use tmp_core::domain::card::{CvcResponse, Expiry};
use tmp_core::domain::decision::{Decision, WalletAdvice};
use tmp_core::domain::delivery::DeliveryChannel;
use tmp_core::domain::verification::{ActivationMethod, ActivationMethodKind};
use tmp_core::usecases::authorize::AuthorizationOutcome;
use tmp_vts::VtsErrorCode;
use tmp_vts::approve_provisioning::ApproveProvisioning;
use tmp_vts::common::{ActionCode, Params, TokenStatus};
use tmp_vts::operation::VtsRequest;
use tmp_vts::payload::CheckedRisk;
use tmp_vts::send_passcode::SendPasscodeRequest;
use tmp_vts::translate::{self, wallet_advice};

use crate::support::*;

#[test]
fn approve_provisioning_becomes_an_authorize_command() {
    // GIVEN an approveProvisioning request with risk information inside encryptedData
    let body = approve_body(&sealed(KID_A, &provisioning_content()));
    let request = ApproveProvisioning::from_parts(&token_params(), body).unwrap();
    // WHEN translated
    let command = translate::approve_provisioning_command(&request, &ring()).unwrap();
    // THEN every field the core uses comes from its Visa source
    assert_eq!(command.message.network, Network::Visa);
    assert_eq!(command.message.request_id, TOKEN_REF);
    assert_eq!(
        command.message.signature,
        format!("{TOKEN_REQUESTOR}|{TOKEN_REF}|V-PANREF-000001")
    );
    assert_eq!(command.token_ref, TOKEN_REF);
    assert_eq!(command.correlation_id, "381234567890123");
    assert_eq!(
        command.pan_unique_reference.as_deref(),
        Some("V-PANREF-000001")
    );
    assert_eq!(command.token_requestor_id.as_deref(), Some(TOKEN_REQUESTOR));
    assert_eq!(command.wallet_id, None);
    assert_eq!(
        command.payment_app_instance_id.as_deref(),
        Some("04A5B1C2D3E4F5")
    );
    assert_eq!(command.token_type, "SECURE_ELEMENT");
    assert_eq!(command.device_name.as_deref(), Some("Jane's Phone"));
    // AND the advice is not in the clear command: it is sealed with the card
    assert_eq!(command.wallet, WalletAdvice::default());
    // AND the card stays sealed until the use case opens it, with its advice
    let card = command.card_data.open(OffsetDateTime::now_utc()).unwrap();
    let advice = card.wallet.unwrap();
    assert_eq!(advice.recommended_decision, Some(Decision::Approved));
    assert_eq!(
        (advice.device_score, advice.account_score),
        (Some(4), Some(5))
    );
    let entered = card.card.unwrap();
    assert_eq!(entered.pan.last4(), "1111");
    assert_eq!(
        entered.expiry,
        Some(Expiry {
            month: 12,
            year: 29
        })
    );
    assert_eq!(card.account_number.unwrap().last4(), "1111");
}

#[test]
fn without_a_trace_id_the_token_reference_correlates() {
    let mut body = approve_body(&sealed(KID_B, &provisioning_content()));
    body.as_object_mut().unwrap().remove("lifeCycleTraceID");
    body.as_object_mut().unwrap().remove("panReferenceID");
    let request = ApproveProvisioning::from_parts(&token_params(), body).unwrap();
    let command = translate::approve_provisioning_command(&request, &ring()).unwrap();
    assert_eq!(command.correlation_id, TOKEN_REF);
    assert_eq!(
        command.message.signature,
        format!("{TOKEN_REQUESTOR}|{TOKEN_REF}|")
    );
}

#[test]
fn wallet_and_visa_advice_are_kept_apart_for_the_decision() {
    let risk = |wallet: Option<u8>, visa: Option<u8>| CheckedRisk {
        wallet_provider_risk_assessment: wallet,
        visa_token_decisioning: visa,
        wallet_provider_device_score: Some(3),
        wallet_provider_account_score: None,
        visa_token_score: Some(50),
    };
    let approve = Some(Decision::Approved);
    let verify = Some(Decision::RequireAdditionalAuthentication);
    let decline = Some(Decision::Declined);
    for (wallet, visa, wallet_says, visa_says) in [
        (None, None, None, None),
        (Some(0), None, approve, None),
        (Some(1), Some(85), verify, verify),
        (Some(2), Some(0), decline, approve),
        (Some(0), Some(5), approve, decline),
    ] {
        // GIVEN the wallet's assessment and Visa's decisioning
        let advice = wallet_advice(&risk(wallet, visa));
        // THEN the core gets each as it is (the decision takes the stricter), and the scores
        assert_eq!(advice.recommended_decision, wallet_says, "{wallet:?}");
        assert_eq!(advice.network_recommendation, visa_says, "{visa:?}");
        assert_eq!((advice.device_score, advice.account_score), (Some(3), None));
        assert_eq!(advice.network_score, Some(50));
    }
}

#[test]
fn outcomes_become_action_codes() {
    for (decision, cvc, action, cvv2) in [
        (
            Decision::Approved,
            Some(CvcResponse::Match),
            "00",
            Some("M"),
        ),
        (
            Decision::RequireAdditionalAuthentication,
            Some(CvcResponse::NotProcessed),
            "85",
            Some("P"),
        ),
        (
            Decision::Declined,
            Some(CvcResponse::Invalid),
            "05",
            Some("N"),
        ),
        (Decision::Declined, None, "05", None),
    ] {
        // GIVEN the core's outcome (a replay answers the same)
        for replayed in [false, true] {
            let outcome = AuthorizationOutcome {
                decision,
                activation_methods: Vec::new(),
                cvc_response: cvc,
                replayed,
            };
            // WHEN answered
            let json =
                serde_json::to_value(translate::approve_provisioning_response(&outcome)).unwrap();
            // THEN Visa's codes
            assert_eq!(json["actionCode"], action);
            assert_eq!(json.get("cvv2ResultsCode").and_then(|v| v.as_str()), cvv2);
        }
    }
    assert_eq!(
        translate::action_code(Decision::Approved),
        ActionCode::Approve
    );
}

#[test]
fn verification_methods_and_passcodes_round_trip_by_identifier() {
    // GIVEN the core's methods for a yellow token
    let methods = [
        ActivationMethod {
            kind: ActivationMethodKind::Sms,
            value: "***-***-0123".into(),
        },
        ActivationMethod {
            kind: ActivationMethodKind::Email,
            value: "j***@e***.com".into(),
        },
        ActivationMethod {
            kind: ActivationMethodKind::CallCentre,
            value: "+44 20 7946 0999".into(),
        },
    ];
    // WHEN answered to getCardholderVerificationMethods
    let json = serde_json::to_value(translate::cardholder_verification_methods(&methods)).unwrap();
    // THEN Visa's types, masked values, opaque identifiers
    assert_eq!(
        json,
        json!({"actionCode": "00", "cardholderVerificationMethod": [
            {"type": "cell_phone", "value": "***-***-0123", "identifier": "cvm-sms"},
            {"type": "email", "value": "j***@e***.com", "identifier": "cvm-email"},
            {"type": "customer_service", "value": "+44 20 7946 0999", "identifier": "cvm-call"}]})
    );
    // AND each identifier leads sendPasscode to its channel
    for (identifier, channel) in [
        ("cvm-sms", DeliveryChannel::Sms),
        ("cvm-email", DeliveryChannel::Email),
        ("cvm-call", DeliveryChannel::Issuer),
    ] {
        let request = SendPasscodeRequest::from_parts(
            &Params::default(),
            json!({"tokenReferenceID": TOKEN_REF, "walletProviderMsgTracing": {"wpRequestId": "wp-9"},
                   "otpMethodIdentifier": identifier, "OTPCode": "482913",
                   "OTPCodeExp": "2026-12-01T11:25:30.000+01:00"}),
        )
        .unwrap();
        let command = translate::send_passcode_command(&request).unwrap();
        assert_eq!(command.channel, channel);
        assert_eq!(command.token_ref, TOKEN_REF);
        assert_eq!(command.message.request_id, "wp-9");
        assert_eq!(command.message.network, Network::Visa);
        assert_eq!(command.code.unwrap().expose(), "482913");
        assert_eq!(command.expires_at.unwrap().unix_timestamp(), 1_796_120_730);
    }
    assert_eq!(
        translate::delivery_channel("sms").unwrap_err().code,
        VtsErrorCode::UnknownMethodIdentifier
    );
}

#[test]
fn token_statuses_map_to_the_core_lifecycle() {
    use tmp_core::domain::token::TokenStatus as Core;
    for (vts, core) in [
        (TokenStatus::Active, Core::Active),
        (TokenStatus::Inactive, Core::Inactive),
        (TokenStatus::Suspended, Core::Suspended),
        (TokenStatus::Deactivated, Core::Deactivated),
    ] {
        assert_eq!(translate::token_status(vts), core);
    }
}

#[test]
fn check_eligibility_keeps_the_card_sealed_and_answers_by_product() {
    use std::collections::HashMap;
    use tmp_core::usecases::check_eligibility::Eligibility;
    use tmp_vts::check_eligibility::{CardMetadataCatalog, CheckEligibilityRequest};
    // GIVEN a checkEligibility request without expiry inside
    let mut content = provisioning_content();
    content["cardholderInfo"]
        .as_object_mut()
        .unwrap()
        .remove("expirationDate");
    let request = CheckEligibilityRequest::from_parts(
        &Params::default(),
        json!({"tokenRequestorID": TOKEN_REQUESTOR, "encryptedData": sealed(KID_A, &content)}),
    )
    .unwrap();
    // WHEN translated THEN the card opens only in the use case, PAN without expiry
    let command = translate::check_eligibility_command(&request, &ring());
    let card = command
        .card_data
        .open(OffsetDateTime::now_utc())
        .unwrap()
        .card
        .unwrap();
    assert_eq!((card.pan.last4(), card.expiry), ("1111", None));
    // AND an eligible product with metadata is 00 with it; without, or ineligible, 05 alone
    let catalog = CardMetadataCatalog::new(HashMap::from([(
        "CONSUMER_DEBIT".to_owned(),
        crate::hostile::metadata(),
    )]))
    .unwrap();
    let eligible = |product: &str| Eligibility::Eligible {
        product_category: product.to_owned(),
    };
    let answer = |e: &Eligibility| {
        serde_json::to_value(translate::check_eligibility_response(e, &catalog)).unwrap()
    };
    let json = answer(&eligible("CONSUMER_DEBIT"));
    assert_eq!(json["actionCode"], "00");
    assert_eq!(json["cardMetadataInfo"]["cardIssuer"], "Example Bank");
    assert_eq!(answer(&eligible("PREPAID")), json!({"actionCode": "05"}));
    assert_eq!(
        answer(&Eligibility::NotEligible),
        json!({"actionCode": "05"})
    );
}

#[test]
fn token_changed_becomes_a_token_change_with_the_card() {
    use tmp_core::domain::token::TokenStatus as Core;
    use tmp_core::usecases::token_changed::TokenChangeKind;
    use tmp_vts::token_changed::TokenChanged;
    // GIVEN a TOKEN_CREATED notice with the token and card inside encryptedData
    let body = json!({
        "messageReasonCode": "3700",
        "dateTimeOfEvent": "2026-12-01T10:15:30.123Z",
        "deviceInfo": {"deviceID": "04A5B1C2D3E4F5", "deviceName": "SmFuZSdzIFBob25l"},
        "encryptedData": sealed(KID_B, &token_changed_content())
    });
    let request = TokenChanged::from_parts(
        &token_changed_params("TOKEN_CREATED", "evt-0001"),
        body.clone(),
    )
    .unwrap();
    // WHEN translated
    let command = translate::token_changed_command(&request, &ring()).unwrap();
    // THEN the event id is the ledger key, the status and card come from inside
    assert_eq!(command.message.network, Network::Visa);
    assert_eq!(command.message.request_id, "evt-0001");
    assert_eq!(
        command.message.signature,
        format!("{TOKEN_REQUESTOR}|{TOKEN_REF}|TOKEN_CREATED|ACTIVE|3700|2026-12-01T10:15:30.123Z")
    );
    assert_eq!(command.token_ref, TOKEN_REF);
    assert_eq!(command.kind, TokenChangeKind::Created);
    assert_eq!(command.status, Core::Active);
    assert_eq!(command.reason_code.as_deref(), Some("3700"));
    assert_eq!(command.event_time.unwrap().unix_timestamp(), 1_796_120_130);
    assert_eq!(command.event_time_field, "dateTimeOfEvent");
    assert_eq!(command.pan.as_ref().unwrap().expose(), PAN);
    let a = &command.attributes;
    assert_eq!(a.token_requestor_id.as_deref(), Some(TOKEN_REQUESTOR));
    assert_eq!(a.token_type.as_deref(), Some("SECURE_ELEMENT"));
    assert_eq!(a.token_last4.as_deref(), Some("3478"));
    assert_eq!(a.token_expiry.as_deref(), Some("0330"));
    assert_eq!(a.payment_app_instance_id.as_deref(), Some("04A5B1C2D3E4F5"));
    assert_eq!(a.device_name.as_deref(), Some("Jane's Phone"));
    assert_eq!(a.pan_last4.as_deref(), Some("1111"));
    // AND the same notice re-encrypted is the same message
    let mut again = body;
    again["encryptedData"] = json!(sealed(KID_A, &token_changed_content()));
    let request =
        TokenChanged::from_parts(&token_changed_params("TOKEN_CREATED", "evt-0001"), again)
            .unwrap();
    let retried = translate::token_changed_command(&request, &ring()).unwrap();
    assert_eq!(retried.message.signature, command.message.signature);
}

#[test]
fn token_changed_refuses_what_it_cannot_open_as_one_cryptography_error() {
    use tmp_vts::token_changed::TokenChanged;
    let mut no_card = token_changed_content();
    no_card.as_object_mut().unwrap().remove("cardholderInfo");
    let ok_body = |content: &Value, kid: &str| {
        json!({"messageReasonCode": "3701", "dateTimeOfEvent": "2026-12-01T10:15:30.123Z",
               "encryptedData": sealed(kid, content)})
    };
    // GIVEN a status update without the card THEN it is read (the card is optional)
    let request = TokenChanged::from_parts(
        &token_changed_params("TOKEN_STATUS_UPDATED", "evt-2"),
        ok_body(&no_card, KID_A),
    )
    .unwrap();
    let command = translate::token_changed_command(&request, &ring()).unwrap();
    assert!(command.pan.is_none());
    assert_eq!(command.attributes.pan_last4, None);
    // GIVEN a TOKEN_CREATED without the card, or for a key not ours THEN ISE40010
    for (event_type, content, kid) in [
        ("TOKEN_CREATED", &no_card, KID_A),
        ("TOKEN_STATUS_UPDATED", &token_changed_content(), STRANGER),
    ] {
        let request = TokenChanged::from_parts(
            &token_changed_params(event_type, "evt-3"),
            ok_body(content, kid),
        )
        .unwrap();
        let err = translate::token_changed_command(&request, &ring())
            .err()
            .unwrap();
        assert_eq!(err, tmp_vts::VtsError::cryptography(), "{event_type} {kid}");
    }
}
