//! `POST /api/v1/tokens/search`: a card's tokens by PAN (its keyed
//! fingerprint; the PAN is never stored or logged), by the issuer's card id,
//! a device's, or one token by its network reference; filtered, in pages.

use std::sync::Arc;

use aws_config::SdkConfig;
use lambda_http::Response;
use tmp_api::auth::Scope;
use tmp_api::search::SearchRequest;
use tmp_api::{Problem, http, translate, validate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::usecases::token_queries::TokenQueries;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{IssuerOperation, IssuerRequest};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the token issuer's keys and the PAN-fingerprint secret at once.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (verifier, queries) = tokio::try_join!(
        issuer::access_token_verifier(env),
        issuer::token_queries(sdk, env, true),
    )?;
    Ok(crate::endpoint(
        Arc::new(verifier),
        SearchTokens { queries },
    ))
}

pub struct SearchTokens {
    pub queries: TokenQueries,
}

#[async_trait::async_trait]
impl IssuerOperation for SearchTokens {
    const NAME: &'static str = "searchTokens";
    const SCOPE: Scope = Scope::TokensRead;

    async fn call(&self, request: &IssuerRequest<'_>) -> Result<Response<Vec<u8>>, Problem> {
        let search: SearchRequest = validate::parse(request.body)?;
        let (by, filter, page) = translate::search_query(&search)?;
        let found = self.queries.search(by, &filter, &page).await?;
        Ok(http::json(200, &translate::search_response(&found)?))
    }
}

#[cfg(test)]
mod tests;
