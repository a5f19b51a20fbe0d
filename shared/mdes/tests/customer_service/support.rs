//! The venv's Python, scratch files, a test key, sample requests.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use rsa::PrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use tmp_mdes::customer_service::AuditInfo;

pub use tmp_testkit::moto::workspace_root;

/// The venv's Python with `args` (`make venv` installs it).
pub fn run_python(args: &[&str], stdin: &[u8]) -> Result<Vec<u8>, String> {
    tmp_testkit::python::run_python(args, stdin)
}

/// A file in the temp dir, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str, content: &[u8]) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "tmp-mdes-cs-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, content).unwrap();
        Self(path)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// One 2048-bit test key per run.
pub fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap())
}

pub fn private_pem() -> Scratch {
    Scratch::new(
        "key.pem",
        key().to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
}

pub fn public_pem() -> Scratch {
    Scratch::new(
        "pub.pem",
        key()
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap()
            .as_bytes(),
    )
}

pub fn audit() -> AuditInfo {
    AuditInfo {
        user_id: "A1435477".into(),
        user_name: "John Smith".into(),
        organization: "Any Bank".into(),
        phone: Some("5555551234".into()),
    }
}

pub const TUR: &str = "DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c";
