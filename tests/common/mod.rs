//! Shared by the integration tests and the fuzz targets: the reference
//! model of the validation rules and the harness that compares it with the
//! implementation, and a test kernel for `#[syscall]` entries.
#![allow(dead_code)] // each user takes what it needs

pub mod harness;
pub mod kernel;
pub mod model;
