//! Lambda `admin-me`: see [`admin_api::me`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::me::INIT).await
}
