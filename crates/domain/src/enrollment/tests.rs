use proptest::prelude::*;
use time::macros::date;
use time::{Date, Month};

use super::*;
use crate::identifiers::AgbCode;
use crate::money::Cents;
use crate::privacy::request::{CheckedField, ContactField};
use crate::terms::{HouseholdRole, initial};

const TODAY: Date = date!(2026 - 03 - 15);

fn member(role: &str, date_of_birth: &str) -> MemberForm {
    MemberForm {
        role: role.to_owned(),
        first_names: "Anna Maria".to_owned(),
        initials: "A.M.".to_owned(),
        surname_prefix: "van der".to_owned(),
        surname: "Berg".to_owned(),
        date_of_birth: date_of_birth.to_owned(),
        gender: "female".to_owned(),
        annual_budget_eur: "300".to_owned(),
        ..MemberForm::default()
    }
}

fn valid_form() -> ApplicationForm {
    let main = MemberForm {
        street: "Dorpsstraat".to_owned(),
        house_number: "12".to_owned(),
        house_number_addition: "A".to_owned(),
        postcode: "1234 ab".to_owned(),
        city: "Utrecht".to_owned(),
        email: "anna@example.nl".to_owned(),
        phone: "06-12345678".to_owned(),
        bsn: "111222333".to_owned(),
        ..member("main", "1980-05-05")
    };
    let partner = MemberForm {
        bsn: "999996708".to_owned(),
        annual_budget_eur: "150.00".to_owned(),
        ..member("partner", "1982-01-01")
    };
    ApplicationForm {
        members: vec![main, partner, member("child", "2015-07-07")],
        start_date: "2026-04-01".to_owned(),
        iban: "NL91 ABNA 0417 1643 00".to_owned(),
        account_holder: "A.M. van der Berg".to_owned(),
        dentist_agb_code: "12345678".to_owned(),
        practice_name: String::new(),
        provider_view_consent: "yes".to_owned(),
        mandate_signed: "yes".to_owned(),
    }
}

/// The (field, code) pairs of a check, or an empty list when accepted.
fn errors_of(form: &ApplicationForm) -> Vec<(String, &'static str)> {
    match check_application(form, &initial().terms, TODAY) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|error| (error.field, error.rule.code()))
            .collect(),
    }
}

/// Asserts that `change` applied to a valid form yields exactly one error.
fn assert_only_error(change: impl FnOnce(&mut ApplicationForm), field: &str, rule: AcceptanceRule) {
    let mut form = valid_form();
    change(&mut form);
    assert_eq!(errors_of(&form), vec![(field.to_owned(), rule.code())]);
}

#[test]
fn a_valid_household_is_accepted_and_parsed_into_types() {
    // Act
    let app = check_application(&valid_form(), &initial().terms, TODAY).expect("accepted");
    // Assert
    assert_eq!(app.members().len(), 3);
    assert_eq!(app.start_date(), date!(2026 - 04 - 01));
    assert_eq!(app.iban().expose(), "NL91ABNA0417164300");
    assert_eq!(app.account_holder(), "A.M. van der Berg");
    assert_eq!(
        app.dentist_agb_code().map(AgbCode::as_str),
        Some("12345678")
    );
    assert_eq!(app.practice_name(), None);
    assert!(app.provider_view_consent());
    let main = app.main_member();
    assert_eq!(main.role, HouseholdRole::Main);
    assert_eq!(main.surname_prefix.as_deref(), Some("van der"));
    assert_eq!(main.address.postcode.as_str(), "1234 AB");
    assert_eq!(main.address.house_number, 12);
    assert_eq!(main.address.house_number_addition.as_deref(), Some("A"));
    assert_eq!(
        main.email.as_ref().map(EmailAddress::expose),
        Some("anna@example.nl")
    );
    assert_eq!(main.annual_budget, Cents::new(30_000));
    assert!(main.bsn.is_some());
    let partner = &app.members()[1];
    assert_eq!(partner.annual_budget, Cents::new(15_000));
    assert_eq!(partner.email, None);
    assert_eq!(app.members()[2].bsn, None);
}

