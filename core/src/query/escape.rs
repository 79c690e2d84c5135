//! Quoting of indicator values for each query language. Templates splice values only through these
//! functions (the contract is in the [module docs](super)).

/// A value as a KQL regular string literal: `"` + (`\` → `\\`, `"` → `\"`) + `"`.
pub fn kql_str(v: &str) -> String {
    let mut s = String::with_capacity(v.len() + 2);
    s.push('"');
    for c in v.chars() {
        if matches!(c, '\\' | '"') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

/// A KQL `dynamic([...])` literal of the values.
pub fn kql_dynamic(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| kql_str(v)).collect();
    format!("dynamic([{}])", items.join(", "))
}

/// True when SPL search cannot match the value exactly: `*` is an unescapable wildcard and a backtick
/// is replaced by `*` (macro expansion), so such values need an exact post-filter.
pub fn spl_needs_postfilter(v: &str) -> bool {
    v.contains(['*', '`'])
}

/// A value as an SPL search / `tstats where` string: `"` + (`\` → `\\`, `"` → `\"`, `` ` `` → `*`) + `"`.
///
/// The result matches a superset of the value when [`spl_needs_postfilter`] is true.
pub fn spl_str(v: &str) -> String {
    spl_pattern(v, "", "")
}

/// Like [`spl_str`] with our own wildcard text around the value (`*` + v + `*`, `*.` + v): the affixes
/// are template constants, never indicator text.
pub(crate) fn spl_pattern(v: &str, prefix: &str, suffix: &str) -> String {
    let mut s = String::with_capacity(v.len() + prefix.len() + suffix.len() + 2);
    s.push('"');
    s.push_str(prefix);
    for c in v.chars() {
        match c {
            '\\' | '"' => {
                s.push('\\');
                s.push(c);
            }
            '`' => s.push('*'),
            _ => s.push(c),
        }
    }
    s.push_str(suffix);
    s.push('"');
    s
}

/// A value as an SPL eval/where expression that evaluates to exactly the value: a string literal
/// (`\` → `\\`, `"` → `\"`) in which `*` is literal; backticks are concatenated as `urldecode("%60")` so
/// the expression itself contains none.
pub fn spl_eval_str(v: &str) -> String {
    let parts: Vec<String> = v
        .split('`')
        .map(|p| {
            let mut s = String::with_capacity(p.len() + 2);
            s.push('"');
            for c in p.chars() {
                if matches!(c, '\\' | '"') {
                    s.push('\\');
                }
                s.push(c);
            }
            s.push('"');
            s
        })
        .collect();
    parts.join(" . urldecode(\"%60\") . ")
}

/// A PCRE literal for the value: `\Q…\E`, with `\E` inside the value split out and backticks written as
/// `\x60`, so the regex matches exactly the value and contains no backtick.
pub(crate) fn pcre_literal(v: &str) -> String {
    let mut s = String::from("\\Q");
    let mut rest = v;
    while let Some(i) = rest.find(['`', '\\']) {
        s.push_str(&rest[..i]);
        if rest[i..].starts_with('`') {
            s.push_str("\\E\\x60\\Q");
            rest = &rest[i + 1..];
        } else if rest[i..].starts_with("\\E") {
            s.push_str("\\E\\\\E\\Q");
            rest = &rest[i + 2..];
        } else {
            s.push('\\');
            rest = &rest[i + 1..];
        }
    }
    s.push_str(rest);
    s.push_str("\\E");
    s
}

/// A Sigma string value as a YAML single-quoted scalar: Sigma escapes `\`, `*`, `?` with `\`; YAML doubles `'`.
pub fn sigma_str(v: &str) -> String {
    sigma_pattern(v, "", "")
}

/// Like [`sigma_str`] with template wildcards around the value.
pub(crate) fn sigma_pattern(v: &str, prefix: &str, suffix: &str) -> String {
    let mut s = String::with_capacity(v.len() + 4);
    s.push('\'');
    s.push_str(prefix);
    for c in v.chars() {
        match c {
            '\\' | '*' | '?' => {
                s.push('\\');
                s.push(c);
            }
            '\'' => s.push_str("''"),
            _ => s.push(c),
        }
    }
    s.push_str(suffix);
    s.push('\'');
    s
}

/// A value as a STIX 2.1 pattern string literal: `'` + (`\` → `\\`, `'` → `\'`) + `'`.
pub fn stix_str(v: &str) -> String {
    let mut s = String::with_capacity(v.len() + 2);
    s.push('\'');
    for c in v.chars() {
        if matches!(c, '\\' | '\'') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('\'');
    s
}

/// Small tokenisers used by the property tests: each reads one literal at the start of `s` and returns
/// the decoded value and the rest of the text after the literal.
#[cfg(test)]
pub(crate) mod tokenize {
    /// A `"…"` literal with backslash escapes (KQL regular strings, SPL strings).
    pub(crate) fn dq(s: &str) -> Option<(String, &str)> {
        let mut it = s.char_indices();
        if it.next()?.1 != '"' {
            return None;
        }
        let mut out = String::new();
        while let Some((i, c)) = it.next() {
            match c {
                '\\' => out.push(it.next()?.1),
                '"' => return Some((out, &s[i + 1..])),
                _ => out.push(c),
            }
        }
        None
    }

    /// A `'…'` literal with backslash escapes (STIX).
    pub(crate) fn sq_backslash(s: &str) -> Option<(String, &str)> {
        let mut it = s.char_indices();
        if it.next()?.1 != '\'' {
            return None;
        }
        let mut out = String::new();
        while let Some((i, c)) = it.next() {
            match c {
                '\\' => out.push(it.next()?.1),
                '\'' => return Some((out, &s[i + 1..])),
                _ => out.push(c),
            }
        }
        None
    }

    /// A YAML single-quoted scalar (`''` is `'`), then Sigma unescaping (`\x` is `x` for `\`, `*`, `?`).
    pub(crate) fn sigma(s: &str) -> Option<(String, &str)> {
        let mut it = s.char_indices().peekable();
        if it.next()?.1 != '\'' {
            return None;
        }
        let mut yaml = String::new();
        let mut end = None;
        while let Some((i, c)) = it.next() {
            if c == '\'' {
                if it.peek().map(|p| p.1) == Some('\'') {
                    it.next();
                    yaml.push('\'');
                } else {
                    end = Some(i + 1);
                    break;
                }
            } else {
                yaml.push(c);
            }
        }
        let end = end?;
        let mut out = String::new();
        let mut cs = yaml.chars().peekable();
        while let Some(c) = cs.next() {
            if c == '\\' && matches!(cs.peek(), Some('\\' | '*' | '?')) {
                out.push(cs.next()?);
            } else if c == '*' || c == '?' {
                return None; // an unescaped wildcard would not be the literal value
            } else {
                out.push(c);
            }
        }
        Some((out, &s[end..]))
    }
}

#[cfg(test)]
mod tests {
    use super::tokenize;
    use super::*;
    use proptest::prelude::*;

    /// Hostile values: quotes, backslashes, pipes, backticks, wildcards, brackets, Unicode.
    fn hostile() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('"'),
                Just('\''),
                Just('\\'),
                Just('|'),
                Just('`'),
                Just('*'),
                Just('?'),
                Just('['),
                Just(']'),
                Just('('),
                Just(')'),
                Just(';'),
                Just('$'),
                Just('@'),
                Just('E'),
                Just('Q'),
                Just('é'),
                Just('😀'),
                Just('\u{200b}'),
                any::<char>().prop_filter("no control characters", |c| !c.is_control()),
            ],
            0..24,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn kql_round_trip(v in hostile(), tail in "[ a-z|;]{0,5}") {
            let lit = kql_str(&v);
            let text = format!("{lit}{tail}");
            let (decoded, rest) = tokenize::dq(&text).expect("literal closes");
            prop_assert_eq!(decoded, v);
            prop_assert_eq!(rest, tail.as_str());
        }

        #[test]
        fn spl_round_trip(v in hostile()) {
            let lit = spl_str(&v);
            let (decoded, rest) = tokenize::dq(&lit).expect("literal closes");
            prop_assert_eq!(rest, "");
            // Backticks never appear; `*` stands for a backtick or itself, everything else is exact.
            prop_assert!(!lit.contains('`'));
            prop_assert_eq!(decoded, v.replace('`', "*"));
            prop_assert_eq!(spl_needs_postfilter(&v), v.contains('*') || v.contains('`'));
        }

        #[test]
        fn spl_eval_round_trip(v in hostile()) {
            let expr = spl_eval_str(&v);
            prop_assert!(!expr.contains('`'));
            // Evaluate: literals joined by ` . urldecode("%60") . `.
            let mut rest = expr.as_str();
            let mut out = String::new();
            loop {
                let (part, r) = tokenize::dq(rest).expect("literal closes");
                out.push_str(&part);
                if let Some(r2) = r.strip_prefix(" . urldecode(\"%60\") . ") {
                    out.push('`');
                    rest = r2;
                } else {
                    prop_assert_eq!(r, "");
                    break;
                }
            }
            prop_assert_eq!(out, v);
        }

        #[test]
        fn pcre_literal_round_trip(v in hostile()) {
            let re = pcre_literal(&v);
            prop_assert!(!re.contains('`'));
            // Decode \Q…\E segments and the escapes between them.
            let mut out = String::new();
            let mut rest = re.as_str();
            while !rest.is_empty() {
                if let Some(r) = rest.strip_prefix("\\Q") {
                    let end = r.find("\\E").expect("\\Q closed by \\E");
                    out.push_str(&r[..end]);
                    rest = &r[end + 2..];
                } else if let Some(r) = rest.strip_prefix("\\x60") {
                    out.push('`');
                    rest = r;
                } else if let Some(r) = rest.strip_prefix("\\\\E") {
                    out.push_str("\\E");
                    rest = r;
                } else {
                    prop_assert!(false, "unexpected regex text {rest}");
                }
            }
            prop_assert_eq!(out, v);
        }

        #[test]
        fn sigma_round_trip(v in hostile()) {
            let lit = sigma_str(&v);
            let (decoded, rest) = tokenize::sigma(&lit).expect("scalar closes");
            prop_assert_eq!(decoded, v);
            prop_assert_eq!(rest, "");
        }

        #[test]
        fn stix_round_trip(v in hostile(), tail in "[ A-Z\\]]{0,5}") {
            let text = format!("{}{tail}", stix_str(&v));
            let (decoded, rest) = tokenize::sq_backslash(&text).expect("literal closes");
            prop_assert_eq!(decoded, v);
            prop_assert_eq!(rest, tail.as_str());
        }
    }

    #[test]
    fn golden_literals() {
        // Hand-written from the KQL string-literal rules and the SPL backslash rules (docs/queries.md, escaping contract).
        assert_eq!(kql_str(r"http://x.test/a*b\c"), r#""http://x.test/a*b\\c""#);
        assert_eq!(
            kql_str(r#"https://evil.example.com/p?q=a"b&c=1"#),
            r#""https://evil.example.com/p?q=a\"b&c=1""#
        );
        assert_eq!(kql_str("o'brien@example.com"), r#""o'brien@example.com""#);
        assert_eq!(spl_str(r"http://x.test/a*b\c"), r#""http://x.test/a*b\\c""#);
        assert_eq!(spl_str("a`b"), r#""a*b""#);
        assert_eq!(spl_eval_str("a`b\"c"), r#""a" . urldecode("%60") . "b\"c""#);
        assert_eq!(pcre_literal(r"a\Eb`"), r"\Qa\E\\E\Qb\E\x60\Q\E");
        assert_eq!(sigma_str(r"C:\x*?'y"), r"'C:\\x\*\?''y'");
        assert_eq!(stix_str(r"it's C:\x"), r"'it\'s C:\\x'");
        assert_eq!(kql_dynamic(&["a".into(), "b\"".into()]), r#"dynamic(["a", "b\""])"#);
    }
}
