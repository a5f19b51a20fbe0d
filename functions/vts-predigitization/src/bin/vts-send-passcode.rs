//! Lambda `vts-send-passcode`: see [`vts_predigitization::send_passcode`].

#[tokio::main]
async fn main() -> Result<(), tmp_runtime::lambda::HandlerError> {
    tmp_aws::cold_start::serve(vts_predigitization::send_passcode::INIT).await
}
