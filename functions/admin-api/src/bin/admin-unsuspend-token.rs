//! Lambda `admin-unsuspend-token`: see [`admin_api::unsuspend_token`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::unsuspend_token::INIT).await
}
