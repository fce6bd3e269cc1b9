//! `/mijn/toestemming`: the participant's own consents, each switched on or off with one
//! button, effective at once: the provider's budget view (for every practice) and promotional
//! messages, and the objection to direct marketing (one action).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ixorg_app::domain::privacy::consent::Scope;
use ixorg_app::privacy::consent::{self, Choice};
use serde::Deserialize;
use tower_sessions::Session;

use crate::WebState;
use crate::csrf::CsrfForm;
use crate::layout::Layout;
use crate::pages::render;
use crate::portal::failure;
use crate::session::SignedInParticipant;

/// The page's path.
pub const CONSENT_PATH: &str = "/mijn/toestemming";

/// The consent page.
#[derive(Template)]
#[template(path = "portal/consent.html")]
pub struct ConsentPage {
    /// The layout.
    pub l: Layout,
    /// The provider budget view is on for every practice.
    pub provider_view: bool,
    /// Promotional messages are on.
    pub marketing: bool,
}

/// `GET /mijn/toestemming`.
pub async fn show(
    State(state): State<WebState>,
    SignedInParticipant(who): SignedInParticipant,
    session: Session,
    l: Layout,
) -> Response {
    let l = match l.at("portal").with_csrf(&session).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let me = who.participant;
    match consent::consents(&state.ctx, me, me).await {
        Ok(c) => render(&ConsentPage {
            l,
            provider_view: c.provider_view_everyone,
            marketing: c.marketing,
        }),
        Err(e) => failure(&e),
    }
}

/// What a button on the page changes.
#[derive(Debug, Deserialize)]
pub struct Change {
    /// `provider_view`, `marketing` or `object`.
    pub wat: String,
    /// `ja` (give) or `nee` (withdraw); not used for `object`.
    #[serde(default)]
    pub aan: String,
}

/// `POST /mijn/toestemming`: one change, then the page again.
pub async fn change(
    State(state): State<WebState>,
    SignedInParticipant(who): SignedInParticipant,
    CsrfForm(change): CsrfForm<Change>,
) -> Response {
    let me = who.participant;
    let granted = match change.aan.as_str() {
        "ja" => true,
        "nee" => false,
        _ if change.wat == "object" => false,
        _ => return StatusCode::BAD_REQUEST.into_response(),
    };
    let done = match change.wat.as_str() {
        "provider_view" => {
            consent::set(
                &state.ctx,
                me,
                me,
                Choice::ProviderView(Scope::Everyone),
                granted,
            )
            .await
        }
        "marketing" => consent::set(&state.ctx, me, me, Choice::Marketing, granted).await,
        "object" => consent::object_to_marketing(&state.ctx, me, me)
            .await
            .map(|_| ()),
        _ => return StatusCode::BAD_REQUEST.into_response(),
    };
    match done {
        Ok(()) => Redirect::to(CONSENT_PATH).into_response(),
        Err(e) => failure(&e),
    }
}
