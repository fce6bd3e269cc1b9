//! Applications, SEPA mandates, portal activation tokens and the operator's creditor profile.

use ixorg_domain::identifiers::{CreditorId, Iban, MandateId};
use ixorg_domain::ids::{ContractId, ParticipantId};
use ixorg_domain::outbox::ApplicationStatus;
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::gate::Grant;
use crate::{Error, Tx, on_tx};

/// The operator as SEPA creditor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorProfile {
    /// Legal name, as shown to debtors.
    pub legal_name: String,
    /// The operator's account, creditor of collections and debtor of payouts.
    pub iban: Iban,
    /// Its BIC, if known.
    pub bic: Option<String>,
    /// The SEPA creditor identifier.
    pub creditor_id: CreditorId,
}

/// The operator profile, if set.
pub async fn operator_profile(tx: &mut Tx) -> Result<Option<OperatorProfile>, Error> {
    const SQL: &str = "SELECT legal_name, iban, bic, creditor_id FROM operator_profile \
         WHERE profile_key = 'operator'";
    let row: Option<(String, String, Option<String>, String)> =
        on_tx!(tx, c => sqlx::query_as(SQL).fetch_optional(&mut *c).await)?;
    row.map(|(legal_name, iban, bic, creditor_id)| {
        Ok(OperatorProfile {
            legal_name,
            iban: iban
                .parse()
                .map_err(|_| corrupt("operator_profile", "iban"))?,
            bic,
            creditor_id: creditor_id
                .parse()
                .map_err(|_| corrupt("operator_profile", "creditor_id"))?,
        })
    })
    .transpose()
}

/// Sets the operator profile (insert or replace).
pub async fn set_operator_profile(
    tx: &mut Tx,
    p: &OperatorProfile,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO operator_profile (profile_key, legal_name, iban, bic, \
         creditor_id, updated_at_ms) VALUES ('operator', $1, $2, $3, $4, $5) \
         ON CONFLICT (profile_key) DO UPDATE SET legal_name = excluded.legal_name, \
         iban = excluded.iban, bic = excluded.bic, creditor_id = excluded.creditor_id, \
         updated_at_ms = excluded.updated_at_ms";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(p.legal_name.as_str())
        .bind(p.iban.expose())
        .bind(p.bic.as_deref())
        .bind(p.creditor_id.as_str())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records an application's outcome. A rejected or referred one keeps only its rule codes.
pub async fn insert_application(
    tx: &mut Tx,
    id: Uuid,
    status: ApplicationStatus,
    contract: Option<ContractId>,
    rule_codes: &str,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO application (application_id, application_status, \
         contract_id, rejection_codes, received_at_ms) VALUES ($1, $2, $3, $4, $5)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(status.as_str())
        .bind(contract.map(|x| x.uuid()))
        .bind(rule_codes)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A SEPA mandate.
#[derive(Clone, PartialEq, Eq)]
pub struct Mandate {
    /// Its id.
    pub id: MandateId,
    /// Its contract.
    pub contract: ContractId,
    /// Signature date.
    pub signed_on: Date,
    /// Debtor account.
    pub iban: Iban,
    /// Debtor name.
    pub account_holder: String,
    /// The previous IBAN while an amendment still has to reach the bank.
    pub amended_from_iban: Option<Iban>,
    /// Settled collections so far.
    pub successful_collections: i64,
    /// Whether the last first collection (FRST) failed, so the next is FRST again.
    pub last_first_failed: bool,
}

impl std::fmt::Debug for Mandate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mandate")
            .field("contract", &self.contract)
            .field("successful_collections", &self.successful_collections)
            .finish_non_exhaustive()
    }
}

