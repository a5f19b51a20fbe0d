//! Lambda `vts-check-eligibility`: see [`vts_predigitization::check_eligibility`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(vts_predigitization::check_eligibility::INIT).await
}
