//! The simulated VTS's tokens: one state each (ACTIVE, INACTIVE, SUSPENDED,
//! DEACTIVATED; no suspender list on Visa's side), the lifecycle codes
//! 3701/3702/3703/3713 as transitions, 3720/3721 recorded on the token, and
//! every answer kept by `requestID` (a repeated `requestID` gets the first
//! answer and applies nothing).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use tmp_vts::lifecycle::{LifecycleRequest, MessageReasonCode, TokenDetail, TokenState};

/// Why VTS refuses a lifecycle request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed: the field named (our field name, never the value).
    Invalid(&'static str),
    NotFound,
    WrongState,
}

/// `POST /_local/vts/tokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VtsRegistration {
    #[serde(rename = "tokenReferenceID")]
    pub token_reference_id: String,
    #[serde(rename = "tokenRequestorID")]
    pub token_requestor_id: String,
    pub status: TokenState,
    #[serde(rename = "panReferenceID", default)]
    pub pan_reference_id: Option<String>,
    #[serde(rename = "lastFourOfPAN", default)]
    pub last_four_of_pan: Option<String>,
    #[serde(rename = "tokenExpiration", default)]
    pub token_expiration: Option<String>,
}

/// Now as Visa writes times (`yyyy-MM-dd'T'HH:mm:ss.SSSZ`).
pub fn visa_now() -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

pub fn state_name(state: TokenState) -> &'static str {
    match state {
        TokenState::Active => "ACTIVE",
        TokenState::Inactive => "INACTIVE",
        TokenState::Suspended => "SUSPENDED",
        TokenState::Deactivated => "DEACTIVATED",
    }
}

#[derive(Debug, Clone)]
pub struct VtsToken {
    pub reference: String,
    pub requestor: String,
    pub state: TokenState,
    pub pan_reference_id: Option<String>,
    pub last_four_of_pan: Option<String>,
    /// Set by a PAN update (3721): the card the token was on before.
    pub last_four_of_previous_pan: Option<String>,
    /// The card's expiry as the last update set it (`MM/YYYY`).
    pub pan_expiration: Option<String>,
    pub token_expiration: Option<String>,
    pub updated_at: String,
    pub entity_of_last_action: Option<String>,
    pub history: Vec<Value>,
    pub updates: Vec<Value>,
}

impl VtsToken {
    pub fn detail(&self) -> TokenDetail {
        TokenDetail {
            token_reference_id: self.reference.clone(),
            token_requestor_id: Some(self.requestor.clone()),
            pan_reference_id: self.pan_reference_id.clone(),
            token_state: self.state,
            last_token_status_updated_time: Some(self.updated_at.clone()),
            entity_of_last_action: self.entity_of_last_action.clone(),
            last_four_of_pan: self.last_four_of_pan.clone(),
            token_expiration: self.token_expiration.clone(),
        }
    }

    /// `GET /_local/vts/tokens/{tokenReferenceID}`.
    pub fn view(&self) -> Value {
        json!({
            "tokenReferenceID": self.reference,
            "tokenRequestorID": self.requestor,
            "status": state_name(self.state),
            "panReferenceID": self.pan_reference_id,
            "lastFourOfPAN": self.last_four_of_pan,
            "lastFourOfPreviousPAN": self.last_four_of_previous_pan,
            "panExpiration": self.pan_expiration,
            "tokenExpiration": self.token_expiration,
            "lastTokenStatusUpdatedTime": self.updated_at,
            "entityOfLastAction": self.entity_of_last_action,
            "history": self.history,
            "updates": self.updates,
        })
    }
}

/// Checks what Visa would refuse before looking at the token.
pub fn check(request: &LifecycleRequest) -> Result<(), Refusal> {
    let bounded = |value: &str, max: usize| !value.is_empty() && value.len() <= max;
    if !bounded(&request.request_id, tmp_vts::lifecycle::MAX_REQUEST_ID_LEN) {
        return Err(Refusal::Invalid("requestID"));
    }
    if !bounded(&request.operator_id, 64) {
        return Err(Refusal::Invalid("operatorID"));
    }
    if !bounded(&request.token_reference_id, 64) {
        return Err(Refusal::Invalid("tokenReferenceID"));
    }
    let requestor = &request.token_requestor_id;
    if requestor.len() != 11 || !requestor.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::Invalid("tokenRequestorID"));
    }
    if request.operation_type != request.message_reason_code.operation_type() {
        return Err(Refusal::Invalid("operationType"));
    }
    let update = matches!(
        request.message_reason_code,
        MessageReasonCode::ExpiryUpdate | MessageReasonCode::PanUpdate
    );
    if update && request.cardholder_info.is_none() {
        return Err(Refusal::Invalid("cardholderInfo"));
    }
    Ok(())
}

