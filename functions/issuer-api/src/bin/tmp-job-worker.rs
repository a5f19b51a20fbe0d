//! Lambda `tmp-job-worker`: see [`issuer_api::job_worker`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(issuer_api::job_worker::INIT).await
}
