//! `classify`: one value in, its type and canonical form out. Never fails.
use crate::{Classified, Error, Facts, IocKind};

/// Classifies one value (defanged or not). Never fails: a value that is not an indicator comes back as
/// [`IocKind::Unknown`] with a `reason`.
pub fn classify(input: &str) -> Classified {
    let trimmed = input.trim();
    Classified {
        kind: IocKind::Unknown,
        canonical: String::new(),
        input: trimmed.to_owned(),
        defanged: false,
        facts: Facts::default(),
        reason: Some("classification not implemented yet".to_owned()),
    }
}

/// Classifies `input` as the forced type `kind`. Errors with [`crate::ErrorKind::TypeMismatch`] naming why
/// when the value is not of that type.
pub fn classify_as(input: &str, kind: IocKind) -> Result<Classified, Error> {
    let c = classify(input);
    if c.kind == kind {
        Ok(c)
    } else {
        Err(Error::new(
            crate::ErrorKind::TypeMismatch,
            format!("`{}` is not a {kind}: detected {}", c.input, c.kind),
        )
        .with_input(input))
    }
}
