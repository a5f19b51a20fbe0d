//! Lambda `tmp-bulk-card-tokens`: see [`issuer_api::bulk_card_tokens`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(issuer_api::bulk_card_tokens::INIT).await
}
