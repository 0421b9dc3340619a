//! The 10-year validity of an address-change one-stop consent (同意の有効期間).
//!
//! The seeds (`000_…txt` §4(2), `003_…txt` 3(2)イ(ｱ)) say the consent is valid for 10 years
//! counted from the day after the consent date (同意の日の翌日を起算日として10年), the consent
//! date being the day the consent is reflected in J-LIS's system. Following the Civil Code:
//!
//! - 民法第140条: the initial day is not counted, so the period starts on the next day;
//! - 民法第143条第2項: a period counted in years ends at the end of the day before the day in
//!   the final year that corresponds to the starting day; if the final month has no such day,
//!   it ends at the end of that month.
//!
//! Consenting again within the period restarts the 10 years from the new consent date.
//!
//! ```
//! use mynasign::consent::ConsentPeriod;
//! use mynasign::date::Date;
//!
//! let period = ConsentPeriod::new(Date::new(2028, 2, 28)?)?;
//! assert_eq!(period.first_day(), Date::new(2028, 2, 29)?);
//! assert_eq!(period.last_day(), Date::new(2038, 2, 28)?);
//! assert_eq!(period.days_remaining(Date::new(2038, 2, 28)?), 1);
//! assert_eq!(period.days_remaining(Date::new(2038, 3, 1)?), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::date::{days_in_month, Date};

use super::ConsentError;

/// The length of the consent period in years (公的個人認証法施行規則第35条の2第4項).
pub const CONSENT_PERIOD_YEARS: i32 = 10;

/// The validity period of one consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConsentPeriod {
    consent_date: Date,
    first_day: Date,
    last_day: Date,
}

impl ConsentPeriod {
    /// The period of a consent given (reflected in J-LIS's system) on `consent_date`, a day in
    /// Japan Standard Time. Fails with [`ConsentError::DateOutOfRange`] when the period would
    /// end after year 9999.
    pub fn new(consent_date: Date) -> Result<Self, ConsentError> {
        let first_day = consent_date
            .add_days(1)
            .map_err(|_| ConsentError::DateOutOfRange)?;
        let final_year = first_day.year() + CONSENT_PERIOD_YEARS;
        let last_day = match Date::new(final_year, first_day.month(), first_day.day()) {
            // The corresponding day exists: the period ends the day before it.
            Ok(corresponding) => corresponding.add_days(-1),
            // It does not (29 February in a common year): the end of that month.
            Err(_) => Date::new(
                final_year,
                first_day.month(),
                days_in_month(final_year, first_day.month()),
            ),
        }
        .map_err(|_| ConsentError::DateOutOfRange)?;
        Ok(Self {
            consent_date,
            first_day,
            last_day,
        })
    }

    /// The consent date (the initial day, not counted).
    pub fn consent_date(&self) -> Date {
        self.consent_date
    }

    /// The first day of the period: the day after the consent date (民法第140条).
    pub fn first_day(&self) -> Date {
        self.first_day
    }

    /// The last day of the period (the consent is valid until the end of this day, JST).
    pub fn last_day(&self) -> Date {
        self.last_day
    }

    /// Whether `date` lies within the period, `first_day()..=last_day()`. The consent date
    /// itself is not part of the counted period.
    pub fn contains(&self, date: Date) -> bool {
        self.first_day <= date && date <= self.last_day
    }

    /// Whether the period is over on `today` (today is after the last day).
    pub fn is_expired(&self, today: Date) -> bool {
        today > self.last_day
    }

    /// The number of days on which the consent is still valid, counting both `today` and the
    /// last day: 1 on the last day, 10 nine days before it. It is 0 on the day after the last
    /// day and negative later (−n means the period ended n + 1 days before `today`). So a
    /// positive value means "still valid today", whatever the sign convention of the caller.
    pub fn days_remaining(&self, today: Date) -> i64 {
        today.days_until(self.last_day) + 1
    }

    /// The day a reminder should be shown `days_before` days before the last day (Mynaportal
    /// notifies the holder before the 10 years run out). Never earlier than the first day: a
    /// lead time longer than the period gives the first day.
    pub fn reminder_date(&self, days_before: u32) -> Date {
        let total = self.first_day.days_until(self.last_day);
        let back = i64::from(days_before).min(total);
        self.last_day.add_days(-back).unwrap_or(self.first_day)
    }

    /// Whether a reminder is due on `today`: from [`reminder_date`](Self::reminder_date) to the
    /// last day, both included. Once the period is over the reminder is no longer due.
    pub fn is_reminder_due(&self, today: Date, days_before: u32) -> bool {
        self.reminder_date(days_before) <= today && today <= self.last_day
    }

