//! Lambda `vts-token-changed`: see [`vts_predigitization::token_changed`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(vts_predigitization::token_changed::INIT).await
}
