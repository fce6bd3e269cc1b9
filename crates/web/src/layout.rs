//! What every page's template gets for the shared layout (`templates/base.html`): the
//! language, the texts, the current path (for the language switch), the CSRF token for its
//! forms, and the formatting helpers; and [`FormErrors`], the error summary and per-field errors
//! of a form that is shown again.
//!
//! A page template extends `base.html`, has a field `l: Layout`, and sets the blocks `title`
//! and `content`. Texts: `{{ l.t("layout.skip") }}`; a form: `{% include "partials/csrf.html" %}`
//! inside it (the token comes from [`Layout::with_csrf`]).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use ixorg_app::domain::Language;
use ixorg_app::domain::money::Cents;
use time::Date;
use tower_sessions::Session;

use crate::WebState;
use crate::session::SessionError;

/// The layout's part of a page.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The page's language.
    pub lang: Language,
    /// The path and query of the page (a local path), for the language switch.
    pub path: String,
    /// The session's CSRF token, for the page's forms (empty on a page without a form).
    pub csrf_token: String,
    /// The navigation item that is the current page (`home`, `costs`, `calculator`, `enroll`,
    /// `contact`, or empty).
    pub current: &'static str,
}

impl Layout {
    /// A layout in `lang` for the page at `path`.
    #[must_use]
    pub fn new(lang: Language, path: &str) -> Layout {
        Layout {
            lang,
            path: crate::i18n::local_path(Some(path)),
            csrf_token: String::new(),
            current: "",
        }
    }

    /// The same layout, marking `item` as the current page in the navigation.
    #[must_use]
    pub fn at(mut self, item: &'static str) -> Layout {
        self.current = item;
        self
    }

    /// The same layout with the session's CSRF token for the page's forms.
    ///
    /// # Errors
    /// [`SessionError`] when the session cannot be written.
    pub async fn with_csrf(mut self, session: &Session) -> Result<Layout, SessionError> {
        self.csrf_token = crate::csrf::token(session).await?;
        Ok(self)
    }

    /// The text of `key` in the page's language.
    #[must_use]
    pub fn t(&self, key: &str) -> &'static str {
        crate::i18n::text(self.lang, key)
    }

    /// The `lang` attribute.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// The languages the switch offers (every language but the page's).
    #[must_use]
    pub fn other_languages(&self) -> Vec<Language> {
        Language::ALL
            .iter()
            .copied()
            .filter(|l| *l != self.lang)
            .collect()
    }

    /// The switch's link to `language`, back to this page.
    #[must_use]
    pub fn switch_href<L: std::borrow::Borrow<Language>>(&self, language: L) -> String {
        format!(
            "/taal/{}?terug={}",
            language.borrow().code(),
            crate::i18n::encode(&self.path)
        )
    }

    /// Whether `item` is the current navigation item.
    #[must_use]
    pub fn is_current(&self, item: &str) -> bool {
        self.current == item
    }

    /// An amount in the page's language.
    #[must_use]
    pub fn eur<C: std::borrow::Borrow<Cents>>(&self, cents: C) -> String {
        crate::format::eur(self.lang, *cents.borrow())
    }

    /// A date in the page's language.
    #[must_use]
    pub fn date<D: std::borrow::Borrow<Date>>(&self, date: D) -> String {
        crate::format::date(self.lang, *date.borrow())
    }
}

impl FromRequestParts<WebState> for Layout {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &WebState) -> Result<Self, Self::Rejection> {
        let lang = crate::i18n::page_language(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", axum::http::uri::PathAndQuery::as_str);
        Ok(Layout::new(lang, path))
    }
}

/// One error of a form: the field's id (the summary links to `#id`), its label as the summary
/// names it, and the catalogue key of the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMessage {
    /// The field's `id` (and `name`).
    pub field: String,
    /// The field's label in the page's language, as the summary names it ("Partner:
    /// Achternaam").
    pub label: String,
    /// The catalogue key of the message.
    pub key: String,
}

/// The errors of a form shown again: the summary at the top lists them all (each a link to its
/// field), and each field shows its own. Templates: `{% include "partials/error_summary.html" %}`
/// at the top of the form (it reads `errors` and `l`), and per field
/// `errors.has("id")` / `errors.key_of("id")`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormErrors {
    /// The errors in form order.
    pub items: Vec<FieldMessage>,
}

impl FormErrors {
    /// Adds an error of `field`, labelled `label` in the summary (one per field: the first is
    /// kept).
    pub fn add(&mut self, field: &str, label: &str, key: &str) {
        if !self.has(field) {
            self.items.push(FieldMessage {
                field: field.to_owned(),
                label: label.to_owned(),
                key: key.to_owned(),
            });
        }
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether `field` has an error.
    #[must_use]
    pub fn has<F: AsRef<str>>(&self, field: F) -> bool {
        self.items.iter().any(|m| m.field == field.as_ref())
    }

    /// The catalogue key of `field`'s error (empty when it has none).
    #[must_use]
    pub fn key_of<F: AsRef<str>>(&self, field: F) -> &str {
        self.items
            .iter()
            .find(|m| m.field == field.as_ref())
            .map_or("", |m| m.key.as_str())
    }

    /// Sorts the errors into the order of `fields` (the form's order); unknown fields last.
    pub fn sort_by_form(&mut self, fields: &[String]) {
        self.items.sort_by_key(|m| {
            fields
                .iter()
                .position(|f| *f == m.field)
                .unwrap_or(usize::MAX)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_keeps_its_first_error_and_the_summary_follows_the_form() {
        let mut errors = FormErrors::default();
        errors.add("iban", "IBAN", "acceptance.invalid_iban");
        errors.add("surname", "Achternaam", "acceptance.required");
        errors.add("iban", "IBAN", "acceptance.required");
        errors.sort_by_form(&["surname".to_owned(), "iban".to_owned()]);
        assert_eq!(errors.items.len(), 2);
        assert_eq!(errors.items[0].field, "surname");
        assert_eq!(errors.key_of("iban"), "acceptance.invalid_iban");
        assert_eq!(errors.key_of("city"), "");
    }

    #[test]
    fn the_switch_links_back_to_the_page() {
        let l = Layout::new(Language::Dutch, "/rekenhulp?hoofd=300");
        assert_eq!(l.other_languages(), vec![Language::English]);
        assert_eq!(
            l.switch_href(Language::English),
            "/taal/en?terug=/rekenhulp%3Fhoofd%3D300"
        );
    }
}
