//! Lambda `admin-search-tokens`: see [`admin_api::search_tokens`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::search_tokens::INIT).await
}
