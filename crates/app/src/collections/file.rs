//! The run's pain.008 file: from the spooled debits of a new run, or read back from the
//! contributions of an existing one.

use std::io::Write;
use std::path::Path;

use ixorg_domain::privacy::{Action, DataCategory, Purpose};
use ixorg_formats::sepa::pain008::{
    DirectDebit, DirectDebitBatch, MandateAmendment, Pain008Writer, SequenceType,
};
use ixorg_formats::sepa::{AccountHolder, GroupHeader};
use ixorg_store::collections::{self as repo, CollectionRun};
use ixorg_store::enrollment::OperatorProfile;
use time::{Date, PrimitiveDateTime};

use super::CollectError;
use super::contribution::end_to_end_range;
use super::spool::{Spooled, spool_path};
use crate::context::AppContext;
use crate::output::{OutputError, StagedFile, created_at_of};

fn created_at(run: &CollectionRun) -> PrimitiveDateTime {
    created_at_of(run.created_at)
}

/// Direct debits read per page while writing the file.
const PAGE_DEBITS: i64 = 5_000;

/// Writes an existing run's pain.008, read back from its contributions, into the staged file
/// and syncs it; the caller renames it into place, so the output is never half-written.
pub(super) async fn write_file(
    ctx: &AppContext,
    run: &CollectionRun,
    operator: &OperatorProfile,
    staged: &StagedFile,
) -> Result<(), CollectError> {
    // A write transaction: the gate's access-log entry is a write.
    let mut tx = ctx.db.begin().await?;
    let financial = vec![DataCategory::Financial];
    let read = crate::access::job_grant(
        ctx,
        &mut tx,
        "collect",
        Purpose::Reimbursement,
        financial,
        Action::Read,
    )
    .await?;
    let totals = repo::run_totals(&mut tx, run.id).await?;
    let mut writer = file_writer(staged, run, operator)?;
    let remittance = remittance(run.collection_date);
    let (first, before) = end_to_end_range(run.collection_date);
    for (sequence, n, sum) in &totals {
        let block = payment_block(run, operator, *sequence);
        let n = u64::try_from(*n).unwrap_or(0);
        writer.begin_payment(&block, n, *sum).map_err(file_err)?;
        let mut after = first.clone();
        loop {
            let page = repo::file_debits_page(
                &mut tx,
                &read,
                run.id,
                sequence,
                (&after, &before),
                PAGE_DEBITS,
            )
            .await?;
            let Some(last) = page.last() else { break };
            after = last.end_to_end_id.clone();
            for d in page {
                let debit = DirectDebit {
                    end_to_end_id: d.end_to_end_id,
                    amount: d.amount,
                    mandate_id: d.mandate,
                    mandate_signed_on: d.signed_on,
                    amendment: d.amendment_from_iban.map(amendment),
                    debtor: AccountHolder {
                        name: d.account_holder,
                        iban: d.iban,
                        bic: None,
                    },
                    remittance: remittance.clone(),
                };
                writer.debit(&debit).map_err(file_err)?;
            }
        }
        writer.end_payment().map_err(file_err)?;
    }
    tx.commit().await?;
    finish_file(writer, staged)
}

/// Writes a new run's pain.008 from its spooled direct debits (beside `out`) into the staged
/// file and syncs it. The bytes are those [`write_file`] writes for the run.
pub(super) fn write_spooled_file(
    run: &CollectionRun,
    operator: &OperatorProfile,
    staged: &StagedFile,
    out: &Path,
    spooled: Spooled,
) -> Result<(), CollectError> {
    let mut writer = file_writer(staged, run, operator)?;
    for (sequence, written) in &spooled.blocks {
        let block = payment_block(run, operator, *sequence);
        writer
            .begin_payment(&block, written.count(), written.sum())
            .map_err(file_err)?;
        let mut bytes = std::fs::File::open(spool_path(out, *sequence)).map_err(file_err)?;
        writer
            .append_spooled(*written, &mut bytes)
            .map_err(file_err)?;
        writer.end_payment().map_err(file_err)?;
    }
    finish_file(writer, staged)?;
    drop(spooled);
    Ok(())
}

pub(super) fn file_err(e: impl Into<crate::ErrorCause>) -> CollectError {
    CollectError::File(e.into())
}

/// A pain.008 writer for `run` into the staged file, with the group header written.
fn file_writer(
    staged: &StagedFile,
    run: &CollectionRun,
    operator: &OperatorProfile,
) -> Result<Pain008Writer<std::io::BufWriter<std::fs::File>>, CollectError> {
    let header = GroupHeader {
        message_id: run.message_id.clone(),
        created_at: created_at(run),
        initiating_party: operator.legal_name.clone(),
    };
    let count = u64::try_from(run.transactions).unwrap_or(0);
    Pain008Writer::new(staged.writer()?, &header, count, run.control_sum).map_err(file_err)
}

/// Ends the document, flushes it and syncs the staged file (renamed after the commit).
fn finish_file(
    writer: Pain008Writer<std::io::BufWriter<std::fs::File>>,
    staged: &StagedFile,
) -> Result<(), CollectError> {
    let mut inner = writer.finish().map_err(file_err)?;
    inner.flush().map_err(file_err)?;
    drop(inner);
    Ok(staged.sync()?)
}

impl From<OutputError> for CollectError {
    fn from(e: OutputError) -> Self {
        CollectError::File(e.into())
    }
}

/// The payment information block of one sequence type (`FRST`, `RCUR`, …) of `run`.
fn payment_block(
    run: &CollectionRun,
    operator: &OperatorProfile,
    sequence: SequenceType,
) -> DirectDebitBatch {
    DirectDebitBatch {
        payment_info_id: format!("{}-{sequence}", run.message_id),
        sequence,
        collection_date: run.collection_date,
        creditor: crate::output::operator_holder(operator),
        creditor_id: operator.creditor_id.clone(),
        batch_booking: true,
    }
}

/// The text on the debtor's statement for a run on `date`.
pub(super) fn remittance(date: Date) -> String {
    format!("Tandartsbudget {} {}", date.month(), date.year())
}

/// A debit's amendment: the debtor's previous IBAN.
pub(super) fn amendment(iban: ixorg_domain::identifiers::Iban) -> MandateAmendment {
    MandateAmendment {
        original_mandate_id: None,
        original_debtor_iban: Some(iban),
    }
}
