//! Issue 4 end to end: applications, collection runs, bank files, the reminder flow.

use ixorg_app::enrollment::{ApplicationOutcome, apply};
use ixorg_app::reconciliation::{ReconcileError, reconcile};
use ixorg_domain::Cents;
use ixorg_domain::enrollment::{AcceptanceRule, ApplicationForm, MemberForm};
use ixorg_testkit::{TestDb, db_test, raw};
use time::macros::date;

use crate::{register, temp, with_operator, xmllint};

fn member(role: &str, first: &str, born: &str, bsn: &str, budget: &str) -> MemberForm {
    MemberForm {
        role: role.into(),
        first_names: first.into(),
        initials: format!("{}.", &first[..1]),
        surname_prefix: "de".into(),
        surname: "Boer".into(),
        date_of_birth: born.into(),
        gender: "female".into(),
        street: "Dorpsstraat".into(),
        house_number: "7".into(),
        postcode: "9711 AB".into(),
        city: "Groningen".into(),
        email: if role == "main" {
            "anna@example.nl".into()
        } else {
            String::new()
        },
        bsn: bsn.into(),
        annual_budget_eur: budget.into(),
        ..MemberForm::default()
    }
}

fn form() -> ApplicationForm {
    ApplicationForm {
        members: vec![
            member("main", "Anna", "1985-04-02", "288902294", "300"),
            member("child", "Sem", "2016-09-12", "", "120"),
        ],
        start_date: "2026-12-01".into(),
        iban: "NL02ABNA0123456789".into(),
        account_holder: "A. de Boer".into(),
        dentist_agb_code: "12000001".into(),
        provider_view_consent: "yes".into(),
        mandate_signed: "yes".into(),
        ..ApplicationForm::default()
    }
}

db_test!(
    an_accepted_application_gets_numbers_a_mandate_budgets_and_a_welcome_message_in_the_outbox,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let outcome = apply(&ctx, &form()).await.expect("apply");
        let ApplicationOutcome::Accepted(accepted) = outcome else {
            panic!("the application is valid: {outcome:?}");
        };
        assert_eq!(accepted.members.len(), 2);
        assert!(accepted.mandate.starts_with("IXM"));
        let welcome = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM outbox_message WHERE message_kind = 'portal_activation' \
             AND sent_at_ms IS NULL",
        )
        .await;
        assert_eq!(
            welcome, 1,
            "the welcome message waits for the main participant"
        );
        let tokens = raw::scalar(&t, "SELECT COUNT(*) FROM one_time_link").await;
        assert_eq!(
            tokens, 0,
            "the one-time link is made when the message is sent"
        );
        let budget = ixorg_app::ledger::budget_of(&ctx, accepted.members[0].0)
            .await
            .expect("budget");
        assert_eq!(budget.credit_line, Cents::new(24_000));
    }
);

db_test!(
    a_second_application_for_the_same_person_goes_to_staff_and_the_participant_on_file_is_told,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let first = apply(&ctx, &form()).await.expect("first");
        let ApplicationOutcome::Accepted(accepted) = first else {
            panic!("the first application is valid");
        };
        // The same person without BSN: found by surname, date of birth and postcode.
        let mut again = form();
        again.members[0].bsn.clear();
        again.members.truncate(1);
        let outcome = apply(&ctx, &again).await.expect("second");
        let ApplicationOutcome::Referred(referred) = outcome else {
            panic!("a duplicate goes to staff: {outcome:?}");
        };
        assert_eq!(
            referred.rules,
            vec![AcceptanceRule::DuplicateActiveContract]
        );
        let stored = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM application WHERE application_status = 'referred' \
             AND rejection_codes = 'acceptance.duplicate_active_contract'",
        )
        .await;
        assert_eq!(stored, 1);
        let main = accepted.members[0].0.uuid().simple().to_string();
        let told = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM outbox_message \
             WHERE message_kind = 'application_with_your_details'",
        )
        .await;
        assert_eq!(told, 1, "the participant on file ({main}) is told, once");
        assert_eq!(
            raw::scalar(&t, "SELECT COUNT(*) FROM participant").await,
            2,
            "no second contract"
        );
    }
);

