//! Lambda `tmp-unsuspend-token`: see [`issuer_api::unsuspend_token`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(issuer_api::unsuspend_token::INIT).await
}
