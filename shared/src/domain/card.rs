//! What the issuer tells us about a card (Issuer Card Verification API).

use serde::{Deserialize, Serialize};

use crate::secret::{Pan, Secret};

/// Card expiry as printed on the card: month 1–12, two-digit year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    pub month: u8,
    pub year: u8,
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
