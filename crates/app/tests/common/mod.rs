//! Fixtures shared by the app's test binaries.

use ixorg_app::AppContext;
use ixorg_app::participants::{NewHousehold, NewMember};
use ixorg_domain::Cents;
use ixorg_domain::person::Gender;
use ixorg_domain::terms::HouseholdRole;
use time::macros::date;

/// A fixed household: Johanna (main, with BSN), Karel (partner, without) and a child.
pub fn household() -> NewHousehold {
    let member = |role, first: &str, born, bsn: Option<&str>, annual: i64| NewMember {
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
            house_number_addition: "A".to_owned(),
            postcode: "3511 LX".parse().expect("postcode"),
            city: "Utrecht".to_owned(),
            email: Some("johanna@example.nl".to_owned()),
            phone: Some("0612345678".to_owned()),
        },
        bsn: bsn.map(|b| b.parse().expect("a valid BSN")),
        annual_budget: Cents::new(annual),
        practice: None,
    };
    NewHousehold {
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
                Some("111222333"),
                36_000,
            ),
            member(
                HouseholdRole::Partner,
                "Karel",
                date!(1979 - 07 - 01),
                None,
                12_000,
            ),
            member(
                HouseholdRole::Child,
                "Fenna",
                date!(2015 - 05 - 05),
                Some("999996708"),
                6_000,
            ),
        ],
    }
}

/// Registers [`household`] as the system.
pub async fn register(ctx: &AppContext) -> ixorg_app::participants::RegisteredHousehold {
    ixorg_app::participants::register_household(
        ctx,
        ixorg_domain::privacy::Actor::System("test".into()),
        household(),
    )
    .await
    .expect("register the household")
}

/// The platform on `t` with the demo operator profile set (collections need one).
pub async fn with_operator(t: &ixorg_testkit::TestDb) -> AppContext {
    let ctx = ixorg_testkit::test_app(t).await;
    ixorg_app::operator::set(&ctx, &ixorg_tools::demo::operator_profile())
        .await
        .expect("operator profile");
    ctx
}

/// A file path in the temp directory, unique per process and thread.
pub fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("ixorg-usecase-files");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(format!(
        "{name}-{}-{:?}.xml",
        std::process::id(),
        std::thread::current().id()
    ))
}

/// A fresh directory in the temp directory, unique per process and thread.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = temp(name).with_extension("d");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Validates `file` against an official ISO 20022 schema in `shared/xsd` with xmllint.
pub fn xmllint(schema: &str, file: &std::path::Path) {
    let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/xsd/");
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema", &format!("{xsd}{schema}")])
        .arg(file)
        .output()
        .expect("xmllint must be installed (libxml2-utils)");
    assert!(
        out.status.success(),
        "{} does not validate: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
