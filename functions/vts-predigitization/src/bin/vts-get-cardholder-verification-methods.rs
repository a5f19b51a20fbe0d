//! Lambda `vts-get-cardholder-verification-methods`: see [`vts_predigitization::get_cardholder_verification_methods`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(vts_predigitization::get_cardholder_verification_methods::INIT).await
}
