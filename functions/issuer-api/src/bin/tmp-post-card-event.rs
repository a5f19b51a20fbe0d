//! Lambda `tmp-post-card-event`: see [`issuer_api::post_card_event`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(issuer_api::post_card_event::INIT).await
}
