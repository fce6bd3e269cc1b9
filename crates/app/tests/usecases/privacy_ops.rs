//! Issue 6, privacy operations: statistics (P18), the breach report, key rotation (P5, P2),
//! processors (P22) and disclosures (P23), on SQLite and PostgreSQL.

use std::sync::Arc;

use ixorg_app::breach::{BreachFilter, BreachQuery, breach_report};
use ixorg_app::crypto::Crypto;
use ixorg_app::keys::{self, RotateError};
use ixorg_app::participants::{self, Viewer};
use ixorg_app::processors::{self, DisclosureRequest, RecipientError};
use ixorg_app::setup::{OpenOptions, open};
use ixorg_app::{AppContext, FixedClock};
use ixorg_domain::identifiers::Bsn;
use ixorg_domain::ids::{ParticipantId, StaffUserId};
use ixorg_domain::privacy::registry::{ColumnClass, TABLES};
use ixorg_domain::privacy::statistics::{Cell, GROUP_MIN};
use ixorg_domain::privacy::{Action, Actor, DataCategory, Purpose, Refusal, Role};
use ixorg_domain::recipients::ProcessorAgreement;
use ixorg_domain::timestamp::Timestamp;
use ixorg_store::keys::CIPHERTEXT_COLUMNS;
use ixorg_testkit::{TEST_DATA_KEY, TEST_NOW, TestDb, db_test, raw, test_app};
use time::macros::date;
use uuid::Uuid;

use crate::register;

/// The second key version of the rotation tests (never used outside tests).
const KEY_2: &str = "a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e9f";

fn privacy_officer() -> (Actor, Role) {
    (
        Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(0x9051))),
        Role::PrivacyOfficer,
    )
}

fn system(job: &str) -> Viewer {
    Viewer {
        actor: Actor::System(job.into()),
        role: Role::System,
    }
}

fn processor(name: &str) -> Viewer {
    Viewer {
        actor: Actor::Processor(name.into()),
        role: Role::Processor,
    }
}

/// The platform on `t` with `data_key` as `IXORG_DATA_KEY`.
async fn with_key(t: &TestDb, data_key: &str) -> AppContext {
    open(OpenOptions {
        database_url: t.url().to_owned(),
        data_key: Some(data_key.to_owned()),
        clock: Arc::new(FixedClock(TEST_NOW)),
        connect: ixorg_app::setup::connect_defaults(),
        key_required_if_encrypted: true,
    })
    .await
    .expect("open the platform with the given key")
}

fn bsn(text: &str) -> Bsn {
    text.parse().expect("a valid BSN")
}

// ---------------------------------------------------------------------------------------------
// P18: statistics

db_test!(
    statistics_show_no_group_below_ten_and_the_counting_job_is_logged,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        ixorg_tools::generate::participants(&ctx, 150, 7, &|_| {})
            .await
            .expect("participants");
        let participants = raw::scalar(&t, "SELECT COUNT(*) FROM participant").await;
        // Act
        let stats = ixorg_app::statistics::statistics(&ctx)
            .await
            .expect("stats");
        // Assert: every figure shown is a group of at least ten, and the totals are right.
        for line in stats.lines() {
            for cell in line.cells.iter().chain([&line.total]) {
                if let Cell::Shown(n) = cell {
                    assert!(*n >= GROUP_MIN, "a group of {n} is shown");
                }
            }
        }
        assert_eq!(stats.genders.line.total, Cell::Shown(participants));
        assert_eq!(stats.age_bands.line.total, Cell::Shown(participants));
        assert!(stats.regions.line.cells.contains(&Cell::Suppressed));
        let md = stats.to_markdown();
        assert!(!md.contains("Wiel") && !md.contains("@"));
        assert!(stats.to_json().contains("\"group_min\":10"));
        let jobs = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM access_log WHERE actor_id = 'statistics' \
             AND purpose = 'statistics' AND outcome = 'allowed'",
        )
        .await;
        assert_eq!(jobs, 1);
    }
);