    /// The period of a new consent given on `new_consent_date`: a new consent restarts the 10
    /// years. The new date may not be before the current consent date.
    pub fn restart(&self, new_consent_date: Date) -> Result<Self, ConsentError> {
        if new_consent_date < self.consent_date {
            return Err(ConsentError::InvalidField {
                field: "consent_date",
            });
        }
        Self::new(new_consent_date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn check(consent: &str, first: &str, last: &str) {
        let p = ConsentPeriod::new(d(consent)).unwrap();
        assert_eq!(p.consent_date(), d(consent));
        assert_eq!(p.first_day(), d(first), "first day for {consent}");
        assert_eq!(p.last_day(), d(last), "last day for {consent}");
    }

    #[test]
    fn required_table() {
        check("2026-11-22", "2026-11-23", "2036-11-22");
        check("2028-02-28", "2028-02-29", "2038-02-28");
        check("2028-02-29", "2028-03-01", "2038-02-28");
        check("2027-02-28", "2027-03-01", "2037-02-28");
        check("2031-12-31", "2032-01-01", "2041-12-31");
    }

    #[test]
    fn more_cases() {
        // Month ends.
        check("2026-01-30", "2026-01-31", "2036-01-30");
        check("2026-01-31", "2026-02-01", "2036-01-31");
        check("2026-04-29", "2026-04-30", "2036-04-29");
        check("2026-04-30", "2026-05-01", "2036-04-30");
        check("2026-12-30", "2026-12-31", "2036-12-30");
        // Starting on 29 February ending in a leap year: the corresponding day exists.
        check("2020-02-28", "2020-02-29", "2030-02-28");
        check("2030-02-28", "2030-03-01", "2040-02-29");
        check("2014-02-28", "2014-03-01", "2024-02-29");
        // 2100 is not a leap year; 2000 was.
        check("2090-02-28", "2090-03-01", "2100-02-28");
        check("1990-02-28", "1990-03-01", "2000-02-29");
        check("2088-02-28", "2088-02-29", "2098-02-28");
        // Ordinary days.
        check("2025-03-24", "2025-03-25", "2035-03-24");
        check("2025-01-01", "2025-01-02", "2035-01-01");
    }

    #[test]
    fn out_of_range() {
        assert_eq!(
            ConsentPeriod::new(d("9990-01-01")),
            Err(ConsentError::DateOutOfRange)
        );
        assert_eq!(
            ConsentPeriod::new(d("9999-12-31")),
            Err(ConsentError::DateOutOfRange)
        );
        assert!(ConsentPeriod::new(d("9989-12-30")).is_ok());
    }

    #[test]
    fn contains_and_remaining() {
        let p = ConsentPeriod::new(d("2026-11-22")).unwrap();
        assert!(!p.contains(d("2026-11-22")));
        assert!(p.contains(d("2026-11-23")));
        assert!(p.contains(d("2031-06-01")));
        assert!(p.contains(d("2036-11-22")));
        assert!(!p.contains(d("2036-11-23")));
        assert_eq!(p.days_remaining(d("2036-11-22")), 1);
        assert_eq!(p.days_remaining(d("2036-11-13")), 10);
        assert_eq!(p.days_remaining(d("2036-11-23")), 0);
        assert_eq!(p.days_remaining(d("2036-11-25")), -2);
        // 10 years from 2026-11-23 to 2036-11-22 inclusive: 3653 days (2028, 2032, 2036 leap).
        assert_eq!(p.days_remaining(d("2026-11-23")), 3653);
        assert!(!p.is_expired(d("2036-11-22")));
        assert!(p.is_expired(d("2036-11-23")));
    }

    #[test]
    fn reminder() {
        let p = ConsentPeriod::new(d("2026-11-22")).unwrap();
        assert_eq!(p.reminder_date(0), d("2036-11-22"));
        assert_eq!(p.reminder_date(30), d("2036-10-23"));
        assert_eq!(p.reminder_date(90), d("2036-08-24"));
        assert_eq!(p.reminder_date(u32::MAX), p.first_day());
        assert!(!p.is_reminder_due(d("2036-10-22"), 30));
        assert!(p.is_reminder_due(d("2036-10-23"), 30));
        assert!(p.is_reminder_due(d("2036-11-22"), 30));
        assert!(!p.is_reminder_due(d("2036-11-23"), 30));
        // Across a leap day: the last day 2038-02-28, 30 days before is 2038-01-29.
        let q = ConsentPeriod::new(d("2028-02-29")).unwrap();
        assert_eq!(q.reminder_date(30), d("2038-01-29"));
        let r = ConsentPeriod::new(d("2030-02-28")).unwrap();
        assert_eq!(r.last_day(), d("2040-02-29"));
        assert_eq!(r.reminder_date(29), d("2040-01-31"));
    }

    #[test]
    fn restart() {
        let p = ConsentPeriod::new(d("2026-11-22")).unwrap();
        let q = p.restart(d("2034-05-10")).unwrap();
        assert_eq!(q.first_day(), d("2034-05-11"));
        assert_eq!(q.last_day(), d("2044-05-10"));
        assert_eq!(p.restart(d("2026-11-22")).unwrap(), p);
        assert_eq!(
            p.restart(d("2026-11-21")),
            Err(ConsentError::InvalidField {
                field: "consent_date"
            })
        );
    }
}
