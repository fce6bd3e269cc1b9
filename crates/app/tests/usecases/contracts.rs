//! Termination with settlement both ways, the year-end check-up rule, and a property over
//! random sequences of collections, returns and settlements.

use ixorg_app::contracts::{give_notice, settle, yearend};
use ixorg_domain::Cents;
use ixorg_domain::ledger::Transfer;
use ixorg_testkit::{TestDb, db_test, raw};
use proptest::prelude::*;
use time::Month;
use time::macros::date;

use crate::{register, temp, with_operator, xmllint};

db_test!(
    notice_ends_the_contract_at_the_end_of_the_month_after_the_notice_period,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let registered = register(&ctx).await;
        let number = registered.members[0].1.as_str().to_owned();
        let (_, end) = give_notice(&ctx, &number, date!(2026 - 11 - 26))
            .await
            .expect("notice");
        assert_eq!(end, date!(2026 - 12 - 31));
        assert!(
            give_notice(&ctx, &number, date!(2026 - 11 - 27))
                .await
                .is_err(),
            "once"
        );
    }
);

db_test!(
    a_positive_balance_is_paid_out_and_a_negative_one_collected_at_the_end,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        // Two households: one with money left, one in the red.
        let rich = register(&ctx).await;
        let mut second = crate::household();
        second.members.truncate(1);
        second.members[0].bsn = None;
        second.members[0].details.surname = "Visser".into();
        let poor = ixorg_app::participants::register_household(
            &ctx,
            ixorg_domain::privacy::Actor::System("t".into()),
            second,
        )
        .await
        .expect("second household");
        let bank = ixorg_app::ledger::operator_account(
            &ctx,
            ixorg_domain::ledger::OperatorAccount::BankReceivable,
        )
        .await
        .expect("b");
        let payable = ixorg_app::ledger::operator_account(
            &ctx,
            ixorg_domain::ledger::OperatorAccount::FeeIncome,
        )
        .await
        .expect("f");
        let move_money = |key: &str, debit, credit, cents| Transfer {
            idempotency_key: key.to_owned(),
            debit,
            credit,
            amount: Cents::new(cents),
            kind: ixorg_domain::ledger::TransferKind::Contribution,
            reverses: None,
        };
        ixorg_app::ledger::post_batch(
            &ctx,
            &[
                move_money("in", bank.id, rich.members[0].2, 10_000),
                move_money("out", poor.members[0].2, payable.id, 5_000),
            ],
        )
        .await
        .expect("post");
        for r in [&rich, &poor] {
            give_notice(&ctx, r.members[0].1.as_str(), date!(2026 - 11 - 26))
                .await
                .expect("notice");
        }
        let (payouts, finals) = (temp("payouts"), temp("finals"));
        let report = settle(&ctx, date!(2027 - 01 - 04), &payouts, &finals)
            .await
            .expect("settle");
        assert_eq!((report.paid_out, report.collected), (1, 1));
        assert_eq!(report.paid_out_sum, Cents::new(10_000));
        assert_eq!(report.collected_sum, Cents::new(5_000));
        xmllint("pain.001.001.03.xsd", &payouts);
        xmllint("pain.008.001.02.xsd", &finals);
        for (_, _, budget) in rich.members.iter().chain(&poor.members) {
            let account = ixorg_app::ledger::account(&ctx, *budget)
                .await
                .expect("budget");
            assert_eq!(account.balance, Cents::ZERO);
        }
        assert_eq!(
            raw::scalar(
                &t,
                "SELECT COUNT(*) FROM contract WHERE contract_status = 'ended'"
            )
            .await,
            2
        );
        let again = settle(&ctx, date!(2027 - 01 - 04), &temp("p2"), &temp("f2"))
            .await
            .expect("again");
        assert_eq!(again.paid_out + again.collected + again.even, 0);
        assert!(
            ixorg_app::audit::verify(&ctx)
                .await
                .expect("audit")
                .is_sound()
        );
    }
);

db_test!(
    the_year_end_rule_deducts_the_check_up_price_from_adults_only_once_with_a_reason,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let registered = register(&ctx).await;
        let first = yearend(&ctx, 2026).await.expect("yearend");
        // Johanna and Karel are adults; Fenna (born 2015) is a child.
        assert_eq!(first.deducted, 2);
        assert_eq!(
            first.sum,
            Cents::new(2 * 2_851),
            "C002 costs EUR 28.51 in 2026"
        );
        let budget = ixorg_app::ledger::account(&ctx, registered.members[0].2)
            .await
            .expect("b");
        assert_eq!(budget.balance, Cents::new(-2_851));
        let second = yearend(&ctx, 2026).await.expect("again");
        assert_eq!(second.deducted, 0);
        let reasons = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM yearend_deduction WHERE reason LIKE '%C002%'",
        )
        .await;
        assert_eq!(reasons, 2);
        assert!(
            ixorg_app::audit::verify(&ctx)
                .await
                .expect("audit")
                .is_sound()
        );
    }
);