db_test!(
    statistics_of_one_household_suppress_every_figure,
    async |t: TestDb| {
        // Arrange: three people, so every group is below ten.
        let ctx = test_app(&t).await;
        register(&ctx).await;
        // Act
        let stats = ixorg_app::statistics::statistics(&ctx)
            .await
            .expect("stats");
        // Assert
        for line in stats.lines() {
            assert_eq!(line.total, Cell::Suppressed);
            assert!(line.cells.iter().all(|c| *c == Cell::Suppressed));
        }
    }
);

// ---------------------------------------------------------------------------------------------
// Breach report

db_test!(
    the_breach_report_lists_each_subject_an_actor_touched_with_number_and_categories,
    async |t: TestDb| {
        // Arrange: a support user reads Johanna, a processor reads Karel, support is refused care.
        let ctx = test_app(&t).await;
        let household = register(&ctx).await;
        let (johanna, johanna_number, _) = household.members[0].clone();
        let (karel, ..) = household.members[1].clone();
        let support = Viewer {
            actor: Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(0x5))),
            role: Role::Support,
        };
        let support_id = support.actor.id_text();
        participants::view(&ctx, support.clone(), Some(Purpose::Contact), johanna, &[])
            .await
            .expect("support reads");
        let refused = participants::view(
            &ctx,
            support,
            Some(Purpose::Contact),
            karel,
            &[DataCategory::NationalId],
        )
        .await;
        assert!(refused.is_err());
        register_mailhouse(&ctx, None).await;
        participants::view(
            &ctx,
            processor("mailhouse"),
            Some(Purpose::Contact),
            karel,
            &[],
        )
        .await
        .expect("processor reads");
        let day = Timestamp::from_offset_date_time(TEST_NOW).expect("in range");
        let query = |filter| BreachQuery {
            from: day.saturating_add_ms(-3_600_000),
            to: day.saturating_add_ms(3_600_000),
            filter,
        };
        // Act
        let by_support = breach_report(
            &ctx,
            privacy_officer(),
            query(BreachFilter::Actor(support_id)),
        )
        .await
        .expect("report");
        let all = breach_report(&ctx, privacy_officer(), query(BreachFilter::All))
            .await
            .expect("report");
        // Assert
        assert_eq!(by_support.subjects.len(), 1, "only Johanna was touched");
        let s = &by_support.subjects[0];
        assert_eq!(s.participant, johanna);
        assert_eq!(s.number.as_deref(), Some(johanna_number.as_str()));
        assert_eq!(
            s.categories,
            vec![DataCategory::Identity, DataCategory::Contact]
        );
        assert_eq!((by_support.accesses, by_support.refused), (1, 1));
        let touched: Vec<ParticipantId> = all.subjects.iter().map(|s| s.participant).collect();
        assert!(touched.contains(&johanna) && touched.contains(&karel));
        assert!(all.bulk.iter().any(|b| b.actor == "system:test"));
        let md = all.to_markdown();
        assert!(md.contains(johanna_number.as_str()));
        assert!(md.contains("data subjects affected: "));
        // The report itself is an access for a legal duty, and is logged.
        let logged = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM access_log WHERE role_name = 'privacy_officer' \
             AND purpose = 'legal_obligation' AND categories = 'privacy_record,account'",
        )
        .await;
        assert_eq!(logged, 2);
    }
);

db_test!(
    the_breach_report_by_category_lists_only_who_had_that_category_touched,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let household = register(&ctx).await;
        let (johanna, ..) = household.members[0].clone();
        let (karel, ..) = household.members[1].clone();
        let officer = Viewer {
            actor: privacy_officer().0,
            role: Role::PrivacyOfficer,
        };
        participants::view(
            &ctx,
            officer.clone(),
            Some(Purpose::LegalObligation),
            johanna,
            &[DataCategory::NationalId],
        )
        .await
        .expect("officer reads the BSN");
        participants::view(&ctx, officer, Some(Purpose::LegalObligation), karel, &[])
            .await
            .expect("officer reads");
        let day = Timestamp::from_offset_date_time(TEST_NOW).expect("in range");
        // Act
        let report = breach_report(
            &ctx,
            (Actor::System("breach-report".into()), Role::System),
            BreachQuery {
                from: day,
                to: day.saturating_add_ms(1),
                filter: BreachFilter::Category(DataCategory::NationalId),
            },
        )
        .await
        .expect("report");
        // Assert
        let who: Vec<ParticipantId> = report.subjects.iter().map(|s| s.participant).collect();
        assert_eq!(who, vec![johanna]);
        assert_eq!(
            report.subjects_per_category,
            vec![
                (DataCategory::Identity, 1),
                (DataCategory::Contact, 1),
                (DataCategory::NationalId, 1)
            ]
        );
    }
);

