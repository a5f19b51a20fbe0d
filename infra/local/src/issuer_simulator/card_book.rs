//! The simulator's cards: a JSON array loaded from `infra/local/cards.json`
//! (or `TMP_CARDS_FILE`), validated up front so a bad book fails at start-up.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tmp_core::domain::card::CardStatus;
use tmp_core::secret::{Pan, Secret};

/// Environment variable naming another card book file.
pub const CARDS_FILE_ENV: &str = "TMP_CARDS_FILE";

#[derive(Debug, thiserror::Error)]
pub enum CardBookError {
    #[error("cannot read card book {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `detail` is serde's message: safe because card data fields are parsed
    /// as untyped JSON first, so serde never quotes them.
    #[error("card book {path} is not a JSON array of cards: {detail}")]
    Parse { path: PathBuf, detail: String },
    #[error("card book {path}, card #{index}: {reason}")]
    InvalidCard {
        path: PathBuf,
        index: usize,
        reason: String,
    },
    #[error("card book {path}, card #{index}: PAN already used by an earlier card")]
    DuplicatePan { path: PathBuf, index: usize },
}

/// One line of the card book file. Card data stays `Value` until validated.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CardEntry {
    pan: serde_json::Value,
    expiry_month: String,
    expiry_year: String,
    cvc: serde_json::Value,
    status: CardStatus,
    card_id: String,
    #[serde(default)]
    phone_number: Option<serde_json::Value>,
    #[serde(default)]
    email: Option<serde_json::Value>,
    product_category: String,
}

/// A card the simulated issuer knows.
#[derive(Debug, Clone)]
pub struct BookCard {
    pub pan: Pan,
    /// "MM" and "YY" as printed on the card.
    pub expiry_month: String,
    pub expiry_year: String,
    pub cvc: Secret<String>,
    pub status: CardStatus,
    pub card_id: String,
    pub phone_number: Option<Secret<String>>,
    pub email: Option<Secret<String>>,
    pub product_category: String,
}

#[derive(Debug, Clone, Default)]
pub struct CardBook {
    cards: Vec<BookCard>,
}

impl CardBook {
    /// `infra/local/cards.json` in the source tree.
    pub fn default_path() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cards.json")
    }

    /// The file `TMP_CARDS_FILE` names, else [`CardBook::default_path`].
    pub fn from_env_or_default() -> Result<Self, CardBookError> {
        Self::load(resolve_path(std::env::var_os(CARDS_FILE_ENV)))
    }

    pub fn load(path: impl AsRef<Path>) -> Result<Self, CardBookError> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|source| CardBookError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&json, path)
    }

    /// A card book from JSON text (tests); errors name the path `<inline>`.
    pub fn from_json(json: &str) -> Result<Self, CardBookError> {
        Self::parse(json, Path::new("<inline>"))
    }

    pub fn len(&self) -> usize {
        self.cards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    pub fn cards(&self) -> &[BookCard] {
        &self.cards
    }

    /// The card with this PAN, if the issuer knows it.
    pub fn find(&self, pan: &str) -> Option<&BookCard> {
        self.cards.iter().find(|c| c.pan.expose() == pan)
    }

    fn parse(json: &str, path: &Path) -> Result<Self, CardBookError> {
        let entries: Vec<CardEntry> =
            serde_json::from_str(json).map_err(|e| CardBookError::Parse {
                path: path.to_owned(),
                detail: e.to_string(),
            })?;
        let mut cards: Vec<BookCard> = Vec::with_capacity(entries.len());
        for (index, entry) in entries.into_iter().enumerate() {
            let invalid = |reason: &str| CardBookError::InvalidCard {
                path: path.to_owned(),
                index,
                reason: reason.to_owned(),
            };
            let card = validate(entry).map_err(invalid)?;
            if cards.iter().any(|c| c.pan == card.pan) {
                return Err(CardBookError::DuplicatePan {
                    path: path.to_owned(),
                    index,
                });
            }
            cards.push(card);
        }
        Ok(Self { cards })
    }
}

