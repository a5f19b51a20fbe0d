//! `vts-key`: onboarding of the issuer's VTS encryption key (the RSA key Visa
//! encrypts `encryptedData` for) in a deployed stack (or the emulator, with
//! AWS_ENDPOINT_URL). Uses the standard AWS credential chain. A command-line
//! tool: it prints what it did.
//!
//! - `vts-key generate --table T --kms-key K [--kid KID] [--bits N] [--out FILE]`:
//!   new RSA key pair (2048 bits unless `--bits`), private key sealed under a
//!   KMS data key of K, stored in T as ACTIVE; prints the kid and writes the
//!   public key PEM to FILE (default `<kid>.pem`) for Visa. Without `--kid`
//!   the kid is derived from the public key (`vts-` + 16 hex digits).
//! - `vts-key show --table T`: prints every active kid and public key.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use tmp_aws::vts_keys::{self, VtsPublicKeyInfo};
use tmp_aws::{DynamoDbKeyMaterialStore, KmsKeyVault};

const USAGE: &str = "usage: vts-key generate --table TABLE --kms-key KEY_ID [--kid KID] [--bits N] [--out FILE]\n       vts-key show --table TABLE";

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

fn print(info: &VtsPublicKeyInfo) {
    println!("kid: {}", info.kid);
    print!("{}", info.pem);
}

async fn generate(
    args: &[String],
    sdk: &aws_config::SdkConfig,
    store: &DynamoDbKeyMaterialStore,
) -> Result<(), String> {
    let key_id = arg(args, "--kms-key").ok_or("generate needs --kms-key <SecretsKey id>")?;
    let bits = match arg(args, "--bits") {
        None => vts_keys::DEFAULT_KEY_BITS,
        Some(b) => b
            .parse()
            .map_err(|_| "--bits needs a number (2048, 3072, 4096)")?,
    };
    let kid = arg(args, "--kid");
    let vault = KmsKeyVault::new(aws_sdk_kms::Client::new(sdk), key_id);
    let info = vts_keys::generate_and_store(&vault, store, kid.as_deref(), bits)
        .await
        .map_err(|e| chain(&e))?;
    let out = arg(args, "--out").unwrap_or_else(|| format!("{}.pem", info.kid));
    std::fs::write(&out, &info.pem).map_err(|e| format!("cannot write {out}: {e}"))?;
    print(&info);
    println!(
        "public key written to {out}: register it with Visa under kid {}",
        info.kid
    );
    Ok(())
}

async fn show(store: &DynamoDbKeyMaterialStore) -> Result<(), String> {
    let keys = vts_keys::public_keys(store).await.map_err(|e| chain(&e))?;
    if keys.is_empty() {
        return Err("no active VTS key stored; run `vts-key generate` first".to_owned());
    }
    keys.iter().for_each(print);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(table) = arg(&args, "--table") else {
        eprintln!("vts-key needs --table <VtsKeyMaterialTable name>\n{USAGE}");
        return ExitCode::from(2);
    };
    let sdk = aws_config::load_from_env().await;
    let store = DynamoDbKeyMaterialStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    let result = match args.first().map(String::as_str) {
        Some("generate") => generate(&args, &sdk, &store).await,
        Some("show") => show(&store).await,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vts-key: {e}");
            ExitCode::FAILURE
        }
    }
}
