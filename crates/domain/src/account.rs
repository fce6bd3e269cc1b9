//! Portal accounts: who has a log-in, the lock-out after repeated wrong passwords, and the
//! one-time links (activation, password reset) with their lifetimes.
//!
//! The password rules are in [`crate::password`].

use time::Date;

use crate::terms::HouseholdRole;
use crate::timestamp::Timestamp;

/// Milliseconds per minute.
const MS_PER_MINUTE: i64 = 60_000;

/// Milliseconds per hour.
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;

/// Milliseconds per day.
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// Wrong passwords in a row that lock an account.
pub const LOGIN_FAILURES_MAX: u32 = 5;

/// How long a lock-out lasts; it lifts by itself.
pub const LOCKOUT_MS: i64 = 15 * MS_PER_MINUTE;

/// How long an activation link works (the welcome message may wait in a mailbox a while).
pub const ACTIVATION_LINK_LIFETIME_MS: i64 = 14 * MS_PER_DAY;

/// How long a password-reset link works.
pub const PASSWORD_RESET_LINK_LIFETIME_MS: i64 = MS_PER_HOUR;

/// The age from which a further participant may have a log-in of their own.
pub const ADULT_AGE_YEARS: u8 = 18;

/// What a one-time link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkPurpose {
    /// Set the first password of a portal account.
    Activation,
    /// Set a new password after a forgotten one.
    PasswordReset,
}

impl LinkPurpose {
    /// Every purpose.
    pub const ALL: &'static [LinkPurpose] = &[LinkPurpose::Activation, LinkPurpose::PasswordReset];

    /// The stored name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Activation => "activation",
            LinkPurpose::PasswordReset => "password_reset",
        }
    }

    /// The purpose of a stored name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<LinkPurpose> {
        LinkPurpose::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == name)
    }

    /// How long a link of this purpose works, in milliseconds.
    #[must_use]
    pub const fn lifetime_ms(self) -> i64 {
        match self {
            LinkPurpose::Activation => ACTIVATION_LINK_LIFETIME_MS,
            LinkPurpose::PasswordReset => PASSWORD_RESET_LINK_LIFETIME_MS,
        }
    }

    /// When a link of this purpose made at `now` stops working.
    #[must_use]
    pub fn expires_at(self, now: Timestamp) -> Timestamp {
        now.saturating_add_ms(self.lifetime_ms())
    }
}

/// Whether an account locked until `locked_until` is still locked at `now`.
#[must_use]
pub fn is_locked(locked_until: Option<Timestamp>, now: Timestamp) -> bool {
    locked_until.is_some_and(|until| until > now)
}

/// What a wrong password does to an account that had `failures_before` wrong passwords in a
/// row: the new count, and the end of the lock when this one locks it (the count then starts
/// again, so after the lock lifts there are [`LOGIN_FAILURES_MAX`] tries again).
#[must_use]
pub fn after_wrong_password(failures_before: u32, now: Timestamp) -> (u32, Option<Timestamp>) {
    let failures = failures_before.saturating_add(1);
    if failures >= LOGIN_FAILURES_MAX {
        (0, Some(now.saturating_add_ms(LOCKOUT_MS)))
    } else {
        (failures, None)
    }
}

/// Whether a participant of `role` may log in at all: the main participant and adult partners
/// do, children never (the main participant acts for them); an ended contract ends the log-in.
#[must_use]
pub fn may_log_in(role: HouseholdRole, contract_ended: bool) -> bool {
    !contract_ended && role != HouseholdRole::Child
}

/// Whether a member enrolled with this role, birth date and e-mail address gets a log-in of
/// their own (and so an activation message): the main participant always; a partner who is an
/// adult on `today` and has an e-mail address of their own (not the main participant's,
/// compared case-insensitively); a child never.
#[must_use]
pub fn gets_own_log_in(
    role: HouseholdRole,
    date_of_birth: Date,
    email: Option<&str>,
    main_email: Option<&str>,
    today: Date,
) -> bool {
    match role {
        HouseholdRole::Main => true,
        HouseholdRole::Child => false,
        HouseholdRole::Partner => {
            let own = match (email.map(str::trim), main_email.map(str::trim)) {
                (Some(e), Some(m)) => !e.is_empty() && !e.eq_ignore_ascii_case(m),
                (Some(e), None) => !e.is_empty(),
                (None, _) => false,
            };
            own && is_adult(date_of_birth, today)
        }
    }
}

