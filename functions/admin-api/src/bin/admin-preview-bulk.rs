//! Lambda `admin-preview-bulk`: see [`admin_api::bulk_preview`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::bulk_preview::INIT).await
}
