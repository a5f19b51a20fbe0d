//! What bulk preview and bulk start share: whose tokens (a card's or a
//! device's, by the route's path parameter) and which action.

use tmp_api::Problem;
use tmp_api::action::BulkAction;
use tmp_api::ids::{CardId, DeviceId};
use tmp_core::usecases::jobs::JobTarget;

use crate::AdminRequest;

/// The target of the route (`cardId` or `deviceId`) and what the audit log
/// calls it.
pub fn target(request: &AdminRequest<'_>) -> Result<(JobTarget, String), Problem> {
    if request.path.contains_key("cardId") {
        let card = CardId::from_path(request.path("cardId"))?;
        Ok((
            JobTarget::Card {
                card_id: card.as_str().to_owned(),
            },
            format!("cardId {}", card.as_str()),
        ))
    } else {
        let device = DeviceId::from_path(request.path("deviceId"))?;
        Ok((
            JobTarget::Device {
                device_id: device.as_str().to_owned(),
            },
            format!("deviceId {}", device.as_str()),
        ))
    }
}

pub fn action(request: &AdminRequest<'_>) -> Result<BulkAction, Problem> {
    BulkAction::from_path(request.path("action"))
}
