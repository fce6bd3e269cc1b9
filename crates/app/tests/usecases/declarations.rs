//! Issue 5 end to end: MZ301 import with its MZ302 return, the API, duplicates across
//! channels, and imports that fail without a trace.

use std::sync::Arc;

use ixorg_app::declarations::api::{self, ApiError};
use ixorg_app::declarations::import::{ImportError, import_mz301};
use ixorg_app::parties::{NewPractice, register_practice};
use ixorg_app::{AppContext, FixedClock};
use ixorg_domain::Cents;
use ixorg_domain::declaration::{CostKind, DeclarationLine, Outcome, Reason, Who};
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_formats::vektis::{self, FieldText, Mz301File};
use ixorg_store::declarations::{ApiClient, Channel};
use ixorg_testkit::{TestDb, db_test, raw};
use time::Date;
use time::macros::{date, datetime};

use crate::{register, temp};

pub(crate) const PRACTICE_AGB: &str = "12002242";
pub(crate) const PROVIDER_AGB: &str = "12041054";

/// The platform in January 2027, with the test household (from 2026-12-01) and the practice
/// of the synthetic files registered with a payee.
pub(crate) async fn platform(t: &TestDb) -> (AppContext, Vec<ParticipantNumber>, ApiClient) {
    let ctx = crate::with_operator(t).await;
    let ctx = AppContext {
        clock: Arc::new(FixedClock(datetime!(2027-01-20 10:00 UTC))),
        ..ctx
    };
    let household = register(&ctx).await;
    let practice = register_practice(
        &ctx,
        &NewPractice {
            agb: PRACTICE_AGB.parse().expect("agb"),
            name: "Tandartspraktijk De Molen".into(),
            city: "Utrecht".into(),
            providers: vec![(PROVIDER_AGB.parse().expect("agb"), "A. Tandarts".into())],
            iban: Some("NL91ABNA0417164300".parse().expect("iban")),
        },
    )
    .await
    .expect("register the practice");
    let (client, _token) = api::create_client(&ctx, Some(practice.practice), None, "test")
        .await
        .expect("api client");
    let numbers = household.members.iter().map(|m| m.1.clone()).collect();
    (ctx, numbers, client)
}

/// One line to put in a file: participant number, code, date, amount, reference.
pub(crate) struct Spec<'a> {
    pub(crate) number: &'a str,
    pub(crate) code: &'a str,
    pub(crate) date: Date,
    pub(crate) amount: i64,
    pub(crate) reference: &'a str,
}

