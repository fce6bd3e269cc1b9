//! The password policy of portal accounts: a length between [`PASSWORD_CHARS_MIN`] and
//! [`PASSWORD_CHARS_MAX`] characters, and not one of the most common passwords.
//!
//! The list of common passwords is vendored in `crates/domain/data/common-passwords.txt` (its
//! source and licence are in `COMMON-PASSWORDS.md` beside it) and compared case-insensitively,
//! after trimming surrounding whitespace, as its makers intend.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

/// The shortest password accepted, in characters (NIST SP 800-63B asks for at least 8; a
/// longer minimum without composition rules gives passphrases room).
pub const PASSWORD_CHARS_MIN: usize = 12;

/// The longest password accepted, in characters: long enough for any passphrase or password
/// manager, short enough that hashing it costs nothing extra.
pub const PASSWORD_CHARS_MAX: usize = 128;

/// The most common passwords, lower-cased, one a line.
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// Why a password was refused. `Display` names the rule, never the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRule {
    /// Shorter than [`PASSWORD_CHARS_MIN`].
    #[error("a password has at least {PASSWORD_CHARS_MIN} characters")]
    TooShort,
    /// Longer than [`PASSWORD_CHARS_MAX`].
    #[error("a password has at most {PASSWORD_CHARS_MAX} characters")]
    TooLong,
    /// On the list of the most common passwords.
    #[error("this password is one of the most common passwords; choose another")]
    Common,
}

impl PasswordRule {
    /// A stable code for forms and APIs (`password.too_short`, …).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            PasswordRule::TooShort => "password.too_short",
            PasswordRule::TooLong => "password.too_long",
            PasswordRule::Common => "password.common",
        }
    }
}

/// A password that passed [`Password::parse`]. Its `Debug` is redacted; the text comes out only
/// through [`Password::expose`] (to hash it).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Checks `text` against the policy: its length in characters, then the common list.
    ///
    /// # Errors
    /// The first [`PasswordRule`] it breaks.
    pub fn parse(text: &str) -> Result<Password, PasswordRule> {
        let chars = text.chars().count();
        if chars < PASSWORD_CHARS_MIN {
            return Err(PasswordRule::TooShort);
        }
        if chars > PASSWORD_CHARS_MAX {
            return Err(PasswordRule::TooLong);
        }
        if is_common(text) {
            return Err(PasswordRule::Common);
        }
        Ok(Password(text.to_owned()))
    }

    /// The password as typed.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// Whether `text` is on the list of common passwords (case-insensitively, trimmed).
#[must_use]
pub fn is_common(text: &str) -> bool {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let list = LIST.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    });
    list.contains(text.trim().to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_vendored_list_holds_the_most_common_passwords() {
        assert!(COMMON_PASSWORDS.lines().count() > 10_000);
        assert!(is_common("123456"));
        assert!(is_common("password"));
    }

    #[test]
    fn a_common_password_is_refused_whatever_its_case() {
        assert_eq!(Password::parse("password1234"), Err(PasswordRule::Common));
        assert_eq!(Password::parse("PassWord1234"), Err(PasswordRule::Common));
        assert_eq!(Password::parse("QWERTYUIOP123"), Err(PasswordRule::Common));
    }

    #[test]
    fn the_refusal_names_the_rule_and_not_the_password() {
        let rule = Password::parse("password1234").expect_err("common");
        let text = rule.to_string();
        assert!(text.contains("most common"));
        assert!(!text.contains("password1234"));
        assert_eq!(rule.code(), "password.common");
    }

    #[test]
    fn the_length_is_counted_in_characters_not_bytes() {
        // Eleven characters of two bytes each: too short, although 22 bytes long.
        assert_eq!(Password::parse("ééééééééééé"), Err(PasswordRule::TooShort));
        assert!(Password::parse("éééééééééééé").is_ok());
    }

    #[test]
    fn the_bounds_are_inclusive() {
        assert!(Password::parse(&"kq".repeat(6)).is_ok());
        assert_eq!(Password::parse(&"kq".repeat(64)).map(|_| ()), Ok(()));
        assert_eq!(
            Password::parse(&format!("{}z", "kq".repeat(64))),
            Err(PasswordRule::TooLong)
        );
    }

    #[test]
    fn debug_shows_no_password() {
        let p = Password::parse("correct horse battery").expect("valid");
        assert_eq!(format!("{p:?}"), "Password(..)");
        assert_eq!(p.expose(), "correct horse battery");
    }

    proptest! {
        #[test]
        fn a_password_is_accepted_exactly_when_its_length_fits_and_it_is_not_common(
            text in "\\PC{0,140}"
        ) {
            let chars = text.chars().count();
            let expected = if chars < PASSWORD_CHARS_MIN {
                Err(PasswordRule::TooShort)
            } else if chars > PASSWORD_CHARS_MAX {
                Err(PasswordRule::TooLong)
            } else if is_common(&text) {
                Err(PasswordRule::Common)
            } else {
                Ok(())
            };
            prop_assert_eq!(Password::parse(&text).map(|_| ()), expected);
        }

        #[test]
        fn every_listed_password_is_refused_in_upper_case_too(index in 0usize..19_000) {
            let listed = COMMON_PASSWORDS.lines().nth(index).unwrap_or("123456");
            let upper = listed.to_uppercase();
            // A few letters do not come back the same from upper case (`ß` → `SS`).
            prop_assume!(upper.to_lowercase() == listed);
            prop_assert!(is_common(&upper));
        }
    }
}
