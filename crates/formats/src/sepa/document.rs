//! The state machine both initiation writers share (pain.001 payouts and pain.008
//! collections): the group header, payment information blocks opened and closed in order,
//! their transactions counted against the declared numbers and sums, and an output that is
//! unusable after any error that may have written part of an element.

use std::io::{Read, Write};

use ixorg_domain::Cents;
use ixorg_domain::identifiers::Iban;
use time::Date;

use super::error::{SepaWriteError, WriteScope};
use super::xml_out::{Tally, XmlOut, checked_bic, failed, iso_date, required_text};
use super::{GroupHeader, ID_CHARS_MAX, NAME_CHARS_MAX};

/// The elements and field paths of the account holder's side of a payment information block:
/// the debtor's for a payout (pain.001), the creditor's for a collection (pain.008).
pub(super) struct PaymentLayout {
    /// `PmtMtd`: `TRF` or `DD`.
    pub(super) method: &'static str,
    /// The date element (`ReqdExctnDt`, `ReqdColltnDt`) and its path for errors.
    pub(super) date: &'static str,
    pub(super) date_path: &'static str,
    /// The holder's name element and its path for errors.
    pub(super) name: [&'static str; 2],
    pub(super) name_path: &'static str,
    /// The holder's IBAN element.
    pub(super) account: [&'static str; 3],
    /// The holder's agent and the path of its BIC for errors.
    pub(super) agent: &'static str,
    pub(super) bic_path: &'static str,
}

/// The [`PaymentLayout`] of the holder whose elements start with `$holder` (`Dbtr`, `Cdtr`),
/// with the payment method and the date element.
macro_rules! payment_layout {
    ($method:literal, $date:literal, $holder:literal) => {
        PaymentLayout {
            method: $method,
            date: $date,
            date_path: concat!("PmtInf/", $date),
            name: [$holder, "Nm"],
            name_path: concat!("PmtInf/", $holder, "/Nm"),
            account: [concat!($holder, "Acct"), "Id", "IBAN"],
            agent: concat!($holder, "Agt"),
            bic_path: concat!("PmtInf/", $holder, "Agt/FinInstnId/BIC"),
        }
    };
}
pub(super) use payment_layout;

/// One payment information block's own values, as given to a writer.
pub(super) struct PaymentBlock<'a> {
    pub(super) id: &'a str,
    pub(super) batch_booking: bool,
    pub(super) number_of_transactions: u64,
    pub(super) control_sum: Cents,
    pub(super) date: Date,
    pub(super) name: &'a str,
    pub(super) iban: &'a Iban,
    pub(super) bic: Option<&'a str>,
}

/// Where the writer is in the document.
#[derive(Debug)]
enum State {
    /// After the group header or a closed block: a block may begin, or the file may finish.
    BetweenPayments,
    /// Inside a block: transactions may follow.
    InPayment(Tally),
    /// An earlier error made the output unusable.
    Failed,
}

/// An initiation document being written: its root element, the group's tally, the blocks
/// written so far and the state.
#[derive(Debug)]
pub(super) struct Document<W: Write> {
    out: XmlOut<W>,
    root: &'static str,
    group: Tally,
    payments_written: u64,
    state: State,
}

impl<W: Write> Document<W> {
    /// Writes the document start, opens `root` and writes the group header.
    pub(super) fn start(
        w: W,
        namespace: &str,
        root: &'static str,
        header: &GroupHeader,
        number_of_transactions: u64,
        control_sum: Cents,
    ) -> Result<Self, SepaWriteError> {
        let group = Tally::new(number_of_transactions, control_sum, "GrpHdr")?;
        let mut out = XmlOut::start_document(w, namespace)?;
        out.open(root)?;
        super::write_group_header(&mut out, header, &group)?;
        Ok(Document {
            out,
            root,
            group,
            payments_written: 0,
            state: State::BetweenPayments,
        })
    }

    /// Refuses to open a block inside an open block or after an error.
    fn check_between_payments(&self) -> Result<(), SepaWriteError> {
        match self.state {
            State::BetweenPayments => Ok(()),
            State::InPayment(_) => Err(SepaWriteError::OutOfOrder(
                "begin_payment inside an open block",
            )),
            State::Failed => Err(failed()),
        }
    }

