//! Streaming writer for SEPA direct-debit initiations, pain.008.001.02 (collections).
//!
//! Layout (`REFERENCE.md`): `Document/CstmrDrctDbtInitn` with one `GrpHdr`, then one `PmtInf`
//! per sequence type and collection date, each with its `DrctDbtTxInf` transactions. Element
//! order follows `pain.008.001.02.xsd`; the tests validate every written file with `xmllint`.

use std::io::Write;

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{CreditorId, Iban, MandateId};
use time::Date;

use super::error::{FieldProblem, SepaWriteError, WriteScope};
use super::xml_out::{
    Tally, XmlOut, checked_amount, checked_bic, failed, invalid, iso_date, required_text,
};
use super::{GroupHeader, ID_CHARS_MAX, NAME_CHARS_MAX, REMITTANCE_CHARS_MAX};

/// The XML namespace of pain.008.001.02.
pub const PAIN008_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02";

/// The sequence type of a collection (`SeqTp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SequenceType {
    /// First collection of a recurrent mandate (`FRST`).
    Frst,
    /// A following collection of a recurrent mandate (`RCUR`).
    Rcur,
    /// A one-off collection (`OOFF`).
    Ooff,
    /// The last collection of a recurrent mandate (`FNAL`).
    Fnal,
}

impl SequenceType {
    /// The code written in `SeqTp`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            SequenceType::Frst => "FRST",
            SequenceType::Rcur => "RCUR",
            SequenceType::Ooff => "OOFF",
            SequenceType::Fnal => "FNAL",
        }
    }
}

/// One payment information block (`PmtInf`): the collections of one sequence type on one date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectDebitBatch {
    /// Unique id of the block (`PmtInfId`), cut to 35.
    pub payment_info_id: String,
    /// Sequence type of every collection in the block.
    pub sequence: SequenceType,
    /// Requested collection date (`ReqdColltnDt`).
    pub collection_date: Date,
    /// The creditor's name (`Cdtr/Nm`), cut to 70.
    pub creditor_name: String,
    /// The account the money goes to (`CdtrAcct/Id/IBAN`).
    pub creditor_iban: Iban,
    /// The creditor bank's BIC; `None` writes `Othr/Id` = `NOTPROVIDED`.
    pub creditor_bic: Option<String>,
    /// The SEPA creditor identifier (`CdtrSchmeId`).
    pub creditor_id: CreditorId,
    /// Whether the bank books the block as one entry (`BtchBookg`).
    pub batch_booking: bool,
}

/// The original mandate data when a mandate changed (`AmdmntInfDtls`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MandateAmendment {
    /// The mandate id before the change (`OrgnlMndtId`).
    pub original_mandate_id: Option<MandateId>,
    /// The debtor's IBAN before the change, at the same bank (`OrgnlDbtrAcct/Id/IBAN`).
    pub original_debtor_iban: Option<Iban>,
}

/// One collection (`DrctDbtTxInf`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectDebit {
    /// The end-to-end id the bank reports back (`PmtId/EndToEndId`), cut to 35.
    pub end_to_end_id: String,
    /// The amount; must be above zero.
    pub amount: Cents,
    /// The mandate (`MndtId`).
    pub mandate_id: MandateId,
    /// The date the mandate was signed (`DtOfSgntr`).
    pub mandate_signed_on: Date,
    /// The original mandate data when it changed; `None` writes `AmdmntInd` false.
    pub amendment: Option<MandateAmendment>,
    /// The debtor's name (`Dbtr/Nm`), cut to 70.
    pub debtor_name: String,
    /// The debtor's account (`DbtrAcct/Id/IBAN`).
    pub debtor_iban: Iban,
    /// The debtor bank's BIC; `None` writes `Othr/Id` = `NOTPROVIDED`.
    pub debtor_bic: Option<String>,
    /// The text on the debtor's statement (`RmtInf/Ustrd`), cut to 140; omitted when empty.
    pub remittance: String,
}

/// Where the writer is in the document.
#[derive(Debug)]
enum State {
    /// After the group header or a closed block: a block may begin, or the file may finish.
    BetweenPayments,
    /// Inside a block: debits may follow.
    InPayment(Tally),
    /// An earlier error made the output unusable.
    Failed,
}

/// Streams a pain.008.001.02 file: `new`, then per block `begin_payment`, `debit`…,
/// `end_payment`, and finally `finish`.
///
/// The number of transactions and control sums are declared up front and checked as blocks
/// and the file end ([`SepaWriteError::CountMismatch`], [`SepaWriteError::SumMismatch`]).
/// A `debit` rejected for its own data (for example a zero amount) writes nothing and leaves
/// the writer usable; any other error makes the output unusable.
#[derive(Debug)]
pub struct Pain008Writer<W: Write> {
    out: XmlOut<W>,
    group: Tally,
    payments_written: u64,
    state: State,
}

