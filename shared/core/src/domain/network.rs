//! The card networks whose Token Service Providers we serve.

use serde::{Deserialize, Serialize};

/// A token's network. Stored and published under its TSP's name for
/// Mastercard (`MDES`, token event schema 1) and as `VISA` for Visa.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Network {
    #[serde(rename = "MDES")]
    Mastercard,
    #[serde(rename = "VISA")]
    Visa,
}

impl Network {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mastercard => "MDES",
            Self::Visa => "VISA",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Mastercard, Self::Visa]
            .into_iter()
            .find(|n| n.as_str() == value)
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
