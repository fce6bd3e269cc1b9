//! What the web tier is told at start-up rather than reading it from a request: the public base
//! URL that every absolute URL starts with, and the bearer token that guards `/metrics`.
//!
//! The `Host` header (and `X-Forwarded-*`) is never used to build a URL: a client chooses it, so
//! an answer built from it would carry whatever the client sent.

use std::fmt;

/// The public base URL when none is configured (the default listen address).
pub const PUBLIC_URL_DEFAULT: &str = "http://127.0.0.1:8080";

/// The longest public base URL accepted.
pub const PUBLIC_URL_CHARS_MAX: usize = 200;

/// The shortest metrics token accepted (a guessable token guards nothing).
pub const METRICS_TOKEN_CHARS_MIN: usize = 24;

/// The longest metrics token accepted.
pub const METRICS_TOKEN_CHARS_MAX: usize = 256;

/// The settings of the web tier.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The scheme, host, port and optional path prefix under which clients reach the server.
    pub public_url: PublicUrl,
    /// The token `/metrics` asks for on the public address; `None`: `/metrics` answers 404
    /// there (it is then served only on a separate metrics address, if one is configured).
    pub metrics_token: Option<MetricsToken>,
    /// `serve --insecure-dev`: cookies without `Secure` and no HSTS header, for a browser on
    /// plain `http://` during development. Never in production.
    pub insecure_dev: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_url: PublicUrl::parse(PUBLIC_URL_DEFAULT).expect("BUG: the default URL parses"),
            metrics_token: None,
            insecure_dev: false,
        }
    }
}

/// Why a setting was refused (never repeating the value: a token is a secret).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Not `http://` or `https://`, followed by a host.
    #[error(
        "the public URL must be http:// or https://, a host, an optional port and an optional \
         path, with no query, fragment or user name"
    )]
    PublicUrl,
    /// The token is too short, too long or holds characters a header cannot carry.
    #[error(
        "the metrics token must be {METRICS_TOKEN_CHARS_MIN} to {METRICS_TOKEN_CHARS_MAX} visible \
         ASCII characters"
    )]
    MetricsToken,
}

/// A checked public base URL, without a trailing slash (`https://ixorg.example.nl`).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    /// Checks `text`: `http` or `https`, a host of letters, digits, `-`, `.` (or an IPv6
    /// address in brackets), an optional port and an optional path of plain characters. A
    /// trailing slash is dropped.
    ///
    /// # Errors
    /// [`ConfigError::PublicUrl`] for anything else.
    pub fn parse(text: &str) -> Result<PublicUrl, ConfigError> {
        let text = text.trim().trim_end_matches('/');
        if text.len() > PUBLIC_URL_CHARS_MAX {
            return Err(ConfigError::PublicUrl);
        }
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .ok_or(ConfigError::PublicUrl)?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host_ok = !authority.is_empty()
            && !authority.starts_with(':')
            && authority
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
        let path_ok = path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b));
        if host_ok && path_ok && !path.contains("//") {
            Ok(PublicUrl(text.to_owned()))
        } else {
            Err(ConfigError::PublicUrl)
        }
    }

    /// The origin: scheme, host and port, without the path (as a browser's `Origin` header
    /// names this site).
    #[must_use]
    pub fn origin(&self) -> &str {
        let after_scheme = self.0.find("://").map_or(0, |i| i + 3);
        let end = self.0[after_scheme..]
            .find('/')
            .map_or(self.0.len(), |i| after_scheme + i);
        &self.0[..end]
    }

    /// The URL as text, without a trailing slash.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicUrl({})", self.0)
    }
}

/// The bearer token of `/metrics`. Its `Debug` hides it.
#[derive(Clone)]
pub struct MetricsToken(Vec<u8>);

impl MetricsToken {
    /// Checks `text` (surrounding whitespace, such as a file's final newline, is dropped).
    ///
    /// # Errors
    /// [`ConfigError::MetricsToken`] when it is not [`METRICS_TOKEN_CHARS_MIN`] to
    /// [`METRICS_TOKEN_CHARS_MAX`] visible ASCII characters.
    pub fn new(text: &str) -> Result<MetricsToken, ConfigError> {
        let text = text.trim();
        let ok = (METRICS_TOKEN_CHARS_MIN..=METRICS_TOKEN_CHARS_MAX).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(MetricsToken(text.as_bytes().to_vec()))
        } else {
            Err(ConfigError::MetricsToken)
        }
    }

    /// Whether `given` is the token, compared in constant time: the time taken depends only
    /// on the token's length, never on where `given` first differs.
    #[must_use]
    pub fn admits(&self, given: &[u8]) -> bool {
        let mut difference = u8::from(given.len() != self.0.len());
        for (i, expected) in self.0.iter().enumerate() {
            let byte = given.get(i).copied().unwrap_or(0);
            difference |= std::hint::black_box(byte ^ expected);
        }
        std::hint::black_box(difference) == 0
    }
}

impl fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsToken(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_is_http_or_https_with_a_plain_host_and_loses_its_trailing_slash() {
        for (text, kept) in [
            ("https://ixorg.example.nl/", "https://ixorg.example.nl"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("https://[::1]:8443/ixorg", "https://[::1]:8443/ixorg"),
        ] {
            assert_eq!(PublicUrl::parse(text).map(|u| u.0), Ok(kept.to_owned()));
        }
        for text in [
            "ftp://x",
            "https://",
            "https://a b",
            "https://user@host",
            "https://h/?q=1",
            "https://h/#f",
            "https://h//x",
            "ixorg.example.nl",
        ] {
            assert_eq!(
                PublicUrl::parse(text),
                Err(ConfigError::PublicUrl),
                "{text}"
            );
        }
    }

    #[test]
    fn the_origin_of_a_public_url_leaves_out_the_path() {
        let url = PublicUrl::parse("https://[::1]:8443/ixorg").expect("a URL");
        assert_eq!(url.origin(), "https://[::1]:8443");
        let url = PublicUrl::parse("http://127.0.0.1:8080").expect("a URL");
        assert_eq!(url.origin(), "http://127.0.0.1:8080");
    }

    #[test]
    fn the_metrics_token_admits_only_itself_and_hides_in_debug() {
        let token = MetricsToken::new("0123456789abcdef0123456789abcdef\n").expect("a token");
        assert!(token.admits(b"0123456789abcdef0123456789abcdef"));
        assert!(!token.admits(b"0123456789abcdef0123456789abcdeX"));
        assert!(!token.admits(b"0123456789abcdef0123456789abcdef0"));
        assert!(!token.admits(b""));
        assert!(!format!("{token:?}").contains("0123"));
        assert!(MetricsToken::new("short").is_err());
        assert!(MetricsToken::new("0123456789abcdef 0123456789abcdef").is_err());
    }
}
