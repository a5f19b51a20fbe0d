//! The event pipeline: the outbox publisher and the reports' counter on the
//! table's stream, and the SQS consumers that reach cardholders and the issuer. One module per
//! function, one Lambda binary per function in `src/bin/`, and the family's
//! slice of the registry. Batch rules of the SQS consumers (partial failures,
//! backoff) are `tmp_runtime::consumer`'s.

pub mod cardholder_notification;
pub mod issuer_notification;
pub mod otp_delivery;
pub mod report_aggregator;
pub mod token_event_publisher;

use tmp_aws::cold_start::Registry;

/// Every function of the family: binary name (as in `template.yaml`) → init.
pub const FUNCTIONS: Registry = &[
    ("otp-delivery", otp_delivery::INIT),
    ("issuer-notification", issuer_notification::INIT),
    ("cardholder-notification", cardholder_notification::INIT),
    ("token-event-publisher", token_event_publisher::INIT),
    ("report-aggregator", report_aggregator::INIT),
];

/// An [`tmp_aws::cold_start::Init`] from an async SQS `init` function.
macro_rules! sqs_init {
    ($init:path) => {
        tmp_aws::cold_start::Init::Sqs(|sdk, env| Box::pin($init(sdk, env)))
    };
}
pub(crate) use sqs_init;
