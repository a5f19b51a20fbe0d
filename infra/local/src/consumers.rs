//! Cold starts of the functions an event source feeds (SQS queues, DynamoDB
//! streams): each from the registry, with the environment the deployment
//! resolves for it and its own credentials, unless a test injected a handler.

use std::collections::HashMap;

use tmp_aws::cold_start::ColdStart;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::deployment::Deployment;
use crate::resolve::ResolveError;

#[derive(Debug, thiserror::Error)]
pub enum ConsumerStartError {
    #[error(
        "function {function}: binary {binary} is not registered as {kind} (infra/local/src/registry.rs)"
    )]
    Unregistered {
        function: String,
        binary: String,
        kind: &'static str,
    },
    #[error("function {function}: building its environment failed")]
    Environment {
        function: String,
        #[source]
        source: ResolveError,
    },
    #[error("function {function}: init failed: {message}")]
    Init { function: String, message: String },
}

/// One consumer to start: its logical id and binary.
pub struct Consumer<'a> {
    pub function: &'a str,
    pub binary: &'a str,
}

/// Cold-starts each of `consumers` that `given` does not already provide,
/// with `lookup` (the registry's for the kind of handler, named `kind`).
pub async fn cold_start<H>(
    consumers: impl IntoIterator<Item = Consumer<'_>>,
    lookup: impl Fn(&str) -> Option<ColdStart<H>>,
    kind: &'static str,
    deployment: &Deployment,
    sdk_for: &crate::gateway::FunctionSdk,
    mut given: HashMap<String, H>,
) -> Result<HashMap<String, H>, ConsumerStartError> {
    for c in consumers {
        if given.contains_key(c.function) {
            continue;
        }
        let init = lookup(c.binary).ok_or_else(|| ConsumerStartError::Unregistered {
            function: c.function.to_owned(),
            binary: c.binary.to_owned(),
            kind,
        })?;
        let env = deployment.function_env(c.function).map_err(|source| {
            ConsumerStartError::Environment {
                function: c.function.to_owned(),
                source,
            }
        })?;
        let handler =
            init(&sdk_for(c.function), &env)
                .await
                .map_err(|e| ConsumerStartError::Init {
                    function: c.function.to_owned(),
                    message: e.to_string(),
                })?;
        given.insert(c.function.to_owned(), handler);
    }
    Ok(given)
}

/// The running pollers of an event source (one task per queue or shard
/// reader); [`Pollers::shutdown`] stops them between batches: a batch being
/// handled finishes (and is settled) first.
pub struct Pollers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Pollers {
    pub(crate) fn new(stop: watch::Sender<bool>, tasks: Vec<JoinHandle<()>>) -> Self {
        Self { stop, tasks }
    }

    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Stops every poller and waits for it.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
