//! The client's timestamp on a document: UTC seconds, written as RFC 3339.

use core::fmt;

use crate::date::Date;

use super::ConsentError;

/// A moment in UTC, to the second, from 1970-01-01T00:00:00Z to 9999-12-31T14:59:59Z (the last
/// second whose Japan Standard Time date is still in year 9999).
///
/// Encoded as RFC 3339 `YYYY-MM-DDThh:mm:ssZ` exactly: uppercase `T` and `Z`, no fraction, no
/// offset other than `Z`, no leap second.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

const SECONDS_PER_DAY: i64 = 86_400;
/// Japan Standard Time is UTC+9, with no daylight saving time.
const JST_OFFSET: i64 = 9 * 3600;
/// 9999-12-31T14:59:59Z.
const MAX_SECONDS: i64 = 253_402_300_799 - JST_OFFSET;

impl Timestamp {
    /// From seconds since 1970-01-01T00:00:00Z.
    pub fn from_unix_seconds(seconds: i64) -> Result<Self, ConsentError> {
        if (0..=MAX_SECONDS).contains(&seconds) {
            Ok(Self(seconds))
        } else {
            Err(ConsentError::DateOutOfRange)
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The current time from the system clock (clamped into the supported range).
    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(MAX_SECONDS))
            .unwrap_or(0);
        Self(secs.clamp(0, MAX_SECONDS))
    }

    /// Parses `YYYY-MM-DDThh:mm:ssZ`, strictly.
    pub fn parse(s: &str) -> Result<Self, ConsentError> {
        const BAD: ConsentError = ConsentError::InvalidField { field: "timestamp" };
        let b = s.as_bytes();
        if b.len() != 20
            || b.get(10) != Some(&b'T')
            || b.get(13) != Some(&b':')
            || b.get(16) != Some(&b':')
            || b.get(19) != Some(&b'Z')
        {
            return Err(BAD);
        }
        let date = Date::parse_iso(s.get(0..10).ok_or(BAD)?).map_err(|_| BAD)?;
        let field = |range: core::ops::Range<usize>, max: i64| -> Result<i64, ConsentError> {
            let part = b.get(range).ok_or(BAD)?;
            let mut v = 0i64;
            for &c in part {
                if !c.is_ascii_digit() {
                    return Err(BAD);
                }
                v = v * 10 + i64::from(c - b'0');
            }
            if v > max {
                return Err(BAD);
            }
            Ok(v)
        };
        let h = field(11..13, 23)?;
        let m = field(14..16, 59)?;
        let sec = field(17..19, 59)?;
        Self::from_unix_seconds(date.days_since_epoch() * SECONDS_PER_DAY + h * 3600 + m * 60 + sec)
            .map_err(|_| BAD)
    }

    /// The UTC calendar date.
    pub fn utc_date(self) -> Date {
        date_of(self.0)
    }

    /// The calendar date in Japan Standard Time (UTC+9): the day the services count in.
    pub fn jst_date(self) -> Date {
        date_of(self.0 + JST_OFFSET)
    }
}

fn date_of(seconds: i64) -> Date {
    match Date::from_days_since_epoch(seconds.div_euclid(SECONDS_PER_DAY)) {
        Ok(d) => d,
        // Timestamps are range-checked at construction, so every one has a date.
        Err(_) => unreachable!("timestamp outside the supported range"),
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.utc_date();
        let s = self.0.rem_euclid(SECONDS_PER_DAY);
        write!(f, "{}T{:02}:{:02}:{:02}Z", d, s / 3600, s / 60 % 60, s % 60)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl core::str::FromStr for Timestamp {
    type Err = ConsentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn round_trip_and_known_values() {
        let t = Timestamp::parse("2026-11-22T14:59:59Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_795_359_599);
        assert_eq!(t.to_string(), "2026-11-22T14:59:59Z");
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:00Z")
                .unwrap()
                .unix_seconds(),
            0
        );
        assert_eq!(
            Timestamp::from_unix_seconds(951_782_400)
                .unwrap()
                .to_string(),
            "2000-02-29T00:00:00Z"
        );
        let max = Timestamp::parse("9999-12-31T14:59:59Z").unwrap();
        assert_eq!(max.jst_date(), d(9999, 12, 31));
        assert!(Timestamp::parse("9999-12-31T15:00:00Z").is_err());
        assert!(Timestamp::from_unix_seconds(-1).is_err());
        for s in [
            "2026-11-22T00:00:00Z",
            "2028-02-29T23:59:59Z",
            "2031-12-31T12:34:56Z",
        ] {
            assert_eq!(Timestamp::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn jst_day_boundary() {
        // 14:59:59Z is 23:59:59 JST; 15:00:00Z is the next day in Japan.
        let before = Timestamp::parse("2026-11-22T14:59:59Z").unwrap();
        let after = Timestamp::parse("2026-11-22T15:00:00Z").unwrap();
        assert_eq!(before.jst_date(), d(2026, 11, 22));
        assert_eq!(after.jst_date(), d(2026, 11, 23));
        assert_eq!(after.utc_date(), d(2026, 11, 22));
        let new_year = Timestamp::parse("2031-12-31T15:00:00Z").unwrap();
        assert_eq!(new_year.jst_date(), d(2032, 1, 1));
        let leap = Timestamp::parse("2028-02-28T15:00:00Z").unwrap();
        assert_eq!(leap.jst_date(), d(2028, 2, 29));
    }

    #[test]
    fn strict_parsing() {
        for bad in [
            "",
            "2026-11-22",
            "2026-11-22t00:00:00Z",
            "2026-11-22T00:00:00z",
            "2026-11-22 00:00:00Z",
            "2026-11-22T00:00:00+09:00",
            "2026-11-22T00:00:00.000Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T23:60:00Z",
            "2026-11-22T23:59:60Z",
            "2027-02-29T00:00:00Z",
            "2026-11-22T0a:00:00Z",
            "２026-11-22T00:00:00Z",
            "+2026-11-22T00:00:0Z",
        ] {
            assert_eq!(
                Timestamp::parse(bad),
                Err(ConsentError::InvalidField { field: "timestamp" }),
                "{bad}"
            );
        }
    }

    #[test]
    fn now_is_recent() {
        let now = Timestamp::now();
        assert!(now > Timestamp::parse("2024-01-01T00:00:00Z").unwrap());
    }
}
