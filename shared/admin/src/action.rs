//! The body of an agent's lifecycle action: `{reasonCode, comment?}`. The
//! operator is the signed-in agent, never something the body says.

use serde::Deserialize;
use tmp_api::Problem;
use tmp_api::action::{ActionRequest, ReasonCode};
use tmp_api::token::LifecycleAction;
use tmp_api::validate::{self, Validate};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    reason_code: ReasonCode,
    #[serde(default)]
    comment: Option<String>,
}

impl Validate for Body {
    fn validate(&self) -> Result<(), Problem> {
        Ok(())
    }
}

/// Reads the body of `action` taken by `operator` (the agent's e-mail):
/// the TMP API's rules (reason codes per action, the comment's bounds, a
/// comment with OTHER).
pub fn parse(
    action: LifecycleAction,
    body: &[u8],
    operator: &str,
) -> Result<ActionRequest, Problem> {
    let body: Body = validate::parse(body)?;
    if !ReasonCode::allowed_for(action).contains(&body.reason_code) {
        return Err(Problem::invalid("reasonCode"));
    }
    let request = ActionRequest {
        reason_code: body.reason_code,
        comment: body.comment,
        operator: operator.to_owned(),
    };
    request.validate()?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operator_is_the_agent_and_the_reasons_are_the_actions() {
        let request = parse(
            LifecycleAction::Suspend,
            br#"{"reasonCode": "DEVICE_LOST", "comment": "Phone lost"}"#,
            "agent@bank.test",
        )
        .unwrap();
        assert_eq!(request.operator, "agent@bank.test");
        assert_eq!(request.reason_code, ReasonCode::DeviceLost);
        // A body naming an operator is refused, as is a reason of another action
        for body in [
            br#"{"reasonCode": "DEVICE_LOST", "operator": "someone.else"}"#.as_slice(),
            br#"{"reasonCode": "FRAUD_CLEARED"}"#,
            br#"{"reasonCode": "OTHER"}"#,
        ] {
            assert!(
                parse(LifecycleAction::Suspend, body, "agent@bank.test").is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