db_test!(
    a_rejected_application_names_every_failed_rule_field_by_field_and_stores_no_personal_data,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let mut bad = form();
        bad.iban = "NL00ABNA0123456789".into();
        bad.start_date = "2026-12-15".into();
        bad.members[0].date_of_birth = "2015-01-01".into();
        bad.members[0].bsn = "123456789".into();
        let ApplicationOutcome::Rejected(errors) = apply(&ctx, &bad).await.expect("apply") else {
            panic!("invalid");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in ["iban", "start_date", "members[0].bsn"] {
            assert!(fields.contains(&field), "{field} missing in {fields:?}");
        }
        assert_eq!(raw::scalar(&t, "SELECT COUNT(*) FROM participant").await, 0);
        assert_eq!(raw::scalar(&t, "SELECT COUNT(*) FROM application").await, 1);
    }
);

db_test!(
    a_collection_run_writes_a_valid_pain008_posts_the_ledger_and_is_written_again_unchanged,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let registered = register(&ctx).await;
        let out = temp("collect");
        let report = ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &out, &|_| {})
            .await
            .expect("collect");
        assert!(report.created);
        assert_eq!(report.run.transactions, 1);
        xmllint("pain.008.001.02.xsd", &out);
        let text = std::fs::read_to_string(&out).expect("read");
        assert!(text.contains("<SeqTp>FRST</SeqTp>"));
        // Savings: 360/12 = 30.00, 120/12 = 10.00, 60/12 = 5.00; fees 4.85 + 3.85 + 2.00.
        assert!(
            text.contains("<InstdAmt Ccy=\"EUR\">55.70</InstdAmt>"),
            "{text}"
        );
        let budget = ixorg_app::ledger::account(&ctx, registered.members[0].2)
            .await
            .expect("b");
        assert_eq!(budget.balance, Cents::new(3_000));
        let transfers_before = raw::scalar(&t, "SELECT COUNT(*) FROM ledger_transfer").await;
        let again = temp("collect-again");
        let second = ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &again, &|_| {})
            .await
            .expect("collect again");
        assert!(!second.created);
        assert_eq!(
            std::fs::read(&out).expect("a"),
            std::fs::read(&again).expect("b")
        );
        assert_eq!(
            raw::scalar(&t, "SELECT COUNT(*) FROM ledger_transfer").await,
            transfers_before
        );
        assert!(
            ixorg_app::audit::verify(&ctx)
                .await
                .expect("audit")
                .is_sound()
        );
    }
);

db_test!(
    a_settled_first_collection_makes_the_next_one_recurring,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        register(&ctx).await;
        let out = temp("frst");
        ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &out, &|_| {})
            .await
            .expect("collect");
        let statement = temp("stmt");
        ixorg_tools::bank::camt053_for_collection(&ctx, date!(2026 - 12 - 01), 0, 1, &statement)
            .await
            .expect("bank");
        let report = reconcile(&ctx, &std::fs::read(&statement).expect("read"))
            .await
            .expect("reconcile");
        assert_eq!(report.settled, 1);
        let next = temp("rcur");
        ixorg_app::collections::collect(&ctx, date!(2027 - 01 - 04), &next, &|_| {})
            .await
            .expect("collect january");
        let text = std::fs::read_to_string(&next).expect("read");
        assert!(text.contains("<SeqTp>RCUR</SeqTp>"));
        xmllint("pain.008.001.02.xsd", &next);
    }
);

