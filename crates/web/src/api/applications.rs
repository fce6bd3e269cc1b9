//! `POST /api/v1/applications`: apply for a contract.

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ixorg_app::domain::Language;
use ixorg_app::domain::enrollment::{ApplicationForm, MemberForm};
use ixorg_app::enrollment::{Accepted, ApplicationOutcome, Referred, apply_in};
use serde::{Deserialize, Serialize};

use super::problem::{FieldProblem, Problem};
use crate::WebState;
use crate::json::JsonBody;

/// The most members a request may carry (the acceptance policy allows 12).
const MEMBERS_MAX: usize = 50;

/// Declares the fields of a form as the request names them: the list of names (for serde's
/// "expected one of" message; `[…]` first names fields that are not text) and the field of the
/// form each text name fills, from one list, so a form's fields are written down once.
macro_rules! text_fields {
    ($form:ty, $names:ident, $slot:ident: $([$($other:ident),+])? $($field:ident),+ $(,)?) => {
        /// The fields of the form, as the request names them.
        const $names: &[&str] = &[$($(stringify!($other),)+)? $(stringify!($field)),+];

        /// The field of the form that `name` fills, if it is one of its text fields.
        fn $slot<'f>(form: &'f mut $form, name: &str) -> Option<&'f mut String> {
            match name {
                $(stringify!($field) => Some(&mut form.$field),)+
                _ => None,
            }
        }
    };
}

text_fields!(
    MemberForm,
    MEMBER_FIELDS,
    member_slot: role,
    first_names,
    initials,
    surname_prefix,
    surname,
    date_of_birth,
    gender,
    street,
    house_number,
    house_number_addition,
    postcode,
    city,
    email,
    phone,
    bsn,
    annual_budget_eur,
);

text_fields!(
    ApplicationForm,
    APPLICATION_FIELDS,
    contract_slot: [members, language] start_date,
    iban,
    account_holder,
    dentist_agb_code,
    practice_name,
    provider_view_consent,
    mandate_signed,
);

/// The name of the member list in the request.
const MEMBERS: &str = "members";

/// The name of the optional language field in the request (`nl`, the default, or `en`).
const LANGUAGE: &str = "language";

/// Reads a JSON object of text fields into `form`: every field at most once, no unknown field,
/// a missing one left empty. `other` reads a field that is not text (the member list).
fn read_text_object<'de, A, F>(
    mut map: A,
    form: &mut F,
    names: &'static [&'static str],
    slot: for<'f> fn(&'f mut F, &str) -> Option<&'f mut String>,
    mut other: impl FnMut(&mut F, &str, &mut A) -> Option<Result<(), A::Error>>,
) -> Result<(), A::Error>
where
    A: serde::de::MapAccess<'de>,
{
    use serde::de::Error as _;
    let mut seen: Vec<&'static str> = Vec::new();
    while let Some(key) = map.next_key::<String>()? {
        let Some(name) = names.iter().copied().find(|n| *n == key) else {
            return Err(A::Error::unknown_field(&key, names));
        };
        if seen.contains(&name) {
            return Err(A::Error::duplicate_field(name));
        }
        seen.push(name);
        if let Some(read) = other(form, name, &mut map) {
            read?;
        } else if let Some(field) = slot(form, name) {
            *field = map.next_value()?;
        }
    }
    Ok(())
}

/// One participant as sent in the request: the application form's member, every field text as
/// typed in a form. `Debug` shows no field: every one is personal data.
#[derive(Default)]
pub struct MemberRequest(pub MemberForm);

impl<'de> Deserialize<'de> for MemberRequest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = MemberRequest;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a member object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut form = MemberForm::default();
                read_text_object(map, &mut form, MEMBER_FIELDS, member_slot, |_, _, _| None)?;
                Ok(MemberRequest(form))
            }
        }
        deserializer.deserialize_struct("MemberRequest", MEMBER_FIELDS, Visitor)
    }
}

/// The request body: the application form as typed (at most [`MEMBERS_MAX`] members are kept),
/// and the language the household reads its portal and messages in (`language`: `nl`, the
/// default, or `en`). `Debug` shows only the number of members: the rest is personal data.
#[derive(Default)]
pub struct ApplicationRequest(pub ApplicationForm, pub Language);

