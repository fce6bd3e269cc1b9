//! Data-subject requests and their history. A request row holds its current status; every step
//! is also an event that is never changed.

use ixorg_domain::ids::{ParticipantId, PrivacyRequestId, StaffUserId};
use ixorg_domain::privacy::request::{CheckedField, RequestEventKind, RequestStatus, RequestType};
use ixorg_domain::privacy::{Action, Actor, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use sqlx::AssertSqlSafe;

use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// The value a rectification proposes. Its `Debug` names the field kind only.
#[derive(Clone, PartialEq, Eq)]
pub enum Proposed {
    /// No value (requests other than rectification).
    Nothing,
    /// A new identity field value (names, date of birth as `YYYY-MM-DD`, gender).
    Identity(String),
    /// A new BSN, encrypted with the request's id as associated data.
    NationalId(Vec<u8>),
    /// A new IBAN and account holder.
    Iban {
        /// The IBAN, electronic form.
        iban: String,
        /// The account holder's name.
        account_holder: String,
    },
}

impl std::fmt::Debug for Proposed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Proposed::Nothing => "Nothing",
            Proposed::Identity(_) => "Identity(..)",
            Proposed::NationalId(_) => "NationalId(..)",
            Proposed::Iban { .. } => "Iban(..)",
        })
    }
}

/// A stored request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    /// Its id.
    pub id: PrivacyRequestId,
    /// Whose.
    pub participant: ParticipantId,
    /// What is asked.
    pub request_type: RequestType,
    /// Where it stands.
    pub status: RequestStatus,
    /// When it arrived.
    pub received_at: Timestamp,
    /// When the answer is due.
    pub due_on: Date,
    /// The staff member handling it.
    pub owner: Option<StaffUserId>,
    /// For a rectification, the field.
    pub field: Option<CheckedField>,
    /// For a rectification, the proposed value.
    pub proposed: Proposed,
    /// For a four-eyes change, who approved first.
    pub first_approver: Option<StaffUserId>,
    /// What was done and, for an erasure, what was kept and why (no personal data).
    pub outcome_summary: Option<String>,
    /// When it was completed or rejected.
    pub closed_at: Option<Timestamp>,
}

/// Stores a new request and its `received` event. The grant must be a change of this subject's
/// privacy records.
pub async fn insert(
    tx: &mut Tx,
    grant: &Grant,
    r: &RequestRecord,
    actor: &Actor,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO privacy_request (privacy_request_id, participant_id, \
         request_type, request_status, received_at_ms, due_on, owner_staff_user_id, field_name, \
         proposed_identity, proposed_national_id, proposed_iban, proposed_account_holder, \
         first_approver_staff_user_id, outcome_summary, closed_at_ms, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $5)";
    grant.require(
        Some(r.participant),
        &[DataCategory::PrivacyRecord],
        Action::Change,
    )?;
    let (identity, national_id, iban, holder) = match &r.proposed {
        Proposed::Nothing => (None, None, None, None),
        Proposed::Identity(v) => (Some(v.as_str()), None, None, None),
        Proposed::NationalId(v) => (None, Some(v.as_slice()), None, None),
        Proposed::Iban {
            iban,
            account_holder,
        } => (
            None,
            None,
            Some(iban.as_str()),
            Some(account_holder.as_str()),
        ),
    };
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(r.id.uuid())
        .bind(r.participant.uuid())
        .bind(r.request_type.as_str())
        .bind(r.status.as_str())
        .bind(r.received_at.unix_ms())
        .bind(r.due_on)
        .bind(r.owner.map(StaffUserId::uuid))
        .bind(r.field.map(CheckedField::as_str))
        .bind(identity)
        .bind(national_id)
        .bind(iban)
        .bind(holder)
        .bind(r.first_approver.map(StaffUserId::uuid))
        .bind(r.outcome_summary.as_deref())
        .bind(r.closed_at.map(Timestamp::unix_ms))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    append_event(
        tx,
        r.id,
        RequestEventKind::Received,
        actor,
        "",
        r.received_at,
    )
    .await
}

