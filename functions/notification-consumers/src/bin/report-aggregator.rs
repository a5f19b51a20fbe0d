//! Lambda `report-aggregator`: see [`notification_consumers::report_aggregator`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(notification_consumers::report_aggregator::INIT).await
}