// ---------------------------------------------------------------------------------------------
// P5: key rotation

#[test]
fn every_encrypted_national_id_column_of_the_registry_is_rotated() {
    for table in TABLES {
        for column in table.columns {
            if column.class != ColumnClass::Personal(DataCategory::NationalId) {
                continue;
            }
            let rotated = CIPHERTEXT_COLUMNS
                .iter()
                .any(|c| c.table == table.name && c.column == column.name);
            let index = CIPHERTEXT_COLUMNS
                .iter()
                .any(|c| c.table == table.name && c.blind_index == Some(column.name));
            assert!(
                rotated || index,
                "{}.{} holds a BSN but key rotation does not re-encrypt it: add it to \
                 ixorg_store::keys::CIPHERTEXT_COLUMNS",
                table.name,
                column.name
            );
        }
    }
}

/// A BSN literal of `bytes` and a UUID literal of `id`, in the backend's SQL.
fn literals(t: &TestDb, bytes: &[u8], id: Uuid) -> (String, String) {
    match t.db().backend() {
        ixorg_app::Backend::Sqlite => (
            format!("X'{}'", hex(bytes)),
            format!("X'{}'", hex(id.as_bytes())),
        ),
        ixorg_app::Backend::Postgres => (
            format!("'\\x{}'::bytea", hex(bytes)),
            format!("'{id}'::uuid"),
        ),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stores a BSN rectification request and a BSN change history row for `p`, encrypted under
/// the test key (as the request use cases do).
async fn other_ciphertexts(t: &TestDb, p: ParticipantId) {
    let crypto = Crypto::from_setting(TEST_DATA_KEY).expect("key");
    let request = Uuid::from_u128(0x4e0);
    let proposed = crypto
        .encrypt_bsn(request, &bsn("123456782"))
        .expect("encrypt");
    let (ct, request_id) = literals(t, &proposed, request);
    let (_, participant) = literals(t, &[], p.uuid());
    raw::execute(
        t,
        &format!(
            "INSERT INTO privacy_request (privacy_request_id, participant_id, request_type, \
             request_status, received_at_ms, due_on, field_name, proposed_national_id, \
             updated_at_ms) VALUES ({request_id}, {participant}, 'rectification', 'open', 1, \
             '2026-12-26', 'bsn', {ct}, 1)"
        ),
    )
    .await;
    let old = crypto
        .encrypt_bsn(p.uuid(), &bsn("111222333"))
        .expect("encrypt");
    let (ct, _) = literals(t, &old, p.uuid());
    raw::execute(
        t,
        &format!(
            "INSERT INTO personal_data_change (participant_id, field_name, category, \
             old_national_id, actor_kind, actor_id, changed_at_ms) \
             VALUES ({participant}, 'bsn', 'national_id', {ct}, 'system', 'test', 1)"
        ),
    )
    .await;
}

/// Every stored ciphertext of every rotated column decrypts with `ctx`'s keys; returns the key
/// versions found.
async fn every_ciphertext_decrypts(ctx: &AppContext) -> Vec<u8> {
    let crypto = ctx.crypto().expect("keys");
    let mut tx = ctx.db.begin().await.expect("begin");
    let grant = ixorg_app::access::job_grant(
        ctx,
        &mut tx,
        "test",
        Purpose::Security,
        vec![DataCategory::NationalId],
        Action::Change,
    )
    .await
    .expect("grant");
    let mut versions = Vec::new();
    for column in CIPHERTEXT_COLUMNS {
        let rows = ixorg_store::keys::chunk(&mut tx, &grant, column, None, 1_000)
            .await
            .expect("read");
        assert!(!rows.is_empty(), "{} has ciphertexts", column.column);
        for row in rows {
            crypto
                .decrypt_bsn(row.aad, &row.ciphertext)
                .unwrap_or_else(|e| panic!("{}: {e}", column.column));
            versions.extend(Crypto::version_of(&row.ciphertext));
        }
    }
    tx.rollback().await.expect("end");
    versions.sort_unstable();
    versions.dedup();
    versions
}

db_test!(
    after_rotation_and_removing_the_old_key_every_bsn_decrypts_and_lookups_find_the_participant,
    async |t: TestDb| {
        // Arrange: data under key version 1.
        let ctx1 = test_app(&t).await;
        let household = register(&ctx1).await;
        let (johanna, ..) = household.members[0].clone();
        let (fenna, ..) = household.members[2].clone();
        other_ciphertexts(&t, johanna).await;
        let pin = ctx1.crypto().expect("keys").index_key_setting();
        ctx1.db_close().await;
        // Act: add version 2 with the index key pinned, rotate, then remove version 1.
        let ctx2 = with_key(&t, &format!("{pin},1:{TEST_DATA_KEY},2:{KEY_2}")).await;
        let reports = keys::rotate(&ctx2, 2, &|_| {}).await.expect("rotate");
        ctx2.db_close().await;
        let ctx3 = with_key(&t, &format!("{pin},2:{KEY_2}")).await;
        // Assert
        let rewritten: u64 = reports.iter().map(|r| r.rewritten).sum();
        assert_eq!(
            rewritten, 4,
            "two participants, one request, one history row"
        );
        assert_eq!(every_ciphertext_decrypts(&ctx3).await, vec![2]);
        for (id, number) in [(johanna, "111222333"), (fenna, "999996708")] {
            assert_reads_and_finds(&ctx3, "check", id, number).await;
        }
        // The old key really is gone: its ciphertexts would no longer decrypt.
        let only_2 = Crypto::from_setting(&format!("2:{KEY_2}")).expect("key 2");
        let old = Crypto::from_setting(TEST_DATA_KEY).expect("key 1");
        let ct = old
            .encrypt_bsn(johanna.uuid(), &bsn("111222333"))
            .expect("ct");
        assert!(only_2.decrypt_bsn(johanna.uuid(), &ct).is_err());
    }
);

/// The participant's BSN reads back in full, and a look-up by it finds the participant.
async fn assert_reads_and_finds(ctx: &AppContext, job: &str, id: ParticipantId, number: &str) {
    let view = participants::view(
        ctx,
        system(job),
        Some(Purpose::ServiceDelivery),
        id,
        &[DataCategory::NationalId],
    )
    .await
    .expect("read the BSN");
    assert_eq!(view.bsn.as_deref(), Some(number));
    let found = participants::find_by_bsn(
        ctx,
        system(job),
        Some(Purpose::ServiceDelivery),
        &bsn(number),
    )
    .await
    .expect("look the BSN up");
    assert_eq!(found, Some(id));
}

db_test!(
    reads_and_lookups_succeed_between_the_chunks_of_a_rotation,
    async |t: TestDb| {
        // Arrange
        let ctx1 = test_app(&t).await;
        let household = register(&ctx1).await;
        let pin = ctx1.crypto().expect("keys").index_key_setting();
        ctx1.db_close().await;
        let ctx = with_key(&t, &format!("{pin},1:{TEST_DATA_KEY},2:{KEY_2}")).await;
        let people = [
            (household.members[0].0, "111222333"),
            (household.members[2].0, "999996708"),
        ];
        let column = &CIPHERTEXT_COLUMNS[0];
        let mut after = None;
        let mut chunks = 0;
        loop {
            // Act: one row per chunk, and every read in between.
            let chunk = keys::rotate_chunk(&ctx, column, after, 1)
                .await
                .expect("chunk");
            chunks += 1;
            for (id, number) in people {
                assert_reads_and_finds(&ctx, "web", id, number).await;
            }
            match chunk.last {
                Some(last) => after = Some(last),
                None => break,
            }
        }
        // Assert
        assert!(chunks >= 2, "the rotation ran in several transactions");
        assert_eq!(every_versions_of_participants(&ctx).await, vec![2]);
    }
);

async fn every_versions_of_participants(ctx: &AppContext) -> Vec<u8> {
    let mut tx = ctx.db.begin().await.expect("begin");
    let grant = ixorg_app::access::job_grant(
        ctx,
        &mut tx,
        "test",
        Purpose::Security,
        vec![DataCategory::NationalId],
        Action::Change,
    )
    .await
    .expect("grant");
    let rows = ixorg_store::keys::chunk(&mut tx, &grant, &CIPHERTEXT_COLUMNS[0], None, 100)
        .await
        .expect("read");
    tx.rollback().await.expect("end");
    let mut v: Vec<u8> = rows
        .iter()
        .filter_map(|r| Crypto::version_of(&r.ciphertext))
        .collect();
    v.dedup();
    v
}

db_test!(
    a_second_rotation_rewrites_nothing_and_each_chunk_is_logged,
    async |t: TestDb| {
        // Arrange
        let ctx1 = test_app(&t).await;
        register(&ctx1).await;
        let pin = ctx1.crypto().expect("keys").index_key_setting();
        ctx1.db_close().await;
        let ctx = with_key(&t, &format!("{pin},1:{TEST_DATA_KEY},2:{KEY_2}")).await;
        keys::rotate(&ctx, 500, &|_| {}).await.expect("first");
        // Act
        let again = keys::rotate(&ctx, 500, &|_| {}).await.expect("second");
        // Assert
        assert_eq!(again.iter().map(|r| r.rewritten).sum::<u64>(), 0);
        assert_eq!(again[0].current, 2);
        let logged = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM access_log WHERE actor_id = 'key-rotation' \
             AND purpose = 'security' AND action = 'change'",
        )
        .await;
        assert_eq!(logged, 2 * CIPHERTEXT_COLUMNS.len() as i64);
    }
);

db_test!(
    a_rotation_refuses_to_run_while_the_blind_index_key_is_not_pinned,
    async |t: TestDb| {
        // Arrange
        let ctx1 = test_app(&t).await;
        register(&ctx1).await;
        ctx1.db_close().await;
        let ctx = with_key(&t, &format!("1:{TEST_DATA_KEY},2:{KEY_2}")).await;
        // Act
        let result = keys::rotate(&ctx, 500, &|_| {}).await;
        // Assert
        assert!(matches!(result, Err(RotateError::IndexKeyNotPinned)));
        assert_eq!(every_versions_of_participants(&ctx).await, vec![1]);
    }
);

// ---------------------------------------------------------------------------------------------
// P22: processors

async fn register_mailhouse(ctx: &AppContext, ends_on: Option<time::Date>) {
    processors::register(
        ctx,
        &ProcessorAgreement {
            name: "mailhouse".into(),
            agreement_reference: "VWO-2026-01".into(),
            signed_on: date!(2026 - 01 - 01),
            ends_on,
            categories: vec![DataCategory::Identity, DataCategory::Contact],
            purposes: vec![Purpose::Contact],
        },
    )
    .await
    .expect("register the processor");
}

db_test!(
    a_processor_acts_only_within_its_registered_current_agreement_and_every_access_is_logged,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (johanna, ..) = register(&ctx).await.members[0].clone();
        let read = |who: &'static str, purpose, extra: &'static [DataCategory]| {
            let ctx = ctx.clone();
            async move { participants::view(&ctx, processor(who), Some(purpose), johanna, extra).await }
        };
        // Act, Assert: not registered yet.
        let unregistered = read("mailhouse", Purpose::Contact, &[]).await;
        assert!(matches!(
            unregistered,
            Err(participants::ViewError::Refused(Refusal::Rule(
                "processor_not_registered"
            )))
        ));
        register_mailhouse(&ctx, None).await;
        read("mailhouse", Purpose::Contact, &[])
            .await
            .expect("within the agreement");
        let care = read(
            "mailhouse",
            Purpose::Reimbursement,
            &[DataCategory::Financial],
        )
        .await;
        assert!(matches!(
            care,
            Err(participants::ViewError::Refused(Refusal::Rule(
                "processor_agreement_does_not_cover"
            )))
        ));
        // The agreement ended yesterday.
        register_mailhouse(&ctx, Some(date!(2026 - 11 - 25))).await;
        let ended = read("mailhouse", Purpose::Contact, &[]).await;
        assert!(matches!(
            ended,
            Err(participants::ViewError::Refused(Refusal::Rule(
                "processor_agreement_not_current"
            )))
        ));
        let log = raw::who_looked(&t, johanna).await;
        let outcomes: Vec<&str> = log
            .iter()
            .filter(|(role, _)| role == "processor")
            .map(|(_, outcome)| outcome.as_str())
            .collect();
        assert_eq!(outcomes, ["refused", "allowed", "refused", "refused"]);
        let listed = processors::list(&ctx).await.expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].ends_on, Some(date!(2026 - 11 - 25)));
    }
);

