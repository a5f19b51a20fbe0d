//! Lambda `admin-post-card-event`: see [`admin_api::post_card_event`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::post_card_event::INIT).await
}
