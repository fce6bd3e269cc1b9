//! The processor register and the record of disclosures to third parties (`PRIVACY.md` §3).
//!
//! The register holds professional data (the processor, its agreement), so it needs no grant.
//! [`agreement_allows`] is the gate's check of every processor access. A disclosure names a
//! participant and is stored with the grant of the disclosure it records.

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal};
use ixorg_domain::recipients::{
    LegalGround, PROCESSOR_NOT_REGISTERED, ProcessorAgreement, join_list, parse_list,
};
use ixorg_domain::timestamp::Timestamp;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

type ProcessorRow = (String, String, Date, Option<Date>, String, String);

fn agreement_of(row: ProcessorRow) -> Result<ProcessorAgreement, Error> {
    let (name, agreement_reference, signed_on, ends_on, categories, purposes) = row;
    Ok(ProcessorAgreement {
        name,
        agreement_reference,
        signed_on,
        ends_on,
        categories: parse_list(&categories).map_err(|_| corrupt("processor", "categories"))?,
        purposes: parse_list(&purposes).map_err(|_| corrupt("processor", "purposes"))?,
    })
}

const SELECT: &str = "SELECT name, agreement_reference, signed_on, ends_on, categories, purposes \
     FROM processor";

/// Registers a processor, or replaces the agreement of one with the same name.
pub async fn upsert(
    tx: &mut Tx,
    id: Uuid,
    agreement: &ProcessorAgreement,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO processor (processor_id, name, agreement_reference, signed_on, \
         ends_on, categories, purposes, created_at_ms, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (name) DO UPDATE SET \
         agreement_reference = excluded.agreement_reference, signed_on = excluded.signed_on, \
         ends_on = excluded.ends_on, categories = excluded.categories, \
         purposes = excluded.purposes, updated_at_ms = excluded.updated_at_ms";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(agreement.name.as_str())
        .bind(agreement.agreement_reference.as_str())
        .bind(agreement.signed_on)
        .bind(agreement.ends_on)
        .bind(join_list(&agreement.categories))
        .bind(join_list(&agreement.purposes))
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every registered processor, by name.
pub async fn list(tx: &mut Tx) -> Result<Vec<ProcessorAgreement>, Error> {
    let sql = format!("{SELECT} ORDER BY name");
    let rows: Vec<ProcessorRow> = on_tx!(tx, c =>
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(&mut *c).await)?;
    rows.into_iter().map(agreement_of).collect()
}

/// The registered processor of this name.
pub async fn by_name(tx: &mut Tx, name: &str) -> Result<Option<ProcessorAgreement>, Error> {
    let sql = format!("{SELECT} WHERE name = $1");
    let row: Option<ProcessorRow> = on_tx!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(name)
        .fetch_optional(&mut *c)
        .await)?;
    row.map(agreement_of).transpose()
}

/// The gate's check of a processor's access: the processor is registered, its agreement is in
/// force on the day of `now` (UTC) and covers `purpose` and every one of `categories`.
pub async fn agreement_allows(
    tx: &mut Tx,
    name: &str,
    purpose: Option<Purpose>,
    categories: &[DataCategory],
    now: Timestamp,
) -> Result<Result<(), Refusal>, Error> {
    let Some(agreement) = by_name(tx, name).await? else {
        return Ok(Err(PROCESSOR_NOT_REGISTERED));
    };
    let day = now
        .to_offset_date_time()
        .ok_or_else(|| Error::Corrupt("the clock is out of range".into()))?
        .date();
    Ok(agreement.allows(day, purpose, categories))
}

/// A disclosure to record.
#[derive(Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// Its id.
    pub id: Uuid,
    /// Whose data.
    pub participant: ParticipantId,
    /// To whom (an authority, a court, a bailiff: an organisation, not a person's name).
    pub recipient: String,
    /// Which categories.
    pub categories: Vec<DataCategory>,
    /// Under which legal duty.
    pub legal_ground: LegalGround,
    /// The recipient's reference (their request, order or case number).
    pub reference: String,
    /// When.
    pub disclosed_at: Timestamp,
    /// By whom: the actor's kind (`staff`, `system`, …).
    pub actor_kind: String,
    /// By whom: the actor's id.
    pub actor_id: String,
}

impl Disclosure {
    /// The actor columns of `actor`.
    pub fn actor_columns(actor: &Actor) -> (String, String) {
        (actor.kind().to_owned(), actor.id_text())
    }
}

impl std::fmt::Debug for Disclosure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Disclosure")
            .field("id", &self.id)
            .field("legal_ground", &self.legal_ground)
            .finish_non_exhaustive()
    }
}

/// Records a disclosure. The grant must be the disclosure of these categories of this subject.
pub async fn insert_disclosure(tx: &mut Tx, grant: &Grant, d: &Disclosure) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO disclosure (disclosure_id, participant_id, recipient, \
         categories, legal_ground, reference, disclosed_at_ms, actor_kind, actor_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    grant.require(Some(d.participant), &d.categories, Action::Disclose)?;
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(d.id)
        .bind(d.participant.uuid())
        .bind(d.recipient.as_str())
        .bind(join_list(&d.categories))
        .bind(d.legal_ground.as_str())
        .bind(d.reference.as_str())
        .bind(d.disclosed_at.unix_ms())
        .bind(d.actor_kind.as_str())
        .bind(d.actor_id.as_str())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

type DisclosureRow = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
);

/// The disclosures about one participant, oldest first. The grant must cover reading the
/// participant's privacy record.
pub async fn disclosures_of(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
) -> Result<Vec<Disclosure>, Error> {
    const SQL: &str = "SELECT disclosure_id, participant_id, recipient, categories, legal_ground, \
         reference, disclosed_at_ms, actor_kind, actor_id FROM disclosure \
         WHERE participant_id = $1 ORDER BY disclosed_at_ms, disclosure_id";
    grant.require(
        Some(participant),
        &[DataCategory::PrivacyRecord],
        Action::Read,
    )?;
    let rows: Vec<DisclosureRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter()
        .map(
            |(id, p, recipient, cats, ground, reference, at, kind, actor_id)| {
                let bad = |col| corrupt("disclosure", col);
                Ok(Disclosure {
                    id,
                    participant: ParticipantId::from_uuid(p),
                    recipient,
                    categories: parse_list(&cats).map_err(|_| bad("categories"))?,
                    legal_ground: ground.parse().map_err(|_| bad("legal_ground"))?,
                    reference,
                    disclosed_at: Timestamp::from_unix_ms(at),
                    actor_kind: kind,
                    actor_id,
                })
            },
        )
        .collect()
}
