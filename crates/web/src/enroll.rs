//! Online enrollment: `/aanmelden`, the application form of a household, and
//! `/aanmelden/ontvangen`, the confirmation.
//!
//! The form calls the same use case as `POST /api/v1/applications`
//! ([`ixorg_app::enrollment::apply`]) and answers like it: a form that breaks rules of its own is
//! shown again with the input kept and each error next to its field; every valid form, whether
//! it became a contract or went to staff, leads to the same confirmation on the same timing
//! ([`crate::api::applications::ANSWER_INTERVAL`]), so the page never tells whether someone is
//! a participant already.

use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ixorg_app::domain::enrollment::{ApplicationForm, FieldError, MEMBERS_MAX, MemberForm};
use ixorg_app::domain::money::Cents;
use ixorg_app::domain::termination::add_months_clamped;
use ixorg_app::enrollment::{ApplicationOutcome, apply};
use time::Date;
use tower_sessions::Session;

use crate::WebState;
use crate::api::applications::ANSWER_INTERVAL;
use crate::csrf::CsrfForm;
use crate::form::FormValues;
use crate::layout::{FormErrors, Layout};
use crate::pages::render;

/// Where a received application is confirmed.
pub const RECEIVED_PATH: &str = "/aanmelden/ontvangen";

/// The most child slots the form offers (the main participant and a partner besides).
const CHILDREN_MAX: usize = MEMBERS_MAX - 2;

/// The fields of a member, in form order.
const MEMBER_FIELDS: &[&str] = &[
    "first_names",
    "initials",
    "surname_prefix",
    "surname",
    "date_of_birth",
    "gender",
    "street",
    "house_number",
    "house_number_addition",
    "postcode",
    "city",
    "email",
    "phone",
    "bsn",
    "annual_budget_eur",
];

/// The household's fields after the members, in form order.
const CONTRACT_FIELDS: &[&str] = &[
    "dentist_agb_code",
    "practice_name",
    "provider_view_consent",
    "start_date",
    "iban",
    "account_holder",
    "mandate_signed",
];

/// The gender choices: the value and its text.
const GENDERS: &[(&str, &str)] = &[
    ("female", tk!("field.gender_female")),
    ("male", tk!("field.gender_male")),
    ("other", tk!("field.gender_other")),
    ("unknown", tk!("field.gender_unknown")),
];

/// One household member's part of the form.
pub struct Slot {
    /// The position on the form: 0 the main participant, 1 a further adult, 2… children.
    pub index: usize,
    /// The fieldset's heading.
    pub heading: String,
    /// The catalogue key of the introduction (empty for none).
    pub intro_key: &'static str,
    /// The catalogue key of the acceptance rule shown with it.
    pub rule_key: &'static str,
    /// The main participant (asks the address and contact data).
    pub is_main: bool,
    /// A child (asks no contact data).
    pub is_child: bool,
}

impl Slot {
    /// The id (and name) of this member's field `name`.
    #[must_use]
    pub fn id(&self, name: &str) -> String {
        format!("m{}_{name}", self.index)
    }

    /// The `autocomplete` token of a field: the main participant's own data only.
    #[must_use]
    pub fn autocomplete(&self, token: &'static str) -> &'static str {
        if self.is_main { token } else { "" }
    }

    /// The role sent to the use case.
    fn role(&self) -> &'static str {
        match self.index {
            0 => "main",
            1 => "partner",
            _ => "child",
        }
    }
}

fn slots(l: &Layout, children: usize) -> Vec<Slot> {
    let mut out = vec![
        Slot {
            index: 0,
            heading: l.t("enroll.main_legend").to_owned(),
            intro_key: "",
            rule_key: tk!("enroll.main_rule"),
            is_main: true,
            is_child: false,
        },
        Slot {
            index: 1,
            heading: l.t("enroll.partner_legend").to_owned(),
            intro_key: tk!("enroll.partner_intro"),
            rule_key: tk!("enroll.partner_rule"),
            is_main: false,
            is_child: false,
        },
    ];
    for n in 1..=children {
        out.push(Slot {
            index: n + 1,
            heading: format!("{} {n}", l.t("enroll.child_legend")),
            intro_key: tk!("enroll.child_intro"),
            rule_key: tk!("enroll.child_rule"),
            is_main: false,
            is_child: true,
        });
    }
    out
}

