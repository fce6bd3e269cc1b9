//! Declarations: every channel's lines are adjudicated and stored here, with their ledger
//! postings, in one transaction (`PRODUCT.md`, "Declarations").
//!
//! [`decide_batch`] is the one path: it locks the ledger's chain head (so concurrent batches
//! adjudicate one after another and see each other's lines), identifies the participants,
//! loads their earlier lines, decides each line in order with
//! [`ixorg_domain::adjudication::adjudicate`], stores the batch and its lines, marks credited
//! lines and posts what budgets pay to the payee's payable account: one transfer per
//! participant and batch (and one back for credits). The channels ([`import`] for MZ301 files,
//! [`api`] for the JSON API and FHIR) wrap it.

pub mod api;
pub mod coverage;
pub mod fhir;
pub mod generate;
pub mod import;

use std::collections::HashMap;

use ixorg_domain::Cents;
use ixorg_domain::adjudication::{self, BudgetState, Context, History, ParticipantFacts};
use ixorg_domain::declaration::{Decision, DeclarationLine, Outcome, Who};
use ixorg_domain::ids::{LedgerAccountId, LedgerTransferId, ParticipantId};
use ixorg_domain::ledger::Transfer;
use ixorg_domain::privacy::{Action, DataCategory, Purpose};
use ixorg_store::Tx;
use ixorg_store::chain::{self, Chain};
use ixorg_store::declarations::{self as repo, Batch, DeclarationSubject, NewLine, PayeeAccount};
use ixorg_store::gate::Grant;
use ixorg_store::reference;
use time::Date;
use uuid::Uuid;

use crate::context::AppContext;

/// Ledger transfer kind of what budgets pay for declarations.
pub const TRANSFER_KIND_DECLARATION: &str = "declaration";
/// Ledger transfer kind of what credit lines give back to budgets.
pub const TRANSFER_KIND_DECLARATION_CREDIT: &str = "declaration_credit";

/// Why a batch could not be decided and stored.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    /// A line is the same as one stored by a batch that committed at the same moment; the
    /// caller may run the batch again (it will then be decided as a duplicate).
    #[error("a line was stored by another batch at the same moment")]
    Raced,
    /// The product terms do not cover a treatment date.
    #[error("no product terms for a treatment date")]
    NoTerms,
    /// The access policy refused the job.
    #[error(transparent)]
    Access(#[from] crate::access::AccessError),
    /// A key for BSN declarations is missing.
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] ixorg_store::Error),
}

impl DecideError {
    fn from_store(e: ixorg_store::Error) -> DecideError {
        match e {
            ixorg_store::Error::Conflict(
                ixorg_store::ConflictKind::DuplicateDeclaration
                | ixorg_store::ConflictKind::DuplicateBatch,
            ) => DecideError::Raced,
            other => DecideError::Store(other),
        }
    }
}

/// One line of a batch as received.
pub struct Item {
    /// The line.
    pub line: DeclarationLine,
    /// The MZ301 record number, for files.
    pub record: Option<usize>,
}

/// What a batch is, besides its lines.
pub struct BatchMeta {
    /// The channel.
    pub channel: repo::Channel,
    /// Who is paid.
    pub payee: PayeeAccount,
    /// The sender's own reference.
    pub sender_reference: String,
    /// A file's content hash.
    pub content_hash: Option<Vec<u8>>,
    /// The API client.
    pub api_client: Option<Uuid>,
    /// The client's idempotency key.
    pub idempotency_key: Option<String>,
    /// Where the return file is written.
    pub return_file_name: Option<String>,
}

/// The decided batch: the stored batch and each line's decision, in order.
pub struct Decided {
    /// The stored batch.
    pub batch: Batch,
    /// One decision per item.
    pub decisions: Vec<Decision>,
}

/// The grants a batch job needs: identify participants (service delivery), read earlier
/// lines and change (decide and pay) for reimbursement.
pub(crate) struct Grants {
    identify: Grant,
    read: Grant,
    change: Grant,
}

