//! Retention and erasure end to end (issue 6, items 3 and 7; promise P8): a database with data
//! of several ages — a contract that ended and one that runs, declarations of two book years,
//! site visits of several ages — run through the retention rules on days years apart.

use std::collections::BTreeSet;
use std::sync::Arc;

use ixorg_app::contracts::give_notice;
use ixorg_app::declarations::api;
use ixorg_app::participants::{RegisteredHousehold, register_household};
use ixorg_app::parties::{NewPractice, register_practice};
use ixorg_app::retention::{self, RetentionReport, erasure_grant_categories};
use ixorg_app::technical::{Visit, record_visits};
use ixorg_app::{AppContext, FixedClock};
use ixorg_domain::Cents;
use ixorg_domain::declaration::{CostKind, DeclarationLine, Who};
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::ParticipantId;
use ixorg_domain::privacy::registry::{ColumnClass, TABLES};
use ixorg_domain::privacy::retention::erasure_plan;
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Role};
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::declarations::Channel;
use ixorg_store::gate::AccessRequest;
use ixorg_testkit::{TestDb, db_test, raw};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use crate::household;

const PRACTICE_AGB: &str = "12002242";
const PROVIDER_AGB: &str = "12041054";

/// The platform with its clock at 10:00 UTC on `day`.
fn at(ctx: &AppContext, day: Date) -> AppContext {
    AppContext {
        clock: Arc::new(FixedClock(
            day.with_hms(10, 0, 0).expect("time").assume_utc(),
        )),
        ..ctx.clone()
    }
}

/// Data of several ages. `ended` (three members, two with a BSN) gave notice in November 2026
/// and ended on 2026-12-31; `running` (one member) runs on. Declarations: `ended`'s main
/// participant treated in 2026, `running`'s in 2026 and 2027. Site visits from June 2026 to
/// January 2027, some by a logged-in participant.
struct Aged {
    ctx: AppContext,
    ended: RegisteredHousehold,
    running: RegisteredHousehold,
}

async fn aged(t: &TestDb) -> Aged {
    let ctx = crate::with_operator(t).await;
    let ended = crate::register(&ctx).await;
    let mut second = household();
    second.members.truncate(1);
    second.members[0].bsn = None;
    second.members[0].details.surname = "Visser".into();
    let running = register_household(&ctx, Actor::System("test".into()), second)
        .await
        .expect("second household");
    give_notice(&ctx, ended.members[0].1.as_str(), date!(2026 - 11 - 26))
        .await
        .expect("notice");
    let later = at(&ctx, date!(2027 - 01 - 20));
    let client = api_client(&later).await;
    let line = |number: &ParticipantNumber, day: Date, reference: &str| DeclarationLine {
        reference: reference.to_owned(),
        previous_reference: None,
        who: Who::Number(number.clone()),
        provider: PROVIDER_AGB.parse().expect("agb"),
        practice: None,
        treatment_date: day,
        code: "C002".to_owned(),
        element: None,
        surface: None,
        cost: CostKind::Honorarium,
        quantity: 1,
        unit_tariff: Cents::new(2851),
        amount: Cents::new(2851),
        accident: false,
    };
    let lines = vec![
        line(&ended.members[0].1, date!(2026 - 12 - 10), "E-2026"),
        line(&running.members[0].1, date!(2026 - 12 - 11), "R-2026"),
        line(&running.members[0].1, date!(2027 - 01 - 15), "R-2027"),
    ];
    api::submit(&later, &client, Channel::Api, "k-1", "inv-1", lines)
        .await
        .expect("declarations");
    let visits: Vec<Visit> = [
        (datetime!(2026-06-01 09:00 UTC), "/", None),
        (datetime!(2026-06-01 17:00 UTC), "/", None),
        (
            datetime!(2026-10-01 12:00 UTC),
            "/mijn/",
            Some(ended.members[0].0),
        ),
        (
            datetime!(2026-11-20 12:00 UTC),
            "/mijn/",
            Some(running.members[0].0),
        ),
        (datetime!(2027-01-10 12:00 UTC), "/", None),
    ]
    .into_iter()
    .map(|(when, path, participant)| visit(when, path, participant))
    .collect();
    record_visits(&ctx, &visits).await.expect("visits");
    Aged {
        ctx,
        ended,
        running,
    }
}

