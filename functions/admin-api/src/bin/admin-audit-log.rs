//! Lambda `admin-audit-log`: see [`admin_api::audit_log`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(admin_api::audit_log::INIT).await
}
