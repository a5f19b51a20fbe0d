//! What a schedule sends its function.

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::Schedule;
use crate::template::ScheduleKind;

/// The event `schedule` would send at `now`: its `Input` when it has one
/// (then nothing of the event is sent, as on AWS); else, for an EventBridge
/// rule, the scheduled event EventBridge builds (`time` to the second, in
/// UTC; `resources` the rule's ARN; `detail` empty); for an EventBridge
/// Scheduler schedule without `Input`, `{}` (Scheduler's own default
/// notification is not reproduced).
pub fn scheduled_event(
    schedule: &Schedule,
    id: &str,
    account: &str,
    region: &str,
    now: OffsetDateTime,
) -> Value {
    if let Some(input) = &schedule.input {
        return input.clone();
    }
    if schedule.kind != ScheduleKind::Rule {
        return json!({});
    }
    let at = now.to_offset(time::UtcOffset::UTC);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    json!({
        "version": "0",
        "id": id,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": at.format(format).unwrap_or_default(),
        "region": region,
        "resources": [schedule.arn],
        "detail": {},
    })
}