impl<'de> Deserialize<'de> for ApplicationRequest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ApplicationRequest;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an application object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                use serde::de::Error as _;
                let mut form = ApplicationForm::default();
                let mut language = Language::default();
                let other = |form: &mut ApplicationForm, name: &str, map: &mut A| match name {
                    MEMBERS => Some(map.next_value::<Vec<MemberRequest>>().map(|members| {
                        form.members = members.into_iter().take(MEMBERS_MAX).map(|m| m.0).collect();
                    })),
                    LANGUAGE => Some(map.next_value::<String>().and_then(|code| {
                        language = Language::from_code(&code).ok_or_else(|| {
                            A::Error::invalid_value(
                                serde::de::Unexpected::Other("a language code"),
                                &"\"nl\" or \"en\"",
                            )
                        })?;
                        Ok(())
                    })),
                    _ => None,
                };
                read_text_object(map, &mut form, APPLICATION_FIELDS, contract_slot, other)?;
                Ok(ApplicationRequest(form, language))
            }
        }
        deserializer.deserialize_struct("ApplicationRequest", APPLICATION_FIELDS, Visitor)
    }
}

impl std::fmt::Debug for MemberRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberRequest").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ApplicationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationRequest")
            .field("members", &self.0.members.len())
            .finish_non_exhaustive()
    }
}

impl From<ApplicationRequest> for ApplicationForm {
    fn from(r: ApplicationRequest) -> Self {
        r.0
    }
}

/// The 202 body: the same for every valid form, whatever became of it.
#[derive(Debug, Serialize)]
pub struct ApplicationReceived {
    /// The application's reference.
    pub application_id: String,
    /// Always `received`.
    pub status: &'static str,
    /// What happens next.
    pub detail: &'static str,
}

/// What a valid application is told, whether it became a contract or went to staff.
const RECEIVED_DETAIL: &str = "We have received your application and will let you know the \
     outcome by e-mail or post, at the address we have on file.";

/// Answers to a valid application leave on a multiple of this interval after the request came
/// in (at least one interval), so that their timing does not tell whether the form made a
/// contract or was referred to staff: both take far less than one interval.
pub const ANSWER_INTERVAL: Duration = Duration::from_millis(250);

/// Waits until the next multiple of [`ANSWER_INTERVAL`] since `received` (at least one).
async fn answer_on_the_interval(received: Instant) {
    let interval = ANSWER_INTERVAL.as_millis().max(1);
    let elapsed = received.elapsed().as_millis();
    let intervals = elapsed.div_ceil(interval).max(1);
    let due = u64::try_from(intervals.saturating_mul(interval)).unwrap_or(u64::MAX);
    tokio::time::sleep_until((received + Duration::from_millis(due)).into()).await;
}

