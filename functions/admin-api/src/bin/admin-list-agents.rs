//! Lambda `admin-list-agents`: see [`admin_api::list_agents`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::list_agents::INIT).await
}
