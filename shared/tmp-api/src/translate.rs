//! Between the contract and the core: a token view becomes its summary or
//! details, an action body becomes the core's action and reason.

use tmp_core::domain::action::{ActionReason, TokenAction};
use tmp_core::domain::decision::{self, DecisionRecord};
use tmp_core::domain::token;
use tmp_core::ports::TokenView;
use tmp_core::usecases::token_actions::ActionOutcome;

use crate::action::ReasonCode;
use crate::ids::{CardId, TokenId, TokenReference, TokenRequestorId};
use crate::token::{
    DecisionOutcome, Device, HistoryEntry, LifecycleAction, NetworkStatus, PendingNetworkAction,
    RuleResult, RuleVerdict, TokenDecision, TokenDetails, TokenStatus, TokenSummary,
};

pub fn action(action: LifecycleAction) -> TokenAction {
    match action {
        LifecycleAction::Activate => TokenAction::Activate,
        LifecycleAction::Suspend => TokenAction::Suspend,
        LifecycleAction::Unsuspend => TokenAction::Unsuspend,
        LifecycleAction::Delete => TokenAction::Delete,
    }
}

fn lifecycle_action(action: TokenAction) -> LifecycleAction {
    match action {
        TokenAction::Activate => LifecycleAction::Activate,
        TokenAction::Suspend => LifecycleAction::Suspend,
        TokenAction::Unsuspend => LifecycleAction::Unsuspend,
        TokenAction::Delete => LifecycleAction::Delete,
    }
}

pub fn reason(code: ReasonCode) -> ActionReason {
    match code {
        ReasonCode::CardholderVerified => ActionReason::CardholderVerified,
        ReasonCode::CardholderRequest => ActionReason::CardholderRequest,
        ReasonCode::IssuerDecision => ActionReason::IssuerDecision,
        ReasonCode::SuspectedFraud => ActionReason::SuspectedFraud,
        ReasonCode::ConfirmedFraud => ActionReason::ConfirmedFraud,
        ReasonCode::FraudCleared => ActionReason::FraudCleared,
        ReasonCode::DeviceLost => ActionReason::DeviceLost,
        ReasonCode::DeviceStolen => ActionReason::DeviceStolen,
        ReasonCode::DeviceFound => ActionReason::DeviceFound,
        ReasonCode::AccountClosed => ActionReason::AccountClosed,
        ReasonCode::Other => ActionReason::Other,
    }
}

/// `CONFIRMED` or `PENDING`; a refusal is a problem, not a status.
pub fn network_status(outcome: ActionOutcome) -> Option<NetworkStatus> {
    match outcome {
        ActionOutcome::Confirmed => Some(NetworkStatus::Confirmed),
        ActionOutcome::Pending => Some(NetworkStatus::Pending),
        ActionOutcome::Refused => None,
    }
}

/// A value of ours that breaks the contract's pattern is left out, never
/// sent (it would be a bug, and the caller would reject it).
fn checked<T: TryFrom<String>>(value: Option<&String>) -> Option<T> {
    value.and_then(|v| T::try_from(v.clone()).ok())
}

/// The summary a search lists; `None` when the token's reference cannot be
/// an identifier of the contract.
pub fn summary(view: &TokenView) -> Option<TokenSummary> {
    let record = &view.record;
    let token_id = TokenId::try_from(record.token_ref.clone()).ok()?;
    let token_reference = TokenReference::try_from(record.token_ref.clone()).ok()?;
    let device = &view.device;
    let device =
        (device.name.is_some() || device.kind.is_some() || device.os.is_some()).then(|| Device {
            name: device.name.clone(),
            kind: device.kind.clone(),
            os: device.os.clone(),
        });
    let fallback = record
        .state
        .last_event_at
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    Some(TokenSummary {
        token_id,
        network: record.network.into(),
        token_reference,
        status: record.state.status.into(),
        suspended_by: if record.state.status == token::TokenStatus::Suspended {
            record
                .state
                .suspenders
                .iter()
                .map(|s| (*s).into())
                .collect()
        } else {
            Vec::new()
        },
        token_requestor_id: checked::<TokenRequestorId>(record.token_requestor_id.as_ref()),
        wallet_id: record.wallet_id.clone(),
        wallet: tmp_core::domain::wallet::Wallet::of(
            record.token_requestor_id.as_deref(),
            record.wallet_id.as_deref(),
        ),
        device,
        card_id: checked::<CardId>(view.issuer_card_id.as_ref()),
        pan_last4: record
            .pan_last4
            .clone()
            .filter(|l| l.len() == 4 && l.bytes().all(|b| b.is_ascii_digit())),
        created_at: view.created_at.unwrap_or(fallback),
        updated_at: view.updated_at.or(view.created_at).unwrap_or(fallback),
    })
}

