//! Lambda `admin-funnel-report`: see [`admin_api::funnel_report`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::funnel_report::INIT).await
}