/// Stores a new, active mandate.
pub async fn insert_mandate(
    tx: &mut Tx,
    grant: &Grant,
    m: &Mandate,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO mandate (mandate_id, contract_id, signed_on, iban, \
         account_holder, amended_from_iban, successful_collections, last_first_failed, \
         mandate_status, created_at_ms, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, NULL, 0, $6, 'active', $7, $7)";
    grant.require(None, &[DataCategory::Financial], Action::Change)?;
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(m.id.as_str())
        .bind(m.contract.uuid())
        .bind(m.signed_on)
        .bind(m.iban.expose())
        .bind(m.account_holder.as_str())
        .bind(false)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records the result of a collection on its mandate: a settled one counts; a failed first
/// collection makes the next one a first collection again.
pub async fn record_collection_result(
    tx: &mut Tx,
    mandate: &MandateId,
    settled: bool,
    was_first: bool,
    now: Timestamp,
) -> Result<(), Error> {
    const SETTLED: &str = "UPDATE mandate SET successful_collections = successful_collections + 1, \
         last_first_failed = $1, updated_at_ms = $2 WHERE mandate_id = $3";
    const FAILED_FIRST: &str =
        "UPDATE mandate SET last_first_failed = $1, updated_at_ms = $2 WHERE mandate_id = $3";
    let (sql, flag) = match (settled, was_first) {
        (true, _) => (SETTLED, false),
        (false, true) => (FAILED_FIRST, true),
        (false, false) => return Ok(()),
    };
    on_tx!(tx, c => sqlx::query(sql)
        .bind(flag)
        .bind(now.unix_ms())
        .bind(mandate.as_str())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stops collecting on a mandate (account closed, mandate revoked, debtor deceased).
pub async fn stop_mandate(tx: &mut Tx, mandate: &MandateId, now: Timestamp) -> Result<(), Error> {
    const SQL: &str =
        "UPDATE mandate SET mandate_status = 'stopped', updated_at_ms = $1 WHERE mandate_id = $2";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(now.unix_ms())
        .bind(mandate.as_str())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Clears the pending amendment of a mandate once a collection has carried it.
pub async fn clear_amendment(
    tx: &mut Tx,
    mandate: &MandateId,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE mandate SET amended_from_iban = NULL, updated_at_ms = $1 \
         WHERE mandate_id = $2";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(now.unix_ms())
        .bind(mandate.as_str())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the history of one person (found by BSN or by birth date and postcode) says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonMatch {
    /// The participant found.
    pub participant: Option<ParticipantId>,
    /// Their surname prefix and surname, to compare normalised (only for look-ups by birth
    /// date and postcode, where the surname decides).
    pub surname: Option<(String, String)>,
    /// Whether their contract is active.
    pub contract_active: bool,
    /// Whether their contract ended with a debt that is not paid (a negative budget).
    pub unpaid_closed: bool,
}

#[derive(sqlx::FromRow)]
struct MatchRow {
    participant_id: Uuid,
    surname_prefix: String,
    surname: String,
    contract_status: String,
    balance_cents: Option<i64>,
}

fn to_match(r: MatchRow) -> PersonMatch {
    PersonMatch {
        participant: Some(ParticipantId::from_uuid(r.participant_id)),
        surname: Some((r.surname_prefix, r.surname)),
        contract_active: r.contract_status == "active",
        unpaid_closed: r.contract_status == "ended" && r.balance_cents.unwrap_or(0) < 0,
    }
}

/// People with this BSN blind index.
pub async fn people_by_bsn_index(
    tx: &mut Tx,
    grant: &Grant,
    blind_index: &[u8],
) -> Result<Vec<PersonMatch>, Error> {
    const SQL: &str = "SELECT p.participant_id, p.surname_prefix, p.surname, \
         c.contract_status, a.balance_cents FROM participant p \
         JOIN contract c ON c.contract_id = p.contract_id \
         LEFT JOIN ledger_account a ON a.participant_id = p.participant_id \
         AND a.account_kind = 'budget' WHERE p.bsn_blind_index = $1";
    grant.require(None, &[DataCategory::NationalId], Action::Read)?;
    let rows: Vec<MatchRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(blind_index)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows.into_iter().map(to_match).collect())
}

/// People with this date of birth and postcode (the caller compares the surname).
pub async fn people_by_birth_and_postcode(
    tx: &mut Tx,
    grant: &Grant,
    date_of_birth: Date,
    postcode: &str,
) -> Result<Vec<PersonMatch>, Error> {
    const SQL: &str = "SELECT p.participant_id, p.surname_prefix, p.surname, \
         c.contract_status, a.balance_cents FROM participant p \
         JOIN contract c ON c.contract_id = p.contract_id \
         LEFT JOIN ledger_account a ON a.participant_id = p.participant_id \
         AND a.account_kind = 'budget' WHERE p.date_of_birth = $1 AND p.postcode = $2";
    grant.require(
        None,
        &[DataCategory::Identity, DataCategory::Contact],
        Action::Read,
    )?;
    let rows: Vec<MatchRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(date_of_birth)
        .bind(postcode)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows.into_iter().map(to_match).collect())
}

/// Sets the provider-view consent given on the application.
pub async fn set_provider_view_consent(
    tx: &mut Tx,
    contract: ContractId,
    consent: bool,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE contract SET provider_view_consent = $1 WHERE contract_id = $2";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(consent)
        .bind(contract.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Changes the debtor IBAN of a contract's active mandate, keeping the previous one until the
/// next collection has carried the amendment (`AmdmntInd`, `OrgnlDbtrAcct`) to the bank.
/// Returns false when the contract has no active mandate.
pub async fn change_mandate_iban(
    tx: &mut Tx,
    grant: &Grant,
    contract: ContractId,
    iban: &Iban,
    account_holder: &str,
    now: Timestamp,
) -> Result<bool, Error> {
    const MANDATE: &str = "UPDATE mandate SET amended_from_iban = COALESCE(amended_from_iban, iban), \
         iban = $1, account_holder = $2, updated_at_ms = $3 \
         WHERE contract_id = $4 AND mandate_status = 'active' AND iban <> $1";
    const CONTRACT: &str = "UPDATE contract SET iban = $1, account_holder = $2, updated_at_ms = $3 \
         WHERE contract_id = $4";
    // A contract's account belongs to all of its members: a grant for any one of them (or for
    // many) covers it.
    grant.require(
        grant.request().subject,
        &[DataCategory::Financial],
        Action::Change,
    )?;
    let changed = on_tx!(tx, c => sqlx::query(MANDATE)
        .bind(iban.expose())
        .bind(account_holder)
        .bind(now.unix_ms())
        .bind(contract.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    if changed == 1 {
        on_tx!(tx, c => sqlx::query(CONTRACT)
            .bind(iban.expose())
            .bind(account_holder)
            .bind(now.unix_ms())
            .bind(contract.uuid())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(changed == 1)
}
