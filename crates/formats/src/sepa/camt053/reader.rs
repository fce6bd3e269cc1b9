//! The streaming camt.053 reader.

use std::io::BufRead;

use ixorg_domain::Cents;
use ixorg_domain::identifiers::Iban;
use time::Date;

use super::{Camt053Event, Entry, SignedAmount, StatementHeader, TxDetail};
use crate::sepa::error::{ReadProblem, SepaReadError};
use crate::sepa::xml_in::{Node, TEXT_CHARS_MAX, XmlPull};

/// Most entries (`Ntry`) one file may hold.
pub const ENTRIES_MAX: u64 = 10_000_000;

/// Most transactions (`TxDtls`) one entry may hold.
pub const TX_DETAILS_PER_ENTRY_MAX: u64 = 100_000;

/// Most statements (`Stmt`) one file may hold.
pub const STATEMENTS_MAX: u64 = 10_000;

/// Namespace of camt.053 without the version digit.
const NAMESPACE_STEM: &str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.0";

/// True for the camt.053 namespaces the reader accepts: .001.02 and .001.04 to .001.08.
#[must_use]
pub fn camt053_namespace_is_supported(namespace: &str) -> bool {
    namespace
        .strip_prefix(NAMESPACE_STEM)
        .is_some_and(|version| matches!(version, "2" | "4" | "5" | "6" | "7" | "8"))
}

const STMT: [&str; 3] = ["Document", "BkToCstmrStmt", "Stmt"];
const BAL: [&str; 4] = ["Document", "BkToCstmrStmt", "Stmt", "Bal"];
const NTRY: [&str; 4] = ["Document", "BkToCstmrStmt", "Stmt", "Ntry"];
const TXD: [&str; 6] = [
    "Document",
    "BkToCstmrStmt",
    "Stmt",
    "Ntry",
    "NtryDtls",
    "TxDtls",
];
/// Depth of `Stmt` (the root is depth 1).
const STMT_DEPTH: usize = 3;
/// Depth of `Ntry`.
const NTRY_DEPTH: usize = 4;

/// A statement being read.
#[derive(Default)]
struct StmtBuilder {
    id: Option<String>,
    created_at: Option<String>,
    iban: Option<Iban>,
    opening: Option<SignedAmount>,
    opening_is_opbd: bool,
    closing: Option<SignedAmount>,
    emitted: bool,
}

/// A balance being read.
#[derive(Default)]
struct BalBuilder {
    kind: Option<String>,
    amount: Option<Cents>,
    credit: Option<bool>,
    date: Option<Date>,
}

/// An entry being read.
#[derive(Default)]
struct EntryBuilder {
    amount: Option<Cents>,
    credit: Option<bool>,
    reversal: Option<bool>,
    status: Option<String>,
    booking_date: Option<Date>,
    value_date: Option<Date>,
    servicer_ref: Option<String>,
    details: Vec<TxDetail>,
}

/// A transaction being read.
#[derive(Default)]
struct TxBuilder {
    detail: TxDetail,
    amount: Option<Cents>,
    tx_amount: Option<Cents>,
    instructed_amount: Option<Cents>,
    instructed_is_eur: bool,
    debtor_iban: Option<String>,
    creditor_iban: Option<String>,
}

/// Reads a camt.053 file one event at a time; see the module documentation.
///
/// After an error, every further call returns the same error.
pub struct Camt053Reader<R: BufRead> {
    xml: XmlPull<R>,
    message_id: Option<String>,
    stmt: Option<StmtBuilder>,
    balance: Option<BalBuilder>,
    entry: Option<EntryBuilder>,
    tx: Option<TxBuilder>,
    statements: u64,
    entries: u64,
    details_in_entry: u64,
    failed: Option<SepaReadError>,
    done: bool,
}

impl<R: BufRead> std::fmt::Debug for Camt053Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Camt053Reader")
            .field("statements", &self.statements)
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

impl<R: BufRead> Camt053Reader<R> {
    /// A reader over `input`; nothing is read until [`Camt053Reader::next_event`].
    pub fn new(input: R) -> Camt053Reader<R> {
        Camt053Reader {
            xml: XmlPull::new(input),
            message_id: None,
            stmt: None,
            balance: None,
            entry: None,
            tx: None,
            statements: 0,
            entries: 0,
            details_in_entry: 0,
            failed: None,
            done: false,
        }
    }