impl<W: Write> Pain008Writer<W> {
    /// Writes the document start and the group header.
    ///
    /// # Errors
    /// [`SepaWriteError::InvalidField`] for a header field that cannot be written (for example
    /// no transactions, or a message id with no SEPA characters); [`SepaWriteError::Io`].
    pub fn new(
        w: W,
        header: &GroupHeader,
        number_of_transactions: u64,
        control_sum: Cents,
    ) -> Result<Self, SepaWriteError> {
        let group = Tally::new(number_of_transactions, control_sum, "GrpHdr")?;
        let mut out = XmlOut::start_document(w, PAIN008_NAMESPACE)?;
        out.open("CstmrDrctDbtInitn")?;
        super::write_group_header(&mut out, header, &group)?;
        Ok(Pain008Writer {
            out,
            group,
            payments_written: 0,
            state: State::BetweenPayments,
        })
    }

    /// Opens a payment information block of `number_of_transactions` collections adding up to
    /// `control_sum`.
    ///
    /// # Errors
    /// [`SepaWriteError::OutOfOrder`] inside an open block or after an error;
    /// [`SepaWriteError::InvalidField`]; [`SepaWriteError::Io`].
    pub fn begin_payment(
        &mut self,
        info: &DirectDebitBatch,
        number_of_transactions: u64,
        control_sum: Cents,
    ) -> Result<(), SepaWriteError> {
        match self.state {
            State::BetweenPayments => {}
            State::InPayment(_) => {
                return Err(SepaWriteError::OutOfOrder(
                    "begin_payment inside an open block",
                ));
            }
            State::Failed => return Err(failed()),
        }
        let tally = Tally::new(number_of_transactions, control_sum, "PmtInf")?;
        let id = required_text(&info.payment_info_id, ID_CHARS_MAX, "PmtInf/PmtInfId", None)?;
        let date = iso_date(info.collection_date, "PmtInf/ReqdColltnDt", None)?;
        let name = required_text(&info.creditor_name, NAME_CHARS_MAX, "PmtInf/Cdtr/Nm", None)?;
        let bic = checked_bic(
            info.creditor_bic.as_deref(),
            "PmtInf/CdtrAgt/FinInstnId/BIC",
            None,
        )?;
        self.state = State::Failed;
        let out = &mut self.out;
        out.open("PmtInf")?;
        out.leaf("PmtInfId", &id)?;
        out.leaf("PmtMtd", "DD")?;
        out.leaf(
            "BtchBookg",
            if info.batch_booking { "true" } else { "false" },
        )?;
        out.leaf("NbOfTxs", &number_of_transactions.to_string())?;
        out.leaf("CtrlSum", &control_sum.to_string())?;
        out.open("PmtTpInf")?;
        out.nested(&["SvcLvl", "Cd"], "SEPA")?;
        out.nested(&["LclInstrm", "Cd"], "CORE")?;
        out.leaf("SeqTp", info.sequence.code())?;
        out.close("PmtTpInf")?;
        out.leaf("ReqdColltnDt", &date)?;
        out.nested(&["Cdtr", "Nm"], &name)?;
        out.nested(&["CdtrAcct", "Id", "IBAN"], info.creditor_iban.expose())?;
        out.agent("CdtrAgt", bic)?;
        out.leaf("ChrgBr", "SLEV")?;
        out.open("CdtrSchmeId")?;
        out.open("Id")?;
        out.open("PrvtId")?;
        out.open("Othr")?;
        out.leaf("Id", info.creditor_id.as_str())?;
        out.nested(&["SchmeNm", "Prtry"], "SEPA")?;
        out.close("Othr")?;
        out.close("PrvtId")?;
        out.close("Id")?;
        out.close("CdtrSchmeId")?;
        self.payments_written += 1;
        self.state = State::InPayment(tally);
        Ok(())
    }

