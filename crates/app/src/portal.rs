//! What the participant portal shows: each household member the user may see (themself, and as
//! the main participant each child under 16), with the budget, the credit left, the year's
//! figures, and the statement of every contribution and declaration line.
//!
//! Every read passes the gate as the user's own access or as the representative of a child;
//! asking for anyone else is refused (and that refusal logged), whatever id the caller passes.

use ixorg_domain::Cents;
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::{Action, DataCategory, rules};
use ixorg_domain::statement::{self, MonthFigures, Movement};
use ixorg_domain::terms::HouseholdRole;
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::portal as repo;
use time::{Date, Month};

pub use ixorg_store::portal::{ContributionEntry, DeclarationEntry, MemberBudget};

use crate::access;
use crate::context::AppContext;
use crate::privacy::{PrivacyError, portal_request};

/// A member's budget as the overview shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberOverview {
    /// The member and the budget figures.
    pub member: MemberBudget,
    /// The user acts for this member (a child under 16) rather than being them.
    pub represented: bool,
    /// What can still be spent: the balance plus the credit line (never below zero).
    pub credit_left: Cents,
    /// The year's twelve months.
    pub year: Vec<MonthFigures>,
}

/// The members `user` may see: themself first, then each child of their contract they
/// represent (only a main participant represents, and only children under 16).
pub async fn visible_members(
    ctx: &AppContext,
    user: ParticipantId,
) -> Result<Vec<(ParticipantId, bool)>, PrivacyError> {
    let mut tx = ctx.db.begin_read().await?;
    let keys = repo::household_keys(&mut tx, user).await?;
    tx.commit().await?;
    let today = ctx.clock.today();
    let user_is_main = keys
        .iter()
        .any(|k| k.participant == user && k.role == HouseholdRole::Main);
    let mut out = vec![];
    if keys.iter().any(|k| k.participant == user) {
        out.push((user, false));
    }
    if user_is_main {
        out.extend(
            keys.iter()
                .filter(|k| k.participant != user && rules::represents(k.role, k.born, today))
                .map(|k| (k.participant, true)),
        );
    }
    Ok(out)
}

/// The overview of every member `user` may see, for the current year.
pub async fn overview(
    ctx: &AppContext,
    user: ParticipantId,
) -> Result<Vec<MemberOverview>, PrivacyError> {
    let mut out = vec![];
    for (member, represented) in visible_members(ctx, user).await? {
        out.push(member_overview(ctx, user, member, represented).await?);
    }
    Ok(out)
}

/// One member's overview, asked as `user` (refused unless `user` may see `member`).
pub async fn member_overview(
    ctx: &AppContext,
    user: ParticipantId,
    member: ParticipantId,
    represented: bool,
) -> Result<MemberOverview, PrivacyError> {
    let today = ctx.clock.today();
    let year_start = year_start(today);
    let categories = vec![DataCategory::Identity, DataCategory::Financial];
    let request = portal_request(ctx, user, member, categories, Action::Read).await?;
    let (mut tx, grant) = access::begin_read(ctx, request).await?;
    let budget = repo::member_budget(&mut tx, &grant, member).await?;
    let moves = repo::budget_movements(&mut tx, &grant, member, year_start).await?;
    tx.commit().await?;
    let movements: Vec<Movement> = moves
        .iter()
        .map(|m| Movement {
            on: m.posted_at.to_offset_date_time_or_epoch().date(),
            kind: m.kind,
            amount: m.amount,
        })
        .collect();
    let year = statement::year_figures(today.year(), today, budget.balance, &movements)
        .map_err(|_| PrivacyError::State("the year's figures do not fit in an amount"))?;
    let credit_left = budget
        .balance
        .checked_add(budget.credit_line)
        .filter(|c| !c.is_negative())
        .unwrap_or(Cents::ZERO);
    Ok(MemberOverview {
        member: budget,
        represented,
        credit_left,
        year,
    })
}

