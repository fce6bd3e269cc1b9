//! The [`Decider`]: a batch decided chunk by chunk inside one transaction.
//!
//! [`Decider::start`] asks the gate for the job's grants, locks the ledger's chain head (so
//! concurrent batches decide one after another and see each other's lines) and stores the
//! batch. [`Decider::decide`] takes the next chunk of lines: it identifies participants not
//! seen before, loads the earlier lines of the chunk's participants and references (the lines
//! of earlier chunks are in the database already, in the same transaction), decides each line
//! and stores it. Budgets are kept in memory for the whole batch, so every line sees what the
//! lines before it paid. [`Decider::finish`] posts one net transfer per participant between
//! its budget and the payee's payable account and records the batch's totals. Memory is
//! bounded by the chunk and the number of participants, not by the number of lines.

use std::collections::{HashMap, HashSet};

use ixorg_domain::Cents;
use ixorg_domain::adjudication::{
    self, BudgetState, Context, History, ParticipantFacts, ProviderStanding,
};
use ixorg_domain::declaration::{Decision, DeclarationLine, LinePosition, Outcome, Sender, Who};
use ixorg_domain::ids::{
    DeclarationBatchId, LedgerAccountId, LedgerTransferId, ParticipantId, PracticeId,
};
use ixorg_domain::ledger::Transfer;
use ixorg_domain::ledger::TransferKind;
use ixorg_domain::privacy::{Action, DataCategory, Purpose};
use ixorg_domain::tariff::TariffTable;
use ixorg_domain::terms::ProductTerms;
use ixorg_store::Tx;
use ixorg_store::chain::{self, Chain};
use ixorg_store::declarations::{self as repo, Batch, DeclarationSubject, NewLine, PayeeAccount};
use ixorg_store::gate::Grant;
use ixorg_store::reference;
use time::Date;
use uuid::Uuid;

use super::DecideError;
use crate::context::AppContext;

/// Most positions a refusal for amounts above the maximum lists.
const POSITIONS_LISTED_MAX: usize = 100;

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
    /// Who sent it: its lines may name only the sender's providers.
    pub sender: Sender,
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
    /// The SHA-256 of an API or FHIR request's canonical form, kept with the key.
    pub request_hash: Option<Vec<u8>>,
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

/// Decides and stores a whole batch in `tx` as one chunk. The caller commits.
pub(crate) async fn decide_batch(
    ctx: &AppContext,
    tx: &mut Tx,
    job: &str,
    meta: BatchMeta,
    items: &[Item],
) -> Result<Decided, DecideError> {
    let mut decider = Decider::start(ctx, tx, job, meta).await?;
    let decisions = decider.decide(tx, items).await?;
    let batch = decider.finish(tx).await?;
    Ok(Decided { batch, decisions })
}

/// The grants a batch job needs: identify participants (service delivery), read earlier
/// lines and change (decide and pay) for reimbursement.
struct Grants {
    identify: Grant,
    read: Grant,
    change: Grant,
}

/// What identifying participants reads (and, for BSN declarations, the national id).
const IDENTIFY: [DataCategory; 3] = [
    DataCategory::Identity,
    DataCategory::Account,
    DataCategory::Financial,
];

