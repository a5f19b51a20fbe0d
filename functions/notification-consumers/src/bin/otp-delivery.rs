//! Lambda `otp-delivery`: see [`notification_consumers::otp_delivery`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(notification_consumers::otp_delivery::INIT).await
}