db_test!(
    a_run_with_first_and_recurring_debits_is_written_again_byte_for_byte_and_leaves_no_spool_files,
    async |t: TestDb| {
        // Arrange: one household settled in December (recurring in January), one new.
        let ctx = with_operator(&t).await;
        register(&ctx).await;
        let december = temp("two-dec");
        ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &december, &|_| {})
            .await
            .expect("collect december");
        let statement = temp("two-stmt");
        ixorg_tools::bank::camt053_for_collection(&ctx, date!(2026 - 12 - 01), 0, 1, &statement)
            .await
            .expect("bank");
        reconcile(&ctx, &std::fs::read(&statement).expect("read"))
            .await
            .expect("reconcile");
        let mut second = crate::household();
        second.start_date = date!(2027 - 01 - 01);
        second.iban = "NL02ABNA0123456789".parse().expect("iban");
        for (i, member) in second.members.iter_mut().enumerate() {
            member.details.surname = "Bakker".to_owned();
            member.bsn = None;
            member.details.date_of_birth = date!(1990 - 01 - 01) + time::Duration::days(i as i64);
        }
        ixorg_app::participants::register_household(
            &ctx,
            ixorg_domain::privacy::Actor::System("test".into()),
            second,
        )
        .await
        .expect("register the second household");
        let january = temp("two-jan");
        // Act
        let first = ixorg_app::collections::collect(&ctx, date!(2027 - 01 - 04), &january, &|_| {})
            .await
            .expect("collect january");
        let again = temp("two-jan-again");
        let rerun = ixorg_app::collections::collect(&ctx, date!(2027 - 01 - 04), &again, &|_| {})
            .await
            .expect("collect january again");
        // Assert
        assert!(first.created && !rerun.created);
        assert_eq!(first.run.transactions, 2);
        let text = std::fs::read_to_string(&january).expect("read");
        let frst = text.find("<SeqTp>FRST</SeqTp>").expect("a first debit");
        let rcur = text.find("<SeqTp>RCUR</SeqTp>").expect("a recurring debit");
        assert!(frst < rcur, "blocks in the order of their codes");
        xmllint("pain.008.001.02.xsd", &january);
        assert_eq!(text, std::fs::read_to_string(&again).expect("read again"));
        for sequence in [
            ixorg_domain::collection::SequenceType::Frst,
            ixorg_domain::collection::SequenceType::Rcur,
        ] {
            let spool = january.with_extension(format!("{}.partial", sequence.as_str()));
            assert!(!spool.exists(), "{} is left behind", spool.display());
        }
        assert!(
            ixorg_app::audit::verify(&ctx)
                .await
                .expect("audit")
                .is_sound()
        );
    }
);

db_test!(
    a_returned_collection_is_reversed_and_starts_the_reminder_flow_and_a_second_import_changes_nothing,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let registered = register(&ctx).await;
        let out = temp("ret");
        ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &out, &|_| {})
            .await
            .expect("collect");
        let statement = temp("ret-stmt");
        let bank = ixorg_tools::bank::camt053_for_collection(
            &ctx,
            date!(2026 - 12 - 01),
            100,
            3,
            &statement,
        )
        .await
        .expect("bank");
        assert_eq!(bank.returned, 1);
        let bytes = std::fs::read(&statement).expect("read");
        let report = reconcile(&ctx, &bytes).await.expect("reconcile");
        assert_eq!((report.settled, report.returned), (1, 1));
        let budget = ixorg_app::ledger::account(&ctx, registered.members[0].2).await.expect("b");
        assert_eq!(budget.balance, Cents::ZERO, "the saving was reversed");
        assert_eq!(raw::scalar(&t, "SELECT COUNT(*) FROM reminder").await, 1);
        let counts = raw::row_counts(&t).await;
        let again = reconcile(&ctx, &bytes).await.expect("again");
        assert!(!again.imported);
        assert_eq!(raw::row_counts(&t).await, counts);
        assert!(ixorg_app::audit::verify(&ctx).await.expect("audit").is_sound());
    }
);

db_test!(
    a_statement_for_another_account_or_a_malformed_file_is_refused_and_changes_nothing,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        register(&ctx).await;
        let out = temp("other");
        ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &out, &|_| {})
            .await
            .expect("collect");
        let statement = temp("other-stmt");
        ixorg_tools::bank::camt053_for_collection(&ctx, date!(2026 - 12 - 01), 0, 1, &statement)
            .await
            .expect("bank");
        let operator_iban = ixorg_tools::demo::operator_profile()
            .iban
            .expose()
            .to_owned();
        let text = std::fs::read_to_string(&statement).expect("read");
        let other = text.replace(&operator_iban, "NL91ABNA0417164300");
        let counts = raw::row_counts(&t).await;
        assert!(matches!(
            reconcile(&ctx, other.as_bytes()).await,
            Err(ReconcileError::OtherAccount)
        ));
        let broken = text.replace("</Amt>", "</Amount>");
        assert!(matches!(
            reconcile(&ctx, broken.as_bytes()).await,
            Err(ReconcileError::Malformed(_))
        ));
        assert!(matches!(
            reconcile(&ctx, b"hello").await,
            Err(ReconcileError::UnknownFile)
        ));
        assert_eq!(raw::row_counts(&t).await, counts);
    }
);

