//! Start-up and shut-down of the whole local platform: emulator → provisioning
//! → cold starts → gateway. Used by the `tmp-local` binary and by tests.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use axum::Router;
use tmp_runtime::lambda::{EventHandler, SqsHandler};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::deployment::Deployment;
use crate::emulator::{Emulator, EmulatorError, EmulatorSource};
use crate::event_sources::{self, EventSourceError, PollOptions, Pollers};
use crate::gateway::cidr::AllowList;
use crate::gateway::{self, AllowListSettings, GatewayConfig, GatewayError, LOCAL_PREFIX};
use crate::iam::{self, IamProxy, PrincipalUsage, RunningIamProxy, UsageHandle};
use crate::jobs::{self, JobError, Schedule, ScheduledFunction};
use crate::provision::{ProvisionError, provision};
use crate::routes::RouteInfo;
use crate::stream_sources::{self, StreamPollOptions, StreamSourceError};
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
    #[error("DynamoDB stream event sources")]
    StreamSource(#[from] StreamSourceError),
    #[error("scheduled functions")]
    Jobs(#[from] JobError),
    #[error("seeding the local platform")]
    Seed(#[source] SeedError),
    #[error("the functions' IAM policies")]
    Policies(#[from] crate::iam::PrincipalsError),
    #[error("the IAM-enforcing proxy")]
    IamProxy(#[from] crate::iam::IamProxyError),
    #[error("TMP_LOCAL_IAM must be off, report or enforce, not {0}")]
    IamMode(String),
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
    /// Whether each function's AWS calls are checked against its policy in
    /// template.yaml (`TMP_LOCAL_IAM`).
    pub iam: IamMode,
}

/// How tmp-local applies the functions' IAM policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IamMode {
    /// A call the policy does not allow fails with AccessDenied, as on AWS.
    #[default]
    Enforce,
    /// Every call goes through; what would be denied is recorded.
    Report,
    /// No proxy: functions call the emulator directly (experiments only).
    Off,
}

impl std::str::FromStr for IamMode {
    type Err = PlatformError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "enforce" | "on" | "" => Ok(Self::Enforce),
            "report" => Ok(Self::Report),
            "off" => Ok(Self::Off),
            other => Err(PlatformError::IamMode(other.to_owned())),
        }
    }
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
            iam: IamMode::default(),
        }
    }
}

impl PlatformOptions {
    /// Defaults overridden by `PORT`, `TMP_LOCAL_PREFIX`, `TMP_LOCAL_IAM`
    /// (an unreadable value is enforcement) and `AWS_ENDPOINT_URL` (use that
    /// emulator instead of spawning one); `TMP_LOCAL_MOTO_SERVER` is read by
    /// [`EmulatorSource::default`].
    pub fn from_env() -> Self {
        let mut o = Self::default();
        if let Ok(mode) = std::env::var("TMP_LOCAL_IAM") {
            o.iam = mode.parse().unwrap_or_else(|e| {
                tracing::warn!(error = %e, "IAM enforcement stays on");
                IamMode::Enforce
            });
        }
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
    /// The static sites S3 + CloudFront serve on AWS (the admin panel).
    sites: Vec<(String, Router)>,
    seeds: Vec<SeedFn>,
    sqs_handlers: HashMap<String, SqsHandler>,
    stream_handlers: HashMap<String, EventHandler>,
    stream_poll: StreamPollOptions,
    allowed_cidrs: AllowListSettings,
}

impl LocalPlatform {
    pub fn new(options: PlatformOptions) -> Self {
        Self {
            options,
            extras: Vec::new(),
            sites: Vec::new(),
            seeds: Vec::new(),
            sqs_handlers: HashMap::new(),
            stream_handlers: HashMap::new(),
            stream_poll: StreamPollOptions::default(),
            allowed_cidrs: AllowListSettings::default(),
        }
    }

    /// The clients the gateway admits to every API's routes (the local
    /// resource policies); others get their API's `ACCESS_DENIED` response.
    /// Unset: each API's variable (`TMP_ALLOWED_VTS_CIDRS` for `VtsApi`, see
    /// [`gateway::apis::AllowListSettings`]), `TMP_ALLOWED_CIDRS`, else
    /// loopback (`127.0.0.0/8,::1/128`). (A builder option rather than a
    /// [`PlatformOptions`] field, so that struct literals of the options keep
    /// compiling.)
    pub fn allowed_cidrs(mut self, allowed: AllowList) -> Self {
        self.allowed_cidrs.every = Some(allowed);
        self
    }