/// One step of a random life of the books.
#[derive(Debug, Clone)]
enum Step {
    Collect {
        month: u8,
        returns_percent: u8,
        seed: u64,
    },
    Terminate {
        member: usize,
    },
    Settle,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..6, 0u8..=100, any::<u64>()).prop_map(|(month, returns_percent, seed)| {
            Step::Collect {
                month,
                returns_percent,
                seed,
            }
        }),
        (0usize..3).prop_map(|member| Step::Terminate { member }),
        Just(Step::Settle),
    ]
}

async fn run_steps(t: TestDb, steps: Vec<Step>) {
    let ctx = with_operator(&t).await;
    let registered = register(&ctx).await;
    for s in steps {
        match s {
            Step::Collect {
                month,
                returns_percent,
                seed,
            } => {
                let first = time::Date::from_calendar_date(2026, Month::December, 1).expect("date");
                let date = ixorg_domain::termination::add_months_clamped(first, u32::from(month))
                    .expect("date");
                let out = temp("prop-col");
                ixorg_app::collections::collect(&ctx, date, &out, &|_| {})
                    .await
                    .expect("collect");
                let stmt = temp("prop-stmt");
                if ixorg_tools::bank::camt053_for_collection(
                    &ctx,
                    date,
                    returns_percent,
                    seed,
                    &stmt,
                )
                .await
                .is_ok()
                {
                    let bytes = std::fs::read(&stmt).expect("read");
                    ixorg_app::reconciliation::reconcile(&ctx, &bytes)
                        .await
                        .expect("reconcile");
                }
            }
            Step::Terminate { member } => {
                let number = registered.members[member].1.as_str().to_owned();
                let _ = give_notice(&ctx, &number, date!(2026 - 11 - 26)).await;
            }
            Step::Settle => {
                let _ = settle(
                    &ctx,
                    date!(2027 - 03 - 01),
                    &temp("prop-p"),
                    &temp("prop-f"),
                )
                .await;
            }
        }
        let report = ixorg_app::audit::verify(&ctx).await.expect("audit");
        assert!(report.is_sound(), "{report:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn after_any_sequence_of_collections_returns_and_settlements_the_books_balance_on_sqlite(
        steps in prop::collection::vec(step(), 1..6)
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        rt.block_on(async { run_steps(TestDb::sqlite().await, steps).await });
    }

    #[test]
    fn after_any_sequence_of_collections_returns_and_settlements_the_books_balance_on_postgres(
        steps in prop::collection::vec(step(), 1..6)
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            if let Some(t) = TestDb::postgres().await {
                run_steps(t, steps).await;
            }
        });
    }
}

db_test!(
    a_budget_goes_up_from_next_month_and_down_only_once_a_year_from_january,
    async |t: TestDb| {
        let ctx = with_operator(&t).await;
        let registered = register(&ctx).await;
        let johanna = registered.members[0].1.as_str().to_owned(); // EUR 360
        let karel = registered.members[1].1.as_str().to_owned(); // EUR 120
        // Upwards: from 1 December, any time, not the yearly change.
        let up = ixorg_app::contracts::change_annual_budget(&ctx, &johanna, Cents::new(48_000))
            .await
            .expect("up");
        assert_eq!(up.effective_from, date!(2026 - 12 - 01));
        // Downwards: from 1 January, once this year.
        let down = ixorg_app::contracts::change_annual_budget(&ctx, &karel, Cents::new(6_000))
            .await
            .expect("down");
        assert_eq!(down.effective_from, date!(2027 - 01 - 01));
        let again =
            ixorg_app::contracts::change_annual_budget(&ctx, &karel, Cents::new(3_000)).await;
        assert!(again.is_err(), "a second yearly change is refused");
        ixorg_app::collections::collect(&ctx, date!(2026 - 12 - 01), &temp("budget-dec"), &|_| {})
            .await
            .expect("december");
        let j = ixorg_app::ledger::account(&ctx, registered.members[0].2)
            .await
            .expect("j");
        assert_eq!(
            j.balance,
            Cents::new(4_000),
            "EUR 480 / 12 saved in December"
        );
        let k = ixorg_app::ledger::account(&ctx, registered.members[1].2)
            .await
            .expect("k");
        assert_eq!(
            k.balance,
            Cents::new(1_000),
            "still EUR 120 / 12 in December"
        );
        assert_eq!(k.credit_line, Cents::new(12_000));
        ixorg_app::collections::collect(&ctx, date!(2027 - 01 - 04), &temp("budget-jan"), &|_| {})
            .await
            .expect("january");
        let k = ixorg_app::ledger::account(&ctx, registered.members[1].2)
            .await
            .expect("k");
        assert_eq!(k.balance, Cents::new(1_500), "EUR 60 / 12 from January");
        assert_eq!(k.credit_line, Cents::new(6_000));
        assert!(
            ixorg_app::audit::verify(&ctx)
                .await
                .expect("audit")
                .is_sound()
        );
    }
);
