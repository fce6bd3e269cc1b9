//! Web sessions: load, save and delete the state of one visitor's session, and sweep expired
//! ones. The session id (a random secret in the visitor's cookie) is stored only as its SHA-256
//! hash, so the table alone lets no one take over a session.

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::sessions::{self as repo, SessionRow};
use sha2::{Digest, Sha256};

use crate::context::AppContext;

/// A session's state as the web tier keeps it. `Debug` shows neither data nor participant.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionState {
    /// The signed-in participant, if any (kept beside the data so that every session of a
    /// participant can be ended at once).
    pub participant: Option<ParticipantId>,
    /// The opaque state (JSON written by the web tier).
    pub data: String,
    /// When the session ends unless used again.
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionState")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The stored key of a session id: its SHA-256 hash.
fn key(session_id: &str) -> Vec<u8> {
    Sha256::digest(session_id.as_bytes()).to_vec()
}

/// The state of the session `session_id`, unless there is none or it expired before `now`.
///
/// `now` comes from the session layer's clock rather than the context's: the layer sets each
/// session's expiry by the system clock, so it must be compared with the same clock.
///
/// # Errors
/// When the database fails.
pub async fn load(
    ctx: &AppContext,
    session_id: &str,
    now: Timestamp,
) -> Result<Option<SessionState>, ixorg_store::Error> {
    let mut tx = ctx.db.begin_read().await?;
    let row = repo::load(&mut tx, &key(session_id), now).await?;
    tx.commit().await?;
    Ok(row.map(|r| SessionState {
        participant: r.participant,
        data: r.data,
        expires_at: r.expires_at,
    }))
}

/// Stores `state` as the session `session_id` (created or replaced).
///
/// # Errors
/// When the database fails.
pub async fn save(
    ctx: &AppContext,
    session_id: &str,
    state: &SessionState,
) -> Result<(), ixorg_store::Error> {
    let mut tx = ctx.db.begin().await?;
    let row = SessionRow {
        participant: state.participant,
        data: state.data.clone(),
        expires_at: state.expires_at,
    };
    repo::save(&mut tx, &key(session_id), &row).await?;
    tx.commit().await
}

/// Stores `state` as a new session `session_id`, unless a session has that id already;
/// returns whether it was stored (the caller picks another id when not).
///
/// # Errors
/// When the database fails.
pub async fn create(
    ctx: &AppContext,
    session_id: &str,
    state: &SessionState,
) -> Result<bool, ixorg_store::Error> {
    let mut tx = ctx.db.begin().await?;
    let row = SessionRow {
        participant: state.participant,
        data: state.data.clone(),
        expires_at: state.expires_at,
    };
    let stored = repo::insert_new(&mut tx, &key(session_id), &row).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Deletes the session `session_id` (log-out; nothing happens when there is none).
///
/// # Errors
/// When the database fails.
pub async fn delete(ctx: &AppContext, session_id: &str) -> Result<(), ixorg_store::Error> {
    let mut tx = ctx.db.begin().await?;
    repo::delete(&mut tx, &key(session_id)).await?;
    tx.commit().await
}

/// Deletes every session that expired at or before `now` (the session layer's clock, as for
/// [`load`]); returns how many.
///
/// # Errors
/// When the database fails.
pub async fn delete_expired(ctx: &AppContext, now: Timestamp) -> Result<u64, ixorg_store::Error> {
    let mut tx = ctx.db.begin().await?;
    let n = repo::delete_expired(&mut tx, now).await?;
    tx.commit().await?;
    Ok(n)
}

/// Ends every session of `participant` (a changed password, log-out everywhere); returns how
/// many.
///
/// # Errors
/// When the database fails.
pub async fn delete_for_participant(
    ctx: &AppContext,
    participant: ParticipantId,
) -> Result<u64, ixorg_store::Error> {
    let mut tx = ctx.db.begin().await?;
    let n = repo::delete_for_participant(&mut tx, participant).await?;
    tx.commit().await?;
    Ok(n)
}
