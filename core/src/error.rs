//! Real errors: bad options or a value that does not fit a forced type. Untrusted text never errors.
use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller forced a type (`--type domain`) and the value is not of that type.
    TypeMismatch,
    /// An option value is invalid (unknown lookback, profile, batch size …).
    InvalidOption,
    /// The indicator type has no query template for the requested dialect or profile.
    UnsupportedType,
    /// A value contains a control character that no query language can carry safely.
    ControlCharacter,
    /// An ATT&CK id is well-formed but not in the embedded catalogue.
    UnknownAttackId,
    /// A remote scoring response could not be understood.
    BadRemoteResponse,
}

/// An error that crosses every boundary as data (`{"kind": …, "message": …, "input": …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Error {
    /// The category.
    pub kind: ErrorKind,
    /// One human-readable line, no trailing full stop.
    pub message: String,
    /// The offending input, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

impl Error {
    /// Builds an error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), input: None }
    }

    /// Attaches the offending input.
    #[must_use]
    pub fn with_input(mut self, input: impl Into<String>) -> Self {
        self.input = Some(input.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
