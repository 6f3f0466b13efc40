//! Shared by the test binaries: the browser model of the Fetch standard and
//! a synchronous harness that runs requests through the layer.
#![allow(dead_code)]

pub mod harness;
pub mod model;
