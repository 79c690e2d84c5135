//! Time as Unix seconds: RFC 3339 / ISO 8601 parsing and formatting, and lookback durations (`24h`, `7d`).
//! The calendar is the `time` crate's (the core's intel-format parser uses the same one).

use time::{Date, Month, OffsetDateTime};

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the instants a four-digit year can spell.
const FORMAT_RANGE: (i64, i64) = (-62_167_219_200, 253_402_300_799);

/// Days since 1970-01-01 of a proleptic Gregorian date (the `time` crate's calendar); `None` for a date that
/// does not exist (`2001-02-29`).
fn days_since_epoch(y: i64, m: i64, d: i64) -> Option<i64> {
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()?;
    Some(i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (clamped to the years 0000–9999).
pub fn format(ts: i64) -> String {
    let ts = ts.clamp(FORMAT_RANGE.0, FORMAT_RANGE.1);
    let t = OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses an ISO 8601 date (`2026-01-31`) or date-time (`2026-01-31T12:00:00Z`, fractional seconds and a
/// `±HH:MM` offset allowed; no offset means UTC; a space may replace `T`), or a Unix timestamp of digits.
pub fn parse(input: &str) -> Option<i64> {
    let text = input.trim();
    if !text.is_ascii() {
        return None; // ISO 8601 is ASCII; this also keeps the byte slicing below on char boundaries
    }
    if text.len() >= 9 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    let (date, rest) = if text.len() > 10 { text.split_at(10) } else { (text, "") };
    let mut it = date.split('-');
    let (year, month, day) = (num(it.next()?)?, num(it.next()?)?, num(it.next()?)?);
    if date.len() != 10 || it.next().is_some() {
        return None;
    }
    let mut secs = days_since_epoch(year, month, day)? * 86_400;
    if rest.is_empty() {
        return Some(secs);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (clock, offset) = match rest.find(['Z', 'z', '+', '-']) {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    let clock = clock.split('.').next()?; // fractional seconds are dropped
    let mut parts = clock.split(':');
    let hour = num(parts.next()?)?;
    let mi = num(parts.next()?)?;
    let sec = match parts.next() {
        Some(part) => num(part)?,
        None => 0,
    };
    if parts.next().is_some() || hour > 23 || mi > 59 || sec > 60 {
        return None;
    }
    secs += hour * 3600 + mi * 60 + sec;
    match offset {
        "" | "Z" | "z" => Some(secs),
        signed => {
            let sign = if signed.starts_with('-') { -1 } else { 1 };
            let off = &signed[1..];
            let (oh, om) = match off.split_once(':') {
                Some((hh, mm)) => (num(hh)?, num(mm)?),
                None if off.len() == 4 => (num(&off[..2])?, num(&off[2..])?),
                None => (num(off)?, 0),
            };
            if oh > 23 || om > 59 {
                return None;
            }
            Some(secs - sign * (oh * 3600 + om * 60))
        }
    }
}

/// Parses a lookback such as `30m`, `24h`, `7d`, `2w` into seconds.
pub fn parse_duration(input: &str) -> Option<i64> {
    let s = input.trim();
    let unit = s.chars().last()?;
    let n = num(&s[..s.len() - unit.len_utf8()])?;
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    n.checked_mul(mult).filter(|&v| v <= 100 * 365 * 86_400)
}

/// `since`/`until`: an ISO 8601 time or a lookback duration from `now`.
pub fn parse_bound(input: &str, now: i64) -> Option<i64> {
    parse(input).or_else(|| parse_duration(input).map(|d| now - d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format(0), "1970-01-01T00:00:00Z");
        // 2000-02-29T12:34:56Z = 951827696 (leap day; date(1) -d @951827696 -u)
        assert_eq!(format(951_827_696), "2000-02-29T12:34:56Z");
        assert_eq!(format(-1), "1969-12-31T23:59:59Z");
        assert_eq!(format(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(format(i64::MIN), "0000-01-01T00:00:00Z");
    }

    #[test]
    fn parses_iso_forms() {
        assert_eq!(parse("2000-02-29T12:34:56Z"), Some(951_827_696));
        assert_eq!(parse("2000-02-29T12:34:56.789Z"), Some(951_827_696));
        assert_eq!(parse("2000-02-29T14:34:56+02:00"), Some(951_827_696));
        assert_eq!(parse("2000-02-29 12:34:56"), Some(951_827_696));
        assert_eq!(parse("2000-02-29"), Some(951_782_400));
        assert_eq!(parse("1700000000"), Some(1_700_000_000));
        assert_eq!(parse("2001-02-29"), None);
        assert_eq!(parse("2026-13-01"), None);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("2026-01-01T25:00:00Z"), None);
        // Non-ASCII never panics on byte slicing (found by schemathesis: `until=Y𮾞¿^…`).
        for s in [
            "Y\u{2ef9e}\u{bf}^\u{f3083}",
            "2026-01-01\u{e9}",
            "2026-01-01T00:00+\u{20ac}1",
            "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
        ] {
            assert_eq!(parse(s), None, "{s}");
            assert_eq!(parse_bound(s, 0), None, "{s}");
        }
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("24h"), Some(86_400));
        assert_eq!(parse_duration("7d"), Some(604_800));
        assert_eq!(parse_duration("30m"), Some(1800));
        assert_eq!(parse_duration("d"), None);
        assert_eq!(parse_duration("-1d"), None);
        assert_eq!(parse_duration("99999999999999999d"), None);
        assert_eq!(parse_bound("1d", 100_000), Some(13_600));
    }
}