fn visit(when: OffsetDateTime, path: &str, participant: Option<ParticipantId>) -> Visit {
    Visit {
        visited_at: Timestamp::from_offset_date_time(when).expect("ms"),
        path: path.to_owned(),
        ip_address: Some("192.0.2.7".to_owned()),
        user_agent: Some("Mozilla/5.0 (test)".to_owned()),
        participant,
    }
}

async fn api_client(ctx: &AppContext) -> ixorg_store::declarations::ApiClient {
    let practice = register_practice(
        ctx,
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
    api::create_client(ctx, Some(practice.practice), None, "test")
        .await
        .expect("api client")
        .0
}

/// Runs retention for `day` with the clock on that day.
async fn run(ctx: &AppContext, day: Date, dry_run: bool) -> RetentionReport {
    retention::run(&at(ctx, day), day, dry_run)
        .await
        .expect("retention run")
}

fn rows(report: &RetentionReport, category: DataCategory, table: &str) -> u64 {
    report
        .counts
        .iter()
        .filter(|c| c.category == category && c.table == table)
        .map(|c| c.rows)
        .sum()
}

async fn count(t: &TestDb, sql: &str) -> i64 {
    raw::scalar(t, sql).await
}

/// The row counts of every table but the run log.
async fn counts_but_run_log(t: &TestDb) -> Vec<(String, i64)> {
    raw::row_counts(t)
        .await
        .into_iter()
        .filter(|(table, _)| table != "retention_run")
        .collect()
}

/// A uuid as an SQL literal of the backend.
fn uuid_literal(t: &TestDb, id: uuid::Uuid) -> String {
    match t.db().backend() {
        ixorg_app::Backend::Sqlite => format!("X'{}'", id.simple()),
        ixorg_app::Backend::Postgres => format!("'{id}'::uuid"),
    }
}

async fn assert_sound(ctx: &AppContext) {
    let report = ixorg_app::audit::verify(ctx).await.expect("verify");
    assert!(report.is_sound(), "audit verify: {report:?}");
}

db_test!(
    the_retention_run_removes_exactly_what_expired_on_each_day_and_a_second_run_does_nothing,
    async |t: TestDb| {
        let Aged { ctx, ended, .. } = aged(&t).await;

        // The day after the end: the BSNs go; visits before 2026-10-03 are counted and go.
        let first = run(&ctx, date!(2027 - 01 - 01), false).await;
        assert_eq!(rows(&first, DataCategory::NationalId, "participant"), 2);
        assert_eq!(rows(&first, DataCategory::Technical, "site_visit"), 3);
        assert_eq!(rows(&first, DataCategory::Contact, "participant"), 0);
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM participant WHERE bsn_blind_index IS NOT NULL"
            )
            .await,
            0
        );
        assert_eq!(run(&ctx, date!(2027 - 01 - 01), false).await.total(), 0);

        // Six months after the end: contact data and the account go, the postcode area stays.
        let half_year = run(&ctx, date!(2027 - 07 - 01), false).await;
        assert_eq!(rows(&half_year, DataCategory::Contact, "participant"), 3);
        assert_eq!(rows(&half_year, DataCategory::Account, "participant"), 3);
        assert_eq!(rows(&half_year, DataCategory::Identity, "participant"), 0);
        let postcodes = count(&t, "SELECT COUNT(*) FROM participant WHERE postcode = '35' AND street = '' AND email IS NULL").await;
        assert_eq!(postcodes, 3);
        let numbers = count(
            &t,
            &format!(
                "SELECT COUNT(*) FROM participant WHERE participant_number = '{}'",
                ended.members[0].1.as_str()
            ),
        )
        .await;
        assert_eq!(numbers, 0, "the old participant number leads nowhere");
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM participant WHERE street <> ''").await,
            1,
            "the running contract keeps its address"
        );
        assert_eq!(run(&ctx, date!(2027 - 07 - 01), false).await.total(), 0);

        // Two years after the end: the consents go.
        let consent = run(&ctx, date!(2029 - 01 - 01), false).await;
        assert_eq!(rows(&consent, DataCategory::Consent, "contract"), 1);
        let ended_consents = count(
            &t,
            &format!(
                "SELECT COUNT(*) FROM consent_event WHERE participant_id IN \
             (SELECT participant_id FROM participant WHERE contract_id = {})",
                uuid_literal(&t, ended.contract.uuid())
            ),
        )
        .await;
        assert_eq!(ended_consents, 0);

        // Seven years after book year 2026: names, IBANs, the 2026 declarations' link to a
        // person and the 2026 access log go; 2027 stays.
        let books = run(&ctx, date!(2034 - 01 - 01), false).await;
        assert_eq!(rows(&books, DataCategory::Identity, "participant"), 3);
        assert_eq!(rows(&books, DataCategory::Financial, "contract"), 1);
        assert_eq!(rows(&books, DataCategory::Financial, "mandate"), 1);
        assert_eq!(rows(&books, DataCategory::Care, "declaration_line"), 2);
        assert!(rows(&books, DataCategory::PrivacyRecord, "access_log") > 0);
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM declaration_line WHERE participant_id IS NOT NULL"
            )
            .await,
            1
        );
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM participant WHERE surname = ''").await,
            3
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM participant WHERE surname = 'Visser'"
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM participant WHERE surname = '' AND gender = 'female'"
            )
            .await,
            3,
            "gender and birth year stay for statistics"
        );
        let again = run(&ctx, date!(2034 - 01 - 01), false).await;
        assert_eq!(again.total(), 0, "{again:?}");
        assert_eq!(count(&t, "SELECT COUNT(*) FROM retention_run").await, 7);
        assert_sound(&at(&ctx, date!(2034 - 01 - 01))).await;
    }
);

