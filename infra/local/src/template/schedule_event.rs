//! A SAM `Schedule` event (an EventBridge rule) or `ScheduleV2` event (an
//! EventBridge Scheduler schedule): when a function runs by itself on AWS.
//! Locally nothing fires by itself (moto does not, and tests must be
//! deterministic): tmp-local runs such a function when asked
//! ([`crate::jobs`]). The expression is checked as EventBridge would check it
//! when it is literal here, once resolved otherwise ([`check_expression`]),
//! so that a schedule AWS would refuse is refused at start-up, not at deploy.

use serde_norway::{Mapping, Value};

use super::{FunctionEvent, TemplateError, invalid};
use crate::intrinsics::Expr;

/// Which service runs the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleKind {
    /// `Schedule`: an EventBridge rule (`AWS::Events::Rule`).
    Rule,
    /// `ScheduleV2`: an EventBridge Scheduler schedule (`AWS::Scheduler::Schedule`).
    Scheduler,
}

impl ScheduleKind {
    /// The SAM event type.
    pub fn event_type(self) -> &'static str {
        match self {
            Self::Rule => "Schedule",
            Self::Scheduler => "ScheduleV2",
        }
    }
}

pub(super) fn schedule(
    id: &str,
    kind: ScheduleKind,
    ep: &Mapping,
) -> Result<FunctionEvent, TemplateError> {
    let key = match kind {
        ScheduleKind::Rule => "Schedule",
        ScheduleKind::Scheduler => "ScheduleExpression",
    };
    let expression = ep.get(key).cloned().ok_or_else(|| {
        invalid(
            id,
            match kind {
                ScheduleKind::Rule => "a Schedule event lacks Schedule",
                ScheduleKind::Scheduler => "a ScheduleV2 event lacks ScheduleExpression",
            },
        )
    })?;
    // A literal is checked now; an intrinsic (`!Ref ReconcileSchedule`) once resolved.
    if let Value::String(text) = &expression {
        check_expression(kind, text).map_err(|reason| invalid(id, reason))?;
    }
    Ok(FunctionEvent::Schedule {
        kind,
        expression: Expr(expression),
        enabled: enabled(id, kind, ep)?,
        name: ep.get("Name").cloned().map(Expr),
        input: ep.get("Input").cloned().map(Expr),
    })
}

/// `Enabled` (rules only) or `State`, never both (SAM refuses that); enabled
/// unless one says otherwise. Only literals: locally the value decides
/// nothing but what `/_local/functions` shows, and a guess would mislead.
fn enabled(id: &str, kind: ScheduleKind, ep: &Mapping) -> Result<bool, TemplateError> {
    let flag = ep.get("Enabled");
    let state = ep.get("State");
    match (flag, state) {
        (Some(_), Some(_)) => Err(invalid(
            id,
            "a schedule event may set Enabled or State, not both",
        )),
        (Some(_), None) if kind == ScheduleKind::Scheduler => Err(invalid(
            id,
            "a ScheduleV2 event has State (ENABLED or DISABLED), not Enabled",
        )),
        (Some(Value::Bool(b)), None) => Ok(*b),
        (Some(Value::String(s)), None) if s.eq_ignore_ascii_case("true") => Ok(true),
        (Some(Value::String(s)), None) if s.eq_ignore_ascii_case("false") => Ok(false),
        (Some(_), None) => Err(invalid(
            id,
            "a Schedule event's Enabled must be a literal true or false locally",
        )),
        (None, Some(state)) => match (kind, state.as_str()) {
            (_, Some("ENABLED")) => Ok(true),
            (_, Some("DISABLED")) => Ok(false),
            (ScheduleKind::Rule, Some("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")) => Ok(true),
            _ => Err(invalid(
                id,
                "a schedule event's State must be a literal ENABLED or DISABLED locally",
            )),
        },
        (None, None) => Ok(true),
    }
}

