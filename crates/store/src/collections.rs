//! Collection runs, contributions (one direct debit per contract and date) and their lines,
//! bank files and their entries, and the reminder flow.

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
use crate::sql::{in_list, value_rows};
use crate::{Backend, Error, Tx, on_tx};

/// A collection run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionRun {
    /// Its id.
    pub id: Uuid,
    /// The requested collection date.
    pub collection_date: Date,
    /// The pain.008 message id.
    pub message_id: String,
    /// Number of direct debits.
    pub transactions: i64,
    /// Their sum.
    pub control_sum: Cents,
    /// When the run was made (the file's creation time).
    pub created_at_ms: i64,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    collection_run_id: Uuid,
    collection_date: Date,
    message_id: String,
    transactions: i64,
    control_sum_cents: i64,
    created_at_ms: i64,
}

impl From<RunRow> for CollectionRun {
    fn from(r: RunRow) -> Self {
        CollectionRun {
            id: r.collection_run_id,
            collection_date: r.collection_date,
            message_id: r.message_id,
            transactions: r.transactions,
            control_sum: Cents::new(r.control_sum_cents),
            created_at_ms: r.created_at_ms,
        }
    }
}

/// The run for a collection date, if one was made.
pub async fn run_by_date(tx: &mut Tx, date: Date) -> Result<Option<CollectionRun>, Error> {
    const SQL: &str = "SELECT collection_run_id, collection_date, message_id, transactions, \
         control_sum_cents, created_at_ms FROM collection_run WHERE collection_date = $1";
    let row: Option<RunRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(date)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(CollectionRun::from))
}

/// The run whose pain.008 carried `message_id`, if we sent one.
pub async fn run_by_message_id(
    tx: &mut Tx,
    message_id: &str,
) -> Result<Option<CollectionRun>, Error> {
    const SQL: &str = "SELECT collection_run_id, collection_date, message_id, transactions, \
         control_sum_cents, created_at_ms FROM collection_run WHERE message_id = $1";
    let row: Option<RunRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(message_id)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(CollectionRun::from))
}