#[test]
fn further_participants_without_an_address_live_at_the_main_address() {
    let app = check_application(&valid_form(), &initial().terms, TODAY).expect("accepted");
    assert_eq!(app.members()[1].address, app.main_member().address);
    assert_eq!(app.members()[2].address.city, "Utrecht");
}

#[test]
fn the_debug_output_of_an_application_holds_no_personal_data() {
    let app = check_application(&valid_form(), &initial().terms, TODAY).expect("accepted");
    let debug = format!(
        "{app:?} {:?} {:?} {:?}",
        app.members(),
        valid_form(),
        app.person_keys()
    );
    for secret in [
        "Berg",
        "Anna",
        "111222333",
        "NL91",
        "1234",
        "Dorpsstraat",
        "anna@",
        "30000",
        "1980",
    ] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
    assert!(debug.contains("Main"));
}

#[test]
fn every_rule_has_a_unique_code_and_a_sentence() {
    let mut codes: Vec<_> = AcceptanceRule::ALL.iter().map(|rule| rule.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), AcceptanceRule::ALL.len());
    for rule in AcceptanceRule::ALL {
        assert!(rule.code().starts_with("acceptance."));
        assert!(!rule.to_string().is_empty());
    }
    let error = FieldError {
        field: "iban".to_owned(),
        rule: AcceptanceRule::IbanNotSepa,
    };
    assert_eq!(
        error.to_string(),
        "iban: IBAN must belong to a SEPA country"
    );
}

#[test]
fn an_empty_required_field_is_required() {
    assert_only_error(
        |f| f.members[0].surname = "  ".to_owned(),
        "members[0].surname",
        AcceptanceRule::Required,
    );
    assert_only_error(
        |f| f.account_holder.clear(),
        "account_holder",
        AcceptanceRule::Required,
    );
    assert_only_error(
        |f| f.members[0].email.clear(),
        "members[0].email",
        AcceptanceRule::Required,
    );
    assert_only_error(
        |f| f.start_date.clear(),
        "start_date",
        AcceptanceRule::Required,
    );
}

#[test]
fn first_names_or_initials_are_required() {
    assert_only_error(
        |f| {
            f.members[1].first_names.clear();
            f.members[1].initials.clear();
        },
        "members[1].first_names",
        AcceptanceRule::Required,
    );
    let mut initials_only = valid_form();
    initials_only.members[1].first_names.clear();
    assert_eq!(errors_of(&initials_only), []);
}

#[test]
fn an_agb_code_or_a_practice_name_is_required() {
    assert_only_error(
        |f| f.dentist_agb_code.clear(),
        "dentist_agb_code",
        AcceptanceRule::Required,
    );
    let mut by_name = valid_form();
    by_name.dentist_agb_code.clear();
    by_name.practice_name = "Tandartspraktijk Centrum".to_owned();
    assert_eq!(errors_of(&by_name), []);
}

#[test]
fn a_too_long_text_is_too_long() {
    assert_only_error(
        |f| f.members[0].surname = "x".repeat(101),
        "members[0].surname",
        AcceptanceRule::TooLong,
    );
    assert_only_error(
        |f| f.account_holder = "x".repeat(71),
        "account_holder",
        AcceptanceRule::TooLong,
    );
}

#[test]
fn a_control_character_in_a_text_is_refused() {
    assert_only_error(
        |f| f.members[0].city = "Utr\necht".to_owned(),
        "members[0].city",
        AcceptanceRule::InvalidCharacter,
    );
}

#[test]
fn a_value_outside_the_choices_is_an_invalid_choice() {
    assert_only_error(
        |f| f.members[1].role = "spouse".to_owned(),
        "members[1].role",
        AcceptanceRule::InvalidChoice,
    );
    assert_only_error(
        |f| f.members[2].gender = "f".to_owned(),
        "members[2].gender",
        AcceptanceRule::InvalidChoice,
    );
    assert_only_error(
        |f| f.provider_view_consent = "maybe".to_owned(),
        "provider_view_consent",
        AcceptanceRule::InvalidChoice,
    );
}

