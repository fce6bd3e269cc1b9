//! Sessions: a cookie with a random id, the state in the database (both backends) through
//! [`ixorg_app::sessions`]. A session exists only once something is stored in it (a form's CSRF
//! token, a log-in); it ends after [`INACTIVITY`] without a request, at log-out, and when the
//! participant's password changes.
//!
//! What portal pages use: [`sign_in`] after checking a password (it cycles the session id, the
//! defence against session fixation), [`sign_out`], and the [`SignedInParticipant`] extractor,
//! which yields the signed-in participant or redirects to [`LOG_IN_PATH`].

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use ixorg_app::AppContext;
use ixorg_app::domain::ids::ParticipantId;
use ixorg_app::domain::timestamp::Timestamp;
use ixorg_app::sessions::{self, SessionState};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use crate::WebState;

/// The session cookie's name (listed in [`crate::cookies::ALLOWED`]).
pub const SESSION_COOKIE: &str = "ixorg_sessie";

/// A session ends after this long without a request.
pub const INACTIVITY: time::Duration = time::Duration::minutes(30);

/// Where [`SignedInParticipant`] sends a visitor who is not signed in.
pub const LOG_IN_PATH: &str = "/mijn/inloggen";

/// The session key of the signed-in participant.
pub(crate) const SIGNED_IN_KEY: &str = "signed_in";

/// Who is signed in: the participant and when their password last changed (a session made
/// before a password change is no longer valid: see [`ParticipantCheck`]).
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    /// The participant.
    #[serde(with = "participant_text")]
    pub participant: ParticipantId,
    /// When their password last changed (milliseconds since the epoch, as stored).
    #[serde(with = "timestamp_ms")]
    pub password_changed_at: Timestamp,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn").finish_non_exhaustive()
    }
}

mod participant_text {
    use ixorg_app::domain::ids::ParticipantId;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(p: &ParticipantId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&p.uuid().to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ParticipantId, D::Error> {
        let text = String::deserialize(d)?;
        uuid::Uuid::parse_str(&text)
            .map(ParticipantId::from_uuid)
            .map_err(|_| serde::de::Error::custom("participant is not a UUID"))
    }
}

mod timestamp_ms {
    use ixorg_app::domain::timestamp::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(t.unix_ms())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        i64::deserialize(d).map(Timestamp::from_unix_ms)
    }
}

/// A session could not be read or written (the database failed): answered 500.
#[derive(Debug, thiserror::Error)]
#[error("the session could not be read or written")]
pub struct SessionError;

impl From<tower_sessions::session::Error> for SessionError {
    fn from(e: tower_sessions::session::Error) -> Self {
        tracing::error!(error = %e, "A session could not be read or written");
        SessionError
    }
}

impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}

/// Signs `who` in on `session`: the session gets a new id (so an id planted before the log-in
/// is worthless) and remembers the participant. Call it only after the password was checked.
///
/// # Errors
/// [`SessionError`] when the session cannot be stored.
pub async fn sign_in(session: &Session, who: SignedIn) -> Result<(), SessionError> {
    session.cycle_id().await?;
    session.insert(SIGNED_IN_KEY, who).await?;
    // A new CSRF token too: one issued before the log-in belonged to the anonymous session.
    crate::csrf::renew(session).await?;
    Ok(())
}

/// Signs out: deletes the session (the row and, in the answer, the cookie).
///
/// # Errors
/// [`SessionError`] when the session cannot be deleted.
pub async fn sign_out(session: &Session) -> Result<(), SessionError> {
    session.flush().await?;
    Ok(())
}

/// Who is signed in on `session`, as stored at log-in (not yet checked against the account).
///
/// # Errors
/// [`SessionError`] when the session cannot be read.
pub async fn signed_in(session: &Session) -> Result<Option<SignedIn>, SessionError> {
    // Unreadable state (an older format) counts as not signed in.
    Ok(session.get::<SignedIn>(SIGNED_IN_KEY).await.unwrap_or(None))
}

/// Whether a session's [`SignedIn`] still stands: the account exists, may log in, and its
/// password did not change since. [`crate::portal::auth::AccountCheck`] implements it over the
/// accounts use case.
pub trait ParticipantCheck: Send + Sync + std::fmt::Debug {
    /// Whether `who` is still signed in.
    fn still_signed_in(
        &self,
        ctx: &AppContext,
        who: SignedIn,
    ) -> impl std::future::Future<Output = Result<bool, SessionError>> + Send;
}

