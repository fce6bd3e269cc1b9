//! The streaming camt.053.001.02 writer of the bank simulator.

use std::io::Write;

use ixorg_domain::Cents;
use ixorg_domain::identifiers::Iban;
use time::PrimitiveDateTime;

use super::{Entry, SignedAmount};
use crate::sepa::error::{FieldProblem, SepaWriteError, WriteScope};
use crate::sepa::xml_out::{XmlOut, failed, invalid, iso_date, iso_date_time};

/// The XML namespace written: camt.053.001.02, as Dutch banks send it.
pub const CAMT053_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02";

/// What a statement starts with.
///
/// Both balances are given up front because the schema puts every `Bal` before the first
/// `Ntry`; [`Camt053Writer::finish`] checks that the opening balance plus the booked entries
/// equals the closing balance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementStart {
    /// `GrpHdr/MsgId`.
    pub message_id: String,
    /// `Stmt/Id`.
    pub statement_id: String,
    /// `GrpHdr/CreDtTm` and `Stmt/CreDtTm`; comes from the caller's clock.
    pub created_at: PrimitiveDateTime,
    /// `Stmt/Acct/Id/IBAN`.
    pub account_iban: Iban,
    /// The opening balance (OPBD); without a date the creation date is written.
    pub opening_balance: SignedAmount,
    /// The closing balance (CLBD); without a date the creation date is written.
    pub closing_balance: SignedAmount,
}

/// Streams one camt.053.001.02 statement: `new`, `entry`…, `finish`.
///
/// Texts are written as given (escaped), so the reader hands back exactly what went in; empty
/// texts are left out and read back as `None`.
#[derive(Debug)]
pub struct Camt053Writer<W: Write> {
    out: XmlOut<W>,
    balance: Cents,
    closing: Cents,
    entries: u64,
    failed: bool,
}

impl<W: Write> Camt053Writer<W> {
    /// Writes the document start, the group header, the statement header and both balances.
    ///
    /// # Errors
    /// [`SepaWriteError::InvalidField`] for an empty id or a date out of range;
    /// [`SepaWriteError::Overflow`]; [`SepaWriteError::Io`].
    pub fn new(w: W, start: &StatementStart) -> Result<Self, SepaWriteError> {
        if start.message_id.trim().is_empty() {
            return Err(invalid("GrpHdr/MsgId", None, FieldProblem::Empty));
        }
        if start.statement_id.trim().is_empty() {
            return Err(invalid("Stmt/Id", None, FieldProblem::Empty));
        }
        let created_at = iso_date_time(start.created_at, "Stmt/CreDtTm")?;
        let mut out = XmlOut::start_document(w, CAMT053_NAMESPACE)?;
        out.open("BkToCstmrStmt")?;
        out.open("GrpHdr")?;
        out.leaf("MsgId", &start.message_id)?;
        out.leaf("CreDtTm", &created_at)?;
        out.close("GrpHdr")?;
        out.open("Stmt")?;
        out.leaf("Id", &start.statement_id)?;
        out.leaf("CreDtTm", &created_at)?;
        out.open("Acct")?;
        out.nested(&["Id", "IBAN"], start.account_iban.expose())?;
        out.leaf("Ccy", "EUR")?;
        out.close("Acct")?;
        let default_date = start.created_at.date();
        for (kind, balance) in [
            ("OPBD", start.opening_balance),
            ("CLBD", start.closing_balance),
        ] {
            let magnitude = balance.amount.abs().ok_or(SepaWriteError::Overflow)?;
            let date = iso_date(balance.date.unwrap_or(default_date), "Bal/Dt/Dt", None)?;
            out.open("Bal")?;
            out.open("Tp")?;
            out.nested(&["CdOrPrtry", "Cd"], kind)?;
            out.close("Tp")?;
            out.amount("Amt", magnitude)?;
            out.leaf("CdtDbtInd", credit_debit(!balance.amount.is_negative()))?;
            out.nested(&["Dt", "Dt"], &date)?;
            out.close("Bal")?;
        }
        Ok(Camt053Writer {
            out,
            balance: start.opening_balance.amount,
            closing: start.closing_balance.amount,
            entries: 0,
            failed: false,
        })
    }