/// Asks the gate for the batch's [`Grants`], as the platform's job `job` (each is logged).
async fn batch_grants(ctx: &AppContext, tx: &mut Tx, job: &str) -> Result<Grants, DecideError> {
    let identify = IDENTIFY.to_vec();
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

/// A participant found for a line, with the budget as the batch has left it so far.
struct Resolved {
    participant: ParticipantId,
    facts: ParticipantFacts,
    budget_account: LedgerAccountId,
    budget: BudgetState,
    /// What this batch took from the budget (negative: gave back).
    net: Cents,
}

impl From<DeclarationSubject> for Resolved {
    fn from(s: DeclarationSubject) -> Self {
        Resolved {
            participant: s.participant,
            facts: ParticipantFacts {
                participant: s.participant,
                birth_date: s.birth_date,
                contract_start: s.contract_start,
                contract_end: s.contract_end,
            },
            budget_account: s.budget,
            budget: BudgetState {
                balance: s.balance,
                credit_line: s.credit_line,
                credit_line_suspended: false,
            },
            net: Cents::ZERO,
        }
    }
}

/// A batch being decided (see the module docs).
pub(crate) struct Decider<'c> {
    ctx: &'c AppContext,
    grants: Grants,
    tariffs: TariffTable,
    received_on: Date,
    batch: Batch,
    payee: PayeeAccount,
    found: Vec<Resolved>,
    by_number: HashMap<String, usize>,
    by_index: HashMap<Vec<u8>, usize>,
    /// Numbers and blind indexes looked up and not found, so they are not asked again.
    missing: HashSet<Vec<u8>>,
    /// The job's name, for the grant asked when the first line names a BSN.
    job: String,
    /// Access to the national id, asked (and logged) only when a line names a BSN.
    by_bsn: Option<Grant>,
    /// The practices whose providers the sender may declare for.
    sender_practices: Vec<PracticeId>,
    /// Provider AGB codes looked up so far: the practice (id and AGB code) each is registered
    /// with, or `None` when no practice registered it.
    providers: HashMap<String, Option<(PracticeId, String)>>,
}

