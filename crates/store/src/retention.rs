//! Retention and erasure: the only SQL that erases, anonymises or deletes personal data.
//!
//! Two callers. The retention job ([`expire_category`], [`fold_site_visits`],
//! [`prune_access_log`]) removes, per category and in bulk, what the domain's retention rules
//! ([`ixorg_domain::privacy::retention`]) say has expired on a day. An erasure request
//! ([`erase`], [`restrict`], [`mark_erased`]) removes one participant's data of the categories
//! no law obliges the operator to keep. Every statement changes only rows that still hold data,
//! so a second run changes nothing and the counts are rows actually changed.
//!
//! Which (table, category) each statement handles is declared next to it; a test checks those
//! declarations against the field registry, so a new table with personal data cannot be
//! forgotten here. The ledger (`ledger_transfer`, `ledger_account`) is never touched: it is
//! append-only and names nobody; its accounts point at a participant row that stays, emptied.

use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::{ParticipantId, PrivacyRequestId};
use ixorg_domain::privacy::retention::{self, RetentionRule, Start};
use ixorg_domain::privacy::{Action, DataCategory};
use time::Date;
use uuid::Uuid;

use crate::chain::{self, Chain, Head};
use crate::error::corrupt;
use crate::gate::Grant;
use crate::sql::value_rows;
use crate::{Backend, Error, Tx, on_tx};

use DataCategory::{
    Account, Care, Consent, Contact, Financial, Identity, NationalId, PrivacyRecord, ProviderLink,
    Technical,
};

/// Rows changed in one table for one category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    /// The category whose data was removed.
    pub category: DataCategory,
    /// The table.
    pub table: &'static str,
    /// Rows changed or deleted.
    pub rows: u64,
}

/// How the `$1` of an expiry statement is chosen from the category's rule and the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    /// The last contract end date whose data expired ([`RetentionRule::relation_ended_by`]).
    EndedBy,
    /// The first recording date still kept ([`RetentionRule::recorded_before`]), as a date.
    Before,
    /// The same, as unix milliseconds of its midnight (UTC).
    BeforeMs,
}

/// One SQL statement of the retention job or of an erasure.
#[derive(Clone, Copy, Debug)]
struct Statement {
    category: DataCategory,
    table: &'static str,
    bound: Bound,
    sql: &'static str,
    /// PostgreSQL's text where the dialects differ.
    postgres: Option<&'static str>,
}

const fn stmt(
    category: DataCategory,
    table: &'static str,
    bound: Bound,
    sql: &'static str,
) -> Statement {
    Statement {
        category,
        table,
        bound,
        sql,
        postgres: None,
    }
}

/// Requests closed before `$1` (ms) that no restriction or kept change refers to.
macro_rules! closed_requests {
    () => {
        "SELECT r.privacy_request_id FROM privacy_request r \
         WHERE r.closed_at_ms < $1 \
         AND NOT EXISTS (SELECT 1 FROM processing_restriction x \
             WHERE x.privacy_request_id = r.privacy_request_id) \
         AND NOT EXISTS (SELECT 1 FROM personal_data_change h \
             WHERE h.privacy_request_id = r.privacy_request_id)"
    };
}

/// The contact fields emptied; the first two digits of the postcode stay (a region, for
/// statistics).
macro_rules! contact_cleared {
    () => {
        "street = '', house_number = 0, house_number_addition = '', \
         postcode = substr(postcode, 1, 2), city = '', email = NULL, phone = NULL"
    };
}

/// True while a participant row still holds contact data.
macro_rules! contact_held {
    () => {
        "street <> '' OR house_number <> 0 OR house_number_addition <> '' \
         OR length(postcode) > 2 OR city <> '' OR email IS NOT NULL OR phone IS NOT NULL"
    };
}

/// Participants of contracts that ended on or before `$1`.
macro_rules! ended_by {
    () => {
        "SELECT p.participant_id FROM participant p JOIN contract c \
         ON c.contract_id = p.contract_id WHERE c.end_date <= $1"
    };
}

