//! The only crate where AWS SDK and HTTP client types appear: adapters for
//! every port (DynamoDB, KMS, SQS, SNS, Cognito, the issuer's HTTP APIs and webhook)
//! and the one composition root ([`compose`]) that reads a function's
//! environment and builds its use case from clients.

pub mod aws_error;
pub mod cognito;
pub mod cold_start;
pub mod compose;
pub mod config_secret;
pub mod dynamodb;
pub mod issuer_http;
pub mod kms;
pub mod local_keys;
pub mod mdes_oauth_key;
pub mod networks;
pub mod sns;
pub mod sqs;
pub mod sqs_backoff;
pub mod sqs_jobs;
pub mod vts_keys;
pub mod webhook;

pub use dynamodb::{DynamoDbContactDirectory, DynamoDbKeyMaterialStore, TokenStateTable};
pub use kms::{KmsKeyVault, KmsPanFingerprinter};
pub use sns::{SnsEventPublisher, SnsSmsSender};
pub use sqs::SqsOtpJobQueue;
pub use webhook::{WebhookConfig, WebhookNotifier};

use tmp_core::ports::DeliveryError;

/// An AWS failure as a delivery outcome: throttling and outages are retried.
fn delivery_error(failure: aws_error::AwsFailure) -> DeliveryError {
    if failure.is_transient() {
        DeliveryError::Transient(failure.to_string())
    } else {
        DeliveryError::Permanent(failure.to_string())
    }
}
