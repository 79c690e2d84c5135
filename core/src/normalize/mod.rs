//! Normalisation per type: refang, IP text forms, domains (IDNA + PSL), URLs, e-mail, hashes, identifiers,
//! Tor onion names, Bitcoin addresses, file paths and registry keys.
//!
//! These helpers are public so scoring and query generation can reuse them (`normalize::domain::parse`,
//! `normalize::ip::scope_v4` …). Each takes an already refanged value.
pub mod btc;
pub mod domain;
pub mod email;
pub mod hash;
pub mod ids;
pub mod ip;
pub mod onion;
pub mod path;
pub mod refang;
pub mod url;
