//! Corrections of a participant's personal fields, each keeping the old value in
//! `personal_data_change` (one column per category, so that each keeps one kind of data).

use ixorg_domain::ids::{ParticipantId, PrivacyRequestId};
use ixorg_domain::privacy::request::{CheckedField, ContactField};
use ixorg_domain::privacy::{Action, Actor, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use time::Date;

use sqlx::AssertSqlSafe;

use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// A value to write into a participant field.
#[derive(Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// Text, or nothing (optional fields such as e-mail and phone).
    Text(Option<String>),
    /// A number (house number).
    Number(i64),
    /// A date (date of birth).
    Date(Date),
}

impl std::fmt::Debug for FieldValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldValue(..)")
    }
}

/// The old value of a changed field, in the column of its category.
#[derive(Clone, PartialEq, Eq)]
pub enum OldValue {
    /// An identity field, as text.
    Identity(Option<String>),
    /// A contact field, as text.
    Contact(Option<String>),
    /// A BSN ciphertext (the participant's id is its associated data).
    NationalId(Option<Vec<u8>>),
    /// A financial field (IBAN and holder, as `IBAN / holder`).
    Financial(Option<String>),
}

impl std::fmt::Debug for OldValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OldValue(..)")
    }
}

impl OldValue {
    fn category(&self) -> DataCategory {
        match self {
            OldValue::Identity(_) => DataCategory::Identity,
            OldValue::Contact(_) => DataCategory::Contact,
            OldValue::NationalId(_) => DataCategory::NationalId,
            OldValue::Financial(_) => DataCategory::Financial,
        }
    }
}

