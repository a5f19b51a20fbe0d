//! The only place AWS SDK and HTTP client types appear.
pub mod issuer_http;
