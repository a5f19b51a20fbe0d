//! What every Lambda function shares at run time: the handler shapes and
//! `serve_*` entry points, telemetry, the function's configuration, and the
//! rules of SQS batches.

pub mod config;
pub mod consumer;
pub mod lambda;
pub mod telemetry;
