//! checkEligibility: `POST /vts/v1/checkEligibility`. VTS asks whether the
//! card inside `encryptedData` may be tokenized; an eligible active card is
//! answered with its card metadata (art, colours, texts, terms), any other
//! with `actionCode` 05.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::VtsError;
use crate::common::{self, ActionCode, DeviceInfo, Params, WalletProviderMsgTracing};
use crate::operation::{self, VtsRequest, VtsResponse};
use crate::validate::{self, length, optional_length};

/// The body. Unknown members are ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckEligibilityRequest {
    #[serde(rename = "tokenRequestorID")]
    pub token_requestor_id: Option<String>,
    #[serde(rename = "panReferenceID")]
    pub pan_reference_id: Option<String>,
    #[serde(rename = "lifeCycleTraceID")]
    pub life_cycle_trace_id: Option<String>,
    pub pan_source: Option<String>,
    pub locale: Option<String>,
    pub device_info: Option<DeviceInfo>,
    pub wallet_provider_msg_tracing: Option<WalletProviderMsgTracing>,
    /// Compact JWE of `{"cardholderInfo", "riskInformation"}`.
    pub encrypted_data: String,
}

impl CheckEligibilityRequest {
    pub fn validate(&self) -> Result<(), VtsError> {
        if let Some(tr) = self.token_requestor_id.as_deref() {
            common::token_requestor_id("tokenRequestorID", tr)?;
        }
        common::optional_reference_id("panReferenceID", self.pan_reference_id.as_deref())?;
        common::life_cycle_trace_id(self.life_cycle_trace_id.as_deref())?;
        common::pan_source(self.pan_source.as_deref())?;
        common::locale(self.locale.as_deref())?;
        if let Some(device) = &self.device_info {
            device.validate()?;
        }
        if let Some(tracing) = &self.wallet_provider_msg_tracing {
            tracing.validate()?;
        }
        common::encrypted_data(&self.encrypted_data)
    }
}

impl VtsRequest for CheckEligibilityRequest {
    const OPERATION: &'static str = "checkEligibility";

    fn from_parts(_: &Params, body: Value) -> Result<Self, VtsError> {
        operation::body(body, Self::validate)
    }
}

/// `cardArtData`: the ids of the card art Visa holds for this product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardArtData {
    #[serde(rename = "cardArtRefID")]
    pub card_art_ref_id: Vec<String>,
}

/// `cardMetadataInfo`: how the wallet shows the card. Ours (configuration),
/// checked once at start-up with [`CardMetadataInfo::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardMetadataInfo {
    pub card_issuer: String,
    /// `RRGGBB` hex.
    pub foreground_color: String,
    pub background_color: String,
    pub label_color: String,
    pub short_description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_description: Option<String>,
    #[serde(rename = "profileID", skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    #[serde(rename = "termsAndConditionsID")]
    pub terms_and_conditions_id: String,
    #[serde(rename = "privacyPolicyURL")]
    pub privacy_policy_url: String,
    #[serde(rename = "termsAndConditionsURL")]
    pub terms_and_conditions_url: String,
    pub card_art_data: CardArtData,
}

fn color(field: &str, value: &str) -> Result<(), VtsError> {
    length(field, value, 6, 6)?;
    validate::charset(field, Some(value), |c| c.is_ascii_hexdigit())
}

fn https_url(field: &str, value: &str) -> Result<(), VtsError> {
    length(field, value, 9, 256)?;
    let host_and_path = value.strip_prefix("https://").unwrap_or_default();
    if host_and_path.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(VtsError::value(field));
    }
    Ok(())
}

impl CardMetadataInfo {
    /// The contract's lengths and patterns (the same as the OpenAPI schema).
    pub fn validate(&self) -> Result<(), VtsError> {
        const P: &str = "cardMetadataInfo";
        let f = |name: &str| format!("{P}.{name}");
        length(&f("cardIssuer"), &self.card_issuer, 1, 32)?;
        color(&f("foregroundColor"), &self.foreground_color)?;
        color(&f("backgroundColor"), &self.background_color)?;
        color(&f("labelColor"), &self.label_color)?;
        length(&f("shortDescription"), &self.short_description, 1, 32)?;
        optional_length(
            &f("longDescription"),
            self.long_description.as_deref(),
            1,
            64,
        )?;
        optional_length(&f("profileID"), self.profile_id.as_deref(), 1, 32)?;
        length(
            &f("termsAndConditionsID"),
            &self.terms_and_conditions_id,
            1,
            32,
        )?;
        https_url(&f("privacyPolicyURL"), &self.privacy_policy_url)?;
        https_url(&f("termsAndConditionsURL"), &self.terms_and_conditions_url)?;
        let art = &self.card_art_data.card_art_ref_id;
        if art.is_empty() || art.len() > 10 {
            return Err(VtsError::length(&f("cardArtData.cardArtRefID")));
        }
        for id in art {
            common::reference_id(&f("cardArtData.cardArtRefID"), id)?;
        }
        Ok(())
    }
}