    /// The clients the gateway admits to the routes of API `api` (its
    /// logical id, e.g. `VtsApi`), whatever [`Self::allowed_cidrs`] says.
    pub fn api_allowed_cidrs(mut self, api: &str, allowed: AllowList) -> Self {
        self.allowed_cidrs.per_api.insert(api.to_owned(), allowed);
        self
    }

    /// Uses `handler` for the SQS events of function `logical_id` instead of
    /// the registry's (tests inject consumers this way).
    pub fn sqs_consumer(mut self, logical_id: &str, handler: SqsHandler) -> Self {
        self.sqs_handlers.insert(logical_id.to_owned(), handler);
        self
    }

    /// Uses `handler` for the DynamoDB stream events of function
    /// `logical_id` instead of the registry's (tests inject consumers this way).
    pub fn stream_consumer(mut self, logical_id: &str, handler: EventHandler) -> Self {
        self.stream_handlers.insert(logical_id.to_owned(), handler);
        self
    }

    /// How the stream pollers pause between reads and before retries.
    pub fn stream_poll_options(mut self, options: StreamPollOptions) -> Self {
        self.stream_poll = options;
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

    /// Serves `router` (whose routes are under `path`) as the site S3 +
    /// CloudFront serve on AWS: only the admin panel's path
    /// ([`crate::local_admin::SITE_PATH`]).
    pub fn site(mut self, path: &str, router: Router) -> Self {
        self.sites.push((path.to_owned(), router));
        self
    }

    pub async fn start(self) -> Result<RunningPlatform, PlatformError> {
        let o = self.options;
        for (path, _) in &self.extras {
            if !path.starts_with(LOCAL_PREFIX) || path.ends_with('/') {
                return Err(PlatformError::ExtraRouterPath(path.clone()));
            }
        }
        for (path, _) in &self.sites {
            if path != crate::local_admin::SITE_PATH {
                return Err(PlatformError::ExtraRouterPath(path.clone()));
            }
        }
        let template = Template::from_path(&o.template_path)?;
        let edges = GatewayConfig::from_template(&template, &self.allowed_cidrs)?;
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
        // Provisioning and seeds used the emulator's own credentials; from
        // here on every function calls AWS with its own, through the proxy
        // that applies its policy from template.yaml.
        let iam = match o.iam {
            IamMode::Off => None,
            mode => Some(
                IamProxy::start(
                    emulator.endpoint_url(),
                    iam::principals(&template, &deployment)?,
                    mode == IamMode::Enforce,
                )
                .await?,
            ),
        };
        let proxy_url = iam.as_ref().map(|p| p.endpoint_url.clone());
        let function_sdk = {
            let sdk = sdk.clone();
            move |logical_id: &str| match &proxy_url {
                Some(url) => iam::function_sdk_config(&sdk, url, logical_id),
                None => sdk.clone(),
            }
        };
        let served = gateway::cold_start(&template, &deployment, &function_sdk).await?;
        let sources = event_sources::sqs_sources(&template, &deployment)?;
        let consumers =
            event_sources::cold_start(&sources, &deployment, &function_sdk, self.sqs_handlers)
                .await?;
        let streams = stream_sources::stream_sources(&template, &deployment)?;
        let stream_consumers =
            stream_sources::cold_start(&streams, &deployment, &function_sdk, self.stream_handlers)
                .await?;
        // Schedules never fire locally: each scheduled function runs on
        // POST /_local/jobs/<binary>, cold-started now like the others.
        let scheduled = jobs::scheduled_functions(&template, &deployment)?;
        let job_runners = jobs::cold_start(scheduled.clone(), &deployment, &function_sdk).await?;
        let functions = functions_router(
            &template,
            &deployment,
            iam.as_ref()
                .map(|p| (p.usage_handle(), p.endpoint_url.clone())),
            &scheduled,
        );
        let routes: Vec<RouteInfo> = served.iter().map(|r| r.info.clone()).collect();
        let ctx = PlatformContext {
            sdk: &sdk,
            deployment: &deployment,
            template: &template,
        };
        let mut extras: Vec<(String, Router)> = self
            .extras
            .into_iter()
            .map(|(path, factory)| (path, factory(&ctx)))
            .collect();
        extras.push(("/_local/functions".to_owned(), functions));
        extras.push((
            jobs::JOBS_PATH.to_owned(),
            jobs::router(job_runners, &deployment),
        ));
        for edge in edges.edges() {
            tracing::info!(api = edge.name, allowed = %edge.allowed, "gateway allow-list");
        }
        // Sites are routes of their own (`/admin` and `/admin/` alike), not nested.
        let app = self
            .sites
            .into_iter()
            .fold(gateway::router(served, extras, edges), |app, (_, site)| {
                app.merge(site)
            });
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
        let stream_pollers =
            stream_sources::start(&sdk, streams, &stream_consumers, &self.stream_poll)?;
        Ok(RunningPlatform {
            base_url,
            emulator_url: emulator.endpoint_url().to_owned(),
            local_addr,
            deployment,
            sdk,
            routes,
            jobs: scheduled,
            emulator,
            iam,
            stop,
            server,
            pollers,
            stream_pollers,
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
    /// The scheduled functions, each run by `POST /_local/jobs/<binary>`.
    pub jobs: Vec<ScheduledFunction>,
    emulator: Emulator,
    iam: Option<RunningIamProxy>,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    pollers: Pollers,
    stream_pollers: Pollers,
}

impl RunningPlatform {
    /// What each function's AWS calls used and were denied (empty without the proxy).
    pub fn iam_usage(&self) -> Vec<PrincipalUsage> {
        self.iam
            .as_ref()
            .map(RunningIamProxy::usage)
            .unwrap_or_default()
    }

    /// The OS process id of the spawned moto server, if this platform owns one.
    pub fn emulator_pid(&self) -> Option<u32> {
        self.emulator.pid()
    }

    /// Stops the SQS pollers (batches in hand are settled), the stream
    /// pollers (invocations under way finish), the gateway (in-flight
    /// requests finish) and the emulator.
    pub async fn shutdown(self) {
        self.pollers.shutdown().await;
        self.stream_pollers.shutdown().await;
        let _ = self.stop.send(());
        let mut server = self.server;
        // Graceful, but a client holding a connection open must not block exit.
        if tokio::time::timeout(std::time::Duration::from_secs(5), &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
        if let Some(iam) = self.iam {
            iam.shutdown().await;
        }
        self.emulator.shutdown().await;
        tracing::info!("local platform stopped");
    }
}

/// `GET /_local/functions`: every function of the template with the
/// environment Lambda would give it (its variables, and the endpoint and
/// credentials that route its calls through the IAM proxy, so its binary can
/// be run by hand against the local stack), its schedules (empty for most),
/// and the actions it used and was denied so far.
fn functions_router(
    template: &Template,
    deployment: &Deployment,
    iam: Option<(UsageHandle, String)>,
    scheduled: &[ScheduledFunction],
) -> Router {
    #[derive(Clone, serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Function {
        logical_id: String,
        binary: String,
        environment: BTreeMap<String, String>,
        schedules: Vec<Schedule>,
    }
    let functions: Vec<Function> = template
        .functions
        .iter()
        .map(|f| {
            let mut environment: BTreeMap<String, String> = deployment
                .function_env(&f.logical_id)
                .map(|env| {
                    env.vars()
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            environment.insert("AWS_REGION".to_owned(), deployment.region.clone());
            environment.insert("AWS_DEFAULT_REGION".to_owned(), deployment.region.clone());
            if let Some((_, url)) = &iam {
                environment.insert("AWS_ENDPOINT_URL".to_owned(), url.clone());
                environment.insert(
                    "AWS_ACCESS_KEY_ID".to_owned(),
                    iam::access_key_id(&f.logical_id),
                );
                environment.insert("AWS_SECRET_ACCESS_KEY".to_owned(), "tmp-local".to_owned());
            }
            Function {
                logical_id: f.logical_id.clone(),
                binary: f.binary.clone(),
                environment,
                schedules: scheduled
                    .iter()
                    .find(|s| s.function == f.logical_id)
                    .map(|s| s.schedules.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let usage = iam.map(|(usage, _)| usage);
    Router::new().route(
        "/",
        axum::routing::get(move || {
            let functions = functions.clone();
            let usage = usage.as_ref().map(UsageHandle::usage).unwrap_or_default();
            async move {
                let answer: Vec<serde_json::Value> = functions
                    .into_iter()
                    .map(|f| {
                        let seen = usage.iter().find(|u| u.name == f.logical_id);
                        serde_json::json!({
                            "logicalId": f.logical_id,
                            "binary": f.binary,
                            "environment": f.environment,
                            "schedules": f.schedules,
                            "used": seen.map(|u| u.used.clone()).unwrap_or_default(),
                            "denied": seen.map(|u| u.denied.clone()).unwrap_or_default(),
                        })
                    })
                    .collect();
                axum::Json(answer)
            }
        }),
    )
}
