//! The decrypted content of `encryptedData` (VT-CH4 structures, as our
//! contract names them): `{"cardholderInfo", "riskInformation"}` for
//! checkEligibility and approveProvisioning, `{"tokenInfo", "cardholderInfo"}`
//! for tokenChanged. Card data is wrapped in `Secret` from the moment it is
//! parsed (redacted in `Debug`, zeroized on drop).
//!
//! Anything wrong inside the plaintext (not JSON, a missing or invalid field)
//! is refused like an undecryptable payload: one `ISE40010`, no field-level
//! oracle. The field is logged by name only.

use serde::Deserialize;
use tmp_core::AppError;
use tmp_core::domain::card::{EnteredCard, Expiry};
use tmp_core::error::CardDataRejection;
use tmp_core::secret::{Pan, Secret};

use crate::common::{TokenStatus, TokenType};
use crate::jwe::VtsKeyRing;
use crate::validate::{all_digits, char_len};

/// Everything `encryptedData` may hold; which parts an operation needs is
/// checked by [`DecryptedData::for_card`] and [`DecryptedData::for_token_changed`].
/// Unknown members are ignored (Visa adds fields).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecryptedData {
    pub cardholder_info: Option<CardholderInfo>,
    pub risk_information: Option<RiskInformation>,
    pub token_info: Option<EncryptedTokenInfo>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardholderInfo {
    pub primary_account_number: Option<Secret<String>>,
    pub cvv2: Option<Secret<String>>,
    pub name: Option<Secret<String>>,
    pub expiration_date: Option<ExpirationDate>,
    pub billing_address: Option<BillingAddress>,
    /// checkEligibility only.
    pub high_value_customer: Option<bool>,
    /// 0–99 (checkEligibility).
    pub risk_assessment_score: Option<String>,
}

/// `{"month": "MM", "year": "YYYY"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExpirationDate {
    pub month: String,
    pub year: String,
}

/// The cardholder's address: personal data, so every line is a `Secret`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingAddress {
    pub line1: Option<Secret<String>>,
    pub line2: Option<Secret<String>>,
    pub city: Option<Secret<String>>,
    pub state: Option<Secret<String>>,
    pub postal_code: Option<Secret<String>>,
    pub country: Option<Secret<String>>,
}

/// The wallet provider's and Visa's risk view of the provisioning.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskInformation {
    /// `0` approve, `1` approve with verification, `2` do not approve.
    pub wallet_provider_risk_assessment: Option<String>,
    pub wallet_provider_risk_assessment_version: Option<String>,
    /// `1`–`5`, 5 the most confident.
    pub wallet_provider_account_score: Option<String>,
    pub wallet_provider_device_score: Option<String>,
    pub wallet_provider_phone_score: Option<String>,
    /// Comma-separated, at most 100 characters.
    pub wallet_provider_reason_codes: Option<String>,
    /// `00`–`99`.
    pub visa_token_score: Option<String>,
    /// `00` provision and activate, `85` provision inactive (cardholder
    /// verification), `05` do not provision.
    pub visa_token_decisioning: Option<String>,
    /// `0`–`99`.
    pub risk_assessment_score: Option<String>,
    pub issuer_special_condition_codes: Option<String>,
}

/// `tokenInfo` inside tokenChanged's `encryptedData` (with the token itself).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptedTokenInfo {
    pub token: Option<Secret<String>>,
    pub token_type: Option<TokenType>,
    pub token_status: Option<TokenStatus>,
    pub token_expiration_date: Option<ExpirationDate>,
    pub token_assurance_method: Option<String>,
    #[serde(rename = "numberOfActiveTokensForPAN")]
    pub number_of_active_tokens_for_pan: Option<String>,
    #[serde(rename = "numberOfInactiveTokensForPAN")]
    pub number_of_inactive_tokens_for_pan: Option<String>,
    #[serde(rename = "numberOfSuspendedTokensForPAN")]
    pub number_of_suspended_tokens_for_pan: Option<String>,
    pub token_requestor_name: Option<String>,
}