db_test!(
    nobody_else_can_act_in_the_processor_role_nor_a_processor_in_another_role,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (johanna, ..) = register(&ctx).await.members[0].clone();
        register_mailhouse(&ctx, None).await;
        let pretender = Viewer {
            actor: Actor::System("mailhouse".into()),
            role: Role::Processor,
        };
        let promoted = Viewer {
            actor: Actor::Processor("mailhouse".into()),
            role: Role::Support,
        };
        // Act
        let a = participants::view(&ctx, pretender, Some(Purpose::Contact), johanna, &[]).await;
        let b = participants::view(&ctx, promoted, Some(Purpose::Contact), johanna, &[]).await;
        // Assert
        for result in [a, b] {
            assert!(matches!(
                result,
                Err(participants::ViewError::Refused(Refusal::Rule(
                    "role_mismatch"
                )))
            ));
        }
    }
);

// ---------------------------------------------------------------------------------------------
// P23: disclosures

fn disclosure(p: ParticipantId, ground: Option<&str>) -> DisclosureRequest {
    DisclosureRequest {
        participant: p,
        recipient: "Belastingdienst".into(),
        categories: vec![DataCategory::Identity, DataCategory::Financial],
        legal_ground: ground.map(str::to_owned),
        reference: "BD-2026-4411".into(),
    }
}