#[derive(Template)]
#[template(path = "enroll.html")]
struct EnrollPage {
    l: Layout,
    form: FormValues,
    errors: FormErrors,
    slots: Vec<Slot>,
    children: usize,
    can_add_child: bool,
    genders: &'static [(&'static str, &'static str)],
    start_dates: Vec<(String, String)>,
    budget_hint: String,
}

/// The start dates on offer: every first of a month from today to the furthest the terms allow.
fn start_dates(l: &Layout, today: Date, months_ahead: u8) -> Vec<(String, String)> {
    let latest = add_months_clamped(today, u32::from(months_ahead)).unwrap_or(today);
    (0..=u32::from(months_ahead) + 1)
        .filter_map(|m| add_months_clamped(today, m))
        .filter_map(|d| d.replace_day(1).ok())
        .filter(|d| *d >= today && *d <= latest)
        .map(|d| (d.to_string(), crate::format::date(l.lang, d)))
        .collect()
}

fn page(
    state: &WebState,
    l: Layout,
    form: FormValues,
    errors: FormErrors,
    children: usize,
) -> Response {
    let terms = match ixorg_app::site::current_terms(&state.ctx) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "The enrollment form cannot show the product terms");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let year = |monthly: Cents| monthly.checked_mul(12).unwrap_or(monthly);
    let budget_hint = format!(
        "{} {} {} {}.",
        l.t("field.annual_budget_hint"),
        l.eur(year(terms.saving_cents_monthly_min)),
        l.t("costs.and"),
        l.eur(year(terms.saving_cents_monthly_max)),
    );
    let start_dates = start_dates(
        &l,
        state.ctx.clock.today(),
        terms.start_date_months_ahead_max,
    );
    let slots = slots(&l, children);
    let failed = !errors.is_empty();
    let mut answer = render(&EnrollPage {
        l: l.at("enroll"),
        form,
        errors,
        slots,
        children,
        can_add_child: children < CHILDREN_MAX,
        genders: GENDERS,
        start_dates,
        budget_hint,
    });
    if failed {
        *answer.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    answer
}

/// `GET /aanmelden`: the empty form (its session holds the form's CSRF token).
pub async fn form(State(state): State<WebState>, session: Session, l: Layout) -> Response {
    let l = match l.with_csrf(&session).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    page(&state, l, FormValues::default(), FormErrors::default(), 0)
}

/// The member's form as the use case takes it (`None`: a further slot left empty).
fn member(form: &FormValues, slot: &Slot) -> Option<MemberForm> {
    let get = |name: &str| form.get(slot.id(name)).to_owned();
    let m = MemberForm {
        role: slot.role().to_owned(),
        first_names: get("first_names"),
        initials: get("initials"),
        surname_prefix: get("surname_prefix"),
        surname: get("surname"),
        date_of_birth: get("date_of_birth"),
        gender: get("gender"),
        street: get("street"),
        house_number: get("house_number"),
        house_number_addition: get("house_number_addition"),
        postcode: get("postcode"),
        city: get("city"),
        email: get("email"),
        phone: get("phone"),
        bsn: get("bsn"),
        annual_budget_eur: get("annual_budget_eur"),
    };
    let filled = MEMBER_FIELDS
        .iter()
        .any(|name| !form.get(slot.id(name)).trim().is_empty());
    (slot.is_main || filled).then_some(m)
}

/// The catalogue key of a field's label.
fn label_key(name: &str) -> &'static str {
    match name {
        "first_names" => tk!("field.first_names"),
        "initials" => tk!("field.initials"),
        "surname_prefix" => tk!("field.surname_prefix"),
        "surname" => tk!("field.surname"),
        "date_of_birth" => tk!("field.date_of_birth"),
        "gender" => tk!("field.gender"),
        "street" => tk!("field.street"),
        "house_number" => tk!("field.house_number"),
        "house_number_addition" => tk!("field.house_number_addition"),
        "postcode" => tk!("field.postcode"),
        "city" => tk!("field.city"),
        "email" => tk!("field.email"),
        "phone" => tk!("field.phone"),
        "bsn" => tk!("field.bsn"),
        "annual_budget_eur" => tk!("field.annual_budget"),
        "dentist_agb_code" => tk!("field.agb"),
        "practice_name" => tk!("field.practice_name"),
        "provider_view_consent" => tk!("field.provider_view"),
        "start_date" => tk!("field.start_date"),
        "iban" => tk!("field.iban"),
        "account_holder" => tk!("field.account_holder"),
        "mandate_signed" => tk!("field.mandate_short"),
        _ => tk!("enroll.household"),
    }
}

