//! Lambda `vts-approve-provisioning`: see [`vts_predigitization::approve_provisioning`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(vts_predigitization::approve_provisioning::INIT).await
}