/// `POST /api/v1/applications`.
///
/// A form that breaks acceptance rules of its own (which need no one else's data) is answered
/// 422 with every field. Every valid form is answered 202 with the same body and on the same
/// timing, whether it made a contract or its person was known already: the outcome goes to the
/// address on file (a duplicate goes to staff), so a stranger cannot learn who is a participant.
pub async fn create(
    State(state): State<WebState>,
    body: Result<JsonBody<ApplicationRequest>, Problem>,
) -> Response {
    let received = Instant::now();
    // The body's problem names the field and what it should be, never the value sent.
    let JsonBody(request) = match body {
        Ok(b) => b,
        Err(problem) => return problem.into_response(),
    };
    let ApplicationRequest(form, language) = request;
    let outcome = apply_in(&state.ctx, &form, language).await;
    answer_on_the_interval(received).await;
    match outcome {
        Ok(
            ApplicationOutcome::Accepted(Accepted { application, .. })
            | ApplicationOutcome::Referred(Referred { application, .. }),
        ) => {
            let body = ApplicationReceived {
                application_id: application.to_string(),
                status: "received",
                detail: RECEIVED_DETAIL,
            };
            (StatusCode::ACCEPTED, Json(body)).into_response()
        }
        Ok(ApplicationOutcome::Rejected(errors)) => {
            let mut problem = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "application-rejected",
                "The application was not accepted",
                format!("{} rule(s) of the acceptance policy failed", errors.len()),
            );
            problem.errors = errors
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.clone(),
                    code: e.rule.code().to_owned(),
                    detail: e.rule.to_string(),
                })
                .collect();
            problem.into_response()
        }
        Err(e) => Problem::internal(&e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use ixorg_app::domain::privacy::DataCategory::{
        self, Consent, Contact, Financial, Identity, NationalId, ProviderLink,
    };
    use ixorg_app::domain::privacy::registry::{ColumnClass, table};

    use super::*;

    /// The fields serde expects, read from its "unknown field" message (so from the real type).
    fn expected_fields<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
        let err = serde_json::from_str::<T>(r#"{"not_a_field": 1}"#).expect_err("unknown field");
        let text = err.to_string();
        let list = text
            .split("expected one of ")
            .nth(1)
            .expect("serde lists the expected fields");
        list.split(", ")
            .map(|f| {
                f.trim_matches(|c: char| c == '`' || c.is_whitespace() || c == ',')
                    .split('`')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    /// Promise P4: the privacy statement (§1.1) lists what the application asks: names,
    /// initials, date of birth, gender, address, e-mail, phone, dentist, annual budget, the
    /// provider-view consent, start date, bank account and BSN. Each form field, the statement's
    /// item it falls under, and the registry column (table, column, category) that keeps it.
    const STATEMENT: &[(&str, &str, &str, DataCategory)] = &[
        ("role", "participant", "household_role", Identity),
        ("first_names", "participant", "first_names", Identity),
        ("initials", "participant", "initials", Identity),
        ("surname_prefix", "participant", "surname_prefix", Identity),
        ("surname", "participant", "surname", Identity),
        ("date_of_birth", "participant", "date_of_birth", Identity),
        ("gender", "participant", "gender", Identity),
        ("street", "participant", "street", Contact),
        ("house_number", "participant", "house_number", Contact),
        (
            "house_number_addition",
            "participant",
            "house_number_addition",
            Contact,
        ),
        ("postcode", "participant", "postcode", Contact),
        ("city", "participant", "city", Contact),
        ("email", "participant", "email", Contact),
        ("phone", "participant", "phone", Contact),
        ("bsn", "participant", "bsn_ciphertext", NationalId),
        (
            "annual_budget_eur",
            "participant",
            "annual_budget_cents",
            Financial,
        ),
        ("members", "participant", "participant_id", Identity),
        // Not in the statement's list: the language of the site and the messages, a setting
        // kept as the registry's meta column `participant.language`.
        ("start_date", "contract", "start_date", Financial),
        ("iban", "contract", "iban", Financial),
        ("account_holder", "contract", "account_holder", Financial),
        (
            "dentist_agb_code",
            "participant",
            "practice_id",
            ProviderLink,
        ),
        ("practice_name", "participant", "practice_id", ProviderLink),
        ("provider_view_consent", "consent_event", "granted", Consent),
        ("mandate_signed", "mandate", "signed_on", Financial),
    ];

    #[test]
    fn the_application_asks_only_what_the_privacy_statement_lists() {
        let mut asked = expected_fields::<MemberRequest>();
        asked.extend(expected_fields::<ApplicationRequest>());
        asked.sort();
        asked.retain(|f| f != LANGUAGE);
        let mut listed: Vec<String> = STATEMENT.iter().map(|(f, ..)| (*f).to_owned()).collect();
        listed.sort();
        assert_eq!(
            asked, listed,
            "a new application field needs the statement's consent"
        );
        for (field, table_name, column, category) in STATEMENT {
            let t = table(table_name).expect("a registered table");
            let c = t
                .columns
                .iter()
                .find(|c| c.name == *column)
                .unwrap_or_else(|| panic!("{field}: {table_name}.{column} is registered"));
            match c.class {
                ColumnClass::Personal(have) => assert_eq!(have, *category, "{field}"),
                ColumnClass::Key => assert_eq!(*field, "members", "only the list is a key"),
                other => panic!("{field} is kept as {other:?}, not as personal data"),
            }
        }
    }

    #[test]
    fn the_language_is_dutch_unless_english_is_asked_and_another_code_is_refused() {
        let read = |json: &str| serde_json::from_str::<ApplicationRequest>(json);
        assert_eq!(
            read(r#"{"iban": "x"}"#).expect("no language").1,
            Language::Dutch
        );
        assert_eq!(
            read(r#"{"language": "en"}"#).expect("en").1,
            Language::English
        );
        assert_eq!(
            read(r#"{"language": "nl"}"#).expect("nl").1,
            Language::Dutch
        );
        let refused = read(r#"{"language": "de"}"#).expect_err("de is refused");
        assert!(
            refused.to_string().contains("\"nl\" or \"en\""),
            "{refused}"
        );
        assert!(read(r#"{"language": "en", "language": "nl"}"#).is_err());
    }
}
