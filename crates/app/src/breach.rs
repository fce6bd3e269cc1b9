//! `ixorg breach report`: who was affected by a breach and which of their data, from the access
//! log, for the notification to the Autoriteit Persoonsgegevens within 72 hours (GDPR art. 33)
//! and to the people affected (art. 34).
//!
//! The report reads the access log of a period, optionally of one actor (a compromised account,
//! token or processor) or one category of data, and lists per data subject the participant
//! number and the categories that were touched (allowed accesses only: a refused access touched
//! nothing), with totals. Accesses that named no single subject (batch jobs) are listed apart:
//! they may have touched anyone. Reading the log and the participant numbers is itself an
//! access for the `legal_obligation` purpose and passes the gate, which logs it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Role};
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::access_log::Entry;
use ixorg_store::breach as repo;
use ixorg_store::chain::{self, Chain};
use ixorg_store::gate::AccessRequest;
use time::format_description::well_known::Rfc3339;

use crate::access::{self, AccessError};
use crate::context::AppContext;

/// Access-log entries read per query.
const PAGE_ROWS: i64 = 5_000;

/// Which entries of the period the report is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BreachFilter {
    /// Every access.
    All,
    /// The accesses of one actor: its id or job name, or `kind:id` (`processor:mailhouse`).
    Actor(String),
    /// The accesses that touched one category.
    Category(DataCategory),
}

/// The period and filter of a report: `from <= occurred_at < to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreachQuery {
    /// Start, included.
    pub from: Timestamp,
    /// End, excluded.
    pub to: Timestamp,
    /// Which accesses.
    pub filter: BreachFilter,
}

/// One affected data subject.
#[derive(Clone, PartialEq, Eq)]
pub struct AffectedSubject {
    /// The participant.
    pub participant: ParticipantId,
    /// Their participant number (absent when the row no longer exists).
    pub number: Option<String>,
    /// The categories touched.
    pub categories: Vec<DataCategory>,
    /// How many accesses.
    pub accesses: u64,
}

impl std::fmt::Debug for AffectedSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AffectedSubject")
            .field("participant", &self.participant)
            .field("categories", &self.categories)
            .finish_non_exhaustive()
    }
}

/// Accesses that named no single subject (batch work over many people).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkAccess {
    /// `kind:id` of the actor.
    pub actor: String,
    /// The categories touched.
    pub categories: Vec<DataCategory>,
    /// How many accesses.
    pub accesses: u64,
}

/// The report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreachReport {
    /// What was asked.
    pub query: BreachQuery,
    /// The affected subjects, by participant number.
    pub subjects: Vec<AffectedSubject>,
    /// Accesses without a single subject.
    pub bulk: Vec<BulkAccess>,
    /// Per category, how many subjects had it touched.
    pub subjects_per_category: Vec<(DataCategory, u64)>,
    /// Allowed accesses counted.
    pub accesses: u64,
    /// Refused accesses in the selection (they touched nothing).
    pub refused: u64,
}

fn categories_of(entry: &Entry) -> Vec<DataCategory> {
    entry
        .categories
        .split(',')
        .filter_map(|c| c.parse().ok())
        .collect()
}

fn matches(filter: &BreachFilter, entry: &Entry, categories: &[DataCategory]) -> bool {
    match filter {
        BreachFilter::All => true,
        BreachFilter::Actor(actor) => {
            entry.actor_id == *actor || format!("{}:{}", entry.actor_kind, entry.actor_id) == *actor
        }
        BreachFilter::Category(c) => categories.contains(c),
    }
}

