//! Lambda `mdes-authorize-service`: see [`mdes_predigitization::authorize_service`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(mdes_predigitization::authorize_service::INIT).await
}
