//! Lambda `tmp-reconcile-tokens`: see [`scheduled_jobs::reconcile_tokens`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(scheduled_jobs::reconcile_tokens::INIT).await
}