#[test]
fn a_date_not_written_as_yyyy_mm_dd_is_invalid() {
    for text in [
        "05-05-1980",
        "1980-02-30",
        "1980-13-01",
        "1980-5-5",
        "+980-05-05",
        "１９８０-05-05",
    ] {
        assert_only_error(
            |f| f.members[0].date_of_birth = text.to_owned(),
            "members[0].date_of_birth",
            AcceptanceRule::InvalidDate,
        );
    }
}

#[test]
fn a_house_number_that_is_not_a_whole_number_is_invalid() {
    for text in ["twelve", "0", "100000", "+12", "12a"] {
        assert_only_error(
            |f| f.members[0].house_number = text.to_owned(),
            "members[0].house_number",
            AcceptanceRule::InvalidNumber,
        );
    }
}

#[test]
fn a_budget_that_is_not_an_amount_is_invalid() {
    assert_only_error(
        |f| f.members[2].annual_budget_eur = "€300".to_owned(),
        "members[2].annual_budget_eur",
        AcceptanceRule::InvalidAmount,
    );
}

#[test]
fn a_date_of_birth_in_the_future_is_refused() {
    assert_only_error(
        |f| f.members[2].date_of_birth = "2026-06-01".to_owned(),
        "members[2].date_of_birth",
        AcceptanceRule::DateOfBirthInFuture,
    );
}

#[test]
fn the_main_participant_must_be_18_on_the_start_date() {
    // 18 on 2026-04-02, the day after the start date.
    assert_only_error(
        |f| f.members[0].date_of_birth = "2008-04-02".to_owned(),
        "members[0].date_of_birth",
        AcceptanceRule::MainNotAdult,
    );
    let mut eighteen_on_the_start_date = valid_form();
    eighteen_on_the_start_date.members[0].date_of_birth = "2008-04-01".to_owned();
    assert_eq!(errors_of(&eighteen_on_the_start_date), []);
}

#[test]
fn a_partner_must_be_an_adult() {
    assert_only_error(
        |f| f.members[1].date_of_birth = "2010-01-01".to_owned(),
        "members[1].date_of_birth",
        AcceptanceRule::PartnerNotAdult,
    );
}

#[test]
fn a_child_must_be_under_18() {
    assert_only_error(
        |f| f.members[2].date_of_birth = "2008-04-01".to_owned(),
        "members[2].date_of_birth",
        AcceptanceRule::ChildNotMinor,
    );
}

#[test]
fn the_start_date_must_be_the_first_of_a_month() {
    assert_only_error(
        |f| f.start_date = "2026-04-02".to_owned(),
        "start_date",
        AcceptanceRule::StartNotFirstOfMonth,
    );
}

#[test]
fn the_start_date_cannot_lie_in_the_past() {
    assert_only_error(
        |f| f.start_date = "2026-03-01".to_owned(),
        "start_date",
        AcceptanceRule::StartInPast,
    );
}

#[test]
fn the_start_date_lies_at_most_six_months_ahead() {
    assert_only_error(
        |f| f.start_date = "2026-10-01".to_owned(),
        "start_date",
        AcceptanceRule::StartTooFarAhead,
    );
    let mut six_months = valid_form();
    six_months.start_date = "2026-09-01".to_owned();
    assert_eq!(errors_of(&six_months), []);
}

#[test]
fn an_iban_failing_mod_97_is_invalid() {
    assert_only_error(
        |f| f.iban = "NL92ABNA0417164300".to_owned(),
        "iban",
        AcceptanceRule::InvalidIban,
    );
}

#[test]
fn an_iban_outside_sepa_is_refused() {
    assert_only_error(
        |f| f.iban = "US64SVBKUS6S3300958879".to_owned(),
        "iban",
        AcceptanceRule::IbanNotSepa,
    );
}

