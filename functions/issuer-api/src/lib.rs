//! The TMP API family (issuer → TMP; our contract: `api/tmp-api.openapi.yaml`):
//! one module per operation (its `init`, its operation over one use case),
//! one Lambda binary per operation in `src/bin/`, and the family's slice of
//! the registry that tmp-local serves.
//!
//! Every operation authorises its caller itself, with the same code on AWS
//! and locally: the bearer token is verified against the token issuer's JWKS
//! (fetched once per cold start) and must grant the operation's scope (401
//! otherwise, 403 for a valid token without it). On AWS the API's Cognito
//! authorizer checks the token first.
//!
//! Adding an operation: a module here (wire types and translation in
//! `tmp-api`), a bin, its `template.yaml` entry, its `events/` samples.

pub mod activate_token;
pub mod bulk_card_tokens;
pub mod bulk_device_tokens;
pub mod delete_token;
pub mod get_job;
pub mod get_token;
pub mod job_worker;
pub mod post_card_event;
pub mod search_tokens;
pub mod suspend_token;
pub mod unsuspend_token;

mod bulk_tokens;
mod job_start;
mod token_action;

#[cfg(test)]
mod testing;

use std::collections::HashMap;
use std::sync::Arc;

use lambda_http::{Body, Request, RequestExt, Response};
use tmp_api::auth::{AccessTokenVerifier, Scope};
use tmp_api::{Problem, http};
use tmp_aws::cold_start::Registry;
use tmp_runtime::lambda::{HttpHandler, http_handler};
use tracing::Instrument;

/// Every function of the family: binary name (as in `template.yaml`) → init.
pub const FUNCTIONS: Registry = &[
    ("tmp-search-tokens", search_tokens::INIT),
    ("tmp-get-token", get_token::INIT),
    ("tmp-activate-token", activate_token::INIT),
    ("tmp-suspend-token", suspend_token::INIT),
    ("tmp-unsuspend-token", unsuspend_token::INIT),
    ("tmp-delete-token", delete_token::INIT),
    ("tmp-post-card-event", post_card_event::INIT),
    ("tmp-bulk-card-tokens", bulk_card_tokens::INIT),
    ("tmp-bulk-device-tokens", bulk_device_tokens::INIT),
    ("tmp-get-job", get_job::INIT),
    ("tmp-job-worker", job_worker::INIT),
];

/// What an operation gets of an authorised request.
pub struct IssuerRequest<'a> {
    /// The OAuth client that called (the issuer's back office).
    pub client_id: &'a str,
    pub path: HashMap<String, String>,
    pub idempotency_key: Option<&'a str>,
    pub body: &'a [u8],
}

impl IssuerRequest<'_> {
    /// A path parameter (the route guarantees it; absent reads as unknown).
    pub fn path(&self, name: &str) -> &str {
        self.path.get(name).map_or("", String::as_str)
    }
}

/// One TMP API operation.
#[async_trait::async_trait]
pub trait IssuerOperation: Send + Sync + 'static {
    /// For logs.
    const NAME: &'static str;
    /// The scope its caller's token must grant.
    const SCOPE: Scope;

    async fn call(&self, request: &IssuerRequest<'_>) -> Result<Response<Vec<u8>>, Problem>;
}

/// An operation behind the access-token check.
pub struct Authorised<O> {
    pub verifier: Arc<AccessTokenVerifier>,
    pub operation: O,
}

/// The HTTP handler of a TMP API operation, under a span that carries the
/// operation (never the body or the token).
pub fn endpoint<O: IssuerOperation>(
    verifier: Arc<AccessTokenVerifier>,
    operation: O,
) -> HttpHandler {
    http_handler(
        Arc::new(Authorised {
            verifier,
            operation,
        }),
        |authorised, request: Request| async move {
            let span = tracing::info_span!("tmp_api", operation = O::NAME);
            let response = answer(authorised.as_ref(), &request).instrument(span).await;
            Ok(response.map(Body::from))
        },
    )
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn answer<O: IssuerOperation>(
    authorised: &Authorised<O>,
    request: &Request,
) -> Response<Vec<u8>> {
    let token = match authorised.verifier.authorize(
        header(request, "authorization"),
        O::SCOPE,
        time::OffsetDateTime::now_utc(),
    ) {
        Ok(token) => token,
        Err(failure) => return http::problem(&failure.into()),
    };
    let path = request
        .path_parameters()
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let issuer_request = IssuerRequest {
        client_id: &token.client_id,
        path,
        idempotency_key: header(request, "idempotency-key"),
        body: request.body().as_ref(),
    };
    match authorised.operation.call(&issuer_request).await {
        Ok(response) => {
            tracing::info!(client_id = %token.client_id, status = response.status().as_u16(), "answered");
            response
        }
        Err(problem) => {
            tracing::info!(client_id = %token.client_id, status = problem.status, kind = ?problem.kind, "refused");
            http::problem(&problem)
        }
    }
}

/// An [`Init`](tmp_aws::cold_start::Init) from an async `init` function.
macro_rules! http_init {
    ($init:path) => {
        tmp_aws::cold_start::Init::Http(|sdk, env| Box::pin($init(sdk, env)))
    };
}
pub(crate) use http_init;
