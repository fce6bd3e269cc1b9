//! MZ301 files declare only for their sender's providers (a service bureau for the practices
//! it bills for), and a line above the per-line maximum refuses the whole file.

use ixorg_app::declarations::DecideError;
use ixorg_app::declarations::import::{ImportError, import_mz301};
use ixorg_app::parties::{NewPractice, register_intermediary, register_practice};
use ixorg_domain::Cents;
use ixorg_domain::declaration::{Outcome, Reason};
use ixorg_testkit::{TestDb, db_test, raw};
use time::macros::date;

use crate::declarations::{PRACTICE_AGB, Spec, file_with, ledger_is_sound, platform, write};

const OTHER_PRACTICE_AGB: &str = "12002243";
const OTHER_PROVIDER_AGB: &str = "12041055";
const BUREAU_CODE: &str = "98098059";

/// The MZ302 return codes of the file's 04 records, in order.
fn return_codes(mz302: &std::path::Path) -> Vec<String> {
    let bytes = std::fs::read(mz302).expect("the return file");
    bytes
        .split(|b| *b == b'\n')
        .filter(|r| r.starts_with(b"04"))
        .map(|r| String::from_utf8_lossy(&r[328..332]).into_owned())
        .collect()
}

fn spec<'a>(number: &'a str, day: u8, amount: i64, reference: &'a str) -> Spec<'a> {
    Spec {
        number,
        code: "C002",
        date: date!(2026 - 12 - 01).replace_day(day).expect("a day"),
        amount,
        reference,
    }
}

async fn other_practice(ctx: &ixorg_app::AppContext) -> ixorg_domain::ids::PracticeId {
    register_practice(
        ctx,
        &NewPractice {
            agb: OTHER_PRACTICE_AGB.parse().expect("agb"),
            name: "Tandartsen Oost".into(),
            city: "Utrecht".into(),
            providers: vec![(
                OTHER_PROVIDER_AGB.parse().expect("agb"),
                "B. Tandarts".into(),
            )],
            iban: Some("NL69INGB0123456789".parse().expect("iban")),
        },
    )
    .await
    .expect("register the other practice")
    .practice
}

db_test!(
    a_file_naming_another_practices_provider_or_an_unregistered_one_gets_those_lines_rejected,
    async |t: TestDb| {
        // Arrange
        let (ctx, numbers, _) = platform(&t).await;
        other_practice(&ctx).await;
        let n0 = numbers[0].as_str();
        let mut file = file_with(
            &[
                spec(n0, 3, 2851, "R-1"),
                spec(n0, 4, 2851, "R-2"),
                spec(n0, 5, 2851, "R-3"),
            ],
            1,
        );
        file.patients[1].lines[0].provider = OTHER_PROVIDER_AGB.parse().expect("agb");
        file.patients[2].lines[0].provider = "12999999".parse().expect("agb");
        let path = write(&file, "senders-file");
        let out = path.with_extension("mz302");

        // Act
        let report = import_mz301(&ctx, &path, &out, &|_| {})
            .await
            .expect("import");

        // Assert
        assert_eq!(
            report.assigned,
            Cents::new(2851),
            "only the own provider's line"
        );
        assert_eq!(
            return_codes(&out),
            vec![
                Reason::Paid.mz302_code(),
                Reason::ProviderNotDeclaredBySender.mz302_code(),
                Reason::ProviderUnknown.mz302_code(),
            ]
        );
        ledger_is_sound(&ctx).await;
    }
);

db_test!(
    a_service_bureau_declares_only_for_the_practices_it_bills_for_and_an_unregistered_one_not_at_all,
    async |t: TestDb| {
        // Arrange: the file names the service bureau, for the practice of the synthetic file.
        let (ctx, numbers, _) = platform(&t).await;
        let other = other_practice(&ctx).await;
        let n0 = numbers[0].as_str();
        let mut file = file_with(&[spec(n0, 3, 2851, "R-1")], 1);
        file.header.service_bureau = Some(BUREAU_CODE.parse().expect("code"));
        let path = write(&file, "senders-bureau");
        let out = path.with_extension("mz302");
        let before = raw::row_counts(&t).await;

        // Act: not registered; then registered for another practice only.
        let unregistered = import_mz301(&ctx, &path, &out, &|_| {}).await;
        let after_refusal = raw::row_counts(&t).await;
        register_intermediary(
            &ctx,
            "Servicebureau Tandzorg",
            None,
            Some(&BUREAU_CODE.parse().expect("code")),
            &"NL02ABNA0123456789".parse().expect("iban"),
            &[other],
        )
        .await
        .expect("register the bureau");
        let report = import_mz301(&ctx, &path, &out, &|_| {})
            .await
            .expect("import");

        // Assert
        match unregistered {
            Err(ImportError::UnknownSender(message)) => {
                assert!(message.contains("not registered"), "{message}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(after_refusal, before, "a refused file leaves no trace");
        assert_eq!(report.outcomes, vec![(Outcome::Rejected, 1, Cents::ZERO)]);
        assert_eq!(
            return_codes(&out),
            vec![Reason::ProviderNotDeclaredBySender.mz302_code()]
        );
        let practice = raw::scalar(
            &t,
            &format!(
                "SELECT COUNT(*) FROM practice WHERE agb_code = '{PRACTICE_AGB}'"
            ),
        )
        .await;
        assert_eq!(practice, 1, "the file's practice is registered, just not billed for");
    }
);

db_test!(
    a_file_with_a_line_above_the_maximum_per_line_is_refused_whole_naming_the_record,
    async |t: TestDb| {
        // Arrange: the product maximum is EUR 10,000 a line.
        let (ctx, numbers, _) = platform(&t).await;
        let n0 = numbers[0].as_str();
        let file = file_with(
            &[spec(n0, 3, 2851, "R-1"), spec(n0, 4, 1_000_001, "R-2")],
            1,
        );
        let path = write(&file, "senders-above-max");
        let out = path.with_extension("mz302");
        let before = raw::row_counts(&t).await;

        // Act
        let refused = import_mz301(&ctx, &path, &out, &|_| {}).await;

        // Assert
        match refused {
            Err(ImportError::Decide(DecideError::AmountAboveMaximum(positions))) => {
                assert_eq!(positions.len(), 1);
                assert_eq!(positions[0].line_number, 2);
                assert!(positions[0].record.is_some(), "the record is named");
                let message =
                    ImportError::Decide(DecideError::AmountAboveMaximum(positions)).to_string();
                assert!(message.contains("line 2 (record "), "{message}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(raw::row_counts(&t).await, before, "nothing was stored");
        assert!(!out.exists(), "no return file");
    }
);
