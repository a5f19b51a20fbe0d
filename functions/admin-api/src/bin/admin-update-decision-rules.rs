//! Lambda `admin-update-decision-rules`: see [`admin_api::update_decision_rules`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::update_decision_rules::INIT).await
}
