//! An instant: milliseconds since the Unix epoch, UTC, as every `*_at_ms` column stores it.
//!
//! One type for "when" instead of bare `i64`s passed through every layer, so an instant cannot be
//! mixed up with a count, an amount or a duration. `store` is the only place that turns it into
//! the stored integer and back.

use time::{Date, OffsetDateTime};

/// Milliseconds per second.
const MS_PER_SECOND: i64 = 1_000;

/// Nanoseconds per millisecond.
const NANOS_PER_MS: i128 = 1_000_000;

/// An instant in milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `ms` milliseconds after the Unix epoch (before it when negative).
    pub const fn from_unix_ms(ms: i64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the Unix epoch (how instants are stored and hashed).
    pub const fn unix_ms(self) -> i64 {
        self.0
    }

    /// The instant `ms` milliseconds later (earlier when negative), or `None` past the range.
    pub fn checked_add_ms(self, ms: i64) -> Option<Self> {
        self.0.checked_add(ms).map(Self)
    }

    /// The instant `ms` milliseconds later (earlier when negative), held at the end of the range.
    pub fn saturating_add_ms(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// The instant of `at`, truncated to whole milliseconds, or `None` outside the range of
    /// `i64` milliseconds.
    pub fn from_offset_date_time(at: OffsetDateTime) -> Option<Self> {
        i64::try_from(at.unix_timestamp_nanos() / NANOS_PER_MS)
            .ok()
            .map(Self)
    }

    /// Midnight at the start of `date`, UTC.
    pub fn midnight_of(date: Date) -> Self {
        Self(date.midnight().assume_utc().unix_timestamp() * MS_PER_SECOND)
    }

    /// This instant in UTC, or `None` outside the range `time` can represent.
    pub fn to_offset_date_time(self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * NANOS_PER_MS).ok()
    }

    /// This instant in UTC; the Unix epoch for one outside the range `time` can represent (which
    /// no stored or clock instant is).
    pub fn to_offset_date_time_or_epoch(self) -> OffsetDateTime {
        self.to_offset_date_time()
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn the_unix_milliseconds_given_are_the_ones_returned() {
        // Arrange
        let ms = 1_767_225_600_123;

        // Act
        let at = Timestamp::from_unix_ms(ms);

        // Assert
        assert_eq!(at.unix_ms(), ms);
    }

    #[test]
    fn a_later_instant_orders_after_an_earlier_one() {
        // Arrange
        let earlier = Timestamp::from_unix_ms(-5);
        let later = Timestamp::from_unix_ms(7);

        // Act
        let ordered = earlier < later;

        // Assert
        assert!(ordered);
    }

    #[test]
    fn adding_milliseconds_moves_the_instant_and_past_the_range_gives_none() {
        // Arrange
        let at = Timestamp::from_unix_ms(1_000);

        // Act
        let later = at.checked_add_ms(500);
        let earlier = at.checked_add_ms(-1_500);
        let past_the_end = Timestamp::from_unix_ms(i64::MAX).checked_add_ms(1);

        // Assert
        assert_eq!(later, Some(Timestamp::from_unix_ms(1_500)));
        assert_eq!(earlier, Some(Timestamp::from_unix_ms(-500)));
        assert_eq!(past_the_end, None);
    }

    #[test]
    fn saturating_addition_holds_at_the_end_of_the_range() {
        // Arrange
        let near_the_end = Timestamp::from_unix_ms(i64::MAX - 1);

        // Act
        let held = near_the_end.saturating_add_ms(10);
        let moved = Timestamp::from_unix_ms(10).saturating_add_ms(5);

        // Assert
        assert_eq!(held, Timestamp::from_unix_ms(i64::MAX));
        assert_eq!(moved, Timestamp::from_unix_ms(15));
    }

    #[test]
    fn a_date_time_becomes_its_unix_milliseconds_with_the_sub_millisecond_part_dropped() {
        // Arrange
        let at = datetime!(2026-01-01 00:00:01.234_567 UTC);

        // Act
        let stamp = Timestamp::from_offset_date_time(at);

        // Assert
        assert_eq!(stamp, Some(Timestamp::from_unix_ms(1_767_225_601_234)));
    }

    #[test]
    fn an_instant_becomes_the_same_date_time_in_utc() {
        // Arrange
        let stamp = Timestamp::from_unix_ms(1_767_225_601_234);

        // Act
        let at = stamp.to_offset_date_time();

        // Assert
        assert_eq!(at, Some(datetime!(2026-01-01 00:00:01.234 UTC)));
    }

    #[test]
    fn an_instant_outside_the_date_range_has_no_date_time_and_falls_back_to_the_epoch() {
        // Arrange
        let stamp = Timestamp::from_unix_ms(i64::MAX);

        // Act
        let at = stamp.to_offset_date_time();
        let fallback = stamp.to_offset_date_time_or_epoch();

        // Assert
        assert_eq!(at, None);
        assert_eq!(fallback, OffsetDateTime::UNIX_EPOCH);
    }

    #[test]
    fn midnight_of_a_date_is_the_start_of_that_day_in_utc() {
        // Arrange
        let day = date!(2026 - 01 - 02);

        // Act
        let midnight = Timestamp::midnight_of(day);

        // Assert
        assert_eq!(midnight, Timestamp::from_unix_ms(1_767_312_000_000));
    }
}