db_test!(
    a_dry_run_changes_nothing_and_counts_exactly_what_the_real_run_then_does,
    async |t: TestDb| {
        let Aged { ctx, .. } = aged(&t).await;
        let before = counts_but_run_log(&t).await;

        let dry = run(&ctx, date!(2034 - 01 - 01), true).await;

        assert!(dry.dry_run && dry.total() > 0);
        assert_eq!(counts_but_run_log(&t).await, before);
        assert_eq!(
            count(&t, "SELECT COUNT(*) FROM participant WHERE surname = ''").await,
            0
        );
        let real = run(&ctx, date!(2034 - 01 - 01), false).await;
        assert_eq!(real.counts, dry.counts);
        let logged = retention::runs(&ctx, 10).await.expect("runs");
        assert_eq!(logged.len(), 2);
        assert!(logged.iter().any(|r| r.dry_run) && logged.iter().any(|r| !r.dry_run));
        assert!(
            logged.iter().all(|r| !r.counts.contains("Wiel")),
            "counts only, never data"
        );
    }
);

db_test!(
    technical_data_older_than_ninety_days_is_counted_per_day_and_page_and_then_deleted,
    async |t: TestDb| {
        let Aged { ctx, .. } = aged(&t).await;

        let report = run(&ctx, date!(2027 - 02 - 01), false).await;

        // Visits before 2026-11-03 go (three); the two of 1 June become one count of two.
        assert_eq!(rows(&report, DataCategory::Technical, "site_visit"), 3);
        assert_eq!(count(&t, "SELECT COUNT(*) FROM site_visit").await, 2);
        assert_eq!(count(&t, "SELECT COUNT(*) FROM site_visit_daily").await, 2);
        assert_eq!(
            count(
                &t,
                "SELECT CAST(SUM(visits) AS BIGINT) FROM site_visit_daily"
            )
            .await,
            3
        );
        assert_eq!(
            count(&t, "SELECT MAX(visits) FROM site_visit_daily").await,
            2
        );
        assert_eq!(run(&ctx, date!(2027 - 02 - 01), false).await.total(), 0);
        let later = run(&ctx, date!(2027 - 06 - 01), false).await;
        assert_eq!(rows(&later, DataCategory::Technical, "site_visit"), 2);
        assert_eq!(count(&t, "SELECT COUNT(*) FROM site_visit").await, 0);
        assert_eq!(
            count(
                &t,
                "SELECT CAST(SUM(visits) AS BIGINT) FROM site_visit_daily"
            )
            .await,
            5
        );
    }
);

