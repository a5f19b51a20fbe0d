//! Lambda `mdes-notify-token-updated`: see [`mdes_predigitization::notify_token_updated`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(mdes_predigitization::notify_token_updated::INIT).await
}
