//! File paths (Windows drive, environment-variable and UNC paths; Unix absolute and home paths) and Windows
//! registry keys.
//!
//! Paths keep their case and separators as written (Windows paths are case-insensitive, but hunting queries match
//! them case-insensitively anyway, and analysts recognise the original spelling). Registry keys are canonicalised
//! to the **long hive name** (`HKLM\…` → `HKEY_LOCAL_MACHINE\…`): it is the form Microsoft documents, the one
//! Defender's `DeviceRegistryEvents` stores, and it is unambiguous; the rest of the key keeps its case.
use super::NormalizeError;
use crate::PathFacts;

/// Registry hive spellings (upper-case) and the long name.
const HIVES: &[(&str, &str)] = &[
    ("HKEY_LOCAL_MACHINE", "HKEY_LOCAL_MACHINE"),
    ("HKLM", "HKEY_LOCAL_MACHINE"),
    ("HKEY_CURRENT_USER", "HKEY_CURRENT_USER"),
    ("HKCU", "HKEY_CURRENT_USER"),
    ("HKEY_CLASSES_ROOT", "HKEY_CLASSES_ROOT"),
    ("HKCR", "HKEY_CLASSES_ROOT"),
    ("HKEY_USERS", "HKEY_USERS"),
    ("HKU", "HKEY_USERS"),
    ("HKEY_CURRENT_CONFIG", "HKEY_CURRENT_CONFIG"),
    ("HKCC", "HKEY_CURRENT_CONFIG"),
    ("HKEY_PERFORMANCE_DATA", "HKEY_PERFORMANCE_DATA"),
    ("\\REGISTRY\\MACHINE", "HKEY_LOCAL_MACHINE"),
    ("\\REGISTRY\\USER", "HKEY_USERS"),
];

/// Parses a registry key. [`NormalizeError::RegistryNoHive`] when the value does not start with a hive (not a
/// registry key at all); another error when it does but is not a key.
pub fn parse_registry(s: &str) -> Result<String, NormalizeError> {
    let bytes = s.as_bytes();
    let (spelling, long) = HIVES
        .iter()
        .find(|(h, _)| {
            bytes.get(..h.len()).is_some_and(|p| p.eq_ignore_ascii_case(h.as_bytes()))
                && match bytes.get(h.len()) {
                    None | Some(b'\\') => true,
                    // PowerShell drive form `HKLM:\…`.
                    Some(b':') => bytes.get(h.len() + 1) == Some(&b'\\'),
                    Some(_) => false,
                }
        })
        .ok_or(NormalizeError::RegistryNoHive)?;
    let mut rest = &s[spelling.len()..];
    rest = rest.strip_prefix(':').unwrap_or(rest);
    let Some(rest) = rest.strip_prefix('\\') else {
        return Err(NormalizeError::RegistryNoSubkey);
    };
    let rest = rest.trim_end_matches('\\');
    if rest.is_empty() {
        return Err(NormalizeError::RegistryNoSubkey);
    }
    if rest.chars().any(char::is_control) || rest.contains("\\\\") {
        return Err(NormalizeError::RegistryBadComponent);
    }
    Ok(format!("{long}\\{rest}"))
}

fn file_name(path: &str, seps: &[char]) -> Option<String> {
    let last = path.rsplit(seps).next()?;
    (!last.is_empty()).then(|| last.to_owned())
}

/// Parses a file path. [`NormalizeError::PathShape`] when the value does not look like a path.
pub fn parse_path(s: &str) -> Result<(String, PathFacts), NormalizeError> {
    path_shape(s).ok_or(NormalizeError::PathShape)
}

