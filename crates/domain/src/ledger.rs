//! The double-entry ledger's rules, independent of storage.
//!
//! Every money movement is one [`Transfer`] of a positive amount from a debit account to a
//! credit account. An account's balance is its credits minus its debits, so the balances of all
//! accounts always sum to zero. A budget account may not go below minus its credit line; a
//! transfer that would take it there is refused, never clamped. A transfer is applied at most
//! once per idempotency key. Nothing is updated or deleted: a correction is a reversing transfer.
//!
//! [`Book`] applies these rules in memory. The store applies the same [`Book::apply`] to the
//! balances it has locked inside a transaction, so the rules live in one place.

use std::collections::HashMap;

use crate::ids::{LedgerAccountId, LedgerTransferId};
use crate::money::Cents;

mod kinds;

pub use kinds::{AccountKind, OperatorAccount, TransferKind};

/// The longest idempotency key accepted, in bytes.
pub const IDEMPOTENCY_KEY_BYTES_MAX: usize = 120;

/// A transfer to be posted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Unique per intended movement: posting the same key twice applies it once.
    pub idempotency_key: String,
    /// The account whose balance goes down.
    pub debit: LedgerAccountId,
    /// The account whose balance goes up.
    pub credit: LedgerAccountId,
    /// Strictly positive.
    pub amount: Cents,
    /// What kind of movement this is.
    pub kind: TransferKind,
    /// The transfer this one reverses, if it is a correction.
    pub reverses: Option<LedgerTransferId>,
}

impl Transfer {
    /// Checks the shape of a transfer: positive amount, two different accounts, a usable key.
    pub fn validate(&self) -> Result<(), LedgerError> {
        if !self.amount.is_positive() {
            return Err(LedgerError::NonPositiveAmount);
        }
        if self.debit == self.credit {
            return Err(LedgerError::SameAccount);
        }
        let key_ok = !self.idempotency_key.is_empty()
            && self.idempotency_key.len() <= IDEMPOTENCY_KEY_BYTES_MAX
            && self.idempotency_key.chars().all(|c| c.is_ascii_graphic());
        if !key_ok {
            return Err(LedgerError::BadIdempotencyKey);
        }
        Ok(())
    }

    /// The transfer that undoes `original` (same amount, accounts swapped).
    pub fn reversal_of(
        original_id: LedgerTransferId,
        original: &Transfer,
        idempotency_key: String,
    ) -> Transfer {
        Transfer {
            idempotency_key,
            debit: original.credit,
            credit: original.debit,
            amount: original.amount,
            kind: TransferKind::Reversal,
            reverses: Some(original_id),
        }
    }

    /// True when `other` describes the same movement (used to detect a reused key).
    pub fn same_movement(&self, other: &Transfer) -> bool {
        self.debit == other.debit
            && self.credit == other.credit
            && self.amount == other.amount
            && self.kind == other.kind
            && self.reverses == other.reverses
    }
}

/// The state of one account as far as the posting rules need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountState {
    /// What the account is for.
    pub kind: AccountKind,
    /// The credit line (only meaningful for budgets; zero otherwise).
    pub credit_line: Cents,
    /// Credits minus debits.
    pub balance: Cents,
}

impl AccountState {
    /// The lowest balance this account may reach, if it has a floor.
    pub fn floor(&self) -> Option<Cents> {
        if self.kind.has_credit_floor() {
            Some(Cents::new(-self.credit_line.get()))
        } else {
            None
        }
    }
}

/// What posting one transfer did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostOutcome {
    /// The transfer was applied now.
    Applied,
    /// A transfer with this key was applied before; nothing changed.
    AlreadyApplied(LedgerTransferId),
}

