//! The languages the platform speaks to people in: Dutch by default, and English.

/// A language of the site, the portal and the messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Language {
    /// Dutch, the default.
    #[default]
    Dutch,
    /// English.
    English,
}

impl Language {
    /// Every language, the default first.
    pub const ALL: &'static [Language] = &[Language::Dutch, Language::English];

    /// The ISO 639-1 code (`nl`, `en`), as stored and as used in `lang` attributes and URLs.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Language::Dutch => "nl",
            Language::English => "en",
        }
    }

    /// The language of an ISO 639-1 code; `None` for any other code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.iter().copied().find(|l| l.code() == code)
    }

    /// The language's own name (`Nederlands`, `English`), as a language switch shows it.
    #[must_use]
    pub const fn own_name(self) -> &'static str {
        match self {
            Language::Dutch => "Nederlands",
            Language::English => "English",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_is_found_again_by_its_code() {
        for &language in Language::ALL {
            assert_eq!(Language::from_code(language.code()), Some(language));
        }
        assert_eq!(Language::from_code("de"), None);
        assert_eq!(Language::default(), Language::Dutch);
    }
}