/// Longest product category we accept as a key (the issuer's names are short).
const MAX_PRODUCT_CATEGORY_LEN: usize = 64;

/// Why `VTS_CARD_METADATA` was refused at cold start (our configuration, so
/// the messages may name its products).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardMetadataError {
    #[error("not a JSON object of product category to cardMetadataInfo: {0}")]
    NotJson(String),
    #[error("names no product: every card would be ineligible")]
    Empty,
    #[error("product category {0:?} is empty or too long")]
    InvalidProduct(String),
    #[error("product category {product:?}: {error}")]
    InvalidMetadata { product: String, error: VtsError },
}

/// How the wallet shows each product: the issuer's `productCategory` (Card
/// Verification API) to its `cardMetadataInfo`, checked once at cold start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardMetadataCatalog {
    products: HashMap<String, CardMetadataInfo>,
}

impl CardMetadataCatalog {
    /// From `{"CONSUMER_CREDIT": {cardMetadataInfo}, ...}`: unknown members
    /// inside an entry, a bad colour, URL or art id, or no product at all are
    /// refused.
    pub fn from_json(json: &str) -> Result<Self, CardMetadataError> {
        let products: HashMap<String, CardMetadataInfo> = serde_json::from_str(json)
            .map_err(|err| CardMetadataError::NotJson(err.to_string()))?;
        Self::new(products)
    }

    pub fn new(products: HashMap<String, CardMetadataInfo>) -> Result<Self, CardMetadataError> {
        if products.is_empty() {
            return Err(CardMetadataError::Empty);
        }
        for (product, metadata) in &products {
            if product.is_empty() || product.chars().count() > MAX_PRODUCT_CATEGORY_LEN {
                return Err(CardMetadataError::InvalidProduct(product.clone()));
            }
            metadata
                .validate()
                .map_err(|error| CardMetadataError::InvalidMetadata {
                    product: product.clone(),
                    error,
                })?;
        }
        Ok(Self { products })
    }

    /// The metadata of `product_category`, if the issuer configured it.
    pub fn get(&self, product_category: &str) -> Option<&CardMetadataInfo> {
        self.products.get(product_category)
    }