/// Why a transfer was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// Zero or negative amounts are never posted.
    #[error("the amount of a transfer must be positive")]
    NonPositiveAmount,
    /// Debit and credit are the same account.
    #[error("a transfer needs two different accounts")]
    SameAccount,
    /// The idempotency key is empty, too long or has characters other than printable ASCII.
    #[error("the idempotency key must be 1 to 120 printable ASCII characters")]
    BadIdempotencyKey,
    /// The stored transfer kind is unknown.
    #[error("unknown transfer kind")]
    UnknownTransferKind,
    /// One of the accounts does not exist.
    #[error("unknown ledger account {0}")]
    UnknownAccount(LedgerAccountId),
    /// The debit would take a budget below minus its credit line.
    #[error("the transfer would take account {account} below its credit line")]
    CreditLineExceeded {
        /// The budget account that would go too low.
        account: LedgerAccountId,
    },
    /// The key was used before for a different movement.
    #[error("the idempotency key was used before for a different transfer")]
    IdempotencyKeyReused,
    /// A balance would leave the range of `i64` cents.
    #[error("balance overflow")]
    Overflow,
    /// The stored account kind is unknown.
    #[error("unknown account kind")]
    UnknownAccountKind,
}

/// Applies a transfer to two account states: the one rule both [`Book`] and the store use.
///
/// On error neither state is changed.
pub fn apply(
    transfer: &Transfer,
    debit: &mut AccountState,
    credit: &mut AccountState,
) -> Result<(), LedgerError> {
    let (new_debit, new_credit) = balances_after(transfer, debit, credit.balance)?;
    debit.balance = new_debit;
    credit.balance = new_credit;
    Ok(())
}

/// The debited and credited balances after `transfer`, by the rules of [`apply`]. Of the
/// credited account only the balance matters: a credit never takes an account below a floor.
fn balances_after(
    transfer: &Transfer,
    debit: &AccountState,
    credit_balance: Cents,
) -> Result<(Cents, Cents), LedgerError> {
    transfer.validate()?;
    let new_debit = debit
        .balance
        .checked_sub(transfer.amount)
        .ok_or(LedgerError::Overflow)?;
    let new_credit = credit_balance
        .checked_add(transfer.amount)
        .ok_or(LedgerError::Overflow)?;
    if debit.floor().is_some_and(|floor| new_debit < floor) {
        return Err(LedgerError::CreditLineExceeded {
            account: transfer.debit,
        });
    }
    Ok((new_debit, new_credit))
}

/// The balance changes of a batch of transfers for which only the debited accounts are
/// loaded: [`apply`]'s rules need the debited account's state, but of the credited account
/// only its balance, and a credit never takes an account below a floor. A credited account
/// that is not loaded collects its change, which the store adds to the stored balance.
///
/// This serves batches too large to load every account, such as a collection run's savings
/// (one bank account debited, a million budgets credited). It does not check idempotency
/// keys: it is for keys that are new by construction, with the store's unique key index as
/// the guarantee.
#[derive(Clone, Debug, Default)]
pub struct BalanceChanges {
    /// Loaded accounts: the state as loaded and as it is now.
    loaded: HashMap<LedgerAccountId, (AccountState, AccountState)>,
    /// The change so far of each credited account that is not loaded.
    credited: HashMap<LedgerAccountId, Cents>,
}

impl BalanceChanges {
    /// No accounts loaded, no changes.
    pub fn new() -> BalanceChanges {
        BalanceChanges::default()
    }

    /// Loads an account's state (every debited account must be loaded).
    pub fn load(&mut self, id: LedgerAccountId, state: AccountState) {
        self.loaded.insert(id, (state, state));
    }

    /// Applies one transfer, after the ones before it; on error nothing changes.
    ///
    /// # Errors
    /// Those of [`apply`], and [`LedgerError::UnknownAccount`] for a debited account that is
    /// not loaded.
    pub fn post(&mut self, transfer: &Transfer) -> Result<(), LedgerError> {
        let debit = self
            .loaded
            .get(&transfer.debit)
            .map(|(_, now)| *now)
            .ok_or(LedgerError::UnknownAccount(transfer.debit))?;
        match self.loaded.get(&transfer.credit).map(|(_, now)| *now) {
            Some(mut credit) => {
                let mut debit = debit;
                apply(transfer, &mut debit, &mut credit)?;
                self.set(transfer.debit, debit);
                self.set(transfer.credit, credit);
            }
            None => {
                let change = self.credited.get(&transfer.credit).copied();
                let change = change.unwrap_or(Cents::ZERO);
                let (new_debit, new_change) = balances_after(transfer, &debit, change)?;
                self.set(
                    transfer.debit,
                    AccountState {
                        balance: new_debit,
                        ..debit
                    },
                );
                self.credited.insert(transfer.credit, new_change);
            }
        }
        Ok(())
    }

