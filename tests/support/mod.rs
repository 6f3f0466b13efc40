//! Shared by the test binaries: the browser model of the Fetch standard (the
//! `strict-cors-model` crate of this workspace) and a synchronous harness
//! that runs requests through the layer.
#![allow(dead_code)]

pub mod harness;
#[allow(unused_imports)] // not every test binary uses the model
pub use strict_cors_model as model;
