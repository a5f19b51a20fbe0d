//! Lambda `tmp-suspend-token`: see [`issuer_api::suspend_token`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(issuer_api::suspend_token::INIT).await
}
