//! The contracts due for a collection date, with their members, page by page.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{Iban, MandateId};
use ixorg_domain::ids::{ContractId, LedgerAccountId, ParticipantId};
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::terms::HouseholdRole;
use sqlx::AssertSqlSafe;
use time::Date;
use uuid::Uuid;

use crate::error::corrupt;
use crate::gate::Grant;
use crate::{Backend, Error, Tx, on_tx};

/// A member of a contract that is due for collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueMember {
    /// The participant.
    pub participant: ParticipantId,
    /// Household role.
    pub role: HouseholdRole,
    /// Date of birth (for the fee by age).
    pub date_of_birth: Date,
    /// Annual budget (for the saving amount).
    pub annual_budget: Cents,
    /// The budget account.
    pub budget: LedgerAccountId,
}

/// A contract due for collection, with its mandate and members.
#[derive(Clone, PartialEq, Eq)]
pub struct DueContract {
    /// The contract.
    pub contract: ContractId,
    /// Its active mandate.
    pub mandate: MandateId,
    /// Signature date.
    pub mandate_signed_on: Date,
    /// Debtor IBAN.
    pub iban: Iban,
    /// Debtor name.
    pub account_holder: String,
    /// Previous IBAN if an amendment is pending.
    pub amended_from_iban: Option<Iban>,
    /// Settled collections so far on the mandate.
    pub successful_collections: i64,
    /// Whether the last first collection failed.
    pub last_first_failed: bool,
    /// The members.
    pub members: Vec<DueMember>,
}

impl std::fmt::Debug for DueContract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueContract")
            .field("contract", &self.contract)
            .field("members", &self.members.len())
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct DueRow {
    contract_id: Uuid,
    mandate_id: String,
    signed_on: Date,
    iban: String,
    account_holder: String,
    amended_from_iban: Option<String>,
    successful_collections: i64,
    last_first_failed: bool,
    /// The members as text: see [`parse_members`].
    members: Option<String>,
}

/// The members of a contract with their budget accounts, folded into one text per contract:
/// `participant role date-of-birth annual-budget-cents budget-account` per member, members
/// separated by `;`, in participant order. One row per contract instead of one per member
/// quarters the rows of the largest read of a collection run, and each row crosses from
/// SQLite's worker thread on its own.
const MEMBERS_SQLITE: &str = "(SELECT group_concat(hex(p.participant_id) || ' ' || \
     p.household_role || ' ' || p.date_of_birth || ' ' || p.annual_budget_cents || ' ' || \
     hex(a.ledger_account_id), ';' ORDER BY p.participant_id) \
     FROM participant p JOIN ledger_account a ON a.participant_id = p.participant_id \
     AND a.account_kind = 'budget' WHERE p.contract_id = c.contract_id) AS members";

/// [`MEMBERS_SQLITE`] in PostgreSQL's dialect.
const MEMBERS_POSTGRES: &str = "(SELECT string_agg(p.participant_id::text || ' ' || \
     p.household_role || ' ' || to_char(p.date_of_birth, 'YYYY-MM-DD') || ' ' || \
     p.annual_budget_cents::text || ' ' || a.ledger_account_id::text, ';' \
     ORDER BY p.participant_id) \
     FROM participant p JOIN ledger_account a ON a.participant_id = p.participant_id \
     AND a.account_kind = 'budget' WHERE p.contract_id = c.contract_id) AS members";

/// Decodes rows once all are fetched. `query_as` decodes (and frees) each row while SQLite's
/// worker thread makes the next one, and on SQLite both threads then contend for its global
/// allocator mutex on every value: for large reads that cost more than the query itself.
pub(super) fn decode_after_fetch<'r, Row: sqlx::Row, T: sqlx::FromRow<'r, Row>>(
    rows: &'r [Row],
) -> Result<Vec<T>, sqlx::Error> {
    rows.iter().map(T::from_row).collect()
}

/// Contracts due on `date` (active, started, not ended, with an active mandate and members),
/// after `after` in id order, at most `limit` contracts. Reads financial and identity data.
pub async fn due_contracts_page(
    tx: &mut Tx,
    grant: &Grant,
    date: Date,
    after: Option<ContractId>,
    limit: i64,
) -> Result<Vec<DueContract>, Error> {
    grant.require(
        None,
        &[DataCategory::Financial, DataCategory::Identity],
        Action::Read,
    )?;
    let members = match tx.backend() {
        Backend::Sqlite => MEMBERS_SQLITE,
        Backend::Postgres => MEMBERS_POSTGRES,
    };
    let sql = format!(
        "SELECT c.contract_id, m.mandate_id, m.signed_on, m.iban, m.account_holder, \
         m.amended_from_iban, m.successful_collections, m.last_first_failed, {members} \
         FROM contract c \
         JOIN mandate m ON m.contract_id = c.contract_id AND m.mandate_status = 'active' \
         WHERE c.contract_status = 'active' AND c.start_date <= $1 \
         AND (c.end_date IS NULL OR c.end_date >= $1) AND c.contract_id > $2 \
         ORDER BY c.contract_id LIMIT $3"
    );
    let after = after.map_or(Uuid::nil(), |c| c.uuid());
    let rows: Vec<DueRow> = on_tx!(tx, c => {
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(date)
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?;
        decode_after_fetch(&rows)
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        // As in a join: a contract without members is not due.
        if row.members.is_some() {
            out.push(DueContract::try_from(row)?);
        }
    }
    Ok(out)
}

/// Parses the members text of [`MEMBERS_SQLITE`] (hexadecimal ids) or [`MEMBERS_POSTGRES`]
/// (hyphenated ids).
fn parse_members(text: &str) -> Result<Vec<DueMember>, Error> {
    let bad = |col| corrupt("participant", col);
    text.split(';')
        .map(|member| {
            let mut fields = member.split(' ');
            let mut next = |col| fields.next().ok_or_else(|| bad(col));
            let participant = Uuid::parse_str(next("participant_id")?);
            let role = next("household_role")?.parse();
            let born = parse_date(next("date_of_birth")?);
            let budget = next("annual_budget_cents")?.parse();
            let account = Uuid::parse_str(next("ledger_account_id")?);
            Ok(DueMember {
                participant: ParticipantId::from_uuid(
                    participant.map_err(|_| bad("participant_id"))?,
                ),
                role: role.map_err(|_| bad("household_role"))?,
                date_of_birth: born.ok_or_else(|| bad("date_of_birth"))?,
                annual_budget: Cents::new(budget.map_err(|_| bad("annual_budget_cents"))?),
                budget: LedgerAccountId::from_uuid(
                    account.map_err(|_| corrupt("ledger_account", "ledger_account_id"))?,
                ),
            })
        })
        .collect()
}

/// A `YYYY-MM-DD` date.
fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let year = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

impl TryFrom<DueRow> for DueContract {
    type Error = Error;
    fn try_from(r: DueRow) -> Result<Self, Error> {
        let bad = |col| corrupt("mandate", col);
        Ok(DueContract {
            contract: ContractId::from_uuid(r.contract_id),
            mandate: r.mandate_id.parse().map_err(|_| bad("mandate_id"))?,
            mandate_signed_on: r.signed_on,
            iban: r.iban.parse().map_err(|_| bad("iban"))?,
            account_holder: r.account_holder,
            amended_from_iban: r
                .amended_from_iban
                .map(|i| i.parse().map_err(|_| bad("amended_from_iban")))
                .transpose()?,
            successful_collections: r.successful_collections,
            last_first_failed: r.last_first_failed,
            members: parse_members(r.members.as_deref().unwrap_or_default())?,
        })
    }
}
