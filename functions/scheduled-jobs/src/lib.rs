//! Scheduled jobs (EventBridge schedules in `template.yaml`): one module per
//! job, one Lambda binary per job in `src/bin/`, and the family's slice of the
//! registry that tmp-local serves (`POST /_local/jobs/<binary>` runs one now).

pub mod reconcile_tokens;

use tmp_aws::cold_start::Registry;

/// Every function of the family: binary name (as in `template.yaml`) → init.
pub const FUNCTIONS: Registry = &[("tmp-reconcile-tokens", reconcile_tokens::INIT)];
