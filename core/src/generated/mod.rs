//! Tables written by `cargo xtask codegen` from `data/`. Never edit the generated files by hand.
//!
//! Each generated file is declared here with `#[rustfmt::skip]`: the generator's output is the format.

#[rustfmt::skip]
pub(crate) mod attack;
#[rustfmt::skip]
pub(crate) mod attack_context;
#[rustfmt::skip]
pub(crate) mod attack_cve;
#[rustfmt::skip]
pub(crate) mod attack_words;
#[rustfmt::skip]
pub(crate) mod dns_ip_ranges;
#[rustfmt::skip]
pub(crate) mod dns_names;
#[rustfmt::skip]
pub(crate) mod dns_psl;
#[rustfmt::skip]
pub(crate) mod dns_tlds;
#[rustfmt::skip]
pub(crate) mod intel;
#[rustfmt::skip]
pub(crate) mod ml;
