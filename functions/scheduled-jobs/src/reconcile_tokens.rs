//! Reconciliation with the networks, on a schedule: pending actions settled
//! or sent again, drift repaired (see `tmp_core::usecases::reconcile`). The
//! answer is the run's report; a run that cannot read the table fails, and
//! the next scheduled run starts where the sweep stopped.

use std::sync::Arc;

use aws_config::SdkConfig;
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::usecases::reconcile::ReconcileTokens;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{EventHandler, HandlerError};

pub const INIT: Init = Init::Event(|sdk, env| Box::pin(init(sdk, env)));

/// Cold start: the table and the network clients (the MDES signing key
/// unwrapped once).
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<EventHandler, HandlerError> {
    Ok(handler(issuer::reconcile_tokens(sdk, env).await?))
}

/// The scheduled event carries nothing we need: every run does the same.
pub fn handler(job: ReconcileTokens) -> EventHandler {
    let job = Arc::new(job);
    Arc::new(move |_event: serde_json::Value| {
        let job = Arc::clone(&job);
        Box::pin(async move {
            let report = job
                .run()
                .await
                .map_err(|e| HandlerError::from(e.to_string()))?;
            Ok(serde_json::to_value(report)?)
        })
    })
}
