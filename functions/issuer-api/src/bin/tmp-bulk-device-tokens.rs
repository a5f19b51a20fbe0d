//! Lambda `tmp-bulk-device-tokens`: see [`issuer_api::bulk_device_tokens`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(issuer_api::bulk_device_tokens::INIT).await
}
