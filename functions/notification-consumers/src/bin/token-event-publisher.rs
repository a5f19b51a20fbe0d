//! Lambda `token-event-publisher`: see [`notification_consumers::token_event_publisher`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(notification_consumers::token_event_publisher::INIT).await
}