#[test]
fn a_malformed_postcode_is_invalid() {
    assert_only_error(
        |f| f.members[0].postcode = "0123 AB".to_owned(),
        "members[0].postcode",
        AcceptanceRule::InvalidPostcode,
    );
}

#[test]
fn a_bsn_must_have_nine_digits_and_pass_the_11_check() {
    assert_only_error(
        |f| f.members[0].bsn = "1112223".to_owned(),
        "members[0].bsn",
        AcceptanceRule::BsnFormat,
    );
    assert_only_error(
        |f| f.members[0].bsn = "111222334".to_owned(),
        "members[0].bsn",
        AcceptanceRule::BsnElevenCheck,
    );
}

#[test]
fn an_agb_code_must_have_eight_digits() {
    assert_only_error(
        |f| f.dentist_agb_code = "1234567".to_owned(),
        "dentist_agb_code",
        AcceptanceRule::AgbFormat,
    );
}

#[test]
fn an_email_address_must_pass_the_simple_syntax_rule() {
    for text in [
        "anna",
        "@example.nl",
        "anna@example",
        "anna@@example.nl",
        "an na@example.nl",
        "anna@.nl",
        "anna@example.",
    ] {
        assert_only_error(
            |f| f.members[0].email = text.to_owned(),
            "members[0].email",
            AcceptanceRule::InvalidEmail,
        );
    }
    let long = format!("{}@example.nl", "a".repeat(250));
    assert_only_error(
        |f| f.members[0].email = long,
        "members[0].email",
        AcceptanceRule::TooLong,
    );
}

#[test]
fn a_phone_number_needs_ten_to_fifteen_digits() {
    for text in ["12345", "06-1234567x", "06+12345678"] {
        assert_only_error(
            |f| f.members[0].phone = text.to_owned(),
            "members[0].phone",
            AcceptanceRule::InvalidPhone,
        );
    }
    let mut international = valid_form();
    international.members[0].phone = "+31 (6) 1234 5678".to_owned();
    assert_eq!(errors_of(&international), []);
}

#[test]
fn the_monthly_saving_must_reach_the_minimum() {
    // 23.94 / 12 = 1.995, rounded to 2.00: just within; 23.93 gives 1.99.
    assert_only_error(
        |f| f.members[2].annual_budget_eur = "23.93".to_owned(),
        "members[2].annual_budget_eur",
        AcceptanceRule::SavingBelowMinimum,
    );
    let mut at_the_minimum = valid_form();
    at_the_minimum.members[2].annual_budget_eur = "23.94".to_owned();
    assert_eq!(errors_of(&at_the_minimum), []);
}

#[test]
fn the_monthly_saving_may_not_pass_the_maximum() {
    assert_only_error(
        |f| f.members[0].annual_budget_eur = "3000.07".to_owned(),
        "members[0].annual_budget_eur",
        AcceptanceRule::SavingAboveMaximum,
    );
    let mut at_the_maximum = valid_form();
    // 3000.05 / 12 = 250.004…, rounded to 250.00; 3000.06 gives 250.005, rounded to 250.01.
    at_the_maximum.members[0].annual_budget_eur = "3000.05".to_owned();
    assert_eq!(errors_of(&at_the_maximum), []);
}

#[test]
fn the_mandate_must_be_signed() {
    assert_only_error(
        |f| f.mandate_signed = "no".to_owned(),
        "mandate_signed",
        AcceptanceRule::MandateNotSigned,
    );
}

#[test]
fn a_contract_has_at_most_twelve_participants() {
    assert_only_error(
        |f| f.members.resize(13, member("child", "2015-07-07")),
        "members",
        AcceptanceRule::TooManyMembers,
    );
}

#[test]
fn a_contract_needs_a_main_participant() {
    assert_only_error(
        |f| f.members[0].role = "partner".to_owned(),
        "members",
        AcceptanceRule::NoMainParticipant,
    );
    assert_only_error(
        |f| f.members.clear(),
        "members",
        AcceptanceRule::NoMainParticipant,
    );
}

