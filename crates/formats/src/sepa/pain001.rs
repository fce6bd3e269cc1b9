//! Streaming writer for SEPA credit-transfer initiations, pain.001.001.03 (payouts).
//!
//! Layout (`REFERENCE.md`): `Document/CstmrCdtTrfInitn` with one `GrpHdr`, then `PmtInf`
//! blocks (one per execution date and debtor account) with their `CdtTrfTxInf` transfers.
//! Element order follows `pain.001.001.03.xsd`; the tests validate written files with `xmllint`.

use std::io::Write;

use ixorg_domain::Cents;
use ixorg_domain::identifiers::Iban;
use time::Date;

use super::document::Document;
use super::error::SepaWriteError;
use super::xml_out::{Tally, checked_amount, checked_bic, iso_date, required_text};
use super::{GroupHeader, ID_CHARS_MAX, NAME_CHARS_MAX, REMITTANCE_CHARS_MAX};

/// The XML namespace of pain.001.001.03.
pub const PAIN001_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03";

/// One payment information block (`PmtInf`): transfers from one account on one date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditTransferBatch {
    /// Unique id of the block (`PmtInfId`), cut to 35.
    pub payment_info_id: String,
    /// Requested execution date (`ReqdExctnDt`).
    pub execution_date: Date,
    /// The paying party's name (`Dbtr/Nm`), cut to 70.
    pub debtor_name: String,
    /// The account the money leaves (`DbtrAcct/Id/IBAN`).
    pub debtor_iban: Iban,
    /// The paying bank's BIC; `None` writes `Othr/Id` = `NOTPROVIDED`.
    pub debtor_bic: Option<String>,
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
    /// The payee's name (`Cdtr/Nm`), cut to 70.
    pub creditor_name: String,
    /// The payee's account (`CdtrAcct/Id/IBAN`).
    pub creditor_iban: Iban,
    /// The payee bank's BIC (`CdtrAgt`); `None` omits the agent, as SEPA allows.
    pub creditor_bic: Option<String>,
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
        self.doc.check_between_payments()?;
        let tally = Tally::new(number_of_transactions, control_sum, "PmtInf")?;
        let id = required_text(&info.payment_info_id, ID_CHARS_MAX, "PmtInf/PmtInfId", None)?;
        let date = iso_date(info.execution_date, "PmtInf/ReqdExctnDt", None)?;
        let name = required_text(&info.debtor_name, NAME_CHARS_MAX, "PmtInf/Dbtr/Nm", None)?;
        let bic = checked_bic(
            info.debtor_bic.as_deref(),
            "PmtInf/DbtrAgt/FinInstnId/BIC",
            None,
        )?;
        self.doc.begin_payment(tally, |out| {
            out.open("PmtInf")?;
            out.leaf("PmtInfId", &id)?;
            out.leaf("PmtMtd", "TRF")?;
            out.leaf(
                "BtchBookg",
                if info.batch_booking { "true" } else { "false" },
            )?;
            out.leaf("NbOfTxs", &number_of_transactions.to_string())?;
            out.leaf("CtrlSum", &control_sum.to_string())?;
            out.open("PmtTpInf")?;
            out.nested(&["SvcLvl", "Cd"], "SEPA")?;
            out.close("PmtTpInf")?;
            out.leaf("ReqdExctnDt", &date)?;
            out.nested(&["Dbtr", "Nm"], &name)?;
            out.nested(&["DbtrAcct", "Id", "IBAN"], info.debtor_iban.expose())?;
            out.agent("DbtrAgt", bic)?;
            out.leaf("ChrgBr", "SLEV")
        })
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
        let name = required_text(&tx.creditor_name, NAME_CHARS_MAX, "Cdtr/Nm", n)?;
        let bic = checked_bic(tx.creditor_bic.as_deref(), "CdtrAgt/FinInstnId/BIC", n)?;
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
            out.nested(&["CdtrAcct", "Id", "IBAN"], tx.creditor_iban.expose())?;
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
