//! Everything held about one participant, table by table, for the access and portability
//! right (GDPR art. 15 and 20).
//!
//! The tables and columns come from the field registry
//! ([`ixorg_domain::privacy::registry::TABLES`]): every table that holds personal data must have
//! a [`LINKS`] entry saying how its rows belong to a participant, or [`rows_of`] refuses to run
//! (and a test fails), so a new personal table cannot be left out of the export. Each row is
//! read as one JSON object built by the database itself (`json_object` on SQLite,
//! `json_build_object` on PostgreSQL): bytes come as hex after a `U+0001` mark (SQLite) or as
//! `\x`-hex (PostgreSQL), ids as such on PostgreSQL; the caller normalises them.

use ixorg_domain::ids::{ContractId, ParticipantId};
use ixorg_domain::privacy::registry::{ColumnClass, TABLES, Table};
use ixorg_domain::privacy::{Action, DataCategory};
use sqlx::AssertSqlSafe;

use crate::gate::Grant;
use crate::{Backend, Error, Tx, on_tx};

/// How a table's rows belong to the participant: a condition on `$1`, the participant's or the
/// contract's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// `$1` is the participant id.
    Participant(&'static str),
    /// `$1` is the contract id.
    Contract(&'static str),
}

/// The link of every table that holds personal data.
pub const LINKS: &[(&str, Link)] = &[
    ("contract", Link::Contract("contract_id = $1")),
    ("participant", Link::Participant("participant_id = $1")),
    ("access_log", Link::Participant("subject_id = $1")),
    ("ledger_account", Link::Participant("participant_id = $1")),
    (
        "ledger_transfer",
        Link::Participant(
            "debit_account_id IN (SELECT ledger_account_id FROM ledger_account \
             WHERE participant_id = $1) OR credit_account_id IN (SELECT ledger_account_id \
             FROM ledger_account WHERE participant_id = $1)",
        ),
    ),
    ("mandate", Link::Contract("contract_id = $1")),
    (
        "participant_account",
        Link::Participant("participant_id = $1"),
    ),
    ("one_time_link", Link::Participant("participant_id = $1")),
    ("contribution", Link::Contract("contract_id = $1")),
    (
        "contribution_line",
        Link::Participant("participant_id = $1"),
    ),
    (
        "bank_entry",
        Link::Contract(
            "contribution_id IN (SELECT contribution_id FROM contribution WHERE contract_id = $1)",
        ),
    ),
    ("reminder", Link::Contract("contract_id = $1")),
    (
        "yearend_deduction",
        Link::Participant("participant_id = $1"),
    ),
    ("settlement", Link::Contract("contract_id = $1")),
    ("budget_change", Link::Participant("participant_id = $1")),
    ("declaration_line", Link::Participant("participant_id = $1")),
    ("consent_event", Link::Participant("participant_id = $1")),
    ("privacy_request", Link::Participant("participant_id = $1")),
    (
        "privacy_request_event",
        Link::Participant(
            "privacy_request_id IN (SELECT privacy_request_id FROM privacy_request \
             WHERE participant_id = $1)",
        ),
    ),
    (
        "personal_data_change",
        Link::Participant("participant_id = $1"),
    ),
    (
        "processing_restriction",
        Link::Participant("participant_id = $1"),
    ),
    ("site_visit", Link::Participant("participant_id = $1")),
    ("disclosure", Link::Participant("participant_id = $1")),
];

/// The tables of the registry that hold personal data of a participant, in registry order.
pub fn personal_tables() -> impl Iterator<Item = &'static Table> {
    TABLES.iter().filter(|t| !t.categories().is_empty())
}

/// The link of a table, if it has one.
pub fn link(table: &str) -> Option<Link> {
    LINKS.iter().find(|(t, _)| *t == table).map(|(_, l)| *l)
}

/// One table's rows, each a JSON object (text) of all its columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRows {
    /// The table.
    pub table: &'static Table,
    /// The rows, as JSON object text, in a stable order.
    pub rows: Vec<String>,
}

/// Columns per JSON-building call: both databases cap a function's arguments (PostgreSQL at
/// 100, SQLite at 100 by default), and each column takes two (its name and its value).
const COLUMNS_PER_CALL: usize = 40;

