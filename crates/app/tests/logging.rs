//! No personal data in any log line or `Debug` output: a whole flow is captured at TRACE level
//! and searched for the BSN, the IBAN, the names, the email and the phone number.

use std::io::Write;
use std::sync::{Arc, Mutex};

use ixorg_app::participants::{self, Viewer};
use ixorg_domain::ids::StaffUserId;
use ixorg_domain::privacy::{Actor, DataCategory, Purpose, Role};
use ixorg_testkit::{TestDb, test_app};
use tracing_subscriber::fmt::MakeWriter;
use uuid::Uuid;

#[expect(dead_code, reason = "this binary uses only the household fixtures")]
mod common;

use common::{household, register};

const SECRETS: &[&str] = &[
    "111222333",
    "999996708",
    "NL91ABNA0417164300",
    "Johanna",
    "Karel",
    "Wiel",
    "johanna@example.nl",
    "0612345678",
    "3511 LX",
    "Kerkstraat",
    "0687654321",
    "111222334",
    "Wiel-Jansen",
];

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The one global subscriber of this test binary (a separate binary, so no other test's
/// subscriber or interest cache interferes), writing everything at TRACE level to a buffer.
fn capture() -> Capture {
    static CAPTURE: std::sync::OnceLock<Capture> = std::sync::OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let capture = Capture::default();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(capture.clone())
                .with_ansi(false)
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
            capture
        })
        .clone()
}

async fn flow_with_personal_data(t: TestDb) {
    let capture = capture();

    let ctx = test_app(&t).await;
    let registered = register(&ctx).await;
    let (main, ..) = registered.members[0].clone();
    let support = Viewer {
        actor: Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(5))),
        role: Role::Support,
    };
    let view = participants::view(&ctx, support.clone(), Some(Purpose::Contact), main, &[])
        .await
        .expect("support view");
    let refused = participants::view(
        &ctx,
        support,
        Some(Purpose::Contact),
        main,
        &[DataCategory::Care],
    )
    .await;
    let system = Viewer {
        actor: Actor::System("log-test".into()),
        role: Role::System,
    };
    let bsn = "111222333".parse().expect("bsn");
    participants::find_by_bsn(&ctx, system, Some(Purpose::ServiceDelivery), &bsn)
        .await
        .expect("lookup");
    let duplicate =
        participants::register_household(&ctx, Actor::System("log-test".into()), household()).await;
    // The data subject's rights: a correction, a rectification request, its decision, an
    // export and a refused export for someone else.
    use ixorg_app::privacy::requests::{self, NewRequest};
    use ixorg_domain::privacy::request::{CheckedField, ContactField};
    let partner = registered.members[1].0;
    requests::correct_contact(&ctx, main, main, ContactField::Phone, "0687654321")
        .await
        .expect("correct the phone");
    let bad_bsn = NewRequest::Rectification {
        field: CheckedField::Bsn,
        value: "111222334".into(),
        account_holder: None,
    };
    let invalid = requests::file(&ctx, main, main, bad_bsn.clone()).await;
    let rename = NewRequest::Rectification {
        field: CheckedField::Surname,
        value: "Wiel-Jansen".into(),
        account_holder: None,
    };
    let request = requests::file(&ctx, main, main, rename.clone())
        .await
        .expect("file");
    let officer_id = ixorg_app::staff::create(
        &ctx,
        "po",
        "Privacy officer",
        "a long password!",
        &[Role::PrivacyOfficer],
    )
    .await
    .expect("staff");
    let officer = ixorg_app::privacy::Staff {
        id: officer_id,
        role: Role::PrivacyOfficer,
    };
    requests::approve(&ctx, officer, request)
        .await
        .expect("approve");
    let export = ixorg_app::privacy::export::export(&ctx, main, main)
        .await
        .expect("export");
    let not_mine = ixorg_app::privacy::export::export(&ctx, main, partner).await;
    tracing::warn!(error = %not_mine.as_ref().map(|_| "").expect_err("refused"), "Export refused");
    tracing::warn!(error = %invalid.as_ref().map(|_| "").expect_err("invalid"), "Request refused");
    let privacy_dump = format!(
        "{bad_bsn:?} {rename:?} {invalid:?} {:?}",
        export.sections.len()
    );
    ixorg_app::audit::verify(&ctx).await.expect("audit");
    tracing::error!(error = %duplicate.as_ref().map(|_| "").expect_err("a duplicate"), "Registration failed");
    tracing::warn!(error = %refused.as_ref().map(|_| "").expect_err("refused"), "View refused");
    let debug_dump = format!(
        "{privacy_dump} {:?} {:?} {:?} {:?} {:?}",
        household(),
        view,
        registered,
        duplicate.map(|_| ()),
        bsn
    );

    let logs = String::from_utf8(std::mem::take(&mut *capture.0.lock().expect("lock")))
        .expect("utf-8 logs");
    assert!(
        logs.contains("Registered household"),
        "the capture works: {logs}"
    );
    for secret in SECRETS {
        assert!(!logs.contains(secret), "a log line holds personal data");
        assert!(
            !debug_dump.contains(secret),
            "a Debug output holds personal data (secret #{})",
            SECRETS
                .iter()
                .position(|s| s == secret)
                .unwrap_or(usize::MAX)
        );
    }
}

/// One test runs both backends in turn, so the shared buffer holds one flow at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_log_line_or_debug_output_of_a_whole_flow_holds_personal_data_sqlite_and_postgres() {
    flow_with_personal_data(TestDb::sqlite().await).await;
    if let Some(t) = TestDb::postgres().await {
        flow_with_personal_data(t).await;
    }
}
