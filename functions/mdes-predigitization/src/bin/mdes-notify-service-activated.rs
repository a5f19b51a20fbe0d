//! Lambda `mdes-notify-service-activated`: see [`mdes_predigitization::notify_service_activated`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(mdes_predigitization::notify_service_activated::INIT).await
}