/// What a card update's `cardholderInfo` said, once opened with Visa's key
/// (the PAN kept as its last four only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedCard {
    pub pan_last4: Option<String>,
    /// `MM/YYYY`.
    pub expiry: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CardholderUpdate {
    primary_account_number: Option<String>,
    expiration_date: Option<ExpirationDate>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpirationDate {
    month: String,
    year: String,
}

/// Opens the `cardholderInfo` of a 3720 / 3721 with Visa's key, as Visa
/// would: a PAN update must carry a valid PAN, an expiry update an expiry;
/// anything unreadable is refused naming `cardholderInfo`. `None` for the
/// other codes.
pub fn open_card(
    ring: Option<&tmp_vts::jwe::VtsKeyRing>,
    request: &LifecycleRequest,
) -> Result<Option<OpenedCard>, Refusal> {
    let code = request.message_reason_code;
    if !matches!(
        code,
        MessageReasonCode::ExpiryUpdate | MessageReasonCode::PanUpdate
    ) {
        return Ok(None);
    }
    let refused = Refusal::Invalid("cardholderInfo");
    let (Some(ring), Some(info)) = (ring, &request.cardholder_info) else {
        return Err(refused);
    };
    let plain = ring.decrypt(&info.encrypted_data).map_err(|_| refused)?;
    let update: CardholderUpdate = serde_json::from_slice(plain.expose()).map_err(|_| refused)?;
    let pan = update
        .primary_account_number
        .as_deref()
        .map(|p| p.parse::<tmp_core::secret::Pan>().map_err(|_| refused))
        .transpose()?;
    let expiry = match &update.expiration_date {
        Some(e) => {
            let month_ok =
                e.month.len() == 2 && e.month.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m));
            let year_ok = e.year.len() == 4 && e.year.bytes().all(|b| b.is_ascii_digit());
            if !(month_ok && year_ok) {
                return Err(refused);
            }
            Some(format!("{}/{}", e.month, e.year))
        }
        None => None,
    };
    let complete = match code {
        MessageReasonCode::PanUpdate => pan.is_some(),
        _ => pan.is_none() && expiry.is_some(),
    };
    if !complete {
        return Err(refused);
    }
    Ok(Some(OpenedCard {
        pan_last4: pan.map(|p| p.last4().to_owned()),
        expiry,
    }))
}

#[derive(Default)]
pub struct VtsBook {
    pub tokens: HashMap<String, VtsToken>,
    /// The first answer to each `requestID`: (HTTP status, body).
    pub answers: HashMap<String, (u16, Value)>,
}