/// An MZ301 file with these lines (one verzekerde each), from the synthetic template.
pub(crate) fn file_with(specs: &[Spec<'_>], seed: u64) -> Mz301File {
    let mut file = vektis::synthetic_file(specs.len(), 1, seed);
    for (patient, spec) in file.patients.iter_mut().zip(specs) {
        patient.bsn = None;
        let line = &mut patient.lines[0];
        line.bsn = None;
        line.insured_number = FieldText::new(spec.number).expect("fits");
        line.code = FieldText::new(spec.code).expect("fits");
        line.treatment_date = spec.date;
        line.record_kind = 1;
        line.quantity = 1;
        line.tariff = Cents::new(spec.amount.abs());
        line.calculated = Cents::new(spec.amount);
        line.declared = Cents::new(spec.amount);
        line.reduction = Cents::ZERO;
        line.element = FieldText::EMPTY;
        line.surface = FieldText::EMPTY;
        line.accident = Some(vektis::Accident::No);
        line.provider = PROVIDER_AGB.parse().expect("agb");
        line.reference = FieldText::new(spec.reference).expect("fits");
        line.previous_reference = FieldText::EMPTY;
    }
    file.renumber().expect("renumber");
    file
}

pub(crate) fn write(file: &Mz301File, name: &str) -> std::path::PathBuf {
    let path = temp(name).with_extension("asc");
    std::fs::write(&path, vektis::write_mz301(file).expect("write mz301")).expect("write");
    path
}

fn api_line(
    number: &ParticipantNumber,
    code: &str,
    amount: i64,
    reference: &str,
) -> DeclarationLine {
    DeclarationLine {
        reference: reference.to_owned(),
        previous_reference: None,
        who: Who::Number(number.clone()),
        provider: PROVIDER_AGB.parse().expect("agb"),
        practice: None,
        treatment_date: date!(2026 - 12 - 10),
        code: code.to_owned(),
        element: None,
        surface: None,
        cost: CostKind::Honorarium,
        quantity: 1,
        unit_tariff: Cents::new(amount),
        amount: Cents::new(amount),
        accident: false,
    }
}

pub(crate) async fn ledger_is_sound(ctx: &AppContext) {
    let report = ixorg_app::audit::verify(ctx).await.expect("verify");
    assert!(report.is_sound(), "the ledger and access log verify");
}

db_test!(
    an_mz301_import_pays_from_the_budgets_and_answers_every_line_in_the_mz302,
    async |t: TestDb| {
        // Arrange
        let (ctx, numbers, _) = platform(&t).await;
        let n0 = numbers[0].as_str();
        let file = file_with(
            &[
                Spec {
                    number: n0,
                    code: "C002",
                    date: date!(2026 - 12 - 03),
                    amount: 2851,
                    reference: "R-1",
                },
                Spec {
                    number: n0,
                    code: "C11",
                    date: date!(2026 - 12 - 04),
                    amount: 2000,
                    reference: "R-2",
                },
                Spec {
                    number: "000000015",
                    code: "C002",
                    date: date!(2026 - 12 - 05),
                    amount: 2851,
                    reference: "R-3",
                },
            ],
            1,
        );
        let path = write(&file, "import-ok");
        let out = path.with_extension("mz302");

        // Act
        let report = import_mz301(&ctx, &path, &out, &|_| {})
            .await
            .expect("import");

        // Assert
        assert_eq!(report.assigned, Cents::new(2851));
        let accepted = report
            .outcomes
            .iter()
            .find(|(o, ..)| *o == Outcome::Accepted);
        assert_eq!(accepted.map(|(_, n, _)| *n), Some(1));
        let mz302 = std::fs::read(&out).expect("the return file");
        let records: Vec<&[u8]> = mz302
            .split(|b| *b == b'\n')
            .filter(|r| !r.is_empty())
            .collect();
        assert!(
            records.iter().all(|r| r.len() == 371),
            "370 characters and CR"
        );
        let lines: Vec<&&[u8]> = records.iter().filter(|r| r.starts_with(b"04")).collect();
        assert_eq!(&lines[0][310..319], b"00002851D", "calculated");
        assert_eq!(&lines[0][319..328], b"00002851D", "assigned");
        assert_eq!(&lines[0][328..332], Reason::Paid.mz302_code().as_bytes());
        assert_eq!(
            &lines[1][328..332],
            Reason::UnknownCode.mz302_code().as_bytes()
        );
        assert_eq!(
            &lines[2][328..332],
            Reason::UnknownParticipant.mz302_code().as_bytes()
        );
        let trailer = records.last().expect("a 99 record");
        assert_eq!(&trailer[45..57], b"00000002851D", "total assigned");
        let paid = raw::scalar(
            &t,
            &format!(
                "SELECT COUNT(*) FROM ledger_transfer WHERE transfer_kind = '{}'",
                ixorg_domain::ledger::TransferKind::Declaration.as_str()
            ),
        )
        .await;
        assert_eq!(paid, 1);
        ledger_is_sound(&ctx).await;
    }
);

db_test!(
    the_same_file_twice_is_refused_and_names_the_earlier_batch_and_return_file,
    async |t: TestDb| {
        let (ctx, numbers, _) = platform(&t).await;
        let file = file_with(
            &[Spec {
                number: numbers[0].as_str(),
                code: "C002",
                date: date!(2026 - 12 - 03),
                amount: 2851,
                reference: "R-1",
            }],
            2,
        );
        let path = write(&file, "import-twice");
        let out = path.with_extension("mz302");
        let first = import_mz301(&ctx, &path, &out, &|_| {})
            .await
            .expect("import");
        let counts = raw::row_counts(&t).await;

        let second = import_mz301(&ctx, &path, &path.with_extension("again"), &|_| {}).await;

        match second {
            Err(ImportError::AlreadyImported {
                batch, return_file, ..
            }) => {
                assert_eq!(batch, first.batch);
                assert_eq!(return_file, Some(out.display().to_string()));
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(raw::row_counts(&t).await, counts);
    }
);

db_test!(
    the_vektis_sample_parses_and_every_line_is_rejected_with_the_unknown_code_reason,
    async |t: TestDb| {
        let (ctx, ..) = platform(&t).await;
        // The sample pays its service bureau.
        ixorg_app::parties::register_intermediary(
            &ctx,
            "Servicebureau Tandzorg",
            None,
            Some(&"98098059".parse().expect("code")),
            &"NL02ABNA0123456789".parse().expect("iban"),
            &[],
        )
        .await
        .expect("register the bureau");
        let sample = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/domain/samples/MZ301-vektis-sample.asc"
        );
        let out = temp("sample").with_extension("mz302");

        let report = import_mz301(&ctx, std::path::Path::new(sample), &out, &|_| {})
            .await
            .expect("the sample imports");

        assert_eq!(report.outcomes, vec![(Outcome::Rejected, 4, Cents::ZERO)]);
        assert_eq!(report.declared, Cents::new(40_000));
        let reasons = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM declaration_line WHERE reasons LIKE '%code.unknown%'",
        )
        .await;
        assert_eq!(reasons, 4);
    }
);

db_test!(
    a_malformed_file_lists_its_problems_and_leaves_no_trace,
    async |t: TestDb| {
        let (ctx, numbers, _) = platform(&t).await;
        let file = file_with(
            &[
                Spec {
                    number: numbers[0].as_str(),
                    code: "C002",
                    date: date!(2026 - 12 - 03),
                    amount: 2851,
                    reference: "R-1",
                },
                Spec {
                    number: numbers[1].as_str(),
                    code: "C002",
                    date: date!(2026 - 12 - 03),
                    amount: 2851,
                    reference: "R-2",
                },
            ],
            3,
        );
        let mut bytes = vektis::write_mz301(&file).expect("write");
        // Break the date of the last prestatie record (record 5 of 6 has its date at 59-66).
        let last_line = bytes.len() - 2 * 312;
        bytes[last_line + 58..last_line + 66].copy_from_slice(b"20261332");
        let path = temp("malformed").with_extension("asc");
        std::fs::write(&path, &bytes).expect("write");
        let counts = raw::row_counts(&t).await;

        let result = import_mz301(&ctx, &path, &path.with_extension("mz302"), &|_| {}).await;

        let Err(ImportError::Malformed(errors)) = result else {
            panic!("a malformed file is refused");
        };
        assert!(errors.errors.iter().any(|e| e.record == 5), "{errors}");
        assert_eq!(raw::row_counts(&t).await, counts);
    }
);

db_test!(
    an_import_that_fails_after_all_lines_are_decided_leaves_the_database_as_before,
    async |t: TestDb| {
        let (ctx, numbers, _) = platform(&t).await;
        let specs: Vec<Spec<'_>> = ["R-1", "R-2", "R-3"]
            .iter()
            .zip([
                date!(2026 - 12 - 03),
                date!(2026 - 12 - 10),
                date!(2026 - 12 - 20),
            ])
            .map(|(reference, date)| Spec {
                number: numbers[0].as_str(),
                code: "C002",
                date,
                amount: 2851,
                reference,
            })
            .collect();
        let path = write(&file_with(&specs, 4), "late-failure");
        let counts = raw::row_counts(&t).await;
        let unwritable = temp("no-such-dir").with_extension("d").join("return.mz302");

        let result = import_mz301(&ctx, &path, &unwritable, &|_| {}).await;

        assert!(matches!(result, Err(ImportError::Return(_))), "{result:?}");
        assert_eq!(
            raw::row_counts(&t).await,
            counts,
            "no row was added or changed"
        );
        ledger_is_sound(&ctx).await;
    }
);

db_test!(
    the_api_answers_each_line_and_replays_an_idempotency_key,
    async |t: TestDb| {
        let (ctx, numbers, client) = platform(&t).await;
        let lines = vec![
            api_line(&numbers[0], "C002", 2851, "A-1"),
            api_line(&numbers[0], "C002", 9999, "A-2"),
        ];

        let first = api::submit(&ctx, &client, Channel::Api, "key-1", "inv-1", lines.clone())
            .await
            .expect("submit");
        let again = api::submit(&ctx, &client, Channel::Api, "key-1", "inv-1", lines)
            .await
            .expect("replay");

        assert!(!first.replayed && again.replayed);
        assert_eq!(first.batch.id, again.batch.id);
        assert_eq!(first.lines[0].outcome, Outcome::Accepted);
        assert_eq!(first.lines[1].reasons, vec![Reason::AboveMaximumTariff]);
        let batches = raw::scalar(&t, "SELECT COUNT(*) FROM declaration_batch").await;
        assert_eq!(batches, 1);
    }
);

db_test!(
    a_client_sees_only_its_own_batches_and_its_reads_are_logged,
    async |t: TestDb| {
        let (ctx, numbers, client) = platform(&t).await;
        let sent = api::submit(
            &ctx,
            &client,
            Channel::Api,
            "k",
            "inv",
            vec![api_line(&numbers[0], "C002", 2851, "A-1")],
        )
        .await
        .expect("submit");
        let other = ApiClient {
            id: uuid::Uuid::from_u128(99),
            ..client.clone()
        };

        let own = api::batch_status(&ctx, &client, sent.batch.id)
            .await
            .expect("own batch");
        let foreign = api::batch_status(&ctx, &other, sent.batch.id).await;

        assert_eq!(own.lines.len(), 1);
        assert!(matches!(foreign, Err(ApiError::NotFound)));
        let logged = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM access_log WHERE actor_kind = 'practice'",
        )
        .await;
        assert!(
            logged >= 3,
            "submit, read and the refused read are logged: {logged}"
        );
    }
);

