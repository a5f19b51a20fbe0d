//! The `Authorization: OAuth …` header: rendered as Mastercard's libraries
//! render it (`k="v"` joined by `,`, no spaces; values as they entered the
//! base string, the signature percent-encoded), parsed leniently about
//! spacing and strictly about everything else.

use super::{Refusal, base_string::percent_decode};

/// At most this many parameters (seven are ours, `realm` is allowed).
const MAX_PARAMS: usize = 16;

pub fn render(params: &[(&str, &str)], encoded_signature: &str) -> String {
    let mut parts: Vec<String> = params.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    parts.push(format!("oauth_signature=\"{encoded_signature}\""));
    format!("OAuth {}", parts.join(","))
}

/// The header's parameters, values percent-decoded, in the order sent.
pub fn parse(header: &str) -> Result<Vec<(String, String)>, Refusal> {
    let header = header.trim();
    let (scheme, rest) = header
        .split_once(char::is_whitespace)
        .ok_or(Refusal::MalformedHeader)?;
    if !scheme.eq_ignore_ascii_case("OAuth") {
        return Err(Refusal::MalformedHeader);
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for part in rest.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(Refusal::MalformedHeader)?;
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or(Refusal::MalformedHeader)?;
        if key.is_empty() || value.contains('"') {
            return Err(Refusal::MalformedHeader);
        }
        if key != "realm" && !key.starts_with("oauth_") {
            return Err(Refusal::UnexpectedParameter);
        }
        if params.iter().any(|(k, _)| k == key) {
            return Err(Refusal::DuplicateParameter);
        }
        if params.len() == MAX_PARAMS {
            return Err(Refusal::MalformedHeader);
        }
        params.push((key.to_owned(), percent_decode(value)));
    }
    Ok(params)
}
