//! The outbox: messages to participants, stored in the transaction of the change that causes
//! them and sent later to the address on file. A message names its participant and kind, never
//! an address or a secret.

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::outbox::MessageKind;
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

/// Stores a message to send.
pub async fn insert_message(tx: &mut Tx, m: &Message) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO outbox_message (outbox_message_id, message_kind, \
         participant_id, application_id, created_at_ms, sent_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(m.id)
        .bind(m.kind.as_str())
        .bind(m.participant.uuid())
        .bind(m.application)
        .bind(m.created_at.unix_ms())
        .bind(m.sent_at.map(Timestamp::unix_ms))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    outbox_message_id: Uuid,
    message_kind: String,
    participant_id: Uuid,
    application_id: Option<Uuid>,
    created_at_ms: i64,
    sent_at_ms: Option<i64>,
}

/// The messages not sent yet, oldest first, at most `limit`.
pub async fn unsent(tx: &mut Tx, limit: i64) -> Result<Vec<Message>, Error> {
    const SQL: &str = "SELECT outbox_message_id, message_kind, participant_id, application_id, \
         created_at_ms, sent_at_ms FROM outbox_message WHERE sent_at_ms IS NULL \
         ORDER BY created_at_ms, outbox_message_id LIMIT $1";
    let rows: Vec<MessageRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(|r| {
            Ok(Message {
                id: r.outbox_message_id,
                kind: MessageKind::from_name(&r.message_kind)
                    .ok_or_else(|| corrupt("outbox_message", "message_kind"))?,
                participant: ParticipantId::from_uuid(r.participant_id),
                application: r.application_id,
                created_at: Timestamp::from_unix_ms(r.created_at_ms),
                sent_at: r.sent_at_ms.map(Timestamp::from_unix_ms),
            })
        })
        .collect()
}
