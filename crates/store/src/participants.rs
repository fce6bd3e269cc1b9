//! Contracts and participants. Every function that reads or writes a participant's personal
//! data takes a [`Grant`] from the privacy gate and checks that it covers what it touches.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{Iban, ParticipantNumber};
use ixorg_domain::ids::{ContractId, ParticipantId, PracticeId};
use ixorg_domain::person::PersonalDetails;
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::terms::HouseholdRole;
use ixorg_domain::timestamp::Timestamp;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// The categories a participant row holds.
pub const PARTICIPANT_CATEGORIES: &[DataCategory] = &[
    DataCategory::Identity,
    DataCategory::Contact,
    DataCategory::NationalId,
    DataCategory::Financial,
    DataCategory::ProviderLink,
    DataCategory::Account,
];

/// A new contract (the payer's account and the contract dates).
#[derive(Clone, Debug)]
pub struct NewContract {
    /// Its id.
    pub id: ContractId,
    /// First day of the contract.
    pub start_date: Date,
    /// The payer's IBAN (the mandate's account).
    pub iban: Iban,
    /// The account holder's name.
    pub account_holder: String,
}

/// A stored participant, typed. Its `Debug` is derived from fields whose own `Debug` is
/// redacted where they are sensitive (BSN ciphertext is bytes, IBAN and postcode redact).
#[derive(Clone, PartialEq, Eq)]
pub struct ParticipantRecord {
    /// Its id.
    pub id: ParticipantId,
    /// Its contract.
    pub contract: ContractId,
    /// The participant number.
    pub number: ParticipantNumber,
    /// Main, partner or child.
    pub role: HouseholdRole,
    /// Names, date of birth, gender, address and contact details.
    pub details: PersonalDetails,
    /// The BSN, encrypted (key version byte, nonce, ciphertext and tag), if given.
    pub bsn_ciphertext: Option<Vec<u8>>,
    /// The BSN's keyed hash for lookups and uniqueness, if given.
    pub bsn_blind_index: Option<Vec<u8>>,
    /// The chosen annual budget.
    pub annual_budget: Cents,
    /// The participant's dentist or practice.
    pub practice: Option<PracticeId>,
}

impl std::fmt::Debug for ParticipantRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParticipantRecord")
            .field("id", &self.id)
            .field("contract", &self.contract)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct ParticipantRow {
    participant_id: Uuid,
    contract_id: Uuid,
    participant_number: String,
    household_role: String,
    first_names: String,
    initials: String,
    surname_prefix: String,
    surname: String,
    date_of_birth: Date,
    gender: String,
    street: String,
    house_number: i64,
    house_number_addition: String,
    postcode: String,
    city: String,
    email: Option<String>,
    phone: Option<String>,
    bsn_ciphertext: Option<Vec<u8>>,
    bsn_blind_index: Option<Vec<u8>>,
    annual_budget_cents: i64,
    practice_id: Option<Uuid>,
}

impl TryFrom<ParticipantRow> for ParticipantRecord {
    type Error = Error;
    fn try_from(r: ParticipantRow) -> Result<Self, Error> {
        let bad = |col| corrupt("participant", col);
        Ok(ParticipantRecord {
            id: ParticipantId::from_uuid(r.participant_id),
            contract: ContractId::from_uuid(r.contract_id),
            number: r
                .participant_number
                .parse()
                .map_err(|_| bad("participant_number"))?,
            role: r
                .household_role
                .parse()
                .map_err(|_| bad("household_role"))?,
            details: PersonalDetails {
                first_names: r.first_names,
                initials: r.initials,
                surname_prefix: r.surname_prefix,
                surname: r.surname,
                date_of_birth: r.date_of_birth,
                gender: r.gender.parse().map_err(|_| bad("gender"))?,
                street: r.street,
                house_number: u32::try_from(r.house_number).map_err(|_| bad("house_number"))?,
                house_number_addition: r.house_number_addition,
                postcode: r.postcode.parse().map_err(|_| bad("postcode"))?,
                city: r.city,
                email: r.email,
                phone: r.phone,
            },
            bsn_ciphertext: r.bsn_ciphertext,
            bsn_blind_index: r.bsn_blind_index,
            annual_budget: Cents::new(r.annual_budget_cents),
            practice: r.practice_id.map(PracticeId::from_uuid),
        })
    }
}

const INSERT_CONTRACT: &str = "INSERT INTO contract (contract_id, contract_status, start_date, \
     end_date, iban, account_holder, created_at_ms, updated_at_ms) \
     VALUES ($1, 'active', $2, NULL, $3, $4, $5, $5)";

