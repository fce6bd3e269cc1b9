//! The ledger's vocabulary: what an account is for, what a transfer is, and the operator's own
//! accounts. Each is stored by a stable name.

use std::fmt;
use std::str::FromStr;

use super::LedgerError;

/// What a ledger account is for (`DESIGN.md`, "The ledger").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccountKind {
    /// A participant's budget: may go into the red down to minus its credit line.
    Budget,
    /// The operator's bank account.
    OperatorBank,
    /// Money the bank still owes us (collections sent, not yet settled).
    BankReceivable,
    /// Service-fee income of the operator.
    FeeIncome,
    /// The premium share of the fee, owed to the insurer.
    PremiumPayable,
    /// What is owed to one payee (a practice or billing intermediary).
    Payable,
    /// What a participant owes us as own payment.
    OwnPaymentReceivable,
    /// Accident cover paid for one claim.
    AccidentCover,
    /// Opening balances and other equity movements.
    Equity,
}

impl AccountKind {
    /// Every kind.
    pub const ALL: &'static [AccountKind] = &[
        AccountKind::Budget,
        AccountKind::OperatorBank,
        AccountKind::BankReceivable,
        AccountKind::FeeIncome,
        AccountKind::PremiumPayable,
        AccountKind::Payable,
        AccountKind::OwnPaymentReceivable,
        AccountKind::AccidentCover,
        AccountKind::Equity,
    ];

    /// The stable name stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountKind::Budget => "budget",
            AccountKind::OperatorBank => "operator_bank",
            AccountKind::BankReceivable => "bank_receivable",
            AccountKind::FeeIncome => "fee_income",
            AccountKind::PremiumPayable => "premium_payable",
            AccountKind::Payable => "payable",
            AccountKind::OwnPaymentReceivable => "own_payment_receivable",
            AccountKind::AccidentCover => "accident_cover",
            AccountKind::Equity => "equity",
        }
    }

    /// True when the account has a floor of minus its credit line (only budgets).
    pub const fn has_credit_floor(self) -> bool {
        matches!(self, AccountKind::Budget)
    }
}

impl fmt::Display for AccountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountKind {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or(LedgerError::UnknownAccountKind)
    }
}

/// What kind of movement a transfer is. Stored by name (`ledger_transfer.transfer_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransferKind {
    /// A collected contribution's saving, into the budget.
    Contribution,
    /// A collection run's service fees, into fee income.
    ServiceFee,
    /// A collection run's premium share, owed to the insurer.
    Premium,
    /// A returned or rejected collection: its saving, fee and premium taken back.
    CollectionReturn,
    /// What a budget pays for declarations, to the payee's payable account.
    Declaration,
    /// What a credit line gives back to a budget.
    DeclarationCredit,
    /// A payout of what is owed to a payee.
    Payout,
    /// A payout the bank returned or rejected: owed to the payee again.
    PayoutReturn,
    /// A positive balance paid out when a contract ends.
    SettlementPayout,
    /// A negative balance collected when a contract ends.
    SettlementCollection,
    /// The yearly check-up price deducted from a budget without a check-up.
    CheckupDeduction,
    /// The correction that undoes an earlier transfer.
    Reversal,
}

impl TransferKind {
    /// Every kind.
    pub const ALL: &'static [TransferKind] = &[
        TransferKind::Contribution,
        TransferKind::ServiceFee,
        TransferKind::Premium,
        TransferKind::CollectionReturn,
        TransferKind::Declaration,
        TransferKind::DeclarationCredit,
        TransferKind::Payout,
        TransferKind::PayoutReturn,
        TransferKind::SettlementPayout,
        TransferKind::SettlementCollection,
        TransferKind::CheckupDeduction,
        TransferKind::Reversal,
    ];

    /// The stable name stored in the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            TransferKind::Contribution => "contribution",
            TransferKind::ServiceFee => "service_fee",
            TransferKind::Premium => "premium",
            TransferKind::CollectionReturn => "collection_return",
            TransferKind::Declaration => "declaration",
            TransferKind::DeclarationCredit => "declaration_credit",
            TransferKind::Payout => "payout",
            TransferKind::PayoutReturn => "payout_return",
            TransferKind::SettlementPayout => "settlement_payout",
            TransferKind::SettlementCollection => "settlement_collection",
            TransferKind::CheckupDeduction => "checkup_deduction",
            TransferKind::Reversal => "reversal",
        }
    }
}

impl fmt::Display for TransferKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TransferKind {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TransferKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or(LedgerError::UnknownTransferKind)
    }
}

/// The operator's own ledger accounts that every installation has, found by their code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OperatorAccount {
    /// The operator's bank account (payouts leave it).
    OperatorBank,
    /// Collections sent to the bank and not yet settled.
    BankReceivable,
    /// Service-fee income.
    FeeIncome,
    /// The premium share of the fees, owed to the insurer.
    PremiumPayable,
    /// Opening balances and other equity movements.
    Equity,
}

impl OperatorAccount {
    /// Every operator account.
    pub const ALL: &'static [OperatorAccount] = &[
        OperatorAccount::OperatorBank,
        OperatorAccount::BankReceivable,
        OperatorAccount::FeeIncome,
        OperatorAccount::PremiumPayable,
        OperatorAccount::Equity,
    ];

    /// The stable code stored in `ledger_account.account_code`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        self.kind().as_str()
    }

    /// The kind of the account.
    #[must_use]
    pub const fn kind(self) -> AccountKind {
        match self {
            OperatorAccount::OperatorBank => AccountKind::OperatorBank,
            OperatorAccount::BankReceivable => AccountKind::BankReceivable,
            OperatorAccount::FeeIncome => AccountKind::FeeIncome,
            OperatorAccount::PremiumPayable => AccountKind::PremiumPayable,
            OperatorAccount::Equity => AccountKind::Equity,
        }
    }
}
