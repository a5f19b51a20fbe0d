//! `tmp-local`: runs the platform locally (moto + provisioning + gateway)
//! until Ctrl-C or SIGTERM.
//!
//! Usage: `tmp-local [run] [--port N] [--template PATH] [--prefix P]`
//! Env: `PORT`, `TMP_LOCAL_PREFIX`, `TMP_LOCAL_MOTO_SERVER`, `AWS_ENDPOINT_URL`,
//! `TMP_MDES_KEY_PEM`, `TMP_VTS_KEY_PEM`, `TMP_ALLOWED_CIDRS` (and per API), `RUST_LOG`.
// A developer tool: it prints what it serves and where.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use tmp_local::issuer_simulator::CardBook;
use tmp_local::jobs;
use tmp_local::local_auth;
use tmp_local::seed::{self, MdesKeySource, VtsKeySource};
use tmp_local::tsp_simulator;
use tmp_local::{LocalPlatform, PlatformOptions};

const USAGE: &str = "usage: tmp-local [run] [--port N] [--template PATH] [--prefix P]\n(key onboarding is its own tools: mdes-key and vts-key (generate|show), see README)";

fn parse_args(mut o: PlatformOptions) -> Result<PlatformOptions, String> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "run" => {}
            "--port" => {
                o.port = value("--port")?
                    .parse()
                    .map_err(|_| "--port needs a number".to_owned())?;
            }
            "--template" => o.template_path = value("--template")?.into(),
            "--prefix" => o.prefix = value("--prefix")?,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(o)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn print_error_chain(e: &dyn std::error::Error) {
    eprintln!("tmp-local: {e}");
    let mut source = e.source();
    while let Some(s) = source {
        eprintln!("  caused by: {s}");
        source = s.source();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args(PlatformOptions::from_env()) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    tmp_runtime::telemetry::init();
    let book = match CardBook::from_env_or_default() {
        Ok(book) => book,
        Err(e) => {
            print_error_chain(&e);
            return ExitCode::FAILURE;
        }
    };
    // TMP_MDES_KEY_PEM imports a key (e.g. the test-only key of events/).
    let mdes_key = std::env::var_os("TMP_MDES_KEY_PEM")
        .map_or(MdesKeySource::GenerateIfMissing, |p| {
            MdesKeySource::Import(p.into())
        });
    // TMP_VTS_KEY_PEM likewise (events/test-keys/vts-test-private-key.pem).
    let vts_key = std::env::var_os("TMP_VTS_KEY_PEM")
        .map_or(VtsKeySource::GenerateIfMissing, |p| {
            VtsKeySource::Import(p.into())
        });
    // Listening for signals from the start: a Ctrl-C during start-up drops the
    // half-started platform, whose moto child is killed on drop.
    let mut stop = std::pin::pin!(shutdown_signal());
    let started = tokio::select! {
        biased;
        _ = &mut stop => return ExitCode::SUCCESS,
        started = seed::standard_with(LocalPlatform::new(options), book, mdes_key, vts_key).start() => started,
    };
    let platform = match started {
        Ok(p) => p,
        Err(e) => {
            print_error_chain(&e);
            return ExitCode::FAILURE;
        }
    };
    let base = &platform.base_url;
    println!("gateway:  {base}");
    for r in &platform.routes {
        println!("route:    {} {base}{}  -> {}", r.method, r.path, r.function);
    }
    // Schedules never fire locally: each scheduled function runs when POSTed.
    for job in &platform.jobs {
        let every: Vec<&str> = job
            .schedules
            .iter()
            .map(|s| s.expression.as_str())
            .collect();
        println!(
            "job:      POST {base}{}/{}  -> {} (on AWS {}; here only when asked)",
            jobs::JOBS_PATH,
            job.binary,
            job.function,
            every.join(", ")
        );
    }
    println!("emulator: {}", platform.emulator_url);
    println!("health:   {base}/_local/health");
    println!("routes:   {base}/_local/routes");
    println!(
        "issuer:   {base}{} (simulator)",
        seed::ISSUER_SIMULATOR_PATH
    );
    println!("mdes key: {base}/_local/keys/mdes-public.pem");
    println!("vts key:  {base}/_local/keys/vts-public.pem");
    println!(
        "webhook:  {base}{}/webhook (issuer receiver)",
        seed::ISSUER_SIMULATOR_PATH
    );
    println!("outbox:   {base}/_local/outbox");
    println!(
        "mdes:     {base}{}{} (simulated Customer Service, OAuth consumer key {}; tokens, calls, fail-next, notifications under {base}{})",
        tsp_simulator::MDES_PATH,
        tsp_simulator::CS_BASE_PATH,
        tsp_simulator::LOCAL_CONSUMER_KEY,
        tsp_simulator::MDES_PATH
    );
    println!(
        "vts:      {base}{} (simulated lifecycle and inquiry; tokens, calls, fail-next, notifications)",
        tsp_simulator::VTS_PATH
    );
    println!(
        "oauth:    {base}/_local/keys/mdes-oauth-public.pem (MDES OAuth signing key, public half)"
    );
    println!(
        "auth:     {base}{}{} (client {} / {}, TMP API tokens)",
        local_auth::LOCAL_AUTH_PATH,
        local_auth::TOKEN_PATH,
        local_auth::LOCAL_CLIENT_ID,
        local_auth::LOCAL_CLIENT_SECRET
    );
    println!(
        "admin:    {base}{}/ (panel; sign in as viewer|agent|supervisor|admin@bank.test, password {}; tokens at {base}{}/sign-in)",
        tmp_local::local_admin::SITE_PATH,
        tmp_local::local_admin::LOCAL_PASSWORD,
        tmp_local::local_admin::LOCAL_ADMIN_PATH
    );
    // Tokens on both networks and every decision path, for the admin panel.
    if std::env::var("TMP_DEMO_TOKENS").as_deref() != Ok("0") {
        match tmp_local::demo::seed(base).await {
            Ok(lines) => {
                for line in lines {
                    println!("demo:     {line}");
                }
            }
            Err(e) => eprintln!("demo tokens not created: {e}"),
        }
    }
    println!("ready (Ctrl-C to stop)");
    stop.await;
    platform.shutdown().await;
    println!("stopped");
    ExitCode::SUCCESS
}
