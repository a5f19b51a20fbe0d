//! The signature base string, built the way Mastercard's oauth1-signer
//! libraries build it (`oauth1/coreutils.py` 1.9.2: `normalize_url`,
//! `normalize_params`, `percent_encode`), which is RFC 5849 §3.4.1 except
//! where noted.

use std::fmt::Write as _;

use super::Refusal;

/// RFC 3986 percent-encoding: every byte but `A-Z a-z 0-9 - . _ ~` as `%XX`
/// (uppercase hex), over the UTF-8 bytes.
pub fn percent_encode(text: &str) -> String {
    percent_encode_bytes(text.as_bytes())
}

fn percent_encode_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Decodes `%XX` escapes (invalid escapes stay as they are, invalid UTF-8
/// becomes U+FFFD), like Python's `urllib.parse.unquote`.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%'
            && let [h, l, after @ ..] = tail
            && let (Some(h), Some(l)) = (hex_value(*h), hex_value(*l))
        {
            out.push(h << 4 | l);
            rest = after;
            continue;
        }
        out.push(b);
        rest = tail;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// A URL split as Python's `urlparse` splits the parts the signer uses.
pub struct SplitUrl<'a> {
    pub scheme: &'a str,
    pub authority: &'a str,
    pub path: &'a str,
    pub query: &'a str,
}

pub fn split_url(url: &str) -> Result<SplitUrl<'_>, Refusal> {
    let (scheme, rest) = url.split_once("://").ok_or(Refusal::InvalidUrl)?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+')
    {
        return Err(Refusal::InvalidUrl);
    }
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = match before_query.find('/') {
        Some(at) => before_query.split_at(at),
        None => (before_query, ""),
    };
    if authority.is_empty() {
        return Err(Refusal::InvalidUrl);
    }
    Ok(SplitUrl {
        scheme,
        authority,
        path,
        query,
    })
}

/// The base string URI: host lowercase, the scheme's default port dropped,
/// `/` when there is no path, no query or fragment. The scheme is compared
/// and kept as given (the libraries do; every caller writes `https`).
pub fn base_uri(url: &SplitUrl<'_>) -> String {
    let authority = url.authority.to_ascii_lowercase();
    let authority = match url.scheme {
        "http" => authority.strip_suffix(":80").unwrap_or(&authority),
        "https" => authority.strip_suffix(":443").unwrap_or(&authority),
        _ => &authority,
    };
    let path = if url.path.is_empty() { "/" } else { url.path };
    format!("{}://{authority}{path}", url.scheme)
}

/// The query as `application/x-www-form-urlencoded` pairs (`+` is a space),
/// each key and value encoded as the libraries encode them: RFC 3986 when
/// the raw query holds a percent-escape, else as written with spaces as `+`
/// (Mastercard's quirk, kept so that signatures agree with theirs).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    let must_encode = percent_decode(query) != query;
    let form_decode = |s: &str| percent_decode(&s.replace('+', " "));
    let encode = |s: String| {
        if must_encode {
            percent_encode(&s)
        } else {
            s.replace(' ', "+")
        }
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (encode(form_decode(key)), encode(form_decode(value)))
        })
        .collect()
}

/// `METHOD&enc(base URI)&enc(normalised parameters)`. The oauth parameters
/// (without `oauth_signature`) enter as their raw values, as the libraries
/// put them; each `k=v` is sorted as one string, then joined with `&`.
pub fn base_string(method: &str, url: &SplitUrl<'_>, oauth_params: &[(&str, &str)]) -> String {
    let mut pairs: Vec<String> = query_pairs(url.query)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .chain(oauth_params.iter().map(|(k, v)| format!("{k}={v}")))
        .collect();
    pairs.sort_unstable();
    format!(
        "{}&{}&{}",
        method.to_uppercase(),
        percent_encode(&base_uri(url)),
        percent_encode(&pairs.join("&"))
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_is_rfc_3986() {
        // GIVEN reserved, unreserved and non-ASCII characters
        // WHEN encoded THEN only the unreserved set stays
        assert_eq!(
            percent_encode("a b+c~d*e/é!"),
            "a%20b%2Bc~d%2Ae%2F%C3%A9%21"
        );
        assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn percent_decoding_leaves_broken_escapes() {
        assert_eq!(percent_decode("a%20b%zz%2"), "a b%zz%2");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }

    #[test]
    fn the_base_uri_is_normalised() {
        // GIVEN URLs with upper-case hosts, default ports, queries and fragments
        let cases = [
            (
                "https://API.Mastercard.com:443/mdes/x?a=1#f",
                "https://api.mastercard.com/mdes/x",
            ),
            ("http://example.com:80", "http://example.com/"),
            ("https://example.com:8443/p", "https://example.com:8443/p"),
        ];
        for (url, want) in cases {
            // WHEN normalised THEN the base URI is the libraries'
            assert_eq!(base_uri(&split_url(url).unwrap()), want, "{url}");
        }
        assert!(split_url("/relative").is_err());
        assert!(split_url("https:///nohost").is_err());
    }

    #[test]
    fn query_parameters_are_decoded_then_encoded() {
        // GIVEN an encoded query with a repeated key and an empty value
        let pairs = query_pairs("b=2&a=x%20y+z&a=1&c");
        // THEN '+' is a space and each value is RFC 3986 encoded
        assert_eq!(
            pairs,
            [("b", "2"), ("a", "x%20y%20z"), ("a", "1"), ("c", "")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
    }
}
