//! Streaming writer for SEPA direct-debit initiations, pain.008.001.02 (collections).
//!
//! Layout (`REFERENCE.md`): `Document/CstmrDrctDbtInitn` with one `GrpHdr`, then one `PmtInf`
//! per sequence type and collection date, each with its `DrctDbtTxInf` transactions. Element
//! order follows `pain.008.001.02.xsd`; the tests validate every written file with `xmllint`.

use std::io::Write;

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{CreditorId, Iban, MandateId};
use time::Date;

use super::document::{Document, PaymentBlock, PaymentLayout, payment_layout};
use super::error::{FieldProblem, SepaWriteError};
use super::xml_out::{
    XmlOut, checked_amount, checked_bic, failed, invalid, iso_date, required_text,
};
use super::{AccountHolder, GroupHeader, ID_CHARS_MAX, NAME_CHARS_MAX, REMITTANCE_CHARS_MAX};

/// The XML namespace of pain.008.001.02.
pub const PAIN008_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02";

/// The sequence type of a collection (`SeqTp`): the domain's one type.
pub use ixorg_domain::collection::SequenceType;

/// The creditor's side of a collection block.
const COLLECTIONS: PaymentLayout = payment_layout!("DD", "ReqdColltnDt", "Cdtr");

/// One payment information block (`PmtInf`): the collections of one sequence type on one date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectDebitBatch {
    /// Unique id of the block (`PmtInfId`), cut to 35.
    pub payment_info_id: String,
    /// Sequence type of every collection in the block.
    pub sequence: SequenceType,
    /// Requested collection date (`ReqdColltnDt`).
    pub collection_date: Date,
    /// The creditor and the account the money goes to (`Cdtr`, `CdtrAcct`, `CdtrAgt`).
    pub creditor: AccountHolder,
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
    /// The debtor and their account (`Dbtr`, `DbtrAcct`, `DbtrAgt`).
    pub debtor: AccountHolder,
    /// The text on the debtor's statement (`RmtInf/Ustrd`), cut to 140; omitted when empty.
    pub remittance: String,
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
    doc: Document<W>,
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
        let doc = Document::start(
            w,
            PAIN008_NAMESPACE,
            "CstmrDrctDbtInitn",
            header,
            number_of_transactions,
            control_sum,
        )?;
        Ok(Pain008Writer { doc })
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
        let block = PaymentBlock {
            id: &info.payment_info_id,
            batch_booking: info.batch_booking,
            number_of_transactions,
            control_sum,
            date: info.collection_date,
            name: &info.creditor.name,
            iban: &info.creditor.iban,
            bic: info.creditor.bic.as_deref(),
        };
        let payment_type = |out: &mut XmlOut<W>| {
            out.nested(&["LclInstrm", "Cd"], "CORE")?;
            out.leaf("SeqTp", info.sequence.as_str())
        };
        let scheme = |out: &mut XmlOut<W>| {
            out.open("CdtrSchmeId")?;
            out.open("Id")?;
            out.open("PrvtId")?;
            out.open("Othr")?;
            out.leaf("Id", info.creditor_id.as_str())?;
            out.nested(&["SchmeNm", "Prtry"], "SEPA")?;
            out.close("Othr")?;
            out.close("PrvtId")?;
            out.close("Id")?;
            out.close("CdtrSchmeId")
        };
        self.doc
            .begin_payment(&COLLECTIONS, &block, payment_type, scheme)
    }

    /// Writes one collection into the open block.
    ///
    /// # Errors
    /// [`SepaWriteError::NonPositiveAmount`] and [`SepaWriteError::InvalidField`] write nothing
    /// and leave the writer usable; [`SepaWriteError::OutOfOrder`] outside a block;
    /// [`SepaWriteError::Overflow`]; [`SepaWriteError::Io`].
    pub fn debit(&mut self, tx: &DirectDebit) -> Result<(), SepaWriteError> {
        let (tally, number) = self.doc.next_transaction("debit outside a payment block")?;
        let checked = CheckedDebit::new(tx, number)?;
        self.doc
            .write_transaction(tally, checked.amount, |out| checked.write(out))
    }

    /// Places collections written ahead by a [`Pain008DebitSpool`] into the open block:
    /// `bytes` must be exactly what that spool wrote, and `spooled` what its
    /// [`Pain008DebitSpool::finish`] returned. They count towards the declared numbers and sums
    /// like collections written with [`Pain008Writer::debit`].
    ///
    /// # Errors
    /// [`SepaWriteError::OutOfOrder`] outside a block; [`SepaWriteError::Overflow`];
    /// [`SepaWriteError::Io`]. The output is unusable after any error.
    pub fn append_spooled<R: std::io::Read>(
        &mut self,
        spooled: SpooledDebits,
        bytes: &mut R,
    ) -> Result<(), SepaWriteError> {
        self.doc.append_fragment(
            spooled.count,
            spooled.sum,
            bytes,
            PAYMENT_CHILD_DEPTH,
            "spooled debits outside a payment block",
        )
    }

    /// Closes the open block after checking its count and control sum.
    ///
    /// # Errors
    /// [`SepaWriteError::CountMismatch`] / [`SepaWriteError::SumMismatch`] (the output is then
    /// unusable); [`SepaWriteError::OutOfOrder`]; [`SepaWriteError::Io`].
    pub fn end_payment(&mut self) -> Result<(), SepaWriteError> {
        self.doc.end_payment()
    }

    /// Checks the group's count and control sum, closes the document and returns the output.
    ///
    /// # Errors
    /// [`SepaWriteError::CountMismatch`] / [`SepaWriteError::SumMismatch`];
    /// [`SepaWriteError::OutOfOrder`] with an open block or after an error;
    /// [`SepaWriteError::Io`].
    pub fn finish(self) -> Result<W, SepaWriteError> {
        self.doc.finish()
    }
}