impl<'c> Decider<'c> {
    /// Takes the grants and the ledger lock and stores the batch (totals follow at the end).
    pub(crate) async fn start(
        ctx: &'c AppContext,
        tx: &mut Tx,
        job: &str,
        meta: BatchMeta,
    ) -> Result<Decider<'c>, DecideError> {
        // Lock order: the access log's head (taken by the grants) before the ledger's, as in
        // every other use case, so concurrent batches queue instead of deadlocking.
        let grants = batch_grants(ctx, tx, job).await?;
        chain::lock_head(tx, Chain::LedgerTransfer).await?;
        repo::plan_each_statement(tx).await?;
        let tariffs = reference::tariff_table(tx).await?;
        let received_on = ctx.clock.today();
        let sender_practices = match meta.sender {
            Sender::Practice(practice) => vec![practice],
            Sender::Intermediary(intermediary) => {
                ixorg_store::parties::practices_of_intermediary(tx, intermediary).await?
            }
        };
        let batch = Batch {
            id: DeclarationBatchId::from_uuid(ctx.ids.new_uuid()),
            channel: meta.channel,
            content_hash: meta.content_hash,
            api_client: meta.api_client,
            idempotency_key: meta.idempotency_key,
            request_hash: meta.request_hash,
            payee: meta.payee.payee,
            sender_reference: meta.sender_reference,
            received_on,
            line_count: 0,
            declared: Cents::ZERO,
            assigned: Cents::ZERO,
            return_file_name: meta.return_file_name,
            created_at: ctx.now(),
        };
        repo::insert_batch(tx, &batch)
            .await
            .map_err(DecideError::from_store)?;
        Ok(Decider {
            ctx,
            grants,
            tariffs,
            received_on,
            batch,
            payee: meta.payee,
            found: Vec::new(),
            by_number: HashMap::new(),
            by_index: HashMap::new(),
            missing: HashSet::new(),
            job: job.to_owned(),
            by_bsn: None,
            sender_practices,
            providers: HashMap::new(),
        })
    }

    /// The batch's id.
    pub(crate) fn batch_id(&self) -> DeclarationBatchId {
        self.batch.id
    }

    /// Decides and stores the next chunk of lines, in order, and returns their decisions.
    pub(crate) async fn decide(
        &mut self,
        tx: &mut Tx,
        items: &[Item],
    ) -> Result<Vec<Decision>, DecideError> {
        let terms: Vec<&ProductTerms> = items
            .iter()
            .map(|item| {
                self.ctx
                    .terms
                    .resolve(item.line.treatment_date)
                    .or_else(|_| self.ctx.terms.resolve(self.received_on))
                    .map_err(|_| DecideError::NoTerms)
            })
            .collect::<Result<_, _>>()?;
        self.refuse_amounts_above_maximum(items, &terms)?;
        self.load_providers(tx, items).await?;
        let of_item = self.identify(tx, items).await?;
        let mut history = self.load_history(tx, items, &of_item).await?;
        let mut nobody = BudgetState {
            balance: Cents::ZERO,
            credit_line: Cents::ZERO,
            credit_line_suspended: false,
        };
        let mut decisions = Vec::with_capacity(items.len());
        for ((item, index), terms) in items.iter().zip(&of_item).zip(terms) {
            let registered = self
                .providers
                .get(item.line.provider.as_str())
                .and_then(Option::as_ref)
                .map(|(practice, agb)| (practice, agb.as_str()));
            let context = Context {
                received_on: self.received_on,
                provider: ProviderStanding::of(&item.line, registered, &self.sender_practices),
                terms,
                tariffs: &self.tariffs,
            };
            let (facts, budget) = match index.and_then(|i| self.found.get_mut(i)) {
                Some(r) => (Some(r.facts), &mut r.budget),
                None => (None, &mut nobody),
            };
            let decision = adjudication::adjudicate(
                &context,
                &item.line,
                facts.as_ref(),
                &mut history,
                budget,
            );
            if let Some(r) = index.and_then(|i| self.found.get_mut(i)) {
                r.net = r
                    .net
                    .checked_add(decision.budget_paid)
                    .ok_or(DecideError::TotalOutOfRange)?;
            }
            self.batch.declared = self
                .batch
                .declared
                .checked_add(item.line.amount)
                .ok_or(DecideError::TotalOutOfRange)?;
            self.batch.assigned = self
                .batch
                .assigned
                .checked_add(decision.budget_paid)
                .ok_or(DecideError::TotalOutOfRange)?;
            decisions.push(decision);
        }
        self.store(tx, items, &of_item, &decisions).await?;
        Ok(decisions)
    }

    /// Refuses the chunk when a line's amount lies above the product's per-line maximum (in
    /// absolute value), naming the first such lines. Such an amount is a typing or software
    /// error, and the bound keeps every batch total far inside the range of `Cents`.
    fn refuse_amounts_above_maximum(
        &self,
        items: &[Item],
        terms: &[&ProductTerms],
    ) -> Result<(), DecideError> {
        let first = usize::try_from(self.batch.line_count).unwrap_or(usize::MAX);
        let above: Vec<LinePosition> = items
            .iter()
            .zip(terms)
            .enumerate()
            .filter(|(_, (item, terms))| !item.line.amount_within(terms.declaration_line_cents_max))
            .map(|(n, (item, _))| LinePosition {
                line_number: first.saturating_add(n + 1),
                record: item.record,
            })
            .take(POSITIONS_LISTED_MAX)
            .collect();
        if above.is_empty() {
            Ok(())
        } else {
            Err(DecideError::AmountAboveMaximum(above))
        }
    }

    /// Looks up the chunk's provider codes not seen before: the practice each is registered
    /// with, if any.
    async fn load_providers(&mut self, tx: &mut Tx, items: &[Item]) -> Result<(), DecideError> {
        let mut codes: Vec<&str> = items
            .iter()
            .map(|i| i.line.provider.as_str())
            .filter(|code| !self.providers.contains_key(*code))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        if codes.is_empty() {
            return Ok(());
        }
        let found = ixorg_store::parties::providers_by_agb(tx, &codes).await?;
        for code in codes {
            self.providers.insert(code.to_owned(), None);
        }
        for p in found {
            self.providers
                .insert(p.provider_agb, Some((p.practice, p.practice_agb)));
        }
        Ok(())
    }

    /// Finds the participants of the chunk not seen before; returns per item its index.
    async fn identify(
        &mut self,
        tx: &mut Tx,
        items: &[Item],
    ) -> Result<Vec<Option<usize>>, DecideError> {
        let mut numbers: Vec<&str> = items
            .iter()
            .filter_map(|i| match &i.line.who {
                Who::Number(n) => Some(n.as_str()),
                _ => None,
            })
            .filter(|n| !self.by_number.contains_key(*n) && !self.missing.contains(n.as_bytes()))
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        let subjects = repo::subjects_by_number(tx, &self.grants.identify, &numbers).await?;
        for subject in subjects {
            self.by_number
                .insert(subject.number.clone(), self.found.len());
            self.found.push(Resolved::from(subject));
        }
        for number in numbers {
            if !self.by_number.contains_key(number) {
                self.missing.insert(number.as_bytes().to_vec());
            }
        }
        self.identify_bsns(tx, items).await?;
        let crypto = self.ctx.crypto.as_deref();
        Ok(items
            .iter()
            .map(|i| match &i.line.who {
                Who::Number(n) => self.by_number.get(n.as_str()).copied(),
                Who::Bsn { bsn, .. } => {
                    crypto.and_then(|c| self.by_index.get(&c.blind_index(bsn)).copied())
                }
                Who::Unidentified => None,
            })
            .collect())
    }

    /// Finds participants named by BSN (through the blind index) not seen before.
    async fn identify_bsns(&mut self, tx: &mut Tx, items: &[Item]) -> Result<(), DecideError> {
        if !items.iter().any(|i| matches!(i.line.who, Who::Bsn { .. })) {
            return Ok(());
        }
        let crypto = self.ctx.crypto()?;
        let mut indexes: Vec<Vec<u8>> = items
            .iter()
            .filter_map(|i| match &i.line.who {
                Who::Bsn { bsn, .. } => Some(crypto.blind_index(bsn)),
                _ => None,
            })
            .filter(|x| !self.by_index.contains_key(x) && !self.missing.contains(x))
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        if self.by_bsn.is_none() {
            let mut categories = IDENTIFY.to_vec();
            categories.push(DataCategory::NationalId);
            let service = Purpose::ServiceDelivery;
            let grant = crate::access::job_grant(
                self.ctx,
                tx,
                &self.job,
                service,
                categories,
                Action::Read,
            )
            .await?;
            self.by_bsn = Some(grant);
        }
        let grant = self
            .by_bsn
            .as_ref()
            .expect("BUG: the BSN grant was just asked");
        let found = repo::subjects_by_blind_index(tx, grant, &indexes).await?;
        for (index, subject) in found {
            let at = match self.by_number.get(&subject.number) {
                Some(at) => *at,
                None => {
                    self.by_number
                        .insert(subject.number.clone(), self.found.len());
                    self.found.push(Resolved::from(subject));
                    self.found.len() - 1
                }
            };
            self.by_index.insert(index, at);
        }
        for index in indexes {
            if !self.by_index.contains_key(&index) {
                self.missing.insert(index);
            }
        }
        Ok(())
    }

    /// What is known of earlier lines (earlier batches and earlier chunks of this one) for the
    /// chunk's participants and references.
    async fn load_history(
        &self,
        tx: &mut Tx,
        items: &[Item],
        of_item: &[Option<usize>],
    ) -> Result<History, DecideError> {
        let mut participants: Vec<ParticipantId> = of_item
            .iter()
            .flatten()
            .map(|i| self.found[*i].participant)
            .collect();
        participants.sort_unstable();
        participants.dedup();
        let read = &self.grants.read;
        let mut priors = repo::prior_lines_of(tx, read, &participants).await?;
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
            priors.extend(repo::prior_lines_by_reference(tx, read, provider, &references).await?);
        }
        let mut history = History::new();
        for prior in &priors {
            history.record(prior);
        }
        Ok(history)
    }

    /// Stores the chunk's lines and marks the lines its credits reversed.
    async fn store(
        &mut self,
        tx: &mut Tx,
        items: &[Item],
        of_item: &[Option<usize>],
        decisions: &[Decision],
    ) -> Result<(), DecideError> {
        let now = self.ctx.now();
        let applied = |item: &Item, decision: &Decision| {
            item.line.is_credit() && decision.outcome == Outcome::Accepted
        };
        let credited: HashSet<(&str, &str)> = items
            .iter()
            .zip(decisions)
            .filter(|(item, decision)| applied(item, decision))
            .filter_map(|(item, _)| {
                let previous = item.line.previous_reference.as_deref()?;
                Some((item.line.provider.as_str(), previous))
            })
            .collect();
        let first = self.batch.line_count;
        let ids = self.ctx.ids.new_uuids(items.len());
        let lines: Vec<NewLine<'_>> = items
            .iter()
            .zip(decisions)
            .zip(of_item)
            .zip(ids)
            .enumerate()
            .map(|(n, (((item, decision), subject), id))| NewLine {
                id,
                line_number: first + i64::try_from(n + 1).unwrap_or(i64::MAX),
                record_number: item.record.and_then(|r| i64::try_from(r).ok()),
                participant: subject.map(|i| self.found[i].participant),
                line: &item.line,
                decision,
                credited: applied(item, decision)
                    || credited
                        .contains(&(item.line.provider.as_str(), item.line.reference.as_str())),
            })
            .collect();
        let change = &self.grants.change;
        repo::insert_lines(tx, change, self.batch.id, self.batch.payee, &lines, now)
            .await
            .map_err(DecideError::from_store)?;
        let mut by_provider: HashMap<&str, Vec<&str>> = HashMap::new();
        for (provider, reference) in &credited {
            by_provider.entry(provider).or_default().push(reference);
        }
        for (provider, references) in by_provider {
            repo::mark_credited(tx, change, provider, &references, now).await?;
        }
        self.batch.line_count = first + i64::try_from(items.len()).unwrap_or(i64::MAX);
        Ok(())
    }

    /// Posts one net transfer per participant (budget to payee for what the batch paid, payee
    /// to budget for what its credits gave back) and records the batch's totals.
    /// Adjudication kept each running balance within its credit line line by line, so the net
    /// stays within it too.
    pub(crate) async fn finish(self, tx: &mut Tx) -> Result<Batch, DecideError> {
        let batch_key = self.batch.id.uuid().simple();
        let payable = self.payee.payable;
        let mut transfers = Vec::new();
        for r in &self.found {
            let who = r.participant.uuid().simple();
            if r.net.is_positive() {
                transfers.push(Transfer {
                    idempotency_key: format!("decl.{batch_key}.{who}"),
                    debit: r.budget_account,
                    credit: payable,
                    amount: r.net,
                    kind: TransferKind::Declaration,
                    reverses: None,
                });
            } else if let Some(back) = r.net.checked_neg().filter(|b| b.is_positive()) {
                transfers.push(Transfer {
                    idempotency_key: format!("declcr.{batch_key}.{who}"),
                    debit: payable,
                    credit: r.budget_account,
                    amount: back,
                    kind: TransferKind::DeclarationCredit,
                    reverses: None,
                });
            }
        }
        // The keys name this batch, made in this transaction: new by construction, so the bulk
        // path applies (the unique key index still refuses a second posting).
        for chunk in transfers.chunks(crate::ledger::BATCH_TRANSFERS_MAX) {
            let ids: Vec<LedgerTransferId> = self
                .ctx
                .ids
                .new_uuids(chunk.len())
                .into_iter()
                .map(LedgerTransferId::from_uuid)
                .collect();
            ixorg_store::ledger::post_new_batch(tx, chunk, &ids, self.ctx.now())
                .await
                .map_err(DecideError::from_store)?;
        }
        repo::set_batch_totals(tx, &self.batch).await?;
        Ok(self.batch)
    }
}
