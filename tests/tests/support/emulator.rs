//! The local AWS emulator (moto server) for integration tests.
//!
//! Uses `AWS_ENDPOINT_URL` when set; otherwise spawns its own moto server on a
//! free port and kills it when the [`Emulator`] is dropped (also on panic).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_kms::config::Credentials;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const DEFAULT_MOTO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/scripts/moto-server");
const READY_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Emulator {
    pub endpoint: String,
    child: Option<Child>,
}

impl Emulator {
    /// Connects to `AWS_ENDPOINT_URL`, or starts a private moto server.
    pub async fn start() -> Self {
        if let Some(endpoint) = std::env::var("AWS_ENDPOINT_URL")
            .ok()
            .filter(|v| !v.is_empty())
        {
            return Self {
                endpoint,
                child: None,
            };
        }
        // The free port may be taken between probing and binding: retry.
        for _ in 0..3 {
            let port = free_port();
            let mut emulator = Self {
                endpoint: format!("http://127.0.0.1:{port}"),
                child: Some(spawn_moto(port)),
            };
            if emulator.wait_ready(port).await {
                return emulator;
            }
        }
        panic!("moto server did not start");
    }

    /// SDK configuration pointing at the emulator with dummy credentials.
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "emulator"))
            .load()
            .await
    }

    async fn wait_ready(&mut self, port: u16) -> bool {
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            // moto exited: most likely the port was taken meanwhile.
            if let Some(child) = self.child.as_mut()
                && child.try_wait().ok().flatten().is_some()
            {
                return false;
            }
            if moto_api_answers(port).await {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

fn spawn_moto(port: u16) -> Child {
    let moto = std::env::var("MOTO_SERVER").unwrap_or_else(|_| DEFAULT_MOTO.to_owned());
    Command::new(moto)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot spawn moto_server (set MOTO_SERVER or AWS_ENDPOINT_URL)")
}

/// Ready when `GET /moto-api/` answers with an HTTP status line.
async fn moto_api_answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    let request = "GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.is_ok() && head.starts_with(b"HTTP/1.")
}
