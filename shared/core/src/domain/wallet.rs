//! The wallets a token can live in, recognised by the token requestor ids
//! (MDES and Visa) and MDES `walletId`s they are known by. Reports and
//! searches group by wallet; anything else is `Other`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Wallet {
    ApplePay,
    GooglePay,
    SamsungPay,
    Other,
}

/// Token requestor ids (MDES `501…`, Visa `400…`) and MDES `walletId`s of
/// the well-known wallets.
static KNOWN: &[(&str, Wallet)] = &[
    ("50110030273", Wallet::ApplePay),
    ("50120834693", Wallet::GooglePay),
    ("50139059239", Wallet::SamsungPay),
    ("40010030273", Wallet::ApplePay),
    ("40010075001", Wallet::GooglePay),
    ("40010043095", Wallet::SamsungPay),
    ("103", Wallet::ApplePay),
    ("216", Wallet::GooglePay),
    ("217", Wallet::SamsungPay),
];

impl Wallet {
    pub const ALL: [Self; 4] = [
        Self::ApplePay,
        Self::GooglePay,
        Self::SamsungPay,
        Self::Other,
    ];

    /// The wallet of a token: its token requestor first, then its wallet id.
    pub fn of(token_requestor_id: Option<&str>, wallet_id: Option<&str>) -> Self {
        Self::known(token_requestor_id, wallet_id).unwrap_or(Self::Other)
    }

    /// The wallet when it is a well-known one.
    pub fn known(token_requestor_id: Option<&str>, wallet_id: Option<&str>) -> Option<Self> {
        [token_requestor_id, wallet_id]
            .into_iter()
            .flatten()
            .find_map(|id| KNOWN.iter().find(|(k, _)| *k == id).map(|(_, w)| *w))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApplePay => "APPLE_PAY",
            Self::GooglePay => "GOOGLE_PAY",
            Self::SamsungPay => "SAMSUNG_PAY",
            Self::Other => "OTHER",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == value)
    }

    /// The name a cardholder knows (`None` for `Other`).
    pub fn display_name(self) -> Option<&'static str> {
        match self {
            Self::ApplePay => Some("Apple Pay"),
            Self::GooglePay => Some("Google Pay"),
            Self::SamsungPay => Some("Samsung Pay"),
            Self::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wallets_are_known_by_requestor_then_wallet_id() {
        assert_eq!(Wallet::of(Some("50110030273"), None), Wallet::ApplePay);
        assert_eq!(Wallet::of(Some("40010030273"), None), Wallet::ApplePay);
        assert_eq!(
            Wallet::of(Some("99999999999"), Some("216")),
            Wallet::GooglePay
        );
        assert_eq!(Wallet::of(Some("99999999999"), Some("999")), Wallet::Other);
        assert_eq!(Wallet::of(None, None), Wallet::Other);
        for wallet in Wallet::ALL {
            assert_eq!(Wallet::parse(wallet.as_str()), Some(wallet));
        }
    }
}
