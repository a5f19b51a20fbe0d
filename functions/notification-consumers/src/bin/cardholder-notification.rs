//! Lambda `cardholder-notification`: see [`notification_consumers::cardholder_notification`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(notification_consumers::cardholder_notification::INIT).await
}
