//! `POST /api/v1/tokens/search`: a card's tokens by PAN (its keyed
//! fingerprint; the PAN is never stored or logged), by the issuer's card id,
//! a device's, or one token by its network reference; filtered, in pages.

use std::sync::Arc;

use aws_config::SdkConfig;
use lambda_http::Response;
use tmp_api::auth::Scope;
use tmp_api::ids::Cursor;
use tmp_api::search::{SearchRequest, SearchResponse, Selector};
use tmp_api::{Problem, http, translate, validate};
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::ports::{PageRequest, TokenFilter};
use tmp_core::usecases::token_queries::{SearchBy, TokenQueries};
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
        let by = match search.selector().ok_or_else(Problem::one_selector)? {
            Selector::Pan(pan) => SearchBy::Pan(pan),
            Selector::CardId(id) => SearchBy::CardId(id.as_str()),
            Selector::DeviceId(id) => SearchBy::DeviceId(id.as_str()),
            Selector::TokenReference(r) => SearchBy::TokenReference(r.as_str()),
        };
        let filter = TokenFilter {
            status: search.status.map(translate::status),
            token_requestor_id: search
                .token_requestor_id
                .as_ref()
                .map(|t| t.as_str().to_owned()),
            network: search.network.map(translate::network),
        };
        let page = PageRequest {
            limit: search.limit_or_default(),
            cursor: search.cursor.as_ref().map(|c| c.as_str().to_owned()),
        };
        let found = self.queries.search(by, &filter, &page).await?;
        // A cursor outside the contract's alphabet would be our bug: answer
        // 503 rather than a silently shortened result.
        let next_cursor = match found.next_cursor {
            None => None,
            Some(c) => Some(Cursor::try_from(c).map_err(|_| {
                tracing::error!("the store produced a cursor the contract cannot carry");
                Problem::unavailable()
            })?),
        };
        Ok(http::json(
            200,
            &SearchResponse {
                tokens: found.tokens.iter().filter_map(translate::summary).collect(),
                next_cursor,
            },
        ))
    }
}

#[cfg(test)]
mod tests;