/// A declaration line with how it was paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExplainedLine {
    /// The line.
    pub line: DeclarationEntry,
    /// The part of the budget payment that went below zero, into the credit line.
    pub from_credit: Cents,
}

/// A member's statement: every contribution and every declaration line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The member and the budget figures.
    pub member: MemberBudget,
    /// Contributions, newest first.
    pub contributions: Vec<ContributionEntry>,
    /// Declaration lines, the latest treatment first.
    pub lines: Vec<ExplainedLine>,
}

/// `member`'s statement, asked as `user` (refused unless `user` may see `member`).
pub async fn statement(
    ctx: &AppContext,
    user: ParticipantId,
    member: ParticipantId,
) -> Result<Statement, PrivacyError> {
    let categories = vec![
        DataCategory::Identity,
        DataCategory::Financial,
        DataCategory::Care,
    ];
    let request = portal_request(ctx, user, member, categories, Action::Read).await?;
    let (mut tx, grant) = access::begin_read(ctx, request).await?;
    let budget = repo::member_budget(&mut tx, &grant, member).await?;
    let contributions = repo::contributions(&mut tx, &grant, member).await?;
    let entries = repo::declaration_lines(&mut tx, &grant, member).await?;
    let moves = repo::budget_movements(&mut tx, &grant, member, Timestamp::from_unix_ms(0)).await?;
    tx.commit().await?;
    let lines = explain_credit(budget.balance, &moves, entries);
    Ok(Statement {
        member: budget,
        contributions,
        lines,
    })
}

/// The prefix of a declaration batch's net transfer out of a budget (see the decider).
const DECLARATION_KEY_PREFIX: &str = "decl.";

/// How far each batch's net transfer took the balance below zero, shared over its lines.
fn explain_credit(
    balance_now: Cents,
    moves: &[repo::BudgetMovement],
    entries: Vec<DeclarationEntry>,
) -> Vec<ExplainedLine> {
    // The balance after each movement, walking back from the balance now.
    let mut after = vec![Cents::ZERO; moves.len()];
    let mut balance = balance_now.get();
    for (slot, m) in after.iter_mut().zip(moves).rev() {
        *slot = Cents::new(balance);
        balance = balance.saturating_sub(m.amount.get());
    }
    let mut credit_of_batch = std::collections::HashMap::new();
    for (m, after) in moves.iter().zip(&after) {
        let Some(batch) = m
            .key
            .strip_prefix(DECLARATION_KEY_PREFIX)
            .and_then(|rest| rest.split('.').next())
            .and_then(|b| uuid::Uuid::try_parse(b).ok())
        else {
            continue;
        };
        let paid = m.amount.get().saturating_neg().max(0);
        let below = after.get().saturating_neg().max(0);
        credit_of_batch.insert(batch, Cents::new(paid.min(below)));
    }
    // Share each batch's credit over its paid lines in adjudication order.
    let mut by_batch: std::collections::HashMap<uuid::Uuid, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_batch.entry(e.batch).or_default().push(i);
    }
    let mut from_credit = vec![Cents::ZERO; entries.len()];
    for (batch, mut indexes) in by_batch {
        let Some(&credit) = credit_of_batch.get(&batch) else {
            continue;
        };
        indexes.sort_by_key(|&i| entries.get(i).map_or(0, |e| e.line_number));
        let paid: Vec<Cents> = indexes
            .iter()
            .filter_map(|&i| entries.get(i).map(|e| e.budget_paid))
            .collect();
        for (&i, part) in indexes.iter().zip(statement::credit_parts(&paid, credit)) {
            if let Some(slot) = from_credit.get_mut(i) {
                *slot = part;
            }
        }
    }
    entries
        .into_iter()
        .zip(from_credit)
        .map(|(line, from_credit)| ExplainedLine { line, from_credit })
        .collect()
}

/// The first instant of `today`'s year.
fn year_start(today: Date) -> Timestamp {
    Date::from_calendar_date(today.year(), Month::January, 1)
        .map_or(Timestamp::from_unix_ms(0), Timestamp::midnight_of)
}