/// Stores a new contract.
pub async fn insert_contract(
    tx: &mut Tx,
    grant: &Grant,
    contract: &NewContract,
    now: Timestamp,
) -> Result<(), Error> {
    grant.require(None, &[DataCategory::Financial], Action::Change)?;
    on_tx!(tx, c => sqlx::query(INSERT_CONTRACT)
        .bind(contract.id.uuid())
        .bind(contract.start_date)
        .bind(contract.iban.expose())
        .bind(contract.account_holder.as_str())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

const NEXT_NUMBER: &str = "UPDATE sequence_counter SET next_value = next_value + 1 \
     WHERE counter_name = 'participant_number' RETURNING next_value - 1";

/// Draws the next participant number. Numbers come from a counter that only goes up, so a
/// number is never reused, even after the participant is erased.
pub async fn next_participant_number(tx: &mut Tx) -> Result<ParticipantNumber, Error> {
    let seq: i64 = on_tx!(tx, c => sqlx::query_scalar(NEXT_NUMBER).fetch_one(&mut *c).await)?;
    let seq = u32::try_from(seq).map_err(|_| corrupt("sequence_counter", "next_value"))?;
    ParticipantNumber::from_sequence(seq).map_err(|_| corrupt("sequence_counter", "next_value"))
}

const INSERT_PARTICIPANT: &str = "INSERT INTO participant (participant_id, contract_id, \
     participant_number, household_role, first_names, initials, surname_prefix, surname, \
     date_of_birth, gender, street, house_number, house_number_addition, postcode, city, email, \
     phone, bsn_ciphertext, bsn_blind_index, annual_budget_cents, practice_id, created_at_ms, \
     updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
     $16, $17, $18, $19, $20, $21, $22, $22)";

/// Stores a new participant.
pub async fn insert_participant(
    tx: &mut Tx,
    grant: &Grant,
    p: &ParticipantRecord,
    now: Timestamp,
) -> Result<(), Error> {
    let mut categories = vec![
        DataCategory::Identity,
        DataCategory::Contact,
        DataCategory::Financial,
        DataCategory::Account,
    ];
    if p.bsn_ciphertext.is_some() {
        categories.push(DataCategory::NationalId);
    }
    if p.practice.is_some() {
        categories.push(DataCategory::ProviderLink);
    }
    grant.require(None, &categories, Action::Change)?;
    on_tx!(tx, c => sqlx::query(INSERT_PARTICIPANT)
        .bind(p.id.uuid())
        .bind(p.contract.uuid())
        .bind(p.number.as_str())
        .bind(p.role.as_str())
        .bind(p.details.first_names.as_str())
        .bind(p.details.initials.as_str())
        .bind(p.details.surname_prefix.as_str())
        .bind(p.details.surname.as_str())
        .bind(p.details.date_of_birth)
        .bind(p.details.gender.as_str())
        .bind(p.details.street.as_str())
        .bind(i64::from(p.details.house_number))
        .bind(p.details.house_number_addition.as_str())
        .bind(p.details.postcode.as_str())
        .bind(p.details.city.as_str())
        .bind(p.details.email.as_deref())
        .bind(p.details.phone.as_deref())
        .bind(p.bsn_ciphertext.as_deref())
        .bind(p.bsn_blind_index.as_deref())
        .bind(p.annual_budget.get())
        .bind(p.practice.map(|x| x.uuid()))
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

const SELECT_PARTICIPANT: &str = "SELECT participant_id, contract_id, participant_number, \
     household_role, first_names, initials, surname_prefix, surname, date_of_birth, gender, \
     street, house_number, house_number_addition, postcode, city, email, phone, bsn_ciphertext, \
     bsn_blind_index, annual_budget_cents, practice_id FROM participant WHERE participant_id = $1";

/// Reads one participant. The grant must be a read of this subject covering identity and
/// contact; the caller masks what the grant's views say.
pub async fn get(
    tx: &mut Tx,
    grant: &Grant,
    id: ParticipantId,
) -> Result<ParticipantRecord, Error> {
    grant.require(
        Some(id),
        &[DataCategory::Identity, DataCategory::Contact],
        Action::Read,
    )?;
    let row: ParticipantRow = on_tx!(tx, c => sqlx::query_as(SELECT_PARTICIPANT)
        .bind(id.uuid())
        .fetch_one(&mut *c)
        .await)?;
    let mut record = ParticipantRecord::try_from(row)?;
    // Fields of categories the grant does not cover never leave the store.
    if grant.view(DataCategory::NationalId).is_none() {
        record.bsn_ciphertext = None;
        record.bsn_blind_index = None;
    }
    if grant.view(DataCategory::Financial).is_none() {
        record.annual_budget = Cents::ZERO;
    }
    if grant.view(DataCategory::ProviderLink).is_none() {
        record.practice = None;
    }
    Ok(record)
}

/// Finds a participant by the blind index of their BSN.
pub async fn find_by_bsn_index(
    tx: &mut Tx,
    grant: &Grant,
    blind_index: &[u8],
) -> Result<Option<ParticipantId>, Error> {
    const SQL: &str = "SELECT participant_id FROM participant WHERE bsn_blind_index = $1";
    grant.require(None, &[DataCategory::NationalId], Action::Read)?;
    let id: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(blind_index)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(id.map(ParticipantId::from_uuid))
}

/// Number of participants (no personal data: a count).
pub async fn count(tx: &mut Tx) -> Result<i64, Error> {
    const SQL: &str = "SELECT COUNT(*) FROM participant";
    Ok(on_tx!(tx, c => sqlx::query_scalar(SQL).fetch_one(&mut *c).await)?)
}

/// Every participant's id and BSN ciphertext, for key rotation and the raw-bytes checks.
pub async fn bsn_ciphertexts(
    tx: &mut Tx,
    grant: &Grant,
) -> Result<Vec<(ParticipantId, Vec<u8>)>, Error> {
    const SQL: &str = "SELECT participant_id, bsn_ciphertext FROM participant \
         WHERE bsn_ciphertext IS NOT NULL ORDER BY participant_id";
    grant.require(None, &[DataCategory::NationalId], Action::Read)?;
    let rows: Vec<(Uuid, Vec<u8>)> = on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, ct)| (ParticipantId::from_uuid(id), ct))
        .collect())
}