/// How `table` links to a participant, as SQL selecting its rows about `p` (a participant id
/// literal), or `None` for tables that hold nobody's data.
fn rows_of(table: &str, p: &str) -> Option<String> {
    let contract = format!("(SELECT contract_id FROM participant WHERE participant_id = {p})");
    Some(match table {
        "participant"
        | "participant_account"
        | "one_time_link"
        | "contribution_line"
        | "yearend_deduction"
        | "budget_change"
        | "declaration_line"
        | "consent_event"
        | "privacy_request"
        | "personal_data_change"
        | "processing_restriction"
        | "site_visit"
        | "disclosure" => {
            format!("FROM {table} WHERE participant_id = {p}")
        }
        "ledger_account" => format!("FROM {table} WHERE participant_id = {p}"),
        "contract" | "mandate" | "contribution" | "reminder" | "settlement" => {
            format!("FROM {table} WHERE contract_id IN {contract}")
        }
        "access_log" => format!("FROM {table} WHERE subject_id = {p}"),
        "privacy_request_event" => format!(
            "FROM {table} WHERE privacy_request_id IN \
             (SELECT privacy_request_id FROM privacy_request WHERE participant_id = {p})"
        ),
        "bank_entry" => format!(
            "FROM {table} WHERE contribution_id IN \
             (SELECT contribution_id FROM contribution WHERE contract_id IN {contract})"
        ),
        "ledger_transfer" => format!(
            "FROM {table} WHERE (debit_account_id IN \
             (SELECT ledger_account_id FROM ledger_account WHERE participant_id = {p}) \
             OR credit_account_id IN \
             (SELECT ledger_account_id FROM ledger_account WHERE participant_id = {p}))"
        ),
        _ => return None,
    })
}

/// The (table, category) pairs that still hold data about `p`, column by column from the
/// registry. A value holds data unless it is NULL, empty, zero or false; a postcode of two
/// characters is a region only; the participant number is checked by the caller.
async fn held(t: &TestDb, p: ParticipantId) -> BTreeSet<(String, DataCategory)> {
    let literal = uuid_literal(t, p.uuid());
    let mut out = BTreeSet::new();
    for table in TABLES {
        let Some(from) = rows_of(table.name, &literal) else {
            continue;
        };
        for column in table.columns {
            let ColumnClass::Personal(category) = column.class else {
                continue;
            };
            if (table.name, column.name) == ("participant", "participant_number") {
                continue;
            }
            let name = column.name;
            let holds = if (table.name, name) == ("participant", "postcode") {
                format!("length({name}) > 2")
            } else {
                format!("{name} IS NOT NULL AND CAST({name} AS TEXT) NOT IN ('', '0', 'false')")
            };
            let n = count(t, &format!("SELECT COUNT(*) {from} AND ({holds})")).await;
            if n > 0 {
                out.insert((table.name.to_owned(), category));
            }
        }
    }
    out
}

