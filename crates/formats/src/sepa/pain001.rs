//! Streaming writer for SEPA credit-transfer initiations, pain.001.001.03 (payouts).
//!
//! Layout (`REFERENCE.md`): `Document/CstmrCdtTrfInitn` with one `GrpHdr`, then `PmtInf`
//! blocks (one per execution date and debtor account) with their `CdtTrfTxInf` transfers.
//! Element order follows `pain.001.001.03.xsd`; the tests validate written files with `xmllint`.

use std::io::Write;

use ixorg_domain::Cents;
use time::Date;

use super::document::{Document, PaymentBlock, PaymentLayout, payment_layout};
use super::error::SepaWriteError;
use super::xml_out::{XmlOut, checked_amount, checked_bic, required_text};
use super::{AccountHolder, GroupHeader, ID_CHARS_MAX, NAME_CHARS_MAX, REMITTANCE_CHARS_MAX};

/// The XML namespace of pain.001.001.03.
pub const PAIN001_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03";

/// The debtor's side of a payout block.
const PAYOUTS: PaymentLayout = payment_layout!("TRF", "ReqdExctnDt", "Dbtr");

/// One payment information block (`PmtInf`): transfers from one account on one date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditTransferBatch {
    /// Unique id of the block (`PmtInfId`), cut to 35.
    pub payment_info_id: String,
    /// Requested execution date (`ReqdExctnDt`).
    pub execution_date: Date,
    /// The paying party and the account the money leaves (`Dbtr`, `DbtrAcct`, `DbtrAgt`).
    pub debtor: AccountHolder,
    /// Whether the bank books the block as one entry (`BtchBookg`).
    pub batch_booking: bool,
}

/// One credit transfer (`CdtTrfTxInf`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditTransfer {
    /// The end-to-end id (`PmtId/EndToEndId`), cut to 35.
    pub end_to_end_id: String,
    /// The amount; must be above zero.
    pub amount: Cents,
    /// The payee and its account (`Cdtr`, `CdtrAcct`, `CdtrAgt`).
    pub creditor: AccountHolder,
    /// The text for the payee (`RmtInf/Ustrd`), cut to 140; omitted when empty.
    pub remittance: String,
}

/// Streams a pain.001.001.03 file: `new`, then per block `begin_payment`, `transfer`…,
/// `end_payment`, and finally `finish`. Counts and sums are checked like
/// [`Pain008Writer`](super::Pain008Writer) does.
#[derive(Debug)]
pub struct Pain001Writer<W: Write> {
    doc: Document<W>,
}

impl<W: Write> Pain001Writer<W> {
    /// Writes the document start and the group header.
    ///
    /// # Errors
    /// [`SepaWriteError::InvalidField`]; [`SepaWriteError::Io`].
    pub fn new(
        w: W,
        header: &GroupHeader,
        number_of_transactions: u64,
        control_sum: Cents,
    ) -> Result<Self, SepaWriteError> {
        let doc = Document::start(
            w,
            PAIN001_NAMESPACE,
            "CstmrCdtTrfInitn",
            header,
            number_of_transactions,
            control_sum,
        )?;
        Ok(Pain001Writer { doc })
    }

    /// Opens a payment information block.
    ///
    /// # Errors
    /// [`SepaWriteError::OutOfOrder`]; [`SepaWriteError::InvalidField`];
    /// [`SepaWriteError::Io`].
    pub fn begin_payment(
        &mut self,
        info: &CreditTransferBatch,
        number_of_transactions: u64,
        control_sum: Cents,
    ) -> Result<(), SepaWriteError> {
        let block = PaymentBlock {
            id: &info.payment_info_id,
            batch_booking: info.batch_booking,
            number_of_transactions,
            control_sum,
            date: info.execution_date,
            name: &info.debtor.name,
            iban: &info.debtor.iban,
            bic: info.debtor.bic.as_deref(),
        };
        let no_more = |_: &mut XmlOut<W>| Ok(());
        self.doc.begin_payment(&PAYOUTS, &block, no_more, no_more)
    }

    /// Writes one transfer into the open block.
    ///
    /// # Errors
    /// [`SepaWriteError::NonPositiveAmount`] and [`SepaWriteError::InvalidField`] write nothing
    /// and leave the writer usable; [`SepaWriteError::OutOfOrder`];
    /// [`SepaWriteError::Overflow`]; [`SepaWriteError::Io`].
    pub fn transfer(&mut self, tx: &CreditTransfer) -> Result<(), SepaWriteError> {
        let (tally, number) = self
            .doc
            .next_transaction("transfer outside a payment block")?;
        let n = Some(number);
        let amount = checked_amount(tx.amount, "Amt/InstdAmt", number)?;
        let e2e = required_text(&tx.end_to_end_id, ID_CHARS_MAX, "PmtId/EndToEndId", n)?;
        let name = required_text(&tx.creditor.name, NAME_CHARS_MAX, "Cdtr/Nm", n)?;
        let bic = checked_bic(tx.creditor.bic.as_deref(), "CdtrAgt/FinInstnId/BIC", n)?;
        let remittance = super::to_sepa_text(&tx.remittance, REMITTANCE_CHARS_MAX);
        self.doc.write_transaction(tally, amount, |out| {
            out.open("CdtTrfTxInf")?;
            out.nested(&["PmtId", "EndToEndId"], &e2e)?;
            out.open("Amt")?;
            out.amount("InstdAmt", amount)?;
            out.close("Amt")?;
            if let Some(bic) = bic {
                out.agent("CdtrAgt", Some(bic))?;
            }
            out.nested(&["Cdtr", "Nm"], &name)?;
            out.nested(&["CdtrAcct", "Id", "IBAN"], tx.creditor.iban.expose())?;
            if !remittance.is_empty() {
                out.nested(&["RmtInf", "Ustrd"], &remittance)?;
            }
            out.close("CdtTrfTxInf")
        })
    }

    /// Closes the open block after checking its count and control sum.
    ///
    /// # Errors
    /// [`SepaWriteError::CountMismatch`] / [`SepaWriteError::SumMismatch`];
    /// [`SepaWriteError::OutOfOrder`]; [`SepaWriteError::Io`].
    pub fn end_payment(&mut self) -> Result<(), SepaWriteError> {
        self.doc.end_payment()
    }

    /// Checks the group's count and control sum, closes the document and returns the output.
    ///
    /// # Errors
    /// [`SepaWriteError::CountMismatch`] / [`SepaWriteError::SumMismatch`];
    /// [`SepaWriteError::OutOfOrder`]; [`SepaWriteError::Io`].
    pub fn finish(self) -> Result<W, SepaWriteError> {
        self.doc.finish()
    }
}
