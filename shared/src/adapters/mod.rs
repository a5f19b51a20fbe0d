//! The only place AWS SDK and HTTP client types appear.
pub mod dynamodb;
pub mod issuer_http;
