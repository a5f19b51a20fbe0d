//! Lambda `admin-delete-token`: see [`admin_api::delete_token`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::delete_token::INIT).await
}
