//! The token page (`GET /tokens/{tokenId}`) and an action's answer: the TMP
//! API's token view, the decision trail in words, and what this agent may
//! do to the token in its state now (the panel shows only those).

use serde::Serialize;
use tmp_api::token::{
    HistoryEntry, LifecycleAction, NetworkStatus, PendingNetworkAction, TokenSummary,
};
use tmp_api::translate;
use tmp_core::domain::action::TokenAction;
use tmp_core::domain::delivery_log::{DeliveryKind, DeliveryRecord, DeliveryResult, LoggedChannel};
use tmp_core::domain::events::TokenEventType;
use tmp_core::ports::TokenView;

use crate::explain::{DecisionTrail, trail};
use crate::roles::{Permission, Roles};

/// An action as the panel names it (the path segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionName {
    Activate,
    Suspend,
    Unsuspend,
    Delete,
}

const ACTIONS: [(ActionName, LifecycleAction); 4] = [
    (ActionName::Activate, LifecycleAction::Activate),
    (ActionName::Suspend, LifecycleAction::Suspend),
    (ActionName::Unsuspend, LifecycleAction::Unsuspend),
    (ActionName::Delete, LifecycleAction::Delete),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPage {
    #[serde(flatten)]
    pub summary: TokenSummary,
    pub history: Vec<HistoryEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_trail: Option<DecisionTrail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_network_action: Option<PendingNetworkAction>,
    pub allowed_actions: Vec<ActionName>,
    /// The network's device id, when known (bulk actions by device).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<tmp_api::ids::DeviceId>,
    /// What this agent may do to every token of the card or device.
    pub bulk_actions: Vec<ActionName>,
    /// Activation codes and notices sent about it, newest first.
    pub deliveries: Vec<Delivery>,
    /// What this agent may report of the token's card (every token of it
    /// follows); none when the card is not known by its id.
    pub card_events: Vec<&'static str>,
}

/// One thing sent about the token (never a code, a text or an address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub kind: DeliveryKind,
    pub channel: LoggedChannel,
    pub at: String,
    pub result: DeliveryResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<TokenEventType>,
}

fn delivery(record: &DeliveryRecord) -> Delivery {
    Delivery {
        kind: record.kind,
        channel: record.channel,
        at: record
            .at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        result: record.result,
        event_type: record.event_type,
    }
}

/// An action's answer: the page after it, and the network's word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionResult {
    #[serde(flatten)]
    pub page: TokenPage,
    pub network_status: NetworkStatus,
}

/// The actions `roles` may take on the token now: allowed by its state,
/// and none while another is in flight at its network.
pub fn allowed_actions(view: &TokenView, roles: &Roles) -> Vec<ActionName> {
    if view.record.pending.is_some() {
        return Vec::new();
    }
    ACTIONS
        .into_iter()
        .filter(|(_, action)| roles.may(Permission::for_action(*action)))
        .filter(|(_, action)| core_action(*action).allowed_from(&view.record.state))
        .map(|(name, _)| name)
        .collect()
}

fn core_action(action: LifecycleAction) -> TokenAction {
    translate::action(action)
}

/// The page of `view` for an agent with `roles`; `None` when the token's
/// reference cannot be an identifier of the contract.
pub fn token_page(view: &TokenView, roles: &Roles) -> Option<TokenPage> {
    let details = translate::details(view)?;
    Some(TokenPage {
        summary: details.summary,
        history: details.history,
        decision_trail: view.decision.as_ref().map(trail),
        pending_network_action: details.pending_network_action,
        allowed_actions: allowed_actions(view, roles),
        device_id: view
            .device
            .device_id
            .clone()
            .and_then(|d| tmp_api::ids::DeviceId::try_from(d).ok()),
        bulk_actions: if roles.may(Permission::TokensBulk) {
            vec![
                ActionName::Suspend,
                ActionName::Unsuspend,
                ActionName::Delete,
            ]
        } else {
            Vec::new()
        },
        deliveries: view.deliveries.iter().map(delivery).collect(),
        card_events: if roles.may(Permission::CardsEvents) && view.issuer_card_id.is_some() {
            vec!["LOST", "STOLEN", "BLOCKED", "UNBLOCKED", "CLOSED"]
        } else {
            Vec::new()
        },
    })
}

/// One token of a bulk preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkPreviewItem {
    pub token_id: tmp_api::ids::TokenId,
    pub token_reference: tmp_api::ids::TokenReference,
    pub network: tmp_api::token::Network,
    pub status: tmp_api::token::TokenStatus,
    pub changes: bool,
}

/// What a bulk action would change (`GET …/tokens/{action}/preview`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkPreview {
    pub action: ActionName,
    pub tokens: Vec<BulkPreviewItem>,
    pub total: usize,
    pub changing: usize,
}

/// The preview of `action` over `tokens` (each with whether it changes).
pub fn bulk_preview(action: LifecycleAction, tokens: &[(TokenView, bool)]) -> BulkPreview {
    let name = ACTIONS
        .iter()
        .find(|(_, a)| *a == action)
        .map_or(ActionName::Suspend, |(n, _)| *n);
    let items: Vec<BulkPreviewItem> = tokens
        .iter()
        .filter_map(|(view, changes)| {
            let summary = translate::summary(view)?;
            Some(BulkPreviewItem {
                token_id: summary.token_id,
                token_reference: summary.token_reference,
                network: summary.network,
                status: summary.status,
                changes: *changes,
            })
        })
        .collect();
    BulkPreview {
        action: name,
        total: items.len(),
        changing: items.iter().filter(|i| i.changes).count(),
        tokens: items,
    }
}
