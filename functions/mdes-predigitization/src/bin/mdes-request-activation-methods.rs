//! Lambda `mdes-request-activation-methods`: see [`mdes_predigitization::request_activation_methods`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(mdes_predigitization::request_activation_methods::INIT).await
}
