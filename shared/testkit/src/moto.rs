//! The one moto launcher: the AWS emulator as a child process (killed with
//! us) or an endpoint that already runs, and the SDK configuration that talks
//! to it. tmp-local, the integration tests and `infra/scripts/with-moto.sh`
//! (through the `with-moto` binary) all start moto here.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// The region every local resource lives in.
pub const REGION: &str = "us-east-1";
const READY_TIMEOUT: Duration = Duration::from_secs(20);
const SPAWN_ATTEMPTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(
        "moto_server not found at {0} (create the venv: python3 -m venv .venv && .venv/bin/pip install 'moto[server]==5.2.5')"
    )]
    NotInstalled(PathBuf),
    #[error("cannot start moto_server")]
    Spawn(#[source] std::io::Error),
    #[error("cannot find a free local port")]
    Port(#[source] std::io::Error),
    #[error("moto_server exited before it was ready ({0})")]
    Exited(String),
    #[error("the emulator at {0} did not answer GET /moto-api/ within 20 s")]
    NotReady(String),
}

/// Where the emulator comes from.
#[derive(Debug, Clone)]
pub enum EmulatorSource {
    /// Start `moto_server` from this path on a free port.
    Spawn { moto_server: PathBuf },
    /// Use an emulator that already runs (e.g. `AWS_ENDPOINT_URL`).
    Connect { endpoint_url: String },
}

impl EmulatorSource {
    /// `TMP_LOCAL_MOTO_SERVER` if set, else `<workspace>/infra/scripts/moto-server`
    /// (moto from `.venv`, serving requests one at a time: see that script).
    pub fn default_moto_server() -> PathBuf {
        match std::env::var_os("TMP_LOCAL_MOTO_SERVER") {
            Some(path) if !path.is_empty() => path.into(),
            _ => workspace_root().join("infra/scripts/moto-server"),
        }
    }

    /// `AWS_ENDPOINT_URL` when set (a shared emulator, as `make test` runs
    /// one), else a private moto server.
    pub fn from_env() -> Self {
        match std::env::var("AWS_ENDPOINT_URL") {
            Ok(endpoint_url) if !endpoint_url.is_empty() => Self::Connect { endpoint_url },
            _ => Self::default(),
        }
    }
}

impl Default for EmulatorSource {
    fn default() -> Self {
        Self::Spawn {
            moto_server: Self::default_moto_server(),
        }
    }
}

/// The cargo workspace root (where `infra/` and `.venv` live).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| manifest.join("../.."))
}

/// A running emulator. A spawned moto child dies when this is dropped.
#[derive(Debug)]
pub struct Emulator {
    endpoint_url: String,
    child: Option<Child>,
}

impl Emulator {
    pub async fn start(source: &EmulatorSource) -> Result<Self, EmulatorError> {
        match source {
            EmulatorSource::Connect { endpoint_url } => {
                let endpoint_url = endpoint_url.trim_end_matches('/').to_owned();
                wait_ready(&endpoint_url, None).await?;
                Ok(Self {
                    endpoint_url,
                    child: None,
                })
            }
            EmulatorSource::Spawn { moto_server } => spawn(moto_server).await,
        }
    }

    /// For tests: [`EmulatorSource::from_env`], and a panic naming the cause
    /// when it cannot start.
    pub async fn for_tests() -> Self {
        match Self::start(&EmulatorSource::from_env()).await {
            Ok(emulator) => emulator,
            Err(err) => panic!("AWS emulator: {err}"),
        }
    }

    pub fn endpoint_url(&self) -> &str {
        &self.endpoint_url
    }

    /// The OS process id of the spawned moto server, if we own one.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// SDK configuration for the emulator: static test credentials, [`REGION`].
    pub async fn sdk_config(&self) -> SdkConfig {
        sdk_config(&self.endpoint_url).await
    }

    /// Kills a spawned moto server and waits for it to exit.
    pub async fn shutdown(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }
}

/// SDK configuration for any emulator endpoint.
pub async fn sdk_config(endpoint_url: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint_url)
        .credentials_provider(Credentials::new("test", "test", None, None, "tmp-local"))
        .load()
        .await
}

async fn spawn(moto_server: &Path) -> Result<Emulator, EmulatorError> {
    if !moto_server.exists() {
        return Err(EmulatorError::NotInstalled(moto_server.to_owned()));
    }
    let mut last = None;
    // The free port may be taken between probing and binding: retry.
    for _ in 0..SPAWN_ATTEMPTS {
        let port = free_port()?;
        let mut child = Command::new(moto_server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            // moto logs every request line; keep the terminal for our own logs.
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(EmulatorError::Spawn)?;
        let endpoint_url = format!("http://127.0.0.1:{port}");
        match wait_ready(&endpoint_url, Some(&mut child)).await {
            Ok(()) => {
                tracing::info!(endpoint_url, "moto server ready");
                return Ok(Emulator {
                    endpoint_url,
                    child: Some(child),
                });
            }
            Err(err) => last = Some(err),
        }
    }
    Err(last.unwrap_or_else(|| EmulatorError::NotReady("moto".to_owned())))
}

/// A port the OS reports free right now (moto binds it a moment later).
pub fn free_port() -> Result<u16, EmulatorError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(EmulatorError::Port)?;
    Ok(listener.local_addr().map_err(EmulatorError::Port)?.port())
}

async fn wait_ready(
    endpoint_url: &str,
    mut child: Option<&mut Child>,
) -> Result<(), EmulatorError> {
    let authority = endpoint_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let deadline = Instant::now() + READY_TIMEOUT;
    while Instant::now() < deadline {
        if let Some(child) = child.as_deref_mut()
            && let Ok(Some(status)) = child.try_wait()
        {
            return Err(EmulatorError::Exited(status.to_string()));
        }
        if moto_api_answers(&authority).await {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(EmulatorError::NotReady(endpoint_url.to_owned()))
}

/// Ready when `GET /moto-api/` answers with a success status line.
async fn moto_api_answers(authority: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(authority).await else {
        return false;
    };
    let request = format!("GET /moto-api/ HTTP/1.0\r\nHost: {authority}\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.is_ok()
        && head.starts_with(b"HTTP/1.")
        && head.get(9) == Some(&b'2')
}
