//! The outbox: messages to participants, stored in the transaction of the change that causes
//! them and sent later to the address on file. A message names its participant and kind, never
//! an address or a secret; its delivery state (tries, next try, error class) is for staff.

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::outbox::{DeliveryError, MessageKind, MessageState};
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use crate::error::corrupt;
use crate::{Error, Tx, on_tx};

/// A message waiting in (or sent from) the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its id.
    pub id: Uuid,
    /// What it says.
    pub kind: MessageKind,
    /// To whom (the address on file is used when it is sent).
    pub participant: ParticipantId,
    /// The application it is about, if any.
    pub application: Option<Uuid>,
    /// When it was stored.
    pub created_at: Timestamp,
    /// When it was sent.
    pub sent_at: Option<Timestamp>,
}

/// Stores a message to send (due at once), or one sent already when `sent_at` is given.
pub async fn insert_message(tx: &mut Tx, m: &Message) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO outbox_message (outbox_message_id, message_kind, \
         participant_id, application_id, created_at_ms, sent_at_ms, message_state, attempts, \
         next_attempt_at_ms, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, NULL)";
    let (state, next) = match m.sent_at {
        Some(_) => (MessageState::Sent, None),
        None => (MessageState::Pending, Some(m.created_at.unix_ms())),
    };
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(m.id)
        .bind(m.kind.as_str())
        .bind(m.participant.uuid())
        .bind(m.application)
        .bind(m.created_at.unix_ms())
        .bind(m.sent_at.map(Timestamp::unix_ms))
        .bind(state.as_str())
        .bind(next)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A message that is due, claimed by one sender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueMessage {
    /// Its id.
    pub id: Uuid,
    /// What it says.
    pub kind: MessageKind,
    /// To whom.
    pub participant: ParticipantId,
    /// The application it is about, if any.
    pub application: Option<Uuid>,
    /// Tries made before this one.
    pub attempts: u32,
}

