//! One contract's contribution of a run: its end-to-end id, amount, lines and retried
//! lines, and the saving transfers that go with it.

use ixorg_domain::Cents;
use ixorg_domain::collection::{MandateHistory, contribution, sequence_type};
use ixorg_domain::ids::{CollectionRunId, LedgerAccountId};
use ixorg_domain::ledger::{Transfer, TransferKind};
use ixorg_store::collections::{DueContract, NewContribution};
use time::Date;
use uuid::Uuid;

use super::CollectError;
use crate::output::date_code;

/// The error of a sum that leaves the range of cents.
pub(super) const OVERFLOW: CollectError =
    CollectError::Posting(ixorg_domain::ledger::LedgerError::Overflow);

/// The prefix of every end-to-end id of the run on `date`: `C` and the date, followed in each
/// id by a nine-digit counter in contract order.
pub(super) fn end_to_end_prefix(date: Date) -> String {
    format!("C{}", date_code(date))
}

/// Bounds that enclose every end-to-end id of the run on `date`: its prefix, which sorts
/// before each id, and the prefix with `~`, which sorts after (the ids go on in digits).
pub fn end_to_end_range(date: Date) -> (String, String) {
    let prefix = end_to_end_prefix(date);
    let before = format!("{prefix}~");
    (prefix, before)
}

pub(super) fn add(a: Cents, b: Cents) -> Result<Cents, CollectError> {
    a.checked_add(b).ok_or(CollectError::Posting(
        ixorg_domain::ledger::LedgerError::Overflow,
    ))
}

pub(super) fn one_contribution(
    terms: &ixorg_domain::terms::ProductTerms,
    due: &DueContract,
    month_first: Date,
    run: CollectionRunId,
    e2e: &str,
    id: Uuid,
) -> Option<NewContribution> {
    let history = MandateHistory {
        successful_collections: u32::try_from(due.successful_collections).unwrap_or(u32::MAX),
        first_collection_failed_last: due.last_first_failed,
    };
    let sequence = sequence_type(terms, history, false);
    let mut amount = Cents::ZERO;
    let mut lines = Vec::with_capacity(due.members.len());
    for m in &due.members {
        let c = contribution(terms, m.role, m.date_of_birth, m.annual_budget, month_first);
        amount = amount.checked_add(c.total()?)?;
        lines.push((m.participant, c.saving, c.fee, c.premium));
    }
    Some(NewContribution {
        id,
        run,
        contract: due.contract,
        mandate: due.mandate.clone(),
        end_to_end_id: e2e.to_owned(),
        sequence_type: sequence,
        amount,
        amendment_from_iban: due.amended_from_iban.clone(),
        debtor_iban: due.iban.clone(),
        debtor_name: due.account_holder.clone(),
        mandate_signed_on: due.mandate_signed_on,
        lines,
    })
}

/// A missed contribution's line, due again, of a contract.
type Retry = (
    ixorg_domain::ids::ContractId,
    Uuid,
    ixorg_store::collections::ContributionLine,
);

/// Adds the missed contributions that are due again ("retry in the next run") to the new
/// contribution of the same contract, member by member.
pub(super) fn add_retries(
    made: &mut NewContribution,
    retries: &mut Vec<Retry>,
    retried: &mut Vec<(Uuid, Uuid)>,
) -> Option<()> {
    let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(retries)
        .into_iter()
        .partition(|(c, ..)| *c == made.contract);
    *retries = rest;
    for (_, old, (participant, saving, fee, premium)) in mine {
        let Some(line) = made.lines.iter_mut().find(|l| l.0 == participant) else {
            continue;
        };
        line.1 = line.1.checked_add(saving)?;
        line.2 = line.2.checked_add(fee)?;
        line.3 = line.3.checked_add(premium)?;
        made.amount = made.amount.checked_add(saving)?.checked_add(fee)?;
        if !retried.iter().any(|(o, _)| *o == old) {
            retried.push((old, made.id));
        }
    }
    Some(())
}

/// The saving transfer of one member of a contribution. The key is the end-to-end id (unique
/// across runs: it holds the date) and the member's place in the contribution, which is
/// stable (members are ordered by id); short keys keep the ledger's key index small.
pub(super) fn saving_transfer(
    e2e: &str,
    member: usize,
    bank: LedgerAccountId,
    budget: LedgerAccountId,
    saving: Cents,
) -> Transfer {
    Transfer {
        idempotency_key: format!("{e2e}.{member}"),
        debit: bank,
        credit: budget,
        amount: saving,
        kind: TransferKind::Contribution,
        reverses: None,
    }
}