    fn set(&mut self, id: LedgerAccountId, state: AccountState) {
        if let Some((_, now)) = self.loaded.get_mut(&id) {
            *now = state;
        }
    }

    /// The non-zero change of every account, in account order.
    ///
    /// # Errors
    /// [`LedgerError::Overflow`] when a loaded account's change leaves the range of `i64`.
    pub fn changes(&self) -> Result<Vec<(LedgerAccountId, Cents)>, LedgerError> {
        let mut out = Vec::with_capacity(self.loaded.len() + self.credited.len());
        for (id, (before, now)) in &self.loaded {
            let change = now
                .balance
                .checked_sub(before.balance)
                .ok_or(LedgerError::Overflow)?;
            out.push((*id, change));
        }
        out.extend(self.credited.iter().map(|(id, change)| (*id, *change)));
        out.retain(|(_, change)| *change != Cents::ZERO);
        out.sort_unstable_by_key(|(id, _)| *id);
        Ok(out)
    }

    /// The current state of a loaded account.
    pub fn account(&self, id: LedgerAccountId) -> Option<&AccountState> {
        self.loaded.get(&id).map(|(_, now)| now)
    }
}

/// An in-memory ledger: accounts, applied keys and the list of applied transfers.
#[derive(Clone, Debug, Default)]
pub struct Book {
    accounts: HashMap<LedgerAccountId, AccountState>,
    keys: HashMap<String, (LedgerTransferId, Transfer)>,
    applied: Vec<(LedgerTransferId, Transfer)>,
}

impl Book {
    /// An empty book.
    pub fn new() -> Book {
        Book::default()
    }

    /// Opens an account with a zero balance (or replaces its credit line if it exists).
    pub fn open(&mut self, id: LedgerAccountId, kind: AccountKind, credit_line: Cents) {
        let credit_line = credit_line.max(Cents::ZERO);
        self.accounts
            .entry(id)
            .and_modify(|a| a.credit_line = credit_line)
            .or_insert(AccountState {
                kind,
                credit_line,
                balance: Cents::ZERO,
            });
    }

    /// Adds an account with a known state (as loaded from storage).
    pub fn load(&mut self, id: LedgerAccountId, state: AccountState) {
        self.accounts.insert(id, state);
    }

    /// Records that a key was applied before (as loaded from storage).
    pub fn load_key(&mut self, id: LedgerTransferId, transfer: Transfer) {
        self.keys
            .insert(transfer.idempotency_key.clone(), (id, transfer));
    }

    /// One account's state.
    pub fn account(&self, id: LedgerAccountId) -> Option<&AccountState> {
        self.accounts.get(&id)
    }

    /// All accounts.
    pub fn accounts(&self) -> impl Iterator<Item = (&LedgerAccountId, &AccountState)> {
        self.accounts.iter()
    }

    /// The transfers applied through [`Book::post`], in order.
    pub fn applied(&self) -> &[(LedgerTransferId, Transfer)] {
        &self.applied
    }

    /// Posts one transfer under the id `id` (used only when it is applied now).
    pub fn post(
        &mut self,
        id: LedgerTransferId,
        transfer: Transfer,
    ) -> Result<PostOutcome, LedgerError> {
        transfer.validate()?;
        if let Some((existing_id, existing)) = self.keys.get(&transfer.idempotency_key) {
            return if existing.same_movement(&transfer) {
                Ok(PostOutcome::AlreadyApplied(*existing_id))
            } else {
                Err(LedgerError::IdempotencyKeyReused)
            };
        }
        let mut debit = *self
            .accounts
            .get(&transfer.debit)
            .ok_or(LedgerError::UnknownAccount(transfer.debit))?;
        let mut credit = *self
            .accounts
            .get(&transfer.credit)
            .ok_or(LedgerError::UnknownAccount(transfer.credit))?;
        apply(&transfer, &mut debit, &mut credit)?;
        self.accounts.insert(transfer.debit, debit);
        self.accounts.insert(transfer.credit, credit);
        self.keys
            .insert(transfer.idempotency_key.clone(), (id, transfer.clone()));
        self.applied.push((id, transfer));
        Ok(PostOutcome::Applied)
    }