#[test]
fn a_contract_has_only_one_main_participant() {
    assert_only_error(
        |f| f.members[1].role = "main".to_owned(),
        "members[1].role",
        AcceptanceRule::MoreThanOneMain,
    );
}

#[test]
fn a_form_breaking_several_rules_reports_all_of_them_in_form_order() {
    // Arrange
    let mut form = valid_form();
    form.members[0].date_of_birth = "2010-01-01".to_owned();
    form.members[0].postcode = "12".to_owned();
    form.members[1].bsn = "123".to_owned();
    form.members[2].annual_budget_eur = "1".to_owned();
    form.start_date = "2026-02-15".to_owned();
    form.iban = "NL00".to_owned();
    form.mandate_signed = String::new();
    // Act / Assert
    assert_eq!(
        errors_of(&form),
        [
            ("start_date", "acceptance.start_not_first_of_month"),
            ("start_date", "acceptance.start_in_past"),
            ("members[0].date_of_birth", "acceptance.main_not_adult"),
            ("members[0].postcode", "acceptance.invalid_postcode"),
            ("members[1].bsn", "acceptance.bsn_format"),
            (
                "members[2].annual_budget_eur",
                "acceptance.saving_below_minimum"
            ),
            ("iban", "acceptance.invalid_iban"),
            ("mandate_signed", "acceptance.required"),
        ]
        .map(|(field, code)| (field.to_owned(), code))
    );
}

#[test]
fn the_number_of_errors_is_bounded() {
    let junk = MemberForm {
        role: "main".to_owned(),
        date_of_birth: "x".to_owned(),
        gender: "x".to_owned(),
        house_number: "x".to_owned(),
        postcode: "x".to_owned(),
        email: "x".to_owned(),
        phone: "x".to_owned(),
        bsn: "x".to_owned(),
        annual_budget_eur: "x".to_owned(),
        ..MemberForm::default()
    };
    let form = ApplicationForm {
        members: vec![junk; 40],
        ..ApplicationForm::default()
    };
    let errors = check_application(&form, &initial().terms, TODAY).expect_err("refused");
    assert_eq!(errors.len(), FIELD_ERRORS_MAX);
}

#[test]
fn surnames_are_normalised_for_the_duplicate_check() {
    assert_eq!(normalise_surname("van der", "Berg"), "vanderberg");
    assert_eq!(normalise_surname("", "Van der Berg"), "vanderberg");
    assert_eq!(
        normalise_surname("'t", "Hart"),
        normalise_surname("T", "Hart")
    );
    assert_eq!(normalise_surname("", "Jansen-de Wit"), "jansendewit");
    assert_ne!(
        normalise_surname("", "Müller"),
        normalise_surname("", "Muller")
    );
    let app = check_application(&valid_form(), &initial().terms, TODAY).expect("accepted");
    let keys = app.person_keys();
    assert_eq!(keys.len(), 3);
    assert_eq!(keys[0].surname_normalised(), "vanderberg");
    assert_eq!(keys[0].date_of_birth(), date!(1980 - 05 - 05));
    assert_eq!(keys[2].postcode().as_str(), "1234 AB");
}

#[test]
fn a_person_with_an_active_or_unpaid_contract_is_refused() {
    // Arrange
    let app = check_application(&valid_form(), &initial().terms, TODAY).expect("accepted");
    let facts = [
        MemberHistory {
            member_index: 0,
            active_contract: false,
            unpaid_closed_contract: false,
        },
        MemberHistory {
            member_index: 1,
            active_contract: true,
            unpaid_closed_contract: false,
        },
        MemberHistory {
            member_index: 2,
            active_contract: false,
            unpaid_closed_contract: true,
        },
    ];
    // Act
    let errors = check_history(&app, &facts).expect_err("refused");
    // Assert
    assert_eq!(
        errors,
        [
            FieldError {
                field: "members[1]".to_owned(),
                rule: AcceptanceRule::DuplicateActiveContract
            },
            FieldError {
                field: "members[2]".to_owned(),
                rule: AcceptanceRule::UnpaidClosedContract
            },
        ]
    );
    assert_eq!(check_history(&app, &facts[..1]), Ok(()));
    assert_eq!(check_history(&app, &[]), Ok(()));
}

