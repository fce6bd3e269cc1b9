//! The portal's log-in pages: `/mijn/inloggen` (throttled per IP), `/mijn/activeren`,
//! `/mijn/wachtwoord-vergeten`, `/mijn/wachtwoord-herstellen`, `/mijn/uitloggen`,
//! `/mijn/uitgelogd` and `/mijn/privacyverklaring` (a new version of a document to accept after
//! log-in), all registered by [`routes`]; and [`AccountCheck`], the session check over
//! [`ixorg_app::accounts::current_user`].

mod throttle;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ixorg_app::AppContext;
use ixorg_app::accounts::{self, AccountError, LoginRefused, PortalUser};
use ixorg_app::domain::identifiers::ParticipantNumber;
use ixorg_app::domain::ids::ParticipantId;
use ixorg_app::domain::privacy::consent::DocumentKind;
use ixorg_app::domain::timestamp::Timestamp;
use ixorg_app::privacy::consent::{accept_document, documents_to_accept};
use serde::Deserialize;
use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};
use tower_sessions::Session;

use self::throttle::{Throttle, limit_log_ins};
use crate::WebState;
use crate::csrf::CsrfForm;
use crate::form::FormValues;
use crate::layout::{FormErrors, Layout};
use crate::pages::render;
use crate::session::{
    ParticipantCheck, SessionError, SignedIn, SignedInParticipant, sign_in, sign_out,
};

/// The log-in page.
pub const LOG_IN_PATH: &str = crate::session::LOG_IN_PATH;
/// Where a signed-in participant lands by default.
pub const HOME_PATH: &str = "/mijn/";
/// The page of a document version to accept.
pub const ACCEPT_PATH: &str = "/mijn/privacyverklaring";
/// The page shown after log-out.
pub const LOGGED_OUT_PATH: &str = "/mijn/uitgelogd";
pub use throttle::{LOG_IN_ATTEMPTS_PER_WINDOW, THROTTLE_WINDOW};

/// The session check over the account: a session stands while the account exists, may log in,
/// and its password did not change since the log-in.
#[derive(Clone, Copy, Debug, Default)]
pub struct AccountCheck;

impl ParticipantCheck for AccountCheck {
    async fn still_signed_in(&self, ctx: &AppContext, who: SignedIn) -> Result<bool, SessionError> {
        match accounts::current_user(ctx, who.participant).await {
            Ok(user) => Ok(user.is_some_and(|u| u.password_changed_at == who.password_changed_at)),
            Err(e) => {
                tracing::error!(error = %e, "A session's account could not be checked");
                Err(SessionError)
            }
        }
    }
}

/// Whether `participant` must first accept a new version of a document (the portal's pages then
/// send them to [`ACCEPT_PATH`]). A failure to find out is logged and counts as no.
pub async fn must_accept(ctx: &AppContext, participant: ParticipantId) -> bool {
    match documents_to_accept(ctx, participant).await {
        Ok(docs) => !docs.is_empty(),
        Err(e) => {
            tracing::error!(error = %e, "The documents to accept could not be read");
            false
        }
    }
}

/// The log-in pages' routes, each wrapped in [`crate::csrf::guarded`]; `POST /mijn/inloggen`
/// also passes a per-IP throttle (its own for each router made).
pub fn routes(state: &WebState) -> Router<WebState> {
    let page = |route| crate::csrf::guarded(state, route);
    let throttle = Arc::new(Throttle::default());
    let login_post = post(login_submit).route_layer(axum::middleware::from_fn_with_state(
        throttle,
        limit_log_ins,
    ));
    Router::new()
        .route(LOG_IN_PATH, page(get(login_form).merge(login_post)))
        .route(
            "/mijn/activeren",
            page(get(activate_form).post(activate_submit)),
        )
        .route(
            "/mijn/wachtwoord-vergeten",
            page(get(forgot_form).post(forgot_submit)),
        )
        .route(
            "/mijn/wachtwoord-herstellen",
            page(get(reset_form).post(reset_submit)),
        )
        .route("/mijn/uitloggen", page(post(log_out)))
        .route(LOGGED_OUT_PATH, page(get(logged_out)))
        .route(ACCEPT_PATH, page(get(accept_form).post(accept_submit)))
}

