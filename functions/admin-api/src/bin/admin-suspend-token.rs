//! Lambda `admin-suspend-token`: see [`admin_api::suspend_token`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::suspend_token::INIT).await
}
