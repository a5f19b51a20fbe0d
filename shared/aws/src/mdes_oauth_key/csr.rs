//! A PKCS#10 certification request (RFC 2986) in DER, as Mastercard
//! Developers takes one to issue a consumer key: subject `CN=<name>`, the
//! SubjectPublicKeyInfo, no attributes, signed sha256WithRSAEncryption. The
//! few DER types it needs are written here: no ASN.1 crate for one structure.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::MdesOAuthKeyError;

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const UTF8_STRING: u8 = 0x0c;
/// `[0] IMPLICIT` constructed: the request's attributes.
const ATTRIBUTES: u8 = 0xa0;

/// 2.5.4.3 (id-at-commonName).
const COMMON_NAME_OID: &[u8] = &[0x55, 0x04, 0x03];
/// 1.2.840.113549.1.1.11 (sha256WithRSAEncryption).
const SHA256_WITH_RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
/// X.520's upper bound for a common name.
const COMMON_NAME_MAX: usize = 64;

/// 1 to 64 printable ASCII characters (what every CA reads alike).
pub(super) fn check_common_name(name: &str) -> Result<(), MdesOAuthKeyError> {
    let printable = name.bytes().all(|b| (0x20..0x7f).contains(&b));
    if (1..=COMMON_NAME_MAX).contains(&name.len()) && printable && name.trim() == name {
        Ok(())
    } else {
        Err(MdesOAuthKeyError::CommonName)
    }
}

/// One DER element: tag, definite length (short or long form), content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match u8::try_from(content.len()) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let bytes = content.len().to_be_bytes();
            let significant: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
            // At most 8 octets of length: 0x81..=0x88.
            out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0x7f));
            out.extend_from_slice(&significant);
        }
    }
    out.extend_from_slice(content);
    out
}

fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// `Name ::= SEQUENCE OF SET OF AttributeTypeAndValue`: CN only.
fn subject(common_name: &str) -> Vec<u8> {
    let attribute = tlv(
        SEQUENCE,
        &concat(&[
            &tlv(OID, COMMON_NAME_OID),
            &tlv(UTF8_STRING, common_name.as_bytes()),
        ]),
    );
    tlv(SEQUENCE, &tlv(SET, &attribute))
}

/// The request's `CertificationRequestInfo`, then its signature by `sign`
/// (RSASSA-PKCS1-v1_5 with SHA-256 over the info's DER).
pub(super) fn certification_request(
    spki_der: &[u8],
    common_name: &str,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, MdesOAuthKeyError>,
) -> Result<Vec<u8>, MdesOAuthKeyError> {
    check_common_name(common_name)?;
    let info = tlv(
        SEQUENCE,
        &concat(&[
            &tlv(INTEGER, &[0]),
            &subject(common_name),
            spki_der,
            &tlv(ATTRIBUTES, &[]),
        ]),
    );
    let signature = sign(&info)?;
    let algorithm = tlv(
        SEQUENCE,
        &concat(&[&tlv(OID, SHA256_WITH_RSA_OID), &tlv(NULL, &[])]),
    );
    // A BIT STRING's first octet counts the unused bits: none.
    let signature = tlv(BIT_STRING, &concat(&[&[0], &signature]));
    Ok(tlv(SEQUENCE, &concat(&[&info, &algorithm, &signature])))
}

/// `der` as an RFC 7468 block with 64-character lines.
pub(super) fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