fn path_shape(s: &str) -> Option<(String, PathFacts)> {
    if s.chars().any(char::is_control) || s.len() > 32_767 {
        return None;
    }
    let b = s.as_bytes();
    let windows = |rest: &str| -> Option<(String, PathFacts)> {
        // The part after the root must have at least one non-empty component and no characters Windows forbids.
        if rest.is_empty() || rest.contains(['<', '>', '"', '|', '?', '*']) {
            return None;
        }
        Some((
            s.to_owned(),
            PathFacts { os: "windows".to_owned(), file_name: file_name(s, &['\\', '/']) },
        ))
    };
    // `C:\…` (or `C:/…`).
    if b.len() > 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/') {
        return windows(&s[3..]);
    }
    // `%APPDATA%\…`
    if b.first() == Some(&b'%')
        && let Some(end) = s[1..].find('%')
    {
        let var = &s[1..=end];
        let after = &s[end + 2..];
        if !var.is_empty()
            && var.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'(' | b')'))
            && after.starts_with('\\')
        {
            return windows(&after[1..]);
        }
        return None;
    }
    // UNC `\\host\share\…`
    if let Some(rest) = s.strip_prefix("\\\\") {
        let mut parts = rest.split('\\');
        let host = parts.next().unwrap_or_default();
        let share = parts.next().unwrap_or_default();
        if host.is_empty() || share.is_empty() || host.contains(['/', ' ']) {
            return None;
        }
        return windows(rest);
    }
    // Unix: `/a/b…` or `~/a…` with at least two components.
    let unix_rest = s.strip_prefix("~/").or_else(|| s.strip_prefix('/'))?;
    if s.starts_with("//") || s.contains(['\\', '\0']) {
        return None;
    }
    let comps: Vec<&str> = unix_rest.split('/').filter(|c| !c.is_empty()).collect();
    let needed = if s.starts_with('~') { 1 } else { 2 };
    if comps.len() < needed || unix_rest.contains("//") {
        return None;
    }
    // The first component names a directory: letters, digits, `. _ -` only (rules out `/24`, `/s?q` …).
    let first = comps[0];
    if !first.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-')) {
        return None;
    }
    if first.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((s.to_owned(), PathFacts { os: "unix".to_owned(), file_name: file_name(s, &['/']) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry() {
        assert_eq!(
            parse_registry("HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"),
            Ok("HKEY_LOCAL_MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Run".into())
        );
        assert_eq!(
            parse_registry("hkcu\\Software\\x"),
            Ok("HKEY_CURRENT_USER\\Software\\x".into())
        );
        assert_eq!(
            parse_registry("HKCU:\\Software\\x"),
            Ok("HKEY_CURRENT_USER\\Software\\x".into())
        );
        assert_eq!(parse_registry("HKCR\\.exe"), Ok("HKEY_CLASSES_ROOT\\.exe".into()));
        assert_eq!(
            parse_registry("\\REGISTRY\\MACHINE\\SYSTEM\\x"),
            Ok("HKEY_LOCAL_MACHINE\\SYSTEM\\x".into())
        );
        assert_eq!(parse_registry("HKLM"), Err(NormalizeError::RegistryNoSubkey));
        assert_eq!(parse_registry("HKLM\\a\\\\b"), Err(NormalizeError::RegistryBadComponent));
        assert_eq!(parse_registry("HKLMX\\a"), Err(NormalizeError::RegistryNoHive));
        assert_eq!(parse_registry("hello"), Err(NormalizeError::RegistryNoHive));
    }

    #[test]
    fn paths() {
        let os = |s: &str| parse_path(s).ok().map(|(_, f)| f.os);
        assert_eq!(os("C:\\Windows\\System32\\cmd.exe").as_deref(), Some("windows"));
        assert_eq!(os("%APPDATA%\\Roaming\\x.exe").as_deref(), Some("windows"));
        assert_eq!(os("\\\\server\\share\\x.exe").as_deref(), Some("windows"));
        assert_eq!(os("/etc/passwd").as_deref(), Some("unix"));
        assert_eq!(os("/tmp/.x/payload").as_deref(), Some("unix"));
        assert_eq!(os("~/.ssh/authorized_keys").as_deref(), Some("unix"));
        assert_eq!(os("/tmp"), None);
        assert_eq!(os("/24"), None);
        assert_eq!(os("/1/2"), None);
        assert_eq!(os("C:"), None);
        assert_eq!(parse_path("C:"), Err(NormalizeError::PathShape));
        assert_eq!(
            parse_path("C:\\Users\\Public\\update.exe").unwrap().1.file_name.as_deref(),
            Some("update.exe")
        );
    }
}