fn row_json_sql(backend: Backend, table: &Table, condition: &str) -> String {
    let value = |name: &str| match backend {
        Backend::Sqlite => {
            format!(
                "CASE typeof({name}) WHEN 'blob' THEN char(1) || lower(hex({name})) ELSE {name} END"
            )
        }
        Backend::Postgres => name.to_owned(),
    };
    let calls: Vec<String> = table
        .columns
        .chunks(COLUMNS_PER_CALL)
        .map(|chunk| {
            let args: Vec<String> = chunk
                .iter()
                .map(|c| format!("'{}', {}", c.name, value(c.name)))
                .collect();
            match backend {
                Backend::Sqlite => format!("json_object({})", args.join(", ")),
                Backend::Postgres => format!("jsonb_build_object({})", args.join(", ")),
            }
        })
        .collect();
    // More than one call: the objects are merged (SQLite `json_patch`, PostgreSQL `||`).
    let object = match backend {
        Backend::Sqlite => calls
            .into_iter()
            .reduce(|a, b| format!("json_patch({a}, {b})"))
            .unwrap_or_else(|| "json_object()".to_owned()),
        Backend::Postgres => format!("({})::text", calls.join(" || ")),
    };
    let first = table.columns.first().map_or("1", |c| c.name);
    format!(
        "SELECT {object} FROM {} WHERE {condition} ORDER BY {first}",
        table.name
    )
}

/// Every personal table's rows that belong to `participant` (of `contract`). The grant must be
/// an export of this subject covering every category. Fails with [`Error::Corrupt`] naming the
/// table when a personal table has no link: the export would not be complete.
pub async fn rows_of(
    tx: &mut Tx,
    grant: &Grant,
    participant: ParticipantId,
    contract: ContractId,
) -> Result<Vec<TableRows>, Error> {
    grant.require(Some(participant), DataCategory::ALL, Action::Export)?;
    let backend = tx.backend();
    let mut out = Vec::new();
    for table in personal_tables() {
        let Some(link) = link(table.name) else {
            return Err(Error::Corrupt(format!(
                "table {} holds personal data but the export has no link for it",
                table.name
            )));
        };
        let (condition, id) = match link {
            Link::Participant(c) => (c, participant.uuid()),
            Link::Contract(c) => (c, contract.uuid()),
        };
        let sql = row_json_sql(backend, table, condition);
        let rows: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_all(&mut *c)
            .await)?;
        out.push(TableRows { table, rows });
    }
    Ok(out)
}

/// Whether a column is a secret the export never shows (a one-way hash, a password hash or a
/// chain hash).
pub fn is_hidden(table: &str, column: &str) -> bool {
    matches!(
        (table, column),
        (
            _,
            "bsn_blind_index" | "token_hash" | "password_hash" | "prev_hash" | "entry_hash"
        )
    )
}

/// Whether a column holds a key (an id) rather than data.
pub fn is_key(table: &Table, column: &str) -> bool {
    table
        .columns
        .iter()
        .any(|c| c.name == column && c.class == ColumnClass::Key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ixorg_domain::privacy::registry::Column;

    #[test]
    fn a_table_wider_than_one_json_call_is_built_from_merged_objects() {
        let columns: Vec<Column> = TABLES
            .iter()
            .flat_map(|t| t.columns.iter().copied())
            .collect();
        let wide = Table {
            name: "wide",
            columns: Box::leak(columns.into_boxed_slice()),
        };
        let sqlite = row_json_sql(Backend::Sqlite, &wide, "1 = 1");
        let postgres = row_json_sql(Backend::Postgres, &wide, "1 = 1");
        let calls = wide.columns.len().div_ceil(COLUMNS_PER_CALL);
        assert!(calls > 2);
        assert_eq!(sqlite.matches("json_patch(").count(), calls - 1);
        assert_eq!(postgres.matches("jsonb_build_object(").count(), calls);
        assert_eq!(
            postgres.matches(" || jsonb_build_object(").count(),
            calls - 1
        );
    }

    #[test]
    fn every_table_with_personal_data_has_an_export_link() {
        for table in personal_tables() {
            assert!(
                link(table.name).is_some(),
                "{} holds personal data but is not in the export",
                table.name
            );
        }
        for (table, _) in LINKS {
            assert!(
                personal_tables().any(|t| t.name == *table),
                "{table} is linked but holds no personal data"
            );
        }
    }
}
