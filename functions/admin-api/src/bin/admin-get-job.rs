//! Lambda `admin-get-job`: see [`admin_api::get_job`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::get_job::INIT).await
}
