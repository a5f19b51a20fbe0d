//! The simulated VTS telling our TSP API about a change, as Visa does:
//! `POST /vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/tokenChanged
//! ?eventType=TOKEN_STATUS_UPDATED&eventID=…`, the new status inside
//! `encryptedData`, a compact JWE for the platform's VTS public key (the one
//! served at `/_local/keys/vts-public.pem`, its kid in `x-key-id`).

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tmp_mdes::oauth1::percent_encode;

use super::notify::Outgoing;
use super::vts::VtsSim;
use super::vts_book::{VtsToken, state_name, visa_now};

/// The served VTS public key: `(kid, SubjectPublicKeyInfo DER)`.
async fn vts_public_key(http: &reqwest::Client, url: &str) -> Result<(String, Vec<u8>), String> {
    let answer = http
        .get(url)
        .send()
        .await
        .map_err(|_| "the VTS public key is not served".to_owned())?;
    if !answer.status().is_success() {
        return Err(format!("the VTS public key: HTTP {}", answer.status()));
    }
    let kid = answer
        .headers()
        .get("x-key-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::to_owned)
        .ok_or("the VTS public key has no kid")?;
    let pem = answer
        .text()
        .await
        .map_err(|_| "the VTS public key is unreadable".to_owned())?;
    // The first PEM block.
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|_| "the VTS public key is not PEM".to_owned())?;
    Ok((kid, der))
}

/// A made-up 16-digit token number for `reference` (stable, not a card's).
fn token_number(reference: &str) -> String {
    let digest = Sha256::digest(reference.as_bytes());
    let digits: String = digest
        .iter()
        .take(12)
        .map(|b| char::from(b'0' + b % 10))
        .collect();
    format!("4895{digits}")
}

impl VtsSim {
    /// tokenChanged `TOKEN_STATUS_UPDATED` for `token` as it is now.
    pub(super) fn announce(&self, token: &VtsToken, message_reason_code: &str) {
        let outbound = &self.desk.outbound;
        let status = state_name(token.state);
        let path = format!(
            "/vts/v1/tokenRequestors/{}/tokens/{}/tokenChanged?eventType=TOKEN_STATUS_UPDATED&eventID={}",
            percent_encode(&token.requestor),
            percent_encode(&token.reference),
            uuid::Uuid::new_v4().simple()
        );
        let url = outbound.url(&path);
        let key_url = outbound.url("/_local/keys/vts-public.pem");
        let http = outbound.http.clone();
        let content = json!({"tokenInfo": {
            "token": token_number(&token.reference), "tokenStatus": status}});
        let mut body = json!({
            "messageReason": "Token status updated",
            "messageReasonCode": message_reason_code,
            "dateTimeOfEvent": visa_now(),
        });
        if let (Some(pan_reference), Some(map)) = (&token.pan_reference_id, body.as_object_mut()) {
            map.insert(
                "panReferenceID".to_owned(),
                Value::String(pan_reference.clone()),
            );
        }
        self.desk.notifications.schedule(
            outbound,
            token.reference.clone(),
            status.to_owned(),
            Box::pin(async move {
                let (kid, der) = vts_public_key(&http, &key_url?).await?;
                let sealed =
                    tmp_vts::jwe::encrypt_as_vts(&der, &kid, content.to_string().as_bytes())
                        .map_err(|_| "encrypting for the VTS key failed".to_owned())?;
                if let Some(map) = body.as_object_mut() {
                    map.insert("encryptedData".to_owned(), Value::String(sealed));
                }
                Ok(Outgoing { url: url?, body })
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_numbers_are_stable_sixteen_digits() {
        let number = token_number("DNITHE000000000000000042");
        assert_eq!(number.len(), 16);
        assert!(number.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(number, token_number("DNITHE000000000000000042"));
        assert_ne!(number, token_number("DNITHE000000000000000043"));
    }
}
