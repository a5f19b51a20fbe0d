//! Lambda `tmp-delete-token`: see [`issuer_api::delete_token`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(issuer_api::delete_token::INIT).await
}