db_test!(
    the_same_line_through_the_api_and_a_file_at_the_same_moment_is_paid_once,
    async |t: TestDb| {
        let (ctx, numbers, client) = platform(&t).await;
        let file = file_with(
            &[Spec {
                number: numbers[0].as_str(),
                code: "C002",
                date: date!(2026 - 12 - 10),
                amount: 2851,
                reference: "SAME-1",
            }],
            5,
        );
        let path = write(&file, "race");
        let out = path.with_extension("mz302");
        let line = api_line(&numbers[0], "C002", 2851, "SAME-1");

        let (by_file, by_api) = tokio::join!(
            import_mz301(&ctx, &path, &out, &|_| {}),
            api::submit(&ctx, &client, Channel::Api, "race", "inv", vec![line]),
        );

        by_file.expect("the file is imported");
        by_api.expect("the call is answered");
        let paid = raw::scalar(&t, "SELECT COUNT(*) FROM declaration_line WHERE reference = 'SAME-1' AND outcome <> 'rejected'").await;
        assert_eq!(paid, 1, "one of the two is a duplicate");
        let transfers = raw::scalar(
            &t,
            &format!(
                "SELECT COUNT(*) FROM ledger_transfer WHERE transfer_kind = '{}'",
                ixorg_domain::ledger::TransferKind::Declaration.as_str()
            ),
        )
        .await;
        assert_eq!(transfers, 1);
        ledger_is_sound(&ctx).await;
    }
);

