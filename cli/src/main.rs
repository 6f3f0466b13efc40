//! `strict-cors`: the CORS doctor.

fn main() {}