/// What tokenChanged's payload says, checked: the token's status, its last
/// four, and the card (a `Pan`: masked when printed, zeroized on drop) with
/// its last four. The token number itself is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenChangedData {
    pub token_status: TokenStatus,
    pub token_type: Option<TokenType>,
    pub token_last4: String,
    /// `MMYY`, as the core stores token expiries.
    pub token_expiry: Option<String>,
    /// Present when the payload carries the card (always for TOKEN_CREATED):
    /// a token new to us is counted against it.
    pub pan: Option<Pan>,
    pub pan_last4: Option<String>,
}

const TOKEN_ASSURANCE_METHODS: [&str; 6] = ["00", "10", "11", "12", "13", "14"];

/// Refuses the payload, naming the field in the log only.
fn unusable(field: &'static str) -> AppError {
    tracing::warn!(field, "encryptedData content is unusable");
    AppError::CardData(CardDataRejection::InvalidCardData)
}

fn bounded(field: &'static str, value: Option<&str>, max: usize) -> Result<(), AppError> {
    match value {
        Some(v) if v.is_empty() || char_len(v) > max => Err(unusable(field)),
        _ => Ok(()),
    }
}

/// A numeric string of `len` digits whose value is in `range`.
fn numeric(
    field: &'static str,
    value: Option<&str>,
    len: std::ops::RangeInclusive<usize>,
    range: std::ops::RangeInclusive<u32>,
) -> Result<Option<u8>, AppError> {
    let Some(raw) = value else {
        return Ok(None);
    };
    if !len.contains(&raw.len()) || !all_digits(raw) {
        return Err(unusable(field));
    }
    let n: u32 = raw.parse().map_err(|_| unusable(field))?;
    if !range.contains(&n) {
        return Err(unusable(field));
    }
    u8::try_from(n).map(Some).map_err(|_| unusable(field))
}

fn one_of(field: &'static str, value: Option<&str>, allowed: &[&str]) -> Result<(), AppError> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(unusable(field)),
        _ => Ok(()),
    }
}

impl ExpirationDate {
    /// `MM` 01–12 and `YYYY`, as the core's two-digit expiry.
    fn expiry(&self, field: &'static str) -> Result<Expiry, AppError> {
        let ok = self.month.len() == 2
            && all_digits(&self.month)
            && self.year.len() == 4
            && all_digits(&self.year);
        if !ok {
            return Err(unusable(field));
        }
        let month: u8 = self.month.parse().map_err(|_| unusable(field))?;
        let year: u16 = self.year.parse().map_err(|_| unusable(field))?;
        if !(1..=12).contains(&month) {
            return Err(unusable(field));
        }
        let year = u8::try_from(year % 100).map_err(|_| unusable(field))?;
        Ok(Expiry { month, year })
    }

    /// `MMYY`.
    fn mmyy(&self, field: &'static str) -> Result<String, AppError> {
        let expiry = self.expiry(field)?;
        Ok(format!("{:02}{:02}", expiry.month, expiry.year))
    }
}

fn line(value: &Option<Secret<String>>) -> Option<&str> {
    value.as_ref().map(|v| v.expose().as_str())
}

impl BillingAddress {
    /// VT-CH4's lengths; `state` and `country` are two letters.
    fn check(&self) -> Result<(), AppError> {
        bounded("cardholderInfo.billingAddress.line1", line(&self.line1), 64)?;
        bounded("cardholderInfo.billingAddress.line2", line(&self.line2), 64)?;
        bounded("cardholderInfo.billingAddress.city", line(&self.city), 32)?;
        bounded(
            "cardholderInfo.billingAddress.postalCode",
            line(&self.postal_code),
            10,
        )?;
        for (field, code) in [
            ("cardholderInfo.billingAddress.state", line(&self.state)),
            ("cardholderInfo.billingAddress.country", line(&self.country)),
        ] {
            if let Some(code) = code
                && (code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()))
            {
                return Err(unusable(field));
            }
        }
        Ok(())
    }
}