fn history(entry: &token::HistoryEntry) -> HistoryEntry {
    HistoryEntry {
        status: entry.to.into(),
        initiator: entry.initiator.into(),
        reason_code: entry.reason_code.clone(),
        comment: entry.comment.clone(),
        operator: entry.operator.clone(),
        event_time: entry.event_time.unwrap_or(entry.at),
        applied: entry.applied,
    }
}

fn wire_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn decision(record: &DecisionRecord) -> TokenDecision {
    TokenDecision {
        decision: match record.decision {
            decision::Decision::Approved => DecisionOutcome::Approved,
            decision::Decision::RequireAdditionalAuthentication => {
                DecisionOutcome::RequireAdditionalAuthentication
            }
            decision::Decision::Declined => DecisionOutcome::Declined,
        },
        decided_by: wire_name(&record.decided_by),
        rules: record
            .rules
            .iter()
            .map(|rule| RuleResult {
                rule: wire_name(&rule.rule),
                inputs: rule.inputs.clone(),
                verdict: match rule.verdict {
                    decision::RuleVerdict::Pass => RuleVerdict::Pass,
                    decision::RuleVerdict::NotEvaluated => RuleVerdict::NotEvaluated,
                    decision::RuleVerdict::Decline => RuleVerdict::Decline,
                    decision::RuleVerdict::Authenticate => RuleVerdict::Authenticate,
                    decision::RuleVerdict::Approve => RuleVerdict::Approve,
                },
            })
            .collect(),
    }
}

/// `GET /tokens/{tokenId}` and every action's answer.
pub fn details(view: &TokenView) -> Option<TokenDetails> {
    Some(TokenDetails {
        summary: summary(view)?,
        history: view.history.iter().map(history).collect(),
        decision: view.decision.as_ref().map(decision),
        pending_network_action: view.record.pending.as_ref().map(|p| PendingNetworkAction {
            action: lifecycle_action(p.action),
            requested_at: p.requested_at,
        }),
    })
}

/// The status a token filter names, in the core's terms.
pub fn status(status: TokenStatus) -> token::TokenStatus {
    match status {
        TokenStatus::Inactive => token::TokenStatus::Inactive,
        TokenStatus::Active => token::TokenStatus::Active,
        TokenStatus::Suspended => token::TokenStatus::Suspended,
        TokenStatus::Deactivated => token::TokenStatus::Deactivated,
        TokenStatus::Declined => token::TokenStatus::Declined,
    }
}

/// The network a filter names, in the core's terms.
pub fn network(network: crate::token::Network) -> tmp_core::domain::Network {
    match network {
        crate::token::Network::Mastercard => tmp_core::domain::Network::Mastercard,
        crate::token::Network::Visa => tmp_core::domain::Network::Visa,
    }
}

/// A card event's kind, in the core's terms.
pub fn card_event(kind: crate::card_event::CardEventType) -> tmp_core::domain::job::CardEventKind {
    use crate::card_event::CardEventType as Wire;
    use tmp_core::domain::job::CardEventKind as Core;
    match kind {
        Wire::Lost => Core::Lost,
        Wire::Stolen => Core::Stolen,
        Wire::Blocked => Core::Blocked,
        Wire::Unblocked => Core::Unblocked,
        Wire::Replaced => Core::Replaced,
        Wire::Renewed => Core::Renewed,
        Wire::Closed => Core::Closed,
    }
}

