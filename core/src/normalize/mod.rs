//! Normalisation per type: refang, IP text forms, domains (IDNA + PSL), URLs, e-mail, hashes.
pub mod refang;
