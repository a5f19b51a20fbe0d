//! The functions a schedule runs on AWS (`Schedule` / `ScheduleV2` events).
//! Locally no schedule fires by itself: moto does not run EventBridge, and
//! tests must be deterministic. Instead `POST /_local/jobs/<binary>` runs the
//! function now ([`router`]), with the event its schedule would send
//! ([`event`]), through its own cold start (once per platform, retried while
//! it fails, as Lambda retries a failed init) and with its own credentials,
//! so its policy in `template.yaml` is enforced as for every function.

mod event;
mod router;
#[cfg(test)]
mod tests;

use aws_config::SdkConfig;
use serde::Serialize;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{EventHandler, HandlerError};
use tokio::sync::OnceCell;

use crate::deployment::Deployment;
use crate::gateway::FunctionSdk;
use crate::registry::{self, EventInitFn};
use crate::resolve::ResolveError;
use crate::template::{FunctionEvent, ScheduleKind, Template, check_expression};

pub use event::scheduled_event;
pub use router::{JOBS_PATH, router};

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("function {function}: resolving its {event} event's {what}")]
    Resolve {
        function: String,
        event: String,
        what: &'static str,
        #[source]
        source: ResolveError,
    },
    #[error("function {function}: its {event} event's schedule {expression:?}: {reason}")]
    Expression {
        function: String,
        event: String,
        expression: String,
        reason: &'static str,
    },
    #[error("function {function}: its {event} event's Input is not JSON text")]
    Input {
        function: String,
        event: String,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "function {function}: binary {binary} is not registered as a JSON-event function (infra/local/src/registry.rs)"
    )]
    Unregistered { function: String, binary: String },
    #[error("function {function}: building its environment failed")]
    Environment {
        function: String,
        #[source]
        source: ResolveError,
    },
}

/// One schedule of a function, resolved against the deployment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// The event's name in the template (`ReconcileSchedule`).
    pub event: String,
    /// Shown as its SAM event type, `Schedule` or `ScheduleV2`.
    #[serde(rename = "type", serialize_with = "event_type")]
    pub kind: ScheduleKind,
    /// `rate(15 minutes)`, `cron(...)`.
    pub expression: String,
    /// A disabled schedule would not fire on AWS; it still runs on request.
    pub enabled: bool,
    /// The rule's ARN (`resources[0]` of the event), or the Scheduler schedule's.
    pub arn: String,
    /// `Input`: what the function gets instead of the scheduled event.
    #[serde(skip)]
    pub input: Option<serde_json::Value>,
}

fn event_type<S: serde::Serializer>(kind: &ScheduleKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.event_type())
}

/// A function with at least one schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledFunction {
    pub function: String,
    pub binary: String,
    /// In template order; a run uses the first.
    pub schedules: Vec<Schedule>,
}

/// Every function of the template with a schedule, its expressions resolved
/// and checked (one AWS would refuse stops start-up).
pub fn scheduled_functions(
    template: &Template,
    deployment: &Deployment,
) -> Result<Vec<ScheduledFunction>, JobError> {
    let mut out = Vec::new();
    for f in &template.functions {
        let mut schedules = Vec::new();
        for (event, e) in &f.events {
            let FunctionEvent::Schedule {
                kind,
                expression,
                enabled,
                name,
                input,
            } = e
            else {
                continue;
            };
            let resolve = |what, expr| {
                deployment
                    .resolve(expr)
                    .map_err(|source| JobError::Resolve {
                        function: f.logical_id.clone(),
                        event: event.clone(),
                        what,
                        source,
                    })
            };
            let expression = resolve("Schedule", expression)?;
            check_expression(*kind, &expression).map_err(|reason| JobError::Expression {
                function: f.logical_id.clone(),
                event: event.clone(),
                expression: expression.clone(),
                reason,
            })?;
            let name = match name {
                Some(name) => resolve("Name", name)?,
                None => default_name(deployment, &f.logical_id, event),
            };
            let input = match input {
                Some(input) => Some(serde_json::from_str(&resolve("Input", input)?).map_err(
                    |source| JobError::Input {
                        function: f.logical_id.clone(),
                        event: event.clone(),
                        source,
                    },
                )?),
                None => None,
            };
            schedules.push(Schedule {
                event: event.clone(),
                kind: *kind,
                expression,
                enabled: *enabled,
                arn: arn(deployment, *kind, &name),
                input,
            });
        }
        if !schedules.is_empty() {
            out.push(ScheduledFunction {
                function: f.logical_id.clone(),
                binary: f.binary.clone(),
                schedules,
            });
        }
    }
    Ok(out)
}

/// Rule and schedule names have at most 64 characters.
const MAX_NAME: usize = 64;

/// The name CloudFormation would generate, locally `{prefix}` + the logical
/// id SAM gives the rule (function id + event name), cut to 64 characters.
fn default_name(deployment: &Deployment, function: &str, event: &str) -> String {
    deployment
        .physical_name(&format!("{function}{event}"))
        .chars()
        .take(MAX_NAME)
        .collect()
}

fn arn(deployment: &Deployment, kind: ScheduleKind, name: &str) -> String {
    let (region, account) = (&deployment.region, &deployment.account_id);
    match kind {
        ScheduleKind::Rule => format!("arn:aws:events:{region}:{account}:rule/{name}"),
        // SAM puts a ScheduleV2 schedule in the default group unless told otherwise.
        ScheduleKind::Scheduler => {
            format!("arn:aws:scheduler:{region}:{account}:schedule/default/{name}")
        }
    }
}

/// A scheduled function ready to run: its cold start, done at most once
/// successfully and retried by the next run while it fails.
pub struct Job {
    pub scheduled: ScheduledFunction,
    init: EventInitFn,
    sdk: SdkConfig,
    env: FunctionEnv,
    handler: OnceCell<EventHandler>,
}

impl Job {
    pub fn new(
        scheduled: ScheduledFunction,
        init: EventInitFn,
        sdk: SdkConfig,
        env: FunctionEnv,
    ) -> Self {
        Self {
            scheduled,
            init,
            sdk,
            env,
            handler: OnceCell::new(),
        }
    }

    /// The handler of its cold start, which runs now unless one succeeded.
    async fn handler(&self) -> Result<EventHandler, HandlerError> {
        self.handler
            .get_or_try_init(|| (self.init)(&self.sdk, &self.env))
            .await
            .cloned()
    }
}

/// Builds every scheduled function's job and cold-starts it now, as the
/// gateway does its functions: a failing init is logged and does not stop
/// start-up (each run retries it); an unregistered binary does.
pub async fn cold_start(
    functions: Vec<ScheduledFunction>,
    deployment: &Deployment,
    sdk_for: &FunctionSdk,
) -> Result<Vec<Job>, JobError> {
    let mut jobs = Vec::new();
    for scheduled in functions {
        let function = scheduled.function.clone();
        let init =
            registry::lookup_event(&scheduled.binary).ok_or_else(|| JobError::Unregistered {
                function: function.clone(),
                binary: scheduled.binary.clone(),
            })?;
        let env = deployment
            .function_env(&function)
            .map_err(|source| JobError::Environment {
                function: function.clone(),
                source,
            })?;
        // Its own credentials: its calls are checked against its policy.
        let job = Job::new(scheduled, init, sdk_for(&function), env);
        if let Err(e) = job.handler().await {
            tracing::error!(
                function,
                error = %e,
                "init failed: its runs answer 500 and retry the init, as on Lambda"
            );
        }
        jobs.push(job);
    }
    Ok(jobs)
}
