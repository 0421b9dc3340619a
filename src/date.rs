//! A plain calendar date (proleptic Gregorian), for dates of birth, certificate validity days
//! and consent periods. No time zone: callers decide which day a moment falls on (JPKI and the
//! services it serves count days in Japan Standard Time).

use core::fmt;

/// A calendar date.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A date that does not exist or could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid date")]
pub struct InvalidDate;

/// Whether `year` is a leap year.
pub const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in a month.
pub const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date from its parts, if it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, InvalidDate> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(InvalidDate);
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(InvalidDate);
        }
        Ok(Self { year, month, day })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Result<Self, InvalidDate> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(InvalidDate);
        }
        Self::new(
            digits(&b[0..4])? as i32,
            digits(&b[5..7])? as u8,
            digits(&b[8..10])? as u8,
        )
    }

    /// Parses `YYYYMMDD` (the card's encoding of a date of birth).
    pub fn parse_compact(b: &[u8]) -> Result<Self, InvalidDate> {
        if b.len() != 8 {
            return Err(InvalidDate);
        }
        Self::new(
            digits(&b[0..4])? as i32,
            digits(&b[4..6])? as u8,
            digits(&b[6..8])? as u8,
        )
    }

    /// `YYYYMMDD`.
    pub fn to_compact(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = self.year as i64 - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Result<Self, InvalidDate> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = yoe + era * 400 + i64::from(m <= 2);
        Self::new(i32::try_from(y).map_err(|_| InvalidDate)?, m, d)
    }

    /// The date `n` days later (earlier if negative).
    pub fn add_days(self, n: i64) -> Result<Self, InvalidDate> {
        Self::from_days_since_epoch(self.days_since_epoch() + n)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.days_since_epoch() - self.days_since_epoch()
    }

    /// The same month and day `n` years later, if that day exists in that year.
    pub fn same_day_years_later(self, n: i32) -> Option<Self> {
        Self::new(self.year + n, self.month, self.day).ok()
    }
}

fn digits(b: &[u8]) -> Result<u32, InvalidDate> {
    b.iter().try_fold(0u32, |acc, &c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + u32::from(c - b'0'))
        } else {
            Err(InvalidDate)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_round_trip() {
        let d = Date::new(1970, 1, 1).unwrap();
        assert_eq!(d.days_since_epoch(), 0);
        for days in [-700_000i64, -1, 0, 1, 10_957, 19_000, 24_836, 2_000_000] {
            let d = Date::from_days_since_epoch(days).unwrap();
            assert_eq!(d.days_since_epoch(), days);
        }
        assert_eq!(
            Date::new(2028, 2, 28).unwrap().add_days(1).unwrap(),
            Date::new(2028, 2, 29).unwrap()
        );
        assert_eq!(
            Date::new(2031, 12, 31).unwrap().add_days(1).unwrap(),
            Date::new(2032, 1, 1).unwrap()
        );
    }

    #[test]
    fn parsing() {
        assert_eq!(
            Date::parse_iso("2026-11-22").unwrap().to_string(),
            "2026-11-22"
        );
        assert!(Date::parse_iso("2027-02-29").is_err());
        assert!(Date::parse_iso("2026-1-22").is_err());
        assert_eq!(
            Date::parse_compact(b"19800217").unwrap(),
            Date::new(1980, 2, 17).unwrap()
        );
        assert!(Date::parse_compact(b"1980021").is_err());
        assert!(Date::parse_compact(b"1980O217").is_err());
    }
}