db_test!(
    a_pain002_reject_reverses_the_collection_and_an_unknown_id_is_listed_unmatched,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        register(&ctx).await;
        let out = temp("p2");
        ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &out, &|_| {})
            .await
            .expect("collect");
        let report = pain002_reject(&[("C20261201000000001", "AC04"), ("NOT-OURS-1", "AM04")]);
        let r = reconcile(&ctx, report.as_bytes()).await.expect("reconcile");
        assert_eq!((r.rejected, r.unmatched), (1, 1));
        // AC04 (account closed): collecting stops on the mandate.
        assert_eq!(
            raw::scalar(
                &t,
                "SELECT COUNT(*) FROM mandate WHERE mandate_status = 'stopped'"
            )
            .await,
            1
        );
        assert!(
            ixorg_app::audit::verify(&ctx)
                .await
                .expect("audit")
                .is_sound()
        );
    }
);

db_test!(
    a_collection_refused_for_insufficient_funds_is_collected_again_in_the_next_run,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let registered = register(&ctx).await;
        ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &temp("am04"), &|_| {})
            .await
            .expect("collect");
        let reject = pain002_reject(&[("C20261201000000001", "AM04")]);
        reconcile(&ctx, reject.as_bytes()).await.expect("reconcile");
        let step = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM reminder WHERE reminder_step = 'retry_next_run'",
        )
        .await;
        assert_eq!(step, 1);
        let january = temp("am04-jan");
        ixorg_app::collections::collect(&ctx, date!(2027 - 01 - 04), &january, &|_| {})
            .await
            .expect("collect january");
        let text = std::fs::read_to_string(&january).expect("read");
        // December's 55.70 again plus January's 55.70, and still FRST (the first one failed).
        assert!(
            text.contains("<InstdAmt Ccy=\"EUR\">111.40</InstdAmt>"),
            "{text}"
        );
        assert!(text.contains("<SeqTp>FRST</SeqTp>"));
        xmllint("pain.008.001.02.xsd", &january);
        let budget = ixorg_app::ledger::account(&ctx, registered.members[0].2)
            .await
            .expect("b");
        assert_eq!(budget.balance, Cents::new(6_000), "two months of saving");
        let pending = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM reminder WHERE retried_by_contribution_id IS NULL",
        )
        .await;
        assert_eq!(pending, 0, "retried once, not again");
        assert!(
            ixorg_app::audit::verify(&ctx)
                .await
                .expect("audit")
                .is_sound()
        );
    }
);

db_test!(
    after_an_iban_change_the_next_collection_carries_the_mandate_amendment_once,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let registered = register(&ctx).await;
        let number = registered.members[0].1.as_str().to_owned();
        let new_iban = "NL02ABNA0123456789".parse().expect("iban");
        ixorg_app::contracts::change_iban(&ctx, &number, &new_iban, "J. van der Wiel")
            .await
            .expect("change");
        let first = temp("amend");
        ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &first, &|_| {})
            .await
            .expect("collect");
        let text = std::fs::read_to_string(&first).expect("read");
        assert!(text.contains("<AmdmntInd>true</AmdmntInd>"), "{text}");
        assert!(
            text.contains("NL91ABNA0417164300"),
            "the original IBAN is named"
        );
        assert!(text.contains("NL02ABNA0123456789"));
        xmllint("pain.008.001.02.xsd", &first);
        let second = temp("amend-2");
        ixorg_app::collections::collect(&ctx, date!(2027 - 01 - 04), &second, &|_| {})
            .await
            .expect("collect");
        let text = std::fs::read_to_string(&second).expect("read");
        assert!(text.contains("<AmdmntInd>false</AmdmntInd>"));
    }
);