/// Keeps the old value of one changed field.
pub async fn record_change(
    tx: &mut Tx,
    participant: ParticipantId,
    field: &str,
    old: &OldValue,
    request: Option<PrivacyRequestId>,
    actor: &Actor,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO personal_data_change (participant_id, field_name, category, \
         old_identity, old_contact, old_national_id, old_financial, privacy_request_id, \
         actor_kind, actor_id, changed_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    let text = |v: &Option<String>| v.clone();
    let (identity, contact, national_id, financial) = match old {
        OldValue::Identity(v) => (text(v), None, None, None),
        OldValue::Contact(v) => (None, text(v), None, None),
        OldValue::NationalId(v) => (None, None, v.clone(), None),
        OldValue::Financial(v) => (None, None, None, text(v)),
    };
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(participant.uuid())
        .bind(field)
        .bind(old.category().as_str())
        .bind(identity)
        .bind(contact)
        .bind(national_id)
        .bind(financial)
        .bind(request.map(PrivacyRequestId::uuid))
        .bind(actor.kind())
        .bind(actor.id_text())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Writes one participant column and returns its old value as text. `column` comes from a
/// closed vocabulary (never from input).
async fn set_column(
    tx: &mut Tx,
    participant: ParticipantId,
    column: &'static str,
    value: &FieldValue,
    now: Timestamp,
) -> Result<Option<String>, Error> {
    let read = format!("SELECT CAST({column} AS TEXT) FROM participant WHERE participant_id = $1");
    let write = format!(
        "UPDATE participant SET {column} = $1, updated_at_ms = $2 WHERE participant_id = $3"
    );
    let old: Option<String> = on_tx!(tx, c => sqlx::query_scalar(AssertSqlSafe(read.clone()))
        .bind(participant.uuid())
        .fetch_one(&mut *c)
        .await)?;
    let changed = match value {
        FieldValue::Text(v) => on_tx!(tx, c => sqlx::query(AssertSqlSafe(write.clone()))
            .bind(v.as_deref())
            .bind(now.unix_ms())
            .bind(participant.uuid())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?,
        FieldValue::Number(v) => on_tx!(tx, c => sqlx::query(AssertSqlSafe(write.clone()))
            .bind(*v)
            .bind(now.unix_ms())
            .bind(participant.uuid())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?,
        FieldValue::Date(v) => on_tx!(tx, c => sqlx::query(AssertSqlSafe(write.clone()))
            .bind(*v)
            .bind(now.unix_ms())
            .bind(participant.uuid())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?,
    };
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(old)
}

/// Corrects a contact field. The grant must be a change of this subject's contact data.
pub async fn set_contact(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    field: ContactField,
    value: &FieldValue,
    now: Timestamp,
) -> Result<OldValue, Error> {
    grant.require(Some(participant), &[DataCategory::Contact], Action::Change)?;
    let old = set_column(tx, participant, field.as_str(), value, now).await?;
    Ok(OldValue::Contact(old))
}

/// Corrects an identity field (names, date of birth, gender). The grant must be a change of
/// this subject's identity data.
pub async fn set_identity(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    field: CheckedField,
    value: &FieldValue,
    now: Timestamp,
) -> Result<OldValue, Error> {
    grant.require(Some(participant), &[DataCategory::Identity], Action::Change)?;
    if field.category() != DataCategory::Identity {
        return Err(Error::GrantDoesNotCover("this field"));
    }
    let old = set_column(tx, participant, field.as_str(), value, now).await?;
    Ok(OldValue::Identity(old))
}

/// Replaces the BSN (ciphertext and blind index, or neither). The grant must be a change of
/// this subject's national id.
pub async fn set_bsn(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    new: Option<(&[u8], &[u8])>,
    now: Timestamp,
) -> Result<OldValue, Error> {
    const READ: &str = "SELECT bsn_ciphertext FROM participant WHERE participant_id = $1";
    const WRITE: &str = "UPDATE participant SET bsn_ciphertext = $1, bsn_blind_index = $2, \
         updated_at_ms = $3 WHERE participant_id = $4";
    grant.require(
        Some(participant),
        &[DataCategory::NationalId],
        Action::Change,
    )?;
    let old: Option<Vec<u8>> = on_tx!(tx, c => sqlx::query_scalar(READ)
        .bind(participant.uuid())
        .fetch_one(&mut *c)
        .await)?;
    on_tx!(tx, c => sqlx::query(WRITE)
        .bind(new.map(|(ciphertext, _)| ciphertext))
        .bind(new.map(|(_, index)| index))
        .bind(now.unix_ms())
        .bind(participant.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(OldValue::NationalId(old))
}

/// The contract's IBAN and account holder, as kept in the history (`IBAN / holder`).
pub async fn contract_account(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
) -> Result<OldValue, Error> {
    const SQL: &str = "SELECT c.iban, c.account_holder FROM contract c \
         JOIN participant p ON p.contract_id = c.contract_id WHERE p.participant_id = $1";
    grant.require(
        Some(participant),
        &[DataCategory::Financial],
        Action::Change,
    )?;
    let (iban, holder): (String, String) = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .fetch_one(&mut *c)
        .await)?;
    Ok(OldValue::Financial(Some(format!("{iban} / {holder}"))))
}

/// One change in a participant's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The field.
    pub field: String,
    /// Its category.
    pub category: String,
    /// Who changed it (kind and id).
    pub actor: (String, String),
    /// The request it carried out, if any.
    pub request: Option<PrivacyRequestId>,
    /// When.
    pub changed_at: Timestamp,
}

/// The change history of a participant (which fields, when, by whom; not the values), oldest
/// first.
pub async fn history(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
) -> Result<Vec<Change>, Error> {
    const SQL: &str = "SELECT field_name, category, actor_kind, actor_id, privacy_request_id, \
         changed_at_ms FROM personal_data_change WHERE participant_id = $1 ORDER BY sequence";
    grant.require(
        Some(participant),
        &[DataCategory::PrivacyRecord],
        Action::Read,
    )?;
    let rows: Vec<(String, String, String, String, Option<uuid::Uuid>, i64)> = on_tx!(tx, c => sqlx::query_as(SQL)
            .bind(participant.uuid())
            .fetch_all(&mut *c)
            .await)?;
    Ok(rows
        .into_iter()
        .map(|(field, category, kind, id, request, at)| Change {
            field,
            category,
            actor: (kind, id),
            request: request.map(PrivacyRequestId::from_uuid),
            changed_at: Timestamp::from_unix_ms(at),
        })
        .collect())
}