    /// The next statement header or entry, or `None` at the end of the file.
    ///
    /// # Errors
    /// [`SepaReadError`] with the path and byte position: malformed XML, a document that is
    /// not camt.053 ([`ReadProblem::WrongDocument`]), a missing `Stmt/Id`, `Stmt/CreDtTm`,
    /// `Stmt/Acct/Id/IBAN`, `Ntry/Amt`, `Ntry/CdtDbtInd` or `Ntry/Sts`, a bad amount, date,
    /// IBAN or code, an amount not in EUR, or more than [`ENTRIES_MAX`] entries or
    /// [`TX_DETAILS_PER_ENTRY_MAX`] transactions in one entry.
    pub fn next_event(&mut self) -> Result<Option<Camt053Event>, SepaReadError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if self.done {
            return Ok(None);
        }
        let result = self.advance();
        if let Err(error) = &result {
            self.failed = Some(error.clone());
        }
        result
    }

    fn advance(&mut self) -> Result<Option<Camt053Event>, SepaReadError> {
        while let Some(node) = self.xml.next()? {
            let event = match node {
                Node::Open => self.open()?,
                Node::Close => self.close()?,
            };
            if event.is_some() {
                return Ok(event);
            }
        }
        self.done = true;
        if self.statements == 0 {
            return Err(SepaReadError {
                position: self.xml.position(),
                path: "Document/BkToCstmrStmt/Stmt".to_owned(),
                problem: ReadProblem::MissingElement,
            });
        }
        Ok(None)
    }

    fn open(&mut self) -> Result<Option<Camt053Event>, SepaReadError> {
        let xml = &self.xml;
        if xml.depth() == 1 {
            let namespace = xml.root_namespace().unwrap_or("");
            if xml.name_at(0) != Some("Document") {
                let found = xml
                    .name_at(0)
                    .unwrap_or_default()
                    .chars()
                    .take(100)
                    .collect();
                return Err(xml.error(ReadProblem::WrongDocument { found }));
            }
            if !camt053_namespace_is_supported(namespace) {
                let found = if namespace.is_empty() {
                    "no namespace".to_owned()
                } else {
                    namespace.to_owned()
                };
                return Err(xml.error(ReadProblem::WrongDocument { found }));
            }
        } else if xml.depth() == 2 && xml.name_at(1) != Some("BkToCstmrStmt") {
            let found = xml
                .name_at(1)
                .unwrap_or_default()
                .chars()
                .take(100)
                .collect();
            return Err(xml.error(ReadProblem::WrongDocument { found }));
        } else if xml.is(&STMT) {
            self.statements += 1;
            if self.statements > STATEMENTS_MAX {
                return Err(xml.error(ReadProblem::TooMany {
                    max: STATEMENTS_MAX,
                }));
            }
            self.stmt = Some(StmtBuilder::default());
        } else if xml.is(&BAL) {
            self.balance = Some(BalBuilder::default());
        } else if xml.is(&NTRY) {
            self.entries += 1;
            if self.entries > ENTRIES_MAX {
                return Err(xml.error(ReadProblem::TooMany { max: ENTRIES_MAX }));
            }
            self.entry = Some(EntryBuilder::default());
            self.details_in_entry = 0;
            return self.header_once();
        } else if xml.is(&TXD) {
            self.details_in_entry += 1;
            if self.details_in_entry > TX_DETAILS_PER_ENTRY_MAX {
                return Err(xml.error(ReadProblem::TooMany {
                    max: TX_DETAILS_PER_ENTRY_MAX,
                }));
            }
            self.tx = Some(TxBuilder::default());
        } else if xml.name_at(xml.depth() - 1) == Some("Amt") {
            let euro_required = xml.is_under(&BAL, &["Amt"])
                || xml.is_under(&NTRY, &["Amt"])
                || xml.is_under(&TXD, &["Amt"])
                || xml.is_under(&TXD, &["AmtDtls", "TxAmt", "Amt"]);
            if euro_required && xml.currency_is_not_eur() {
                return Err(xml.error(ReadProblem::Currency));
            }
            if xml.is_under(&TXD, &["AmtDtls", "InstdAmt", "Amt"])
                && let Some(tx) = self.tx.as_mut()
            {
                tx.instructed_is_eur = !xml.currency_is_not_eur();
            }
        }
        Ok(None)
    }

    /// The statement header, the first time it is complete (at the first `Ntry` or the end
    /// of `Stmt`).
    fn header_once(&mut self) -> Result<Option<Camt053Event>, SepaReadError> {
        let xml = &self.xml;
        let Some(stmt) = self.stmt.as_mut() else {
            return Ok(None);
        };
        if stmt.emitted {
            return Ok(None);
        }
        stmt.emitted = true;
        let missing = |child: &str| xml.error_below(STMT_DEPTH, child, ReadProblem::MissingElement);
        let header = StatementHeader {
            message_id: self.message_id.clone(),
            id: stmt.id.clone().ok_or_else(|| missing("Id"))?,
            created_at: stmt.created_at.clone().ok_or_else(|| missing("CreDtTm"))?,
            account_iban: stmt.iban.clone().ok_or_else(|| missing("Acct/Id/IBAN"))?,
            opening_balance: stmt.opening,
            closing_balance: stmt.closing,
        };
        Ok(Some(Camt053Event::Statement(header)))
    }

    fn close(&mut self) -> Result<Option<Camt053Event>, SepaReadError> {
        let xml = &self.xml;
        if xml.depth() > NTRY_DEPTH && xml.name_at(NTRY_DEPTH - 1) == Some("Ntry") {
            return self.close_in_entry();
        }
        if xml.is(&NTRY) {
            return self.finish_entry();
        }
        if xml.is(&["Document", "BkToCstmrStmt", "GrpHdr", "MsgId"]) {
            set_once(xml, &mut self.message_id)?;
        } else if let Some(balance) = self.balance.as_mut()
            && xml.depth() > STMT_DEPTH
            && xml.name_at(STMT_DEPTH) == Some("Bal")
        {
            if xml.is_under(&BAL, &["Tp", "CdOrPrtry", "Cd"]) {
                set_once(xml, &mut balance.kind)?;
            } else if xml.is_under(&BAL, &["Amt"]) {
                set_value(xml, &mut balance.amount, xml.amount()?)?;
            } else if xml.is_under(&BAL, &["CdtDbtInd"]) {
                set_value(xml, &mut balance.credit, credit_debit(xml)?)?;
            } else if xml.is_under(&BAL, &["Dt", "Dt"]) || xml.is_under(&BAL, &["Dt", "DtTm"]) {
                set_value(xml, &mut balance.date, xml.date()?)?;
            } else if xml.is(&BAL) {
                let done = self.balance.take().unwrap_or_default();
                let magnitude = done
                    .amount
                    .ok_or_else(|| xml.child_error("Amt", ReadProblem::MissingElement))?;
                let credit = done
                    .credit
                    .ok_or_else(|| xml.child_error("CdtDbtInd", ReadProblem::MissingElement))?;
                let amount = if credit {
                    magnitude
                } else {
                    magnitude
                        .checked_neg()
                        .ok_or_else(|| xml.child_error("Amt", ReadProblem::InvalidAmount))?
                };
                let signed = SignedAmount {
                    amount,
                    date: done.date,
                };
                if let Some(stmt) = self.stmt.as_mut() {
                    match done.kind.as_deref() {
                        Some("OPBD") => {
                            stmt.opening = Some(signed);
                            stmt.opening_is_opbd = true;
                        }
                        Some("PRCD") if !stmt.opening_is_opbd => stmt.opening = Some(signed),
                        Some("CLBD") => stmt.closing = Some(signed),
                        _ => {}
                    }
                }
            }
        } else if let Some(stmt) = self.stmt.as_mut() {
            if xml.is_under(&STMT, &["Id"]) {
                set_once(xml, &mut stmt.id)?;
            } else if xml.is_under(&STMT, &["CreDtTm"]) {
                set_once(xml, &mut stmt.created_at)?;
            } else if xml.is_under(&STMT, &["Acct", "Id", "IBAN"]) {
                let iban =
                    Iban::parse(xml.text()).map_err(|_| xml.error(ReadProblem::InvalidIban))?;
                set_value(xml, &mut stmt.iban, iban)?;
            } else if xml.is(&STMT) {
                let event = self.header_once()?;
                self.stmt = None;
                return Ok(event);
            }
        }
        Ok(None)
    }

    fn close_in_entry(&mut self) -> Result<Option<Camt053Event>, SepaReadError> {
        let xml = &self.xml;
        let Some(entry) = self.entry.as_mut() else {
            return Ok(None);
        };
        if xml.depth() > TXD.len() && xml.name_at(TXD.len() - 1) == Some("TxDtls") {
            let Some(tx) = self.tx.as_mut() else {
                return Ok(None);
            };
            let detail = &mut tx.detail;
            if xml.is_under(&TXD, &["Refs", "EndToEndId"]) {
                set_id(xml, &mut detail.end_to_end_id)?;
            } else if xml.is_under(&TXD, &["Refs", "MndtId"]) {
                set_id(xml, &mut detail.mandate_id)?;
            } else if xml.is_under(&TXD, &["Refs", "PmtInfId"]) {
                set_id(xml, &mut detail.payment_info_id)?;
            } else if xml.is_under(&TXD, &["Amt"]) {
                set_value(xml, &mut tx.amount, xml.amount()?)?;
            } else if xml.is_under(&TXD, &["AmtDtls", "TxAmt", "Amt"]) {
                set_value(xml, &mut tx.tx_amount, xml.amount()?)?;
            } else if xml.is_under(&TXD, &["AmtDtls", "InstdAmt", "Amt"]) {
                set_value(xml, &mut tx.instructed_amount, xml.amount()?)?;
            } else if xml.is_under(&TXD, &["RtrInf", "Rsn", "Cd"])
                || xml.is_under(&TXD, &["RtrInf", "Rsn", "Prtry"])
            {
                set_once(xml, &mut detail.return_reason)?;
            } else if xml.is_under(&TXD, &["RltdPties", "DbtrAcct", "Id", "IBAN"]) {
                set_once(xml, &mut tx.debtor_iban)?;
            } else if xml.is_under(&TXD, &["RltdPties", "CdtrAcct", "Id", "IBAN"]) {
                set_once(xml, &mut tx.creditor_iban)?;
            } else if xml.is_under(&TXD, &["RmtInf", "Ustrd"]) {
                let text = xml.text();
                if !text.is_empty() {
                    let joined = match detail.remittance.take() {
                        Some(before) => format!("{before} {text}"),
                        None => text.to_owned(),
                    };
                    if joined.chars().count() > TEXT_CHARS_MAX {
                        return Err(xml.error(ReadProblem::TextTooLong {
                            max_chars: TEXT_CHARS_MAX,
                        }));
                    }
                    detail.remittance = Some(joined);
                }
            } else if xml.is_under(&TXD, &["RmtInf", "Strd", "CdtrRefInf", "Ref"])
                && detail.remittance.is_none()
            {
                detail.remittance = xml.optional_text();
            }
            return Ok(None);
        }
        if xml.is(&TXD) {
            let done = self.tx.take().unwrap_or_default();
            let account = self.stmt.as_ref().and_then(|s| s.iban.as_ref());
            let credit = entry.credit.unwrap_or(true);
            let mut detail = done.detail;
            detail.amount = done
                .amount
                .or(done.tx_amount)
                .or(done.instructed_amount.filter(|_| done.instructed_is_eur));
            detail.counterparty_iban =
                counterparty(account, credit, done.debtor_iban, done.creditor_iban);
            entry.details.push(detail);
        } else if xml.is_under(&NTRY, &["Amt"]) {
            set_value(xml, &mut entry.amount, xml.amount()?)?;
        } else if xml.is_under(&NTRY, &["CdtDbtInd"]) {
            set_value(xml, &mut entry.credit, credit_debit(xml)?)?;
        } else if xml.is_under(&NTRY, &["RvslInd"]) {
            let reversal = match xml.text() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => {
                    return Err(xml.error(ReadProblem::InvalidCode {
                        expected: "true or false",
                    }));
                }
            };
            set_value(xml, &mut entry.reversal, reversal)?;
        } else if xml.is_under(&NTRY, &["Sts"])
            || xml.is_under(&NTRY, &["Sts", "Cd"])
            || xml.is_under(&NTRY, &["Sts", "Prtry"])
        {
            if !xml.text().is_empty() {
                set_once(xml, &mut entry.status)?;
            }
        } else if xml.is_under(&NTRY, &["BookgDt", "Dt"])
            || xml.is_under(&NTRY, &["BookgDt", "DtTm"])
        {
            set_value(xml, &mut entry.booking_date, xml.date()?)?;
        } else if xml.is_under(&NTRY, &["ValDt", "Dt"]) || xml.is_under(&NTRY, &["ValDt", "DtTm"]) {
            set_value(xml, &mut entry.value_date, xml.date()?)?;
        } else if xml.is_under(&NTRY, &["AcctSvcrRef"]) {
            set_once(xml, &mut entry.servicer_ref)?;
        }
        Ok(None)
    }
}

