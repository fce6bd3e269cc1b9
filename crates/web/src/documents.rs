//! `GET /privacy` and `GET /cookies`: the privacy statement and the cookie policy as pages of
//! the site, each in the version in force, with every earlier version one click away
//! (`?versie=N`), so a participant can read what they accepted and what changed.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ixorg_app::domain::privacy::consent::DocumentKind;
use ixorg_app::privacy::consent::document_versions;
use serde::Deserialize;

use crate::WebState;
use crate::cookies::{ALLOWED, AllowedCookie};
use crate::errors::{PageMessage, page_error};
use crate::layout::Layout;

/// A block of the document's text.
enum Block {
    Heading(String),
    Item(String),
    Paragraph(String),
}

/// The document's Markdown as blocks: `#` headings, `- ` items, other lines as paragraphs
/// (emphasis marks dropped). All text is escaped by the template.
fn blocks(markdown: &str) -> Vec<Block> {
    markdown
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let text = |s: &str| s.replace("**", "");
            if let Some(h) = line.strip_prefix('#') {
                Block::Heading(text(h.trim_start_matches('#').trim()))
            } else if let Some(item) = line.strip_prefix("- ") {
                Block::Item(text(item))
            } else {
                Block::Paragraph(text(line))
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    l: Layout,
    title_key: &'static str,
    path: &'static str,
    version: i64,
    published_on: time::Date,
    change_summary: String,
    blocks: Vec<Block>,
    versions: Vec<(i64, time::Date, String)>,
    show_cookies: bool,
    cookies: &'static [AllowedCookie],
}

/// `?versie=N`.
#[derive(Debug, Deserialize)]
pub struct VersionQuery {
    versie: Option<i64>,
}

async fn page(
    state: &WebState,
    l: Layout,
    kind: DocumentKind,
    title_key: &'static str,
    path: &'static str,
    asked: Option<i64>,
) -> Response {
    let versions = match document_versions(&state.ctx, kind).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "Privacy documents could not be read");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let today = state.ctx.clock.today();
    let shown = match asked {
        Some(n) => versions.iter().find(|d| d.version == n),
        None => versions.iter().find(|d| d.published_on <= today),
    };
    let Some(doc) = shown else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let page = DocumentPage {
        l,
        title_key,
        path,
        version: doc.version,
        published_on: doc.published_on,
        change_summary: doc.change_summary.clone(),
        blocks: blocks(&doc.body),
        versions: versions
            .iter()
            .map(|d| (d.version, d.published_on, d.change_summary.clone()))
            .collect(),
        show_cookies: kind == DocumentKind::CookiePolicy,
        cookies: ALLOWED,
    };
    crate::pages::render(&page)
}

/// The 400 page of a `?versie=` that is not a number (the deserializer's own message, which
/// may quote the query, is not shown).
fn bad_version() -> Response {
    page_error(
        StatusCode::BAD_REQUEST,
        PageMessage {
            dutch: "Het adres klopt niet: ?versie= is het nummer van een versie, zoals ?versie=1.",
            english: "The address is not right: ?versie= is the number of a version, such as \
                      ?versie=1.",
        },
    )
}

/// `GET /privacy`.
pub async fn privacy_statement(
    State(state): State<WebState>,
    l: Layout,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return bad_version();
    };
    let kind = DocumentKind::PrivacyStatement;
    let title = tk!("doc.privacy_title");
    page(&state, l, kind, title, "/privacy", q.versie).await
}

/// `GET /cookies`.
pub async fn cookie_policy(
    State(state): State<WebState>,
    l: Layout,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return bad_version();
    };
    let kind = DocumentKind::CookiePolicy;
    let title = tk!("doc.cookies_title");
    page(&state, l, kind, title, "/cookies", q.versie).await
}
