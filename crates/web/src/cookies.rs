//! The only cookies the site sets, all strictly necessary (privacy statement §3, the cookie
//! policy): listed on `/cookies`, and a test fails when any answer sets another.

/// A cookie the site may set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllowedCookie {
    /// Its name.
    pub name: &'static str,
    /// The catalogue key of what it is for.
    pub purpose_key: &'static str,
    /// The catalogue key of how long it lasts.
    pub lifetime_key: &'static str,
}

/// Every cookie the site may set.
pub const ALLOWED: &[AllowedCookie] = &[
    AllowedCookie {
        name: crate::session::SESSION_COOKIE,
        purpose_key: tk!("cookies.session_purpose"),
        lifetime_key: tk!("cookies.session_lifetime"),
    },
    AllowedCookie {
        name: crate::i18n::LANGUAGE_COOKIE,
        purpose_key: tk!("cookies.language_purpose"),
        lifetime_key: tk!("cookies.language_lifetime"),
    },
];
