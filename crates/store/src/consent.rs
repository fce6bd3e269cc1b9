//! Consent events (append-only) and the versioned privacy documents.
//!
//! Nothing here updates or deletes a consent event: a change is a new event, and the domain rule
//! [`ixorg_domain::privacy::consent::in_force`] reads the newest covering one.

use ixorg_domain::ids::{ConsentEventId, ParticipantId, PracticeId, ProviderId};
use ixorg_domain::privacy::consent::{
    ConsentEvent, ConsentKind, ConsentSource, DocumentKind, Scope, in_force,
};
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// A consent to record.
#[derive(Clone, Copy, Debug)]
pub struct NewConsent {
    /// Its id.
    pub id: ConsentEventId,
    /// Whose.
    pub participant: ParticipantId,
    /// About what.
    pub kind: ConsentKind,
    /// For one practice (provider view), or everyone.
    pub practice: Option<PracticeId>,
    /// For one provider (provider view), or every provider of the scope.
    pub provider: Option<ProviderId>,
    /// Given or withdrawn.
    pub granted: bool,
    /// The accepted document version, for document acceptance.
    pub document_version: Option<u32>,
    /// Where it came from.
    pub source: ConsentSource,
}

const INSERT: &str = "INSERT INTO consent_event (consent_event_id, participant_id, consent_kind, \
     practice_id, provider_id, granted, document_version, source, recorded_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Appends one consent event. The grant must be a change of this subject's consent data.
pub async fn append(
    tx: &mut Tx,
    grant: &Grant,
    consent: &NewConsent,
    now: Timestamp,
) -> Result<(), Error> {
    grant.require(
        Some(consent.participant),
        &[DataCategory::Consent],
        Action::Change,
    )?;
    on_tx!(tx, c => sqlx::query(INSERT)
        .bind(consent.id.uuid())
        .bind(consent.participant.uuid())
        .bind(consent.kind.as_str())
        .bind(consent.practice.map(PracticeId::uuid))
        .bind(consent.provider.map(ProviderId::uuid))
        .bind(consent.granted)
        .bind(consent.document_version.map(i64::from))
        .bind(consent.source.as_str())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    sequence: i64,
    consent_kind: String,
    scope_practice: Option<Uuid>,
    granted: bool,
    document_version: Option<i64>,
    source: String,
    recorded_at_ms: i64,
}

impl TryFrom<EventRow> for ConsentEvent {
    type Error = Error;
    fn try_from(r: EventRow) -> Result<Self, Error> {
        let bad = |col| corrupt("consent_event", col);
        Ok(ConsentEvent {
            sequence: r.sequence,
            kind: r.consent_kind.parse().map_err(|_| bad("consent_kind"))?,
            scope: r.scope_practice.map_or(Scope::Everyone, |p| {
                Scope::Practice(PracticeId::from_uuid(p))
            }),
            granted: r.granted,
            document_version: r
                .document_version
                .map(u32::try_from)
                .transpose()
                .map_err(|_| bad("document_version"))?,
            source: r.source.parse().map_err(|_| bad("source"))?,
            recorded_at: Timestamp::from_unix_ms(r.recorded_at_ms),
        })
    }
}

/// A provider-scoped event counts for the provider's practice.
const SELECT_EVENTS: &str = "SELECT e.sequence, e.consent_kind, \
     COALESCE(e.practice_id, pr.practice_id) AS scope_practice, e.granted, e.document_version, \
     e.source, e.recorded_at_ms \
     FROM consent_event e LEFT JOIN provider pr ON pr.provider_id = e.provider_id \
     WHERE e.participant_id = $1 ORDER BY e.sequence";

async fn select_events(
    tx: &mut Tx,
    participant: ParticipantId,
) -> Result<Vec<ConsentEvent>, Error> {
    let rows: Vec<EventRow> = on_tx!(tx, c => sqlx::query_as(SELECT_EVENTS)
        .bind(participant.uuid())
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter().map(ConsentEvent::try_from).collect()
}

/// Every consent event of a participant, oldest first. The grant must be a read of this
/// subject's consent data.
pub async fn events(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
) -> Result<Vec<ConsentEvent>, Error> {
    grant.require(Some(participant), &[DataCategory::Consent], Action::Read)?;
    select_events(tx, participant).await
}

/// Whether `practice` may see the participant's budget now. This read is part of the access
/// decision itself (the use case passes its answer to the gate), so it takes no grant.
pub async fn provider_view_in_force(
    tx: &mut Tx,
    participant: ParticipantId,
    practice: PracticeId,
) -> Result<bool, Error> {
    let events = select_events(tx, participant).await?;
    Ok(in_force(&events, ConsentKind::ProviderView, Some(practice)))
}

/// The participants whose newest marketing event is a consent and whose processing is not
/// restricted: the only audience of a promotional message. The grant must be a read of
/// identity and contact data for many subjects.
pub async fn marketing_audience(tx: &mut Tx, grant: &Grant) -> Result<Vec<ParticipantId>, Error> {
    const SQL: &str = "SELECT e.participant_id FROM consent_event e \
         WHERE e.consent_kind = 'marketing' AND e.granted = $1 \
         AND e.sequence = (SELECT MAX(x.sequence) FROM consent_event x \
             WHERE x.participant_id = e.participant_id AND x.consent_kind = 'marketing') \
         AND NOT EXISTS (SELECT 1 FROM processing_restriction r \
             WHERE r.participant_id = e.participant_id) \
         ORDER BY e.participant_id";
    grant.require(
        None,
        &[DataCategory::Identity, DataCategory::Contact],
        Action::Read,
    )?;
    let ids: Vec<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(true)
        .fetch_all(&mut *c)
        .await)?;
    Ok(ids.into_iter().map(ParticipantId::from_uuid).collect())
}

/// One version of a privacy document.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Document {
    /// The version number, from 1.
    pub version: i64,
    /// In force from.
    pub published_on: Date,
    /// What changed, in a sentence or two.
    pub change_summary: String,
    /// The full text (Markdown).
    pub body: String,
}

