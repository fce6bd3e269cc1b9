//! Coverage: which contract period covers a participant, for the FHIR `Coverage` search of
//! practices. The period and status are financial data (`contract.start_date`, `end_date`) and
//! are read only with a grant for that one participant.

use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, DataCategory};
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// The contract period of one participant. No `Debug`: it holds contract dates.
#[derive(Clone, PartialEq, Eq)]
pub struct ContractCoverage {
    /// The participant.
    pub participant: ParticipantId,
    /// Their participant number.
    pub number: ParticipantNumber,
    /// Whether the contract is `active` or `ended` (the stored status).
    pub ended: bool,
    /// The first day of the contract.
    pub start: Date,
    /// The last day, once known.
    pub end: Option<Date>,
}

/// The participant with this number, if any. Only the key is read, so no grant is needed: the
/// caller asks the gate for the participant it found.
pub async fn participant_of_number(
    tx: &mut Tx,
    number: &ParticipantNumber,
) -> Result<Option<ParticipantId>, Error> {
    const SQL: &str = "SELECT participant_id FROM participant WHERE participant_number = $1";
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(number.as_str())
        .fetch_optional(&mut *c)
        .await)?;
    Ok(id.map(ParticipantId::from_uuid))
}

type CoverageRow = (Uuid, String, String, Date, Option<Date>);

/// The contract period of `participant`. The grant must be a read of financial data of this
/// participant.
pub async fn contract_coverage(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
) -> Result<Option<ContractCoverage>, Error> {
    const SQL: &str = "SELECT p.participant_id, p.participant_number, c.contract_status, \
         c.start_date, c.end_date FROM participant p \
         JOIN contract c ON c.contract_id = p.contract_id WHERE p.participant_id = $1";
    grant.require(Some(participant), &[DataCategory::Financial], Action::Read)?;
    let row: Option<CoverageRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .fetch_optional(&mut *c)
        .await)?;
    row.map(|(id, number, status, start, end)| {
        Ok(ContractCoverage {
            participant: ParticipantId::from_uuid(id),
            number: ParticipantNumber::parse(&number)
                .map_err(|_| corrupt("participant", "participant_number"))?,
            ended: match status.as_str() {
                "active" => false,
                "ended" => true,
                _ => return Err(corrupt("contract", "contract_status")),
            },
            start,
            end,
        })
    })
    .transpose()
}
