//! Logging set-up. Libraries that can log raw payloads (the Lambda runtime logs
//! event bodies at TRACE) are capped here so no `RUST_LOG` can raise them:
//! card data must never reach a log line. The cap is enforced twice: as
//! directives appended to `RUST_LOG`, and as a filter over every event's
//! target, which no directive, however specific (`lambda_runtime::layers::
//! api_response=trace`, a span filter), can lift.

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{LevelFilter, Targets, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;

/// Targets (crates and everything inside them) and the most they may log.
const CAPPED: &[(&str, Level)] = &[
    ("lambda_runtime", Level::INFO),
    ("lambda_runtime_api_client", Level::INFO),
    ("lambda_http", Level::INFO),
    ("aws_smithy_runtime", Level::WARN),
    ("aws_smithy_runtime_api", Level::WARN),
    ("aws_smithy_http_client", Level::WARN),
    ("aws_sdk_dynamodb", Level::WARN),
    ("aws_sdk_kms", Level::WARN),
    ("aws_sdk_sqs", Level::WARN),
    ("aws_sdk_sns", Level::WARN),
    ("aws_config", Level::WARN),
    ("hyper", Level::WARN),
    ("hyper_util", Level::WARN),
    ("reqwest", Level::WARN),
    ("h2", Level::WARN),
    ("rustls", Level::WARN),
];

/// Whether an event or span of `target` at `level` may be logged at all.
pub fn within_cap(target: &str, level: Level) -> bool {
    CAPPED
        .iter()
        .find(|(krate, _)| {
            target
                .strip_prefix(krate)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
        })
        .is_none_or(|(_, max)| level <= *max)
}

/// The filter: `directives` (`RUST_LOG`'s `target=level` list, default
/// `info`; anything unparsable falls back to `info`) with the capped targets
/// appended. Plain targets rather than `EnvFilter`: no regex engine in every
/// Lambda for span-field filters a function never needs.
pub fn filter(directives: &str) -> Targets {
    let parsed = match directives.trim() {
        "" => None,
        text => text.parse::<Targets>().ok(),
    };
    let filter = parsed.unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    CAPPED.iter().fold(filter, |filter, (krate, level)| {
        filter.with_target(*krate, *level)
    })
}

/// The subscriber: JSON lines to `writer`, without ANSI colours or timestamps
/// (Lambda adds its own), filtered by `directives` and capped.
pub fn subscriber<W>(directives: &str, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_ansi(false)
        .without_time()
        .with_target(true)
        .with_writer(writer)
        .finish()
        .with(filter(directives))
        .with(filter_fn(|meta: &Metadata<'_>| {
            within_cap(meta.target(), *meta.level())
        }))
}

/// JSON logs to stdout (CloudWatch), filtered by `RUST_LOG`.
pub fn init() {
    let directives = std::env::var("RUST_LOG").unwrap_or_default();
    let _ = tracing::subscriber::set_global_default(subscriber(&directives, std::io::stdout));
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Captured {
        type Writer = Captured;
        fn make_writer(&'w self) -> Self::Writer {
            self.clone()
        }
    }

    #[test]
    fn no_directive_lifts_the_cap_on_payload_logging() {
        for directives in [
            "trace",
            "info,lambda_runtime=trace",
            "info,lambda_runtime::layers::api_response=trace",
            "info,[{request_id}]=trace",
            "info,lambda_http::request=debug,aws_smithy_runtime::client=trace",
        ] {
            // GIVEN a RUST_LOG trying to raise the runtime's payload logging
            let captured = Captured::default();
            let subscriber = subscriber(directives, captured.clone());
            // WHEN the runtime logs a raw body at TRACE and our code logs at INFO
            tracing::subscriber::with_default(subscriber, || {
                let span = tracing::info_span!("mdes", request_id = "r-1");
                let _entered = span.enter();
                tracing::trace!(target: "lambda_runtime::layers::api_response", body = "5555555555554444", "raw event");
                tracing::debug!(target: "lambda_http::request", body = "5555555555554444", "request");
                tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "wire");
                tracing::info!(target: "tmp_core::usecases::authorize", "decided");
            });
            // THEN only our line is written
            let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
            assert!(!out.contains("5555555555554444"), "{directives}: {out}");
            assert!(!out.contains("wire"), "{directives}: {out}");
            assert!(out.contains("decided"), "{directives}: {out}");
        }
    }

    #[test]
    fn caps_apply_to_a_crate_and_its_modules_only() {
        assert!(!within_cap("lambda_runtime", Level::DEBUG));
        assert!(!within_cap(
            "lambda_runtime::layers::api_response",
            Level::TRACE
        ));
        assert!(within_cap("lambda_runtime::layers", Level::INFO));
        assert!(within_cap("lambda_runtimex", Level::TRACE));
        assert!(within_cap("tmp_core", Level::TRACE));
        assert!(!within_cap("aws_sdk_kms::operation", Level::INFO));
    }
}