/// Whether someone born on `date_of_birth` is at least [`ADULT_AGE_YEARS`] old on `today`.
#[must_use]
pub fn is_adult(date_of_birth: Date, today: Date) -> bool {
    let years = today.year() - date_of_birth.year();
    let had_birthday = (today.month(), today.day()) >= (date_of_birth.month(), date_of_birth.day());
    let age = if had_birthday { years } else { years - 1 };
    age >= i32::from(ADULT_AGE_YEARS)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    const NOW: Timestamp = Timestamp::from_unix_ms(1_800_000_000_000);

    #[test]
    fn the_fifth_wrong_password_locks_for_fifteen_minutes() {
        let mut failures = 0;
        for _ in 0..4 {
            let (next, lock) = after_wrong_password(failures, NOW);
            assert_eq!(lock, None);
            failures = next;
        }
        assert_eq!(failures, 4);
        let (next, lock) = after_wrong_password(failures, NOW);
        assert_eq!(next, 0, "the count starts again after a lock");
        assert_eq!(lock, Some(NOW.saturating_add_ms(15 * 60_000)));
    }

    #[test]
    fn a_lock_lifts_by_itself_when_its_time_is_over() {
        let until = NOW.saturating_add_ms(LOCKOUT_MS);
        assert!(is_locked(Some(until), NOW));
        assert!(is_locked(Some(until), until.saturating_add_ms(-1)));
        assert!(!is_locked(Some(until), until));
        assert!(!is_locked(None, NOW));
    }

    #[test]
    fn links_live_fourteen_days_for_activation_and_one_hour_for_a_reset() {
        assert_eq!(
            LinkPurpose::Activation.expires_at(NOW).unix_ms() - NOW.unix_ms(),
            14 * 24 * 3_600_000
        );
        assert_eq!(
            LinkPurpose::PasswordReset.expires_at(NOW).unix_ms() - NOW.unix_ms(),
            3_600_000
        );
        for purpose in LinkPurpose::ALL {
            assert_eq!(LinkPurpose::from_name(purpose.as_str()), Some(*purpose));
        }
        assert_eq!(LinkPurpose::from_name("other"), None);
    }

    #[test]
    fn children_and_ended_contracts_have_no_log_in() {
        assert!(may_log_in(HouseholdRole::Main, false));
        assert!(may_log_in(HouseholdRole::Partner, false));
        assert!(!may_log_in(HouseholdRole::Child, false));
        assert!(!may_log_in(HouseholdRole::Main, true));
    }

    #[test]
    fn an_adult_partner_with_an_own_address_gets_a_log_in_and_no_one_else_but_the_main() {
        let today = date!(2026 - 11 - 26);
        let adult = date!(1980 - 01 - 01);
        let main = Some("anna@example.nl");
        let p = HouseholdRole::Partner;
        assert!(gets_own_log_in(
            HouseholdRole::Main,
            adult,
            None,
            None,
            today
        ));
        assert!(gets_own_log_in(
            p,
            adult,
            Some("karel@example.nl"),
            main,
            today
        ));
        assert!(!gets_own_log_in(
            p,
            adult,
            Some("ANNA@example.nl"),
            main,
            today
        ));
        assert!(!gets_own_log_in(p, adult, None, main, today));
        assert!(!gets_own_log_in(
            p,
            date!(2010 - 01 - 01),
            Some("x@y.nl"),
            main,
            today
        ));
        let child = HouseholdRole::Child;
        assert!(!gets_own_log_in(child, adult, Some("x@y.nl"), main, today));
    }

    #[test]
    fn one_is_adult_from_the_eighteenth_birthday_on() {
        let born = date!(2008 - 11 - 26);
        assert!(is_adult(born, date!(2026 - 11 - 26)));
        assert!(!is_adult(born, date!(2026 - 11 - 25)));
    }

    proptest! {
        #[test]
        fn a_lock_comes_exactly_at_the_limit(failures in 0u32..LOGIN_FAILURES_MAX) {
            let (next, lock) = after_wrong_password(failures, NOW);
            prop_assert_eq!(lock.is_some(), failures + 1 == LOGIN_FAILURES_MAX);
            prop_assert!(next < LOGIN_FAILURES_MAX);
        }
    }
}
