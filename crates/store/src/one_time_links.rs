//! One-time links (activation, password reset): only the SHA-256 of the random token is stored,
//! so the database never holds a working link. A link works once, before it expires, for its
//! own purpose only.

use ixorg_domain::account::LinkPurpose;
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// Stores the hash of a new link for `participant`. The grant must cover changing account data.
pub async fn insert(
    tx: &mut Tx,
    grant: &Grant,
    token_hash: &[u8],
    participant: ParticipantId,
    purpose: LinkPurpose,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO one_time_link (token_hash, participant_id, purpose, \
         expires_at_ms, used_at_ms, created_at_ms) VALUES ($1, $2, $3, $4, NULL, $5)";
    grant.require(Some(participant), &[DataCategory::Account], Action::Change)?;
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(token_hash)
        .bind(participant.uuid())
        .bind(purpose.as_str())
        .bind(purpose.expires_at(now).unix_ms())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Uses a link: when a link with this hash and purpose exists, is unused and unexpired, marks
/// it used and returns its participant, in one statement (so it works once even when two
/// requests race). Part of an access decision: no grant.
pub async fn redeem(
    tx: &mut Tx,
    token_hash: &[u8],
    purpose: LinkPurpose,
    now: Timestamp,
) -> Result<Option<ParticipantId>, Error> {
    const SQL: &str = "UPDATE one_time_link SET used_at_ms = $1 WHERE token_hash = $2 \
         AND purpose = $3 AND used_at_ms IS NULL AND expires_at_ms > $1 \
         RETURNING participant_id";
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(now.unix_ms())
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(&mut *c)
        .await)?;
    Ok(id.map(ParticipantId::from_uuid))
}

/// Makes every unused link of `participant` for `purpose` unusable (a new password makes the
/// other reset links void). Returns how many it closed.
pub async fn void_unused(
    tx: &mut Tx,
    participant: ParticipantId,
    purpose: LinkPurpose,
    now: Timestamp,
) -> Result<u64, Error> {
    const SQL: &str = "UPDATE one_time_link SET used_at_ms = $1 WHERE participant_id = $2 \
         AND purpose = $3 AND used_at_ms IS NULL";
    Ok(on_tx!(tx, c => sqlx::query(SQL)
        .bind(now.unix_ms())
        .bind(participant.uuid())
        .bind(purpose.as_str())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?)
}
