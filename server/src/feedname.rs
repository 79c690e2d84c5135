//! Feed names: what `ioclens feed add --source NAME` accepts. A name is shown in every answer that cites the
//! feed (`source_feed`, STIX `external_references`, CSV) and is the key `feed remove` takes, so it is short and
//! printable: 1 to 64 characters, no control characters (line breaks, tabs, escapes), no white space at
//! either end.

/// Most characters in a feed name.
pub const MAX_LEN: usize = 64;

/// Checks a feed name.
///
/// # Errors
/// Why the name is refused (the name itself is not repeated: it may be hostile).
pub fn check(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if n == 0 {
        return Err("the feed name is empty".to_owned());
    }
    if n > MAX_LEN {
        return Err(format!("the feed name has {n} characters; at most {MAX_LEN} are allowed"));
    }
    if name.chars().any(char::is_control) {
        return Err(
            "the feed name contains a control character (line break, tab, escape)".to_owned()
        );
    }
    if name.trim() != name {
        return Err("the feed name starts or ends with white space".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn names() {
        for ok in ["cert", "ISAC energy", "abuse.ch/urlhaus", "é", &"x".repeat(64), &"é".repeat(64)]
        {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            " ",
            "a\nb",
            "a\rb",
            "tab\t",
            "\u{1b}[31m",
            " lead",
            "trail ",
            &"x".repeat(65),
            &"x".repeat(3000),
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
    }
}