/// Appends a step to a request's history. `note` is staff's remark (it is part of the privacy
/// record and shown to the participant in their export).
pub async fn append_event(
    tx: &mut Tx,
    request: PrivacyRequestId,
    kind: RequestEventKind,
    actor: &Actor,
    note: &str,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO privacy_request_event (privacy_request_id, event_kind, \
         actor_kind, actor_id, note, recorded_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(request.uuid())
        .bind(kind.as_str())
        .bind(actor.kind())
        .bind(actor.id_text())
        .bind(note)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The fields of a request that change after it is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestUpdate {
    /// The new status.
    pub status: RequestStatus,
    /// The staff member handling it.
    pub owner: Option<StaffUserId>,
    /// Who approved first (four eyes).
    pub first_approver: Option<StaffUserId>,
    /// What was done.
    pub outcome_summary: Option<String>,
    /// When it closed.
    pub closed_at: Option<Timestamp>,
}

/// Writes a request's changed fields.
pub async fn update(
    tx: &mut Tx,
    request: PrivacyRequestId,
    u: &RequestUpdate,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE privacy_request SET request_status = $1, owner_staff_user_id = $2, \
         first_approver_staff_user_id = $3, outcome_summary = $4, closed_at_ms = $5, \
         updated_at_ms = $6 WHERE privacy_request_id = $7";
    let changed = on_tx!(tx, c => sqlx::query(SQL)
        .bind(u.status.as_str())
        .bind(u.owner.map(StaffUserId::uuid))
        .bind(u.first_approver.map(StaffUserId::uuid))
        .bind(u.outcome_summary.as_deref())
        .bind(u.closed_at.map(Timestamp::unix_ms))
        .bind(now.unix_ms())
        .bind(request.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    privacy_request_id: Uuid,
    participant_id: Uuid,
    request_type: String,
    request_status: String,
    received_at_ms: i64,
    due_on: Date,
    owner_staff_user_id: Option<Uuid>,
    field_name: Option<String>,
    proposed_identity: Option<String>,
    proposed_national_id: Option<Vec<u8>>,
    proposed_iban: Option<String>,
    proposed_account_holder: Option<String>,
    first_approver_staff_user_id: Option<Uuid>,
    outcome_summary: Option<String>,
    closed_at_ms: Option<i64>,
}

impl TryFrom<RequestRow> for RequestRecord {
    type Error = Error;
    fn try_from(r: RequestRow) -> Result<Self, Error> {
        let bad = |col| corrupt("privacy_request", col);
        let proposed = match (r.proposed_identity, r.proposed_national_id, r.proposed_iban) {
            (Some(v), None, None) => Proposed::Identity(v),
            (None, Some(v), None) => Proposed::NationalId(v),
            (None, None, Some(iban)) => Proposed::Iban {
                iban,
                account_holder: r.proposed_account_holder.unwrap_or_default(),
            },
            (None, None, None) => Proposed::Nothing,
            _ => return Err(bad("proposed_identity")),
        };
        Ok(RequestRecord {
            id: PrivacyRequestId::from_uuid(r.privacy_request_id),
            participant: ParticipantId::from_uuid(r.participant_id),
            request_type: r.request_type.parse().map_err(|_| bad("request_type"))?,
            status: r
                .request_status
                .parse()
                .map_err(|_| bad("request_status"))?,
            received_at: Timestamp::from_unix_ms(r.received_at_ms),
            due_on: r.due_on,
            owner: r.owner_staff_user_id.map(StaffUserId::from_uuid),
            field: r
                .field_name
                .map(|f| f.parse())
                .transpose()
                .map_err(|_| bad("field_name"))?,
            proposed,
            first_approver: r.first_approver_staff_user_id.map(StaffUserId::from_uuid),
            outcome_summary: r.outcome_summary,
            closed_at: r.closed_at_ms.map(Timestamp::from_unix_ms),
        })
    }
}

const SELECT: &str = "SELECT privacy_request_id, participant_id, request_type, request_status, \
     received_at_ms, due_on, owner_staff_user_id, field_name, proposed_identity, \
     proposed_national_id, proposed_iban, proposed_account_holder, first_approver_staff_user_id, \
     outcome_summary, closed_at_ms FROM privacy_request";

/// The subject of a request, for the use case to ask the gate about the right person. This
/// read names no personal data, so it takes no grant.
pub async fn subject_of(
    tx: &mut Tx,
    request: PrivacyRequestId,
) -> Result<Option<ParticipantId>, Error> {
    const SQL: &str = "SELECT participant_id FROM privacy_request WHERE privacy_request_id = $1";
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(request.uuid())
        .fetch_optional(&mut *c)
        .await)?;
    Ok(id.map(ParticipantId::from_uuid))
}

/// One request. The grant must be a read or change of its subject's privacy records.
pub async fn get(
    tx: &mut Tx,
    grant: &Grant,
    request: PrivacyRequestId,
) -> Result<RequestRecord, Error> {
    let sql = format!("{SELECT} WHERE privacy_request_id = $1");
    let row: RequestRow = on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(request.uuid())
        .fetch_one(&mut *c)
        .await)?;
    let record = RequestRecord::try_from(row)?;
    grant.require(
        Some(record.participant),
        &[DataCategory::PrivacyRecord],
        grant.request().action,
    )?;
    Ok(record)
}

/// The requests of one participant, newest first.
pub async fn of_participant(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
) -> Result<Vec<RequestRecord>, Error> {
    grant.require(
        Some(participant),
        &[DataCategory::PrivacyRecord],
        Action::Read,
    )?;
    let sql = format!("{SELECT} WHERE participant_id = $1 ORDER BY received_at_ms DESC");
    let rows: Vec<RequestRow> = on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql.clone()))
        .bind(participant.uuid())
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter().map(RequestRecord::try_from).collect()
}

