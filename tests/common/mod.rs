//! Shared by the integration tests and the fuzz targets: the reference
//! model of the validation rules and the harness that compares it with the
//! implementation, a test kernel for `#[syscall]` entries, entries of every
//! argument kind checked against the model, and an allocation probe.
#![allow(dead_code)] // each user takes what it needs

pub mod alloc_probe;
pub mod entries;
pub mod harness;
pub mod kernel;
pub mod model;
#[cfg(not(fuzzing))] // the fuzz targets use `arbitrary` instead
pub mod strategies;