fn job_item(item: &tmp_core::domain::job::JobItem) -> Option<crate::job::JobItem> {
    use tmp_core::domain::job::{ItemFailure, ItemState};
    let outcome = match item.state {
        ItemState::Queued => crate::job::ItemOutcome::Pending,
        ItemState::Succeeded => crate::job::ItemOutcome::Succeeded,
        ItemState::Failed => crate::job::ItemOutcome::Failed,
    };
    let network_status = match (item.confirmed, item.failure) {
        (Some(true), _) => Some(NetworkStatus::Confirmed),
        (_, Some(ItemFailure::NetworkUnavailable)) => Some(NetworkStatus::Pending),
        _ => None,
    };
    let problem = item.failure.map(|failure| match failure {
        ItemFailure::NetworkRefused => crate::Problem::network_refused(),
        ItemFailure::NetworkUnavailable => crate::Problem::new(
            crate::ProblemKind::ServiceUnavailable,
            "The card network did not answer; the action stays pending on the token",
        ),
        ItemFailure::NotAllowed => crate::Problem::new(
            crate::ProblemKind::Conflict,
            "The token's state does not allow this action",
        ),
        ItemFailure::UnknownToken => crate::Problem::not_found(),
    });
    Some(crate::job::JobItem {
        token_id: TokenId::try_from(item.token_ref.clone()).ok()?,
        outcome,
        network_status,
        problem,
    })
}

/// `GET /jobs/{jobId}`: the counts and status follow from the items.
pub fn job_response(job: &tmp_core::domain::job::JobRecord) -> Option<crate::job::JobResponse> {
    Some(crate::job::JobResponse::from_items(
        crate::ids::JobId::try_from(job.job_id.clone()).ok()?,
        job.items.iter().filter_map(job_item).collect(),
    ))
}

/// A search in the core's terms: what it looks up by, its filter, its page.
pub fn search_query(
    search: &crate::search::SearchRequest,
) -> Result<
    (
        tmp_core::usecases::token_queries::SearchBy<'_>,
        tmp_core::ports::TokenFilter,
        tmp_core::ports::PageRequest,
    ),
    crate::Problem,
> {
    use crate::search::Selector;
    use tmp_core::usecases::token_queries::SearchBy;
    let by = match search.selector().ok_or_else(crate::Problem::one_selector)? {
        Selector::Pan(pan) => SearchBy::Pan(pan),
        Selector::CardId(id) => SearchBy::CardId(id.as_str()),
        Selector::DeviceId(id) => SearchBy::DeviceId(id.as_str()),
        Selector::TokenReference(r) => SearchBy::TokenReference(r.as_str()),
    };
    let filter = tmp_core::ports::TokenFilter {
        status: search.status.map(status),
        token_requestor_id: search
            .token_requestor_id
            .as_ref()
            .map(|t| t.as_str().to_owned()),
        network: search.network.map(network),
        ..tmp_core::ports::TokenFilter::default()
    };
    let page = tmp_core::ports::PageRequest {
        limit: search.limit_or_default(),
        cursor: search.cursor.as_ref().map(|c| c.as_str().to_owned()),
    };
    Ok((by, filter, page))
}

/// One page of a search as the contract answers it.
pub fn search_response(
    found: &tmp_core::ports::TokenPage,
) -> Result<crate::search::SearchResponse, crate::Problem> {
    // A cursor outside the contract's alphabet would be our bug: answer 503
    // rather than a silently shortened result.
    let next_cursor = match &found.next_cursor {
        None => None,
        Some(c) => Some(crate::ids::Cursor::try_from(c.clone()).map_err(|_| {
            tracing::error!("the store produced a cursor the contract cannot carry");
            crate::Problem::unavailable()
        })?),
    };
    Ok(crate::search::SearchResponse {
        tokens: found.tokens.iter().filter_map(summary).collect(),
        next_cursor,
    })
}