impl CardholderInfo {
    /// The card entered in the wallet: PAN (Luhn-valid, ≤ 19), expiry when
    /// `expiry_required` or present, CVV2 (3–4 digits) when present.
    pub fn entered_card(&self, expiry_required: bool) -> Result<EnteredCard, AppError> {
        const PAN: &str = "cardholderInfo.primaryAccountNumber";
        const EXPIRY: &str = "cardholderInfo.expirationDate";
        const CVV2: &str = "cardholderInfo.cvv2";
        let number = self
            .primary_account_number
            .as_ref()
            .ok_or_else(|| unusable(PAN))?;
        let pan: Pan = number.expose().parse().map_err(|_| unusable(PAN))?;
        let expiry = match &self.expiration_date {
            Some(date) => Some(date.expiry(EXPIRY)?),
            None if expiry_required => return Err(unusable(EXPIRY)),
            None => None,
        };
        if let Some(cvv2) = &self.cvv2 {
            let cvv2 = cvv2.expose();
            if !(3..=4).contains(&cvv2.len()) || !all_digits(cvv2) {
                return Err(unusable(CVV2));
            }
        }
        bounded(
            "cardholderInfo.name",
            self.name.as_ref().map(|n| n.expose().as_str()),
            256,
        )?;
        if let Some(address) = &self.billing_address {
            address.check()?;
        }
        numeric(
            "cardholderInfo.riskAssessmentScore",
            self.risk_assessment_score.as_deref(),
            1..=2,
            0..=99,
        )?;
        Ok(EnteredCard {
            pan,
            expiry,
            cvc: self.cvv2.clone(),
        })
    }
}

/// The wallet's and Visa's advice, read and range-checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckedRisk {
    /// `0`, `1` or `2`.
    pub wallet_provider_risk_assessment: Option<u8>,
    pub wallet_provider_device_score: Option<u8>,
    pub wallet_provider_account_score: Option<u8>,
    pub visa_token_score: Option<u8>,
    /// `0` (00), `85` or `5` (05).
    pub visa_token_decisioning: Option<u8>,
}

impl RiskInformation {
    pub fn checked(&self) -> Result<CheckedRisk, AppError> {
        one_of(
            "riskInformation.visaTokenDecisioning",
            self.visa_token_decisioning.as_deref(),
            &["00", "05", "85"],
        )?;
        one_of(
            "riskInformation.walletProviderRiskAssessment",
            self.wallet_provider_risk_assessment.as_deref(),
            &["0", "1", "2"],
        )?;
        bounded(
            "riskInformation.walletProviderReasonCodes",
            self.wallet_provider_reason_codes.as_deref(),
            100,
        )?;
        bounded(
            "riskInformation.walletProviderRiskAssessmentVersion",
            self.wallet_provider_risk_assessment_version.as_deref(),
            10,
        )?;
        bounded(
            "riskInformation.issuerSpecialConditionCodes",
            self.issuer_special_condition_codes.as_deref(),
            100,
        )?;
        numeric(
            "riskInformation.walletProviderPhoneScore",
            self.wallet_provider_phone_score.as_deref(),
            1..=1,
            1..=5,
        )?;
        numeric(
            "riskInformation.riskAssessmentScore",
            self.risk_assessment_score.as_deref(),
            1..=2,
            0..=99,
        )?;
        Ok(CheckedRisk {
            wallet_provider_risk_assessment: numeric(
                "riskInformation.walletProviderRiskAssessment",
                self.wallet_provider_risk_assessment.as_deref(),
                1..=1,
                0..=2,
            )?,
            wallet_provider_device_score: numeric(
                "riskInformation.walletProviderDeviceScore",
                self.wallet_provider_device_score.as_deref(),
                1..=1,
                1..=5,
            )?,
            wallet_provider_account_score: numeric(
                "riskInformation.walletProviderAccountScore",
                self.wallet_provider_account_score.as_deref(),
                1..=1,
                1..=5,
            )?,
            visa_token_score: numeric(
                "riskInformation.visaTokenScore",
                self.visa_token_score.as_deref(),
                2..=2,
                0..=99,
            )?,
            visa_token_decisioning: numeric(
                "riskInformation.visaTokenDecisioning",
                self.visa_token_decisioning.as_deref(),
                2..=2,
                0..=85,
            )?,
        })
    }
}

fn last4(digits: &str) -> String {
    digits
        .get(digits.len().saturating_sub(4)..)
        .unwrap_or_default()
        .to_owned()
}

impl DecryptedData {
    /// Decrypts and parses `encryptedData`. Every failure, from the JWE to
    /// JSON that is not this document, is one card-data error.
    pub fn open(keys: &VtsKeyRing, compact: &str) -> Result<Self, AppError> {
        let plaintext = keys
            .decrypt(compact)
            .map_err(|_| AppError::CardData(CardDataRejection::Undecryptable))?;
        serde_json::from_slice(plaintext.expose()).map_err(|_| {
            tracing::warn!("encryptedData plaintext is not the expected JSON document");
            AppError::CardData(CardDataRejection::NotCardData)
        })
    }