fn budget_change(
    current: i64,
    requested: i64,
    changes: u8,
) -> Result<BudgetChange, BudgetChangeRefusal> {
    check_budget_change(
        &initial().terms,
        Cents::new(current),
        Cents::new(requested),
        changes,
        TODAY,
    )
}

#[test]
fn a_budget_may_go_up_at_any_time_from_the_next_month() {
    assert_eq!(
        budget_change(30_000, 60_000, 1),
        Ok(BudgetChange {
            effective_from: date!(2026 - 04 - 01),
            new_annual: Cents::new(60_000),
            credit_line: Cents::new(24_000),
        })
    );
}

#[test]
fn a_budget_may_go_down_once_a_year_from_next_january() {
    assert_eq!(
        budget_change(30_000, 12_000, 0),
        Ok(BudgetChange {
            effective_from: date!(2027 - 01 - 01),
            new_annual: Cents::new(12_000),
            credit_line: Cents::new(12_000),
        })
    );
    assert_eq!(
        budget_change(30_000, 12_000, 1),
        Err(BudgetChangeRefusal::ChangesPerYearExceeded)
    );
}

#[test]
fn an_upward_change_waits_for_january_when_the_terms_do_not_allow_it_any_time() {
    let mut terms = initial().terms;
    terms.budget_change_upward_any_time = false;
    let change = check_budget_change(&terms, Cents::new(12_000), Cents::new(30_000), 0, TODAY);
    assert_eq!(change.map(|c| c.effective_from), Ok(date!(2027 - 01 - 01)));
}

#[test]
fn a_budget_change_respects_the_saving_bounds() {
    assert_eq!(
        budget_change(30_000, 2_000, 0),
        Err(BudgetChangeRefusal::SavingBelowMinimum)
    );
    assert_eq!(
        budget_change(30_000, 400_000, 0),
        Err(BudgetChangeRefusal::SavingAboveMaximum)
    );
    assert_eq!(
        budget_change(30_000, 30_000, 0),
        Err(BudgetChangeRefusal::Unchanged)
    );
    assert_eq!(
        BudgetChangeRefusal::Unchanged.code(),
        "budget_change.unchanged"
    );
}

#[test]
fn an_upward_change_in_december_starts_in_january() {
    let change = check_budget_change(
        &initial().terms,
        Cents::new(12_000),
        Cents::new(30_000),
        0,
        date!(2026 - 12 - 31),
    );
    assert_eq!(change.map(|c| c.effective_from), Ok(date!(2027 - 01 - 01)));
}

fn arb_member_form() -> impl Strategy<Value = MemberForm> {
    let field = prop_oneof![
        ".{0,12}",
        "[0-9 .-]{0,12}",
        Just(String::new()),
        Just("main".to_owned())
    ];
    prop::collection::vec(field, 16).prop_map(|f| MemberForm {
        role: f[0].clone(),
        first_names: f[1].clone(),
        initials: f[2].clone(),
        surname_prefix: f[3].clone(),
        surname: f[4].clone(),
        date_of_birth: f[5].clone(),
        gender: f[6].clone(),
        street: f[7].clone(),
        house_number: f[8].clone(),
        house_number_addition: f[9].clone(),
        postcode: f[10].clone(),
        city: f[11].clone(),
        email: f[12].clone(),
        phone: f[13].clone(),
        bsn: f[14].clone(),
        annual_budget_eur: f[15].clone(),
    })
}

