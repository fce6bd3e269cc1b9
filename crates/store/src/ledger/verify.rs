//! Reading the ledger back: transfers page by page, and verifying the chain and the balances.

use std::collections::HashMap;

use ixorg_domain::ids::LedgerAccountId;
use ixorg_domain::timestamp::Timestamp;
use uuid::Uuid;

use super::accounts::{ACCOUNT_COLUMNS, Account, AccountRow};
use super::posting::transfer_hash;
use crate::chain::{self, Break, Chain, Hash};
use crate::instant::UnixMs;
use crate::{Error, Tx, on_tx};

/// A stored transfer, as read for verification and statements.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredTransfer {
    /// Position in the chain, from 1.
    pub sequence: i64,
    /// Its id.
    pub ledger_transfer_id: Uuid,
    /// Its idempotency key.
    pub idempotency_key: String,
    /// The debited account.
    pub debit_account_id: Uuid,
    /// The credited account.
    pub credit_account_id: Uuid,
    /// The amount in cents.
    pub amount_cents: i64,
    /// The kind of movement.
    pub transfer_kind: String,
    /// The transfer it reverses.
    pub reverses_transfer_id: Option<Uuid>,
    /// When it was posted.
    #[sqlx(rename = "posted_at_ms", try_from = "UnixMs")]
    pub posted_at: Timestamp,
    /// The previous transfer's hash.
    pub prev_hash: Vec<u8>,
    /// Its hash.
    pub entry_hash: Vec<u8>,
}

impl StoredTransfer {
    fn compute_hash(&self, prev: &Hash) -> Hash {
        transfer_hash(
            prev,
            self.sequence,
            self.ledger_transfer_id,
            &self.idempotency_key,
            self.debit_account_id,
            self.credit_account_id,
            self.amount_cents,
            &self.transfer_kind,
            self.reverses_transfer_id,
            self.posted_at,
        )
    }
}

const PAGE: &str = "SELECT sequence, ledger_transfer_id, idempotency_key, debit_account_id, \
     credit_account_id, amount_cents, transfer_kind, reverses_transfer_id, posted_at_ms, \
     prev_hash, entry_hash FROM ledger_transfer WHERE sequence > $1 ORDER BY sequence LIMIT $2";

/// Transfers after `after_sequence`, at most `limit`, in order.
pub async fn transfers_page(
    tx: &mut Tx,
    after_sequence: i64,
    limit: i64,
) -> Result<Vec<StoredTransfer>, Error> {
    Ok(on_tx!(tx, c => sqlx::query_as(PAGE)
        .bind(after_sequence)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?)
}

/// What a ledger verification found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerProblem {
    /// The transfer chain is broken.
    Chain(Break),
    /// An account's cached balance is not the sum of its transfers.
    BalanceMismatch {
        /// The account.
        account: LedgerAccountId,
        /// The cached balance.
        cached: i64,
        /// The balance the transfers give.
        derived: i64,
    },
    /// A budget is below minus its credit line.
    BelowCreditLine {
        /// The account.
        account: LedgerAccountId,
    },
    /// The balances do not sum to zero.
    NonZeroSum(i64),
    /// A transfer names an account that does not exist.
    UnknownAccount(LedgerAccountId),
}

impl std::fmt::Display for LedgerProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LedgerProblem::Chain(b) => write!(f, "{b}"),
            LedgerProblem::BalanceMismatch {
                account,
                cached,
                derived,
            } => write!(
                f,
                "ledger account {account}: cached balance {cached} differs from the sum of its \
                 transfers {derived}"
            ),
            LedgerProblem::BelowCreditLine { account } => {
                write!(f, "ledger account {account} is below its credit line")
            }
            LedgerProblem::NonZeroSum(sum) => {
                write!(f, "the ledger balances sum to {sum} cents, not zero")
            }
            LedgerProblem::UnknownAccount(a) => {
                write!(f, "a transfer names unknown ledger account {a}")
            }
        }
    }
}

/// Summary of a sound ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LedgerSummary {
    /// Number of transfers.
    pub transfers: i64,
    /// Number of accounts.
    pub accounts: i64,
}

const VERIFY_PAGE_ROWS: i64 = 10_000;

/// Verifies the chain, every cached balance, every credit-line floor and the zero sum.
pub async fn verify(tx: &mut Tx) -> Result<Result<LedgerSummary, LedgerProblem>, Error> {
    let accounts: Vec<AccountRow> =
        on_tx!(tx, c => sqlx::query_as(ACCOUNT_COLUMNS).fetch_all(&mut *c).await)?;
    let accounts = accounts
        .into_iter()
        .map(Account::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let mut derived: HashMap<Uuid, i128> = accounts.iter().map(|a| (a.id.uuid(), 0)).collect();
    let mut verifier = chain::Verifier::new(Chain::LedgerTransfer);
    let mut after = i64::MIN;
    loop {
        let rows = transfers_page(tx, after, VERIFY_PAGE_ROWS).await?;
        let Some(last) = rows.last() else { break };
        after = last.sequence;
        for t in &rows {
            let computed = t.compute_hash(&verifier.prev_hash());
            verifier.check(t.sequence, &t.prev_hash, &t.entry_hash, computed);
            for (account, delta) in [
                (t.debit_account_id, -i128::from(t.amount_cents)),
                (t.credit_account_id, i128::from(t.amount_cents)),
            ] {
                match derived.get_mut(&account) {
                    Some(sum) => *sum += delta,
                    None => {
                        let id = LedgerAccountId::from_uuid(account);
                        return Ok(Err(LedgerProblem::UnknownAccount(id)));
                    }
                }
            }
        }
    }
    let head = chain::read_head(tx, Chain::LedgerTransfer).await?;
    let transfers = match verifier.finish(head) {
        Ok(n) => n,
        Err(b) => return Ok(Err(LedgerProblem::Chain(b))),
    };
    let mut sum: i128 = 0;
    for a in &accounts {
        let d = derived.get(&a.id.uuid()).copied().unwrap_or(0);
        if d != i128::from(a.balance.get()) {
            return Ok(Err(LedgerProblem::BalanceMismatch {
                account: a.id,
                cached: a.balance.get(),
                derived: i64::try_from(d).unwrap_or(i64::MAX),
            }));
        }
        if a.state().floor().is_some_and(|floor| a.balance < floor) {
            return Ok(Err(LedgerProblem::BelowCreditLine { account: a.id }));
        }
        sum += d;
    }
    if sum != 0 {
        return Ok(Err(LedgerProblem::NonZeroSum(
            i64::try_from(sum).unwrap_or(i64::MAX),
        )));
    }
    Ok(Ok(LedgerSummary {
        transfers,
        accounts: accounts.len() as i64,
    }))
}