/// Reads the access log of the period as `by` (the privacy officer, or the system) for the
/// `legal_obligation` purpose, and builds the report.
pub async fn breach_report(
    ctx: &AppContext,
    by: (Actor, Role),
    query: BreachQuery,
) -> Result<BreachReport, AccessError> {
    let request = AccessRequest {
        actor: by.0,
        role: by.1,
        purpose: Some(Purpose::LegalObligation),
        subject: None,
        categories: vec![DataCategory::PrivacyRecord, DataCategory::Account],
        action: Action::Read,
    };
    let (mut tx, grant) = access::begin(ctx, request).await?;
    // The report's own entry (just written by the gate) and anything after it are left out.
    let own = chain::read_head(&mut tx, Chain::AccessLog)
        .await?
        .last_sequence;
    let mut touched: BTreeMap<ParticipantId, (Vec<DataCategory>, u64)> = BTreeMap::new();
    let mut bulk: BTreeMap<String, (Vec<DataCategory>, u64)> = BTreeMap::new();
    let (mut accesses, mut refused) = (0, 0);
    let mut after = i64::MIN;
    loop {
        let page =
            repo::entries_between(&mut tx, &grant, query.from, query.to, after, PAGE_ROWS).await?;
        let Some(last) = page.last() else { break };
        after = last.sequence;
        for entry in page.iter().filter(|e| e.sequence < own) {
            let categories = categories_of(entry);
            if !matches(&query.filter, entry, &categories) {
                continue;
            }
            if entry.outcome != "allowed" {
                refused += 1;
                continue;
            }
            accesses += 1;
            let slot = match entry.subject_id {
                Some(s) => touched.entry(ParticipantId::from_uuid(s)).or_default(),
                None => bulk
                    .entry(format!("{}:{}", entry.actor_kind, entry.actor_id))
                    .or_default(),
            };
            slot.0.extend(categories);
            slot.0.sort();
            slot.0.dedup();
            slot.1 += 1;
        }
    }
    let ids: Vec<ParticipantId> = touched.keys().copied().collect();
    let numbers: BTreeMap<ParticipantId, String> = repo::participant_numbers(&mut tx, &grant, &ids)
        .await?
        .into_iter()
        .collect();
    tx.commit().await?;
    let mut subjects: Vec<AffectedSubject> = touched
        .into_iter()
        .map(|(participant, (categories, n))| AffectedSubject {
            participant,
            number: numbers.get(&participant).cloned(),
            categories,
            accesses: n,
        })
        .collect();
    subjects.sort_by(|a, b| (&a.number, a.participant).cmp(&(&b.number, b.participant)));
    let subjects_per_category = DataCategory::ALL
        .iter()
        .map(|c| {
            let n = subjects.iter().filter(|s| s.categories.contains(c)).count();
            (*c, n as u64)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    Ok(BreachReport {
        query,
        subjects,
        bulk: bulk
            .into_iter()
            .map(|(actor, (categories, accesses))| BulkAccess {
                actor,
                categories,
                accesses,
            })
            .collect(),
        subjects_per_category,
        accesses,
        refused,
    })
}

fn instant(at: Timestamp) -> String {
    at.to_offset_date_time()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| at.unix_ms().to_string())
}

fn names(categories: &[DataCategory]) -> String {
    categories
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl BreachReport {
    /// The report as a page for the notification (it names participant numbers: hand it only
    /// to those who notify).
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let filter = match &self.query.filter {
            BreachFilter::All => "all accesses".to_owned(),
            BreachFilter::Actor(a) => format!("accesses by {a}"),
            BreachFilter::Category(c) => format!("accesses to {c} data"),
        };
        let mut out = format!(
            "# Breach report (GDPR art. 33/34)\n\nPeriod: {} to {} ({filter}).\n\n\
             ## Totals\n\n- data subjects affected: {}\n- accesses: {} allowed, {} refused \
             (refused accesses touched nothing)\n",
            instant(self.query.from),
            instant(self.query.to),
            self.subjects.len(),
            self.accesses,
            self.refused
        );
        for (c, n) in &self.subjects_per_category {
            let _ = writeln!(out, "- {c}: {n} data subjects");
        }
        out.push_str("\n## Affected data subjects\n\n| participant | categories | accesses |\n|---|---|---:|\n");
        for s in &self.subjects {
            let number = s.number.as_deref().unwrap_or("(removed)");
            let _ = writeln!(
                out,
                "| {number} | {} | {} |",
                names(&s.categories),
                s.accesses
            );
        }
        if !self.bulk.is_empty() {
            out.push_str(
                "\n## Accesses without a single data subject (may concern anyone)\n\n\
                 | actor | categories | accesses |\n|---|---|---:|\n",
            );
            for b in &self.bulk {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    b.actor,
                    names(&b.categories),
                    b.accesses
                );
            }
        }
        out
    }
}
