//! The platform the declaration and FHIR tests call: a household, two practices with API
//! tokens, a billing intermediary with a token, and requests with a bearer token.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use ixorg_app::declarations::api;
use ixorg_app::participants::{NewHousehold, NewMember, register_household};
use ixorg_app::parties::{NewPractice, register_intermediary, register_practice};
use ixorg_app::{AppContext, FixedClock};
use ixorg_domain::Cents;
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::{ParticipantId, PracticeId};
use ixorg_domain::person::Gender;
use ixorg_domain::privacy::Actor;
use ixorg_domain::terms::HouseholdRole;
use ixorg_testkit::{TestDb, test_app};
use time::macros::{date, datetime};
use tower::ServiceExt;

/// The practice's AGB code.
pub const PRACTICE_AGB: &str = "12002242";
/// Its provider's AGB code.
pub const PROVIDER_AGB: &str = "12041054";
/// The AGB code of the second practice.
pub const OTHER_PRACTICE_AGB: &str = "12002243";
/// The AGB code of the second practice's provider.
pub const OTHER_PROVIDER_AGB: &str = "12041055";
/// The BSN of the main participant (passes the 11-proef).
pub const BSN: &str = "111222333";

/// Everything a test needs.
pub struct Platform {
    /// The router.
    pub app: axum::Router,
    /// The application context behind it.
    pub ctx: AppContext,
    /// The household's participants: id and number.
    pub members: Vec<(ParticipantId, ParticipantNumber)>,
    /// The practice's token.
    pub token: String,
    /// Another practice's token.
    pub other_token: String,
    /// A billing intermediary's token.
    pub intermediary_token: String,
}

fn member(role: HouseholdRole, first: &str, born: time::Date, bsn: Option<&str>) -> NewMember {
    NewMember {
        role,
        details: ixorg_domain::person::PersonalDetails {
            first_names: first.to_owned(),
            initials: format!("{}.", &first[..1]),
            surname_prefix: "van der".to_owned(),
            surname: "Wiel".to_owned(),
            date_of_birth: born,
            gender: Gender::Female,
            street: "Kerkstraat".to_owned(),
            house_number: 12,
            house_number_addition: String::new(),
            postcode: "3511 LX".parse().expect("postcode"),
            city: "Utrecht".to_owned(),
            email: Some("johanna@example.nl".to_owned()),
            phone: None,
        },
        bsn: bsn.map(|b| b.parse().expect("a valid BSN")),
        annual_budget: Cents::new(36_000),
        practice: None,
    }
}

async fn practice(ctx: &AppContext, agb: &str, provider: &str) -> (PracticeId, String) {
    let registered = register_practice(
        ctx,
        &NewPractice {
            agb: agb.parse().expect("agb"),
            name: "Tandartspraktijk De Molen".into(),
            city: "Utrecht".into(),
            providers: vec![(provider.parse().expect("agb"), "A. Tandarts".into())],
            iban: Some("NL91ABNA0417164300".parse().expect("iban")),
        },
    )
    .await
    .expect("register the practice");
    let (_, token) = api::create_client(ctx, Some(registered.practice), None, "test")
        .await
        .expect("an API client");
    (registered.practice, token)
}

/// The platform on 20 January 2027: a household since 1 December 2026 (Johanna with a BSN,
/// Karel without), two practices and an intermediary, each with an API token.
pub async fn platform(t: &TestDb) -> Platform {
    let ctx = AppContext {
        clock: Arc::new(FixedClock(datetime!(2027-01-20 10:00 UTC))),
        ..test_app(t).await
    };
    let household = NewHousehold {
        start_date: date!(2026 - 12 - 01),
        iban: "NL91ABNA0417164300".parse().expect("iban"),
        account_holder: "J. van der Wiel".to_owned(),
        mandate_signed_on: date!(2026 - 11 - 20),
        provider_view_consent: true,
        members: vec![
            member(
                HouseholdRole::Main,
                "Johanna",
                date!(1980 - 03 - 14),
                Some(BSN),
            ),
            member(HouseholdRole::Partner, "Karel", date!(1979 - 07 - 01), None),
        ],
    };
    let registered = register_household(&ctx, Actor::System("test".into()), household)
        .await
        .expect("register the household");
    let (first_practice, token) = practice(&ctx, PRACTICE_AGB, PROVIDER_AGB).await;
    let (_, other_token) = practice(&ctx, OTHER_PRACTICE_AGB, OTHER_PROVIDER_AGB).await;
    let (intermediary, ..) = register_intermediary(
        &ctx,
        "Servicebureau Tandzorg",
        None,
        None,
        &"NL02ABNA0123456789".parse().expect("iban"),
        &[first_practice],
    )
    .await
    .expect("register the intermediary");
    let (_, intermediary_token) = api::create_client(&ctx, None, Some(intermediary), "bureau")
        .await
        .expect("an API client");
    Platform {
        app: ixorg_web::router(ctx.clone()),
        ctx,
        members: registered
            .members
            .into_iter()
            .map(|(id, number, _)| (id, number))
            .collect(),
        token,
        other_token,
        intermediary_token,
    }
}

/// An answer: status, headers and body text.
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the body is JSON")
    }

    /// A header as text.
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .map_or("", |v| v.to_str().expect("an ASCII header"))
    }
}

/// Sends `request` to `app`.
pub async fn send(app: &axum::Router, request: Request<Body>) -> Answer {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 4 << 20)
        .await
        .expect("the body");
    Answer {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).expect("utf-8"),
    }
}

/// A request with `Authorization: Bearer {token}` when a token is given, and a body of
/// `content_type`.
pub fn request(
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    match body {
        Some((content_type, body)) => builder
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body)),
        None => builder.body(Body::empty()),
    }
    .expect("a request")
}
