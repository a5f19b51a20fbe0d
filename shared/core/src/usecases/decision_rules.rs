//! The decision rules an administrator reads and replaces: the deployment's
//! (`DECISION_RULES`) until one is stored, then the stored document, which
//! authorization reads with each card (no extra call) and applies from the
//! next request on. A replacement names the version it was made from (a
//! concurrent change is a conflict, never overwritten) and is checked as
//! authorization will read it.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::AppError;
use crate::clock::Clock;
use crate::domain::policy::DecisionPolicy;
use crate::error::{InputProblem, unavailable};
use crate::ports::{DecisionRulesStore, SaveError, StoredRules};

/// The rules in force and where they come from.
#[derive(Debug, Clone)]
pub struct RulesInForce {
    /// 0 while the deployment's rules apply.
    pub version: u64,
    pub policy: DecisionPolicy,
    pub updated_by: Option<String>,
    pub updated_at: Option<OffsetDateTime>,
}

pub struct DecisionRulesAdmin {
    pub store: Arc<dyn DecisionRulesStore>,
    /// The deployment's rules (`DECISION_RULES`).
    pub deployment: DecisionPolicy,
    pub clock: Arc<dyn Clock>,
}

impl DecisionRulesAdmin {
    pub async fn current(&self) -> Result<RulesInForce, AppError> {
        let stored = self
            .store
            .current()
            .await
            .map_err(unavailable("reading the decision rules failed"))?;
        Ok(match stored {
            None => RulesInForce {
                version: 0,
                policy: self.deployment.clone(),
                updated_by: None,
                updated_at: None,
            },
            Some(stored) => RulesInForce {
                version: stored.version,
                policy: self
                    .deployment
                    .with_stored(Some(&stored.document))
                    .into_owned(),
                updated_by: Some(stored.updated_by),
                updated_at: Some(stored.updated_at),
            },
        })
    }

    /// Replaces the rules made from version `expected` with `document`.
    pub async fn replace(
        &self,
        expected: u64,
        document: &str,
        operator: &str,
    ) -> Result<RulesInForce, AppError> {
        let policy = DecisionPolicy::from_json(document)
            .map_err(|_| AppError::invalid("rules", InputProblem::Value))?;
        let next = StoredRules {
            version: expected + 1,
            // Stored as read back (every field explicit): what is shown is what applies.
            document: policy.document().to_string(),
            updated_by: operator.to_owned(),
            updated_at: self.clock.now(),
        };
        match self.store.replace(expected, &next).await {
            Ok(()) => Ok(RulesInForce {
                version: next.version,
                policy,
                updated_by: Some(next.updated_by),
                updated_at: Some(next.updated_at),
            }),
            Err(SaveError::Conflict) => Err(AppError::ActionNotAllowed(
                "the decision rules changed since they were read",
            )),
            Err(err) => {
                tracing::warn!(error = %err, "storing the decision rules failed");
                Err(AppError::Unavailable("storing the decision rules failed"))
            }
        }
    }
}
