//! Ledger accounts: opened, looked up by id, code or owner, and their credit line.

use ixorg_domain::Cents;
use ixorg_domain::ids::{LedgerAccountId, ParticipantId, PayeeId};
use ixorg_domain::ledger::{AccountKind, AccountState, LedgerError, OperatorAccount};
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use crate::error::corrupt;
use crate::{Error, Tx, on_tx};

/// A new account.
#[derive(Clone, Debug)]
pub struct NewAccount {
    /// Its id.
    pub id: LedgerAccountId,
    /// What it is for.
    pub kind: AccountKind,
    /// A unique code for the operator's own accounts (`operator_bank`, `fee_income`, …).
    pub code: Option<String>,
    /// The participant, for a budget or own-payment account.
    pub participant: Option<ParticipantId>,
    /// The payee, for a payable account.
    pub payee: Option<PayeeId>,
    /// The credit line (budgets only).
    pub credit_line: Cents,
}

/// A stored account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Its id.
    pub id: LedgerAccountId,
    /// What it is for.
    pub kind: AccountKind,
    /// Its code, for the operator's own accounts.
    pub code: Option<String>,
    /// The credit line.
    pub credit_line: Cents,
    /// The cached balance: credits minus debits.
    pub balance: Cents,
}

#[derive(sqlx::FromRow)]
pub(super) struct AccountRow {
    ledger_account_id: Uuid,
    account_kind: String,
    account_code: Option<String>,
    credit_line_cents: i64,
    balance_cents: i64,
}

impl TryFrom<AccountRow> for Account {
    type Error = Error;
    fn try_from(r: AccountRow) -> Result<Self, Error> {
        Ok(Account {
            id: LedgerAccountId::from_uuid(r.ledger_account_id),
            kind: r
                .account_kind
                .parse()
                .map_err(|_| corrupt("ledger_account", "account_kind"))?,
            code: r.account_code,
            credit_line: Cents::new(r.credit_line_cents),
            balance: Cents::new(r.balance_cents),
        })
    }
}

impl Account {
    pub(super) fn state(&self) -> AccountState {
        AccountState {
            kind: self.kind,
            credit_line: self.credit_line,
            balance: self.balance,
        }
    }
}

const INSERT_ACCOUNT: &str = "INSERT INTO ledger_account (ledger_account_id, account_kind, \
     account_code, participant_id, payee_id, credit_line_cents, balance_cents, created_at_ms, \
     updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7)";
pub(super) const ACCOUNT_COLUMNS: &str = "SELECT ledger_account_id, account_kind, account_code, credit_line_cents, balance_cents \
     FROM ledger_account";

/// Opens an account with a zero balance.
pub async fn open_account(tx: &mut Tx, account: &NewAccount, now: Timestamp) -> Result<(), Error> {
    if account.credit_line.is_negative() {
        return Err(Error::Ledger(LedgerError::Overflow));
    }
    on_tx!(tx, c => sqlx::query(INSERT_ACCOUNT)
        .bind(account.id.uuid())
        .bind(account.kind.as_str())
        .bind(account.code.as_deref())
        .bind(account.participant.map(|p| p.uuid()))
        .bind(account.payee.map(|p| p.uuid()))
        .bind(account.credit_line.get())
        .bind(now.unix_ms())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// One account by id.
pub async fn account(tx: &mut Tx, id: LedgerAccountId) -> Result<Account, Error> {
    const SQL: &str = "SELECT ledger_account_id, account_kind, account_code, credit_line_cents, \
         balance_cents FROM ledger_account WHERE ledger_account_id = $1";
    let row: AccountRow = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(id.uuid())
        .fetch_one(&mut *c)
        .await)?;
    row.try_into()
}

/// One of the operator's own accounts.
pub async fn account_by_code(tx: &mut Tx, account: OperatorAccount) -> Result<Account, Error> {
    const SQL: &str = "SELECT ledger_account_id, account_kind, account_code, credit_line_cents, \
         balance_cents FROM ledger_account WHERE account_code = $1";
    let row: AccountRow = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(account.code())
        .fetch_one(&mut *c)
        .await)?;
    row.try_into()
}

/// The budget account of a participant.
pub async fn budget_of(tx: &mut Tx, participant: ParticipantId) -> Result<Account, Error> {
    const SQL: &str = "SELECT ledger_account_id, account_kind, account_code, credit_line_cents, \
         balance_cents FROM ledger_account WHERE participant_id = $1 AND account_kind = 'budget'";
    let row: AccountRow = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .fetch_one(&mut *c)
        .await)?;
    row.try_into()
}

/// A participant's account of a kind (budget, own-payment receivable), if opened.
pub async fn account_of(
    tx: &mut Tx,
    participant: ParticipantId,
    kind: AccountKind,
) -> Result<Option<Account>, Error> {
    const SQL: &str = "SELECT ledger_account_id, account_kind, account_code, credit_line_cents, \
         balance_cents FROM ledger_account WHERE participant_id = $1 AND account_kind = $2";
    let row: Option<AccountRow> = on_tx!(tx, c => sqlx::query_as(SQL)
        .bind(participant.uuid())
        .bind(kind.as_str())
        .fetch_optional(&mut *c)
        .await)?;
    row.map(Account::try_from).transpose()
}

/// Changes a budget's credit line. Refused when the balance is already below the new floor.
pub async fn set_credit_line(
    tx: &mut Tx,
    id: LedgerAccountId,
    credit_line: Cents,
    now: Timestamp,
) -> Result<(), Error> {
    const SQL: &str = "UPDATE ledger_account SET credit_line_cents = $1, updated_at_ms = $2 \
         WHERE ledger_account_id = $3 AND balance_cents >= -$1";
    if credit_line.is_negative() {
        return Err(Error::Ledger(LedgerError::Overflow));
    }
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(credit_line.get())
        .bind(now.unix_ms())
        .bind(id.uuid())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    if done == 1 {
        Ok(())
    } else {
        Err(Error::Ledger(LedgerError::CreditLineExceeded {
            account: id,
        }))
    }
}
