//! The hand-written date-time parser agrees with jiff (the workspace's time library) on every
//! RFC 3339 time it is given, and both refuse the same impossible dates.

use proptest::prelude::*;
use runtall_trackxml::parse_time;

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_jiff(
        year in 1970u32..=9998,
        month in 1u32..=12,
        day in 1u32..=31,
        hour in 0u32..=23,
        minute in 0u32..=59,
        second in 0u32..=59,
        fraction in proptest::option::of("[0-9]{1,9}"),
        offset in proptest::option::of((any::<bool>(), 0u32..=17, 0u32..=59)),
    ) {
        let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
        let zone = match offset {
            None => "Z".to_owned(),
            Some((east, h, m)) => format!("{}{h:02}:{m:02}", if east { '+' } else { '-' }),
        };
        let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{zone}");
        let ours = parse_time(&text);
        let theirs = text.parse::<jiff::Timestamp>();
        match (ours, theirs) {
            (Some(o), Ok(t)) => {
                // Milliseconds, with digits beyond them truncated (floored for times after 1970).
                let expected = t.as_nanosecond().div_euclid(1_000_000);
                prop_assert_eq!(i128::from(o.unix_ms), expected, "{}", text);
                let expected_offset = offset.map_or(0, |(east, h, m)| {
                    let total = i16::try_from(h * 60 + m).unwrap_or(0);
                    if east { total } else { -total }
                });
                prop_assert_eq!(o.utc_offset_min, Some(expected_offset));
            }
            // Day 31 of a 30-day month and the like.
            (None, Err(_)) => {}
            (o, t) => prop_assert!(false, "{}: ours {:?}, jiff {:?}", text, o, t),
        }
    }
}
