//! Shared by the property tests and the fuzz targets: the reference model
//! of the validation rules and the harness that compares it with the
//! implementation.
#![allow(dead_code)] // each user takes what it needs

pub mod harness;
pub mod model;
