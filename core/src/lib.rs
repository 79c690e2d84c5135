//! # Overview
//!
//! `ioclens-core` turns an indicator of compromise (or a whole threat report) into an enrichment package:
//! its type and canonical value, a 0–100 risk score with the reasons behind it, the MITRE ATT&CK techniques
//! it points to, and hunting queries for Splunk (SPL) and Microsoft Sentinel (KQL).
//!
//! # Usage
//!
//! ```
//! let c = ioclens_core::classify("hxxps://evil[.]com/gate.php");
//! assert_eq!(c.kind, ioclens_core::IocKind::Url);
//! assert_eq!(c.canonical, "https://evil.com/gate.php");
//! assert!(c.defanged);
//! ```
//!
//! # Untrusted input
//!
//! Every entry point that takes text ([`classify`], [`extract()`]) accepts any string and never fails or panics:
//! problems become `unknown` results or diagnostics. Matching is linear-time (no backtracking regex).
//!
//! # Purity
//!
//! This crate performs no I/O, reads no clock and no environment, and opens no socket. Time is an input
//! (`now`, Unix seconds); remote scoring is sans-I/O (the host sends the request the core builds).
//! `clippy.toml` lists the forbidden calls and this crate denies them.
//!
//! # Crate features
//!
//! * `offline-intel` (default): embeds the large evidence packs (`IPsum`, Maltrail, popular-domain and provider
//!   warninglists). Turn it off for the smallest WebAssembly build; tier-1 data (ATT&CK, CVE/KEV, PSL, reserved
//!   ranges) is always present.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::disallowed_methods)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod attack;
mod classify;
pub mod csv;
mod error;
pub mod extract;
mod generated;
pub mod intel;
pub mod lookup;
pub mod misp;
mod model;
pub mod normalize;
pub mod providers;
pub mod query;
mod rows;
pub mod score;

pub use classify::{classify, classify_as};
pub use error::{Error, ErrorKind};
pub use extract::extract;
pub use lookup::{LookupOptions, LookupResponse, apply_remote, lookup, lookup_with, remote_score};
pub use model::*;
pub use normalize::refang::{defang, refang};

/// Version of this crate, reported on every result.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
