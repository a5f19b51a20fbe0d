//! The only place AWS SDK and HTTP client types appear.
pub mod dynamodb;
pub mod issuer_http;

pub mod aws_error;
pub mod dynamodb_contacts;
pub mod dynamodb_key_material;
pub mod kms;
pub mod sns;
pub mod sqs;
pub mod sqs_backoff;
pub mod webhook;

pub use dynamodb_contacts::DynamoDbContactDirectory;
pub use dynamodb_key_material::DynamoDbKeyMaterialStore;
pub use kms::{KmsKeyVault, KmsPanFingerprinter};
pub use sns::{SnsEventPublisher, SnsSmsSender};
pub use sqs::SqsOtpJobQueue;
pub use webhook::{WebhookConfig, WebhookNotifier};

use crate::ports::DeliveryError;

/// An AWS failure as a delivery outcome: throttling and outages are retried.
fn delivery_error(failure: aws_error::AwsFailure) -> DeliveryError {
    if failure.is_transient() {
        DeliveryError::Transient(failure.to_string())
    } else {
        DeliveryError::Permanent(failure.to_string())
    }
}
