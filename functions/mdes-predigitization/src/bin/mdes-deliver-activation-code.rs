//! Lambda `mdes-deliver-activation-code`: see [`mdes_predigitization::deliver_activation_code`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(mdes_predigitization::deliver_activation_code::INIT).await
}