/// Whether `text` is a schedule expression the service accepts: `rate(1
/// minute)`, `rate(5 minutes)` (the unit singular for 1 only), `cron(…)` with
/// six fields and `?` in exactly one of day-of-month and day-of-week, and for
/// EventBridge Scheduler also a one-time `at(yyyy-mm-ddThh:mm:ss)`.
pub fn check_expression(kind: ScheduleKind, text: &str) -> Result<(), &'static str> {
    let inner = |prefix: &str| {
        text.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(')'))
    };
    if let Some(rate) = inner("rate(") {
        return check_rate(rate);
    }
    if let Some(cron) = inner("cron(") {
        return check_cron(cron);
    }
    if let Some(at) = inner("at(") {
        if kind == ScheduleKind::Rule {
            return Err(
                "a Schedule event (an EventBridge rule) cannot run once: at() is ScheduleV2's",
            );
        }
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        return time::PrimitiveDateTime::parse(at, format)
            .map(|_| ())
            .map_err(|_| "an at() schedule must be at(yyyy-mm-ddThh:mm:ss)");
    }
    Err("a schedule expression must be rate(...), cron(...) or, for ScheduleV2, at(...)")
}

fn check_rate(rate: &str) -> Result<(), &'static str> {
    let mut parts = rate.split(' ');
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err("a rate() schedule must be rate(<value> <unit>)");
    };
    let value: u64 = value
        .parse()
        .ok()
        .filter(|v| *v > 0)
        .ok_or("a rate() schedule's value must be a positive whole number")?;
    let singular = match unit {
        "minute" | "hour" | "day" => true,
        "minutes" | "hours" | "days" => false,
        _ => return Err("a rate() schedule's unit must be minute(s), hour(s) or day(s)"),
    };
    if singular != (value == 1) {
        return Err("a rate() schedule's unit is singular for 1 and plural otherwise");
    }
    Ok(())
}