/// Asks the gate for the batch's [`Grants`], as the platform's job `job` (each is logged).
pub(crate) async fn batch_grants(
    ctx: &AppContext,
    tx: &mut Tx,
    job: &str,
    with_bsn: bool,
) -> Result<Grants, DecideError> {
    let mut identify = vec![
        DataCategory::Identity,
        DataCategory::Account,
        DataCategory::Financial,
    ];
    if with_bsn {
        identify.push(DataCategory::NationalId);
    }
    let service = Purpose::ServiceDelivery;
    let identify = crate::access::job_grant(ctx, tx, job, service, identify, Action::Read).await?;
    let money = vec![DataCategory::Care, DataCategory::Financial];
    let reimbursement = Purpose::Reimbursement;
    let read =
        crate::access::job_grant(ctx, tx, job, reimbursement, money.clone(), Action::Read).await?;
    let change =
        crate::access::job_grant(ctx, tx, job, reimbursement, money, Action::Change).await?;
    Ok(Grants {
        identify,
        read,
        change,
    })
}

/// Decides and stores a batch in `tx` (see the module docs). The caller commits.
pub(crate) async fn decide_batch(
    ctx: &AppContext,
    tx: &mut Tx,
    job: &str,
    meta: BatchMeta,
    items: &[Item],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Decided, DecideError> {
    let with_bsn = items.iter().any(|i| matches!(i.line.who, Who::Bsn { .. }));
    // Lock order: the access log's head (taken by the grants) before the ledger's, as in
    // every other use case, so concurrent batches queue instead of deadlocking.
    let grants = batch_grants(ctx, tx, job, with_bsn).await?;
    chain::lock_head(tx, Chain::LedgerTransfer).await?;
    let subjects = identify(ctx, tx, &grants.identify, items).await?;
    let mut history = load_history(tx, &grants.read, items, &subjects).await?;
    let tariffs = reference::tariff_table(tx).await?;
    let received_on = ctx.clock.today();
    let mut budgets: Vec<BudgetState> = subjects.found.iter().map(Resolved::budget_state).collect();
    let mut nobody = BudgetState {
        balance: Cents::ZERO,
        credit_line: Cents::ZERO,
        credit_line_suspended: false,
    };
    let mut decisions = Vec::with_capacity(items.len());
    for (done, (item, index)) in items.iter().zip(&subjects.of_item).enumerate() {
        let terms = ctx
            .terms
            .resolve(item.line.treatment_date)
            .or_else(|_| ctx.terms.resolve(received_on))
            .map_err(|_| DecideError::NoTerms)?;
        let context = Context {
            received_on,
            terms,
            tariffs: &tariffs,
        };
        let (facts, budget) = match index {
            Some(i) => (
                Some(subjects.found[*i].facts()),
                budgets.get_mut(*i).expect("BUG: one budget per subject"),
            ),
            None => (None, &mut nobody),
        };
        let decision =
            adjudication::adjudicate(&context, &item.line, facts.as_ref(), &mut history, budget);
        decisions.push(decision);
        if done % PROGRESS_EVERY == 0 {
            progress(done as u64);
        }
    }
    progress(items.len() as u64);
    let batch = store_batch(ctx, tx, &grants.change, meta, items, &subjects, &decisions).await?;
    Ok(Decided { batch, decisions })
}

/// Lines between two progress reports.
const PROGRESS_EVERY: usize = 10_000;

/// A participant found for a line.
#[derive(Clone, Copy)]
struct Resolved {
    participant: ParticipantId,
    birth_date: Date,
    contract_start: Date,
    contract_end: Option<Date>,
    budget: LedgerAccountId,
    balance: Cents,
    credit_line: Cents,
}

impl Resolved {
    fn budget_state(&self) -> BudgetState {
        BudgetState {
            balance: self.balance,
            credit_line: self.credit_line,
            credit_line_suspended: false,
        }
    }

    fn facts(&self) -> ParticipantFacts {
        ParticipantFacts {
            participant: self.participant,
            birth_date: self.birth_date,
            contract_start: self.contract_start,
            contract_end: self.contract_end,
        }
    }
}

impl From<DeclarationSubject> for Resolved {
    fn from(s: DeclarationSubject) -> Self {
        Resolved {
            participant: s.participant,
            birth_date: s.birth_date,
            contract_start: s.contract_start,
            contract_end: s.contract_end,
            budget: s.budget,
            balance: s.balance,
            credit_line: s.credit_line,
        }
    }
}

/// The participants of a batch: each found one once, and per item the index of its own.
struct Subjects {
    found: Vec<Resolved>,
    of_item: Vec<Option<usize>>,
}

/// Finds the participant of every item: by participant number, or by BSN blind index.
async fn identify(
    ctx: &AppContext,
    tx: &mut Tx,
    grant: &Grant,
    items: &[Item],
) -> Result<Subjects, DecideError> {
    let mut numbers: Vec<&str> = items
        .iter()
        .filter_map(|i| match &i.line.who {
            Who::Number(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut found: Vec<Resolved> = Vec::new();
    let mut by_number: HashMap<String, usize> = HashMap::new();
    for subject in repo::subjects_by_number(tx, grant, &numbers).await? {
        by_number.insert(subject.number.clone(), found.len());
        found.push(Resolved::from(subject));
    }
    let mut by_index: HashMap<Vec<u8>, usize> = HashMap::new();
    let bsn_items: Vec<&Item> = items
        .iter()
        .filter(|i| matches!(i.line.who, Who::Bsn { .. }))
        .collect();
    if !bsn_items.is_empty() {
        let crypto = ctx.crypto()?;
        let mut indexes: Vec<Vec<u8>> = bsn_items
            .iter()
            .filter_map(|i| match &i.line.who {
                Who::Bsn { bsn, .. } => Some(crypto.blind_index(bsn)),
                _ => None,
            })
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        for (index, subject) in repo::subjects_by_blind_index(tx, grant, &indexes).await? {
            let known = by_number.get(&subject.number).copied();
            let at = known.unwrap_or_else(|| {
                found.push(Resolved::from(subject));
                found.len() - 1
            });
            by_index.insert(index, at);
        }
    }
    let crypto = ctx.crypto.as_deref();
    let of_item = items
        .iter()
        .map(|i| match &i.line.who {
            Who::Number(n) => by_number.get(n.as_str()).copied(),
            Who::Bsn { bsn, .. } => crypto.and_then(|c| by_index.get(&c.blind_index(bsn)).copied()),
            Who::Unidentified => None,
        })
        .collect();
    Ok(Subjects { found, of_item })
}

/// What is known of earlier lines: those of the batch's participants, and those carrying the
/// batch's references.
async fn load_history(
    tx: &mut Tx,
    grant: &Grant,
    items: &[Item],
    subjects: &Subjects,
) -> Result<History, DecideError> {
    let mut history = History::new();
    let participants: Vec<ParticipantId> = subjects.found.iter().map(|s| s.participant).collect();
    let mut priors = repo::prior_lines_of(tx, grant, &participants).await?;
    let mut by_provider: HashMap<&str, Vec<&str>> = HashMap::new();
    for item in items {
        let refs = by_provider.entry(item.line.provider.as_str()).or_default();
        refs.push(item.line.reference.as_str());
        if let Some(previous) = &item.line.previous_reference {
            refs.push(previous.as_str());
        }
    }
    for (provider, mut references) in by_provider {
        references.sort_unstable();
        references.dedup();
        priors.extend(repo::prior_lines_by_reference(tx, grant, provider, &references).await?);
    }
    for prior in &priors {
        history.record(prior);
    }
    Ok(history)
}

/// Stores the batch, its lines and the credited marks, and posts the ledger.
async fn store_batch(
    ctx: &AppContext,
    tx: &mut Tx,
    grant: &Grant,
    meta: BatchMeta,
    items: &[Item],
    subjects: &Subjects,
    decisions: &[Decision],
) -> Result<Batch, DecideError> {
    let now_ms = ctx.now_ms();
    let mut declared = Cents::ZERO;
    let mut assigned = Cents::ZERO;
    for (item, decision) in items.iter().zip(decisions) {
        declared = declared.checked_add(item.line.amount).unwrap_or(declared);
        assigned = assigned
            .checked_add(decision.budget_paid)
            .unwrap_or(assigned);
    }
    let batch = Batch {
        id: ctx.ids.new_uuid(),
        channel: meta.channel,
        content_hash: meta.content_hash,
        api_client: meta.api_client,
        idempotency_key: meta.idempotency_key,
        payee: meta.payee.payee,
        sender_reference: meta.sender_reference,
        received_on: ctx.clock.today(),
        line_count: i64::try_from(items.len()).unwrap_or(i64::MAX),
        declared,
        assigned,
        return_file_name: meta.return_file_name,
        created_at_ms: now_ms,
    };
    repo::insert_batch(tx, &batch)
        .await
        .map_err(DecideError::from_store)?;
    let credited_here: std::collections::HashSet<(&str, &str)> = items
        .iter()
        .zip(decisions)
        .filter(|(item, decision)| item.line.is_credit() && decision.outcome == Outcome::Accepted)
        .filter_map(|(item, _)| {
            let previous = item.line.previous_reference.as_deref()?;
            Some((item.line.provider.as_str(), previous))
        })
        .collect();
    let lines: Vec<NewLine<'_>> = items
        .iter()
        .zip(decisions)
        .zip(&subjects.of_item)
        .enumerate()
        .map(|(n, ((item, decision), subject))| NewLine {
            id: ctx.ids.new_uuid(),
            line_number: i64::try_from(n + 1).unwrap_or(i64::MAX),
            record_number: item.record.and_then(|r| i64::try_from(r).ok()),
            participant: subject.map(|i| subjects.found[i].participant),
            line: &item.line,
            decision,
            credited: (item.line.is_credit() && decision.outcome == Outcome::Accepted)
                || credited_here
                    .contains(&(item.line.provider.as_str(), item.line.reference.as_str())),
        })
        .collect();
    repo::insert_lines(tx, grant, batch.id, batch.payee, &lines, now_ms)
        .await
        .map_err(DecideError::from_store)?;
    mark_credits(tx, grant, items, decisions, now_ms).await?;
    post_payments(ctx, tx, &batch, meta.payee, subjects, decisions).await?;
    Ok(batch)
}

async fn mark_credits(
    tx: &mut Tx,
    grant: &Grant,
    items: &[Item],
    decisions: &[Decision],
    now_ms: i64,
) -> Result<(), DecideError> {
    let mut credited: HashMap<&str, Vec<&str>> = HashMap::new();
    for (item, decision) in items.iter().zip(decisions) {
        if let (true, Outcome::Accepted, Some(previous)) = (
            item.line.is_credit(),
            decision.outcome,
            &item.line.previous_reference,
        ) {
            credited
                .entry(item.line.provider.as_str())
                .or_default()
                .push(previous.as_str());
        }
    }
    for (provider, references) in credited {
        repo::mark_credited(tx, grant, provider, &references, now_ms).await?;
    }
    Ok(())
}

/// One transfer per participant and batch for the net of what its lines paid (budget to
/// payee) and its credits returned (payee to budget). Adjudication kept the running balance
/// within the credit line line by line, so the net stays within it too.
async fn post_payments(
    ctx: &AppContext,
    tx: &mut Tx,
    batch: &Batch,
    payee: PayeeAccount,
    subjects: &Subjects,
    decisions: &[Decision],
) -> Result<(), DecideError> {
    let mut net: Vec<Cents> = vec![Cents::ZERO; subjects.found.len()];
    for (decision, subject) in decisions.iter().zip(&subjects.of_item) {
        if let Some(i) = subject {
            net[*i] = net[*i]
                .checked_add(decision.budget_paid)
                .expect("BUG: a batch's payments stay far from the i64 range");
        }
    }
    let batch_key = batch.id.simple();
    let mut transfers = Vec::new();
    for (subject, amount) in subjects.found.iter().zip(net) {
        let who = subject.participant.uuid().simple();
        if amount.is_positive() {
            transfers.push(Transfer {
                idempotency_key: format!("decl.{batch_key}.{who}"),
                debit: subject.budget,
                credit: payee.payable,
                amount,
                kind: TRANSFER_KIND_DECLARATION.to_owned(),
                reverses: None,
            });
        } else if let Some(back) = amount.checked_neg().filter(|b| b.is_positive()) {
            transfers.push(Transfer {
                idempotency_key: format!("declcr.{batch_key}.{who}"),
                debit: payee.payable,
                credit: subject.budget,
                amount: back,
                kind: TRANSFER_KIND_DECLARATION_CREDIT.to_owned(),
                reverses: None,
            });
        }
    }
    let ids: Vec<LedgerTransferId> = transfers
        .iter()
        .map(|_| LedgerTransferId::from_uuid(ctx.ids.new_uuid()))
        .collect();
    let outcomes = ixorg_store::ledger::post_batch(tx, &transfers, &ids, ctx.now_ms()).await?;
    for outcome in outcomes {
        outcome.map_err(|e| DecideError::Store(ixorg_store::Error::Ledger(e)))?;
    }
    Ok(())
}
