//! Issue 11, defect 3: a bank file about someone else's account or file changes nothing. A
//! status report must answer a file we sent, for our creditor id and account; a statement must
//! be for our account. Otherwise the whole file is refused and nothing is stored.

use ixorg_app::reconciliation::{ReconcileError, reconcile};
use ixorg_testkit::{TestDb, db_test, raw};
use time::macros::date;

use crate::{register, temp, with_operator};

/// The first (and only) direct debit of the December 2026 run of the test household.
const OUR_DEBIT: &str = "C20261201000000001";

/// The message id of the December 2026 collection run.
const OUR_RUN: &str = "IXORG-COL-20261201";

/// The party a transaction of a status report repeats in `OrgnlTxRef`.
enum Party<'a> {
    /// Nothing repeated.
    None,
    /// A direct debit's creditor: identifier and account.
    Creditor(&'a str, &'a str),
    /// A credit transfer's debtor account.
    Debtor(&'a str),
}

/// A pain.002.001.03 answering `original`, rejecting each end-to-end id with AC04.
fn status_report(original: &str, rejects: &[&str], party: &Party<'_>) -> String {
    let reference = match party {
        Party::None => String::new(),
        Party::Creditor(id, iban) => format!(
            "<OrgnlTxRef><CdtrSchmeId><Id><PrvtId><Othr><Id>{id}</Id><SchmeNm><Prtry>SEPA\
             </Prtry></SchmeNm></Othr></PrvtId></Id></CdtrSchmeId><Cdtr><Nm>X</Nm></Cdtr>\
             <CdtrAcct><Id><IBAN>{iban}</IBAN></Id></CdtrAcct></OrgnlTxRef>"
        ),
        Party::Debtor(iban) => {
            format!("<OrgnlTxRef><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></OrgnlTxRef>")
        }
    };
    let transactions: String = rejects
        .iter()
        .map(|e2e| {
            format!(
                "<TxInfAndSts><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>RJCT</TxSts>\
                 <StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>{reference}</TxInfAndSts>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\"><CstmrPmtStsRpt>\
         <GrpHdr><MsgId>STS-{original}</MsgId><CreDtTm>2026-12-01T08:00:00</CreDtTm></GrpHdr>\
         <OrgnlGrpInfAndSts><OrgnlMsgId>{original}</OrgnlMsgId>\
         <OrgnlMsgNmId>pain.008.001.02</OrgnlMsgNmId></OrgnlGrpInfAndSts>\
         <OrgnlPmtInfAndSts><OrgnlPmtInfId>{original}-1</OrgnlPmtInfId>\
         {transactions}</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"
    )
}

/// The demo operator's creditor id and IBAN.
fn ours() -> (String, String) {
    let operator = ixorg_tools::demo::operator_profile();
    (
        operator.creditor_id.as_str().to_owned(),
        operator.iban.expose().to_owned(),
    )
}

/// The platform with the test household collected on 2026-12-01.
async fn collected(t: &TestDb) -> ixorg_app::AppContext {
    let ctx = with_operator(t).await;
    register(&ctx).await;
    ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &temp("bank-files"), &|_| {})
        .await
        .expect("collect");
    ctx
}

db_test!(
    a_status_report_for_another_creditor_naming_our_debit_is_refused_and_changes_nothing,
    async |t: TestDb| {
        // Arrange
        let ctx = collected(&t).await;
        let (creditor_id, iban) = ours();
        let counts = raw::row_counts(&t).await;
        let other_creditor = Party::Creditor("DE98ZZZ09999999999", &iban);
        let other_account = Party::Creditor(&creditor_id, "NL02ABNA0123456789");

        // Act
        let by_creditor = reconcile(
            &ctx,
            status_report(OUR_RUN, &[OUR_DEBIT], &other_creditor).as_bytes(),
        )
        .await;
        let by_account = reconcile(
            &ctx,
            status_report(OUR_RUN, &[OUR_DEBIT], &other_account).as_bytes(),
        )
        .await;

        // Assert
        let Err(e) = by_creditor else {
            panic!("refused: {by_creditor:?}")
        };
        assert!(
            matches!(e, ReconcileError::OtherCreditor { transaction: 1, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("CdtrSchmeId"), "{e}");
        assert!(matches!(
            by_account,
            Err(ReconcileError::OtherCreditor { .. })
        ));
        assert_eq!(
            raw::row_counts(&t).await,
            counts,
            "no reversal, reminder or entry"
        );
        let sent = "SELECT COUNT(*) FROM contribution WHERE contribution_status = 'sent'";
        assert_eq!(raw::scalar(&t, sent).await, 1);
    }
);

db_test!(
    a_status_report_answering_a_message_we_never_sent_is_refused_and_changes_nothing,
    async |t: TestDb| {
        // Arrange
        let ctx = collected(&t).await;
        let counts = raw::row_counts(&t).await;
        let report = status_report("OTHER-COL-20261201", &[OUR_DEBIT], &Party::None);

        // Act
        let result = reconcile(&ctx, report.as_bytes()).await;

        // Assert
        let Err(e) = result else {
            panic!("refused: {result:?}")
        };
        assert!(matches!(e, ReconcileError::UnknownOriginal { .. }), "{e}");
        assert!(e.to_string().contains("OTHER-COL-20261201"), "{e}");
        assert_eq!(raw::row_counts(&t).await, counts);
    }
);

db_test!(
    a_genuine_status_report_for_our_file_creditor_and_account_rejects_our_debit,
    async |t: TestDb| {
        // Arrange
        let ctx = collected(&t).await;
        let (creditor_id, iban) = ours();
        let report = status_report(
            OUR_RUN,
            &[OUR_DEBIT, "NOT-OURS-1"],
            &Party::Creditor(&creditor_id, &iban),
        );

        // Act
        let r = reconcile(&ctx, report.as_bytes()).await.expect("reconcile");

        // Assert
        assert_eq!((r.rejected, r.unmatched), (1, 1));
        assert_eq!(raw::scalar(&t, "SELECT COUNT(*) FROM reminder").await, 1);
        assert_eq!(raw::scalar(&t, "SELECT COUNT(*) FROM bank_entry").await, 2);
        assert!(
            ixorg_app::audit::verify(&ctx)
                .await
                .expect("audit")
                .is_sound()
        );
    }
);

db_test!(
    a_debit_of_another_run_named_in_a_status_report_is_listed_not_reversed,
    async |t: TestDb| {
        // Arrange: a January run exists too; the December report names January's debit.
        let ctx = collected(&t).await;
        ixorg_app::collections::collect(&ctx, date!(2027 - 01 - 04), &temp("bank-jan"), &|_| {})
            .await
            .expect("collect january");
        let report = status_report(OUR_RUN, &["C20270104000000001"], &Party::None);

        // Act
        let r = reconcile(&ctx, report.as_bytes()).await.expect("reconcile");

        // Assert
        let january = "SELECT COUNT(*) FROM contribution \
                       WHERE end_to_end_id = 'C20270104000000001' AND contribution_status = 'sent'";
        assert_eq!(
            raw::scalar(&t, january).await,
            1,
            "January's debit is ours and untouched"
        );
        assert_eq!((r.rejected, r.unmatched), (0, 1));
        assert_eq!(raw::scalar(&t, "SELECT COUNT(*) FROM reminder").await, 0);
    }
);

db_test!(
    a_status_report_on_our_payout_file_makes_a_rejected_transfer_owed_again_and_one_for_another_account_is_refused,
    async |t: TestDb| {
        // Arrange
        let ctx = with_operator(&t).await;
        crate::outputs::payee_owed(&ctx).await;
        ixorg_app::payouts::payout(&ctx, date!(2027 - 01 - 29), &temp("bank-payout"))
            .await
            .expect("payout");
        let (_, iban) = ours();
        let run = "IXORG-PAY-20270129";
        let transfer = "IXORG-PAY-20270129-000001";
        let counts = raw::row_counts(&t).await;

        // Act
        let other = status_report(run, &[transfer], &Party::Debtor("NL02ABNA0123456789"));
        let refused = reconcile(&ctx, other.as_bytes()).await;
        let unchanged = raw::row_counts(&t).await;
        let genuine = status_report(run, &[transfer], &Party::Debtor(&iban));
        let r = reconcile(&ctx, genuine.as_bytes()).await.expect("reconcile");

        // Assert
        assert!(matches!(
            refused,
            Err(ReconcileError::OtherCreditor { what: "debtor account", .. })
        ));
        assert_eq!(unchanged, counts);
        assert_eq!(r.payouts_returned, 1);
        let owed = "SELECT CAST(COALESCE(SUM(balance_cents), 0) AS BIGINT) FROM ledger_account \
                    WHERE account_kind = 'payable'";
        assert_eq!(raw::scalar(&t, owed).await, 4_851, "owed again");
        assert!(ixorg_app::audit::verify(&ctx).await.expect("audit").is_sound());
    }
);

db_test!(
    a_statement_file_with_a_second_statement_for_another_account_is_refused_whole,
    async |t: TestDb| {
        // Arrange
        let ctx = collected(&t).await;
        let statement = temp("bank-two-statements");
        ixorg_tools::bank::camt053_for_collection(&ctx, date!(2026 - 12 - 01), 0, 1, &statement)
            .await
            .expect("bank");
        let text = std::fs::read_to_string(&statement).expect("read");
        let (start, end) = (
            text.find("<Stmt>").expect("a statement"),
            text.rfind("</Stmt>").expect("its end") + "</Stmt>".len(),
        );
        let (_, iban) = ours();
        let second = text[start..end]
            .replace(&iban, "NL02ABNA0123456789")
            .replace("<Id>STMT-", "<Id>OTHER-STMT-");
        let both = format!("{}{second}{}", &text[..end], &text[end..]);
        let counts = raw::row_counts(&t).await;

        // Act
        let result = reconcile(&ctx, both.as_bytes()).await;

        // Assert
        assert!(
            matches!(result, Err(ReconcileError::OtherAccount)),
            "{result:?}"
        );
        assert_eq!(raw::row_counts(&t).await, counts);
    }
);

db_test!(
    a_status_report_on_our_settlement_file_is_listed_and_one_for_a_day_without_settlement_is_refused,
    async |t: TestDb| {
        // Arrange
        let ctx = with_operator(&t).await;
        crate::outputs::ended_households(&ctx).await;
        ixorg_app::contracts::settle(
            &ctx,
            date!(2027 - 01 - 04),
            &temp("bank-settle-p"),
            &temp("bank-settle-f"),
        )
        .await
        .expect("settle");
        let (creditor_id, iban) = ours();
        let ours = Party::Creditor(&creditor_id, &iban);
        let counts = raw::row_counts(&t).await;

        // Act
        let other_day = status_report("IXORG-FIN-20270105", &["S20270105000000002"], &ours);
        let refused = reconcile(&ctx, other_day.as_bytes()).await;
        let unchanged = raw::row_counts(&t).await;
        let genuine = status_report("IXORG-FIN-20270104", &["S20270104000000002"], &ours);
        let r = reconcile(&ctx, genuine.as_bytes()).await.expect("reconcile");

        // Assert
        assert!(matches!(
            refused,
            Err(ReconcileError::UnknownOriginal { .. })
        ));
        assert_eq!(unchanged, counts);
        assert_eq!((r.rejected, r.unmatched), (0, 1), "listed for staff");
    }
);
