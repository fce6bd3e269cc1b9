//! `/mijn/`: the overview of each household member the participant may see (the budget, the
//! credit left and the year's chart), and `/mijn/overzicht?lid=N`: one member's statement of
//! every contribution and declaration line, explained in words.
//!
//! A member is named by their place in the list the participant may see (`lid=0` is the
//! participant themself), never by an id; the use cases refuse anyone else anyway.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ixorg_app::domain::Cents;
use ixorg_app::domain::Language;
use ixorg_app::domain::statement::MonthFigures;
use ixorg_app::portal::{self, ExplainedLine, MemberOverview};
use serde::Deserialize;
use tower_sessions::Session;

use crate::WebState;
use crate::format;
use crate::layout::Layout;
use crate::pages::render;
use crate::portal::chart::{ChartTexts, year_chart};
use crate::portal::explain;
use crate::portal::failure;
use crate::session::SignedInParticipant;

/// The overview's path.
pub const OVERVIEW_PATH: &str = "/mijn/";

/// The statement's path.
pub const STATEMENT_PATH: &str = "/mijn/overzicht";

/// One month as the table under the chart shows it.
#[derive(Debug)]
pub struct MonthRow {
    /// The month's name.
    pub name: &'static str,
    /// Contributions.
    pub contributions: String,
    /// Payments.
    pub payments: String,
    /// Balance at the end, or empty.
    pub balance: String,
}

/// A member's block on the overview.
#[derive(Debug)]
pub struct MemberView {
    /// The member's place in the list (for the statement link).
    pub index: usize,
    /// First names.
    pub name: String,
    /// Participant number.
    pub number: String,
    /// The participant acts for this member.
    pub represented: bool,
    /// Balance, formatted.
    pub balance: String,
    /// The balance is below zero.
    pub negative: bool,
    /// Credit line, formatted.
    pub credit_line: String,
    /// What can still be spent, formatted.
    pub credit_left: String,
    /// Annual budget, formatted.
    pub annual_budget: String,
    /// The chart (escaped SVG).
    pub chart: String,
    /// The chart's figures as a table.
    pub months: Vec<MonthRow>,
}

/// The overview page.
#[derive(Template)]
#[template(path = "portal/overview.html")]
pub struct OverviewPage {
    /// The layout.
    pub l: Layout,
    /// Each member.
    pub members: Vec<MemberView>,
    /// The year shown.
    pub year: i32,
}

/// `GET /mijn/`.
pub async fn overview(
    State(state): State<WebState>,
    SignedInParticipant(who): SignedInParticipant,
    session: Session,
    l: Layout,
) -> Response {
    let l = match l.at("portal").with_csrf(&session).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    if let Some(to) = accept_first(&state, who, OVERVIEW_PATH).await {
        return to;
    }
    let members = match portal::overview(&state.ctx, who.participant).await {
        Ok(m) => m,
        Err(e) => return failure(&e),
    };
    let year = state.ctx.clock.today().year();
    let members = members
        .iter()
        .enumerate()
        .map(|(index, m)| member_view(&l, index, m, year))
        .collect();
    render(&OverviewPage { l, members, year })
}

fn member_view(l: &Layout, index: usize, m: &MemberOverview, year: i32) -> MemberView {
    let lang = l.lang;
    let months_short: [&str; 12] = match lang {
        Language::Dutch => [
            "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
        ],
        Language::English => [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ],
    };
    let title = format!(
        "{} {year}: {}",
        l.t("portal.chart_title"),
        m.member.first_names
    );
    let texts = ChartTexts {
        title: &title,
        description: l.t("portal.chart_description"),
        months: months_short,
        legend: [
            l.t("portal.contributions"),
            l.t("portal.payments"),
            l.t("portal.balance"),
            l.t("portal.credit_limit"),
        ],
    };
    let chart = year_chart(&m.year, m.member.credit_line, &texts, |c| {
        format::eur(lang, c)
    });
    MemberView {
        index,
        name: m.member.first_names.clone(),
        number: m.member.number.to_string(),
        represented: m.represented,
        balance: format::eur(lang, m.member.balance),
        negative: m.member.balance.is_negative(),
        credit_line: format::eur(lang, m.member.credit_line),
        credit_left: format::eur(lang, m.credit_left),
        annual_budget: format::eur(lang, m.member.annual_budget),
        chart,
        months: m.year.iter().map(|f| month_row(lang, f)).collect(),
    }
}

fn month_row(lang: Language, f: &MonthFigures) -> MonthRow {
    MonthRow {
        name: format::month_name(lang, f.month),
        contributions: format::eur(lang, f.contributions),
        payments: format::eur(lang, f.payments),
        balance: f
            .balance_end
            .map(|b| format::eur(lang, b))
            .unwrap_or_default(),
    }
}