/// Stores a run.
pub async fn insert_run(tx: &mut Tx, run: &CollectionRun) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO collection_run (collection_run_id, collection_date, message_id, \
         transactions, control_sum_cents, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(run.id)
        .bind(run.collection_date)
        .bind(run.message_id.as_str())
        .bind(run.transactions)
        .bind(run.control_sum.get())
        .bind(run.created_at_ms)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets a run's totals once all its contributions are stored.
pub async fn set_run_totals(
    tx: &mut Tx,
    run: Uuid,
    transactions: i64,
    control_sum: Cents,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE collection_run SET transactions = $1, control_sum_cents = $2 \
         WHERE collection_run_id = $3";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(transactions)
        .bind(control_sum.get())
        .bind(run)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

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
fn decode_after_fetch<'r, Row: sqlx::Row, T: sqlx::FromRow<'r, Row>>(
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

/// One member's part of a contribution: participant, saving, fee (including the premium) and
/// premium.
pub type ContributionLine = (ParticipantId, Cents, Cents, Cents);

/// A new contribution with its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewContribution {
    /// Its id.
    pub id: Uuid,
    /// The run.
    pub run: Uuid,
    /// The contract.
    pub contract: ContractId,
    /// The mandate.
    pub mandate: MandateId,
    /// The end-to-end id (unique).
    pub end_to_end_id: String,
    /// `FRST`, `RCUR`, …
    pub sequence_type: &'static str,
    /// The total debited.
    pub amount: Cents,
    /// The previous IBAN when the debit carries a mandate amendment.
    pub amendment_from_iban: Option<Iban>,
    /// The debtor's IBAN at the time of the run.
    pub debtor_iban: Iban,
    /// The debtor's name at the time of the run.
    pub debtor_name: String,
    /// The mandate's signature date.
    pub mandate_signed_on: Date,
    /// Per member: participant, saving, fee, premium.
    pub lines: Vec<ContributionLine>,
}

/// Rows per multi-row insert or `IN` list.
const CHUNK_ROWS: usize = 400;

/// Contributions per insert: 13,000 parameters, under the 32,766 of SQLite and 65,535 of
/// PostgreSQL; fewer, larger statements mean fewer round trips to SQLite's worker thread.
const CONTRIBUTIONS_PER_INSERT: usize = 1_000;

/// Contribution lines per insert: 10,000 parameters.
const LINES_PER_INSERT: usize = 2_000;

/// Stores contributions and their lines (multi-row inserts).
pub async fn insert_contributions(
    tx: &mut Tx,
    grant: &Grant,
    contributions: &[NewContribution],
    now_ms: i64,
) -> Result<(), Error> {
    grant.require(None, &[DataCategory::Financial], Action::Change)?;
    let backend = tx.backend();
    let sql_of = |rows| {
        format!(
            "INSERT INTO contribution (contribution_id, collection_run_id, contract_id, \
             mandate_id, end_to_end_id, sequence_type, amount_cents, amendment_from_iban, \
             debtor_iban, debtor_name, mandate_signed_on, created_at_ms, updated_at_ms, \
             contribution_status) VALUES {}",
            value_rows(backend, rows, 13, ", 'sent'")
        )
    };
    let full = sql_of(CONTRIBUTIONS_PER_INSERT);
    for chunk in contributions.chunks(CONTRIBUTIONS_PER_INSERT) {
        let sql = if chunk.len() == CONTRIBUTIONS_PER_INSERT {
            full.clone()
        } else {
            sql_of(chunk.len())
        };
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
            for x in chunk {
                q = q
                    .bind(x.id)
                    .bind(x.run)
                    .bind(x.contract.uuid())
                    .bind(x.mandate.as_str())
                    .bind(x.end_to_end_id.as_str())
                    .bind(x.sequence_type)
                    .bind(x.amount.get())
                    .bind(x.amendment_from_iban.as_ref().map(|i| i.expose().to_owned()))
                    .bind(x.debtor_iban.expose().to_owned())
                    .bind(x.debtor_name.as_str())
                    .bind(x.mandate_signed_on)
                    .bind(now_ms)
                    .bind(now_ms);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    let lines: Vec<(Uuid, &ContributionLine)> = contributions
        .iter()
        .flat_map(|x| x.lines.iter().map(move |l| (x.id, l)))
        .collect();
    let sql_of = |rows| {
        format!(
            "INSERT INTO contribution_line (contribution_id, participant_id, saving_cents, \
             fee_cents, premium_cents) VALUES {}",
            value_rows(backend, rows, 5, "")
        )
    };
    let full = sql_of(LINES_PER_INSERT);
    for chunk in lines.chunks(LINES_PER_INSERT) {
        let sql = if chunk.len() == LINES_PER_INSERT {
            full.clone()
        } else {
            sql_of(chunk.len())
        };
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
            for (id, (p, saving, fee, premium)) in chunk {
                q = q
                    .bind(*id)
                    .bind(p.uuid())
                    .bind(saving.get())
                    .bind(fee.get())
                    .bind(premium.get());
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Number and sum of a run's direct debits per sequence type, in file order.
pub async fn run_totals(tx: &mut Tx, run: Uuid) -> Result<Vec<(String, i64, Cents)>, Error> {
    const SQL: &str = "SELECT sequence_type, COUNT(*), CAST(SUM(amount_cents) AS BIGINT) \
         FROM contribution WHERE collection_run_id = $1 GROUP BY sequence_type \
         ORDER BY sequence_type";
    let rows: Vec<(String, i64, i64)> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(run)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(s, n, sum)| (s, n, Cents::new(sum)))
        .collect())
}

/// One direct debit as written to the file.
#[derive(Clone, PartialEq, Eq)]
pub struct FileDebit {
    /// End-to-end id.
    pub end_to_end_id: String,
    /// Amount.
    pub amount: Cents,
    /// Mandate.
    pub mandate: MandateId,
    /// Signature date.
    pub signed_on: Date,
    /// Debtor IBAN.
    pub iban: Iban,
    /// Debtor name.
    pub account_holder: String,
    /// Previous IBAN when the debit carries an amendment.
    pub amendment_from_iban: Option<Iban>,
}

impl std::fmt::Debug for FileDebit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileDebit")
            .field("end_to_end_id", &self.end_to_end_id)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct FileRow {
    end_to_end_id: String,
    amount_cents: i64,
    mandate_id: String,
    signed_on: Date,
    iban: String,
    account_holder: String,
    amendment_from_iban: Option<String>,
}

/// A page of a run's debits of one sequence type, in end-to-end id order, with end-to-end ids
/// strictly between the bounds of `range` (after, before), which must enclose the run's ids.
pub async fn file_debits_page(
    tx: &mut Tx,
    grant: &Grant,
    run: Uuid,
    sequence_type: &str,
    range: (&str, &str),
    limit: i64,
) -> Result<Vec<FileDebit>, Error> {
    // SQLite would take the run's rows through the (run, contract) index and sort all of them
    // for every page; `+collection_run_id` keeps that index out, so the pages walk the
    // end-to-end id index within the range instead.
    const SQLITE: &str = "SELECT end_to_end_id, amount_cents, mandate_id, \
         mandate_signed_on AS signed_on, debtor_iban AS iban, debtor_name AS account_holder, \
         amendment_from_iban FROM contribution \
         WHERE +collection_run_id = $1 AND sequence_type = $2 AND end_to_end_id > $3 \
         AND end_to_end_id < $4 ORDER BY end_to_end_id LIMIT $5";
    const POSTGRES: &str = "SELECT end_to_end_id, amount_cents, mandate_id, \
         mandate_signed_on AS signed_on, debtor_iban AS iban, debtor_name AS account_holder, \
         amendment_from_iban FROM contribution \
         WHERE collection_run_id = $1 AND sequence_type = $2 AND end_to_end_id > $3 \
         AND end_to_end_id < $4 ORDER BY end_to_end_id LIMIT $5";
    grant.require(None, &[DataCategory::Financial], Action::Read)?;
    let sql = match tx.backend() {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let rows: Vec<FileRow> = on_tx!(tx, c => {
        let rows = sqlx::query(sql)
            .bind(run)
            .bind(sequence_type)
            .bind(range.0)
            .bind(range.1)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?;
        decode_after_fetch(&rows)
    })?;
    rows.into_iter()
        .map(|r| {
            let bad = |col| corrupt("contribution", col);
            Ok(FileDebit {
                end_to_end_id: r.end_to_end_id,
                amount: Cents::new(r.amount_cents),
                mandate: r.mandate_id.parse().map_err(|_| bad("mandate_id"))?,
                signed_on: r.signed_on,
                iban: r.iban.parse().map_err(|_| bad("iban"))?,
                account_holder: r.account_holder,
                amendment_from_iban: r
                    .amendment_from_iban
                    .map(|i| i.parse().map_err(|_| bad("amendment_from_iban")))
                    .transpose()?,
            })
        })
        .collect()
}

/// A contribution as reconciliation needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionRef {
    /// Its id.
    pub id: Uuid,
    /// Its collection run.
    pub run: Uuid,
    /// The contract.
    pub contract: ContractId,
    /// The mandate.
    pub mandate: MandateId,
    /// `FRST`, `RCUR`, …
    pub sequence_type: String,
    /// Amount.
    pub amount: Cents,
    /// `sent`, `settled`, `returned`, `rejected`.
    pub status: String,
    /// Per member: participant, saving, fee, premium, budget account.
    pub lines: Vec<(ParticipantId, Cents, Cents, Cents, LedgerAccountId)>,
}

/// A contribution by end-to-end id, without its lines (see [`load_lines`]).
pub async fn contribution_by_end_to_end(
    tx: &mut Tx,
    end_to_end_id: &str,
) -> Result<Option<ContributionRef>, Error> {
    const HEAD: &str = "SELECT contribution_id, collection_run_id, contract_id, mandate_id, \
         sequence_type, amount_cents, contribution_status FROM contribution \
         WHERE end_to_end_id = $1";
    let head: Option<(Uuid, Uuid, Uuid, String, String, i64, String)> = on_tx!(tx, c =>
        sqlx::query_as(HEAD).bind(end_to_end_id).fetch_optional(&mut *c).await)?;
    let Some((id, run, contract, mandate, sequence_type, amount, status)) = head else {
        return Ok(None);
    };
    Ok(Some(ContributionRef {
        id,
        run,
        contract: ContractId::from_uuid(contract),
        mandate: mandate
            .parse()
            .map_err(|_| corrupt("contribution", "mandate_id"))?,
        sequence_type,
        amount: Cents::new(amount),
        status,
        lines: Vec::new(),
    }))
}

/// Loads a contribution's lines (member, saving, fee, premium, budget account).
pub async fn load_lines(tx: &mut Tx, contribution: &mut ContributionRef) -> Result<(), Error> {
    const LINES: &str = "SELECT l.participant_id, l.saving_cents, l.fee_cents, l.premium_cents, \
         a.ledger_account_id FROM contribution_line l JOIN ledger_account a \
         ON a.participant_id = l.participant_id AND a.account_kind = 'budget' \
         WHERE l.contribution_id = $1 ORDER BY l.participant_id";
    let rows: Vec<(Uuid, i64, i64, i64, Uuid)> = on_tx!(tx, c =>
        sqlx::query_as(LINES).bind(contribution.id).fetch_all(&mut *c).await)?;
    contribution.lines = rows
        .into_iter()
        .map(|(p, s, f, pr, a)| {
            (
                ParticipantId::from_uuid(p),
                Cents::new(s),
                Cents::new(f),
                Cents::new(pr),
                LedgerAccountId::from_uuid(a),
            )
        })
        .collect();
    Ok(())
}

/// Moves a contribution to a new status (with the bank's reason code for a failure).
pub async fn set_contribution_status(
    tx: &mut Tx,
    id: Uuid,
    status: &str,
    reason: Option<&str>,
    now_ms: i64,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE contribution SET contribution_status = $1, return_reason = $2, \
         updated_at_ms = $3 WHERE contribution_id = $4";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(status)
        .bind(reason)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many of the contract's latest contributions failed in a row (returned or rejected).
pub async fn failures_in_a_row(tx: &mut Tx, contract: ContractId) -> Result<u32, Error> {
    const SQL: &str = "SELECT x.contribution_status FROM contribution x \
         JOIN collection_run r ON r.collection_run_id = x.collection_run_id \
         WHERE x.contract_id = $1 ORDER BY r.collection_date DESC LIMIT 24";
    let statuses: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(SQL)
        .bind(contract.uuid())
        .fetch_all(&mut *c)
        .await)?;
    let n = statuses
        .iter()
        .take_while(|s| *s == "returned" || *s == "rejected")
        .count();
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Missed contributions to collect again ("retry in the next run"): for the contracts from
/// `first` to `last` in id order, each returned contribution whose reminder step is
/// `retry_next_run` and that no later run has retried yet, with its lines.
pub async fn pending_retries(
    tx: &mut Tx,
    first: ContractId,
    last: ContractId,
) -> Result<Vec<(ContractId, Uuid, ContributionLine)>, Error> {
    const SQL: &str = "SELECT r.contract_id, r.contribution_id, l.participant_id, \
         l.saving_cents, l.fee_cents, l.premium_cents FROM reminder r JOIN contribution_line l \
         ON l.contribution_id = r.contribution_id WHERE r.reminder_step = 'retry_next_run' \
         AND r.retried_by_contribution_id IS NULL \
         AND r.contract_id >= $1 AND r.contract_id <= $2 \
         ORDER BY r.contract_id, r.contribution_id, l.participant_id";
    type Row = (Uuid, Uuid, Uuid, i64, i64, i64);
    let rows: Vec<Row> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(first.uuid())
        .bind(last.uuid())
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(contract, id, p, s, f, pr)| {
            (
                ContractId::from_uuid(contract),
                id,
                (
                    ParticipantId::from_uuid(p),
                    Cents::new(s),
                    Cents::new(f),
                    Cents::new(pr),
                ),
            )
        })
        .collect())
}

/// Marks missed contributions as collected again by a new contribution.
pub async fn mark_retried(tx: &mut Tx, retried: &[(Uuid, Uuid)]) -> Result<(), Error> {
    const SQL: &str = "UPDATE reminder SET retried_by_contribution_id = $1 \
         WHERE contribution_id = $2";
    for (old, new) in retried {
        on_tx!(tx, c => sqlx::query(SQL)
            .bind(*new)
            .bind(*old)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Records a reminder step for a failed contribution.
pub async fn insert_reminder(
    tx: &mut Tx,
    contribution: Uuid,
    contract: ContractId,
    reason: &str,
    failures_in_a_row: u32,
    step: &str,
    now_ms: i64,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO reminder (contribution_id, contract_id, reason_code, \
         failures_in_a_row, reminder_step, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(contribution)
        .bind(contract.uuid())
        .bind(reason)
        .bind(i64::from(failures_in_a_row))
        .bind(step)
        .bind(now_ms)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A bank file already imported with this content hash, as (id, kind, document id).
pub async fn bank_file_by_hash(
    tx: &mut Tx,
    sha256: &[u8],
) -> Result<Option<(Uuid, String, String)>, Error> {
    const SQL: &str =
        "SELECT bank_file_id, file_kind, document_id FROM bank_file WHERE content_sha256 = $1";
    Ok(on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(sha256)
        .fetch_optional(&mut *c)
        .await)?)
}

/// Stores an imported bank file.
pub async fn insert_bank_file(
    tx: &mut Tx,
    id: Uuid,
    kind: &str,
    sha256: &[u8],
    document_id: &str,
    entries: i64,
    now_ms: i64,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO bank_file (bank_file_id, file_kind, content_sha256, \
         document_id, entries, imported_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(id)
        .bind(kind)
        .bind(sha256)
        .bind(document_id)
        .bind(entries)
        .bind(now_ms)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One entry of a bank file and what it matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankEntry {
    /// Position in the file.
    pub index: i64,
    /// Amount.
    pub amount: Cents,
    /// Credit (money in) or debit.
    pub credit: bool,
    /// End-to-end id, if the bank gave one.
    pub end_to_end_id: Option<String>,
    /// Return or reject reason.
    pub reason_code: Option<String>,
    /// `settled`, `returned`, `rejected`, `unmatched`, `duplicate`, `ignored`.
    pub outcome: &'static str,
    /// The contribution matched.
    pub contribution: Option<Uuid>,
}

/// Stores entries of an imported bank file.
pub async fn insert_bank_entries(
    tx: &mut Tx,
    file: Uuid,
    entries: &[BankEntry],
) -> Result<(), Error> {
    let backend = tx.backend();
    for chunk in entries.chunks(CHUNK_ROWS) {
        let sql = format!(
            "INSERT INTO bank_entry (bank_file_id, entry_index, amount_cents, credit, \
             end_to_end_id, reason_code, match_outcome, contribution_id) VALUES {}",
            value_rows(backend, chunk.len(), 8, "")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
            for e in chunk {
                q = q
                    .bind(file)
                    .bind(e.index)
                    .bind(e.amount.get())
                    .bind(e.credit)
                    .bind(e.end_to_end_id.as_deref())
                    .bind(e.reason_code.as_deref())
                    .bind(e.outcome)
                    .bind(e.contribution);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Entries that matched nothing, for staff to look at (never guessed).
pub async fn unmatched_entries(tx: &mut Tx, limit: i64) -> Result<Vec<BankEntry>, Error> {
    const SQL: &str = "SELECT entry_index, amount_cents, credit, end_to_end_id, reason_code \
         FROM bank_entry WHERE match_outcome = 'unmatched' ORDER BY bank_file_id, entry_index \
         LIMIT $1";
    type EntryRow = (i64, i64, bool, Option<String>, Option<String>);
    let rows: Vec<EntryRow> = on_tx!(tx, c =>
        sqlx::query_as(SQL).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(index, amount, credit, e2e, reason)| BankEntry {
            index,
            amount: Cents::new(amount),
            credit,
            end_to_end_id: e2e,
            reason_code: reason,
            outcome: "unmatched",
            contribution: None,
        })
        .collect())
}

/// Contributions by end-to-end id, without lines, for a batch of ids.
pub async fn contributions_by_end_to_end(
    tx: &mut Tx,
    end_to_end_ids: &[&str],
) -> Result<std::collections::HashMap<String, ContributionRef>, Error> {
    let mut out = std::collections::HashMap::with_capacity(end_to_end_ids.len());
    let backend = tx.backend();
    for chunk in end_to_end_ids.chunks(CHUNK_ROWS) {
        let list = in_list(backend, 1, chunk.len());
        let sql = format!(
            "SELECT contribution_id, collection_run_id, contract_id, mandate_id, sequence_type, \
             amount_cents, contribution_status, end_to_end_id FROM contribution \
             WHERE end_to_end_id IN ({list})"
        );
        type Row = (Uuid, Uuid, Uuid, String, String, i64, String, String);
        let rows: Vec<Row> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut *c).await
        })?;
        for (id, run, contract, mandate, sequence_type, amount, status, e2e) in rows {
            out.insert(
                e2e,
                ContributionRef {
                    id,
                    run,
                    contract: ContractId::from_uuid(contract),
                    mandate: mandate
                        .parse()
                        .map_err(|_| corrupt("contribution", "mandate_id"))?,
                    sequence_type,
                    amount: Cents::new(amount),
                    status,
                    lines: Vec::new(),
                },
            );
        }
    }
    Ok(out)
}

/// Marks contributions settled and counts a settled collection on each of their mandates
/// (`mandates` may name a mandate more than once).
pub async fn settle_many(
    tx: &mut Tx,
    contributions: &[Uuid],
    mandates: &[MandateId],
    now_ms: i64,
) -> Result<(), Error> {
    let backend = tx.backend();
    for chunk in contributions.chunks(CHUNK_ROWS) {
        let list = in_list(backend, 1, chunk.len());
        let (first, rest) = match backend {
            Backend::Sqlite => ("?".to_owned(), list),
            Backend::Postgres => {
                // The list's placeholders start at $1; shift them by one for the timestamp.
                let shifted = (0..chunk.len())
                    .map(|i| format!("${}", i + 2))
                    .collect::<Vec<_>>()
                    .join(", ");
                ("$1".to_owned(), shifted)
            }
        };
        let sql = format!(
            "UPDATE contribution SET contribution_status = 'settled', updated_at_ms = {first} \
             WHERE contribution_id IN ({rest})"
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone())).bind(now_ms);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    let mut counted: Vec<(&MandateId, i64)> = Vec::new();
    for m in mandates {
        match counted.iter_mut().find(|(x, _)| *x == m) {
            Some((_, n)) => *n += 1,
            None => counted.push((m, 1)),
        }
    }
    let ones: Vec<&MandateId> = counted
        .iter()
        .filter(|(_, n)| *n == 1)
        .map(|(m, _)| *m)
        .collect();
    for chunk in ones.chunks(CHUNK_ROWS) {
        let list = match backend {
            Backend::Sqlite => vec!["?"; chunk.len()].join(", "),
            Backend::Postgres => (0..chunk.len())
                .map(|i| format!("${}", i + 3))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let (a, b) = match backend {
            Backend::Sqlite => ("?", "?"),
            Backend::Postgres => ("$1", "$2"),
        };
        let sql = format!(
            "UPDATE mandate SET successful_collections = successful_collections + 1, \
             last_first_failed = {a}, updated_at_ms = {b} WHERE mandate_id IN ({list})"
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.clone())).bind(false).bind(now_ms);
            for m in chunk {
                q = q.bind(m.as_str());
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    const MANDATE: &str = "UPDATE mandate SET successful_collections = successful_collections + $1, \
         last_first_failed = $2, updated_at_ms = $3 WHERE mandate_id = $4";
    for (mandate, n) in counted.into_iter().filter(|(_, n)| *n > 1) {
        on_tx!(tx, c => sqlx::query(MANDATE)
            .bind(n)
            .bind(false)
            .bind(now_ms)
            .bind(mandate.as_str())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}