db_test!(
    a_run_written_again_after_an_iban_change_is_the_same_file,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let registered = register(&ctx).await;
        let first = temp("same-1");
        ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &first, &|_| {})
            .await
            .expect("collect");
        let new_iban = "NL02ABNA0123456789".parse().expect("iban");
        ixorg_app::contracts::change_iban(
            &ctx,
            registered.members[0].1.as_str(),
            &new_iban,
            "J. W.",
        )
        .await
        .expect("change");
        let again = temp("same-2");
        ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &again, &|_| {})
            .await
            .expect("again");
        assert_eq!(
            std::fs::read(&first).expect("a"),
            std::fs::read(&again).expect("b")
        );
    }
);

/// A pain.002.001.03 status report for the December 2026 run rejecting each (end-to-end id,
/// reason code).
fn pain002_reject(rejects: &[(&str, &str)]) -> String {
    let transactions: String = rejects
        .iter()
        .map(|(e2e, reason)| {
            format!(
                "<TxInfAndSts><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>RJCT</TxSts>\
                 <StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn></StsRsnInf></TxInfAndSts>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\"><CstmrPmtStsRpt>\
         <GrpHdr><MsgId>STS-{}</MsgId><CreDtTm>2026-12-01T08:00:00</CreDtTm></GrpHdr>\
         <OrgnlGrpInfAndSts><OrgnlMsgId>IXORG-COL-20261201</OrgnlMsgId>\
         <OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId></OrgnlGrpInfAndSts>\
         <OrgnlPmtInfAndSts><OrgnlPmtInfId>IXORG-COL-20261201-FRST</OrgnlPmtInfId>\
         {transactions}</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>",
        rejects.len()
    )
}

db_test!(
    a_stored_contribution_with_an_unknown_sequence_type_is_refused_not_written_as_rcur,
    async |t: TestDb| {
        // Arrange: a run, then its contribution's sequence type changed behind the schema's back.
        let ctx = with_operator(&t).await;
        register(&ctx).await;
        let date = date!(2026 - 12 - 01);
        let out = temp("collect-unknown-sequence");
        ixorg_app::collections::collect(&ctx, date, &out, &|_| {})
            .await
            .expect("collect");
        match t.db().backend() {
            ixorg_app::Backend::Sqlite => {
                raw::execute(
                    &t,
                    "PRAGMA ignore_check_constraints = ON; \
                     UPDATE contribution SET sequence_type = 'XXXX'",
                )
                .await;
            }
            ixorg_app::Backend::Postgres => {
                raw::execute(
                    &t,
                    "ALTER TABLE contribution DROP CONSTRAINT contribution_sequence_type_check",
                )
                .await;
                raw::execute(&t, "UPDATE contribution SET sequence_type = 'XXXX'").await;
            }
        }
        assert_eq!(
            raw::scalar(
                &t,
                "SELECT COUNT(*) FROM contribution WHERE sequence_type = 'XXXX'"
            )
            .await,
            1
        );
        let again = temp("collect-unknown-sequence-again");

        // Act: the run exists, so its file is written again from the stored contributions.
        let result = ixorg_app::collections::collect(&ctx, date, &again, &|_| {}).await;

        // Assert
        let error = result.expect_err("an unknown sequence type is refused");
        assert!(
            matches!(
                &error,
                ixorg_app::collections::CollectError::Store(ixorg_store::Error::Corrupt(at))
                    if at == "contribution.sequence_type"
            ),
            "{error:?}"
        );
        assert!(!again.exists(), "no file is written");
    }
);

db_test!(
    a_collection_file_that_cannot_be_created_is_a_file_error_that_keeps_its_cause,
    async |t: TestDb| {
        // Arrange: the output's directory does not exist.
        let ctx = with_operator(&t).await;
        register(&ctx).await;
        let out = temp("no-such-directory").join("collect.xml");

        // Act
        let result =
            ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &out, &|_| {}).await;

        // Assert
        let error = result.expect_err("the file cannot be created");
        assert!(
            matches!(error, ixorg_app::collections::CollectError::File(_)),
            "{error:?}"
        );
        let source = std::error::Error::source(&error).expect("the cause is kept");
        let output = source
            .downcast_ref::<ixorg_app::output::OutputError>()
            .expect("the cause is the output error");
        assert_eq!(
            error.to_string(),
            format!("cannot write the collection file: {output}")
        );
    }
);