    /// The sum of all balances: zero in a sound book.
    pub fn total(&self) -> i128 {
        self.accounts
            .values()
            .map(|a| i128::from(a.balance.get()))
            .sum()
    }

    /// True when no account is below its floor.
    pub fn floors_respected(&self) -> bool {
        self.accounts
            .values()
            .all(|a| a.floor().is_none_or(|floor| a.balance >= floor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transfer_kind_and_operator_account_has_a_distinct_stored_name_that_reads_back() {
        let mut names: Vec<&str> = TransferKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TransferKind::ALL.len());
        for kind in TransferKind::ALL {
            assert_eq!(kind.as_str().parse::<TransferKind>(), Ok(*kind));
        }
        assert_eq!(
            "test".parse::<TransferKind>(),
            Err(LedgerError::UnknownTransferKind)
        );
        for account in OperatorAccount::ALL {
            assert_eq!(account.code().parse::<AccountKind>(), Ok(account.kind()));
        }
    }
    use proptest::prelude::*;
    use uuid::Uuid;

    fn account(n: u128) -> LedgerAccountId {
        LedgerAccountId::from_uuid(Uuid::from_u128(n))
    }
    fn transfer_id(n: u128) -> LedgerTransferId {
        LedgerTransferId::from_uuid(Uuid::from_u128(n))
    }
    fn transfer(key: &str, debit: u128, credit: u128, cents: i64) -> Transfer {
        Transfer {
            idempotency_key: key.to_owned(),
            debit: account(debit),
            credit: account(credit),
            amount: Cents::new(cents),
            kind: TransferKind::Contribution,
            reverses: None,
        }
    }
    fn book() -> Book {
        let mut b = Book::new();
        b.open(account(1), AccountKind::OperatorBank, Cents::ZERO);
        b.open(account(2), AccountKind::Budget, Cents::new(24_000));
        b.open(account(3), AccountKind::Payable, Cents::ZERO);
        b
    }

    #[test]
    fn a_budget_may_go_into_the_red_down_to_its_credit_line_and_no_further() {
        let mut b = book();
        let ok = b.post(transfer_id(1), transfer("a", 2, 3, 24_000));
        assert_eq!(ok, Ok(PostOutcome::Applied));
        let refused = b.post(transfer_id(2), transfer("b", 2, 3, 1));
        assert_eq!(
            refused,
            Err(LedgerError::CreditLineExceeded {
                account: account(2)
            })
        );
        assert_eq!(
            b.account(account(2)).map(|a| a.balance),
            Some(Cents::new(-24_000))
        );
    }

    #[test]
    fn the_same_idempotency_key_is_applied_only_once() {
        let mut b = book();
        assert_eq!(
            b.post(transfer_id(1), transfer("k", 1, 2, 500)),
            Ok(PostOutcome::Applied)
        );
        assert_eq!(
            b.post(transfer_id(2), transfer("k", 1, 2, 500)),
            Ok(PostOutcome::AlreadyApplied(transfer_id(1)))
        );
        assert_eq!(
            b.account(account(2)).map(|a| a.balance),
            Some(Cents::new(500))
        );
    }

    #[test]
    fn a_reused_key_for_a_different_movement_is_refused() {
        let mut b = book();
        b.post(transfer_id(1), transfer("k", 1, 2, 500))
            .expect("first post applies");
        assert_eq!(
            b.post(transfer_id(2), transfer("k", 1, 2, 501)),
            Err(LedgerError::IdempotencyKeyReused)
        );
    }

    #[test]
    fn zero_amounts_and_self_transfers_are_refused() {
        let mut b = book();
        assert_eq!(
            b.post(transfer_id(1), transfer("z", 1, 2, 0)),
            Err(LedgerError::NonPositiveAmount)
        );
        assert_eq!(
            b.post(transfer_id(2), transfer("s", 2, 2, 10)),
            Err(LedgerError::SameAccount)
        );
    }

    #[test]
    fn a_reversal_restores_both_balances() {
        let mut b = book();
        let original = transfer("c", 1, 2, 1_234);
        b.post(transfer_id(1), original.clone())
            .expect("contribution applies");
        let reversal = Transfer::reversal_of(transfer_id(1), &original, "c-rev".into());
        b.post(transfer_id(2), reversal).expect("reversal applies");
        assert_eq!(b.account(account(2)).map(|a| a.balance), Some(Cents::ZERO));
        assert_eq!(b.account(account(1)).map(|a| a.balance), Some(Cents::ZERO));
    }

    #[test]
    fn balance_changes_credit_accounts_that_are_not_loaded_and_check_the_debited_floor() {
        // Arrange
        let mut changes = BalanceChanges::new();
        changes.load(
            account(2),
            AccountState {
                kind: AccountKind::Budget,
                credit_line: Cents::new(1_000),
                balance: Cents::new(500),
            },
        );

        // Act
        let first = changes.post(&transfer("a", 2, 7, 1_200));
        let second = changes.post(&transfer("b", 2, 8, 301));
        let third = changes.post(&transfer("c", 9, 2, 10));

        // Assert
        assert_eq!(first, Ok(()));
        assert_eq!(
            second,
            Err(LedgerError::CreditLineExceeded {
                account: account(2)
            })
        );
        assert_eq!(third, Err(LedgerError::UnknownAccount(account(9))));
        assert_eq!(
            changes.changes(),
            Ok(vec![
                (account(2), Cents::new(-1_200)),
                (account(7), Cents::new(1_200))
            ])
        );
    }

    proptest! {
        #[test]
        fn any_sequence_of_postings_keeps_the_book_balanced_and_within_credit_lines(
            ops in prop::collection::vec((0u128..5, 0u128..5, 1i64..50_000, 0u8..20), 1..200)
        ) {
            let mut b = Book::new();
            b.open(account(0), AccountKind::OperatorBank, Cents::ZERO);
            b.open(account(1), AccountKind::Budget, Cents::new(24_000));
            b.open(account(2), AccountKind::Budget, Cents::new(5_000));
            b.open(account(3), AccountKind::Payable, Cents::ZERO);
            b.open(account(4), AccountKind::FeeIncome, Cents::ZERO);
            for (i, (d, c, cents, key)) in ops.into_iter().enumerate() {
                let key = format!("key-{key}");
                let _ = b.post(transfer_id(i as u128), transfer(&key, d, c, cents));
                prop_assert_eq!(b.total(), 0);
                prop_assert!(b.floors_respected());
            }
            let mut keys: Vec<&str> = b.applied().iter().map(|(_, t)| t.idempotency_key.as_str()).collect();
            let applied = keys.len();
            keys.sort_unstable();
            keys.dedup();
            prop_assert_eq!(keys.len(), applied, "a key was applied twice");
        }

        #[test]
        fn balance_changes_give_the_same_balances_as_a_book_with_every_account_loaded(
            ops in prop::collection::vec((0u128..3, 3u128..8, 1i64..50_000), 1..200)
        ) {
            // Accounts 0 to 2 are debited (and loaded), 3 to 7 only credited, as in a run.
            let kinds = [
                (AccountKind::BankReceivable, 0),
                (AccountKind::Budget, 24_000),
                (AccountKind::Budget, 5_000),
            ];
            let mut book = Book::new();
            let mut changes = BalanceChanges::new();
            for (n, (kind, line)) in kinds.into_iter().enumerate() {
                book.open(account(n as u128), kind, Cents::new(line));
                let state = *book.account(account(n as u128)).expect("opened");
                changes.load(account(n as u128), state);
            }
            for n in 3..8 {
                book.open(account(n), AccountKind::Budget, Cents::new(1_000));
            }
            for (i, (d, c, cents)) in ops.into_iter().enumerate() {
                let t = transfer(&format!("k{i}"), d, c, cents);
                let by_book = book.post(transfer_id(i as u128), t.clone()).map(|_| ());
                prop_assert_eq!(changes.post(&t), by_book);
            }
            let expected: Vec<(LedgerAccountId, Cents)> = (0..8)
                .map(|n| (account(n), book.account(account(n)).expect("opened").balance))
                .filter(|(_, balance)| *balance != Cents::ZERO)
                .collect();
            prop_assert_eq!(changes.changes(), Ok(expected));
        }
    }
}
