//! `AuditInfo` (MDES Customer Service 2.0.7): who at the issuer asked.

use serde::{Deserialize, Serialize};

/// The customer service representative behind a request. `UserId` (≤50),
/// `UserName` and `Organization` (≤200) are required; `Phone` (≤20) is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuditInfo {
    pub user_id: String,
    pub user_name: String,
    pub organization: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}
