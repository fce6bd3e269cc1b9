//! Bank statements, camt.053: a streaming reader (camt.053.001.02 as Dutch banks send it, and
//! .001.04 to .001.08 where the elements read are the same) and a streaming writer for the
//! bank simulator (`ixorg generate camt053`).
//!
//! The reader hands out one [`Camt053Event`] at a time: a [`StatementHeader`] per `Stmt`, then
//! one [`Entry`] per `Ntry` with its `TxDtls`. Only one entry is held in memory.

mod reader;
mod writer;

use ixorg_domain::Cents;
use ixorg_domain::identifiers::Iban;
use time::Date;

pub use reader::{
    Camt053Reader, ENTRIES_MAX, STATEMENTS_MAX, TX_DETAILS_PER_ENTRY_MAX,
    camt053_namespace_is_supported,
};
pub use writer::{CAMT053_NAMESPACE, Camt053Writer, StatementStart};

/// A balance with its sign: negative for a debit balance (`CdtDbtInd` DBIT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedAmount {
    /// The amount; negative when the balance is a debit.
    pub amount: Cents,
    /// The balance date (`Dt/Dt`, or the date part of `Dt/DtTm`).
    pub date: Option<Date>,
}

/// The header of one statement (`Stmt`), emitted before its entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementHeader {
    /// The message id (`GrpHdr/MsgId`), when present before the statement.
    pub message_id: Option<String>,
    /// The statement id (`Stmt/Id`).
    pub id: String,
    /// The creation time as written (`Stmt/CreDtTm`).
    pub created_at: String,
    /// The account the statement is for (`Stmt/Acct/Id/IBAN`).
    pub account_iban: Iban,
    /// The opening balance (`Bal` of type OPBD, or PRCD when there is no OPBD).
    pub opening_balance: Option<SignedAmount>,
    /// The closing balance (`Bal` of type CLBD).
    pub closing_balance: Option<SignedAmount>,
}

/// One statement entry (`Ntry`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The amount, never negative; the direction is `credit`.
    pub amount: Cents,
    /// True for money in (`CRDT`), false for money out (`DBIT`).
    pub credit: bool,
    /// True when the entry reverses an earlier one (`RvslInd`).
    pub reversal: bool,
    /// The entry status (`Sts`, or `Sts/Cd`): BOOK, PDNG or INFO.
    pub status: String,
    /// The booking date (`BookgDt`).
    pub booking_date: Option<Date>,
    /// The value date (`ValDt`).
    pub value_date: Option<Date>,
    /// The bank's reference (`AcctSvcrRef`).
    pub account_servicer_ref: Option<String>,
    /// The transactions of the entry (`NtryDtls/TxDtls`): one, or many for a batch.
    pub details: Vec<TxDetail>,
}

/// One transaction of an entry (`TxDtls`). Empty texts and `NOTPROVIDED` ids read as `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxDetail {
    /// `Refs/EndToEndId`.
    pub end_to_end_id: Option<String>,
    /// `Refs/MndtId`.
    pub mandate_id: Option<String>,
    /// `Refs/PmtInfId`.
    pub payment_info_id: Option<String>,
    /// `Amt` (.001.04 and later), else `AmtDtls/TxAmt/Amt`, else `AmtDtls/InstdAmt/Amt` in EUR.
    pub amount: Option<Cents>,
    /// The return or reject reason of a returned direct debit (`RtrInf/Rsn/Cd`), e.g. AM04.
    pub return_reason: Option<String>,
    /// The other party's IBAN (`RltdPties/DbtrAcct` or `CdtrAcct`, whichever is not the
    /// statement's account), as written in the file.
    pub counterparty_iban: Option<String>,
    /// The remittance text (`RmtInf/Ustrd`, joined by spaces, or `Strd/CdtrRefInf/Ref`).
    pub remittance: Option<String>,
}

/// What [`Camt053Reader::next_event`] hands out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Camt053Event {
    /// A statement begins; its entries follow.
    Statement(StatementHeader),
    /// One entry of the current statement.
    Entry(Entry),
}
