//! `with-moto CMD ARGS…`: runs a command against the AWS emulator (a private
//! moto server on a free loopback port, or `AWS_ENDPOINT_URL` if set), with
//! the endpoint and test credentials exported; the server stops afterwards,
//! whatever happens. `make test` runs every test this way.

#![allow(clippy::print_stderr)] // a command-line tool: it reports on stderr

use std::process::ExitCode;

use tmp_testkit::moto::{Emulator, EmulatorSource, REGION};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((program, rest)) = args.split_first() else {
        eprintln!("usage: with-moto CMD [ARGS...]");
        return ExitCode::from(2);
    };
    let emulator = match Emulator::start(&EmulatorSource::from_env()).await {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!("with-moto: {err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("moto server on {}", emulator.endpoint_url());
    let status = tokio::process::Command::new(program)
        .args(rest)
        .env("AWS_ENDPOINT_URL", emulator.endpoint_url())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", REGION)
        .env("AWS_DEFAULT_REGION", REGION)
        .status()
        .await;
    emulator.shutdown().await;
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)),
        Err(err) => {
            eprintln!("with-moto: cannot run {program}: {err}");
            ExitCode::FAILURE
        }
    }
}
