//! Every request type that can hold personal data prints no BSN, IBAN or name with `{:?}`: a
//! stray `tracing::debug!(?request)` or a failed `expect` cannot put them in a log.

use ixorg_app::domain::enrollment::ApplicationForm;
use ixorg_web::api::applications::{ApplicationRequest, MemberRequest};
use ixorg_web::api::declarations::read_batch;
use ixorg_web::json::JsonBody;
use serde_json::json;

const BSN: &str = "111222333";
const IBAN: &str = "NL91ABNA0417164300";
const FIRST_NAMES: &str = "Marijke";
const SURNAME: &str = "Zwanenburg";
const EMAIL: &str = "marijke.zwanenburg@example.nl";
const BIRTH_DATE: &str = "1984-02-29";

/// Asserts that `debug` holds none of the personal values.
fn assert_redacted(what: &str, debug: &str) {
    for value in [
        BSN,
        IBAN,
        FIRST_NAMES,
        SURNAME,
        EMAIL,
        BIRTH_DATE,
        "Kerkstraat",
    ] {
        assert!(!debug.contains(value), "{what} prints {value}: {debug}");
    }
}

fn application() -> serde_json::Value {
    json!({
        "members": [{
            "role": "main", "first_names": FIRST_NAMES, "initials": "M.", "surname": SURNAME,
            "date_of_birth": BIRTH_DATE, "gender": "female", "street": "Kerkstraat",
            "house_number": "3", "postcode": "3511 LX", "city": "Utrecht", "email": EMAIL,
            "phone": "0612345678", "bsn": BSN, "annual_budget_eur": "240"
        }],
        "start_date": "2026-12-01",
        "iban": IBAN,
        "account_holder": format!("{FIRST_NAMES} {SURNAME}"),
        "dentist_agb_code": "12000001",
        "provider_view_consent": "yes",
        "mandate_signed": "yes"
    })
}

#[test]
fn no_request_type_that_holds_personal_data_prints_it_in_debug() {
    let request: ApplicationRequest =
        serde_json::from_value(application()).expect("an application request");
    assert_redacted("ApplicationRequest", &format!("{request:?}"));
    let member: MemberRequest =
        serde_json::from_value(application()["members"][0].clone()).expect("a member request");
    assert_redacted("MemberRequest", &format!("{member:?}"));
    let body = JsonBody(request);
    assert_redacted("JsonBody<ApplicationRequest>", &format!("{body:?}"));
    let form = ApplicationForm::from(body.0);
    assert_redacted("ApplicationForm", &format!("{form:?}"));
    assert_redacted("MemberForm", &format!("{:?}", form.members));

    let batch = read_batch(&json!({"sender_reference": "INV-1", "lines": [{
        "reference": "A-1", "bsn": BSN, "birth_date": BIRTH_DATE, "provider_agb": "12041054",
        "treatment_date": "2026-12-10", "code": "C002", "unit_tariff": "28.51",
        "amount": "28.51"
    }]}))
    .expect("a batch");
    assert_redacted("BatchRequest", &format!("{batch:?}"));
    assert_redacted("DeclarationLine", &format!("{:?}", batch.lines));
}
