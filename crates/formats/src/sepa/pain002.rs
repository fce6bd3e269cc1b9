//! Reader for payment status reports, pain.002.001.03: the bank's rejects before settlement.
//!
//! The report names the original message, optionally a status per payment information block
//! and per transaction, each with a reason code in `StsRsnInf/Rsn/Cd` (AC04, MD01, … in
//! `REFERENCE.md`). A transaction without its own `TxSts` takes the status of its block, or
//! else of the group. Where a transaction repeats its original (`OrgnlTxRef`), the creditor
//! identifier and the creditor's and debtor's accounts are read, so that the reconciliation can
//! refuse a report about another creditor's file.

use std::io::BufRead;

use ixorg_domain::identifiers::Iban;

use super::error::{ReadProblem, SepaReadError};
use super::xml_in::{Node, XmlPull};

/// Namespace prefix of every pain.002 version; the elements read here are the same in all.
pub const PAIN002_NAMESPACE_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.";

/// Most transaction statuses one report may carry.
pub const TRANSACTIONS_MAX: u64 = 2_000_000;

/// Most payment information blocks one report may carry.
pub const PAYMENT_INFOS_MAX: u64 = 100_000;

/// A payment status report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusReport {
    /// The report's own id (`GrpHdr/MsgId`).
    pub message_id: String,
    /// The id of the message it reports on (`OrgnlGrpInfAndSts/OrgnlMsgId`).
    pub original_message_id: String,
    /// Status of the whole message (`GrpSts`: ACCP, RJCT, PART, …), when given.
    pub group_status: Option<String>,
    /// Reason for the group status (`OrgnlGrpInfAndSts/StsRsnInf/Rsn/Cd`), when given.
    pub group_reason: Option<String>,
    /// Status per transaction, in file order.
    pub transactions: Vec<TransactionStatus>,
    /// Status per payment information block, in file order.
    pub payment_infos: Vec<PaymentInfoStatus>,
}

/// The status of one transaction (`TxInfAndSts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionStatus {
    /// The end-to-end id of the original transaction (`OrgnlEndToEndId`).
    pub original_end_to_end_id: String,
    /// The status (`TxSts`, e.g. RJCT, ACCP), or the block's or group's status when absent.
    pub status: String,
    /// The first reason code (`StsRsnInf/Rsn/Cd`, or `Prtry`), e.g. AC04.
    pub reason: Option<String>,
    /// The original creditor identifier (`OrgnlTxRef/CdtrSchmeId/Id/PrvtId/Othr/Id`) as
    /// written, when the report repeats it (direct debits).
    pub creditor_id: Option<String>,
    /// The original creditor's account (`OrgnlTxRef/CdtrAcct/Id/IBAN`), when given.
    pub creditor_iban: Option<Iban>,
    /// The original debtor's account (`OrgnlTxRef/DbtrAcct/Id/IBAN`), when given: the
    /// operator's own account in a report on a credit transfer file.
    pub debtor_iban: Option<Iban>,
}

/// The status of one payment information block (`OrgnlPmtInfAndSts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentInfoStatus {
    /// The id of the original block (`OrgnlPmtInfId`).
    pub original_payment_info_id: String,
    /// The block's status (`PmtInfSts`), when given.
    pub status: Option<String>,
    /// The first reason code of the block, when given.
    pub reason: Option<String>,
}

const ROOT: [&str; 2] = ["Document", "CstmrPmtStsRpt"];
const GROUP: [&str; 3] = ["Document", "CstmrPmtStsRpt", "OrgnlGrpInfAndSts"];
const PAYMENT: [&str; 3] = ["Document", "CstmrPmtStsRpt", "OrgnlPmtInfAndSts"];
const TRANSACTION: [&str; 4] = [
    "Document",
    "CstmrPmtStsRpt",
    "OrgnlPmtInfAndSts",
    "TxInfAndSts",
];

/// A transaction being read.
#[derive(Default)]
struct TxBuilder {
    end_to_end_id: Option<String>,
    status: Option<String>,
    reason: Option<String>,
    creditor_id: Option<String>,
    creditor_iban: Option<Iban>,
    debtor_iban: Option<Iban>,
}

