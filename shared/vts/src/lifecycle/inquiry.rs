//! `POST rsrv_VNTSTokenUpdateService/Inquiry/v1`: what VTS holds for a token.

use serde::{Deserialize, Serialize};

/// The inquiry: a token by `tokenReferenceID` and `tokenRequestorID`, or
/// the tokens of a card by `panReferenceID`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquiryRequest {
    #[serde(rename = "requestID")]
    pub request_id: String,
    #[serde(rename = "operatorID")]
    pub operator_id: String,
    #[serde(
        rename = "tokenReferenceID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub token_reference_id: Option<String>,
    #[serde(
        rename = "tokenRequestorID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub token_requestor_id: Option<String>,
    #[serde(
        rename = "panReferenceID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pan_reference_id: Option<String>,
}

/// `tokenState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenState {
    Active,
    Inactive,
    Suspended,
    Deactivated,
}

/// One token of the answer; members we do not read are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenDetail {
    #[serde(rename = "tokenReferenceID")]
    pub token_reference_id: String,
    #[serde(
        rename = "tokenRequestorID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub token_requestor_id: Option<String>,
    #[serde(
        rename = "panReferenceID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pan_reference_id: Option<String>,
    pub token_state: TokenState,
    /// As Visa sends it (not parsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_token_status_updated_time: Option<String>,
    /// Who acted last, as Visa names it (not parsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_of_last_action: Option<String>,
    #[serde(
        rename = "lastFourOfPAN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub last_four_of_pan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expiration: Option<String>,
}

/// The answer to an inquiry (HTTP 200). `tokenDetails` is required: a 200
/// without it is unreadable, not "no tokens".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryResponse {
    pub token_details: Vec<TokenDetail>,
}
