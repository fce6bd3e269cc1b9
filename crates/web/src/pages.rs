//! The public pages: the home page (what the plan is and how it works), the costs (fees and
//! limits from the product terms in force), the calculator, and the contact page. None shows a
//! figure about the platform's data. Every error page is rendered by [`crate::errors`].

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use ixorg_app::domain::enrollment::AcceptanceRule;
use ixorg_app::domain::money::Cents;
use ixorg_app::domain::terms::ProductTerms;
use ixorg_app::site::{self, MemberKind};

use crate::WebState;
use crate::form::FormValues;
use crate::layout::{FormErrors, Layout};

/// Renders `page` as an HTML answer (a template that fails to render is a 500, logged).
pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "A page could not be rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The terms in force, or the 503 answer when there are none (a setup error, logged).
#[expect(clippy::result_large_err, reason = "the error is the answer itself")]
fn terms(state: &WebState) -> Result<ProductTerms, Response> {
    site::current_terms(&state.ctx).map_err(|e| {
        tracing::error!(error = %e, "The site cannot show the product terms");
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    })
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    terms: ProductTerms,
}

/// `GET /`: what the plan is and how it works.
pub async fn home(State(state): State<WebState>, l: Layout) -> Response {
    match terms(&state) {
        Ok(terms) => render(&HomePage {
            l: l.at("home"),
            terms,
        }),
        Err(answer) => answer,
    }
}

#[derive(Template)]
#[template(path = "costs.html")]
struct CostsPage {
    l: Layout,
    terms: ProductTerms,
}

/// `GET /kosten`: the fees and limits of the product terms in force.
pub async fn costs(State(state): State<WebState>, l: Layout) -> Response {
    match terms(&state) {
        Ok(terms) => render(&CostsPage {
            l: l.at("costs"),
            terms,
        }),
        Err(answer) => answer,
    }
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    l: Layout,
}

/// `GET /contact`: the operator's details (from the privacy statement).
pub async fn contact(l: Layout) -> Response {
    render(&ContactPage { l: l.at("contact") })
}

/// A row of the calculator's form.
struct CalcRow {
    field: &'static str,
    label: &'static str,
    kind: MemberKind,
}

/// The calculator's rows: the main participant, a further adult, four children.
const CALC_ROWS: &[CalcRow] = &[
    CalcRow {
        field: "hoofd",
        label: tk!("calc.row_main"),
        kind: MemberKind::Main,
    },
    CalcRow {
        field: "partner",
        label: tk!("calc.row_adult"),
        kind: MemberKind::FurtherAdult,
    },
    CalcRow {
        field: "kind1",
        label: tk!("calc.row_child1"),
        kind: MemberKind::Child,
    },
    CalcRow {
        field: "kind2",
        label: tk!("calc.row_child2"),
        kind: MemberKind::Child,
    },
    CalcRow {
        field: "kind3",
        label: tk!("calc.row_child3"),
        kind: MemberKind::Child,
    },
    CalcRow {
        field: "kind4",
        label: tk!("calc.row_child4"),
        kind: MemberKind::Child,
    },
];

/// A computed line of the calculator.
struct CalcLine {
    label: &'static str,
    annual: Cents,
    saving: Cents,
    fee: Cents,
    total: Cents,
}

#[derive(Template)]
#[template(path = "calculator.html")]
struct CalculatorPage {
    l: Layout,
    rows: &'static [CalcRow],
    form: FormValues,
    errors: FormErrors,
    lines: Vec<CalcLine>,
    total: Cents,
    annual_min: Cents,
    annual_max: Cents,
}

/// The catalogue key of a calculator error.
fn calc_error_key(rule: AcceptanceRule) -> &'static str {
    match rule {
        AcceptanceRule::SavingBelowMinimum => tk!("calc.error_below"),
        AcceptanceRule::SavingAboveMaximum => tk!("calc.error_above"),
        _ => tk!("calc.error_amount"),
    }
}

/// `GET /rekenhulp[?hoofd=300&partner=…&kind1=…]`: the calculator. Computed on the server with
/// the product rules; an amount that is not one, or outside the bounds, gets an error next to
/// its field. The main participant's budget is required once anything is asked.
pub async fn calculator(
    State(state): State<WebState>,
    l: Layout,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let terms = match terms(&state) {
        Ok(t) => t,
        Err(answer) => return answer,
    };
    let form = FormValues::from_pairs(query);
    let asked: Vec<&CalcRow> = CALC_ROWS
        .iter()
        .filter(|r| r.field == "hoofd" || !form.get(r.field).trim().is_empty())
        .collect();
    let submitted = CALC_ROWS.iter().any(|r| form.contains(r.field));
    let mut errors = FormErrors::default();
    let mut lines = Vec::new();
    let mut total = Cents::ZERO;
    if submitted {
        let members: Vec<(MemberKind, &str)> =
            asked.iter().map(|r| (r.kind, form.get(r.field))).collect();
        let calculation = site::calculate_with(&terms, &members);
        for (row, line) in asked.iter().zip(&calculation.lines) {
            match line {
                Ok(line) => lines.push(CalcLine {
                    label: row.label,
                    annual: line.annual,
                    saving: line.saving_monthly,
                    fee: line.fee_monthly,
                    total: line.total_monthly,
                }),
                Err(rule) => {
                    let label = l.t(row.label);
                    errors.add(row.field, label, calc_error_key(*rule));
                }
            }
        }
        match calculation.total_monthly {
            Some(sum) => total = sum,
            None => lines.clear(),
        }
    }
    let year = |monthly: Cents| monthly.checked_mul(12).unwrap_or(monthly);
    let page = CalculatorPage {
        l: l.at("calculator"),
        rows: CALC_ROWS,
        form,
        errors,
        lines,
        total,
        annual_min: year(terms.saving_cents_monthly_min),
        annual_max: year(terms.saving_cents_monthly_max),
    };
    let mut answer = render(&page);
    if !page.errors.is_empty() {
        *answer.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    answer
}

/// The style sheet, embedded in the binary.
const SITE_CSS: &str = include_str!("../static/site.css");

/// `GET /static/site.css`: the one style sheet, cached by the browser for a day.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        SITE_CSS,
    )
        .into_response()
}

/// Any unknown path: a bare 404, given its page (or problem document, or `OperationOutcome`)
/// by [`crate::errors::normalize`].
pub async fn not_found() -> StatusCode {
    StatusCode::NOT_FOUND
}
