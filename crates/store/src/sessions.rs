//! Web sessions: one row per session, keyed by the hash of its id (the id itself is only in the
//! visitor's cookie). The data is opaque text to the store; the app passes it through.

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use crate::{Error, Tx, on_tx};

/// A stored session. `Debug` shows neither the data nor the participant.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The signed-in participant, if any.
    pub participant: Option<ParticipantId>,
    /// The session's state, as the web tier wrote it.
    pub data: String,
    /// When it ends unless used again.
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for SessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRow")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The session stored under `key`, unless it expired before `now`.
pub async fn load(tx: &mut Tx, key: &[u8], now: Timestamp) -> Result<Option<SessionRow>, Error> {
    const SQL: &str = "SELECT participant_id, data, expires_at_ms FROM web_session \
         WHERE session_key = $1 AND expires_at_ms > $2";
    let row: Option<(Option<Uuid>, String, i64)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(key)
        .bind(now.unix_ms())
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(|(participant, data, expires)| SessionRow {
        participant: participant.map(ParticipantId::from_uuid),
        data,
        expires_at: Timestamp::from_unix_ms(expires),
    }))
}

/// Stores `row` under `key`, replacing what was there.
pub async fn save(tx: &mut Tx, key: &[u8], row: &SessionRow) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO web_session (session_key, participant_id, data, expires_at_ms) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (session_key) DO UPDATE SET \
         participant_id = excluded.participant_id, data = excluded.data, \
         expires_at_ms = excluded.expires_at_ms";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(key)
        .bind(row.participant.map(|p| p.uuid()))
        .bind(&row.data)
        .bind(row.expires_at.unix_ms())
        .execute(&mut *c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Stores `row` under `key` only when no session has that key; returns whether it did.
pub async fn insert_new(tx: &mut Tx, key: &[u8], row: &SessionRow) -> Result<bool, Error> {
    const SQL: &str = "INSERT INTO web_session (session_key, participant_id, data, expires_at_ms) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (session_key) DO NOTHING";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(key)
        .bind(row.participant.map(|p| p.uuid()))
        .bind(&row.data)
        .bind(row.expires_at.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Deletes the session stored under `key` (nothing happens when there is none).
pub async fn delete(tx: &mut Tx, key: &[u8]) -> Result<(), Error> {
    const SQL: &str = "DELETE FROM web_session WHERE session_key = $1";
    on_tx!(tx, c => sqlx::query(SQL).bind(key).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// Deletes every session that expired at or before `now`; returns how many.
pub async fn delete_expired(tx: &mut Tx, now: Timestamp) -> Result<u64, Error> {
    const SQL: &str = "DELETE FROM web_session WHERE expires_at_ms <= $1";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Deletes every session of `participant` (log-out everywhere, a changed password); returns how
/// many.
pub async fn delete_for_participant(tx: &mut Tx, participant: ParticipantId) -> Result<u64, Error> {
    const SQL: &str = "DELETE FROM web_session WHERE participant_id = $1";
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(participant.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done)
}