fn check_cron(cron: &str) -> Result<(), &'static str> {
    let fields: Vec<&str> = cron.split(' ').collect();
    let [_, _, day_of_month, _, day_of_week, _] = fields.as_slice() else {
        return Err(
            "a cron() schedule has six fields: minutes hours day-of-month month day-of-week year",
        );
    };
    if fields.iter().any(|f| f.is_empty()) {
        return Err("a cron() schedule's fields are separated by single spaces");
    }
    if (*day_of_month == "?") == (*day_of_week == "?") {
        return Err("a cron() schedule has ? in exactly one of day-of-month and day-of-week");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;

    fn parse(properties: &str, kind: &str) -> Result<FunctionEvent, TemplateError> {
        let t = Template::parse(&format!(
            r#"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata: {{ BuildProperties: {{ Binary: f }} }}
    Properties:
      Events:
        Tick: {{ Type: {kind}, Properties: {properties} }}
"#
        ))?;
        Ok(t.function("Fn").unwrap().events[0].1.clone())
    }

    #[test]
    fn a_schedule_event_is_its_expression_enabled_by_default() {
        // GIVEN a Schedule event with only its expression
        let event = parse("{ Schedule: rate(15 minutes) }", "Schedule").unwrap();
        // THEN a rule, enabled, with neither name nor input
        assert_eq!(
            event,
            FunctionEvent::Schedule {
                kind: ScheduleKind::Rule,
                expression: Expr::literal("rate(15 minutes)"),
                enabled: true,
                name: None,
                input: None,
            }
        );
    }

    #[test]
    fn a_parameter_expression_name_input_and_state_are_kept() {
        // GIVEN the expression from a parameter, a name, an input and a disabled state
        let event = parse(
            r#"{ Schedule: !Ref Every, Name: nightly, Input: '{"mode":"full"}', State: DISABLED }"#,
            "Schedule",
        )
        .unwrap();
        let FunctionEvent::Schedule {
            expression,
            enabled,
            name,
            input,
            ..
        } = event
        else {
            panic!("{event:?}")
        };
        // THEN the expression stays an expression, resolved (and checked) at start-up
        assert_eq!(expression.references(), vec!["Every"]);
        assert!(!enabled);
        assert_eq!(name, Some(Expr::literal("nightly")));
        assert_eq!(input, Some(Expr::literal(r#"{"mode":"full"}"#)));
        // AND Enabled: false says the same
        let event = parse("{ Schedule: rate(1 day), Enabled: false }", "Schedule").unwrap();
        assert!(matches!(
            event,
            FunctionEvent::Schedule { enabled: false, .. }
        ));
    }

    #[test]
    fn a_schedule_v2_event_is_a_scheduler_schedule() {
        let event = parse(
            "{ ScheduleExpression: 'cron(0 3 * * ? *)', State: ENABLED }",
            "ScheduleV2",
        )
        .unwrap();
        assert!(matches!(
            event,
            FunctionEvent::Schedule {
                kind: ScheduleKind::Scheduler,
                enabled: true,
                ..
            }
        ));
        // AND only it may run once
        parse(
            "{ ScheduleExpression: 'at(2030-01-31T23:00:00)' }",
            "ScheduleV2",
        )
        .unwrap();
        assert!(parse("{ Schedule: 'at(2030-01-31T23:00:00)' }", "Schedule").is_err());
    }

    #[test]
    fn schedules_aws_would_refuse_are_refused_with_the_functions_id() {
        for (kind, properties) in [
            ("Schedule", "{}"),
            ("ScheduleV2", "{ Schedule: rate(1 day) }"),
            ("Schedule", "{ Schedule: rate(1 days) }"),
            ("Schedule", "{ Schedule: rate(5 minute) }"),
            ("Schedule", "{ Schedule: rate(0 minutes) }"),
            ("Schedule", "{ Schedule: rate(5 weeks) }"),
            ("Schedule", "{ Schedule: rate(5) }"),
            ("Schedule", "{ Schedule: every 5 minutes }"),
            ("Schedule", "{ Schedule: 'cron(0 3 * * *)' }"),
            ("Schedule", "{ Schedule: 'cron(0 3 * * * *)' }"),
            ("Schedule", "{ Schedule: 'cron(0 3 ? * ? *)' }"),
            ("Schedule", "{ Schedule: 'cron(0  3 * * ? *)' }"),
            ("ScheduleV2", "{ ScheduleExpression: at(2030-01-31) }"),
            (
                "Schedule",
                "{ Schedule: rate(1 day), Enabled: true, State: ENABLED }",
            ),
            ("Schedule", "{ Schedule: rate(1 day), Enabled: !Ref Flag }"),
            ("Schedule", "{ Schedule: rate(1 day), State: PAUSED }"),
            (
                "ScheduleV2",
                "{ ScheduleExpression: rate(1 day), Enabled: true }",
            ),
        ] {
            let err = parse(properties, kind).unwrap_err();
            assert!(
                err.to_string().contains("resource Fn"),
                "{properties}: {err}"
            );
        }
    }

    #[test]
    fn valid_expressions_pass() {
        for text in [
            "rate(1 minute)",
            "rate(2 hours)",
            "rate(1 day)",
            "cron(0/15 * * * ? *)",
            "cron(0 3 ? * MON-FRI *)",
        ] {
            assert_eq!(check_expression(ScheduleKind::Rule, text), Ok(()), "{text}");
        }
    }

    #[test]
    fn the_workspace_reconciliation_runs_on_its_parameters_schedule() {
        // GIVEN the workspace template
        let t = Template::from_path(&crate::workspace_root().join("template.yaml")).unwrap();
        let f = t.function("TmpReconcileTokensFunction").unwrap();
        assert_eq!(f.binary, "tmp-reconcile-tokens");
        // THEN its one event is an enabled rule on ReconcileSchedule, every 15 minutes by default
        let [
            (
                _,
                FunctionEvent::Schedule {
                    kind,
                    expression,
                    enabled,
                    ..
                },
            ),
        ] = f.events.as_slice()
        else {
            panic!("{:?}", f.events)
        };
        assert_eq!((*kind, *enabled), (ScheduleKind::Rule, true));
        assert_eq!(expression.references(), vec!["ReconcileSchedule"]);
        let default = t.parameters["ReconcileSchedule"].default.clone().unwrap();
        assert_eq!(default, "rate(15 minutes)");
        assert_eq!(check_expression(ScheduleKind::Rule, &default), Ok(()));
    }
}