impl<R: BufRead> Camt053Reader<R> {
    /// Finishes the entry at its `</Ntry>`.
    fn finish_entry(&mut self) -> Result<Option<Camt053Event>, SepaReadError> {
        let xml = &self.xml;
        let done = self.entry.take().unwrap_or_default();
        let missing = |child: &str| xml.child_error(child, ReadProblem::MissingElement);
        Ok(Some(Camt053Event::Entry(Entry {
            amount: done.amount.ok_or_else(|| missing("Amt"))?,
            credit: done.credit.ok_or_else(|| missing("CdtDbtInd"))?,
            reversal: done.reversal.unwrap_or(false),
            status: done.status.ok_or_else(|| missing("Sts"))?,
            booking_date: done.booking_date,
            value_date: done.value_date,
            account_servicer_ref: done.servicer_ref,
            details: done.details,
        })))
    }
}

/// The other party's IBAN: the related account that is not the statement's own, preferring
/// the debtor for money in and the creditor for money out.
fn counterparty(
    account: Option<&Iban>,
    credit: bool,
    debtor: Option<String>,
    creditor: Option<String>,
) -> Option<String> {
    let (first, second) = if credit {
        (debtor, creditor)
    } else {
        (creditor, debtor)
    };
    let is_own = |iban: &String| {
        account.is_some_and(|own| {
            let compact: String = iban.chars().filter(|c| *c != ' ').collect();
            compact.eq_ignore_ascii_case(own.expose())
        })
    };
    match (first, second) {
        (Some(a), Some(b)) if is_own(&a) && !is_own(&b) => Some(b),
        (Some(a), _) => Some(a),
        (None, b) => b,
    }
}

