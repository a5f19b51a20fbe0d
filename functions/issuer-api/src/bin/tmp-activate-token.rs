//! Lambda `tmp-activate-token`: see [`issuer_api::activate_token`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(issuer_api::activate_token::INIT).await
}