db_test!(
    a_payout_run_pays_what_is_owed_per_payee_once_and_the_statement_confirms_it,
    async |t: TestDb| {
        // Arrange: two paid lines for the practice.
        let (ctx, numbers, _) = platform(&t).await;
        let file = file_with(
            &[
                Spec {
                    number: numbers[0].as_str(),
                    code: "C002",
                    date: date!(2026 - 12 - 03),
                    amount: 2851,
                    reference: "P-1",
                },
                Spec {
                    number: numbers[1].as_str(),
                    code: "C002",
                    date: date!(2026 - 12 - 04),
                    amount: 2000,
                    reference: "P-2",
                },
            ],
            6,
        );
        let path = write(&file, "payout-source");
        import_mz301(&ctx, &path, &path.with_extension("mz302"), &|_| {})
            .await
            .expect("import");
        let out = temp("payout");
        let date = date!(2027 - 01 - 29);

        // Act
        let first = ixorg_app::payouts::payout(&ctx, date, &out)
            .await
            .expect("payout");
        let bytes = std::fs::read(&out).expect("the pain.001");
        let again = ixorg_app::payouts::payout(&ctx, date, &out)
            .await
            .expect("payout again");

        // Assert
        crate::xmllint("pain.001.001.03.xsd", &out);
        let run = first.run.expect("a run");
        assert!(first.created && !again.created);
        assert_eq!(run.control_sum, Cents::new(4851));
        assert_eq!(std::fs::read(&out).expect("again"), bytes, "the same file");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(
            text.contains("NL91ABNA0417164300") && text.contains("declaraties"),
            "payee and batch references"
        );
        let owed = raw::scalar(&t, "SELECT CAST(COALESCE(SUM(balance_cents), 0) AS BIGINT) FROM ledger_account WHERE account_kind = 'payable'").await;
        assert_eq!(owed, 0, "nothing is owed after the run");
        let linked = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM declaration_line WHERE payout_id IS NOT NULL",
        )
        .await;
        assert_eq!(linked, 2);

        let statement = temp("payout-statement");
        ixorg_tools::bank::camt053_for_payouts(&ctx, date, &statement)
            .await
            .expect("bank");
        let bank = std::fs::read(&statement).expect("statement");
        let reconciled = ixorg_app::reconciliation::reconcile(&ctx, &bank)
            .await
            .expect("reconcile");
        let twice = ixorg_app::reconciliation::reconcile(&ctx, &bank)
            .await
            .expect("reconcile again");
        assert_eq!(reconciled.payouts_settled, 1);
        assert!(!twice.imported);
        let settled = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM payout WHERE payout_status = 'settled'",
        )
        .await;
        assert_eq!(settled, 1);
        ledger_is_sound(&ctx).await;
    }
);