// ---------------------------------------------------------------- helpers

/// The Dutch civil time of `at` (CET, CEST from the last Sunday of March to the last Sunday of
/// October, switching at 01:00 UTC).
fn dutch_time(at: Timestamp) -> OffsetDateTime {
    let utc = at.to_offset_date_time_or_epoch();
    let last_sunday = |month: Month| {
        let last = Date::from_calendar_date(utc.year(), month, 31).ok();
        last.map(|mut d| {
            while d.weekday() != Weekday::Sunday {
                d = d.previous_day().unwrap_or(d);
            }
            d.midnight().assume_utc() + time::Duration::hours(1)
        })
    };
    let summer = match (last_sunday(Month::March), last_sunday(Month::October)) {
        (Some(start), Some(end)) => utc >= start && utc < end,
        _ => false,
    };
    let hours = if summer { 2 } else { 1 };
    utc.to_offset(UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC))
}

/// `at` as `14:05 op 4 december 2026` / `14:05 on 4 December 2026`.
fn lock_lifts(l: &Layout, at: Timestamp) -> String {
    let t = dutch_time(at);
    format!(
        "{:02}:{:02} {} {}",
        t.hour(),
        t.minute(),
        l.t("login.on"),
        l.date(t.date())
    )
}

/// Signs `user` in on `session`; keeps the page language and, when the account's differs,
/// stores the page language on the account (so mails follow the portal).
async fn sign_in_user(
    state: &WebState,
    session: &Session,
    l: &Layout,
    user: &PortalUser,
) -> Result<(), SessionError> {
    if user.language != l.lang
        && let Err(e) = accounts::set_language(&state.ctx, user.participant, l.lang).await
    {
        tracing::error!(error = %e, "The portal language could not be stored");
    }
    let who = SignedIn {
        participant: user.participant,
        password_changed_at: user.password_changed_at,
    };
    sign_in(session, who).await
}

/// Where to go after a log-in: the document page first when one must be accepted.
async fn after_log_in(state: &WebState, user: &PortalUser, back: &str) -> Response {
    if must_accept(&state.ctx, user.participant).await {
        return Redirect::to(&format!(
            "{ACCEPT_PATH}?terug={}",
            crate::i18n::encode(back)
        ))
        .into_response();
    }
    Redirect::to(back).into_response()
}

/// `terug` as a local path, [`HOME_PATH`] when absent or not local.
fn back_to(given: &str) -> String {
    if given.is_empty() {
        return HOME_PATH.to_owned();
    }
    let path = crate::i18n::local_path(Some(given));
    if path == "/" && given != "/" {
        HOME_PATH.to_owned()
    } else {
        path
    }
}

fn unexpected(what: &str, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "{what}");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// The query of the pages that take `?terug=` or `?token=`.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    terug: Option<String>,
    token: Option<String>,
}

// ---------------------------------------------------------------- log-in

#[derive(Template)]
#[template(path = "portal/auth_login.html")]
struct LoginPage {
    l: Layout,
    form: FormValues,
    errors: FormErrors,
    locked: String,
}

