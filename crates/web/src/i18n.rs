//! Every text of every page, in Dutch and English, from one catalogue ([`catalogue::TEXTS`]),
//! and the visitor's language: Dutch unless they chose English with the switch in the header,
//! which keeps the choice in the strictly necessary cookie [`LANGUAGE_COOKIE`] (choosing Dutch,
//! the default, removes it). Error pages fall back on `Accept-Language` when there is no choice.
//!
//! Templates call `l.t("layout.skip")` on their [`crate::layout::Layout`]; a key missing from the
//! catalogue renders as [`MISSING`] (and is caught by the tests that scan the templates).

pub mod catalogue;
pub mod portal_texts;

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ixorg_app::domain::Language;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use crate::WebState;

/// The cookie that keeps a chosen language other than Dutch.
pub const LANGUAGE_COOKIE: &str = "ixorg_taal";

/// How long the language cookie lasts.
pub const LANGUAGE_COOKIE_SECONDS: u32 = 365 * 24 * 60 * 60;

/// What a missing text renders as.
pub const MISSING: &str = "[[missing text]]";

/// Every text of every table: the site's ([`catalogue::TEXTS`]) and the portal's
/// ([`portal_texts::TEXTS`]).
pub fn all_texts() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    catalogue::TEXTS.iter().chain(portal_texts::TEXTS)
}

/// The catalogue by key.
static BY_KEY: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| all_texts().map(|&(key, nl, en)| (key, (nl, en))).collect());

/// The text of `key` in `language`; [`MISSING`] when the catalogue lacks it.
#[must_use]
pub fn text(language: Language, key: &str) -> &'static str {
    match BY_KEY.get(key) {
        Some((nl, en)) => match language {
            Language::Dutch => nl,
            Language::English => en,
        },
        None => {
            tracing::warn!(key, "A text is missing from the catalogue");
            MISSING
        }
    }
}

/// Whether the catalogue has `key`.
#[must_use]
pub fn has(key: &str) -> bool {
    BY_KEY.contains_key(key)
}

/// The value of cookie `name` in the request's `Cookie` headers.
#[must_use]
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The language the visitor chose (the cookie), Dutch without a choice.
#[must_use]
pub fn chosen(headers: &HeaderMap) -> Option<Language> {
    cookie(headers, LANGUAGE_COOKIE).and_then(Language::from_code)
}

/// The language of a page: the visitor's choice, Dutch without one.
#[must_use]
pub fn page_language(headers: &HeaderMap) -> Language {
    chosen(headers).unwrap_or_default()
}

/// A local path to send a visitor back to: `given` when it is a path on this site (starts with
/// one `/`, no backslash, no control character), `/` otherwise (never another site).
#[must_use]
pub fn local_path(given: Option<&str>) -> String {
    match given {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(char::is_control)
                && p.len() <= 2048 =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// What a query value keeps unencoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `text` percent-encoded for a query value.
#[must_use]
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, QUERY_VALUE).to_string()
}

/// `?terug=`: where the switch sends the visitor back to.
#[derive(Debug, Deserialize)]
pub struct Back {
    terug: Option<String>,
}

/// `GET /taal/{code}?terug=/path`: the language switch. English is kept in the cookie
/// [`LANGUAGE_COOKIE`]; Dutch (the default) removes it. Then back to the page (303).
pub async fn switch(
    axum::extract::State(state): axum::extract::State<WebState>,
    Path(code): Path<String>,
    back: Result<Query<Back>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(language) = Language::from_code(&code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let back = local_path(back.as_ref().ok().and_then(|q| q.terug.as_deref()));
    let secure = if state.config.insecure_dev {
        ""
    } else {
        "; Secure"
    };
    let cookie = if language == Language::default() {
        format!("{LANGUAGE_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
    } else {
        format!(
            "{LANGUAGE_COOKIE}={}; Path=/; Max-Age={LANGUAGE_COOKIE_SECONDS}; HttpOnly; \
             SameSite=Lax{secure}",
            language.code()
        )
    };
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_in_the_catalogue_once_with_a_text_in_each_language() {
        let mut seen = std::collections::HashSet::new();
        for (key, nl, en) in all_texts() {
            assert!(seen.insert(*key), "{key} is in the catalogue twice");
            assert!(!nl.trim().is_empty(), "{key} has no Dutch text");
            assert!(!en.trim().is_empty(), "{key} has no English text");
        }
    }

    #[test]
    fn every_key_used_in_a_template_or_in_code_is_in_the_catalogue() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut missing = Vec::new();
        let mut used = 0;
        for path in files(std::path::Path::new(dir), "html") {
            let text = std::fs::read_to_string(&path).expect("a template");
            for key in keys_called(&text) {
                used += 1;
                if !has(&key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        for path in files(std::path::Path::new(src), "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file");
            for key in keys_in_code(&text) {
                used += 1;
                if !has(&key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(used > 50, "the scan finds the calls ({used})");
        assert!(
            missing.is_empty(),
            "texts missing from the catalogue: {missing:#?}"
        );
    }

    /// The keys of every `.t("…")` call in a template.
    fn keys_called(text: &str) -> Vec<String> {
        text.split(".t(\"")
            .skip(1)
            .filter_map(|rest| rest.split_once('"').map(|(k, _)| k.to_owned()))
            .collect()
    }

    /// The keys a source file names with the `tk!` macro or passes to `l.t`.
    fn keys_in_code(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for marker in ["tk!(\"", "l.t(\""] {
            out.extend(
                text.split(marker)
                    .skip(1)
                    .filter_map(|rest| rest.split_once('"').map(|(k, _)| k.to_owned())),
            );
        }
        out
    }

    /// Every file under `dir` whose name ends in `.ext`.
    fn files(dir: &std::path::Path, ext: &str) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).expect("a folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                out.extend(files(&path, ext));
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
        out
    }

    #[test]
    fn every_acceptance_rule_has_a_text() {
        for rule in ixorg_app::domain::enrollment::AcceptanceRule::ALL {
            assert!(has(rule.code()), "{} has no text", rule.code());
        }
    }

    #[test]
    fn a_missing_key_shows_as_missing() {
        assert_eq!(text(Language::English, "no.such.key"), MISSING);
    }

    #[test]
    fn a_visitor_is_sent_back_only_to_a_path_of_this_site() {
        assert_eq!(local_path(Some("/kosten?x=1")), "/kosten?x=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "", "x"] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn a_query_value_is_percent_encoded() {
        assert_eq!(encode("/a?b=c&d"), "/a%3Fb%3Dc%26d");
    }
}