/// The check the [`SignedInParticipant`] extractor uses.
pub type CurrentCheck = crate::portal::auth::AccountCheck;

/// Extractor: the signed-in participant, or (rejection) a redirect to [`LOG_IN_PATH`] with the
/// page asked for as `?terug=`, so the log-in can send the visitor back. A session whose
/// participant no longer passes [`ParticipantCheck`] is deleted first.
#[derive(Clone, Copy, Debug)]
pub struct SignedInParticipant(pub SignedIn);

impl FromRequestParts<WebState> for SignedInParticipant {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let back = crate::i18n::local_path(parts.uri.path_and_query().map(|p| p.as_str()));
        let to_log_in = || {
            Redirect::to(&format!(
                "{LOG_IN_PATH}?terug={}",
                crate::i18n::encode(&back)
            ))
            .into_response()
        };
        let Some(who) = signed_in(&session)
            .await
            .map_err(IntoResponse::into_response)?
        else {
            return Err(to_log_in());
        };
        let check = CurrentCheck::default();
        if check
            .still_signed_in(&state.ctx, who)
            .await
            .map_err(IntoResponse::into_response)?
        {
            Ok(SignedInParticipant(who))
        } else {
            sign_out(&session)
                .await
                .map_err(IntoResponse::into_response)?;
            Err(to_log_in())
        }
    }
}

/// The session store over the database, through [`ixorg_app::sessions`].
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    ctx: AppContext,
}

impl DbSessionStore {
    /// A store over `ctx`'s database.
    #[must_use]
    pub fn new(ctx: AppContext) -> DbSessionStore {
        DbSessionStore { ctx }
    }

    /// Deletes every expired session; returns how many.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn delete_expired(&self) -> Result<u64, SessionError> {
        sessions::delete_expired(&self.ctx, session_clock())
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "Expired sessions could not be deleted");
                SessionError
            })
    }
}

/// The clock the session layer sets expiry dates by (the system clock).
fn session_clock() -> Timestamp {
    use ixorg_app::Clock as _;
    ixorg_app::SystemClock.timestamp()
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

impl DbSessionStore {
    /// What is stored of `record`: its data, the signed-in participant (so their sessions can
    /// be ended together) and its expiry.
    fn state_of(&self, record: &Record) -> session_store::Result<SessionState> {
        let data = serde_json::to_string(&record.data).map_err(backend)?;
        let participant = record
            .data
            .get(SIGNED_IN_KEY)
            .and_then(|v| serde_json::from_value::<SignedIn>(v.clone()).ok())
            .map(|s| s.participant);
        let ms = record.expiry_date.unix_timestamp_nanos() / 1_000_000;
        let expires_at = Timestamp::from_unix_ms(i64::try_from(ms).map_err(backend)?);
        Ok(SessionState {
            participant,
            data,
            expires_at,
        })
    }
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    /// A new session under a fresh id: drawn again while the id is taken.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let state = self.state_of(record)?;
            if sessions::create(&self.ctx, &record.id.to_string(), &state)
                .await
                .map_err(backend)?
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let state = self.state_of(record)?;
        sessions::save(&self.ctx, &record.id.to_string(), &state)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(state) = sessions::load(&self.ctx, &id.to_string(), session_clock())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&state.data).map_err(backend)?;
        let nanos = i128::from(state.expires_at.unix_ms()) * 1_000_000;
        let expiry_date = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(backend)?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sessions::delete(&self.ctx, &id.to_string())
            .await
            .map_err(backend)
    }
}

/// The session layer: the cookie [`SESSION_COOKIE`], `HttpOnly`, `SameSite=Lax`, `Secure`
/// unless `insecure_dev`, ending after [`INACTIVITY`].
#[must_use]
pub fn layer(ctx: AppContext, insecure_dev: bool) -> SessionManagerLayer<DbSessionStore> {
    SessionManagerLayer::new(DbSessionStore::new(ctx))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(!insecure_dev)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(INACTIVITY))
}

/// Deletes expired sessions every few minutes until the process ends.
pub fn spawn_sweep(ctx: AppContext) -> tokio::task::JoinHandle<()> {
    let store = DbSessionStore::new(ctx);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            // A failure is logged by delete_expired; the next round tries again.
            let _ = store.delete_expired().await;
        }
    })
}