/// Every pending request (open or awaiting a second approval), the earliest due first.
pub async fn pending(tx: &mut Tx, grant: &Grant) -> Result<Vec<RequestRecord>, Error> {
    grant.require(None, &[DataCategory::PrivacyRecord], Action::Read)?;
    let sql = format!(
        "{SELECT} WHERE request_status IN ('open', 'awaiting_second_approval') \
         ORDER BY due_on, received_at_ms"
    );
    let rows: Vec<RequestRow> =
        on_tx!(tx, c => sqlx::query_as(AssertSqlSafe(sql.clone())).fetch_all(&mut *c).await)?;
    rows.into_iter().map(RequestRecord::try_from).collect()
}

/// One step of a request's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestEvent {
    /// What happened.
    pub kind: RequestEventKind,
    /// The kind of actor (`participant`, `staff`, `system`).
    pub actor_kind: String,
    /// The actor's id.
    pub actor_id: String,
    /// Staff's remark.
    pub note: String,
    /// When.
    pub recorded_at: Timestamp,
}

/// The history of a request, oldest first.
pub async fn history(
    tx: &mut Tx,
    grant: &Grant,
    request: PrivacyRequestId,
) -> Result<Vec<RequestEvent>, Error> {
    const SQL: &str = "SELECT event_kind, actor_kind, actor_id, note, recorded_at_ms \
         FROM privacy_request_event WHERE privacy_request_id = $1 ORDER BY sequence";
    if grant.view(DataCategory::PrivacyRecord).is_none() {
        return Err(Error::GrantDoesNotCover(
            DataCategory::PrivacyRecord.as_str(),
        ));
    }
    let rows: Vec<(String, String, String, String, i64)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(request.uuid())
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(|(kind, actor_kind, actor_id, note, recorded_at_ms)| {
            Ok(RequestEvent {
                kind: kind
                    .parse()
                    .map_err(|_| corrupt("privacy_request_event", "event_kind"))?,
                actor_kind,
                actor_id,
                note,
                recorded_at: Timestamp::from_unix_ms(recorded_at_ms),
            })
        })
        .collect()
}

/// Restricts a participant's processing (GDPR art. 18): from now on only the `audit` and
/// `legal_obligation` purposes may read their data (the gate checks this table). Keeps the
/// first restriction when there is one already. The grant must be a change of this subject's
/// privacy records.
pub async fn restrict(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    request: Option<PrivacyRequestId>,
    kept_categories: &str,
    now: Timestamp,
) -> Result<bool, Error> {
    const SQL: &str = "INSERT INTO processing_restriction (participant_id, privacy_request_id, \
         kept_categories, restricted_at_ms) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (participant_id) DO NOTHING";
    grant.require(
        Some(participant),
        &[DataCategory::PrivacyRecord],
        Action::Change,
    )?;
    let inserted = on_tx!(tx, c => sqlx::query(SQL)
        .bind(participant.uuid())
        .bind(request.map(PrivacyRequestId::uuid))
        .bind(kept_categories)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(inserted == 1)
}
