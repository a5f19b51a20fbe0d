//! Lambda `admin-activate-token`: see [`admin_api::activate_token`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::activate_token::INIT).await
}
