//! Streaming XML output shared by the SEPA writers: indentation, escaping and field checks.

use std::io::Write;

use ixorg_domain::Cents;
use time::{Date, PrimitiveDateTime};

use super::charset::to_sepa_text;
use super::error::{FieldProblem, SepaWriteError, WriteScope};

/// Largest amount of one transaction: EUR 999,999,999.99 (EPC rulebook, `AT-06`).
pub const AMOUNT_CENTS_MAX: i64 = 99_999_999_999;

/// Largest declared number of transactions: `Max15NumericText` holds 15 digits.
pub const TRANSACTIONS_MAX: u64 = 999_999_999_999_999;

/// Largest control sum: `DecimalNumber` holds 18 digits in total.
pub const CONTROL_SUM_CENTS_MAX: i64 = 999_999_999_999_999_999;

/// Indentation per nesting level.
const INDENT: &[u8] = b"  ";

/// Writes indented XML elements straight to the output, one line each.
pub(crate) struct XmlOut<W: Write> {
    w: W,
    depth: usize,
}

impl<W: Write> XmlOut<W> {
    /// Starts a document: the XML declaration and the `Document` element with `namespace`.
    pub(crate) fn start_document(mut w: W, namespace: &str) -> std::io::Result<XmlOut<W>> {
        w.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"")?;
        w.write_all(namespace.as_bytes())?;
        w.write_all(b"\">\n")?;
        Ok(XmlOut { w, depth: 1 })
    }

    /// Writes elements at nesting `depth` of a document written elsewhere (no declaration).
    pub(crate) fn fragment(w: W, depth: usize) -> XmlOut<W> {
        XmlOut { w, depth }
    }

    /// Copies a fragment written by [`XmlOut::fragment`] at `depth` into the output, which
    /// must be at that depth.
    pub(crate) fn copy_fragment<R: std::io::Read>(
        &mut self,
        fragment: &mut R,
        depth: usize,
    ) -> std::io::Result<()> {
        debug_assert_eq!(self.depth, depth, "a fragment is copied at its own depth");
        std::io::copy(fragment, &mut self.w).map(|_| ())
    }

    /// Flushes and hands back the output of a fragment.
    pub(crate) fn into_inner(mut self) -> std::io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }

    fn indent(&mut self) -> std::io::Result<()> {
        for _ in 0..self.depth {
            self.w.write_all(INDENT)?;
        }
        Ok(())
    }

    /// Opens `<name>` on its own line.
    pub(crate) fn open(&mut self, name: &str) -> std::io::Result<()> {
        self.indent()?;
        self.w.write_all(b"<")?;
        self.w.write_all(name.as_bytes())?;
        self.w.write_all(b">\n")?;
        self.depth += 1;
        Ok(())
    }

    /// Closes `</name>` on its own line.
    pub(crate) fn close(&mut self, name: &str) -> std::io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        self.indent()?;
        self.w.write_all(b"</")?;
        self.w.write_all(name.as_bytes())?;
        self.w.write_all(b">\n")
    }

    /// Writes `<name>text</name>`, escaping `text`.
    pub(crate) fn leaf(&mut self, name: &str, text: &str) -> std::io::Result<()> {
        self.indent()?;
        write!(
            self.w,
            "<{name}>{}</{name}>",
            quick_xml::escape::partial_escape(text)
        )?;
        self.w.write_all(b"\n")
    }

    /// Writes `<name Ccy="EUR">12.30</name>`; `cents` must not be negative.
    pub(crate) fn amount(&mut self, name: &str, cents: Cents) -> std::io::Result<()> {
        debug_assert!(!cents.is_negative(), "amounts are written without a sign");
        self.indent()?;
        writeln!(self.w, "<{name} Ccy=\"EUR\">{cents}</{name}>")
    }

    /// Writes nested elements around one leaf: `path(&["CdtrAcct", "Id", "IBAN"], iban)`.
    pub(crate) fn nested(&mut self, path: &[&str], text: &str) -> std::io::Result<()> {
        let Some((leaf, parents)) = path.split_last() else {
            return Ok(());
        };
        for parent in parents {
            self.open(parent)?;
        }
        self.leaf(leaf, text)?;
        for parent in parents.iter().rev() {
            self.close(parent)?;
        }
        Ok(())
    }

    /// Writes a financial institution: `FinInstnId/BIC`, or `FinInstnId/Othr/Id` = `NOTPROVIDED`.
    pub(crate) fn agent(&mut self, name: &str, bic: Option<&str>) -> std::io::Result<()> {
        self.open(name)?;
        match bic {
            Some(bic) => self.nested(&["FinInstnId", "BIC"], bic)?,
            None => self.nested(&["FinInstnId", "Othr", "Id"], "NOTPROVIDED")?,
        }
        self.close(name)
    }

    /// Closes the `Document` element, flushes and hands back the output.
    pub(crate) fn end_document(mut self) -> std::io::Result<W> {
        self.w.write_all(b"</Document>\n")?;
        self.w.flush()?;
        Ok(self.w)
    }
}

impl<W: Write> std::fmt::Debug for XmlOut<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlOut")
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

/// The error for any call after the output became unusable.
pub(crate) fn failed() -> SepaWriteError {
    SepaWriteError::OutOfOrder("an earlier error made the output unusable")
}

/// Counts and sums what was written against what was declared.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tally {
    declared_count: u64,
    declared_sum: Cents,
    count: u64,
    sum: Cents,
}

