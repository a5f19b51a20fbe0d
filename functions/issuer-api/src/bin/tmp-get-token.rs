//! Lambda `tmp-get-token`: see [`issuer_api::get_token`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(issuer_api::get_token::INIT).await
}
