//! Contributions (one direct debit per contract and date) and their lines: inserted by a run,
//! read back for the file and for returns, retried, and reminded.

use ixorg_domain::Cents;
use ixorg_domain::collection::SequenceType;
use ixorg_domain::identifiers::{Iban, MandateId};
use ixorg_domain::ids::{CollectionRunId, ContractId, LedgerAccountId, ParticipantId};
use ixorg_domain::privacy::{Action, DataCategory};
use ixorg_domain::timestamp::Timestamp;
use sqlx::AssertSqlSafe;
use time::Date;
use uuid::Uuid;

use super::due::decode_after_fetch;
use crate::error::corrupt;
use crate::gate::Grant;
use crate::sql::value_rows;
use crate::{Backend, Error, Tx, on_tx};

/// One member's part of a contribution: participant, saving, fee (including the premium) and
/// premium.
pub type ContributionLine = (ParticipantId, Cents, Cents, Cents);

/// A new contribution with its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewContribution {
    /// Its id.
    pub id: Uuid,
    /// The run.
    pub run: CollectionRunId,
    /// The contract.
    pub contract: ContractId,
    /// The mandate.
    pub mandate: MandateId,
    /// The end-to-end id (unique).
    pub end_to_end_id: String,
    /// The SEPA sequence type.
    pub sequence_type: SequenceType,
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
pub(super) const CHUNK_ROWS: usize = 400;

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
    now: Timestamp,
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
                    .bind(x.run.uuid())
                    .bind(x.contract.uuid())
                    .bind(x.mandate.as_str())
                    .bind(x.end_to_end_id.as_str())
                    .bind(x.sequence_type.as_str())
                    .bind(x.amount.get())
                    .bind(x.amendment_from_iban.as_ref().map(|i| i.expose().to_owned()))
                    .bind(x.debtor_iban.expose().to_owned())
                    .bind(x.debtor_name.as_str())
                    .bind(x.mandate_signed_on)
                    .bind(now.unix_ms())
                    .bind(now.unix_ms());
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
    run: CollectionRunId,
    sequence_type: &SequenceType,
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
            .bind(run.uuid())
            .bind(sequence_type.as_str())
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
    pub run: CollectionRunId,
    /// The contract.
    pub contract: ContractId,
    /// The mandate.
    pub mandate: MandateId,
    /// The SEPA sequence type.
    pub sequence_type: SequenceType,
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
    let head: Option<HeadRow> = on_tx!(tx, c =>
        sqlx::query_as(HEAD).bind(end_to_end_id).fetch_optional(&mut *c).await)?;
    head.map(contribution_of).transpose()
}

/// A contribution row without its lines: id, run, contract, mandate, sequence type, amount and
/// status, in that column order.
pub(super) type HeadRow = (Uuid, Uuid, Uuid, String, String, i64, String);

/// A contribution from its row, without its lines (see [`load_lines`]).
pub(super) fn contribution_of(row: HeadRow) -> Result<ContributionRef, Error> {
    let (id, run, contract, mandate, sequence_type, amount, status) = row;
    Ok(ContributionRef {
        id,
        run: CollectionRunId::from_uuid(run),
        contract: ContractId::from_uuid(contract),
        mandate: mandate
            .parse()
            .map_err(|_| corrupt("contribution", "mandate_id"))?,
        sequence_type: stored_sequence_type(&sequence_type)?,
        amount: Cents::new(amount),
        status,
        lines: Vec::new(),
    })
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
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE contribution SET contribution_status = $1, return_reason = $2, \
         updated_at_ms = $3 WHERE contribution_id = $4";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(status)
        .bind(reason)
        .bind(now.unix_ms())
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
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO reminder (contribution_id, contract_id, reason_code, \
         failures_in_a_row, reminder_step, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(contribution)
        .bind(contract.uuid())
        .bind(reason)
        .bind(i64::from(failures_in_a_row))
        .bind(step)
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A stored sequence type: exactly one of the codes [`SequenceType::as_str`] writes; any other
/// text is a corrupt row, never read as some default type.
pub(super) fn stored_sequence_type(text: &str) -> Result<SequenceType, Error> {
    SequenceType::from_name(text).ok_or_else(|| corrupt("contribution", "sequence_type"))
}