db_test!(
    a_line_its_credit_and_its_correction_in_one_batch_are_stored_and_posted_as_one_net_transfer,
    async |t: TestDb| {
        let (ctx, numbers, client) = platform(&t).await;
        let mut credit = api_line(&numbers[0], "C002", -2851, "C-1");
        credit.previous_reference = Some("L-1".to_owned());
        let lines = vec![
            api_line(&numbers[0], "C002", 2851, "L-1"),
            credit,
            api_line(&numbers[0], "C002", 2500, "L-2"),
        ];

        let answers = api::submit(&ctx, &client, Channel::Api, "credit", "inv", lines)
            .await
            .expect("submit");

        let outcomes: Vec<Outcome> = answers.lines.iter().map(|l| l.outcome).collect();
        assert_eq!(outcomes, vec![Outcome::Accepted; 3]);
        assert_eq!(answers.batch.assigned, Cents::new(2500));
        let posted = raw::scalar(&t, &format!(
                "SELECT CAST(SUM(amount_cents) AS BIGINT) FROM ledger_transfer WHERE transfer_kind = '{}'",
                ixorg_domain::ledger::TransferKind::Declaration.as_str()
            )).await;
        assert_eq!(posted, 2500, "one net transfer");
        ledger_is_sound(&ctx).await;
    }
);

db_test!(
    a_file_decided_in_chunks_of_one_line_sees_earlier_chunks_credits_and_duplicates,
    async |t: TestDb| {
        let (ctx, numbers, _) = platform(&t).await;
        let (n0, n1) = (numbers[0].as_str(), numbers[1].as_str());
        let day = date!(2026 - 12 - 03);
        let spec = |number, amount, reference| Spec {
            number,
            code: "C002",
            date: day,
            amount,
            reference,
        };
        let mut file = file_with(
            &[
                spec(n0, 2851, "K-1"),
                spec(n1, 2851, "K-2"),
                spec(n0, -2851, "K-3"),
                spec(n0, 2851, "K-4"),
                spec(n1, 2851, "K-5"),
                spec(n1, 1000, "K-2"),
            ],
            8,
        );
        file.patients[2].lines[0].previous_reference = FieldText::new("K-1").expect("fits");
        file.renumber().expect("renumber");
        let path = write(&file, "chunks");
        let out = path.with_extension("mz302");

        let report =
            ixorg_app::declarations::import::import_mz301_in_chunks(&ctx, &path, &out, 1, &|_| {})
                .await
                .expect("import");

        let outcome = |reference: &'static str, line: i64| {
            let t = &t;
            async move {
                raw::scalar(t, &format!(
                    "SELECT COUNT(*) FROM declaration_line WHERE reference = '{reference}' AND line_number = {line} AND outcome = 'accepted'"
                )).await
            }
        };
        assert_eq!(outcome("K-1", 1).await, 1);
        assert_eq!(
            outcome("K-3", 3).await,
            1,
            "the credit finds its line in an earlier chunk"
        );
        assert_eq!(
            outcome("K-4", 4).await,
            1,
            "the corrected line after the credit"
        );
        let reasons = raw::scalar(&t, "SELECT COUNT(*) FROM declaration_line WHERE line_number IN (5, 6) AND outcome = 'rejected' AND reasons LIKE 'duplicate.%'").await;
        assert_eq!(reasons, 2, "duplicates of earlier chunks are rejected");
        assert_eq!(report.assigned, Cents::new(2 * 2851));
        let mz302 = std::fs::read(&out).expect("mz302");
        assert_eq!(
            mz302.len(),
            372 * (2
                + 6
                + 6
                + file.totals.debtor_count as usize
                + file.totals.comment_count as usize)
        );
        ledger_is_sound(&ctx).await;
    }
);

db_test!(
    a_missing_mz301_file_is_a_read_error_that_keeps_the_io_error_as_its_source,
    async |t: TestDb| {
        // Arrange
        let ctx = crate::with_operator(&t).await;
        let missing = temp("missing-mz301");
        let out = missing.with_extension("mz302");

        // Act
        let result = import_mz301(&ctx, &missing, &out, &|_| {}).await;

        // Assert
        let error = result.expect_err("a missing file is refused");
        assert!(matches!(error, ImportError::Read(_)), "{error:?}");
        let source = std::error::Error::source(&error).expect("the cause is kept");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("the cause is the I/O error");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(
            error.to_string(),
            format!("cannot read the MZ301 file: {io}")
        );
    }
);
