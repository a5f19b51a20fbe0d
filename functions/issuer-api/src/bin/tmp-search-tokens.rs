//! Lambda `tmp-search-tokens`: see [`issuer_api::search_tokens`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(issuer_api::search_tokens::INIT).await
}