/// Publishes a new version of a document (the next number). Returns the version.
pub async fn publish(
    tx: &mut Tx,
    kind: DocumentKind,
    published_on: Date,
    change_summary: &str,
    body: &str,
    now: Timestamp,
) -> Result<i64, Error> {
    const NEXT: &str =
        "SELECT COALESCE(MAX(version), 0) + 1 FROM privacy_document WHERE document_kind = $1";
    const INSERT_DOC: &str = "INSERT INTO privacy_document (document_kind, version, \
         published_on, change_summary, body, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
    let version: i64 = on_tx!(tx, c => sqlx::query_scalar(NEXT)
        .bind(kind.as_str())
        .fetch_one(&mut *c)
        .await)?;
    on_tx!(tx, c => sqlx::query(INSERT_DOC)
        .bind(kind.as_str())
        .bind(version)
        .bind(published_on)
        .bind(change_summary)
        .bind(body)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(version)
}

/// The version in force on `date`: the newest published on or before it.
pub async fn current(
    tx: &mut Tx,
    kind: DocumentKind,
    date: Date,
) -> Result<Option<Document>, Error> {
    const SQL: &str = "SELECT version, published_on, change_summary, body FROM privacy_document \
         WHERE document_kind = $1 AND published_on <= $2 ORDER BY version DESC LIMIT 1";
    Ok(on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(kind.as_str())
        .bind(date)
        .fetch_optional(&mut *c)
        .await)?)
}

/// Every version of a document, newest first.
pub async fn versions(tx: &mut Tx, kind: DocumentKind) -> Result<Vec<Document>, Error> {
    const SQL: &str = "SELECT version, published_on, change_summary, body FROM privacy_document \
         WHERE document_kind = $1 ORDER BY version DESC";
    Ok(on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(kind.as_str())
        .fetch_all(&mut *c)
        .await)?)
}