/// The form's field of a use-case error and its label in the summary. `members[i].name` is the
/// `i`-th member sent, which sits in slot `sent[i]`.
fn place(l: &Layout, slots: &[Slot], sent: &[usize], error: &FieldError) -> (String, String) {
    let field = error.field.as_str();
    let Some(rest) = field.strip_prefix("members") else {
        return (field.to_owned(), l.t(label_key(field)).to_owned());
    };
    let index = rest
        .strip_prefix('[')
        .and_then(|r| r.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| sent.get(i).copied())
        .unwrap_or(0);
    let name = rest.split_once("].").map_or("first_names", |(_, n)| n);
    let name = if MEMBER_FIELDS.contains(&name) {
        name
    } else {
        "first_names"
    };
    let slot = slots.get(index).or(slots.first());
    match slot {
        Some(slot) => (
            slot.id(name),
            format!("{} – {}", slot.heading, l.t(label_key(name))),
        ),
        None => (format!("m0_{name}"), l.t(label_key(name)).to_owned()),
    }
}

/// Waits until the next multiple of [`ANSWER_INTERVAL`] since `received` (at least one), as
/// the JSON API does, so the timing never tells what became of a valid form.
async fn answer_on_the_interval(received: Instant) {
    let interval = ANSWER_INTERVAL.as_millis().max(1);
    let elapsed = received.elapsed().as_millis();
    let intervals = elapsed.div_ceil(interval).max(1);
    let due = u64::try_from(intervals.saturating_mul(interval)).unwrap_or(u64::MAX);
    tokio::time::sleep_until((received + Duration::from_millis(due)).into()).await;
}

/// `POST /aanmelden`: adds a child's part (`actie=kind`) or sends the application.
pub async fn submit(
    State(state): State<WebState>,
    session: Session,
    l: Layout,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Response {
    let received = Instant::now();
    let l = match l.with_csrf(&session).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let form = FormValues::from_pairs(pairs);
    let children = form
        .get("kinderen")
        .parse::<usize>()
        .unwrap_or(0)
        .min(CHILDREN_MAX);
    if form.get("actie") == "kind" {
        let children = (children + 1).min(CHILDREN_MAX);
        return page(&state, l, form, FormErrors::default(), children);
    }
    let slots = slots(&l, children);
    let mut sent = Vec::new();
    let mut members = Vec::new();
    for slot in &slots {
        if let Some(m) = member(&form, slot) {
            sent.push(slot.index);
            members.push(m);
        }
    }
    let get = |name: &str| form.get(name).to_owned();
    // The application's language is the page's (`l.lang`); the integrator sets it on the form
    // here once `ApplicationForm` carries a language.
    let application = ApplicationForm {
        members,
        start_date: get("start_date"),
        iban: get("iban"),
        account_holder: get("account_holder"),
        dentist_agb_code: get("dentist_agb_code"),
        practice_name: get("practice_name"),
        provider_view_consent: get("provider_view_consent"),
        mandate_signed: get("mandate_signed"),
    };
    let outcome = apply(&state.ctx, &application).await;
    answer_on_the_interval(received).await;
    match outcome {
        Ok(ApplicationOutcome::Accepted(_) | ApplicationOutcome::Referred(_)) => {
            Redirect::to(RECEIVED_PATH).into_response()
        }
        Ok(ApplicationOutcome::Rejected(rejections)) => {
            let mut errors = FormErrors::default();
            for e in &rejections {
                let (field, label) = place(&l, &slots, &sent, e);
                errors.add(&field, &label, e.rule.code());
            }
            let mut order: Vec<String> = slots
                .iter()
                .flat_map(|s| MEMBER_FIELDS.iter().map(|n| s.id(n)))
                .collect();
            order.extend(CONTRACT_FIELDS.iter().map(|f| (*f).to_owned()));
            errors.sort_by_form(&order);
            page(&state, l, form, errors, children)
        }
        Err(e) => {
            tracing::error!(error = %e, "An application from the site could not be handled");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "enroll_received.html")]
struct ReceivedPage {
    l: Layout,
}

/// `GET /aanmelden/ontvangen`: the same confirmation for every valid application.
pub async fn received(l: Layout) -> Response {
    render(&ReceivedPage { l: l.at("enroll") })
}
