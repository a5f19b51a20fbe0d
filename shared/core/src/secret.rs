//! Types for card data and secrets: they never print their content.

use std::fmt;
use std::str::FromStr;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret value: redacted in `Debug`/`Display`, zeroized on drop, compared in
/// constant time, and only readable through [`Secret::expose`].
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl<T: Zeroize> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl<T: Zeroize + AsRef<[u8]>> PartialEq for Secret<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_ref().ct_eq(other.0.as_ref()).into()
    }
}

impl<T: Zeroize + AsRef<[u8]>> Eq for Secret<T> {}

/// Secrets can be read from JSON (decrypted payloads) but never written back.
impl<'de, T: Zeroize + serde::Deserialize<'de>> serde::Deserialize<'de> for Secret<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self)
    }
}

impl From<String> for Secret<String> {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<Vec<u8>> for Secret<Vec<u8>> {
    fn from(value: Vec<u8>) -> Self {
        Self(value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PanError {
    #[error("account number must be 12 to 19 digits")]
    Length,
    #[error("account number must contain digits only")]
    NotNumeric,
    #[error("account number fails the Luhn check")]
    Luhn,
}

/// A primary account number. Can only exist when it is 12–19 digits and
/// Luhn-valid; prints as `****4444` at most.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Pan(String);

impl Pan {
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        // A Pan holds 12 to 19 ASCII digits: the last four always exist.
        self.0
            .get(self.0.len().saturating_sub(4)..)
            .unwrap_or_default()
    }

    pub fn masked(&self) -> String {
        format!("****{}", self.last4())
    }
}

impl FromStr for Pan {
    type Err = PanError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PanError::NotNumeric);
        }
        if !(12..=19).contains(&s.len()) {
            return Err(PanError::Length);
        }
        if !luhn_valid(s) {
            return Err(PanError::Luhn);
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Debug for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pan({})", self.masked())
    }
}

impl fmt::Display for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Masks a phone number to its last 4 digits, the way wallets show it
/// (`***-***-1234`).
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits.iter().skip(digits.len().saturating_sub(4)).collect();
    format!("***-***-{tail}")
}

/// Masks an e-mail address: first letter of the local part and of the domain
/// kept, top-level domain kept (`j***@e***.com`).
pub fn mask_email(email: &str) -> String {
    let Some((local, domain)) = email.split_once('@') else {
        return "***".to_owned();
    };
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let tld = if tld.is_empty() {
        String::new()
    } else {
        format!(".{tld}")
    };
    format!("{}***@{}***{}", first(local), first(host), tld)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_test_pans_parse_and_print_masked() {
        // GIVEN network test PANs
        for raw in ["5555555555554444", "5105105105105100", "4111111111111111"] {
            // WHEN parsed
            let pan: Pan = raw.parse().unwrap();
            // THEN they never print in full
            assert_eq!(format!("{pan}"), format!("****{}", raw.get(12..).unwrap()));
            assert!(!format!("{pan:?}").contains(raw));
        }
    }

    #[test]
    fn invalid_pans_are_rejected() {
        assert_eq!("5555555555554445".parse::<Pan>(), Err(PanError::Luhn));
        assert_eq!("55555555555a4444".parse::<Pan>(), Err(PanError::NotNumeric));
        assert_eq!("4444".parse::<Pan>(), Err(PanError::Length));
    }

    #[test]
    fn secrets_redact_and_compare() {
        let a = Secret::new("123".to_owned());
        assert_eq!(format!("{a:?} {a}"), "Secret([REDACTED]) [REDACTED]");
        assert_eq!(a, Secret::new("123".to_owned()));
        assert_ne!(a, Secret::new("124".to_owned()));
    }

    #[test]
    fn phone_and_email_masking_keeps_only_hints() {
        assert_eq!(mask_phone("+44 7700 900123"), "***-***-0123");
        assert_eq!(mask_email("jane.doe@example.com"), "j***@e***.com");
        assert_eq!(mask_email("nonsense"), "***");
    }
}
