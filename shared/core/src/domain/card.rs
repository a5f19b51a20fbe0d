//! What the issuer tells us about a card (Issuer Card Verification API).

use serde::{Deserialize, Serialize};

use crate::secret::{Pan, Secret};

/// Card expiry as printed on the card: month 1–12, two-digit year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    pub month: u8,
    pub year: u8,
}

impl Expiry {
    /// `MM/YY`, as the TMP API writes it; `None` unless the month is 01–12.
    pub fn parse_slashed(value: &str) -> Option<Self> {
        let (month, year) = value.split_once('/')?;
        let digits = |v: &str, n: usize| v.len() == n && v.bytes().all(|b| b.is_ascii_digit());
        if !digits(month, 2) || !digits(year, 2) {
            return None;
        }
        let month = month.parse().ok().filter(|m| (1..=12).contains(m))?;
        Some(Self {
            month,
            year: year.parse().ok()?,
        })
    }

    /// `MM/YY`.
    pub fn slashed(self) -> String {
        format!("{:02}/{:02}", self.month, self.year)
    }

    /// `MMYY` (MDES `ExpirationDate`).
    pub fn mmyy(self) -> String {
        format!("{:02}{:02}", self.month, self.year)
    }

    /// The four-digit year (cards expire this century).
    pub fn full_year(self) -> u16 {
        2000 + u16::from(self.year)
    }
}

/// The card status the issuer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CardStatus {
    Active,
    Blocked,
    Lost,
    Stolen,
    Expired,
    Closed,
}

/// The issuer's check of the CVC2 it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CvcResult {
    Match,
    Mismatch,
    NotChecked,
}

/// What we ask the issuer to verify. The PAN and CVC stay wrapped.
#[derive(Debug, Clone)]
pub struct CardVerificationRequest {
    pub pan: Pan,
    pub expiry: Option<Expiry>,
    pub cvc: Option<Secret<String>>,
}

/// The issuer's answer for a card it knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCard {
    pub card_id: String,
    pub status: CardStatus,
    pub cvc_result: CvcResult,
    pub expiry_match: bool,
    pub phone_number: Option<Secret<String>>,
    pub email: Option<Secret<String>>,
    pub product_category: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardVerification {
    /// The issuer does not know this PAN.
    Unknown,
    Known(VerifiedCard),
}

/// The card as the cardholder entered it in the wallet, validated.
#[derive(Debug, Clone)]
pub struct EnteredCard {
    pub pan: Pan,
    pub expiry: Option<Expiry>,
    pub cvc: Option<Secret<String>>,
}

/// The card data a network sent, decrypted and checked for freshness.
#[derive(Debug)]
pub struct CardData {
    /// The entered card, or why its fields are unusable (a card-data
    /// rejection like any other: no field-level oracle).
    pub card: Result<EnteredCard, crate::error::CardDataRejection>,
    /// The funding account number, when it is a valid PAN.
    pub account_number: Option<Pan>,
    /// The token number itself (sent on activation).
    pub token_number: Option<Secret<String>>,
    /// Risk advice that travels encrypted with the card (Visa's
    /// `riskInformation`); when present it replaces the command's.
    pub wallet: Option<crate::domain::decision::WalletAdvice>,
}

/// Card data still encrypted as the network sent it. It is opened inside the
/// use case (in memory, no call), and every failure is one
/// [`crate::AppError::CardData`].
pub trait SealedCardData: Send + Sync {
    fn open(&self, now: time::OffsetDateTime) -> Result<CardData, crate::AppError>;
}

/// What a network is told of the CVC2 check (stored with the answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CvcResponse {
    Match,
    Invalid,
    NotProcessed,
}