impl VtsBook {
    /// Creates or overwrites a token silently (no notification).
    pub fn register(&mut self, r: VtsRegistration) -> Result<&VtsToken, &'static str> {
        if r.token_reference_id.is_empty() || r.token_reference_id.len() > 64 {
            return Err("tokenReferenceID must have 1 to 64 characters");
        }
        if r.token_requestor_id.len() != 11
            || !r.token_requestor_id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err("tokenRequestorID must be 11 digits");
        }
        if r.last_four_of_pan
            .as_deref()
            .is_some_and(|s| s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err("lastFourOfPAN must be 4 digits");
        }
        let mut history = self
            .tokens
            .remove(&r.token_reference_id)
            .map(|t| t.history)
            .unwrap_or_default();
        let at = visa_now();
        history.push(json!({"at": at, "status": state_name(r.status), "by": "VTS"}));
        let token = VtsToken {
            reference: r.token_reference_id.clone(),
            requestor: r.token_requestor_id,
            state: r.status,
            pan_reference_id: r.pan_reference_id,
            last_four_of_pan: r.last_four_of_pan,
            last_four_of_previous_pan: None,
            pan_expiration: None,
            token_expiration: r.token_expiration,
            updated_at: at,
            entity_of_last_action: None,
            history,
            updates: Vec::new(),
        };
        Ok(self.tokens.entry(r.token_reference_id).or_insert(token))
    }

    /// Maps the token to its card's new details (after `apply` accepted the
    /// update).
    pub fn remap(&mut self, reference: &str, card: &OpenedCard) {
        let Some(token) = self.tokens.get_mut(reference) else {
            return;
        };
        if let Some(last4) = &card.pan_last4 {
            token.last_four_of_previous_pan = token.last_four_of_pan.replace(last4.clone());
        }
        if card.expiry.is_some() {
            token.pan_expiration.clone_from(&card.expiry);
        }
        if let Some(Value::Object(update)) = token.updates.last_mut() {
            update.insert("lastFourOfPAN".into(), json!(card.pan_last4));
            update.insert("panExpiration".into(), json!(card.expiry));
        }
    }

    /// Applies a checked request: `Ok(true)` when the token's state changed.
    pub fn apply(&mut self, request: &LifecycleRequest) -> Result<bool, Refusal> {
        use TokenState::{Active, Deactivated, Inactive, Suspended};
        let token = self
            .tokens
            .get_mut(&request.token_reference_id)
            .filter(|t| t.requestor == request.token_requestor_id)
            .ok_or(Refusal::NotFound)?;
        let code = request.message_reason_code;
        let next = match (code, token.state) {
            (_, Deactivated) => return Err(Refusal::WrongState),
            (MessageReasonCode::Delete, _) => Deactivated,
            (MessageReasonCode::Suspend, Active) => Suspended,
            (MessageReasonCode::Resume, Suspended) | (MessageReasonCode::Activate, Inactive) => {
                Active
            }
            (MessageReasonCode::ExpiryUpdate | MessageReasonCode::PanUpdate, _) => {
                token.updates.push(json!({
                    "at": visa_now(),
                    "messageReasonCode": code.as_str(),
                    "requestID": request.request_id,
                    "operatorID": request.operator_id,
                    "encryptedDataLength": request.cardholder_info.as_ref().map(|c| c.encrypted_data.len()),
                }));
                return Ok(false);
            }
            _ => return Err(Refusal::WrongState),
        };
        token.state = next;
        token.updated_at = visa_now();
        token.entity_of_last_action = Some("ISSUER".to_owned());
        token.history.push(json!({
            "at": token.updated_at,
            "status": state_name(next),
            "by": "ISSUER",
            "messageReasonCode": code.as_str(),
            "requestID": request.request_id,
            "operatorID": request.operator_id,
            "requestReason": request.request_reason,
        }));
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use tmp_vts::lifecycle::{LifecycleCardholderInfo, OperationType};

    use super::*;

    fn request(code: MessageReasonCode) -> LifecycleRequest {
        LifecycleRequest {
            request_id: format!("req-{}", code.as_str()),
            operator_id: "op".into(),
            message_reason_code: code,
            token_reference_id: "DNITHE000000000000000042".into(),
            token_requestor_id: "40010030273".into(),
            pan_reference_id: None,
            request_reason: None,
            activation_code: None,
            operation_type: code.operation_type(),
            cardholder_info: None,
        }
    }

    fn book(state: TokenState) -> VtsBook {
        let mut book = VtsBook::default();
        book.register(VtsRegistration {
            token_reference_id: "DNITHE000000000000000042".into(),
            token_requestor_id: "40010030273".into(),
            status: state,
            pan_reference_id: None,
            last_four_of_pan: None,
            token_expiration: None,
        })
        .unwrap();
        book
    }

    #[test]
    fn the_lifecycle_codes_move_the_token_as_visa_would() {
        let mut b = book(TokenState::Inactive);
        use MessageReasonCode::*;
        assert_eq!(b.apply(&request(Suspend)), Err(Refusal::WrongState));
        assert_eq!(b.apply(&request(Activate)), Ok(true));
        assert_eq!(b.apply(&request(Resume)), Err(Refusal::WrongState));
        assert_eq!(b.apply(&request(Suspend)), Ok(true));
        assert_eq!(b.apply(&request(Suspend)), Err(Refusal::WrongState));
        assert_eq!(b.apply(&request(Resume)), Ok(true));
        let mut update = request(ExpiryUpdate);
        update.cardholder_info = Some(LifecycleCardholderInfo {
            encrypted_data: "a.b.c.d.e".into(),
        });
        assert_eq!(b.apply(&update), Ok(false));
        assert_eq!(b.apply(&request(Delete)), Ok(true));
        assert_eq!(b.apply(&request(Delete)), Err(Refusal::WrongState));
        let token = &b.tokens["DNITHE000000000000000042"];
        assert_eq!(token.state, TokenState::Deactivated);
        assert_eq!(token.updates.len(), 1);
        assert_eq!(token.history.len(), 5);
        // AND another requestor's token is not found
        let mut other = request(Delete);
        other.token_requestor_id = "40010030274".into();
        assert_eq!(b.apply(&other), Err(Refusal::NotFound));
    }

    #[test]
    fn a_card_update_opens_only_with_visas_key_and_remaps_the_token() {
        use base64::Engine as _;
        // GIVEN Visa's key and the TMP's view of its public half
        let visa = tmp_vts::jwe::VtsPrivateKey::generate("visa-local", 2048).unwrap();
        let public = base64::engine::general_purpose::STANDARD.encode(visa.public_key_der());
        let sender =
            tmp_vts::lifecycle::VisaEncryptionKey::from_base64_der("visa-local", &public).unwrap();
        let ring = tmp_vts::jwe::VtsKeyRing::new(vec![visa]).unwrap();
        let mut update = request(MessageReasonCode::PanUpdate);
        update.cardholder_info = Some(
            sender
                .cardholder_info(Some("5105105105105100"), Some((9, 2030)))
                .unwrap(),
        );
        // WHEN it is opened THEN the last four and expiry, never the PAN
        let opened = open_card(Some(&ring), &update).unwrap().unwrap();
        assert_eq!(
            opened,
            OpenedCard {
                pan_last4: Some("5100".into()),
                expiry: Some("09/2030".into())
            }
        );
        let mut b = book(TokenState::Active);
        b.tokens
            .get_mut("DNITHE000000000000000042")
            .unwrap()
            .last_four_of_pan = Some("1111".into());
        assert_eq!(b.apply(&update), Ok(false));
        b.remap("DNITHE000000000000000042", &opened);
        let token = &b.tokens["DNITHE000000000000000042"];
        assert_eq!(token.last_four_of_pan.as_deref(), Some("5100"));
        assert_eq!(token.last_four_of_previous_pan.as_deref(), Some("1111"));
        assert!(!token.view().to_string().contains("5105105105105100"));
        // AND an expiry update naming a PAN, garbage, or no key are refused
        let mut expiry = request(MessageReasonCode::ExpiryUpdate);
        expiry.cardholder_info = update.cardholder_info.clone();
        assert_eq!(
            open_card(Some(&ring), &expiry),
            Err(Refusal::Invalid("cardholderInfo"))
        );
        expiry.cardholder_info = Some(LifecycleCardholderInfo {
            encrypted_data: "a.b.c.d.e".into(),
        });
        assert_eq!(
            open_card(Some(&ring), &expiry),
            Err(Refusal::Invalid("cardholderInfo"))
        );
        assert_eq!(
            open_card(None, &update),
            Err(Refusal::Invalid("cardholderInfo"))
        );
    }

    #[test]
    fn malformed_requests_are_refused_naming_the_field() {
        let mut r = request(MessageReasonCode::Delete);
        r.operation_type = OperationType::Update;
        assert_eq!(check(&r), Err(Refusal::Invalid("operationType")));
        let mut r = request(MessageReasonCode::Suspend);
        r.request_id = "r".repeat(37);
        assert_eq!(check(&r), Err(Refusal::Invalid("requestID")));
        assert_eq!(
            check(&request(MessageReasonCode::PanUpdate)),
            Err(Refusal::Invalid("cardholderInfo"))
        );
        assert_eq!(check(&request(MessageReasonCode::Suspend)), Ok(()));
    }
}