/// Which member's statement.
#[derive(Debug, Deserialize)]
pub struct Which {
    /// The member's place in the list (0: the participant themself).
    #[serde(default)]
    pub lid: Option<String>,
}

/// A contribution on the statement.
#[derive(Debug)]
pub struct ContributionRow {
    /// Collection date.
    pub date: String,
    /// Saving.
    pub saving: String,
    /// Fee and premium.
    pub costs: String,
    /// Where it stands.
    pub state: &'static str,
    /// The bank's reason code, if returned.
    pub reason: String,
}

/// A declaration line on the statement.
#[derive(Debug)]
pub struct LineRow {
    /// Treatment date.
    pub date: String,
    /// Treatment code.
    pub code: String,
    /// The practice.
    pub practice: String,
    /// Amount declared.
    pub amount: String,
    /// Outcome in words.
    pub outcome: &'static str,
    /// Paid from the budget (without the credit part).
    pub from_budget: String,
    /// Paid from the credit line.
    pub from_credit: String,
    /// Own payment.
    pub own_payment: String,
    /// Why, in sentences.
    pub reasons: Vec<&'static str>,
    /// After an accident.
    pub accident: bool,
}

/// The statement page.
#[derive(Template)]
#[template(path = "portal/statement.html")]
pub struct StatementPage {
    /// The layout.
    pub l: Layout,
    /// The member's first names.
    pub name: String,
    /// The member's participant number.
    pub number: String,
    /// Balance, formatted.
    pub balance: String,
    /// Contributions.
    pub contributions: Vec<ContributionRow>,
    /// Declaration lines.
    pub lines: Vec<LineRow>,
}

/// `GET /mijn/overzicht?lid=N`.
pub async fn statement(
    State(state): State<WebState>,
    SignedInParticipant(who): SignedInParticipant,
    Query(which): Query<Which>,
    session: Session,
    l: Layout,
) -> Response {
    let l = match l.at("portal").with_csrf(&session).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    if let Some(to) = accept_first(&state, who, STATEMENT_PATH).await {
        return to;
    }
    let index = match which.lid.as_deref().map(str::parse::<usize>) {
        None => 0,
        Some(Ok(i)) => i,
        Some(Err(_)) => return StatusCode::NOT_FOUND.into_response(),
    };
    let members = match portal::visible_members(&state.ctx, who.participant).await {
        Ok(m) => m,
        Err(e) => return failure(&e),
    };
    let Some(&(member, _)) = members.get(index) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let statement = match portal::statement(&state.ctx, who.participant, member).await {
        Ok(s) => s,
        Err(e) => return failure(&e),
    };
    let lang = l.lang;
    let contributions = statement
        .contributions
        .iter()
        .map(|c| ContributionRow {
            date: format::date(lang, c.collected_on),
            saving: format::eur(lang, c.saving),
            costs: format::eur(lang, c.fee.checked_add(c.premium).unwrap_or(Cents::ZERO)),
            state: explain::contribution_state(c.state, lang),
            reason: c.return_reason.clone().unwrap_or_default(),
        })
        .collect();
    let lines = statement.lines.iter().map(|e| line_row(lang, e)).collect();
    render(&StatementPage {
        l,
        name: statement.member.first_names.clone(),
        number: statement.member.number.to_string(),
        balance: format::eur(lang, statement.member.balance),
        contributions,
        lines,
    })
}

fn line_row(lang: Language, e: &ExplainedLine) -> LineRow {
    let line = &e.line;
    let from_budget = line
        .budget_paid
        .checked_sub(e.from_credit)
        .unwrap_or(line.budget_paid);
    LineRow {
        date: format::date(lang, line.treated_on),
        code: line.code.clone(),
        practice: line.practice.clone().unwrap_or_default(),
        amount: format::eur(lang, line.amount),
        outcome: explain::outcome(line.outcome, lang),
        from_budget: format::eur(lang, from_budget),
        from_credit: format::eur(lang, e.from_credit),
        own_payment: format::eur(lang, line.own_payment),
        reasons: line
            .reasons
            .iter()
            .map(|r| explain::reason(*r, lang))
            .collect(),
        accident: line.accident,
    }
}

/// The page that shows a new privacy statement to accept first, when there is one.
async fn accept_first(
    state: &WebState,
    who: crate::session::SignedIn,
    back: &str,
) -> Option<Response> {
    crate::portal::auth::must_accept(&state.ctx, who.participant)
        .await
        .then(|| {
            axum::response::Redirect::to(&format!(
                "{}?terug={}",
                crate::portal::auth::ACCEPT_PATH,
                crate::i18n::encode(back)
            ))
            .into_response()
        })
}