    /// checkEligibility and approveProvisioning: the card (PAN; expiry when
    /// `expiry_required`) and the risk information, checked.
    pub fn for_card(&self, expiry_required: bool) -> Result<(EnteredCard, CheckedRisk), AppError> {
        let card = self
            .cardholder_info
            .as_ref()
            .ok_or_else(|| unusable("cardholderInfo"))?
            .entered_card(expiry_required)?;
        let risk = self
            .risk_information
            .as_ref()
            .map(RiskInformation::checked)
            .transpose()?
            .unwrap_or_default();
        Ok((card, risk))
    }

    /// tokenChanged: `tokenInfo.token` and `tokenInfo.tokenStatus` always;
    /// the card when `card_required` (TOKEN_CREATED), else when present: its
    /// PAN as a [`Pan`] (a token new to us is counted on it) and last four.
    pub fn for_token_changed(&self, card_required: bool) -> Result<TokenChangedData, AppError> {
        let info = self
            .token_info
            .as_ref()
            .ok_or_else(|| unusable("tokenInfo"))?;
        let token = info
            .token
            .as_ref()
            .map(|t| t.expose().as_str())
            .ok_or_else(|| unusable("tokenInfo.token"))?;
        if !(12..=19).contains(&token.len()) || !all_digits(token) {
            return Err(unusable("tokenInfo.token"));
        }
        let token_status = info
            .token_status
            .ok_or_else(|| unusable("tokenInfo.tokenStatus"))?;
        one_of(
            "tokenInfo.tokenAssuranceMethod",
            info.token_assurance_method.as_deref(),
            &TOKEN_ASSURANCE_METHODS,
        )?;
        for (field, count) in [
            (
                "tokenInfo.numberOfActiveTokensForPAN",
                &info.number_of_active_tokens_for_pan,
            ),
            (
                "tokenInfo.numberOfInactiveTokensForPAN",
                &info.number_of_inactive_tokens_for_pan,
            ),
            (
                "tokenInfo.numberOfSuspendedTokensForPAN",
                &info.number_of_suspended_tokens_for_pan,
            ),
        ] {
            if let Some(c) = count.as_deref()
                && (c.is_empty() || c.len() > 4 || !all_digits(c))
            {
                return Err(unusable(field));
            }
        }
        bounded(
            "tokenInfo.tokenRequestorName",
            info.token_requestor_name.as_deref(),
            100,
        )?;
        let token_expiry = info
            .token_expiration_date
            .as_ref()
            .map(|d| d.mmyy("tokenInfo.tokenExpirationDate"))
            .transpose()?;
        let pan = match (&self.cardholder_info, card_required) {
            (Some(card), _) => Some(card.entered_card(card_required)?.pan),
            (None, true) => return Err(unusable("cardholderInfo")),
            (None, false) => None,
        };
        let pan_last4 = pan.as_ref().map(|p| p.last4().to_owned());
        Ok(TokenChangedData {
            token_status,
            token_type: info.token_type,
            token_last4: last4(token),
            token_expiry,
            pan,
            pan_last4,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(json: serde_json::Value) -> DecryptedData {
        serde_json::from_value(json).unwrap()
    }

    fn card() -> serde_json::Value {
        serde_json::json!({
            "primaryAccountNumber": "4111111111111111",
            "cvv2": "123",
            "name": "Jane Doe",
            "expirationDate": {"month": "12", "year": "2029"},
            "billingAddress": {"line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"}
        })
    }

    #[test]
    fn the_card_is_read_and_never_printed() {
        // GIVEN an approveProvisioning payload
        let data = data(serde_json::json!({
            "cardholderInfo": card(),
            "riskInformation": {"walletProviderDeviceScore": "4", "walletProviderAccountScore": "5",
                                "walletProviderRiskAssessment": "1", "visaTokenDecisioning": "85"}
        }));
        // WHEN the card and risk are read
        let (card, risk) = data.for_card(true).unwrap();
        // THEN the fields are there, as the core wants them
        assert_eq!(card.pan.last4(), "1111");
        assert_eq!(
            card.expiry,
            Some(Expiry {
                month: 12,
                year: 29
            })
        );
        assert_eq!(risk.wallet_provider_device_score, Some(4));
        assert_eq!(risk.wallet_provider_risk_assessment, Some(1));
        assert_eq!(risk.visa_token_decisioning, Some(85));
        // AND no Debug output shows the PAN, CVV2, name or address
        let printed = format!("{data:?} {card:?}");
        for secret in ["4111111111111111", "\"123\"", "Jane", "Main", "12345"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
    }

    #[test]
    fn any_bad_field_inside_is_a_card_data_error() {
        // GIVEN payloads each with one bad field inside
        let mutations: Vec<(&str, serde_json::Value)> = vec![
            (
                "/cardholderInfo/primaryAccountNumber",
                "4111111111111112".into(),
            ),
            ("/cardholderInfo/cvv2", "12".into()),
            ("/cardholderInfo/cvv2", "12a".into()),
            ("/cardholderInfo/expirationDate/month", "13".into()),
            ("/cardholderInfo/expirationDate/year", "29".into()),
            ("/riskInformation/walletProviderDeviceScore", "6".into()),
            ("/riskInformation/walletProviderAccountScore", "0".into()),
            ("/riskInformation/walletProviderRiskAssessment", "3".into()),
            ("/riskInformation/visaTokenDecisioning", "01".into()),
            ("/riskInformation/visaTokenScore", "100".into()),
            ("/riskInformation/visaTokenScore", "7".into()),
            (
                "/cardholderInfo/billingAddress",
                serde_json::json!({"country": "USA"}),
            ),
            (
                "/cardholderInfo/billingAddress",
                serde_json::json!({"postalCode": "12345678901"}),
            ),
        ];
        for (pointer, value) in mutations {
            let mut json = serde_json::json!({"cardholderInfo": card(), "riskInformation": {}});
            let (parent, last) = pointer.rsplit_once('/').unwrap();
            json.pointer_mut(parent)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .insert(last.to_owned(), value);
            // WHEN read THEN one card-data error, whatever the field
            assert_eq!(
                data(json).for_card(true).unwrap_err(),
                AppError::CardData(CardDataRejection::InvalidCardData),
                "{pointer}"
            );
        }
        // AND a missing expiry is refused where it is required
        let mut json = serde_json::json!({"cardholderInfo": card()});
        json["cardholderInfo"]
            .as_object_mut()
            .unwrap()
            .remove("expirationDate");
        assert!(data(json.clone()).for_card(true).is_err());
        assert!(data(json).for_card(false).is_ok());
    }

    #[test]
    fn token_changed_payload_gives_status_and_last_fours() {
        // GIVEN a TOKEN_CREATED payload
        let data = data(serde_json::json!({
            "tokenInfo": {"token": "4895370012003478", "tokenType": "HCE", "tokenStatus": "ACTIVE",
                          "tokenExpirationDate": {"month": "03", "year": "2030"}},
            "cardholderInfo": card()
        }));
        // WHEN read
        let read = data.for_token_changed(true).unwrap();
        // THEN status, last fours and expiry, nothing more
        assert_eq!(read.token_status, TokenStatus::Active);
        assert_eq!(read.token_last4, "3478");
        assert_eq!(read.pan_last4.as_deref(), Some("1111"));
        assert_eq!(read.pan.as_ref().map(Pan::expose), Some("4111111111111111"));
        assert_eq!(read.token_expiry.as_deref(), Some("0330"));
        // AND printing it shows neither the card nor the token number
        let printed = format!("{read:?}");
        assert!(!printed.contains("4111111111111111") && !printed.contains("4895370012003478"));
        // AND without the card it is refused for TOKEN_CREATED only
        let no_card = DecryptedData {
            cardholder_info: None,
            ..data
        };
        assert!(no_card.for_token_changed(true).is_err());
        let without = no_card.for_token_changed(false).unwrap();
        assert_eq!((without.pan, without.pan_last4), (None, None));
    }

    #[test]
    fn an_unknown_token_status_is_not_card_data() {
        // GIVEN a tokenInfo whose status is outside the enum
        let parsed = serde_json::from_value::<DecryptedData>(
            serde_json::json!({"tokenInfo": {"token": "4895370012003478", "tokenStatus": "LOST"}}),
        );
        // THEN the document does not parse (open() answers it as NotCardData)
        assert!(parsed.is_err());
    }
}
