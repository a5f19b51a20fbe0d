//! Lambda `mdes-notify-suspicious-events`: see [`mdes_predigitization::notify_suspicious_events`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(mdes_predigitization::notify_suspicious_events::INIT).await
}