/// The nesting depth of a collection inside `Document/CstmrDrctDbtInitn/PmtInf`.
const PAYMENT_CHILD_DEPTH: usize = 3;

/// One collection whose fields passed the checks, ready to be written.
struct CheckedDebit<'a> {
    tx: &'a DirectDebit,
    amount: Cents,
    e2e: String,
    signed: String,
    name: String,
    bic: Option<&'a str>,
    remittance: String,
}

impl<'a> CheckedDebit<'a> {
    /// Checks `tx`, the `number`th collection (for error messages); nothing is written.
    fn new(tx: &'a DirectDebit, number: u64) -> Result<CheckedDebit<'a>, SepaWriteError> {
        let n = Some(number);
        let amount = checked_amount(tx.amount, "InstdAmt", number)?;
        let e2e = required_text(&tx.end_to_end_id, ID_CHARS_MAX, "PmtId/EndToEndId", n)?;
        let signed = iso_date(tx.mandate_signed_on, "MndtRltdInf/DtOfSgntr", n)?;
        let name = required_text(&tx.debtor.name, NAME_CHARS_MAX, "Dbtr/Nm", n)?;
        let bic = checked_bic(tx.debtor.bic.as_deref(), "DbtrAgt/FinInstnId/BIC", n)?;
        let remittance = super::to_sepa_text(&tx.remittance, REMITTANCE_CHARS_MAX);
        if let Some(amendment) = &tx.amendment
            && amendment.original_mandate_id.is_none()
            && amendment.original_debtor_iban.is_none()
        {
            return Err(invalid("MndtRltdInf/AmdmntInfDtls", n, FieldProblem::Empty));
        }
        Ok(CheckedDebit {
            tx,
            amount,
            e2e,
            signed,
            name,
            bic,
            remittance,
        })
    }

    /// Writes the `DrctDbtTxInf` element.
    fn write<W: Write>(&self, out: &mut XmlOut<W>) -> std::io::Result<()> {
        out.open("DrctDbtTxInf")?;
        out.nested(&["PmtId", "EndToEndId"], &self.e2e)?;
        out.amount("InstdAmt", self.amount)?;
        out.open("DrctDbtTx")?;
        out.open("MndtRltdInf")?;
        out.leaf("MndtId", self.tx.mandate_id.as_str())?;
        out.leaf("DtOfSgntr", &self.signed)?;
        match &self.tx.amendment {
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
        out.agent("DbtrAgt", self.bic)?;
        out.nested(&["Dbtr", "Nm"], &self.name)?;
        out.nested(&["DbtrAcct", "Id", "IBAN"], self.tx.debtor.iban.expose())?;
        if !self.remittance.is_empty() {
            out.nested(&["RmtInf", "Ustrd"], &self.remittance)?;
        }
        out.close("DrctDbtTxInf")
    }
}

/// What a [`Pain008DebitSpool`] wrote: the number of collections and their sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpooledDebits {
    count: u64,
    sum: Cents,
}

impl SpooledDebits {
    /// The number of collections written.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Their sum.
    #[must_use]
    pub fn sum(&self) -> Cents {
        self.sum
    }
}

/// Collections of one payment block written ahead of their file, for when the block's count
/// and sum (which the file states before the collections) are known only at the end: write
/// the collections here, then the file with [`Pain008Writer`], placing these bytes into their
/// block with [`Pain008Writer::append_spooled`]. The bytes are exactly those
/// [`Pain008Writer::debit`] writes for the same collections.
#[derive(Debug)]
pub struct Pain008DebitSpool<W: Write> {
    out: XmlOut<W>,
    written: SpooledDebits,
    failed: bool,
}

impl<W: Write> Pain008DebitSpool<W> {
    /// A spool writing to `w`.
    pub fn new(w: W) -> Self {
        Pain008DebitSpool {
            out: XmlOut::fragment(w, PAYMENT_CHILD_DEPTH),
            written: SpooledDebits {
                count: 0,
                sum: Cents::ZERO,
            },
            failed: false,
        }
    }

    /// Writes one collection; errors name it by its 1-based number in this spool.
    ///
    /// # Errors
    /// [`SepaWriteError::NonPositiveAmount`] and [`SepaWriteError::InvalidField`] write nothing
    /// and leave the spool usable; [`SepaWriteError::Overflow`] and [`SepaWriteError::Io`]
    /// make it unusable.
    pub fn debit(&mut self, tx: &DirectDebit) -> Result<(), SepaWriteError> {
        if self.failed {
            return Err(failed());
        }
        let number = self.written.count.saturating_add(1);
        let checked = CheckedDebit::new(tx, number)?;
        self.failed = true;
        let count = self.written.count.checked_add(1);
        let sum = self.written.sum.checked_add(checked.amount);
        let (Some(count), Some(sum)) = (count, sum) else {
            return Err(SepaWriteError::Overflow);
        };
        checked.write(&mut self.out)?;
        self.written = SpooledDebits { count, sum };
        self.failed = false;
        Ok(())
    }

    /// What was written so far.
    pub fn written(&self) -> SpooledDebits {
        self.written
    }

    /// Flushes the output and returns it with what was written.
    ///
    /// # Errors
    /// [`SepaWriteError::OutOfOrder`] after an error; [`SepaWriteError::Io`].
    pub fn finish(self) -> Result<(W, SpooledDebits), SepaWriteError> {
        if self.failed {
            return Err(failed());
        }
        Ok((self.out.into_inner()?, self.written))
    }
}
