//! Lambda `admin-start-bulk`: see [`admin_api::bulk_start`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::bulk_start::INIT).await
}