/// Number of participants with a stored (encrypted) BSN: a count, no personal data.
pub async fn count_with_bsn(tx: &mut Tx) -> Result<i64, Error> {
    const SQL: &str = "SELECT COUNT(*) FROM participant WHERE bsn_ciphertext IS NOT NULL";
    Ok(on_tx!(tx, c => sqlx::query_scalar(SQL).fetch_one(&mut *c).await)?)
}

/// The ids of the participants of a contract, main participant first.
pub async fn ids_of_contract(
    tx: &mut Tx,
    contract: ContractId,
) -> Result<Vec<ParticipantId>, Error> {
    const SQL: &str = "SELECT participant_id FROM participant WHERE contract_id = $1 \
         ORDER BY CASE household_role WHEN 'main' THEN 0 WHEN 'partner' THEN 1 ELSE 2 END, \
         participant_number";
    let ids: Vec<Uuid> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(contract.uuid())
        .fetch_all(&mut *c)
        .await)?;
    Ok(ids.into_iter().map(ParticipantId::from_uuid).collect())
}

/// A page of participant ids in id order (no personal data), for batch work and the demo.
pub async fn ids_page(
    tx: &mut Tx,
    after: Option<ParticipantId>,
    limit: i64,
) -> Result<Vec<ParticipantId>, Error> {
    const FIRST: &str = "SELECT participant_id FROM participant ORDER BY participant_id LIMIT $1";
    const NEXT: &str = "SELECT participant_id FROM participant WHERE participant_id > $1 \
         ORDER BY participant_id LIMIT $2";
    let ids: Vec<Uuid> = match after {
        None => on_tx!(tx, c => sqlx::query_scalar(FIRST).bind(limit).fetch_all(&mut *c).await)?,
        Some(a) => on_tx!(tx, c => sqlx::query_scalar(NEXT)
            .bind(a.uuid())
            .bind(limit)
            .fetch_all(&mut *c)
            .await)?,
    };
    Ok(ids.into_iter().map(ParticipantId::from_uuid).collect())
}

/// The household role and date of birth of `member` when `user` is the main participant of the
/// same contract (so may act for a child of it), else `None`. Part of an access decision, so it
/// takes no grant; the use case passes what it decides to the gate.
pub async fn represented_member(
    tx: &mut Tx,
    user: ParticipantId,
    member: ParticipantId,
) -> Result<Option<(HouseholdRole, Date)>, Error> {
    const SQL: &str = "SELECT m.household_role, m.date_of_birth FROM participant u \
         JOIN participant m ON m.contract_id = u.contract_id \
         WHERE u.participant_id = $1 AND u.household_role = 'main' AND m.participant_id = $2";
    let row: Option<(String, Date)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(user.uuid())
        .bind(member.uuid())
        .fetch_optional(&mut *c)
        .await)?;
    row.map(|(role, born)| {
        let role = role
            .parse()
            .map_err(|_| corrupt("participant", "household_role"))?;
        Ok((role, born))
    })
    .transpose()
}

/// The contract and number of a participant (keys only: no grant needed).
pub async fn contract_and_number(
    tx: &mut Tx,
    participant: ParticipantId,
) -> Result<Option<(ContractId, ParticipantNumber)>, Error> {
    const SQL: &str =
        "SELECT contract_id, participant_number FROM participant WHERE participant_id = $1";
    let row: Option<(Uuid, String)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .fetch_optional(&mut *c)
        .await)?;
    row.map(|(contract, number)| {
        let number = number
            .parse()
            .map_err(|_| corrupt("participant", "participant_number"))?;
        Ok((ContractId::from_uuid(contract), number))
    })
    .transpose()
}

/// Whether the participant's contract has ended by `date` (its end date is on or before it).
/// The grant must cover this subject's financial data (for any action).
pub async fn contract_ended_by(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    date: Date,
) -> Result<bool, Error> {
    const SQL: &str = "SELECT c.end_date FROM contract c \
         JOIN participant p ON p.contract_id = c.contract_id WHERE p.participant_id = $1";
    grant.require(
        Some(participant),
        &[DataCategory::Financial],
        grant.request().action,
    )?;
    let end: Option<Date> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(participant.uuid())
        .fetch_one(&mut *c)
        .await)?;
    Ok(end.is_some_and(|end| end <= date))
}