/// Claims the oldest due message (waiting, its next try at or before `now`): its next try moves
/// to `lease_until`, so another sender (another `serve` on the same PostgreSQL) leaves it alone
/// while this one sends it, and a sender that dies mid-send lets it come due again.
pub async fn claim_due(
    tx: &mut Tx,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<Option<DueMessage>, Error> {
    const SQLITE: &str = "SELECT outbox_message_id, message_kind, participant_id, \
         application_id, attempts FROM outbox_message \
         WHERE message_state IN ('pending', 'failed_retrying') AND next_attempt_at_ms <= $1 \
         ORDER BY next_attempt_at_ms, outbox_message_id LIMIT 1";
    const PG: &str = "SELECT outbox_message_id, message_kind, participant_id, \
         application_id, attempts FROM outbox_message \
         WHERE message_state IN ('pending', 'failed_retrying') AND next_attempt_at_ms <= $1 \
         ORDER BY next_attempt_at_ms, outbox_message_id LIMIT 1 FOR UPDATE SKIP LOCKED";
    const LEASE: &str =
        "UPDATE outbox_message SET next_attempt_at_ms = $1 WHERE outbox_message_id = $2";
    type Row = (Uuid, String, Uuid, Option<Uuid>, i64);
    let row: Option<Row> = match tx {
        Tx::Sqlite(t) => {
            sqlx::query_as(SQLITE)
                .bind(now.unix_ms())
                .fetch_optional(&mut **t)
                .await?
        }
        Tx::Pg(t) => {
            sqlx::query_as(PG)
                .bind(now.unix_ms())
                .fetch_optional(&mut **t)
                .await?
        }
    };
    let Some((id, kind, participant, application, attempts)) = row else {
        return Ok(None);
    };
    on_tx!(tx, c => sqlx::query(LEASE)
        .bind(lease_until.unix_ms())
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(Some(DueMessage {
        id,
        kind: MessageKind::from_name(&kind)
            .ok_or_else(|| corrupt("outbox_message", "message_kind"))?,
        participant: ParticipantId::from_uuid(participant),
        application,
        attempts: u32::try_from(attempts).map_err(|_| corrupt("outbox_message", "attempts"))?,
    }))
}

/// Marks a message sent (one more try, and no next one).
pub async fn mark_sent(tx: &mut Tx, id: Uuid, now: Timestamp) -> Result<(), Error> {
    const SQL: &str = "UPDATE outbox_message SET message_state = 'sent', sent_at_ms = $1, \
         attempts = attempts + 1, next_attempt_at_ms = NULL, last_error = NULL \
         WHERE outbox_message_id = $2";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(now.unix_ms())
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failed try: one more try, its error class, and the next try at `next_attempt`
/// (state `failed_retrying`), or none (state `undeliverable`).
pub async fn mark_failed(
    tx: &mut Tx,
    id: Uuid,
    error: DeliveryError,
    next_attempt: Option<Timestamp>,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE outbox_message SET message_state = $1, attempts = attempts + 1, \
         next_attempt_at_ms = $2, last_error = $3 WHERE outbox_message_id = $4";
    let state = match next_attempt {
        Some(_) => MessageState::FailedRetrying,
        None => MessageState::Undeliverable,
    };
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(state.as_str())
        .bind(next_attempt.map(Timestamp::unix_ms))
        .bind(error.as_str())
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A message as staff see it in the outbox list: no address, no content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Its id.
    pub id: Uuid,
    /// What it says.
    pub kind: MessageKind,
    /// To whom (an id).
    pub participant: ParticipantId,
    /// Where it stands.
    pub state: MessageState,
    /// Tries made.
    pub attempts: u32,
    /// The next try, while it waits.
    pub next_attempt_at: Option<Timestamp>,
    /// The class of the last failure.
    pub last_error: Option<DeliveryError>,
    /// When it was stored.
    pub created_at: Timestamp,
    /// When it was sent.
    pub sent_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    outbox_message_id: Uuid,
    message_kind: String,
    participant_id: Uuid,
    message_state: String,
    attempts: i64,
    next_attempt_at_ms: Option<i64>,
    last_error: Option<String>,
    created_at_ms: i64,
    sent_at_ms: Option<i64>,
}

impl TryFrom<EntryRow> for OutboxEntry {
    type Error = Error;
    fn try_from(r: EntryRow) -> Result<Self, Error> {
        let bad = |column| corrupt("outbox_message", column);
        Ok(OutboxEntry {
            id: r.outbox_message_id,
            kind: MessageKind::from_name(&r.message_kind).ok_or_else(|| bad("message_kind"))?,
            participant: ParticipantId::from_uuid(r.participant_id),
            state: MessageState::from_name(&r.message_state).ok_or_else(|| bad("message_state"))?,
            attempts: u32::try_from(r.attempts).map_err(|_| bad("attempts"))?,
            next_attempt_at: r.next_attempt_at_ms.map(Timestamp::from_unix_ms),
            last_error: r
                .last_error
                .map(|e| DeliveryError::from_name(&e).ok_or_else(|| bad("last_error")))
                .transpose()?,
            created_at: Timestamp::from_unix_ms(r.created_at_ms),
            sent_at: r.sent_at_ms.map(Timestamp::from_unix_ms),
        })
    }
}

/// The newest messages, at most `limit`; with `failed_only`, only those whose last try failed
/// (retrying or undeliverable).
pub async fn list(tx: &mut Tx, failed_only: bool, limit: i64) -> Result<Vec<OutboxEntry>, Error> {
    const ALL: &str = "SELECT outbox_message_id, message_kind, participant_id, message_state, \
         attempts, next_attempt_at_ms, last_error, created_at_ms, sent_at_ms \
         FROM outbox_message ORDER BY created_at_ms DESC, outbox_message_id DESC LIMIT $1";
    const FAILED: &str = "SELECT outbox_message_id, message_kind, participant_id, \
         message_state, attempts, next_attempt_at_ms, last_error, created_at_ms, sent_at_ms \
         FROM outbox_message WHERE message_state IN ('failed_retrying', 'undeliverable') \
         ORDER BY created_at_ms DESC, outbox_message_id DESC LIMIT $1";
    let sql = if failed_only { FAILED } else { ALL };
    let rows: Vec<EntryRow> = on_tx!(tx, c => sqlx::query_as(sql)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter().map(OutboxEntry::try_from).collect()
}

/// Whether a message of `kind` to `participant` still waits to be sent.
pub async fn has_waiting(
    tx: &mut Tx,
    participant: ParticipantId,
    kind: MessageKind,
) -> Result<bool, Error> {
    const SQL: &str = "SELECT COUNT(*) FROM outbox_message WHERE participant_id = $1 \
         AND message_kind = $2 AND message_state IN ('pending', 'failed_retrying')";
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(participant.uuid())
        .bind(kind.as_str())
        .fetch_one(&mut *c)
        .await)?;
    Ok(n > 0)
}
