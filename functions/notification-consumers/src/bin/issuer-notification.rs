//! Lambda `issuer-notification`: see [`notification_consumers::issuer_notification`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(notification_consumers::issuer_notification::INIT).await
}
