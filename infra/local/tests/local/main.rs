//! tmp-local's integration tests, one binary: the gateway, the event sources
//! and the end-to-end authorizeService path against a private moto.

mod e2e_authorize_service;
mod event_sources;
mod gateway;