/// `CRDT` → true, `DBIT` → false.
fn credit_debit<R: BufRead>(xml: &XmlPull<R>) -> Result<bool, SepaReadError> {
    match xml.text() {
        "CRDT" => Ok(true),
        "DBIT" => Ok(false),
        _ => Err(xml.error(ReadProblem::InvalidCode {
            expected: "CRDT or DBIT",
        })),
    }
}

/// Stores the closed element's text; a second occurrence is an error.
fn set_once<R: BufRead>(xml: &XmlPull<R>, slot: &mut Option<String>) -> Result<(), SepaReadError> {
    set_value(xml, slot, xml.text().to_owned())
}

/// Stores a reference id; empty and `NOTPROVIDED` mean none.
fn set_id<R: BufRead>(xml: &XmlPull<R>, slot: &mut Option<String>) -> Result<(), SepaReadError> {
    if slot.is_some() {
        return Err(xml.error(ReadProblem::DuplicateElement));
    }
    *slot = xml.optional_text().filter(|id| id != "NOTPROVIDED");
    Ok(())
}

/// Stores `value`; a second occurrence is an error.
fn set_value<R: BufRead, T>(
    xml: &XmlPull<R>,
    slot: &mut Option<T>,
    value: T,
) -> Result<(), SepaReadError> {
    if slot.is_some() {
        return Err(xml.error(ReadProblem::DuplicateElement));
    }
    *slot = Some(value);
    Ok(())
}
