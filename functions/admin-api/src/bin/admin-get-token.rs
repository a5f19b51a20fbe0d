//! Lambda `admin-get-token`: see [`admin_api::get_token`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::get_token::INIT).await
}