/// Where a transaction repeats the original creditor identifier.
const ORIGINAL_CREDITOR_ID: [&str; 6] = ["OrgnlTxRef", "CdtrSchmeId", "Id", "PrvtId", "Othr", "Id"];
/// Where a transaction repeats the original creditor's account.
const ORIGINAL_CREDITOR_IBAN: [&str; 4] = ["OrgnlTxRef", "CdtrAcct", "Id", "IBAN"];
/// Where a transaction repeats the original debtor's account.
const ORIGINAL_DEBTOR_IBAN: [&str; 4] = ["OrgnlTxRef", "DbtrAcct", "Id", "IBAN"];

/// Reads a pain.002 status report.
///
/// # Errors
/// [`SepaReadError`] with the path and byte position: malformed XML, a root other than a
/// pain.002 `Document` ([`ReadProblem::WrongDocument`]), a missing `GrpHdr/MsgId`,
/// `OrgnlMsgId`, `OrgnlPmtInfId` or `OrgnlEndToEndId`, a transaction without any status, or
/// more than [`TRANSACTIONS_MAX`] transactions.
pub fn read_pain002(r: impl BufRead) -> Result<StatusReport, SepaReadError> {
    let mut xml = XmlPull::new(r);
    let mut report = StatusReport::default();
    let mut message_id = None;
    let mut original_message_id = None;
    let mut payment: Option<PaymentInfoStatus> = None;
    let mut tx: Option<TxBuilder> = None;
    let mut transactions: u64 = 0;
    let mut payments: u64 = 0;
    while let Some(node) = xml.next()? {
        match node {
            Node::Open => {
                if xml.depth() == 1 {
                    check_root(&xml)?;
                } else if xml.depth() == 2 && !xml.is(&ROOT) {
                    let found = xml
                        .name_at(1)
                        .unwrap_or_default()
                        .chars()
                        .take(100)
                        .collect();
                    return Err(xml.error(ReadProblem::WrongDocument { found }));
                } else if xml.is(&PAYMENT) {
                    payments += 1;
                    if payments > PAYMENT_INFOS_MAX {
                        return Err(xml.error(ReadProblem::TooMany {
                            max: PAYMENT_INFOS_MAX,
                        }));
                    }
                    payment = Some(PaymentInfoStatus {
                        original_payment_info_id: String::new(),
                        status: None,
                        reason: None,
                    });
                } else if xml.is(&TRANSACTION) {
                    transactions += 1;
                    if transactions > TRANSACTIONS_MAX {
                        return Err(xml.error(ReadProblem::TooMany {
                            max: TRANSACTIONS_MAX,
                        }));
                    }
                    tx = Some(TxBuilder::default());
                }
            }
            Node::Close => {
                if xml.is(&["Document", "CstmrPmtStsRpt", "GrpHdr", "MsgId"]) {
                    set_once(&xml, &mut message_id)?;
                } else if xml.is_under(&GROUP, &["OrgnlMsgId"]) {
                    set_once(&xml, &mut original_message_id)?;
                } else if xml.is_under(&GROUP, &["GrpSts"]) {
                    set_once(&xml, &mut report.group_status)?;
                } else if xml.is_under(&GROUP, &["StsRsnInf", "Rsn", "Cd"])
                    || xml.is_under(&GROUP, &["StsRsnInf", "Rsn", "Prtry"])
                {
                    set_first(&xml, &mut report.group_reason);
                } else if let Some(open) = payment.as_mut()
                    && xml.name_at(2) == Some("OrgnlPmtInfAndSts")
                {
                    if xml.is_under(&PAYMENT, &["OrgnlPmtInfId"]) {
                        if !open.original_payment_info_id.is_empty() {
                            return Err(xml.error(ReadProblem::DuplicateElement));
                        }
                        open.original_payment_info_id = xml.text().to_owned();
                    } else if xml.is_under(&PAYMENT, &["PmtInfSts"]) {
                        set_once(&xml, &mut open.status)?;
                    } else if xml.is_under(&PAYMENT, &["StsRsnInf", "Rsn", "Cd"])
                        || xml.is_under(&PAYMENT, &["StsRsnInf", "Rsn", "Prtry"])
                    {
                        set_first(&xml, &mut open.reason);
                    } else if let Some(builder) = tx.as_mut() {
                        if xml.is_under(&TRANSACTION, &["OrgnlEndToEndId"]) {
                            set_once(&xml, &mut builder.end_to_end_id)?;
                        } else if xml.is_under(&TRANSACTION, &["TxSts"]) {
                            set_once(&xml, &mut builder.status)?;
                        } else if xml.is_under(&TRANSACTION, &ORIGINAL_CREDITOR_ID) {
                            set_once(&xml, &mut builder.creditor_id)?;
                        } else if xml.is_under(&TRANSACTION, &ORIGINAL_CREDITOR_IBAN) {
                            set_iban(&xml, &mut builder.creditor_iban)?;
                        } else if xml.is_under(&TRANSACTION, &ORIGINAL_DEBTOR_IBAN) {
                            set_iban(&xml, &mut builder.debtor_iban)?;
                        } else if xml.is_under(&TRANSACTION, &["StsRsnInf", "Rsn", "Cd"])
                            || xml.is_under(&TRANSACTION, &["StsRsnInf", "Rsn", "Prtry"])
                        {
                            set_first(&xml, &mut builder.reason);
                        } else if xml.is(&TRANSACTION) {
                            let done = tx.take().unwrap_or_default();
                            let status = done
                                .status
                                .or_else(|| open.status.clone())
                                .or_else(|| report.group_status.clone())
                                .ok_or_else(|| {
                                    xml.child_error("TxSts", ReadProblem::MissingElement)
                                })?;
                            let original_end_to_end_id = done.end_to_end_id.ok_or_else(|| {
                                xml.child_error("OrgnlEndToEndId", ReadProblem::MissingElement)
                            })?;
                            report.transactions.push(TransactionStatus {
                                original_end_to_end_id,
                                status,
                                reason: done.reason,
                                creditor_id: done.creditor_id,
                                creditor_iban: done.creditor_iban,
                                debtor_iban: done.debtor_iban,
                            });
                        }
                    } else if xml.is(&PAYMENT) {
                        let done = payment.take().unwrap_or(PaymentInfoStatus {
                            original_payment_info_id: String::new(),
                            status: None,
                            reason: None,
                        });
                        if done.original_payment_info_id.is_empty() {
                            return Err(
                                xml.child_error("OrgnlPmtInfId", ReadProblem::MissingElement)
                            );
                        }
                        report.payment_infos.push(done);
                    }
                }
            }
        }
    }
    report.message_id = message_id.ok_or_else(|| SepaReadError {
        position: 0,
        path: "Document/CstmrPmtStsRpt/GrpHdr/MsgId".to_owned(),
        problem: ReadProblem::MissingElement,
    })?;
    report.original_message_id = original_message_id.ok_or_else(|| SepaReadError {
        position: 0,
        path: "Document/CstmrPmtStsRpt/OrgnlGrpInfAndSts/OrgnlMsgId".to_owned(),
        problem: ReadProblem::MissingElement,
    })?;
    Ok(report)
}

