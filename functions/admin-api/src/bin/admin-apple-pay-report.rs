//! Lambda `admin-apple-pay-report`: see [`admin_api::apple_pay_report`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::apple_pay_report::INIT).await
}
