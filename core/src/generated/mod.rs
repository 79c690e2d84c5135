//! Tables written by `cargo xtask codegen` from `data/`. Never edit the generated files by hand.
//!
//! Each generated file is declared here with `#[rustfmt::skip]`: the generator's output is the format.
#[rustfmt::skip]
pub(crate) mod intel;
#[rustfmt::skip]
pub(crate) mod ml;
