//! `/_local/jobs`: `GET` lists the scheduled functions, `POST /<binary>` runs
//! one now and answers its handler's result.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::{Job, scheduled_event};
use crate::deployment::Deployment;

/// Where the router is mounted.
pub const JOBS_PATH: &str = "/_local/jobs";

struct Jobs {
    jobs: Vec<Job>,
    account: String,
    region: String,
}

/// The jobs' router, to mount at [`JOBS_PATH`].
pub fn router(jobs: Vec<Job>, deployment: &Deployment) -> Router {
    let state = Arc::new(Jobs {
        jobs,
        account: deployment.account_id.clone(),
        region: deployment.region.clone(),
    });
    Router::new()
        .route("/", get(list))
        .route("/{binary}", post(run))
        .with_state(state)
}

async fn list(State(jobs): State<Arc<Jobs>>) -> Response {
    let listed: Vec<_> = jobs.jobs.iter().map(|j| &j.scheduled).collect();
    Json(listed).into_response()
}

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Runs the function of `binary` with its first schedule's event. Its
/// failures answer 500 with a fixed message: what went wrong is in the
/// platform's log, as it would be in the function's on AWS.
async fn run(State(jobs): State<Arc<Jobs>>, Path(binary): Path<String>) -> Response {
    let Some(job) = jobs.jobs.iter().find(|j| j.scheduled.binary == binary) else {
        return error(
            StatusCode::NOT_FOUND,
            format!("no scheduled function {binary}"),
        );
    };
    let function = &job.scheduled.function;
    let Some(schedule) = job.scheduled.schedules.first() else {
        return error(
            StatusCode::NOT_FOUND,
            format!("no scheduled function {binary}"),
        );
    };
    let handler = match job.handler().await {
        Ok(handler) => handler,
        Err(e) => {
            tracing::error!(function, error = %e, "init failed");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{function} could not start (see the platform's log)"),
            );
        }
    };
    let event = scheduled_event(
        schedule,
        &uuid::Uuid::new_v4().to_string(),
        &jobs.account,
        &jobs.region,
        time::OffsetDateTime::now_utc(),
    );
    tracing::info!(
        function,
        schedule = schedule.event,
        "scheduled function runs"
    );
    // Spawned so that a panicking handler is a failed run, as a crashed Lambda would be.
    match tokio::spawn(handler(event)).await {
        Ok(Ok(result)) => Json(result).into_response(),
        Ok(Err(e)) => {
            tracing::error!(function, error = %e, "scheduled function failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{function} failed (see the platform's log)"),
            )
        }
        Err(_) => {
            tracing::error!(function, "scheduled function panicked");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{function} failed (see the platform's log)"),
            )
        }
    }
}