    /// The configured product categories, sorted (for the cold-start log).
    pub fn product_categories(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.products.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckEligibilityResponse {
    pub action_code: ActionCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_metadata_info: Option<CardMetadataInfo>,
}

impl CheckEligibilityResponse {
    /// `00` with the card's metadata.
    pub fn eligible(metadata: CardMetadataInfo) -> Self {
        Self {
            action_code: ActionCode::Approve,
            card_metadata_info: Some(metadata),
        }
    }

    /// `05`, nothing else (no hint why).
    pub fn ineligible() -> Self {
        Self {
            action_code: ActionCode::Decline,
            card_metadata_info: None,
        }
    }
}

impl VtsResponse for CheckEligibilityResponse {
    fn into_response(self) -> ::http::Response<Vec<u8>> {
        crate::http::ok(&self)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::json;

    use super::*;
    use crate::VtsErrorCode;
    use crate::testing::{Violation, assert_violations};

    pub(crate) fn metadata() -> CardMetadataInfo {
        CardMetadataInfo {
            card_issuer: "Example Bank".into(),
            foreground_color: "FFFFFF".into(),
            background_color: "1A1F71".into(),
            label_color: "F7B600".into(),
            short_description: "Example Visa Debit".into(),
            long_description: Some("Example Bank Visa Debit card".into()),
            profile_id: None,
            terms_and_conditions_id: "TC-2026-01".into(),
            privacy_policy_url: "https://bank.example/privacy".into(),
            terms_and_conditions_url: "https://bank.example/terms".into(),
            card_art_data: CardArtData {
                card_art_ref_id: vec!["a1b2c3d4e5f60718293a4b5c6d7e8f90".into()],
            },
        }
    }

    fn valid() -> Value {
        json!({
            "tokenRequestorID": "40010030273",
            "panReferenceID": "V-PANREF-000001",
            "locale": "en",
            "encryptedData": "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d"
        })
    }

    fn parse(body: Value) -> Result<CheckEligibilityRequest, VtsError> {
        CheckEligibilityRequest::from_parts(&Params::default(), body)
    }

    #[test]
    fn each_violation_gets_its_ise_code() {
        let cases: Vec<Violation<'_>> = vec![
            (
                "/encryptedData",
                None,
                VtsErrorCode::MissingField,
                "encryptedData",
            ),
            (
                "/tokenRequestorID",
                Some(json!("123456789012")),
                VtsErrorCode::InvalidLength,
                "tokenRequestorID",
            ),
            (
                "/tokenRequestorID",
                Some(json!(40010030273_u64)),
                VtsErrorCode::InvalidType,
                "tokenRequestorID",
            ),
            (
                "/panSource",
                Some(json!("00")),
                VtsErrorCode::InvalidValue,
                "panSource",
            ),
        ];
        assert_violations(valid, parse, &cases);
    }

    #[test]
    fn the_catalog_is_checked_product_by_product() {
        // GIVEN the configuration of two products
        let entry = serde_json::to_value(metadata()).unwrap();
        let json = json!({"CONSUMER_DEBIT": entry, "PREPAID": entry}).to_string();
        // WHEN read THEN each product has its metadata, nothing else does
        let catalog = CardMetadataCatalog::from_json(&json).unwrap();
        assert_eq!(catalog.product_categories(), ["CONSUMER_DEBIT", "PREPAID"]);
        assert_eq!(catalog.get("PREPAID"), Some(&metadata()));
        assert_eq!(catalog.get("COMMERCIAL"), None);
        // AND a bad entry, an unknown member, no product or no JSON is refused
        let mut bad = entry.clone();
        bad["labelColor"] = json!("#F7B600");
        let err = CardMetadataCatalog::from_json(&json!({"PREPAID": bad}).to_string()).unwrap_err();
        assert!(err.to_string().contains("PREPAID"), "{err}");
        let mut unknown = entry.clone();
        unknown["cardColour"] = json!("red");
        assert!(matches!(
            CardMetadataCatalog::from_json(&json!({"PREPAID": unknown}).to_string()),
            Err(CardMetadataError::NotJson(_))
        ));
        assert_eq!(
            CardMetadataCatalog::from_json("{}"),
            Err(CardMetadataError::Empty)
        );
        assert!(matches!(
            CardMetadataCatalog::from_json(&json!({"": entry}).to_string()),
            Err(CardMetadataError::InvalidProduct(_))
        ));
        assert!(CardMetadataCatalog::from_json("[1]").is_err());
    }

    #[test]
    fn metadata_is_checked_and_serialised_with_visa_names() {
        // GIVEN valid metadata
        let good = metadata();
        assert!(good.validate().is_ok());
        // THEN it travels under Visa's names
        let json = serde_json::to_value(CheckEligibilityResponse::eligible(good.clone())).unwrap();
        assert_eq!(json["actionCode"], "00");
        assert_eq!(
            json["cardMetadataInfo"]["cardArtData"]["cardArtRefID"][0],
            "a1b2c3d4e5f60718293a4b5c6d7e8f90"
        );
        assert_eq!(
            json["cardMetadataInfo"]["termsAndConditionsURL"],
            "https://bank.example/terms"
        );
        // AND bad configuration is refused by field
        let mut bad = good.clone();
        bad.label_color = "#F7B600".into();
        assert_eq!(
            bad.validate().unwrap_err().code,
            VtsErrorCode::InvalidLength
        );
        let mut bad = good;
        bad.privacy_policy_url = "http://bank.example/privacy".into();
        assert_eq!(bad.validate().unwrap_err().code, VtsErrorCode::InvalidValue);
        // AND an ineligible card gets 05 alone
        assert_eq!(
            serde_json::to_value(CheckEligibilityResponse::ineligible()).unwrap(),
            json!({"actionCode": "05"})
        );
    }
}
