//! The household on the form: its count and main participant, and each member's fields.

use time::Date;

use super::checks::{
    At, Errors, non_empty, optional, parse_bsn, parse_choice, parse_date, parse_gender,
    parse_house_number, parse_phone, parse_postcode, required, text,
};
use super::form::{Address, EmailAddress, Member, MemberForm};
use super::rules::{
    AcceptanceRule, CITY_CHARS_MAX, HOUSE_NUMBER_ADDITION_CHARS_MAX, INITIALS_CHARS_MAX,
    MEMBERS_MAX, NAME_CHARS_MAX, STREET_CHARS_MAX, SURNAME_PREFIX_CHARS_MAX,
};
use crate::identifiers::Bsn;
use crate::money::Cents;
use crate::person::Gender;
use crate::terms::{HouseholdRole, ProductTerms, age_on};

/// The household: count and main-participant rules, then each member. `None` when any member
/// failed (the errors are reported).
pub(super) fn check_members(
    errors: &mut Errors,
    forms: &[MemberForm],
    terms: &ProductTerms,
    today: Date,
    start_date: Option<Date>,
) -> Option<Vec<Member>> {
    if forms.len() > MEMBERS_MAX {
        errors.push(At::contract("members"), AcceptanceRule::TooManyMembers);
    }
    let forms = &forms[..forms.len().min(MEMBERS_MAX)];
    let is_main = |form: &MemberForm| form.role.trim().eq_ignore_ascii_case("main");
    if !forms.iter().any(is_main) {
        errors.push(At::contract("members"), AcceptanceRule::NoMainParticipant);
    }
    let context = MemberContext {
        terms,
        today,
        start_date,
    };
    let mut parsed = Vec::with_capacity(forms.len());
    let mut main_seen = false;
    for (index, form) in forms.iter().enumerate() {
        // Only the first main participant must give an address and an email address; a second
        // one is reported once, as MoreThanOneMain, not again for every field a main needs.
        let first_main = is_main(form) && !main_seen;
        if is_main(form) && main_seen {
            errors.push(At::member(index, "role"), AcceptanceRule::MoreThanOneMain);
        }
        main_seen |= is_main(form);
        parsed.push(check_member(errors, index, form, first_main, &context));
    }
    inherit_addresses(parsed)
}

/// What every member check needs besides the member.
struct MemberContext<'a> {
    terms: &'a ProductTerms,
    today: Date,
    start_date: Option<Date>,
}

/// A member whose fields parsed; the address is `None` when left empty by a further
/// participant (it is taken from the main participant).
struct ParsedMember {
    member: MemberWithoutAddress,
    address: Option<Address>,
}

/// Every field of [`Member`] but the address.
struct MemberWithoutAddress {
    role: HouseholdRole,
    first_names: String,
    initials: String,
    surname_prefix: Option<String>,
    surname: String,
    date_of_birth: Date,
    gender: Gender,
    email: Option<EmailAddress>,
    phone: Option<String>,
    bsn: Option<Bsn>,
    annual_budget: Cents,
}

/// Gives further participants without an address the main participant's address. `None` when
/// any member did not parse.
fn inherit_addresses(parsed: Vec<Option<ParsedMember>>) -> Option<Vec<Member>> {
    let parsed: Vec<ParsedMember> = parsed.into_iter().collect::<Option<_>>()?;
    let main_address = parsed
        .iter()
        .find(|member| member.member.role == HouseholdRole::Main)
        .and_then(|member| member.address.clone())?;
    let members = parsed
        .into_iter()
        .map(|ParsedMember { member, address }| Member {
            role: member.role,
            first_names: member.first_names,
            initials: member.initials,
            surname_prefix: member.surname_prefix,
            surname: member.surname,
            date_of_birth: member.date_of_birth,
            gender: member.gender,
            address: address.unwrap_or_else(|| main_address.clone()),
            email: member.email,
            phone: member.phone,
            bsn: member.bsn,
            annual_budget: member.annual_budget,
        })
        .collect();
    Some(members)
}

/// One member's fields. `None` when any field failed (the errors are reported). `first_main`
/// says whether this is the (first) main participant, who must give an address and an email
/// address even when the role text is the only thing that parsed.
fn check_member(
    errors: &mut Errors,
    index: usize,
    form: &MemberForm,
    first_main: bool,
    context: &MemberContext<'_>,
) -> Option<ParsedMember> {
    let at = |name| At::member(index, name);
    let role = required(errors, at("role"), &form.role, |text| {
        parse_choice(
            text,
            &[
                ("main", HouseholdRole::Main),
                ("partner", HouseholdRole::Partner),
                ("child", HouseholdRole::Child),
            ],
        )
    });
    let names = check_names(errors, index, form);
    let date_of_birth = check_date_of_birth(errors, at("date_of_birth"), form, role, context);
    let gender = required(errors, at("gender"), &form.gender, parse_gender);
    let address = check_address(errors, index, form, first_main);
    let email = if first_main {
        required(errors, at("email"), &form.email, EmailAddress::parse).map(Some)
    } else {
        optional(errors, at("email"), &form.email, EmailAddress::parse)
    };
    let phone = optional(errors, at("phone"), &form.phone, parse_phone);
    let bsn = optional(errors, at("bsn"), &form.bsn, parse_bsn);
    let annual_budget = check_annual_budget(errors, at("annual_budget_eur"), form, context.terms);
    let (first_names, initials, surname_prefix, surname) = names?;
    Some(ParsedMember {
        member: MemberWithoutAddress {
            role: role?,
            first_names,
            initials,
            surname_prefix,
            surname,
            date_of_birth: date_of_birth?,
            gender: gender?,
            email: email?,
            phone: phone?,
            bsn: bsn?,
            annual_budget: annual_budget?,
        },
        address: address?,
    })
}

