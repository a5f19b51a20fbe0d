//! The local platform: runs the Lambda handlers against an AWS emulator.
pub mod issuer_simulator;