fn resolve_path(from_env: Option<OsString>) -> PathBuf {
    from_env
        .filter(|p| !p.is_empty())
        .map_or_else(CardBook::default_path, PathBuf::from)
}

/// Checks one entry; reasons are fixed texts that never quote the data.
fn validate(entry: CardEntry) -> Result<BookCard, &'static str> {
    let pan = entry
        .pan
        .as_str()
        .ok_or("pan must be a string")?
        .parse::<Pan>()
        .map_err(|e| match e {
            tmp_core::secret::PanError::Length => "pan must be 12 to 19 digits",
            tmp_core::secret::PanError::NotNumeric => "pan must contain digits only",
            tmp_core::secret::PanError::Luhn => "pan fails the Luhn check",
        })?;
    if !is_month(&entry.expiry_month) {
        return Err("expiryMonth must be \"01\" to \"12\"");
    }
    if !is_digits(&entry.expiry_year, 2..=2) {
        return Err("expiryYear must be two digits");
    }
    let cvc = entry.cvc.as_str().ok_or("cvc must be a string")?;
    if !is_digits(cvc, 3..=4) {
        return Err("cvc must be 3 or 4 digits");
    }
    if entry.card_id.is_empty() {
        return Err("cardId must not be empty");
    }
    let phone_number = optional_string(entry.phone_number, "phoneNumber must be a string")?;
    if phone_number.as_deref().is_some_and(|p| !is_e164(p)) {
        return Err("phoneNumber must be E.164 (+ and 8 to 15 digits)");
    }
    let email = optional_string(entry.email, "email must be a string")?;
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err("email must contain @");
    }
    Ok(BookCard {
        pan,
        expiry_month: entry.expiry_month,
        expiry_year: entry.expiry_year,
        cvc: Secret::new(cvc.to_owned()),
        status: entry.status,
        card_id: entry.card_id,
        phone_number: phone_number.map(Secret::new),
        email: email.map(Secret::new),
        product_category: entry.product_category,
    })
}

fn optional_string(
    value: Option<serde_json::Value>,
    wrong_type: &'static str,
) -> Result<Option<String>, &'static str> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type),
    }
}