/// First names, initials, prefix and surname. At least one of first names and initials is
/// required; when both are empty the error names `first_names`.
fn check_names(
    errors: &mut Errors,
    index: usize,
    form: &MemberForm,
) -> Option<(String, String, Option<String>, String)> {
    let at = |name| At::member(index, name);
    let first_names = text(
        errors,
        at("first_names"),
        &form.first_names,
        NAME_CHARS_MAX,
        false,
    );
    let initials = text(
        errors,
        at("initials"),
        &form.initials,
        INITIALS_CHARS_MAX,
        false,
    );
    let prefix = text(
        errors,
        at("surname_prefix"),
        &form.surname_prefix,
        SURNAME_PREFIX_CHARS_MAX,
        false,
    );
    let surname = text(errors, at("surname"), &form.surname, NAME_CHARS_MAX, true);
    let (first_names, initials) = (first_names?, initials?);
    if first_names.is_empty() && initials.is_empty() {
        errors.push(at("first_names"), AcceptanceRule::Required);
        return None;
    }
    Some((first_names, initials, non_empty(prefix?), surname?))
}

/// The date of birth, not in the future, and the age rule of the role on the start date.
fn check_date_of_birth(
    errors: &mut Errors,
    at: At<'_>,
    form: &MemberForm,
    role: Option<HouseholdRole>,
    context: &MemberContext<'_>,
) -> Option<Date> {
    let birth = required(errors, at, &form.date_of_birth, parse_date)?;
    if birth > context.today {
        errors.push(at, AcceptanceRule::DateOfBirthInFuture);
    }
    if let (Some(role), Some(start)) = (role, context.start_date) {
        let adult = context.terms.is_adult(age_on(birth, start));
        let broken = match role {
            HouseholdRole::Main => (!adult).then_some(AcceptanceRule::MainNotAdult),
            HouseholdRole::Partner => (!adult).then_some(AcceptanceRule::PartnerNotAdult),
            HouseholdRole::Child => adult.then_some(AcceptanceRule::ChildNotMinor),
        };
        if let Some(rule) = broken {
            errors.push(at, rule);
        }
    }
    Some(birth)
}

/// The address. Anyone but the first main participant may leave all five fields empty and gets
/// `Some(None)`: the main participant's address is used.
fn check_address(
    errors: &mut Errors,
    index: usize,
    form: &MemberForm,
    first_main: bool,
) -> Option<Option<Address>> {
    let fields = [
        &form.street,
        &form.house_number,
        &form.house_number_addition,
        &form.postcode,
        &form.city,
    ];
    if !first_main && fields.iter().all(|field| field.trim().is_empty()) {
        return Some(None);
    }
    let at = |name| At::member(index, name);
    let street = text(errors, at("street"), &form.street, STREET_CHARS_MAX, true);
    let house_number = required(
        errors,
        at("house_number"),
        &form.house_number,
        parse_house_number,
    );
    let addition = text(
        errors,
        at("house_number_addition"),
        &form.house_number_addition,
        HOUSE_NUMBER_ADDITION_CHARS_MAX,
        false,
    );
    let postcode = required(errors, at("postcode"), &form.postcode, parse_postcode);
    let city = text(errors, at("city"), &form.city, CITY_CHARS_MAX, true);
    Some(Some(Address {
        street: street?,
        house_number: house_number?,
        house_number_addition: non_empty(addition?),
        postcode: postcode?,
        city: city?,
    }))
}

/// The annual budget: a euro amount whose monthly saving lies within the bounds.
fn check_annual_budget(
    errors: &mut Errors,
    at: At<'_>,
    form: &MemberForm,
    terms: &ProductTerms,
) -> Option<Cents> {
    let annual = required(errors, at, &form.annual_budget_eur, |text| {
        Cents::parse_eur(text).map_err(|_| AcceptanceRule::InvalidAmount)
    })?;
    let monthly = Cents::monthly_saving(annual);
    if monthly < terms.saving_cents_monthly_min {
        errors.push(at, AcceptanceRule::SavingBelowMinimum);
        return None;
    }
    if monthly > terms.saving_cents_monthly_max {
        errors.push(at, AcceptanceRule::SavingAboveMaximum);
        return None;
    }
    Some(annual)
}