async fn login_page(session: &Session, l: Layout, page: LoginPage) -> Response {
    let l = match l.with_csrf(session).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let failed = !page.errors.is_empty() || !page.locked.is_empty();
    let mut answer = render(&LoginPage { l, ..page });
    if failed {
        *answer.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    answer
}

/// `GET /mijn/inloggen?terug=/mijn/...`: the log-in form.
pub async fn login_form(session: Session, l: Layout, Query(q): Query<PageQuery>) -> Response {
    let mut form = FormValues::default();
    form.set("terug", &back_to(q.terug.as_deref().unwrap_or_default()));
    let page = LoginPage {
        l: l.clone(),
        form,
        errors: FormErrors::default(),
        locked: String::new(),
    };
    login_page(&session, l, page).await
}

/// `POST /mijn/inloggen`: participant number and password.
pub async fn login_submit(
    State(state): State<WebState>,
    session: Session,
    l: Layout,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Response {
    let sent = FormValues::from_pairs(pairs);
    let back = back_to(sent.get("terug"));
    let mut form = FormValues::default();
    form.set("nummer", sent.get("nummer").trim());
    form.set("terug", &back);
    let number = sent.get("nummer").trim().parse::<ParticipantNumber>();
    let outcome = match number {
        Ok(number) => accounts::login(&state.ctx, &number, sent.get("wachtwoord")).await,
        Err(_) => Err(LoginRefused::WrongCredentials),
    };
    let mut errors = FormErrors::default();
    let mut locked = String::new();
    match outcome {
        Ok(user) => {
            if let Err(e) = sign_in_user(&state, &session, &l, &user).await {
                return e.into_response();
            }
            return after_log_in(&state, &user, &back).await;
        }
        Err(LoginRefused::WrongCredentials) => {
            errors.add("nummer", l.t("login.number"), tk!("login.wrong"));
        }
        Err(LoginRefused::Locked { until }) => locked = lock_lifts(&l, until),
        Err(LoginRefused::Unexpected(e)) => return unexpected("A log-in could not be checked", &e),
    }
    let page = LoginPage {
        l: l.clone(),
        form,
        errors,
        locked,
    };
    login_page(&session, l, page).await
}

// ---------------------------------------------------------------- activation and reset

/// Activation or reset: the page's texts and where the form goes.
#[derive(Clone, Copy)]
struct PasswordKind {
    action: &'static str,
    title: &'static str,
    lead: &'static str,
}

const ACTIVATION: PasswordKind = PasswordKind {
    action: "/mijn/activeren",
    title: tk!("password.activate_title"),
    lead: tk!("password.activate_lead"),
};

const RESET: PasswordKind = PasswordKind {
    action: "/mijn/wachtwoord-herstellen",
    title: tk!("password.reset_title"),
    lead: tk!("password.reset_lead"),
};

#[derive(Template)]
#[template(path = "portal/auth_password.html")]
struct PasswordPage {
    l: Layout,
    errors: FormErrors,
    kind: PasswordKind,
    token: String,
    invalid_link: bool,
}

async fn password_page(
    session: &Session,
    l: Layout,
    kind: PasswordKind,
    token: String,
    errors: FormErrors,
    invalid_link: bool,
) -> Response {
    let l = match l.with_csrf(session).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let failed = !errors.is_empty();
    let mut answer = render(&PasswordPage {
        l,
        errors,
        kind,
        token,
        invalid_link,
    });
    if invalid_link {
        *answer.status_mut() = StatusCode::BAD_REQUEST;
    } else if failed {
        *answer.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    answer
}

/// `GET /mijn/activeren?token=…`: choose a password.
pub async fn activate_form(session: Session, l: Layout, Query(q): Query<PageQuery>) -> Response {
    let token = q.token.unwrap_or_default();
    password_page(&session, l, ACTIVATION, token, FormErrors::default(), false).await
}

/// `POST /mijn/activeren`: sets the first password, signs in, to [`HOME_PATH`].
pub async fn activate_submit(
    state: State<WebState>,
    session: Session,
    l: Layout,
    form: CsrfForm<Vec<(String, String)>>,
) -> Response {
    set_password(state, session, l, form, ACTIVATION).await
}

/// `GET /mijn/wachtwoord-herstellen?token=…`: choose a new password.
pub async fn reset_form(session: Session, l: Layout, Query(q): Query<PageQuery>) -> Response {
    let token = q.token.unwrap_or_default();
    password_page(&session, l, RESET, token, FormErrors::default(), false).await
}

/// `POST /mijn/wachtwoord-herstellen`: sets the new password, ends the participant's other
/// sessions, signs in, to [`HOME_PATH`].
pub async fn reset_submit(
    state: State<WebState>,
    session: Session,
    l: Layout,
    form: CsrfForm<Vec<(String, String)>>,
) -> Response {
    set_password(state, session, l, form, RESET).await
}

async fn set_password(
    State(state): State<WebState>,
    session: Session,
    l: Layout,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
    kind: PasswordKind,
) -> Response {
    let sent = FormValues::from_pairs(pairs);
    let token = sent.get("token").to_owned();
    let password = sent.get("wachtwoord");
    let mut errors = FormErrors::default();
    if password != sent.get("wachtwoord_herhaald") {
        let label = l.t("password.repeat");
        errors.add("wachtwoord_herhaald", label, tk!("password.mismatch"));
        return password_page(&session, l, kind, token, errors, false).await;
    }
    let outcome = if kind.action == ACTIVATION.action {
        accounts::activate(&state.ctx, &token, password).await
    } else {
        accounts::reset_password(&state.ctx, &token, password).await
    };
    let user = match outcome {
        Ok(user) => user,
        Err(AccountError::Password(rule)) => {
            errors.add("wachtwoord", l.t("password.new"), rule.code());
            return password_page(&session, l, kind, token, errors, false).await;
        }
        Err(AccountError::InvalidLink) => {
            return password_page(&session, l, kind, String::new(), errors, true).await;
        }
        Err(e) => return unexpected("A password could not be set by link", &e),
    };
    if kind.action == RESET.action
        && let Err(e) =
            ixorg_app::sessions::delete_for_participant(&state.ctx, user.participant).await
    {
        return unexpected("The other sessions could not be ended", &e);
    }
    if let Err(e) = sign_in_user(&state, &session, &l, &user).await {
        return e.into_response();
    }
    after_log_in(&state, &user, HOME_PATH).await
}

// ---------------------------------------------------------------- forgotten password

#[derive(Template)]
#[template(path = "portal/auth_forgot.html")]
struct ForgotPage {
    l: Layout,
    form: FormValues,
    errors: FormErrors,
    sent: bool,
}

/// `GET /mijn/wachtwoord-vergeten`: the participant number to send a reset link for.
pub async fn forgot_form(session: Session, l: Layout) -> Response {
    let l = match l.with_csrf(&session).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    render(&ForgotPage {
        l,
        form: FormValues::default(),
        errors: FormErrors::default(),
        sent: false,
    })
}

/// `POST /mijn/wachtwoord-vergeten`: asks for a reset message; the same confirmation whatever
/// the number was.
pub async fn forgot_submit(
    State(state): State<WebState>,
    l: Layout,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Response {
    let sent = FormValues::from_pairs(pairs);
    if let Ok(number) = sent.get("nummer").trim().parse::<ParticipantNumber>()
        && let Err(e) = accounts::request_password_reset(&state.ctx, &number).await
    {
        return unexpected("A password reset could not be asked", &e);
    }
    render(&ForgotPage {
        l,
        form: FormValues::default(),
        errors: FormErrors::default(),
        sent: true,
    })
}

// ---------------------------------------------------------------- log-out

/// `POST /mijn/uitloggen`: ends the session, to [`LOGGED_OUT_PATH`].
pub async fn log_out(session: Session, CsrfForm(_): CsrfForm<Vec<(String, String)>>) -> Response {
    if let Err(e) = sign_out(&session).await {
        return e.into_response();
    }
    Redirect::to(LOGGED_OUT_PATH).into_response()
}

#[derive(Template)]
#[template(path = "portal/auth_logged_out.html")]
struct LoggedOutPage {
    l: Layout,
}

/// `GET /mijn/uitgelogd`: "you are logged out".
pub async fn logged_out(l: Layout) -> Response {
    render(&LoggedOutPage { l })
}

// ---------------------------------------------------------------- documents to accept

/// One document version on the accept page.
pub struct DocumentRow {
    /// The catalogue key of its name.
    pub name_key: &'static str,
    /// Where the whole text is.
    pub href: &'static str,
    /// The version.
    pub version: u32,
    /// What changed.
    pub summary: String,
    /// The form value: `kind:version`.
    pub value: String,
}

#[derive(Template)]
#[template(path = "portal/auth_accept.html")]
struct AcceptPage {
    l: Layout,
    documents: Vec<DocumentRow>,
    back: String,
}

/// `GET /mijn/privacyverklaring?terug=…`: the new versions to accept, with what changed.
pub async fn accept_form(
    State(state): State<WebState>,
    session: Session,
    l: Layout,
    SignedInParticipant(who): SignedInParticipant,
    Query(q): Query<PageQuery>,
) -> Response {
    let back = back_to(q.terug.as_deref().unwrap_or_default());
    let docs = match documents_to_accept(&state.ctx, who.participant).await {
        Ok(d) => d,
        Err(e) => return unexpected("The documents to accept could not be read", &e),
    };
    if docs.is_empty() {
        return Redirect::to(&back).into_response();
    }
    let l = match l.with_csrf(&session).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let documents = docs
        .into_iter()
        .map(|d| {
            let (name_key, href) = match d.kind {
                DocumentKind::PrivacyStatement => (tk!("accept.privacy_statement"), "/privacy"),
                DocumentKind::CookiePolicy => (tk!("accept.cookie_policy"), "/cookies"),
            };
            DocumentRow {
                name_key,
                href,
                version: d.version,
                summary: d.change_summary,
                value: format!("{}:{}", d.kind.as_str(), d.version),
            }
        })
        .collect();
    render(&AcceptPage { l, documents, back })
}

/// `POST /mijn/privacyverklaring`: accepts the versions shown (`doc=kind:version`), then back.
pub async fn accept_submit(
    State(state): State<WebState>,
    SignedInParticipant(who): SignedInParticipant,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Response {
    let mut back = HOME_PATH.to_owned();
    for (name, value) in pairs {
        if name == "terug" {
            back = back_to(&value);
            continue;
        }
        if name != "doc" {
            continue;
        }
        let Some((kind, version)) = value.split_once(':') else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        let (Ok(kind), Ok(version)) = (kind.parse::<DocumentKind>(), version.parse::<u32>()) else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        if let Err(e) = accept_document(&state.ctx, who.participant, kind, version).await {
            // A version replaced meanwhile: the page shows the new one.
            tracing::warn!(error = %e, "A document version could not be accepted");
            return Redirect::to(&format!(
                "{ACCEPT_PATH}?terug={}",
                crate::i18n::encode(&back)
            ))
            .into_response();
        }
    }
    Redirect::to(&back).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_time_follows_summer_and_winter_time() {
        let winter = Timestamp::from_unix_ms(1_796_400_000_000); // 2026-12-04 16:00 UTC
        assert_eq!(dutch_time(winter).hour(), 17);
        let summer = Timestamp::from_unix_ms(1_783_000_000_000); // 2026-07-02 13:46 UTC
        assert_eq!(dutch_time(summer).hour(), 15);
    }

    #[test]
    fn only_local_paths_are_followed_back() {
        assert_eq!(back_to(""), HOME_PATH);
        assert_eq!(back_to("//evil.example"), HOME_PATH);
        assert_eq!(back_to("https://evil.example"), HOME_PATH);
        assert_eq!(back_to("/mijn/budget?jaar=2026"), "/mijn/budget?jaar=2026");
    }
}
