//! The decrypted `FundingAccountData` (what `encryptedPayload.encryptedData`
//! holds). Card data stays wrapped in `Secret` from the moment it is parsed.

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tmp_core::AppError;
use tmp_core::domain::card::{EnteredCard, Expiry};
use tmp_core::error::{CardDataRejection, InputError, InputProblem};
use tmp_core::secret::{Pan, Secret};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FundingAccountData {
    pub card_account_data: Option<CardAccountData>,
    pub data_valid_until_timestamp: Option<String>,
    pub source: Option<String>,
    pub payment_account_reference: Option<String>,
    /// The token itself (notifyServiceActivated, redigitization).
    pub token_data: Option<TokenData>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenData {
    pub token: Secret<String>,
    pub expiry_month: Option<String>,
    pub expiry_year: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardAccountData {
    pub account_number: Option<Secret<String>>,
    pub expiry_month: Option<String>,
    pub expiry_year: Option<String>,
    pub security_code: Option<Secret<String>>,
}

const CARD: &str = "fundingAccountInfo.encryptedPayload.encryptedData.cardAccountData";

fn refused(problem: CardDataRejection) -> AppError {
    AppError::CardData(problem)
}

fn invalid(field: String, problem: InputProblem) -> InputError {
    InputError { field, problem }
}

impl FundingAccountData {
    /// Parses decrypted bytes. Bytes that are not the expected JSON mean the
    /// payload was not encrypted for us properly: a cryptography error.
    pub fn from_decrypted(plaintext: &Secret<Vec<u8>>) -> Result<Self, AppError> {
        serde_json::from_slice(plaintext.expose())
            .map_err(|_| refused(CardDataRejection::NotCardData))
    }

    /// Spec: systems must reject the object after `dataValidUntilTimestamp`,
    /// and the value may be at most 30 days ahead.
    pub fn check_validity(&self, now: OffsetDateTime) -> Result<(), AppError> {
        let Some(raw) = self.data_valid_until_timestamp.as_deref() else {
            return Ok(());
        };
        let until = OffsetDateTime::parse(raw, &Rfc3339)
            .map_err(|_| refused(CardDataRejection::ValidityUnreadable))?;
        if until < now {
            return Err(refused(CardDataRejection::Expired));
        }
        if until > now + time::Duration::days(30) {
            return Err(refused(CardDataRejection::ValidityTooFarAhead));
        }
        Ok(())
    }

    /// The funding account number, when it is a valid PAN.
    pub fn account_number(&self) -> Option<Pan> {
        self.card_account_data
            .as_ref()
            .and_then(|c| c.account_number.as_ref())
            .and_then(|n| n.expose().parse().ok())
    }

    pub fn entered_card(&self) -> Result<EnteredCard, InputError> {
        let card = self
            .card_account_data
            .as_ref()
            .ok_or_else(|| invalid(CARD.to_owned(), InputProblem::Missing))?;
        let number = card
            .account_number
            .as_ref()
            .ok_or_else(|| invalid(format!("{CARD}.accountNumber"), InputProblem::Missing))?;
        let pan: Pan = number
            .expose()
            .parse()
            .map_err(|_| invalid(format!("{CARD}.accountNumber"), InputProblem::Value))?;
        let expiry = match (&card.expiry_month, &card.expiry_year) {
            (None, None) => None,
            (Some(m), Some(y)) => Some(parse_expiry(m, y)?),
            _ => {
                return Err(invalid(
                    format!("{CARD}.expiryMonth/expiryYear"),
                    InputProblem::Missing,
                ));
            }
        };
        if let Some(cvc) = &card.security_code {
            fixed_digits(&format!("{CARD}.securityCode"), cvc.expose(), 3)?;
        }
        Ok(EnteredCard {
            pan,
            expiry,
            cvc: card.security_code.clone(),
        })
    }
}

/// Exactly `len` characters, all digits (length is checked first, as the spec's order).
fn fixed_digits(field: &str, value: &str, len: usize) -> Result<(), InputError> {
    if value.chars().count() != len {
        return Err(invalid(
            field.to_owned(),
            InputProblem::Length { min: len, max: len },
        ));
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(field.to_owned(), InputProblem::Format));
    }
    Ok(())
}

fn parse_expiry(month: &str, year: &str) -> Result<Expiry, InputError> {
    let mf = format!("{CARD}.expiryMonth");
    let yf = format!("{CARD}.expiryYear");
    fixed_digits(&mf, month, 2)?;
    fixed_digits(&yf, year, 2)?;
    let month: u8 = month
        .parse()
        .map_err(|_| invalid(mf.clone(), InputProblem::Format))?;
    let year: u8 = year
        .parse()
        .map_err(|_| invalid(yf, InputProblem::Format))?;
    if !(1..=12).contains(&month) {
        return Err(invalid(mf, InputProblem::Value));
    }
    Ok(Expiry { month, year })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MdesError, MdesErrorCode};

    fn data(json: &str) -> FundingAccountData {
        FundingAccountData::from_decrypted(&Secret::new(json.as_bytes().to_vec())).unwrap()
    }

    #[test]
    fn entered_card_is_validated_and_redacted() {
        let card = data(
            r#"{"cardAccountData":{"accountNumber":"5555555555554444","expiryMonth":"12","expiryYear":"29","securityCode":"123"}}"#,
        )
        .entered_card()
        .unwrap();
        assert_eq!(
            card.expiry,
            Some(Expiry {
                month: 12,
                year: 29
            })
        );
        let debug = format!("{card:?}");
        assert!(
            !debug.contains("5555555555554444") && !debug.contains("123"),
            "{debug}"
        );
    }

    #[test]
    fn bad_card_fields_get_spec_codes() {
        let cases = [
            (
                r#"{"cardAccountData":{"accountNumber":"5555555555554445"}}"#,
                MdesErrorCode::InvalidFieldValue,
            ),
            (
                r#"{"cardAccountData":{"accountNumber":"5555555555554444","expiryMonth":"13","expiryYear":"29"}}"#,
                MdesErrorCode::InvalidFieldValue,
            ),
            (
                r#"{"cardAccountData":{"accountNumber":"5555555555554444","expiryMonth":"1","expiryYear":"29"}}"#,
                MdesErrorCode::InvalidFieldLength,
            ),
            (
                r#"{"cardAccountData":{"accountNumber":"5555555555554444","securityCode":"12a"}}"#,
                MdesErrorCode::InvalidFieldFormat,
            ),
            (r#"{}"#, MdesErrorCode::MissingRequiredField),
        ];
        for (json, code) in cases {
            let err = MdesError::from(AppError::from(data(json).entered_card().unwrap_err()));
            assert_eq!(err.code, code, "{json}");
            assert!(!err.description.contains("5555555555554445"));
        }
    }

    #[test]
    fn validity_window_is_enforced() {
        let now = OffsetDateTime::parse("2026-11-26T10:00:00Z", &Rfc3339).unwrap();
        let at = |ts: &str| {
            data(&format!(r#"{{"dataValidUntilTimestamp":"{ts}"}}"#))
                .check_validity(now)
                .map_err(MdesError::from)
        };
        assert!(at("2026-11-26T10:30:00.123Z").is_ok());
        assert!(at("2026-11-26T03:30:00-07:00").is_ok());
        assert_eq!(
            at("2026-11-26T09:59:59Z").unwrap_err().code,
            MdesErrorCode::CryptographyError
        );
        assert_eq!(
            at("2027-01-26T09:59:59Z").unwrap_err().code,
            MdesErrorCode::CryptographyError
        );
        assert_eq!(
            at("yesterday").unwrap_err().code,
            MdesErrorCode::CryptographyError
        );
    }

    #[test]
    fn garbage_plaintext_is_a_cryptography_error() {
        let err = MdesError::from(
            FundingAccountData::from_decrypted(&Secret::new(vec![0xde, 0xad])).unwrap_err(),
        );
        assert_eq!(err.code, MdesErrorCode::CryptographyError);
    }
}