proptest! {
    #[test]
    fn checking_arbitrary_text_never_panics_and_stays_bounded(
        members in prop::collection::vec(arb_member_form(), 0..16),
        contract in prop::collection::vec(".{0,40}", 7),
        year in 1_i32..9999,
    ) {
        let form = ApplicationForm {
            members,
            start_date: contract[0].clone(),
            iban: contract[1].clone(),
            account_holder: contract[2].clone(),
            dentist_agb_code: contract[3].clone(),
            practice_name: contract[4].clone(),
            provider_view_consent: contract[5].clone(),
            mandate_signed: contract[6].clone(),
        };
        let today = Date::from_calendar_date(year, Month::June, 30).expect("valid");
        if let Err(errors) = check_application(&form, &initial().terms, today) {
            prop_assert!(!errors.is_empty());
            prop_assert!(errors.len() <= FIELD_ERRORS_MAX);
        }
    }

    #[test]
    fn a_single_field_of_arbitrary_text_never_panics(text in "\\PC{0,300}", field in 0_usize..8) {
        let mut form = valid_form();
        match field {
            0 => form.members[0].date_of_birth = text,
            1 => form.members[0].annual_budget_eur = text,
            2 => form.members[0].email = text,
            3 => form.members[0].phone = text,
            4 => form.members[0].house_number = text,
            5 => form.iban = text,
            6 => form.start_date = text,
            _ => form.members[1].bsn = text,
        }
        let _ = check_application(&form, &initial().terms, TODAY);
    }

    #[test]
    fn an_accepted_budget_always_saves_within_the_bounds(annual in -100_000_i64..1_000_000) {
        let mut form = valid_form();
        form.members[0].annual_budget_eur = Cents::new(annual).to_string();
        let terms = initial().terms;
        let accepted = check_application(&form, &terms, TODAY).is_ok();
        prop_assert_eq!(accepted, terms.saving_within_bounds(Cents::monthly_saving(Cents::new(annual))));
    }

    #[test]
    fn an_accepted_budget_change_applies_from_a_first_of_month_with_the_capped_credit_line(
        current in 0_i64..400_000,
        requested in -10_000_i64..400_000,
        changes in 0_u8..3,
        day in 0_i64..3650,
    ) {
        let terms = initial().terms;
        let today = date!(2024 - 01 - 01) + time::Duration::days(day);
        if let Ok(change) = check_budget_change(&terms, Cents::new(current), Cents::new(requested), changes, today) {
            prop_assert!(terms.saving_within_bounds(Cents::monthly_saving(change.new_annual)));
            prop_assert_eq!(change.effective_from.day(), 1);
            prop_assert!(change.effective_from > today);
            prop_assert_eq!(change.credit_line, Cents::new(requested.min(24_000)));
            if requested < current {
                prop_assert!(changes < terms.budget_change_per_year_max);
                prop_assert_eq!(change.effective_from, date!(2024 - 01 - 01).replace_year(today.year() + 1).expect("valid"));
            }
        }
    }
}

#[test]
fn a_correction_follows_the_application_forms_limits_and_formats() {
    let long_city = "x".repeat(CITY_CHARS_MAX + 1);
    assert_eq!(
        check_contact_correction(ContactField::City, &long_city),
        Err(AcceptanceRule::TooLong)
    );
    assert_eq!(
        check_contact_correction(ContactField::Phone, "06 123"),
        Err(AcceptanceRule::InvalidPhone)
    );
    assert_eq!(
        check_contact_correction(ContactField::Email, " "),
        Ok(Corrected::Text(None))
    );
    assert_eq!(
        check_contact_correction(ContactField::HouseNumber, "+12"),
        Err(AcceptanceRule::InvalidNumber)
    );
    let today = time::macros::date!(2026 - 11 - 26);
    assert_eq!(
        check_checked_correction(CheckedField::DateOfBirth, "2027-01-01", today),
        Err(AcceptanceRule::DateOfBirthInFuture)
    );
    assert_eq!(
        check_checked_correction(CheckedField::Bsn, "123456789", today),
        Err(AcceptanceRule::BsnElevenCheck)
    );
    assert_eq!(check_account_holder(""), Err(AcceptanceRule::Required));
}