/// Contracts whose last financial record lies in a book year before `$1`: ended before it, and
/// no contribution collected or treatment declared on or after it.
macro_rules! books_closed {
    () => {
        "SELECT c.contract_id FROM contract c WHERE c.end_date < $1 \
         AND NOT EXISTS (SELECT 1 FROM contribution k JOIN collection_run r \
             ON r.collection_run_id = k.collection_run_id \
             WHERE k.contract_id = c.contract_id AND r.collection_date >= $1) \
         AND NOT EXISTS (SELECT 1 FROM declaration_line d JOIN participant q \
             ON q.participant_id = d.participant_id \
             WHERE q.contract_id = c.contract_id AND d.treatment_date >= $1)"
    };
}

/// Participants of the contracts of [`books_closed`].
macro_rules! identity_expired {
    () => {
        concat!(
            "SELECT participant_id FROM participant WHERE contract_id IN (",
            books_closed!(),
            ")"
        )
    };
}

/// The retention job's statements, in the order they run within a category. The account's
/// participant number, site visits and the access log have functions of their own.
const EXPIRE: &[Statement] = &[
    stmt(
        NationalId,
        "participant",
        Bound::EndedBy,
        concat!(
            "UPDATE participant SET bsn_ciphertext = NULL, bsn_blind_index = NULL \
             WHERE bsn_blind_index IS NOT NULL AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        NationalId,
        "personal_data_change",
        Bound::EndedBy,
        concat!(
            "UPDATE personal_data_change SET old_national_id = NULL \
             WHERE old_national_id IS NOT NULL AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        NationalId,
        "privacy_request",
        Bound::EndedBy,
        concat!(
            "UPDATE privacy_request SET proposed_national_id = NULL \
             WHERE proposed_national_id IS NOT NULL AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        ProviderLink,
        "participant",
        Bound::EndedBy,
        concat!(
            "UPDATE participant SET practice_id = NULL \
             WHERE practice_id IS NOT NULL AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Contact,
        "participant",
        Bound::EndedBy,
        concat!(
            "UPDATE participant SET ",
            contact_cleared!(),
            " WHERE (",
            contact_held!(),
            ") AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Contact,
        "personal_data_change",
        Bound::EndedBy,
        concat!(
            "UPDATE personal_data_change SET old_contact = NULL \
             WHERE old_contact IS NOT NULL AND participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Account,
        "portal_activation",
        Bound::EndedBy,
        concat!(
            "DELETE FROM portal_activation WHERE participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Consent,
        "consent_event",
        Bound::EndedBy,
        concat!(
            "DELETE FROM consent_event WHERE participant_id IN (",
            ended_by!(),
            ")"
        ),
    ),
    stmt(
        Consent,
        "contract",
        Bound::EndedBy,
        "UPDATE contract SET provider_view_consent = (1 = 0) \
         WHERE provider_view_consent = (1 = 1) AND end_date <= $1",
    ),
    Statement {
        category: Identity,
        table: "participant",
        bound: Bound::Before,
        sql: concat!(
            "UPDATE participant SET first_names = '', initials = '', surname_prefix = '', \
             surname = '', date_of_birth = substr(date_of_birth, 1, 4) || '-01-01' \
             WHERE (surname <> '' OR first_names <> '' OR initials <> '' \
                 OR surname_prefix <> '' OR substr(date_of_birth, 6, 5) <> '01-01') \
             AND participant_id IN (",
            identity_expired!(),
            ")"
        ),
        postgres: Some(concat!(
            "UPDATE participant SET first_names = '', initials = '', surname_prefix = '', \
             surname = '', date_of_birth = date_trunc('year', date_of_birth)::date \
             WHERE (surname <> '' OR first_names <> '' OR initials <> '' \
                 OR surname_prefix <> '' OR date_of_birth <> date_trunc('year', date_of_birth)) \
             AND participant_id IN (",
            identity_expired!(),
            ")"
        )),
    },
    stmt(
        Identity,
        "personal_data_change",
        Bound::Before,
        concat!(
            "UPDATE personal_data_change SET old_identity = NULL \
             WHERE old_identity IS NOT NULL AND participant_id IN (",
            identity_expired!(),
            ")"
        ),
    ),
    stmt(
        Identity,
        "privacy_request",
        Bound::Before,
        concat!(
            "UPDATE privacy_request SET proposed_identity = NULL \
             WHERE proposed_identity IS NOT NULL AND participant_id IN (",
            identity_expired!(),
            ")"
        ),
    ),
    stmt(
        Financial,
        "contribution",
        Bound::Before,
        "UPDATE contribution SET debtor_iban = '', debtor_name = '', amendment_from_iban = NULL \
         WHERE (debtor_iban <> '' OR debtor_name <> '' OR amendment_from_iban IS NOT NULL) \
         AND collection_run_id IN \
             (SELECT collection_run_id FROM collection_run WHERE collection_date < $1)",
    ),
    stmt(
        Financial,
        "contract",
        Bound::Before,
        concat!(
            "UPDATE contract SET iban = '', account_holder = '' \
             WHERE (iban <> '' OR account_holder <> '') AND contract_id IN (",
            books_closed!(),
            ")"
        ),
    ),
    stmt(
        Financial,
        "mandate",
        Bound::Before,
        concat!(
            "UPDATE mandate SET iban = '', account_holder = '', amended_from_iban = NULL \
             WHERE (iban <> '' OR account_holder <> '' OR amended_from_iban IS NOT NULL) \
             AND contract_id IN (",
            books_closed!(),
            ")"
        ),
    ),
    stmt(
        Financial,
        "personal_data_change",
        Bound::Before,
        concat!(
            "UPDATE personal_data_change SET old_financial = NULL \
             WHERE old_financial IS NOT NULL AND participant_id IN (",
            identity_expired!(),
            ")"
        ),
    ),
    stmt(
        Financial,
        "privacy_request",
        Bound::Before,
        concat!(
            "UPDATE privacy_request SET proposed_iban = NULL, proposed_account_holder = NULL \
             WHERE (proposed_iban IS NOT NULL OR proposed_account_holder IS NOT NULL) \
             AND participant_id IN (",
            identity_expired!(),
            ")"
        ),
    ),
    stmt(
        Care,
        "declaration_line",
        Bound::Before,
        "UPDATE declaration_line SET participant_id = NULL \
         WHERE participant_id IS NOT NULL AND treatment_date < $1",
    ),
    stmt(
        PrivacyRecord,
        "disclosure",
        Bound::BeforeMs,
        "DELETE FROM disclosure WHERE disclosed_at_ms < $1",
    ),
    stmt(
        PrivacyRecord,
        "personal_data_change",
        Bound::BeforeMs,
        "DELETE FROM personal_data_change WHERE changed_at_ms < $1",
    ),
    stmt(
        PrivacyRecord,
        "privacy_request_event",
        Bound::BeforeMs,
        concat!(
            "DELETE FROM privacy_request_event WHERE privacy_request_id IN (",
            closed_requests!(),
            ")"
        ),
    ),
    stmt(
        PrivacyRecord,
        "privacy_request",
        Bound::BeforeMs,
        concat!(
            "DELETE FROM privacy_request WHERE privacy_request_id IN (",
            closed_requests!(),
            ")"
        ),
    ),
];

/// What the retention job leaves in place, per (table, category), and why. With [`EXPIRE`] and
/// the job's own functions this covers every personal column of the registry (a test checks).
pub const KEPT_AT_EXPIRY: &[(&str, DataCategory, &str)] = &[
    (
        "participant",
        Financial,
        "the annual budget: an amount, anonymous once the identity is gone",
    ),
    (
        "ledger_account",
        Financial,
        "the ledger is append-only and names nobody; balances stay",
    ),
    (
        "ledger_transfer",
        Financial,
        "the ledger is append-only and names nobody",
    ),
    (
        "contribution",
        Financial,
        "amounts and statuses: anonymous once the debtor's IBAN and name are gone",
    ),
    (
        "contribution_line",
        Financial,
        "amounts, anonymous once the identity is gone",
    ),
    (
        "bank_entry",
        Financial,
        "amounts and reason codes, naming nobody",
    ),
    ("reminder", Financial, "reason codes, naming nobody"),
    (
        "yearend_deduction",
        Financial,
        "amounts, anonymous once the identity is gone",
    ),
    (
        "settlement",
        Financial,
        "amounts, anonymous once the identity is gone",
    ),
    (
        "budget_change",
        Financial,
        "amounts, anonymous once the identity is gone",
    ),
    (
        "contract",
        Financial,
        "dates, anonymous once the IBAN and account holder are gone",
    ),
    (
        "mandate",
        Financial,
        "the mandate reference and dates, naming nobody once the IBAN is gone",
    ),
    (
        "declaration_line",
        Financial,
        "amounts of a line that no longer names a participant",
    ),
    (
        "processing_restriction",
        PrivacyRecord,
        "restricts the data still kept; stays with the participant row",
    ),
];

/// The (table, category) pairs the retention job removes data from.
pub fn expiry_coverage() -> Vec<(&'static str, DataCategory)> {
    let mut out: Vec<(&'static str, DataCategory)> =
        EXPIRE.iter().map(|s| (s.table, s.category)).collect();
    out.extend([
        ("participant", Account),
        ("site_visit", Technical),
        ("access_log", PrivacyRecord),
    ]);
    out
}

/// The statement's `$1` for `today`, or `None` when the rule gives none (a rule that does not
/// fit the statement: a bug in the table above, refused rather than guessed).
fn bound_for(rule: &RetentionRule, bound: Bound, today: Date) -> Option<BoundValue> {
    match bound {
        Bound::EndedBy => rule.relation_ended_by(today).map(BoundValue::Date),
        Bound::Before => rule.recorded_before(today).map(BoundValue::Date),
        Bound::BeforeMs => rule
            .recorded_before(today)
            .map(|d| BoundValue::Ms(midnight_ms(d))),
    }
}

#[derive(Clone, Copy, Debug)]
enum BoundValue {
    Date(Date),
    Ms(i64),
}

/// Unix milliseconds of `date`'s midnight, UTC.
pub fn midnight_ms(date: Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp() * 1_000
}

fn rule_of(category: DataCategory) -> Result<&'static RetentionRule, Error> {
    retention::rule(category).ok_or(Error::Corrupt("a category without a retention rule".into()))
}

async fn run_bound(tx: &mut Tx, sql: &'static str, value: BoundValue) -> Result<u64, Error> {
    let rows = match value {
        BoundValue::Date(d) => on_tx!(tx, c => sqlx::query(sql).bind(d).execute(&mut *c).await
                .map(|r| r.rows_affected()))?,
        BoundValue::Ms(ms) => on_tx!(tx, c => sqlx::query(sql).bind(ms).execute(&mut *c).await
                .map(|r| r.rows_affected()))?,
    };
    Ok(rows)
}

/// Removes the data of `category` that expired on `today`, in every table that holds it
/// (technical data and the access log: see [`fold_site_visits`], [`prune_access_log`]).
/// Returns the rows changed per table (tables without changes included, with 0).
pub async fn expire_category(
    tx: &mut Tx,
    grant: &Grant,
    category: DataCategory,
    today: Date,
    now_ms: i64,
) -> Result<Vec<Counted>, Error> {
    grant.require(None, &[category], Action::Change)?;
    let rule = rule_of(category)?;
    let backend = tx.backend();
    let mut out = Vec::new();
    for s in EXPIRE.iter().filter(|s| s.category == category) {
        let Some(value) = bound_for(rule, s.bound, today) else {
            return Err(Error::Corrupt(
                "a retention statement does not fit its rule".into(),
            ));
        };
        let sql = match (backend, s.postgres) {
            (Backend::Postgres, Some(pg)) => pg,
            _ => s.sql,
        };
        let rows = run_bound(tx, sql, value).await?;
        out.push(Counted {
            category,
            table: s.table,
            rows,
        });
    }
    if category == Account {
        let rows = close_expired_accounts(tx, rule, today, now_ms).await?;
        out.push(Counted {
            category,
            table: "participant",
            rows,
        });
    }
    Ok(out)
}

/// How many participants get a fresh number per statement.
const RENUMBER_CHUNK: usize = 500;

/// Closes the accounts of participants whose account data expired: each gets a fresh
/// participant number that nobody was ever told, so the old one leads nowhere.
async fn close_expired_accounts(
    tx: &mut Tx,
    rule: &RetentionRule,
    today: Date,
    now_ms: i64,
) -> Result<u64, Error> {
    const DUE: &str = concat!(
        "SELECT participant_id FROM participant WHERE account_closed_at_ms IS NULL \
         AND participant_id IN (",
        ended_by!(),
        ") ORDER BY participant_id LIMIT $2"
    );
    if rule.start != Start::EndOfRelation {
        return Err(Error::Corrupt(
            "account data expires with the contract".into(),
        ));
    }
    let Some(ended_by) = rule.relation_ended_by(today) else {
        return Ok(0);
    };
    let limit = i64::try_from(RENUMBER_CHUNK).expect("BUG: the chunk is small");
    let mut total = 0;
    loop {
        let ids: Vec<Uuid> = on_tx!(tx, c => sqlx::query_scalar(DUE)
            .bind(ended_by)
            .bind(limit)
            .fetch_all(&mut *c)
            .await)?;
        if ids.is_empty() {
            return Ok(total);
        }
        total += renumber(tx, &ids, now_ms).await?;
    }
}

/// Gives each participant in `ids` a fresh participant number and records when the account
/// was closed.
async fn renumber(tx: &mut Tx, ids: &[Uuid], now_ms: i64) -> Result<u64, Error> {
    const DRAW: &str = "UPDATE sequence_counter SET next_value = next_value + $1 \
         WHERE counter_name = 'participant_number' RETURNING next_value - $1";
    let n = i64::try_from(ids.len()).map_err(|_| corrupt("participant", "participant_id"))?;
    let first: i64 = on_tx!(tx, c => sqlx::query_scalar(DRAW).bind(n).fetch_one(&mut *c).await)?;
    let numbers = (first..first + n)
        .map(|seq| {
            u32::try_from(seq)
                .ok()
                .and_then(|s| ParticipantNumber::from_sequence(s).ok())
                .ok_or_else(|| corrupt("sequence_counter", "next_value"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let sql = format!(
        "UPDATE participant SET participant_number = v.column2, account_closed_at_ms = {now_ms} \
         FROM (VALUES {}) AS v WHERE participant.participant_id = v.column1",
        value_rows(tx.backend(), ids.len(), 2, "")
    );
    let rows = on_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for (id, number) in ids.iter().zip(&numbers) {
            q = q.bind(*id).bind(number.as_str().to_owned());
        }
        q.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(rows)
}

/// What folding the expired site visits did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Folded {
    /// Visits deleted (each counted into the daily aggregate first).
    pub visits_deleted: u64,
    /// Rows of `site_visit_daily` added or increased.
    pub days_counted: u64,
}

/// The Julian day of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
/// Aggregate rows written per statement.
const DAILY_CHUNK: usize = 1_000;

/// Folds site visits older than the technical-data rule allows (90 days) into the daily counts
/// per page, then deletes them (`PRIVACY.md` §1, promise P8).
pub async fn fold_site_visits(tx: &mut Tx, grant: &Grant, today: Date) -> Result<Folded, Error> {
    const GROUPED: &str = "SELECT visited_at_ms / 86400000, path, COUNT(*) FROM site_visit \
         WHERE visited_at_ms < $1 GROUP BY visited_at_ms / 86400000, path";
    const DELETE: &str = "DELETE FROM site_visit WHERE visited_at_ms < $1";
    grant.require(None, &[Technical], Action::Change)?;
    let Some(before) = rule_of(Technical)?.recorded_before(today) else {
        return Err(Error::Corrupt(
            "technical data is kept from when it was recorded".into(),
        ));
    };
    let before_ms = midnight_ms(before);
    let groups: Vec<(i64, String, i64)> = on_tx!(tx, c => sqlx::query_as(GROUPED)
        .bind(before_ms)
        .fetch_all(&mut *c)
        .await)?;
    let backend = tx.backend();
    let mut days_counted = 0;
    for chunk in groups.chunks(DAILY_CHUNK) {
        let sql = format!(
            "INSERT INTO site_visit_daily (day, path, visits) VALUES {} \
             ON CONFLICT (day, path) DO UPDATE SET visits = site_visit_daily.visits + excluded.visits",
            value_rows(backend, chunk.len(), 3, "")
        );
        let rows = on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (day_number, path, visits) in chunk {
                let julian = i32::try_from(UNIX_EPOCH_JULIAN_DAY + day_number)
                    .map_err(|_| corrupt("site_visit", "visited_at_ms"))?;
                let day = Date::from_julian_day(julian)
                    .map_err(|_| corrupt("site_visit", "visited_at_ms"))?;
                q = q.bind(day).bind(path.as_str()).bind(*visits);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        days_counted += rows;
    }
    let visits_deleted = on_tx!(tx, c => sqlx::query(DELETE)
        .bind(before_ms)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(Folded {
        visits_deleted,
        days_counted,
    })
}

/// Deletes the access-log entries older than the privacy-record rule allows, as a prefix of the
/// chain: the chain's anchor moves first to the last entry deleted (its sequence and hash), so
/// verification starts from there and still finds any changed, removed or inserted entry after
/// it. Returns the entries deleted.
pub async fn prune_access_log(tx: &mut Tx, grant: &Grant, today: Date) -> Result<u64, Error> {
    const FIRST_KEPT: &str = "SELECT MIN(sequence) FROM access_log WHERE occurred_at_ms >= $1";
    const HASH_OF: &str = "SELECT entry_hash FROM access_log WHERE sequence = $1";
    const DELETE: &str = "DELETE FROM access_log WHERE sequence <= $1";
    grant.require(None, &[PrivacyRecord], Action::Change)?;
    let Some(before) = rule_of(PrivacyRecord)?.recorded_before(today) else {
        return Err(Error::Corrupt(
            "privacy records are kept by book year".into(),
        ));
    };
    let head = chain::lock_head(tx, Chain::AccessLog).await?;
    let anchor = chain::read_anchor(tx, Chain::AccessLog).await?;
    let first_kept: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(FIRST_KEPT)
        .bind(midnight_ms(before))
        .fetch_one(&mut *c)
        .await)?;
    let last_pruned = first_kept.map_or(head.last_sequence, |s| s - 1);
    if last_pruned <= anchor.last_sequence {
        return Ok(0);
    }
    let hash: Vec<u8> = on_tx!(tx, c => sqlx::query_scalar(HASH_OF)
        .bind(last_pruned)
        .fetch_one(&mut *c)
        .await)?;
    let last_hash =
        chain::Hash::try_from(hash.as_slice()).map_err(|_| corrupt("access_log", "entry_hash"))?;
    chain::set_anchor(
        tx,
        Chain::AccessLog,
        Head {
            last_sequence: last_pruned,
            last_hash,
        },
    )
    .await?;
    let rows = on_tx!(tx, c => sqlx::query(DELETE)
        .bind(last_pruned)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(rows)
}

/// An erasure's statements: `$1` is the participant. Each removes one category from one
/// table; the account's number has a function of its own ([`erase`]).
const ERASE: &[(DataCategory, &str, &str)] = &[
    (
        Contact,
        "participant",
        concat!(
            "UPDATE participant SET ",
            contact_cleared!(),
            " WHERE participant_id = $1 AND (",
            contact_held!(),
            ")"
        ),
    ),
    (
        Contact,
        "personal_data_change",
        "UPDATE personal_data_change SET old_contact = NULL \
         WHERE participant_id = $1 AND old_contact IS NOT NULL",
    ),
    (
        NationalId,
        "participant",
        "UPDATE participant SET bsn_ciphertext = NULL, bsn_blind_index = NULL \
         WHERE participant_id = $1 AND bsn_blind_index IS NOT NULL",
    ),
    (
        NationalId,
        "personal_data_change",
        "UPDATE personal_data_change SET old_national_id = NULL \
         WHERE participant_id = $1 AND old_national_id IS NOT NULL",
    ),
    (
        NationalId,
        "privacy_request",
        "UPDATE privacy_request SET proposed_national_id = NULL \
         WHERE participant_id = $1 AND proposed_national_id IS NOT NULL",
    ),
    (
        ProviderLink,
        "participant",
        "UPDATE participant SET practice_id = NULL \
         WHERE participant_id = $1 AND practice_id IS NOT NULL",
    ),
    (
        Consent,
        "consent_event",
        "DELETE FROM consent_event WHERE participant_id = $1",
    ),
    (
        Consent,
        "contract",
        "UPDATE contract SET provider_view_consent = (1 = 0) \
         WHERE provider_view_consent = (1 = 1) AND contract_id IN \
             (SELECT contract_id FROM participant WHERE participant_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM participant o WHERE o.contract_id = contract.contract_id \
             AND o.participant_id <> $1 AND o.erased_at_ms IS NULL)",
    ),
    (
        Account,
        "portal_activation",
        "DELETE FROM portal_activation WHERE participant_id = $1",
    ),
    (
        Technical,
        "site_visit",
        "UPDATE site_visit SET participant_id = NULL, ip_address = NULL, user_agent = NULL \
         WHERE participant_id = $1",
    ),
];

/// The (table, category) pairs an erasure removes data from.
pub fn erasure_coverage() -> Vec<(&'static str, DataCategory)> {
    let mut out: Vec<(&'static str, DataCategory)> =
        ERASE.iter().map(|(c, t, _)| (*t, *c)).collect();
    out.push(("participant", Account));
    out
}

/// Erases `categories` of one participant from every table that holds them (the data of a
/// category is emptied, anonymised or deleted as the statements above say; a participant's
/// site visits lose the link to them and are counted later like everyone's). Returns the rows
/// changed per category and table.
pub async fn erase(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    categories: &[DataCategory],
    now_ms: i64,
) -> Result<Vec<Counted>, Error> {
    grant.require(Some(participant), categories, Action::Change)?;
    let id = participant.uuid();
    let mut out = Vec::new();
    for (category, table, sql) in ERASE.iter().filter(|(c, _, _)| categories.contains(c)) {
        let rows = on_tx!(tx, c => sqlx::query(*sql)
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        out.push(Counted {
            category: *category,
            table,
            rows,
        });
    }
    if categories.contains(&Account) {
        const OPEN: &str = "SELECT participant_id FROM participant \
             WHERE participant_id = $1 AND account_closed_at_ms IS NULL";
        let open: Option<Uuid> = on_tx!(tx, c => sqlx::query_scalar(OPEN)
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?;
        let rows = match open {
            Some(open) => renumber(tx, &[open], now_ms).await?,
            None => 0,
        };
        out.push(Counted {
            category: Account,
            table: "participant",
            rows,
        });
    }
    Ok(out)
}

/// Restricts the processing of what is kept of a participant (GDPR art. 18): from now on the
/// gate lets only `audit` and `legal_obligation` read it. A second restriction replaces the
/// first (the kept categories and request of the latest decision count).
pub async fn restrict(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    request: Option<PrivacyRequestId>,
    kept: &[DataCategory],
    now_ms: i64,
) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO processing_restriction (participant_id, privacy_request_id, \
         kept_categories, restricted_at_ms) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (participant_id) DO UPDATE SET \
         privacy_request_id = excluded.privacy_request_id, \
         kept_categories = excluded.kept_categories, restricted_at_ms = excluded.restricted_at_ms";
    grant.require(Some(participant), &[PrivacyRecord], Action::Change)?;
    let kept = kept
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",");
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(participant.uuid())
        .bind(request.map(|r| r.uuid()))
        .bind(kept)
        .bind(now_ms)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records when the participant's erasure was carried out (the row stays, emptied, while
/// financial records refer to it). Keeps the first moment on a repeated erasure.
pub async fn mark_erased(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    now_ms: i64,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE participant SET erased_at_ms = $2 \
         WHERE participant_id = $1 AND erased_at_ms IS NULL";
    grant.require(Some(participant), &[PrivacyRecord], Action::Change)?;
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(participant.uuid())
        .bind(now_ms)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One retention run as logged (counts only, never data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunLog {
    /// The run's id.
    pub id: Uuid,
    /// When it ran.
    pub ran_at_ms: i64,
    /// The day it ran for.
    pub run_date: Date,
    /// Whether it was a dry run (nothing changed).
    pub dry_run: bool,
    /// The counts per category and table, as JSON.
    pub counts: String,
}

/// Logs a retention run. The log holds counts only, so it needs no grant.
pub async fn log_run(tx: &mut Tx, run: &RunLog) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO retention_run (retention_run_id, ran_at_ms, run_date, \
         dry_run, counts) VALUES ($1, $2, $3, $4, $5)";
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(run.id)
        .bind(run.ran_at_ms)
        .bind(run.run_date)
        .bind(run.dry_run)
        .bind(run.counts.as_str())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The logged runs, newest first.
pub async fn runs(tx: &mut Tx, limit: i64) -> Result<Vec<RunLog>, Error> {
    const SQL: &str = "SELECT retention_run_id, ran_at_ms, run_date, dry_run, counts \
         FROM retention_run ORDER BY ran_at_ms DESC, retention_run_id DESC LIMIT $1";
    let rows: Vec<(Uuid, i64, Date, bool, String)> =
        on_tx!(tx, c => sqlx::query_as(SQL).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, ran_at_ms, run_date, dry_run, counts)| RunLog {
            id,
            ran_at_ms,
            run_date,
            dry_run,
            counts,
        })
        .collect())
}

/// A site visit to record.
#[derive(Clone, PartialEq, Eq)]
pub struct NewVisit<'a> {
    /// When.
    pub visited_at_ms: i64,
    /// The page's path (ids already replaced by the caller).
    pub path: &'a str,
    /// The visitor's IP address, if known.
    pub ip_address: Option<&'a str>,
    /// The browser's user agent, if sent.
    pub user_agent: Option<&'a str>,
    /// The logged-in participant, if one.
    pub participant: Option<ParticipantId>,
}

impl std::fmt::Debug for NewVisit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewVisit")
            .field("visited_at_ms", &self.visited_at_ms)
            .finish_non_exhaustive()
    }
}

/// Records one site visit (technical data, kept 90 days).
pub async fn insert_visit(tx: &mut Tx, grant: &Grant, visit: &NewVisit<'_>) -> Result<(), Error> {
    const SQL: &str = "INSERT INTO site_visit (visited_at_ms, path, ip_address, user_agent, \
         participant_id) VALUES ($1, $2, $3, $4, $5)";
    grant.require(visit.participant, &[Technical], Action::Change)?;
    on_tx!(tx, c => sqlx::query(SQL)
        .bind(visit.visited_at_ms)
        .bind(visit.path)
        .bind(visit.ip_address)
        .bind(visit.user_agent)
        .bind(visit.participant.map(|p| p.uuid()))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ixorg_domain::privacy::registry::{ColumnClass, TABLES};
    use ixorg_domain::privacy::retention::erasure_plan;

    /// Every (table, category) of personal data in the registry.
    fn personal_pairs() -> Vec<(&'static str, DataCategory)> {
        let mut out = Vec::new();
        for t in TABLES {
            for c in t.columns {
                if let ColumnClass::Personal(cat) = c.class
                    && !out.contains(&(t.name, cat))
                {
                    out.push((t.name, cat));
                }
            }
        }
        out
    }

    #[test]
    fn the_retention_job_handles_or_keeps_with_a_reason_every_personal_column_of_the_registry() {
        let handled = expiry_coverage();
        let kept: Vec<(&str, DataCategory)> =
            KEPT_AT_EXPIRY.iter().map(|(t, c, _)| (*t, *c)).collect();
        let missing: Vec<_> = personal_pairs()
            .into_iter()
            .filter(|p| !handled.contains(p) && !kept.contains(p))
            .collect();
        assert!(
            missing.is_empty(),
            "tables with personal data the retention job neither removes nor keeps with a \
             reason (add a statement to EXPIRE or a row to KEPT_AT_EXPIRY): {missing:?}"
        );
    }

    #[test]
    fn an_erasure_reaches_every_table_holding_a_category_that_is_erased() {
        let erased = erasure_plan().erased_categories();
        let handled = erasure_coverage();
        let missing: Vec<_> = personal_pairs()
            .into_iter()
            .filter(|(_, c)| erased.contains(c))
            .filter(|p| !handled.contains(p))
            .collect();
        assert!(
            missing.is_empty(),
            "tables with data an erasure must remove but does not (add a statement to \
             ERASE): {missing:?}"
        );
    }

    #[test]
    fn every_statement_names_a_table_and_category_of_the_registry() {
        let pairs = personal_pairs();
        for pair in expiry_coverage().into_iter().chain(erasure_coverage()) {
            assert!(pairs.contains(&pair), "{pair:?} is not in the registry");
        }
        for (t, c, _) in KEPT_AT_EXPIRY {
            assert!(pairs.contains(&(*t, *c)), "{t}/{c} is not in the registry");
        }
    }

    #[test]
    fn every_expiry_statement_fits_its_category_rule() {
        let today = time::macros::date!(2030 - 06 - 15);
        for s in EXPIRE {
            let rule = retention::rule(s.category).expect("a rule");
            assert!(
                bound_for(rule, s.bound, today).is_some(),
                "{}/{}",
                s.table,
                s.category
            );
        }
    }
}
