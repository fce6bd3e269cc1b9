//! What a breach report reads: the access-log entries of a period and the participant numbers of
//! the people they name (GDPR art. 33/34: who was affected, which data).

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use crate::access_log::Entry;
use crate::gate::Grant;
use crate::sql::in_list;
use crate::{Error, Tx, on_tx};

/// Rows per `IN (…)` list.
const CHUNK_ROWS: usize = 400;

/// The access-log entries with `from <= occurred_at_ms < to` after `after_sequence`, at
/// most `limit`, oldest first.
pub async fn entries_between(
    tx: &mut Tx,
    grant: &Grant,
    from: Timestamp,
    to: Timestamp,
    after_sequence: i64,
    limit: i64,
) -> Result<Vec<Entry>, Error> {
    const SQL: &str = "SELECT sequence, occurred_at_ms, actor_kind, actor_id, role_name, \
         purpose, subject_id, categories, action, outcome, refusal, prev_hash, entry_hash \
         FROM access_log WHERE sequence > $1 AND occurred_at_ms >= $2 AND occurred_at_ms < $3 \
         ORDER BY sequence LIMIT $4";
    grant.require(None, &[DataCategory::PrivacyRecord], Action::Read)?;
    Ok(on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(after_sequence)
        .bind(from.unix_ms())
        .bind(to.unix_ms())
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?)
}

/// The participant numbers of `ids` (ids without a participant row are left out).
pub async fn participant_numbers(
    tx: &mut Tx,
    grant: &Grant,
    ids: &[ParticipantId],
) -> Result<Vec<(ParticipantId, String)>, Error> {
    grant.require(None, &[DataCategory::Account], Action::Read)?;
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK_ROWS) {
        let sql = format!(
            "SELECT participant_id, participant_number FROM participant \
             WHERE participant_id IN ({})",
            in_list(tx.backend(), 1, chunk.len())
        );
        let rows: Vec<(Uuid, String)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.uuid());
            }
            q.fetch_all(&mut *c).await
        })?;
        out.extend(
            rows.into_iter()
                .map(|(id, n)| (ParticipantId::from_uuid(id), n)),
        );
    }
    Ok(out)
}
