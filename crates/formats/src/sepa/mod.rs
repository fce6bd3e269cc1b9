//! SEPA payment files (ISO 20022): pain.008 and pain.001 writers, pain.002 and camt.053 readers.
//!
//! The writers stream: they write each element as soon as it is handed in and never hold the
//! transactions in memory, so a collection run of a million contributions needs constant
//! memory. The counts and control sums are declared up front (the group header comes first in
//! the file) and checked when a block or the file ends; on a mismatch the file is unusable and
//! the caller discards it. Wrap the output in a `BufWriter`: the writers issue many small
//! writes.
//!
//! The readers are bounded (depth, text length, repetitions, bytes per tag) and report errors
//! with the byte position and the element path, never with the values (IBANs and names are
//! personal data). See `REFERENCE.md`, "SEPA files", for the element lists.

pub mod camt053;
pub mod charset;
mod document;
mod error;
pub mod pain001;
pub mod pain002;
pub mod pain008;
mod xml_in;
mod xml_out;

pub use camt053::{
    Camt053Event, Camt053Reader, Camt053Writer, Entry, SignedAmount, StatementHeader,
    StatementStart, TxDetail,
};
pub use charset::to_sepa_text;
pub use error::{FieldProblem, ReadProblem, SepaReadError, SepaWriteError, WriteScope};
pub use pain001::{CreditTransfer, CreditTransferBatch, Pain001Writer};
pub use pain002::{PaymentInfoStatus, StatusReport, TransactionStatus, read_pain002};
pub use pain008::{
    DirectDebit, DirectDebitBatch, MandateAmendment, Pain008DebitSpool, Pain008Writer,
    SequenceType, SpooledDebits,
};
pub use xml_out::{AMOUNT_CENTS_MAX, CONTROL_SUM_CENTS_MAX, TRANSACTIONS_MAX};

/// Longest `Nm` (name) written: the EPC rulebook allows 70 characters.
pub const NAME_CHARS_MAX: usize = 70;

/// Longest identifier written (`MsgId`, `PmtInfId`, `EndToEndId`, `MndtId`).
pub const ID_CHARS_MAX: usize = 35;

/// Longest unstructured remittance text (`RmtInf/Ustrd`).
pub const REMITTANCE_CHARS_MAX: usize = 140;

/// An account holder as a payment file names them: the debtor of a payout block or a direct
/// debit, the creditor of a collection block or a credit transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountHolder {
    /// The holder's name (`Nm`), cut to 70.
    pub name: String,
    /// The account (`Acct/Id/IBAN`).
    pub iban: ixorg_domain::identifiers::Iban,
    /// The bank's BIC; `None` writes `Othr/Id` = `NOTPROVIDED` for the block's own party, and
    /// omits the agent for a transaction's counterparty, as SEPA allows.
    pub bic: Option<String>,
}

/// The group header of a pain.008 or pain.001 message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupHeader {
    /// Unique message id (`MsgId`); converted to the SEPA character set and cut to 35.
    pub message_id: String,
    /// Creation time (`CreDtTm`), written as `2026-12-01T09:30:00`; comes from the caller's
    /// clock.
    pub created_at: time::PrimitiveDateTime,
    /// Name of the initiating party (`InitgPty/Nm`), cut to 70.
    pub initiating_party: String,
}

/// Writes the `GrpHdr` shared by pain.008 and pain.001.
fn write_group_header<W: std::io::Write>(
    out: &mut xml_out::XmlOut<W>,
    header: &GroupHeader,
    tally: &xml_out::Tally,
) -> Result<(), SepaWriteError> {
    let message_id =
        xml_out::required_text(&header.message_id, ID_CHARS_MAX, "GrpHdr/MsgId", None)?;
    let created_at = xml_out::iso_date_time(header.created_at, "GrpHdr/CreDtTm")?;
    let party = xml_out::required_text(
        &header.initiating_party,
        NAME_CHARS_MAX,
        "GrpHdr/InitgPty/Nm",
        None,
    )?;
    out.open("GrpHdr")?;
    out.leaf("MsgId", &message_id)?;
    out.leaf("CreDtTm", &created_at)?;
    out.leaf("NbOfTxs", &tally.declared_count().to_string())?;
    out.leaf("CtrlSum", &tally.declared_sum().to_string())?;
    out.nested(&["InitgPty", "Nm"], &party)?;
    out.close("GrpHdr")?;
    Ok(())
}
