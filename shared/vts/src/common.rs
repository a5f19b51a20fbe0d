//! Objects and fields several VTS operations share, checked in one place so
//! that every operation answers the same code for the same mistake.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::VtsError;
use crate::jwe::MAX_COMPACT_LEN;
use crate::validate::{self, digits, length, optional_length};

/// `tokenStatus` (VT-CH4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenStatus {
    Active,
    Inactive,
    Suspended,
    Deactivated,
}

/// `tokenType` (VT-CH4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenType {
    SecureElement,
    Hce,
    CardOnFile,
    Ecommerce,
    Qrc,
}

impl TokenType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecureElement => "SECURE_ELEMENT",
            Self::Hce => "HCE",
            Self::CardOnFile => "CARD_ON_FILE",
            Self::Ecommerce => "ECOMMERCE",
            Self::Qrc => "QRC",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeviceType {
    Unknown,
    MobilePhone,
    Tablet,
    Watch,
    MobilephoneOrTablet,
    Pc,
    HouseholdDevice,
    WearableDevice,
    AutomobileDevice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OsType {
    Android,
    Ios,
    Windows,
    Blackberry,
    Tizen,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LocationSource {
    Wifi,
    Cellular,
    Gps,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenProtectionMethod {
    Software,
    TrustedExecutionEnvironment,
    SecureElement,
    Cloud,
}

/// `deviceInfo` (VT-CH4 Device Information). Unknown members are ignored.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    #[serde(rename = "deviceID")]
    pub device_id: Option<String>,
    pub device_language_code: Option<String>,
    pub device_type: Option<DeviceType>,
    /// base64url of the name the cardholder gave the device.
    pub device_name: Option<String>,
    pub device_number: Option<String>,
    pub os_type: Option<OsType>,
    pub os_version: Option<String>,
    #[serde(rename = "osBuildID")]
    pub os_build_id: Option<String>,
    #[serde(rename = "deviceIDType")]
    pub device_id_type: Option<String>,
    pub device_manufacturer: Option<String>,
    pub device_brand: Option<String>,
    pub device_model: Option<String>,
    pub device_location: Option<String>,
    pub device_index: Option<String>,
    #[serde(rename = "deviceIPAddressV4")]
    pub device_ip_address_v4: Option<String>,
    pub location_source: Option<LocationSource>,
    pub token_protection_method: Option<TokenProtectionMethod>,
}

impl DeviceInfo {
    pub fn validate(&self) -> Result<(), VtsError> {
        const P: &str = "deviceInfo";
        let f = |name: &str| format!("{P}.{name}");
        let plain: [(&str, &Option<String>, usize); 8] = [
            ("deviceID", &self.device_id, 48),
            ("osVersion", &self.os_version, 32),
            ("osBuildID", &self.os_build_id, 32),
            ("deviceIDType", &self.device_id_type, 32),
            ("deviceManufacturer", &self.device_manufacturer, 32),
            ("deviceBrand", &self.device_brand, 32),
            ("deviceModel", &self.device_model, 32),
            ("deviceLocation", &self.device_location, 32),
        ];
        for (name, value, max) in plain {
            optional_length(&f(name), value.as_deref(), 1, max)?;
            validate::charset(&f(name), value.as_deref(), validate::printable)?;
        }
        if let Some(code) = self.device_language_code.as_deref() {
            length(&f("deviceLanguageCode"), code, 3, 3)?;
            validate::charset(&f("deviceLanguageCode"), Some(code), |c| {
                c.is_ascii_lowercase()
            })?;
        }
        if let Some(name) = self.device_name.as_deref() {
            length(&f("deviceName"), name, 1, 128)?;
            // base64url; up to two `=` of padding are tolerated at the end.
            let unpadded = name
                .strip_suffix("==")
                .or(name.strip_suffix('='))
                .unwrap_or(name);
            validate::charset(&f("deviceName"), Some(unpadded), validate::base64url_char)?;
        }
        validate::optional_digits(&f("deviceNumber"), self.device_number.as_deref(), 1, 13)?;
        validate::optional_digits(&f("deviceIndex"), self.device_index.as_deref(), 1, 2)?;
        if let Some(ip) = self.device_ip_address_v4.as_deref() {
            length(&f("deviceIPAddressV4"), ip, 7, 15)?;
            if ip.parse::<std::net::Ipv4Addr>().is_err() {
                return Err(VtsError::value(&f("deviceIPAddressV4")));
            }
        }
        Ok(())
    }

    /// The device's name as the cardholder typed it, when it is base64url of
    /// UTF-8 text.
    pub fn decoded_name(&self) -> Option<String> {
        let raw = self.device_name.as_deref()?;
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')).ok()?;
        String::from_utf8(bytes).ok().filter(|s| !s.is_empty())
    }
}

/// `walletProviderMsgTracing`: the wallet provider's ids for this message.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletProviderMsgTracing {
    #[serde(rename = "tokenRequestorID")]
    pub token_requestor_id: Option<String>,
    pub wp_request_id: String,
    pub wp_conversation_id: Option<String>,
}

impl WalletProviderMsgTracing {
    pub fn validate(&self) -> Result<(), VtsError> {
        const P: &str = "walletProviderMsgTracing";
        if let Some(tr) = self.token_requestor_id.as_deref() {
            token_requestor_id(&format!("{P}.tokenRequestorID"), tr)?;
        }
        length(&format!("{P}.wpRequestId"), &self.wp_request_id, 1, 64)?;
        validate::charset(
            &format!("{P}.wpRequestId"),
            Some(&self.wp_request_id),
            validate::printable,
        )?;
        optional_length(
            &format!("{P}.wpConversationId"),
            self.wp_conversation_id.as_deref(),
            1,
            64,
        )
    }
}

/// `tokenRequestorID`: 1 to 11 digits.
pub fn token_requestor_id(field: &str, value: &str) -> Result<(), VtsError> {
    digits(field, value, 1, 11)
}

/// A reference id (`tokenReferenceID`, `panReferenceID`): 1 to 32 of
/// `[A-Za-z0-9_-]`.
pub fn reference_id(field: &str, value: &str) -> Result<(), VtsError> {
    length(field, value, 1, 32)?;
    validate::charset(field, Some(value), validate::base64url_char)
}

pub fn optional_reference_id(field: &str, value: Option<&str>) -> Result<(), VtsError> {
    value.map_or(Ok(()), |v| reference_id(field, v))
}

/// The wallet account's `walletAccountEmailAddressHash` (1 to 64 hex
/// digits) and `clientWalletAccountID` (1 to 24 printable characters).
pub fn wallet_account(
    email_address_hash: Option<&str>,
    client_wallet_account_id: Option<&str>,
) -> Result<(), VtsError> {
    optional_length("walletAccountEmailAddressHash", email_address_hash, 1, 64)?;
    validate::charset("walletAccountEmailAddressHash", email_address_hash, |c| {
        c.is_ascii_hexdigit()
    })?;
    optional_length("clientWalletAccountID", client_wallet_account_id, 1, 24)?;
    validate::charset(
        "clientWalletAccountID",
        client_wallet_account_id,
        validate::printable,
    )
}

/// `lifeCycleTraceID`: 1 to 15 printable characters.
pub fn life_cycle_trace_id(value: Option<&str>) -> Result<(), VtsError> {
    optional_length("lifeCycleTraceID", value, 1, 15)?;
    validate::charset("lifeCycleTraceID", value, validate::printable)
}

/// `encryptedData`: only its length is checked here. Everything else about
/// it, its five-part shape and base64url included, is found when it is
/// decrypted and answered with the one `ISE40010`.
pub fn encrypted_data(value: &str) -> Result<(), VtsError> {
    length("encryptedData", value, 1, MAX_COMPACT_LEN)
}

/// `locale`: `ll` or `ll_CC` (ISO 639-1 language, ISO 3166 alpha-2 country).
pub fn locale(value: Option<&str>) -> Result<(), VtsError> {
    let Some(v) = value else { return Ok(()) };
    length("locale", v, 2, 5)?;
    let b = v.as_bytes();
    let language = b
        .get(..2)
        .is_some_and(|l| l.iter().all(u8::is_ascii_lowercase));
    let country = match b.get(2..) {
        Some([]) => true,
        Some([sep, c1, c2]) => {
            (*sep == b'_' || *sep == b'-') && c1.is_ascii_uppercase() && c2.is_ascii_uppercase()
        }
        _ => false,
    };
    if language && country {
        Ok(())
    } else {
        Err(VtsError::value("locale"))
    }
}

/// `panSource`: `01`, `02` or `03`.
pub fn pan_source(value: Option<&str>) -> Result<(), VtsError> {
    validate::one_of("panSource", value, &["01", "02", "03"])
}

/// Path and query parameters as the gateway hands them over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pub path: HashMap<String, String>,
    pub query: HashMap<String, String>,
}

