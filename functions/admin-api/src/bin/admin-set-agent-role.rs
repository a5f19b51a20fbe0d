//! Lambda `admin-set-agent-role`: see [`admin_api::set_agent_role`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::set_agent_role::INIT).await
}