/// The root must be `Document` in a pain.002 namespace.
fn check_root<R: BufRead>(xml: &XmlPull<R>) -> Result<(), SepaReadError> {
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
    if !namespace.starts_with(PAIN002_NAMESPACE_PREFIX) {
        return Err(xml.error(ReadProblem::WrongDocument {
            found: if namespace.is_empty() {
                "no namespace".to_owned()
            } else {
                namespace.to_owned()
            },
        }));
    }
    Ok(())
}

/// Stores the closed element's text in `slot`; a second occurrence is an error.
fn set_once<R: BufRead>(xml: &XmlPull<R>, slot: &mut Option<String>) -> Result<(), SepaReadError> {
    if slot.is_some() {
        return Err(xml.error(ReadProblem::DuplicateElement));
    }
    *slot = Some(xml.text().to_owned());
    Ok(())
}

/// Parses the closed element's text as an IBAN into `slot`; a second occurrence or an invalid
/// IBAN is an error.
fn set_iban<R: BufRead>(xml: &XmlPull<R>, slot: &mut Option<Iban>) -> Result<(), SepaReadError> {
    if slot.is_some() {
        return Err(xml.error(ReadProblem::DuplicateElement));
    }
    let iban = Iban::parse(xml.text()).map_err(|_| xml.error(ReadProblem::InvalidIban))?;
    *slot = Some(iban);
    Ok(())
}

/// Stores the closed element's text in `slot` unless it already holds one (first reason wins).
fn set_first<R: BufRead>(xml: &XmlPull<R>, slot: &mut Option<String>) {
    if slot.is_none() {
        *slot = xml.optional_text();
    }
}