    /// Writes one entry with its transactions.
    ///
    /// # Errors
    /// [`SepaWriteError::NonPositiveAmount`] for a negative amount and
    /// [`SepaWriteError::InvalidField`] write nothing; [`SepaWriteError::Overflow`];
    /// [`SepaWriteError::Io`] (the output is then unusable).
    pub fn entry(&mut self, entry: &Entry) -> Result<(), SepaWriteError> {
        if self.failed {
            return Err(failed());
        }
        let number = self.entries.saturating_add(1);
        let n = Some(number);
        if entry.amount.is_negative()
            || entry
                .details
                .iter()
                .any(|d| d.amount.is_some_and(Cents::is_negative))
        {
            return Err(SepaWriteError::NonPositiveAmount {
                transaction: number,
            });
        }
        if entry.status.trim().is_empty() {
            return Err(invalid("Ntry/Sts", n, FieldProblem::Empty));
        }
        let booking = entry
            .booking_date
            .map(|d| iso_date(d, "Ntry/BookgDt/Dt", n))
            .transpose()?;
        let value = entry
            .value_date
            .map(|d| iso_date(d, "Ntry/ValDt/Dt", n))
            .transpose()?;
        let balance = if entry.status == "BOOK" {
            let signed = if entry.credit {
                Some(entry.amount)
            } else {
                entry.amount.checked_neg()
            };
            signed
                .and_then(|s| self.balance.checked_add(s))
                .ok_or(SepaWriteError::Overflow)?
        } else {
            self.balance
        };
        self.failed = true;
        let out = &mut self.out;
        out.open("Ntry")?;
        out.amount("Amt", entry.amount)?;
        out.leaf("CdtDbtInd", credit_debit(entry.credit))?;
        if entry.reversal {
            out.leaf("RvslInd", "true")?;
        }
        out.leaf("Sts", &entry.status)?;
        if let Some(date) = &booking {
            out.nested(&["BookgDt", "Dt"], date)?;
        }
        if let Some(date) = &value {
            out.nested(&["ValDt", "Dt"], date)?;
        }
        write_optional(out, "AcctSvcrRef", entry.account_servicer_ref.as_deref())?;
        let returned = entry.details.iter().any(|d| d.return_reason.is_some());
        out.open("BkTxCd")?;
        out.open("Domn")?;
        out.leaf("Cd", "PMNT")?;
        out.open("Fmly")?;
        out.leaf("Cd", "IDDT")?;
        out.leaf("SubFmlyCd", if returned { "UPDD" } else { "ESDD" })?;
        out.close("Fmly")?;
        out.close("Domn")?;
        out.close("BkTxCd")?;
        if !entry.details.is_empty() {
            out.open("NtryDtls")?;
            if entry.details.len() > 1 {
                out.nested(&["Btch", "NbOfTxs"], &entry.details.len().to_string())?;
            }
            for detail in &entry.details {
                out.open("TxDtls")?;
                let refs = [
                    ("PmtInfId", detail.payment_info_id.as_deref()),
                    ("EndToEndId", detail.end_to_end_id.as_deref()),
                    ("MndtId", detail.mandate_id.as_deref()),
                ];
                if refs.iter().any(|(_, v)| v.is_some_and(|v| !v.is_empty())) {
                    out.open("Refs")?;
                    for (name, value) in refs {
                        write_optional(out, name, value)?;
                    }
                    out.close("Refs")?;
                }
                if let Some(amount) = detail.amount {
                    out.open("AmtDtls")?;
                    out.open("TxAmt")?;
                    out.amount("Amt", amount)?;
                    out.close("TxAmt")?;
                    out.close("AmtDtls")?;
                }
                if let Some(iban) = detail
                    .counterparty_iban
                    .as_deref()
                    .filter(|i| !i.is_empty())
                {
                    // The other party paid us (credit) or is the debtor of a returned
                    // collection; otherwise we paid it.
                    let slot = if entry.credit || detail.return_reason.is_some() {
                        "DbtrAcct"
                    } else {
                        "CdtrAcct"
                    };
                    out.open("RltdPties")?;
                    out.nested(&[slot, "Id", "IBAN"], iban)?;
                    out.close("RltdPties")?;
                }
                if let Some(text) = detail.remittance.as_deref().filter(|t| !t.is_empty()) {
                    out.nested(&["RmtInf", "Ustrd"], text)?;
                }
                if let Some(code) = detail.return_reason.as_deref().filter(|c| !c.is_empty()) {
                    out.nested(&["RtrInf", "Rsn", "Cd"], code)?;
                }
                out.close("TxDtls")?;
            }
            out.close("NtryDtls")?;
        }
        out.close("Ntry")?;
        self.balance = balance;
        self.entries = number;
        self.failed = false;
        Ok(())
    }

    /// Checks that the opening balance plus the booked entries equals the closing balance,
    /// closes the document and returns the output.
    ///
    /// # Errors
    /// [`SepaWriteError::SumMismatch`] (scope `Statement`); [`SepaWriteError::OutOfOrder`]
    /// after an earlier error; [`SepaWriteError::Io`].
    pub fn finish(mut self) -> Result<W, SepaWriteError> {
        if self.failed {
            return Err(failed());
        }
        if self.balance != self.closing {
            return Err(SepaWriteError::SumMismatch {
                scope: WriteScope::Statement,
                declared: self.closing,
                written: self.balance,
            });
        }
        self.out.close("Stmt")?;
        self.out.close("BkToCstmrStmt")?;
        Ok(self.out.end_document()?)
    }
}

fn credit_debit(credit: bool) -> &'static str {
    if credit { "CRDT" } else { "DBIT" }
}

fn write_optional<W: Write>(
    out: &mut XmlOut<W>,
    name: &str,
    value: Option<&str>,
) -> std::io::Result<()> {
    match value {
        Some(value) if !value.is_empty() => out.leaf(name, value),
        _ => Ok(()),
    }
}
