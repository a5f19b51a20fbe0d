//! Lambda `admin-active-tokens-report`: see [`admin_api::active_tokens_report`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::active_tokens_report::INIT).await
}
