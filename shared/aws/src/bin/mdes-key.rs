//! `mdes-key`: onboarding of the issuer's MDES encryption key in a deployed
//! stack (or the emulator, with AWS_ENDPOINT_URL). Uses the standard AWS
//! credential chain. A command-line tool: it prints what it did.
//!
//! - `mdes-key generate --table T --kms-key K`: new RSA-2048 key pair, private
//!   key sealed under a KMS data key of K, stored in T; prints PEM + fingerprint.
//! - `mdes-key show --table T`: prints every active public key and fingerprint,
//!   the values to register with Mastercard.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use tmp_aws::{DynamoDbKeyMaterialStore, KmsKeyVault};
use tmp_mdes::keys::{self as mdes_keys, MdesPublicKeyInfo};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn print(info: &MdesPublicKeyInfo) {
    println!(
        "publicKeyFingerprint (SHA-256 of the SubjectPublicKeyInfo): {}",
        info.fingerprint
    );
    print!("{}", info.pem);
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(table) = arg(&args, "--table") else {
        eprintln!("mdes-key needs --table <MdesKeyMaterialTable name>");
        return ExitCode::from(2);
    };
    let sdk = aws_config::load_from_env().await;
    let store = DynamoDbKeyMaterialStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    let result = match args.first().map(String::as_str) {
        Some("generate") => {
            let Some(key_id) = arg(&args, "--kms-key") else {
                eprintln!("mdes-key generate needs --kms-key <SecretsKey id>");
                return ExitCode::from(2);
            };
            let vault = KmsKeyVault::new(aws_sdk_kms::Client::new(&sdk), key_id);
            mdes_keys::generate_and_store(&vault, &store, 2048)
                .await
                .map(|k| vec![k])
        }
        Some("show") => mdes_keys::public_keys(&store).await,
        _ => {
            eprintln!("usage: mdes-key (generate|show) --table TABLE [--kms-key KEY_ID]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(keys) if keys.is_empty() => {
            eprintln!("no active MDES key stored; run `mdes-key generate` first");
            ExitCode::FAILURE
        }
        Ok(keys) => {
            keys.iter().for_each(print);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mdes-key: {e}");
            ExitCode::FAILURE
        }
    }
}
