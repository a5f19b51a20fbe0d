//! The only place AWS SDK and HTTP client types appear.
pub mod dynamodb;
pub mod issuer_http;

pub mod aws_error;
pub mod dynamodb_key_material;
pub mod kms;

pub use dynamodb_key_material::DynamoDbKeyMaterialStore;
pub use kms::{KmsKeyVault, KmsPanFingerprinter};
