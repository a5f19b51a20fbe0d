//! A cardholder's phone number as a search key: normalised to E.164 and
//! looked up by its keyed fingerprint (HMAC under the platform's fingerprint
//! key, domain-separated from PANs and codes), never stored.

use crate::secret::Secret;

/// The fingerprint's domain: no PAN (digits only) or code message starts so.
const PHONE_INDEX_DOMAIN: &str = "tmp-phone-index:v1:";

/// `+` and 7 to 15 digits, the first not 0, once spaces, dots, dashes and
/// parentheses are dropped; `None` otherwise.
pub fn normalized(raw: &str) -> Option<Secret<String>> {
    let kept: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let digits = kept.strip_prefix('+')?;
    let valid = (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    valid.then(|| Secret::new(kept))
}

/// The message whose keyed MAC is the phone number's index key.
pub fn index_message(phone: &Secret<String>) -> Secret<Vec<u8>> {
    let mut message = PHONE_INDEX_DOMAIN.as_bytes().to_vec();
    message.extend_from_slice(phone.expose().as_bytes());
    Secret::new(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_normalised_to_e164_or_refused() {
        for (raw, want) in [
            ("+44 7700 900123", Some("+447700900123")),
            ("+1 (415) 555-0100", Some("+14155550100")),
            ("+33.6.12.34.56.78", Some("+33612345678")),
            ("07700900123", None),
            ("+0 7700 900123", None),
            ("+44 7700 9OO123", None),
            ("+123456", None),
            ("+1234567890123456", None),
        ] {
            assert_eq!(
                normalized(raw).map(|p| p.expose().clone()).as_deref(),
                want,
                "{raw}"
            );
        }
    }

    #[test]
    fn the_index_message_is_domain_separated() {
        let phone = normalized("+447700900123").unwrap();
        let message = index_message(&phone);
        assert!(message.expose().starts_with(b"tmp-phone-index:v1:+44"));
    }
}
