//! Client for the issuer's Card Verification API
//! (`api/issuer-card-verification.openapi.yaml`): OAuth2 client credentials,
//! strict timeouts, no card data in errors or logs.

mod client;
mod config;
mod oauth;
mod wire;

pub use client::IssuerHttpClient;
pub use config::IssuerApiConfig;