impl Params {
    /// From the gateway's (name, value) pairs. A name given twice is refused
    /// rather than guessed at (which `eventID` is the message's id?), without
    /// naming it: the name is the caller's text.
    pub fn from_pairs<'a>(
        path: impl IntoIterator<Item = (&'a str, &'a str)>,
        query: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, VtsError> {
        fn collect<'a>(
            pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        ) -> Result<HashMap<String, String>, VtsError> {
            let mut map = HashMap::new();
            for (name, value) in pairs {
                if map.insert(name.to_owned(), value.to_owned()).is_some() {
                    return Err(VtsError::repeated_parameter());
                }
            }
            Ok(map)
        }
        Ok(Self {
            path: collect(path)?,
            query: collect(query)?,
        })
    }

    pub fn path(&self, name: &str) -> Result<&str, VtsError> {
        self.path
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| VtsError::missing(name))
    }

    pub fn query(&self, name: &str) -> Result<&str, VtsError> {
        self.query
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| VtsError::missing(name))
    }
}

/// `/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPath {
    pub token_requestor_id: String,
    pub token_reference_id: String,
}

impl TokenPath {
    pub fn from_params(params: &Params) -> Result<Self, VtsError> {
        let requestor = params.path("tokenRequestorID")?;
        token_requestor_id("tokenRequestorID", requestor)?;
        let reference = params.path("tokenReferenceID")?;
        reference_id("tokenReferenceID", reference)?;
        Ok(Self {
            token_requestor_id: requestor.to_owned(),
            token_reference_id: reference.to_owned(),
        })
    }
}