    /// Writes one collection into the open block.
    ///
    /// # Errors
    /// [`SepaWriteError::NonPositiveAmount`] and [`SepaWriteError::InvalidField`] write nothing
    /// and leave the writer usable; [`SepaWriteError::OutOfOrder`] outside a block;
    /// [`SepaWriteError::Overflow`]; [`SepaWriteError::Io`].
    pub fn debit(&mut self, tx: &DirectDebit) -> Result<(), SepaWriteError> {
        let State::InPayment(mut tally) = self.state else {
            return Err(match self.state {
                State::Failed => failed(),
                _ => SepaWriteError::OutOfOrder("debit outside a payment block"),
            });
        };
        let number = self.group.written_count().saturating_add(1);
        let n = Some(number);
        let amount = checked_amount(tx.amount, "InstdAmt", number)?;
        let e2e = required_text(&tx.end_to_end_id, ID_CHARS_MAX, "PmtId/EndToEndId", n)?;
        let signed = iso_date(tx.mandate_signed_on, "MndtRltdInf/DtOfSgntr", n)?;
        let name = required_text(&tx.debtor_name, NAME_CHARS_MAX, "Dbtr/Nm", n)?;
        let bic = checked_bic(tx.debtor_bic.as_deref(), "DbtrAgt/FinInstnId/BIC", n)?;
        let remittance = super::to_sepa_text(&tx.remittance, REMITTANCE_CHARS_MAX);
        if let Some(amendment) = &tx.amendment
            && amendment.original_mandate_id.is_none()
            && amendment.original_debtor_iban.is_none()
        {
            return Err(invalid("MndtRltdInf/AmdmntInfDtls", n, FieldProblem::Empty));
        }
        tally.add(amount)?;
        self.group.add(amount)?;
        self.state = State::Failed;
        let out = &mut self.out;
        out.open("DrctDbtTxInf")?;
        out.nested(&["PmtId", "EndToEndId"], &e2e)?;
        out.amount("InstdAmt", amount)?;
        out.open("DrctDbtTx")?;
        out.open("MndtRltdInf")?;
        out.leaf("MndtId", tx.mandate_id.as_str())?;
        out.leaf("DtOfSgntr", &signed)?;
        match &tx.amendment {
            None => out.leaf("AmdmntInd", "false")?,
            Some(amendment) => {
                out.leaf("AmdmntInd", "true")?;
                out.open("AmdmntInfDtls")?;
                if let Some(original) = &amendment.original_mandate_id {
                    out.leaf("OrgnlMndtId", original.as_str())?;
                }
                if let Some(original) = &amendment.original_debtor_iban {
                    out.nested(&["OrgnlDbtrAcct", "Id", "IBAN"], original.expose())?;
                }
                out.close("AmdmntInfDtls")?;
            }
        }
        out.close("MndtRltdInf")?;
        out.close("DrctDbtTx")?;
        out.agent("DbtrAgt", bic)?;
        out.nested(&["Dbtr", "Nm"], &name)?;
        out.nested(&["DbtrAcct", "Id", "IBAN"], tx.debtor_iban.expose())?;
        if !remittance.is_empty() {
            out.nested(&["RmtInf", "Ustrd"], &remittance)?;
        }
        out.close("DrctDbtTxInf")?;
        self.state = State::InPayment(tally);
        Ok(())
    }

    /// Closes the open block after checking its count and control sum.
    ///
    /// # Errors
    /// [`SepaWriteError::CountMismatch`] / [`SepaWriteError::SumMismatch`] (the output is then
    /// unusable); [`SepaWriteError::OutOfOrder`]; [`SepaWriteError::Io`].
    pub fn end_payment(&mut self) -> Result<(), SepaWriteError> {
        let tally = match std::mem::replace(&mut self.state, State::Failed) {
            State::InPayment(tally) => tally,
            State::BetweenPayments => {
                self.state = State::BetweenPayments;
                return Err(SepaWriteError::OutOfOrder(
                    "end_payment without an open block",
                ));
            }
            State::Failed => return Err(failed()),
        };
        tally.check(WriteScope::Payment {
            number: self.payments_written,
        })?;
        self.out.close("PmtInf")?;
        self.state = State::BetweenPayments;
        Ok(())
    }

    /// Checks the group's count and control sum, closes the document and returns the output.
    ///
    /// # Errors
    /// [`SepaWriteError::CountMismatch`] / [`SepaWriteError::SumMismatch`];
    /// [`SepaWriteError::OutOfOrder`] with an open block or after an error;
    /// [`SepaWriteError::Io`].
    pub fn finish(mut self) -> Result<W, SepaWriteError> {
        match self.state {
            State::BetweenPayments => {}
            State::InPayment(_) => {
                return Err(SepaWriteError::OutOfOrder("finish with an open block"));
            }
            State::Failed => return Err(failed()),
        }
        self.group.check(WriteScope::Group)?;
        self.out.close("CstmrDrctDbtInitn")?;
        Ok(self.out.end_document()?)
    }
}