pub(super) fn is_digits(s: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn is_month(s: &str) -> bool {
    is_digits(s, 2..=2) && matches!(s.parse::<u8>(), Ok(1..=12))
}

fn is_e164(s: &str) -> bool {
    s.strip_prefix('+')
        .is_some_and(|digits| is_digits(digits, 8..=15) && !digits.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_CARD: &str = r#"[{"pan":"5555555555554444","expiryMonth":"12","expiryYear":"30",
        "cvc":"123","status":"ACTIVE","cardId":"c-1","phoneNumber":"+447700900123",
        "email":"jane@example.com","productCategory":"CONSUMER_CREDIT"}]"#;

    fn temp_file(name: &str, content: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("tmp-local-{}-{name}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn default_card_book_loads_and_covers_every_status() {
        // GIVEN the card book shipped with the local platform
        // WHEN loaded
        let book = CardBook::load(CardBook::default_path()).expect("cards.json must load");
        // THEN every status and every contact combination is reachable
        for status in [
            CardStatus::Active,
            CardStatus::Blocked,
            CardStatus::Lost,
            CardStatus::Stolen,
            CardStatus::Expired,
            CardStatus::Closed,
        ] {
            assert!(
                book.cards().iter().any(|c| c.status == status),
                "{status:?}"
            );
        }
        let active = || {
            book.cards()
                .iter()
                .filter(|c| c.status == CardStatus::Active)
        };
        assert!(active().any(|c| c.phone_number.is_some() && c.email.is_some()));
        assert!(active().any(|c| c.phone_number.is_none() && c.email.is_none()));
        assert!(active().any(|c| c.phone_number.is_some() && c.email.is_none()));
    }

    #[test]
    fn a_file_card_book_loads() {
        // GIVEN a one-card file
        let path = temp_file("ok.json", ONE_CARD);
        // WHEN loaded
        let book = CardBook::load(&path).unwrap();
        // THEN the card is found by PAN and prints without its data
        let card = book.find("5555555555554444").unwrap();
        assert_eq!(card.card_id, "c-1");
        assert!(book.find("5105105105105100").is_none());
        let debug = format!("{book:?}");
        for secret in [
            "5555555555554444",
            "123\"",
            "+447700900123",
            "jane@example.com",
        ] {
            assert!(!debug.contains(secret), "{debug}");
        }
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = CardBook::load("/nonexistent/cards.json").unwrap_err();
        assert!(matches!(err, CardBookError::Read { .. }));
        assert!(err.to_string().contains("/nonexistent/cards.json"), "{err}");
    }

    #[test]
    fn malformed_json_reports_where() {
        // GIVEN a truncated file
        let path = temp_file("broken.json", "[{\"pan\": \"5555555555554444\",");
        // WHEN loaded
        let err = CardBook::load(&path).unwrap_err();
        // THEN the error says which file and where, not what
        let text = err.to_string();
        assert!(matches!(err, CardBookError::Parse { .. }));
        assert!(
            text.contains("broken.json") && text.contains("line 1"),
            "{text}"
        );
        assert!(!text.contains("5555555555554444"));
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn unknown_status_and_missing_fields_are_explained() {
        let frozen = ONE_CARD.replace("ACTIVE", "FROZEN");
        let err = CardBook::from_json(&frozen).unwrap_err().to_string();
        assert!(err.contains("FROZEN"), "{err}");
        let no_id = ONE_CARD.replace("\"cardId\":\"c-1\",", "");
        let err = CardBook::from_json(&no_id).unwrap_err().to_string();
        assert!(err.contains("cardId"), "{err}");
    }

    #[test]
    fn invalid_card_data_is_rejected_without_quoting_it() {
        // GIVEN cards whose PAN, CVC or phone are wrong in ways serde would quote
        let cases = [
            (
                ONE_CARD.replace("5555555555554444", "5555555555554445"),
                "Luhn",
            ),
            (
                ONE_CARD.replace("\"5555555555554444\"", "5555555555554444"),
                "pan must be a string",
            ),
            (ONE_CARD.replace("\"123\"", "123"), "cvc must be a string"),
            (
                ONE_CARD.replace("\"+447700900123\"", "447700900123"),
                "phoneNumber must be a string",
            ),
            (ONE_CARD.replace("+447700900123", "07700900123"), "E.164"),
            (ONE_CARD.replace("\"12\"", "\"13\""), "expiryMonth"),
        ];
        for (json, expected) in cases {
            // WHEN parsed
            let err = CardBook::from_json(&json).unwrap_err();
            // THEN the reason is clear and the data is absent
            let text = format!("{err} {err:?}");
            assert!(
                matches!(err, CardBookError::InvalidCard { index: 0, .. }),
                "{text}"
            );
            assert!(text.contains(expected), "{text}");
            for secret in ["555555555555444", "447700900123", "7700900123"] {
                assert!(!text.contains(secret), "{text}");
            }
        }
    }

    #[test]
    fn duplicate_pans_are_rejected() {
        let inner = ONE_CARD.trim_start_matches('[').trim_end_matches(']');
        let twice = format!("[{inner},{inner}]");
        let err = CardBook::from_json(&twice).unwrap_err();
        assert!(
            matches!(err, CardBookError::DuplicatePan { index: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn env_variable_overrides_the_default_path() {
        assert_eq!(resolve_path(None), CardBook::default_path());
        assert_eq!(
            resolve_path(Some(OsString::new())),
            CardBook::default_path()
        );
        assert_eq!(
            resolve_path(Some("/tmp/other.json".into())),
            PathBuf::from("/tmp/other.json")
        );
    }
}
