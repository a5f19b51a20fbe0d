//! The spec's string booleans (`"true"`/`"false"`, e.g. `Recoverable`,
//! `TokenDeletedFromConsumerApp`): written as strings as the schemas say,
//! read from strings or JSON booleans (the YAML's own samples use both).

use serde::{Deserialize, Deserializer, Serializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Either {
    Bool(bool),
    Text(String),
}

pub fn serialize<S: Serializer>(value: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(true) => s.serialize_str("true"),
        Some(false) => s.serialize_str("false"),
        None => s.serialize_none(),
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Either>::deserialize(d)? {
        None => Ok(None),
        Some(Either::Bool(b)) => Ok(Some(b)),
        Some(Either::Text(t)) if t.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Either::Text(t)) if t.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(Either::Text(_)) => Err(serde::de::Error::custom("expected \"true\" or \"false\"")),
    }
}
