//! Strict parsing of numbers and times.
//!
//! "Strict" means: a value is either read exactly as written or refused; nothing is guessed.
//! `1,5`, `NaN`, `inf`, `12:00` without seconds or `2024-02-30` are refused, so a caller can warn
//! about them instead of importing a wrong number.

/// Trims XML whitespace (space, tab, CR, LF) from both ends.
#[inline]
pub(crate) fn trim_xml(s: &str) -> &str {
    let b = s.as_bytes();
    let is_space = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let start = b.iter().position(|c| !is_space(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_space(c)).map_or(start, |e| e + 1);
    // Both ends are next to ASCII bytes (or the ends of the string), so they are char boundaries.
    s.get(start..end).unwrap_or("")
}

/// Parses a decimal number as XML Schema `xsd:decimal` / `xsd:double` writes it (optional sign,
/// digits, optional fraction, optional exponent), after trimming whitespace. Infinite and NaN
/// values are refused, as are hexadecimal and comma decimals.
#[inline]
pub fn parse_number(s: &str) -> Option<f64> {
    let t = trim_xml(s);
    let first = *t.as_bytes().first()?;
    // Rust's parser also accepts "inf", "infinity" and "nan" in any case; XML numbers start with
    // a sign, a digit or a point.
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if let Some(v) = simple_decimal(t.as_bytes()) {
        return Some(v);
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Powers of ten that are exact in an `f64`.
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Fast path for the plain decimals that make up nearly all values in track files
/// (`-73.99800731`, `473.8`, `111`): with at most 15 digits the digits form an integer that an
/// `f64` holds exactly, dividing it by an exact power of ten rounds once, so the result is the
/// correctly rounded value, the same one `str::parse` gives. Anything else returns `None`.
#[inline]
fn simple_decimal(b: &[u8]) -> Option<f64> {
    let (negative, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0usize;
    let mut fraction_digits: Option<usize> = None;
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                count += 1;
                if count > 15 {
                    return None;
                }
                if let Some(f) = fraction_digits.as_mut() {
                    *f += 1;
                }
            }
            b'.' if fraction_digits.is_none() => fraction_digits = Some(0),
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    let v = mantissa as f64 / EXACT_POW10[fraction_digits.unwrap_or(0)];
    Some(if negative { -v } else { v })
}

/// A date-time read from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParsedTime {
    /// Milliseconds since 1970-01-01T00:00:00Z. Digits after the milliseconds are truncated.
    pub unix_ms: i64,
    /// The UTC offset the file wrote, in minutes east of UTC: `Some(0)` for `Z`, `Some(-240)` for
    /// `-04:00`, `None` when the time had no zone designator (it is then read as UTC, which is
    /// what the GPX and TCX schemas say times are).
    pub utc_offset_min: Option<i16>,
}

/// Parses an ISO 8601 / RFC 3339 date-time: `YYYY-MM-DDThh:mm:ss`, an optional fraction of a
/// second (any number of digits), and an optional zone: `Z`, `±hh:mm`, `±hhmm` or `±hh`.
///
/// Refused: missing seconds, month 13, day 30 of February, hour 24, leap second 60, offsets
/// beyond ±18:00, years outside 0000..=9999, anything after the zone. Leading and trailing XML
/// whitespace is allowed. Runs in a few tens of nanoseconds and never allocates.
pub fn parse_time(s: &str) -> Option<ParsedTime> {
    let b = trim_xml(s).as_bytes();
    if b.len() < 19 {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - frac_start < 3 {
                millis = millis * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - frac_start;
        if n == 0 {
            return None;
        }
        for _ in n..3 {
            millis *= 10;
        }
    }
    let utc_offset_min: Option<i16> = match b.get(i) {
        None => None,
        Some(b'Z' | b'z') => {
            i += 1;
            Some(0)
        }
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(b, i + 1, 2)?;
            let (om, len) = match b.get(i + 3) {
                None => (0, 3),
                Some(b':') => (digits(b, i + 4, 2)?, 6),
                Some(_) => (digits(b, i + 3, 2)?, 5),
            };
            if om > 59 || oh * 60 + om > 18 * 60 {
                return None;
            }
            i += len;
            let total = i16::try_from(oh * 60 + om).ok()?;
            Some(if sign == b'-' { -total } else { total })
        }
        Some(_) => return None,
    };
    if i != b.len() {
        return None;
    }
    let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
        - i64::from(utc_offset_min.unwrap_or(0)) * 60;
    Some(ParsedTime { unix_ms: secs * 1000 + millis, utc_offset_min })
}

/// `n` ASCII digits at `at` as a number; `None` if out of bounds or not all digits.
#[inline]
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date, counting years from March so the leap
/// day falls at the end of the year and each 400-year era has the same length (146 097 days).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// 1980-01-01T00:00:00Z in Unix milliseconds: no GPS watch file is older (GPS week 0 is 1980).
pub(crate) const EARLIEST_PLAUSIBLE_MS: i64 = 315_532_800_000;

/// One day in milliseconds: times up to a day ahead of "now" are accepted (clock skew, zones).
pub(crate) const FUTURE_SLACK_MS: i64 = 86_400_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> Option<i64> {
        parse_time(s).map(|t| t.unix_ms)
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(" 12.5\n"), Some(12.5));
        assert_eq!(parse_number("-0.25"), Some(-0.25));
        assert_eq!(parse_number("+3"), Some(3.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        for bad in ["", " ", "north", "1,5", "NaN", "inf", "-inf", "+infinity", "0x10", "1.2.3", "1e999", "12 3"] {
            assert_eq!(parse_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn fast_path_matches_std() {
        for s in [
            "0",
            "-0",
            "1",
            "12.5",
            "-73.9980071503669",
            "40.756308",
            "0.1",
            "0.3",
            "9.1887359900",
            "473.8",
            "123456789012345",
            "1234567.89012345",
            "-.5",
            "5.",
            "+7.25",
            "0.00000000000001",
        ] {
            let std: f64 = s.parse().unwrap();
            assert_eq!(simple_decimal(s.as_bytes()).map(f64::to_bits), Some(std.to_bits()), "{s}");
        }
        for s in ["", "-", ".", "1.2.3", "1e5", "1234567890123456", "0.000000000000001", "12a"] {
            assert_eq!(simple_decimal(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn times_utc_fraction_and_offsets() {
        assert_eq!(ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(ms("2017-07-29T13:31:14.000Z"), Some(1_501_335_074_000));
        assert_eq!(ms("2017-07-29T13:31:14.5Z"), Some(1_501_335_074_500));
        assert_eq!(ms("2017-07-29T13:31:14.1239999Z"), Some(1_501_335_074_123));
        let t = parse_time("2008-05-20T16:58:11-04:00").unwrap();
        assert_eq!(t.unix_ms, ms("2008-05-20T20:58:11Z").unwrap());
        assert_eq!(t.utc_offset_min, Some(-240));
        let t = parse_time("2008-05-20T16:58:11+0530").unwrap();
        assert_eq!(t.unix_ms, ms("2008-05-20T11:28:11Z").unwrap());
        assert_eq!(t.utc_offset_min, Some(330));
        assert_eq!(parse_time("2008-05-20T16:58:11+02").unwrap().utc_offset_min, Some(120));
        let t = parse_time("2013-01-01T12:00:00").unwrap();
        assert_eq!(t.utc_offset_min, None);
        assert_eq!(t.unix_ms, ms("2013-01-01T12:00:00Z").unwrap());
        assert_eq!(ms("2000-02-29T00:00:00Z"), Some(951_782_400_000));
        assert_eq!(ms("2400-02-29T00:00:00Z"), Some(13_574_563_200_000));
        assert_eq!(ms("1969-12-31T23:59:59Z"), Some(-1000));
    }

    #[test]
    fn times_refused() {
        for bad in [
            "",
            "not-a-timestamp",
            "Jan 5 2012, 14:56:11",
            "2017-07-29",
            "2017-07-29T13:31Z",
            "2017-07-29 13:31:14Z",
            "2017-13-29T13:31:14Z",
            "2017-02-29T13:31:14Z",
            "1900-02-29T13:31:14Z",
            "2017-07-29T24:00:00Z",
            "2017-07-29T13:60:00Z",
            "2017-07-29T13:31:60Z",
            "2017-07-29T13:31:14.Z",
            "2017-07-29T13:31:14ZZ",
            "2017-07-29T13:31:14+19:00",
            "2017-07-29T13:31:14+05:60",
            "2017-07-29T13:31:14+5",
            "2017-07-29T13:31:14 junk",
            "+2017-07-29T13:31:14Z",
            "２０17-07-29T13:31:14Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn days_from_civil_matches_a_day_by_day_walk() {
        let mut days = days_from_civil(1600, 1, 1);
        for year in 1600..2401u32 {
            for month in 1..=12u32 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(days_from_civil(i64::from(year), i64::from(month), i64::from(day)), days);
                    days += 1;
                }
            }
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}