db_test!(
    a_disclosure_without_a_legal_ground_is_refused_and_the_refusal_logged,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (johanna, ..) = register(&ctx).await.members[0].clone();
        // Act
        let none = processors::disclose(&ctx, privacy_officer(), disclosure(johanna, None)).await;
        let made_up = processors::disclose(
            &ctx,
            privacy_officer(),
            disclosure(johanna, Some("they asked nicely")),
        )
        .await;
        // Assert
        for result in [none, made_up] {
            assert!(matches!(
                result,
                Err(RecipientError::Refused(Refusal::Rule("no_legal_ground")))
            ));
        }
        assert_eq!(raw::scalar(&t, "SELECT COUNT(*) FROM disclosure").await, 0);
        let refused = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM access_log WHERE action = 'disclose' AND outcome = 'refused' \
             AND refusal = 'no_legal_ground'",
        )
        .await;
        assert_eq!(refused, 2);
    }
);

db_test!(
    a_disclosure_under_a_legal_duty_is_recorded_with_its_ground_and_logged,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (johanna, ..) = register(&ctx).await.members[0].clone();
        // Act
        let id = processors::disclose(
            &ctx,
            privacy_officer(),
            disclosure(johanna, Some("tax_authority")),
        )
        .await
        .expect("a disclosure under a legal duty");
        let support = processors::disclose(
            &ctx,
            (
                Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(0x5))),
                Role::Support,
            ),
            disclosure(johanna, Some("tax_authority")),
        )
        .await;
        // Assert
        assert!(matches!(support, Err(RecipientError::Refused(_))));
        let recorded =
            processors::disclosures_of(&ctx, privacy_officer(), Purpose::LegalObligation, johanna)
                .await
                .expect("list");
        assert_eq!(recorded.len(), 1);
        let d = &recorded[0];
        assert_eq!(d.id, id);
        assert_eq!(d.legal_ground.as_str(), "tax_authority");
        assert_eq!(d.recipient, "Belastingdienst");
        assert_eq!(d.reference, "BD-2026-4411");
        assert_eq!(d.actor_kind, "staff");
        let allowed = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM access_log WHERE action = 'disclose' AND outcome = 'allowed' \
             AND purpose = 'legal_obligation' AND role_name = 'privacy_officer'",
        )
        .await;
        assert_eq!(allowed, 1);
    }
);