    /// Checks and writes the start of a payment information block laid out as `layout`; the
    /// block is then open. `payment_type` writes what the writer adds inside `PmtTpInf`, and
    /// `rest` what follows `ChrgBr`. Nothing is written when a check fails.
    pub(super) fn begin_payment(
        &mut self,
        layout: &PaymentLayout,
        block: &PaymentBlock<'_>,
        payment_type: impl FnOnce(&mut XmlOut<W>) -> std::io::Result<()>,
        rest: impl FnOnce(&mut XmlOut<W>) -> std::io::Result<()>,
    ) -> Result<(), SepaWriteError> {
        self.check_between_payments()?;
        let (count, sum) = (block.number_of_transactions, block.control_sum);
        let tally = Tally::new(count, sum, "PmtInf")?;
        let id = required_text(block.id, ID_CHARS_MAX, "PmtInf/PmtInfId", None)?;
        let date = iso_date(block.date, layout.date_path, None)?;
        let name = required_text(block.name, NAME_CHARS_MAX, layout.name_path, None)?;
        let bic = checked_bic(block.bic, layout.bic_path, None)?;
        self.state = State::Failed;
        let out = &mut self.out;
        out.open("PmtInf")?;
        out.leaf("PmtInfId", &id)?;
        out.leaf("PmtMtd", layout.method)?;
        let booking = if block.batch_booking { "true" } else { "false" };
        out.leaf("BtchBookg", booking)?;
        out.leaf("NbOfTxs", &count.to_string())?;
        out.leaf("CtrlSum", &sum.to_string())?;
        out.open("PmtTpInf")?;
        out.nested(&["SvcLvl", "Cd"], "SEPA")?;
        payment_type(out)?;
        out.close("PmtTpInf")?;
        out.leaf(layout.date, &date)?;
        out.nested(&layout.name, &name)?;
        out.nested(&layout.account, block.iban.expose())?;
        out.agent(layout.agent, bic)?;
        out.leaf("ChrgBr", "SLEV")?;
        rest(out)?;
        self.payments_written += 1;
        self.state = State::InPayment(tally);
        Ok(())
    }

    /// The open block's tally and the number of the next transaction in the file (for error
    /// messages); `OutOfOrder(outside)` outside a block.
    pub(super) fn next_transaction(
        &self,
        outside: &'static str,
    ) -> Result<(Tally, u64), SepaWriteError> {
        let State::InPayment(tally) = self.state else {
            return Err(match self.state {
                State::Failed => failed(),
                _ => SepaWriteError::OutOfOrder(outside),
            });
        };
        Ok((tally, self.group.written_count().saturating_add(1)))
    }

    /// Counts a transaction of `amount` whose fields passed their checks, and writes it.
    pub(super) fn write_transaction(
        &mut self,
        mut tally: Tally,
        amount: Cents,
        write: impl FnOnce(&mut XmlOut<W>) -> std::io::Result<()>,
    ) -> Result<(), SepaWriteError> {
        tally.add(amount)?;
        self.group.add(amount)?;
        self.state = State::Failed;
        write(&mut self.out)?;
        self.state = State::InPayment(tally);
        Ok(())
    }

    /// Copies `count` transactions adding up to `sum`, written ahead elsewhere, into the open
    /// block (`depth`: their nesting depth). The output is unusable after any error.
    pub(super) fn append_fragment<R: Read>(
        &mut self,
        count: u64,
        sum: Cents,
        bytes: &mut R,
        depth: usize,
        outside: &'static str,
    ) -> Result<(), SepaWriteError> {
        let State::InPayment(mut tally) = std::mem::replace(&mut self.state, State::Failed) else {
            return Err(SepaWriteError::OutOfOrder(outside));
        };
        tally.add_many(count, sum)?;
        self.group.add_many(count, sum)?;
        self.out.copy_fragment(bytes, depth)?;
        self.state = State::InPayment(tally);
        Ok(())
    }

    /// Closes the open block after checking its count and control sum.
    pub(super) fn end_payment(&mut self) -> Result<(), SepaWriteError> {
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
    pub(super) fn finish(mut self) -> Result<W, SepaWriteError> {
        match self.state {
            State::BetweenPayments => {}
            State::InPayment(_) => {
                return Err(SepaWriteError::OutOfOrder("finish with an open block"));
            }
            State::Failed => return Err(failed()),
        }
        self.group.check(WriteScope::Group)?;
        self.out.close(self.root)?;
        Ok(self.out.end_document()?)
    }
}
