//! Lambda `admin-get-decision-rules`: see [`admin_api::get_decision_rules`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::get_decision_rules::INIT).await
}