impl Tally {
    /// A tally for `declared_count` transactions adding up to `declared_sum`, after checking
    /// that both fit the schema.
    pub(crate) fn new(
        declared_count: u64,
        declared_sum: Cents,
        parent: &'static str,
    ) -> Result<Tally, SepaWriteError> {
        if declared_count == 0 || declared_count > TRANSACTIONS_MAX {
            return Err(invalid(
                field_path(parent, "NbOfTxs"),
                None,
                FieldProblem::OutOfRange,
            ));
        }
        if !declared_sum.is_positive() || declared_sum.get() > CONTROL_SUM_CENTS_MAX {
            return Err(invalid(
                field_path(parent, "CtrlSum"),
                None,
                FieldProblem::OutOfRange,
            ));
        }
        Ok(Tally {
            declared_count,
            declared_sum,
            count: 0,
            sum: Cents::ZERO,
        })
    }

    /// Adds one written transaction.
    pub(crate) fn add(&mut self, amount: Cents) -> Result<(), SepaWriteError> {
        let count = self.count.checked_add(1).ok_or(SepaWriteError::Overflow)?;
        let sum = self
            .sum
            .checked_add(amount)
            .ok_or(SepaWriteError::Overflow)?;
        self.count = count;
        self.sum = sum;
        Ok(())
    }

    /// Adds `count` written transactions adding up to `sum`.
    pub(crate) fn add_many(&mut self, count: u64, sum: Cents) -> Result<(), SepaWriteError> {
        let count = self
            .count
            .checked_add(count)
            .ok_or(SepaWriteError::Overflow)?;
        let sum = self.sum.checked_add(sum).ok_or(SepaWriteError::Overflow)?;
        self.count = count;
        self.sum = sum;
        Ok(())
    }

    /// Checks the written count and sum against the declared ones.
    pub(crate) fn check(&self, scope: WriteScope) -> Result<(), SepaWriteError> {
        if self.count != self.declared_count {
            return Err(SepaWriteError::CountMismatch {
                scope,
                declared: self.declared_count,
                written: self.count,
            });
        }
        if self.sum != self.declared_sum {
            return Err(SepaWriteError::SumMismatch {
                scope,
                declared: self.declared_sum,
                written: self.sum,
            });
        }
        Ok(())
    }

    /// The number of transactions written so far.
    pub(crate) fn written_count(&self) -> u64 {
        self.count
    }

    /// The declared number of transactions.
    pub(crate) fn declared_count(&self) -> u64 {
        self.declared_count
    }

    /// The declared control sum.
    pub(crate) fn declared_sum(&self) -> Cents {
        self.declared_sum
    }
}

/// `GrpHdr/NbOfTxs` and friends as `&'static str`, for the two parents the writers use.
fn field_path(parent: &'static str, field: &'static str) -> &'static str {
    match (parent, field) {
        ("GrpHdr", "NbOfTxs") => "GrpHdr/NbOfTxs",
        ("GrpHdr", _) => "GrpHdr/CtrlSum",
        (_, "NbOfTxs") => "PmtInf/NbOfTxs",
        _ => "PmtInf/CtrlSum",
    }
}

/// An [`SepaWriteError::InvalidField`].
pub(crate) fn invalid(
    element: &'static str,
    transaction: Option<u64>,
    problem: FieldProblem,
) -> SepaWriteError {
    SepaWriteError::InvalidField {
        element,
        transaction,
        problem,
    }
}

/// `text` in the SEPA character set cut to `max_chars`; an error when nothing is left.
pub(crate) fn required_text(
    text: &str,
    max_chars: usize,
    element: &'static str,
    transaction: Option<u64>,
) -> Result<String, SepaWriteError> {
    let converted = to_sepa_text(text, max_chars);
    if converted.is_empty() {
        return Err(invalid(element, transaction, FieldProblem::Empty));
    }
    Ok(converted)
}

/// Checks a BIC against the schema pattern `[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?`.
pub(crate) fn checked_bic<'a>(
    bic: Option<&'a str>,
    element: &'static str,
    transaction: Option<u64>,
) -> Result<Option<&'a str>, SepaWriteError> {
    let Some(bic) = bic else { return Ok(None) };
    let b = bic.as_bytes();
    let upper_or_digit = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    let valid = (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && (b[6].is_ascii_uppercase() || (b'2'..=b'9').contains(&b[6]))
        && (upper_or_digit(&b[7]) && b[7] != b'O')
        && b[8..].iter().all(upper_or_digit);
    if valid {
        Ok(Some(bic))
    } else {
        Err(invalid(element, transaction, FieldProblem::InvalidBic))
    }
}

/// A transaction amount: above zero and at most [`AMOUNT_CENTS_MAX`].
pub(crate) fn checked_amount(
    amount: Cents,
    element: &'static str,
    transaction: u64,
) -> Result<Cents, SepaWriteError> {
    if !amount.is_positive() {
        return Err(SepaWriteError::NonPositiveAmount { transaction });
    }
    if amount.get() > AMOUNT_CENTS_MAX {
        return Err(invalid(
            element,
            Some(transaction),
            FieldProblem::OutOfRange,
        ));
    }
    Ok(amount)
}

/// `YYYY-MM-DD`, for years 1 to 9999 (`xs:date` needs four year digits).
pub(crate) fn iso_date(
    date: Date,
    element: &'static str,
    transaction: Option<u64>,
) -> Result<String, SepaWriteError> {
    if !(1..=9999).contains(&date.year()) {
        return Err(invalid(element, transaction, FieldProblem::OutOfRange));
    }
    Ok(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// `YYYY-MM-DDTHH:MM:SS` (local time without offset, as SEPA files carry it).
pub(crate) fn iso_date_time(
    at: PrimitiveDateTime,
    element: &'static str,
) -> Result<String, SepaWriteError> {
    let date = iso_date(at.date(), element, None)?;
    Ok(format!(
        "{date}T{:02}:{:02}:{:02}",
        at.hour(),
        at.minute(),
        at.second()
    ))
}
