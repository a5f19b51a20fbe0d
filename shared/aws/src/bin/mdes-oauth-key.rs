//! `mdes-oauth-key`: onboarding of the issuer's MDES Customer Service OAuth
//! 1.0a signing key (the key every lifecycle call to Mastercard is signed
//! with) in a deployed stack (or the emulator, with AWS_ENDPOINT_URL). Uses
//! the standard AWS credential chain. A command-line tool: it prints what it
//! did, never the private key.
//!
//! - `mdes-oauth-key generate --kms-key K [--common-name CN] [--csr-out FILE]`:
//!   a new RSA-2048 key in memory, its PKCS#8 DER KMS-encrypted under K
//!   (context `purpose=mdes-oauth-signing-key`); prints the ciphertext to set
//!   as `MdesOAuthSigningKeyCiphertext`, the public key PEM, its SHA-256
//!   fingerprint and a PKCS#10 CSR (subject `CN=<CN>`) for Mastercard
//!   Developers, and writes the CSR to FILE when asked.
//! - `mdes-oauth-key show --kms-key K --ciphertext B64 [--common-name CN] [--csr-out FILE]`:
//!   decrypts the configured ciphertext in memory and prints the same public
//!   key, fingerprint and CSR again.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use tmp_aws::KmsKeyVault;
use tmp_aws::mdes_oauth_key::{self, DEFAULT_COMMON_NAME, OAuthPublicKeyInfo};

const USAGE: &str = "usage: mdes-oauth-key generate --kms-key KEY_ID [--common-name CN] [--csr-out FILE]\n       mdes-oauth-key show --kms-key KEY_ID --ciphertext BASE64 [--common-name CN] [--csr-out FILE]";

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// An error and its causes, on one line (the sources carry the detail).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn write_csr(args: &[String], info: &OAuthPublicKeyInfo) -> Result<(), String> {
    if let Some(out) = arg(args, "--csr-out") {
        std::fs::write(&out, &info.csr_pem).map_err(|e| format!("cannot write {out}: {e}"))?;
        println!("CSR written to {out}");
    }
    Ok(())
}

async fn run(args: &[String]) -> Result<(), String> {
    let command = args.first().map(String::as_str);
    let key_id = arg(args, "--kms-key").ok_or("--kms-key <SecretsKey id> is required")?;
    let common_name = arg(args, "--common-name").unwrap_or_else(|| DEFAULT_COMMON_NAME.to_owned());
    let sdk = aws_config::load_from_env().await;
    let vault = KmsKeyVault::new(aws_sdk_kms::Client::new(&sdk), key_id);
    match command {
        Some("generate") => {
            let key = mdes_oauth_key::generate(&vault, &common_name)
                .await
                .map_err(|e| chain(&e))?;
            print!("{}", mdes_oauth_key::render_generated(&key));
            write_csr(args, &key.public)
        }
        Some("show") => {
            let ciphertext = arg(args, "--ciphertext")
                .ok_or("show needs --ciphertext <MdesOAuthSigningKeyCiphertext>")?;
            let info = mdes_oauth_key::show(&vault, &ciphertext, &common_name)
                .await
                .map_err(|e| chain(&e))?;
            print!("{}", mdes_oauth_key::render_public(&info));
            write_csr(args, &info)
        }
        _ => Err(USAGE.to_owned()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !matches!(args.first().map(String::as_str), Some("generate" | "show")) {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mdes-oauth-key: {e}");
            ExitCode::FAILURE
        }
    }
}
