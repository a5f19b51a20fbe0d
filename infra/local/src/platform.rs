//! Start-up and shut-down of the whole local platform: emulator → provisioning
//! → cold starts → gateway. Used by the `tmp-local` binary and by tests.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use axum::Router;
use tmp_runtime::lambda::SqsHandler;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::deployment::Deployment;
use crate::emulator::{Emulator, EmulatorError, EmulatorSource};
use crate::event_sources::{self, EventSourceError, PollOptions, Pollers};
use crate::gateway::{self, GatewayError, LOCAL_PREFIX};
use crate::provision::{ProvisionError, provision};
use crate::routes::RouteInfo;
use crate::template::{Template, TemplateError};

#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("template")]
    Template(#[from] TemplateError),
    #[error("emulator")]
    Emulator(#[from] EmulatorError),
    #[error("provisioning")]
    Provision(#[from] ProvisionError),
    #[error("gateway")]
    Gateway(#[from] GatewayError),
    #[error("SQS event sources")]
    EventSource(#[from] EventSourceError),
    #[error("seeding the local platform")]
    Seed(#[source] SeedError),
    #[error("extra router path {0} must start with /_local/ and not end with /")]
    ExtraRouterPath(String),
    #[error("cannot listen on 127.0.0.1:{port}")]
    Listen {
        port: u16,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Clone)]
pub struct PlatformOptions {
    pub template_path: PathBuf,
    /// Gateway port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Physical-name prefix, e.g. `tmp-local-`; tests use a unique one.
    pub prefix: String,
    pub emulator: EmulatorSource,
    /// Template parameter values that replace the defaults.
    pub parameters: HashMap<String, String>,
    /// Visibility timeout the SQS pollers receive with, instead of each
    /// queue's own (tests: retries after 1 s rather than the template's).
    pub visibility_timeout_override: Option<Duration>,
}

impl Default for PlatformOptions {
    /// The workspace `template.yaml`, port 3000, prefix `tmp-local-`, a moto
    /// server spawned from `<workspace>/.venv`.
    fn default() -> Self {
        Self {
            template_path: crate::workspace_root().join("template.yaml"),
            port: 3000,
            prefix: "tmp-local-".to_owned(),
            emulator: EmulatorSource::default(),
            parameters: HashMap::new(),
            visibility_timeout_override: None,
        }
    }
}

impl PlatformOptions {
    /// Defaults overridden by `PORT`, `TMP_LOCAL_PREFIX` and `AWS_ENDPOINT_URL`
    /// (use that emulator instead of spawning one); `TMP_LOCAL_MOTO_SERVER` is
    /// read by [`EmulatorSource::default`].
    pub fn from_env() -> Self {
        let mut o = Self::default();
        if let Some(port) = std::env::var("PORT").ok().and_then(|p| p.parse().ok()) {
            o.port = port;
        }
        if let Ok(prefix) = std::env::var("TMP_LOCAL_PREFIX") {
            o.prefix = prefix;
        }
        if let Ok(url) = std::env::var("AWS_ENDPOINT_URL")
            && !url.is_empty()
        {
            o.emulator = EmulatorSource::Connect { endpoint_url: url };
        }
        o
    }
}

/// What an extra-router factory may use: built after provisioning.
pub struct PlatformContext<'a> {
    pub sdk: &'a SdkConfig,
    pub deployment: &'a Arc<Deployment>,
    pub template: &'a Template,
}

type RouterFactory = Box<dyn FnOnce(&PlatformContext<'_>) -> Router + Send>;

pub type SeedError = Box<dyn std::error::Error + Send + Sync>;

/// What a seed step may use and change: it runs after provisioning, before the
/// functions' cold starts (e.g. to store keys or set parameter values).
pub struct SeedContext<'a> {
    pub sdk: &'a SdkConfig,
    pub deployment: &'a mut Deployment,
    /// The gateway's own URL (already bound), for dev-only services under `/_local/`.
    pub base_url: &'a str,
}

type SeedFn = Box<
    dyn for<'a> FnOnce(
            &'a mut SeedContext<'_>,
        ) -> futures::future::BoxFuture<'a, Result<(), SeedError>>
        + Send,
>;

/// Builder: options plus the dev-only routers other modules mount under `/_local/`.
pub struct LocalPlatform {
    options: PlatformOptions,
    extras: Vec<(String, RouterFactory)>,
    seeds: Vec<SeedFn>,
    sqs_handlers: HashMap<String, SqsHandler>,
}

impl LocalPlatform {
    pub fn new(options: PlatformOptions) -> Self {
        Self {
            options,
            extras: Vec::new(),
            seeds: Vec::new(),
            sqs_handlers: HashMap::new(),
        }
    }

    /// Uses `handler` for the SQS events of function `logical_id` instead of
    /// the registry's (tests inject consumers this way).
    pub fn sqs_consumer(mut self, logical_id: &str, handler: SqsHandler) -> Self {
        self.sqs_handlers.insert(logical_id.to_owned(), handler);
        self
    }

    /// Adds a seed step (see [`SeedContext`]); steps run in the order added.
    pub fn seed(
        mut self,
        step: impl for<'a> FnOnce(
            &'a mut SeedContext<'_>,
        ) -> futures::future::BoxFuture<'a, Result<(), SeedError>>
        + Send
        + 'static,
    ) -> Self {
        self.seeds.push(Box::new(step));
        self
    }

    /// Mounts `router` at `path` (which must start with `/_local/`).
    pub fn extra_router(self, path: &str, router: Router) -> Self {
        self.extra_router_with(path, move |_| router)
    }

    /// Mounts the router `factory` builds once the emulator is provisioned
    /// (for endpoints that need the SDK or the deployment).
    pub fn extra_router_with(
        mut self,
        path: &str,
        factory: impl FnOnce(&PlatformContext<'_>) -> Router + Send + 'static,
    ) -> Self {
        self.extras.push((path.to_owned(), Box::new(factory)));
        self
    }

    pub async fn start(self) -> Result<RunningPlatform, PlatformError> {
        let o = self.options;
        for (path, _) in &self.extras {
            if !path.starts_with(LOCAL_PREFIX) || path.ends_with('/') {
                return Err(PlatformError::ExtraRouterPath(path.clone()));
            }
        }
        let template = Template::from_path(&o.template_path)?;
        // Bound first: seed steps need the gateway's URL.
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", o.port))
            .await
            .map_err(|source| PlatformError::Listen {
                port: o.port,
                source,
            })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| PlatformError::Listen {
                port: o.port,
                source,
            })?;
        let base_url = format!("http://{local_addr}");
        let emulator = Emulator::start(&o.emulator).await?;
        let sdk = emulator.sdk_config().await;
        let mut deployment = provision(&sdk, &template, &o.prefix, &o.parameters).await?;
        for step in self.seeds {
            let mut ctx = SeedContext {
                sdk: &sdk,
                deployment: &mut deployment,
                base_url: &base_url,
            };
            step(&mut ctx).await.map_err(PlatformError::Seed)?;
        }
        let deployment = Arc::new(deployment);
        let served = gateway::cold_start(&template, &deployment, &sdk).await?;
        let sources = event_sources::sqs_sources(&template, &deployment)?;
        let consumers =
            event_sources::cold_start(&sources, &deployment, &sdk, self.sqs_handlers).await?;
        let routes: Vec<RouteInfo> = served.iter().map(|r| r.info.clone()).collect();
        let ctx = PlatformContext {
            sdk: &sdk,
            deployment: &deployment,
            template: &template,
        };
        let extras = self
            .extras
            .into_iter()
            .map(|(path, factory)| (path, factory(&ctx)))
            .collect();
        let app = gateway::router(served, extras);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, service)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%local_addr, "local gateway listening");
        // After the gateway: consumers may call its /_local/ services.
        let poll = PollOptions {
            visibility_timeout_override: o.visibility_timeout_override,
            ..PollOptions::default()
        };
        let pollers = event_sources::start(&sdk, &deployment.region, sources, &consumers, &poll)?;
        Ok(RunningPlatform {
            base_url,
            emulator_url: emulator.endpoint_url().to_owned(),
            local_addr,
            deployment,
            sdk,
            routes,
            emulator,
            stop,
            server,
            pollers,
        })
    }
}

/// A running platform. Dropping it kills a spawned moto server; prefer
/// [`RunningPlatform::shutdown`] for a graceful stop.
pub struct RunningPlatform {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    pub emulator_url: String,
    pub local_addr: SocketAddr,
    pub deployment: Arc<Deployment>,
    pub sdk: SdkConfig,
    pub routes: Vec<RouteInfo>,
    emulator: Emulator,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    pollers: Pollers,
}

impl RunningPlatform {
    /// The OS process id of the spawned moto server, if this platform owns one.
    pub fn emulator_pid(&self) -> Option<u32> {
        self.emulator.pid()
    }

    /// Stops the SQS pollers (batches in hand are settled), the gateway
    /// (in-flight requests finish) and the emulator.
    pub async fn shutdown(self) {
        self.pollers.shutdown().await;
        let _ = self.stop.send(());
        let mut server = self.server;
        // Graceful, but a client holding a connection open must not block exit.
        if tokio::time::timeout(std::time::Duration::from_secs(5), &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
        self.emulator.shutdown().await;
        tracing::info!("local platform stopped");
    }
}
