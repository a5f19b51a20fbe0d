//! Lambda `admin-token-transactions`: see [`admin_api::token_transactions`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::token_transactions::INIT).await
}