/// `actionCode`: `00` approve, `85` approve with cardholder verification
/// (provision inactive), `05` decline. The same code set as
/// `visaTokenDecisioning` (our assumption for the issuer's answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionCode {
    #[serde(rename = "00")]
    Approve,
    #[serde(rename = "85")]
    ApproveWithVerification,
    #[serde(rename = "05")]
    Decline,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VtsErrorCode;

    #[test]
    fn parameters_are_taken_once_each() {
        // GIVEN the gateway's path and query pairs
        let params = Params::from_pairs(
            [("tokenRequestorID", "40010030273")],
            [("eventType", "TOKEN_CREATED"), ("eventID", "evt-1")],
        )
        .unwrap();
        // THEN each is read by name
        assert_eq!(params.path("tokenRequestorID").unwrap(), "40010030273");
        assert_eq!(params.query("eventID").unwrap(), "evt-1");
        assert_eq!(
            params.query("x").unwrap_err().code,
            VtsErrorCode::MissingField
        );
        // AND a name given twice is refused without echoing it
        let err = Params::from_pairs([], [("eventID<b>", "a"), ("eventID<b>", "b")]).unwrap_err();
        assert_eq!(err.code, VtsErrorCode::InvalidValue);
        assert!(!err.description.contains("eventID"), "{err}");
    }
}