db_test!(
    an_erasure_keeps_exactly_what_the_rules_keep_and_restricts_it,
    async |t: TestDb| {
        let Aged { ctx, running, .. } = aged(&t).await;
        let (who, number, _) = running.members[0].clone();
        let before = held(&t, who).await;
        assert!(before.contains(&("participant".to_owned(), DataCategory::Contact)));
        assert!(before.contains(&("site_visit".to_owned(), DataCategory::Technical)));
        assert!(before.contains(&("contract".to_owned(), DataCategory::Consent)));

        let request = AccessRequest {
            actor: Actor::System("erasure-test".into()),
            role: Role::System,
            purpose: Some(Purpose::LegalObligation),
            subject: Some(who),
            categories: erasure_grant_categories(),
            action: Action::Change,
        };
        let (mut tx, grant) = ixorg_app::access::begin(&ctx, request)
            .await
            .expect("grant");
        let outcome = retention::erase_participant(&ctx, &mut tx, &grant, who, None)
            .await
            .expect("erase");
        tx.commit().await.expect("commit");

        let plan = erasure_plan();
        assert_eq!(outcome.kept, plan.kept);
        let kept = plan.kept_categories();
        let after = held(&t, who).await;
        let erased_but_held: Vec<_> = after.iter().filter(|(_, c)| !kept.contains(c)).collect();
        assert!(erased_but_held.is_empty(), "{erased_but_held:?}");
        let expected: BTreeSet<_> = before
            .iter()
            .filter(|(_, c)| kept.contains(c))
            .cloned()
            .collect();
        let kept_now: BTreeSet<_> = after.iter().cloned().collect();
        assert!(
            expected.is_subset(&kept_now),
            "kept data was lost: {:?}",
            expected.difference(&kept_now).collect::<Vec<_>>()
        );
        assert!(kept_now.contains(&(
            "processing_restriction".to_owned(),
            DataCategory::PrivacyRecord
        )));
        let old_number = count(
            &t,
            &format!(
                "SELECT COUNT(*) FROM participant WHERE participant_number = '{}'",
                number.as_str()
            ),
        )
        .await;
        assert_eq!(old_number, 0);
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM participant WHERE erased_at_ms IS NOT NULL"
            )
            .await,
            1
        );
        let support = AccessRequest {
            actor: Actor::System("support-job".into()),
            role: Role::System,
            purpose: Some(Purpose::ServiceDelivery),
            subject: Some(who),
            categories: vec![DataCategory::Identity],
            action: Action::Read,
        };
        assert!(
            ixorg_app::access::begin(&ctx, support).await.is_err(),
            "restricted"
        );
        assert_sound(&ctx).await;
    }
);

db_test!(
    the_access_log_verifies_after_pruning_and_still_catches_a_changed_removed_or_inserted_entry,
    async |t: TestDb| {
        let Aged { ctx, .. } = aged(&t).await;
        let late = at(&ctx, date!(2034 - 01 - 01));
        let report = run(&ctx, date!(2034 - 01 - 01), false).await;
        assert!(rows(&report, DataCategory::PrivacyRecord, "access_log") > 0);
        assert_sound(&late).await;
        let first = count(&t, "SELECT MIN(sequence) FROM access_log").await;
        let last = count(&t, "SELECT MAX(sequence) FROM access_log").await;
        assert!(last > first + 2, "entries remain after the anchor");

        raw::drop_append_only_triggers(&t).await;
        raw::execute(
            &t,
            &format!(
                "UPDATE access_log SET purpose = 'tampered' WHERE sequence = {}",
                first + 1
            ),
        )
        .await;
        let changed = ixorg_app::audit::verify(&late).await.expect("verify");
        assert_eq!(changed.access_log.map_err(|b| b.sequence), Err(first + 1));
    }
);

db_test!(
    removing_an_entry_in_the_middle_or_the_first_one_after_pruning_is_found,
    async |t: TestDb| {
        let Aged { ctx, .. } = aged(&t).await;
        let late = at(&ctx, date!(2034 - 01 - 01));
        run(&ctx, date!(2034 - 01 - 01), false).await;
        let first = count(&t, "SELECT MIN(sequence) FROM access_log").await;
        raw::drop_append_only_triggers(&t).await;

        raw::execute(
            &t,
            &format!("DELETE FROM access_log WHERE sequence = {}", first + 1),
        )
        .await;
        let middle = ixorg_app::audit::verify(&late).await.expect("verify");
        assert_eq!(middle.access_log.map_err(|b| b.sequence), Err(first + 2));

        raw::execute(
            &t,
            &format!("DELETE FROM access_log WHERE sequence = {first}"),
        )
        .await;
        let prefix = ixorg_app::audit::verify(&late).await.expect("verify");
        assert!(
            prefix.access_log.is_err(),
            "a prefix removed without moving the anchor"
        );
    }
);
