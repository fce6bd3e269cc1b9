//! The state machine both initiation writers share (pain.001 payouts and pain.008
//! collections): the group header, payment information blocks opened and closed in order,
//! their transactions counted against the declared numbers and sums, and an output that is
//! unusable after any error that may have written part of an element.

use std::io::{Read, Write};

use ixorg_domain::Cents;

use super::GroupHeader;
use super::error::{SepaWriteError, WriteScope};
use super::xml_out::{Tally, XmlOut, failed};

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
    pub(super) fn check_between_payments(&self) -> Result<(), SepaWriteError> {
        match self.state {
            State::BetweenPayments => Ok(()),
            State::InPayment(_) => Err(SepaWriteError::OutOfOrder(
                "begin_payment inside an open block",
            )),
            State::Failed => Err(failed()),
        }
    }

    /// Writes the start of a block whose fields passed their checks; the block is then open
    /// and counts against `tally`.
    pub(super) fn begin_payment(
        &mut self,
        tally: Tally,
        write: impl FnOnce(&mut XmlOut<W>) -> std::io::Result<()>,
    ) -> Result<(), SepaWriteError> {
        self.state = State::Failed;
        write(&mut self.out)?;
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
