//! JSON bodies of `POST /cards/verify` and `POST /oauth/token`.
//!
//! Card data is never echoed: serde error texts can quote the offending
//! value, so only their line, column and category reach an `IssuerError`.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use tmp_core::domain::card::{CardStatus, CardVerificationRequest, CvcResult, VerifiedCard};
use tmp_core::ports::IssuerError;
use tmp_core::secret::Secret;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyRequestBody<'a> {
    pan: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiry_month: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiry_year: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvc: Option<&'a str>,
    request_id: &'a str,
}

/// A body buffer that is wiped when the last `Bytes` handle to it is dropped.
struct WipedOnDrop(Vec<u8>);

impl AsRef<[u8]> for WipedOnDrop {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for WipedOnDrop {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Serialises the verify request straight from the `Pan`/`Secret` borrows into
/// one pre-sized buffer (no reallocation leaves a stray copy behind), handed
/// to the HTTP stack as `Bytes` that wipe the buffer once sent and retried.
/// Best effort: hyper and TLS may still copy the bytes into their own buffers.
pub(super) fn verify_body(
    request: &CardVerificationRequest,
    request_id: &str,
) -> Result<Bytes, IssuerError> {
    let body = VerifyRequestBody {
        pan: request.pan.expose(),
        expiry_month: request.expiry.map(|e| format!("{:02}", e.month)),
        expiry_year: request.expiry.map(|e| format!("{:02}", e.year)),
        cvc: request.cvc.as_ref().map(|c| c.expose().as_str()),
        request_id,
    };
    // Fixed fields fit in 160 bytes; JSON escaping at most sextuples a char.
    let capacity =
        160 + 6 * (request_id.len() + request.cvc.as_ref().map_or(0, |c| c.expose().len()));
    let mut buffer = WipedOnDrop(Vec::with_capacity(capacity));
    serde_json::to_writer(&mut buffer.0, &body)
        .map_err(|e| IssuerError::Unavailable(Box::new(e)))?;
    Ok(Bytes::from_owner(buffer))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyResponseBody {
    card_id: String,
    card_status: CardStatus,
    cvc_result: CvcResult,
    expiry_match: bool,
    #[serde(default)]
    phone_number: Option<String>,
    #[serde(default)]
    email: Option<String>,
    product_category: String,
}

/// Reads a 200 answer of `/cards/verify`.
pub(super) fn verified_card(body: &[u8], cvc_sent: bool) -> Result<VerifiedCard, IssuerError> {
    let parsed: VerifyResponseBody =
        serde_json::from_slice(body).map_err(|e| unreadable("verify response", &e))?;
    if parsed.card_id.is_empty() {
        return Err(IssuerError::BadResponse(
            "verify response has an empty cardId".into(),
        ));
    }
    // A "MATCH" for a CVC we never sent would wrongly vouch for the card.
    if !cvc_sent && parsed.cvc_result != CvcResult::NotChecked {
        return Err(IssuerError::BadResponse(
            "verify response reports a CVC result although no CVC was sent".into(),
        ));
    }
    Ok(VerifiedCard {
        card_id: parsed.card_id,
        status: parsed.card_status,
        cvc_result: parsed.cvc_result,
        expiry_match: parsed.expiry_match,
        phone_number: parsed
            .phone_number
            .filter(|p| !p.is_empty())
            .map(Secret::new),
        email: parsed.email.filter(|e| !e.is_empty()).map(Secret::new),
        product_category: parsed.product_category,
    })
}

#[derive(Deserialize)]
struct TokenResponseBody {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// An access token as the token endpoint issued it.
pub(super) struct IssuedToken {
    pub(super) access_token: Secret<String>,
    pub(super) expires_in: Option<u64>,
}

pub(super) fn issued_token(body: &[u8]) -> Result<IssuedToken, IssuerError> {
    let parsed: TokenResponseBody =
        serde_json::from_slice(body).map_err(|e| unreadable("token response", &e))?;
    let access_token = Secret::new(parsed.access_token);
    if !parsed.token_type.eq_ignore_ascii_case("bearer") {
        return Err(IssuerError::BadResponse(
            "token response is not a bearer token".into(),
        ));
    }
    if access_token.expose().is_empty() {
        return Err(IssuerError::BadResponse(
            "token response has an empty access_token".into(),
        ));
    }
    Ok(IssuedToken {
        access_token,
        expires_in: parsed.expires_in,
    })
}

/// Position and kind only: serde's own message may quote card data.
fn unreadable(what: &str, error: &serde_json::Error) -> IssuerError {
    let kind = match error.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "not the expected shape",
        serde_json::error::Category::Eof => "truncated",
    };
    IssuerError::BadResponse(format!(
        "{what} is {kind} (line {}, column {})",
        error.line(),
        error.column()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tmp_core::domain::card::Expiry;

    fn request(cvc: Option<&str>) -> CardVerificationRequest {
        CardVerificationRequest {
            pan: "5555555555554444".parse().unwrap(),
            expiry: Some(Expiry { month: 3, year: 30 }),
            cvc: cvc.map(|c| Secret::new(c.to_owned())),
        }
    }

    #[test]
    fn request_body_spells_expiry_as_mm_yy_and_omits_missing_cvc() {
        // GIVEN a request without CVC
        // WHEN serialised
        let body = verify_body(&request(None), "req-1").unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        // THEN the wire fields follow the OpenAPI contract
        assert_eq!(json["pan"], "5555555555554444");
        assert_eq!(json["expiryMonth"], "03");
        assert_eq!(json["expiryYear"], "30");
        assert_eq!(json["requestId"], "req-1");
        assert!(json.get("cvc").is_none());
    }

    #[test]
    fn request_body_fits_its_buffer_without_reallocating() {
        // GIVEN the longest PAN and CVC and an id full of characters JSON escapes
        let req = CardVerificationRequest {
            pan: "4000000000000000006".parse().unwrap(),
            expiry: Some(Expiry {
                month: 12,
                year: 99,
            }),
            cvc: Some(Secret::new("1234".to_owned())),
        };
        let id = "\u{1}".repeat(40);
        // WHEN serialised
        let body = verify_body(&req, &id).unwrap();
        // THEN it stayed within the pre-sized capacity
        assert!(body.len() <= 160 + 6 * (id.len() + 4), "{}", body.len());
    }

    #[test]
    fn unreadable_response_errors_never_quote_the_body() {
        // GIVEN an answer whose wrong types would make serde quote the values
        let body = br#"{"cardId":"c1","cardStatus":"ACTIVE","cvcResult":"MATCH","expiryMatch":true,
            "phoneNumber":447700900123,"email":"jane@example.com","productCategory":5555555555554444}"#;
        // WHEN read
        let err = verified_card(body, true).unwrap_err();
        // THEN the error names position and kind only
        let text = format!("{err:?} {err}");
        assert!(text.contains("not the expected shape"), "{text}");
        assert!(!text.contains("447700900123") && !text.contains("5555555555554444"));
    }

    #[test]
    fn cvc_result_for_an_unsent_cvc_is_rejected() {
        let body = br#"{"cardId":"c1","cardStatus":"ACTIVE","cvcResult":"MATCH","expiryMatch":true,
            "productCategory":"CONSUMER_CREDIT"}"#;
        assert!(matches!(
            verified_card(body, false),
            Err(IssuerError::BadResponse(_))
        ));
        assert!(verified_card(body, true).is_ok());
    }

    #[test]
    fn token_must_be_a_bearer_token() {
        let ok = issued_token(br#"{"access_token":"t","token_type":"Bearer","expires_in":60}"#);
        assert_eq!(ok.unwrap().expires_in, Some(60));
        let mac = issued_token(br#"{"access_token":"t","token_type":"mac"}"#);
        assert!(matches!(mac, Err(IssuerError::BadResponse(_))));
    }
}
