//! Test support, used only as a dev-dependency: in-memory implementations of
//! every core port, the composition root over them ([`world`]), fixture
//! helpers, and the one moto launcher that tests, tmp-local and the scripts
//! share.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod memory;
pub mod moto;
pub mod python;
pub mod world;
