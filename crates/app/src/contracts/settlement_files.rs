//! The two files of a settlement run: the payouts of positive balances (pain.001) and the
//! final debits of negative ones (pain.008), each written into its staged file before the
//! commit.

use std::fs::File;
use std::io::{BufWriter, Write as _};

use ixorg_domain::Cents;
use ixorg_formats::sepa::pain001::{CreditTransfer, CreditTransferBatch, Pain001Writer};
use ixorg_formats::sepa::pain008::{DirectDebit, DirectDebitBatch, Pain008Writer, SequenceType};
use ixorg_formats::sepa::{AccountHolder, GroupHeader, SepaWriteError};
use ixorg_store::contracts::ToSettle;
use time::Date;

use super::ContractError;
use crate::output::StagedFile;

/// One file of a settlement run: where it goes, its group header, the operator's account, the
/// date, the contracts with their amount and end-to-end id, and the sum of the amounts.
pub(super) struct SettlementFile<'a> {
    pub(super) staged: &'a StagedFile,
    pub(super) header: GroupHeader,
    pub(super) operator: &'a ixorg_store::enrollment::OperatorProfile,
    pub(super) date: Date,
    pub(super) items: &'a [(&'a ToSettle, Cents, String)],
    pub(super) sum: Cents,
}

pub(super) fn write_payouts(file: &SettlementFile<'_>) -> Result<(), ContractError> {
    let count = file.items.len() as u64;
    let open = |out| Pain001Writer::new(out, &file.header, count, file.sum);
    write_staged(file.staged, open, Pain001Writer::finish, |w| {
        let batch = CreditTransferBatch {
            payment_info_id: format!("{}-1", file.header.message_id),
            execution_date: file.date,
            debtor: crate::output::operator_holder(file.operator),
            batch_booking: true,
        };
        w.begin_payment(&batch, count, file.sum)?;
        for (c, amount, e2e) in file.items {
            let t = CreditTransfer {
                end_to_end_id: e2e.clone(),
                amount: *amount,
                creditor: AccountHolder {
                    name: c.account_holder.clone(),
                    iban: c.iban.clone(),
                    bic: None,
                },
                remittance: format!("Eindafrekening tandartsbudget {}", c.mandate.as_str()),
            };
            w.transfer(&t)?;
        }
        w.end_payment()
    })
}

pub(super) fn write_final_debits(file: &SettlementFile<'_>) -> Result<(), ContractError> {
    let (header, operator, items, date) = (&file.header, file.operator, file.items, file.date);
    let open = |out| Pain008Writer::new(out, header, items.len() as u64, file.sum);
    write_staged(file.staged, open, Pain008Writer::finish, |w| {
        // A final collection goes as RCUR (FRST when the mandate never had a settled one); see
        // `domain::collection::sequence_type`.
        for (sequence, first) in [(SequenceType::Frst, true), (SequenceType::Rcur, false)] {
            let part: Vec<_> = items
                .iter()
                .filter(|(c, ..)| (c.successful_collections == 0) == first)
                .collect();
            if part.is_empty() {
                continue;
            }
            let part_sum = part
                .iter()
                .try_fold(Cents::ZERO, |s, (_, a, _)| s.checked_add(*a))
                .unwrap_or(Cents::ZERO);
            let batch = DirectDebitBatch {
                payment_info_id: format!("{}-{}", header.message_id, sequence.as_str()),
                sequence,
                collection_date: date,
                creditor: crate::output::operator_holder(operator),
                creditor_id: operator.creditor_id.clone(),
                batch_booking: true,
            };
            w.begin_payment(&batch, part.len() as u64, part_sum)?;
            for (c, amount, e2e) in part {
                let d = DirectDebit {
                    end_to_end_id: e2e.clone(),
                    amount: *amount,
                    mandate_id: c.mandate.clone(),
                    mandate_signed_on: c.mandate_signed_on,
                    amendment: None,
                    debtor: AccountHolder {
                        name: c.account_holder.clone(),
                        iban: c.iban.clone(),
                        bic: None,
                    },
                    remittance: "Eindafrekening tandartsbudget".to_owned(),
                };
                w.debit(&d)?;
            }
            w.end_payment()?;
        }
        Ok(())
    })
}

/// Writes a SEPA document into the staged file: `open` starts it, `body` writes its blocks,
/// `finish` ends it; then it is flushed and the staged file synced (renamed after the commit).
/// Any writer error is a file error naming the output.
fn write_staged<W>(
    staged: &StagedFile,
    open: impl FnOnce(BufWriter<File>) -> Result<W, SepaWriteError>,
    finish: impl FnOnce(W) -> Result<BufWriter<File>, SepaWriteError>,
    body: impl FnOnce(&mut W) -> Result<(), SepaWriteError>,
) -> Result<(), ContractError> {
    let err = |e: &dyn std::fmt::Display| ContractError::from(staged.error(e));
    let mut w = open(staged.writer()?).map_err(|e| err(&e))?;
    body(&mut w).map_err(|e| err(&e))?;
    let mut inner = finish(w).map_err(|e| err(&e))?;
    inner.flush().map_err(|e| err(&e))?;
    drop(inner);
    Ok(staged.sync()?)
}
