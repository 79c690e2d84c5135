//! Normalisation per type: refang, IP text forms, domains (IDNA + PSL), URLs, e-mail, hashes, identifiers,
//! Tor onion names, Bitcoin addresses, file paths and registry keys.
//!
//! These helpers are public so scoring and query generation can reuse them (`normalize::domain::parse`,
//! `normalize::ip::scope_v4` …). Each takes an already refanged value and returns `Result<_, NormalizeError>`: one
//! error type for every normaliser, with a stable `code()` and the one-line reason as its `Display`.
pub mod btc;
pub mod domain;
pub mod email;
mod error;
pub mod hash;
pub mod ids;
pub mod ip;
pub mod onion;
pub mod path;
pub mod refang;
pub mod url;

pub use error::NormalizeError;
