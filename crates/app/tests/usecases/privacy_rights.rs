//! The data subject's rights end to end: export, correction, requests, erasure and restriction,
//! objection, consents and the versioned privacy statement.

use ixorg_app::parties::{NewPractice, register_practice};
use ixorg_app::privacy::consent::{self, Choice};
use ixorg_app::privacy::export::{self, ExportDocument};
use ixorg_app::privacy::requests::{self, Approval, NewRequest};
use ixorg_app::privacy::{PrivacyError, Staff};
use ixorg_app::{AppContext, participants};
use ixorg_domain::identifiers::ParticipantNumber;
use ixorg_domain::ids::{ParticipantId, PracticeId};
use ixorg_domain::privacy::consent::{DocumentKind, Scope};
use ixorg_domain::privacy::request::{CheckedField, ContactField, RequestStatus};
use ixorg_domain::privacy::{Actor, DataCategory, Purpose, Refusal, Role};
use ixorg_testkit::{TestDb, db_test, raw, test_app};
use time::macros::date;
use uuid::Uuid;

use crate::register;

async fn staff(ctx: &AppContext, name: &str, role: Role) -> Staff {
    let id = ixorg_app::staff::create(ctx, name, name, "a long enough password", &[role])
        .await
        .expect("create a staff user");
    Staff { id, role }
}

async fn export_of(ctx: &AppContext, p: ParticipantId) -> ExportDocument {
    export::export(ctx, p, p).await.expect("export")
}

fn rows(doc: &ExportDocument, table: &str) -> usize {
    doc.section(table).map_or(0, |s| s.rows.len())
}

/// A UUID, bytes and boolean as SQL literals of the test's database.
struct Lit {
    postgres: bool,
}

impl Lit {
    fn u(&self, id: Uuid) -> String {
        if self.postgres {
            format!("'{id}'")
        } else {
            format!("X'{}'", id.simple())
        }
    }
    fn bytes(&self, hex: &str) -> String {
        if self.postgres {
            format!("decode('{hex}', 'hex')")
        } else {
            format!("X'{hex}'")
        }
    }
    fn b(&self, v: bool) -> String {
        match (self.postgres, v) {
            (true, v) => v.to_string(),
            (false, v) => u8::from(v).to_string(),
        }
    }
}

struct Ids {
    participant: Uuid,
    contract: Uuid,
    budget: Uuid,
    other_budget: Uuid,
    mandate: String,
    payee: Uuid,
}

/// The statements that add one row about the participant to `table`; `None` for a table no
/// fixture knows, which fails the test: a new personal table needs a row here, and a link in
/// the export.
fn one_more_row(table: &str, l: &Lit, ids: &Ids) -> Option<Vec<String>> {
    let p = l.u(ids.participant);
    let c = l.u(ids.contract);
    let n = |k: u128| l.u(Uuid::from_u128(0xE000 + k));
    let m = &ids.mandate;
    Some(match table {
        "contract" | "participant" => vec![],
        "access_log" => vec![format!(
            "INSERT INTO access_log (sequence, occurred_at_ms, actor_kind, actor_id, role_name, \
             purpose, subject_id, categories, action, outcome, refusal, prev_hash, entry_hash) \
             VALUES (900000, 0, 'staff', 'x', 'support', 'contact', {p}, 'identity', 'read', \
             'allowed', NULL, {h}, {h})",
            h = l.bytes("00")
        )],
        "ledger_account" => vec![format!(
            "INSERT INTO ledger_account (ledger_account_id, account_kind, account_code, \
             participant_id, payee_id, credit_line_cents, balance_cents, created_at_ms, \
             updated_at_ms) VALUES ({}, 'own_payment', NULL, {p}, NULL, 0, 0, 0, 0)",
            n(1)
        )],
        "ledger_transfer" => vec![format!(
            "INSERT INTO ledger_transfer (sequence, ledger_transfer_id, idempotency_key, \
             debit_account_id, credit_account_id, amount_cents, transfer_kind, \
             reverses_transfer_id, posted_at_ms, prev_hash, entry_hash) VALUES (900000, {}, \
             'export-test', {}, {}, 1, 'test', NULL, 0, {h}, {h})",
            n(2),
            l.u(ids.other_budget),
            l.u(ids.budget),
            h = l.bytes("00")
        )],
        "mandate" => vec![format!(
            "INSERT INTO mandate (mandate_id, contract_id, signed_on, iban, account_holder, \
             amended_from_iban, successful_collections, last_first_failed, mandate_status, \
             created_at_ms, updated_at_ms) VALUES ('EXPORT-TEST-1', {c}, '2026-01-01', \
             'NL91ABNA0417164300', 'J. Test', NULL, 0, {}, 'ended', 0, 0)",
            l.b(false)
        )],
        "participant_account" => vec![format!(
            "INSERT INTO participant_account (participant_id, password_hash, \
             password_changed_at_ms, failed_logins, locked_until_ms, last_login_at_ms, \
             created_at_ms, updated_at_ms) VALUES ({p}, '$argon2id$v=19$export-test', 0, 0, \
             NULL, 1, 0, 0)"
        )],
        "one_time_link" => vec![format!(
            "INSERT INTO one_time_link (token_hash, participant_id, purpose, expires_at_ms, \
             used_at_ms, created_at_ms) VALUES ({}, {p}, 'activation', 0, NULL, 0)",
            l.bytes("0102")
        )],
        "contribution" => vec![
            format!(
                "INSERT INTO collection_run (collection_run_id, collection_date, message_id, \
                 transactions, control_sum_cents, created_at_ms) \
                 VALUES ({}, '2026-01-01', 'EXPORT-TEST', 1, 100, 0)",
                n(3)
            ),
            format!(
                "INSERT INTO contribution (contribution_id, collection_run_id, contract_id, \
                 mandate_id, end_to_end_id, sequence_type, amount_cents, amendment_from_iban, \
                 debtor_iban, debtor_name, mandate_signed_on, contribution_status, \
                 return_reason, created_at_ms, updated_at_ms) VALUES ({}, {}, {c}, '{m}', \
                 'E2E-EXPORT', 'FRST', 100, NULL, 'NL91ABNA0417164300', 'J. Test', \
                 '2026-01-01', 'returned', 'AM04', 0, 0)",
                n(4),
                n(3)
            ),
        ],
        "contribution_line" => vec![format!(
            "INSERT INTO contribution_line (contribution_id, participant_id, saving_cents, \
             fee_cents, premium_cents) VALUES ({}, {p}, 90, 10, 0)",
            n(4)
        )],
        "bank_entry" => vec![
            format!(
                "INSERT INTO bank_file (bank_file_id, file_kind, content_sha256, document_id, \
                 entries, imported_at_ms) VALUES ({}, 'camt053', {}, 'EXPORT', 1, 0)",
                n(5),
                l.bytes("ab")
            ),
            format!(
                "INSERT INTO bank_entry (bank_file_id, entry_index, amount_cents, credit, \
                 end_to_end_id, reason_code, match_outcome, contribution_id) \
                 VALUES ({}, 0, 100, {}, 'E2E-EXPORT', 'AM04', 'returned', {})",
                n(5),
                l.b(false),
                n(4)
            ),
        ],
        "reminder" => vec![format!(
            "INSERT INTO reminder (contribution_id, contract_id, reason_code, failures_in_a_row, \
             reminder_step, retried_by_contribution_id, created_at_ms) \
             VALUES ({}, {c}, 'AM04', 1, 'first', NULL, 0)",
            n(4)
        )],
        "yearend_deduction" => vec![format!(
            "INSERT INTO yearend_deduction (participant_id, year, amount_cents, reason, \
             created_at_ms) VALUES ({p}, 2025, 100, 'checkup', 0)"
        )],
        "settlement" => vec![format!(
            "INSERT INTO settlement (contract_id, end_date, direction, amount_cents, \
             end_to_end_id, settled_at_ms) VALUES ({c}, '2027-01-31', 'none', 0, NULL, 0)"
        )],
        "budget_change" => vec![format!(
            "INSERT INTO budget_change (budget_change_id, participant_id, effective_from, \
             old_annual_cents, new_annual_cents, counts_as_yearly_change, requested_at_ms, \
             applied_at_ms) VALUES ({}, {p}, '2027-01-01', 36000, 48000, {}, 0, NULL)",
            n(6),
            l.b(true)
        )],
        "declaration_line" => vec![
            format!(
                "INSERT INTO declaration_batch (declaration_batch_id, channel, content_hash, \
                 api_client_id, idempotency_key, payee_id, sender_reference, received_on, \
                 line_count, declared_cents, assigned_cents, return_file_name, created_at_ms) \
                 VALUES ({}, 'api', NULL, NULL, NULL, {}, 'EXPORT', '2026-11-01', 1, 100, 100, \
                 NULL, 0)",
                n(7),
                l.u(ids.payee)
            ),
            format!(
                "INSERT INTO declaration_line (declaration_line_id, declaration_batch_id, \
                 line_number, record_number, participant_id, provider_agb, practice_agb, \
                 reference, previous_reference, treatment_date, code, element, surface, \
                 cost_kind, quantity, unit_tariff_cents, amount_cents, accident, outcome, \
                 reasons, budget_paid_cents, own_payment_cents, credited, payee_id, payout_id, \
                 created_at_ms, updated_at_ms) VALUES ({}, {}, 1, NULL, {p}, '12345678', NULL, \
                 'EXPORT-1', NULL, '2026-11-01', 'C11', '', '', 'honorarium', 1, 100, 100, {}, \
                 'accepted', '', 100, 0, {}, {}, NULL, 0, 0)",
                n(8),
                n(7),
                l.b(false),
                l.b(false),
                l.u(ids.payee)
            ),
        ],
        "consent_event" => vec![format!(
            "INSERT INTO consent_event (consent_event_id, participant_id, consent_kind, \
             practice_id, provider_id, granted, document_version, source, recorded_at_ms) \
             VALUES ({}, {p}, 'marketing', NULL, NULL, {}, NULL, 'staff', 0)",
            n(9),
            l.b(true)
        )],
        "privacy_request" => vec![format!(
            "INSERT INTO privacy_request (privacy_request_id, participant_id, request_type, \
             request_status, received_at_ms, due_on, updated_at_ms) \
             VALUES ({}, {p}, 'access', 'open', 0, '2026-12-26', 0)",
            n(10)
        )],
        "privacy_request_event" => vec![format!(
            "INSERT INTO privacy_request_event (privacy_request_id, event_kind, actor_kind, \
             actor_id, note, recorded_at_ms) VALUES ({}, 'note', 'staff', 'x', 'called', 0)",
            n(10)
        )],
        "personal_data_change" => vec![format!(
            "INSERT INTO personal_data_change (participant_id, field_name, category, \
             old_contact, actor_kind, actor_id, changed_at_ms) \
             VALUES ({p}, 'city', 'contact', 'Zeist', 'participant', 'x', 0)"
        )],
        "processing_restriction" => vec![format!(
            "INSERT INTO processing_restriction (participant_id, privacy_request_id, \
             kept_categories, restricted_at_ms) VALUES ({p}, NULL, 'all', 0)"
        )],
        "site_visit" => vec![format!(
            "INSERT INTO site_visit (visited_at_ms, path, ip_address, user_agent, \
             participant_id) VALUES (0, '/portal', '192.0.2.1', 'test', {p})"
        )],
        "disclosure" => vec![format!(
            "INSERT INTO disclosure (disclosure_id, participant_id, recipient, categories, \
             legal_ground, reference, disclosed_at_ms, actor_kind, actor_id) \
             VALUES ({}, {p}, 'Belastingdienst', 'financial', 'tax_authority', 'REF-1', 0, \
             'staff', 'x')",
            n(11)
        )],
        _ => return None,
    })
}

async fn practice(ctx: &AppContext) -> (PracticeId, Uuid) {
    let registered = register_practice(
        ctx,
        &NewPractice {
            agb: "12345678".parse().expect("agb"),
            name: "Tandartspraktijk De Molen".into(),
            city: "Utrecht".into(),
            providers: vec![],
            iban: Some("NL91ABNA0417164300".parse().expect("iban")),
        },
    )
    .await
    .expect("register the practice");
    let (payee, _) = registered.payee.expect("a payee");
    (registered.practice, payee.uuid())
}

db_test!(
    the_export_names_one_more_row_of_every_table_that_holds_personal_data,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let household = register(&ctx).await;
        let (main, _, budget) = household.members[0].clone();
        let (_, payee) = practice(&ctx).await;
        let ids = Ids {
            participant: main.uuid(),
            contract: household.contract.uuid(),
            budget: budget.uuid(),
            other_budget: household.members[1].2.uuid(),
            mandate: household.mandate.to_string(),
            payee,
        };
        let lit = Lit {
            postgres: t.db().backend() == ixorg_app::Backend::Postgres,
        };
        let before = export_of(&ctx, main).await;
        // Act
        let mut expected = Vec::new();
        for table in ixorg_store::export::personal_tables() {
            let statements = one_more_row(table.name, &lit, &ids).unwrap_or_else(|| {
                panic!(
                    "no fixture row for {}: add one, and its export link",
                    table.name
                )
            });
            let added = usize::from(!statements.is_empty());
            for sql in statements {
                raw::execute(&t, &sql).await;
            }
            expected.push((table.name, rows(&before, table.name) + added));
        }
        let after = export_of(&ctx, main).await;
        // Assert
        for (table, want) in expected {
            assert_eq!(rows(&after, table), want, "rows of {table} in the export");
            assert!(want > 0, "{table} has a row");
        }
        let json = after.to_json();
        let schema = export::schema();
        let tables = schema["properties"]["sections"]["properties"]
            .as_object()
            .expect("sections in the schema");
        for (table, section) in json["sections"].as_object().expect("sections") {
            let columns = tables[table]["items"]["properties"]
                .as_object()
                .expect("a table in the schema");
            for row in section.as_array().expect("rows") {
                for key in row.as_object().expect("a row").keys() {
                    assert!(columns.contains_key(key), "{table}.{key} is in the schema");
                }
            }
        }
        let line = &after.section("declaration_line").expect("lines").rows[0];
        for id in ["payee_id", "declaration_batch_id", "participant_id"] {
            let text = line[id].as_str().expect("an id is text");
            assert!(
                Uuid::parse_str(text).is_ok_and(|_| text.len() == 36),
                "{id}: {text}"
            );
        }
        let bsn = after.section("participant").expect("participant").rows[0]["bsn"].clone();
        assert_eq!(
            bsn, "111222333",
            "the participant gets their own BSN in plain"
        );
        let html = ixorg_web::export_page::render(&after);
        assert!(html.contains("Who looked at your data"));
        assert!(html.contains("EXPORT-1"), "the declaration is on the page");
    }
);

db_test!(
    every_staff_access_appears_in_the_participants_who_looked_list,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (main, ..) = register(&ctx).await.members[0].clone();
        let support = staff(&ctx, "sam", Role::Support).await;
        let viewer = participants::Viewer {
            actor: Actor::Staff(support.id),
            role: Role::Support,
        };
        // Act
        participants::view(&ctx, viewer.clone(), Some(Purpose::Contact), main, &[])
            .await
            .expect("support may look");
        let refused = participants::view(
            &ctx,
            viewer,
            Some(Purpose::Contact),
            main,
            &[DataCategory::Care],
        )
        .await;
        let doc = export_of(&ctx, main).await;
        // Assert
        assert!(refused.is_err());
        let reference = &support.id.to_string()[30..];
        let mine: Vec<_> = doc
            .who_looked
            .iter()
            .filter(|l| l.who == format!("an ixorg employee (support, ref. {reference})"))
            .collect();
        assert_eq!(mine.len(), 2, "the allowed and the refused look");
        assert_eq!(mine[0].purpose, "contact");
        assert!(mine[1].outcome.starts_with("refused"));
        assert_eq!(raw::who_looked(&t, main).await.len(), doc.who_looked.len());
    }
);

db_test!(
    a_main_participant_exports_a_childs_data_but_not_the_partners,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let members = register(&ctx).await.members;
        let (main, partner, child) = (members[0].0, members[1].0, members[2].0);
        // Act
        let childs = export::export(&ctx, main, child).await;
        let partners = export::export(&ctx, main, partner).await;
        // Assert
        let childs = childs.expect("a main participant acts for a child under 16");
        assert_eq!(childs.participant_id, child);
        assert!(matches!(
            partners,
            Err(PrivacyError::Refused(Refusal::Rule("not_own_data")))
        ));
        let log = raw::who_looked(&t, child).await;
        assert_eq!(log, vec![("participant".to_owned(), "allowed".to_owned())]);
    }
);

db_test!(
    a_participant_corrects_their_contact_data_and_the_old_value_is_kept,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (main, ..) = register(&ctx).await.members[0].clone();
        // Act
        requests::correct_contact(&ctx, main, main, ContactField::City, "Zeist")
            .await
            .expect("a participant corrects their city");
        let bad = requests::correct_contact(&ctx, main, main, ContactField::Postcode, "12").await;
        // Assert
        assert!(matches!(
            bad,
            Err(PrivacyError::Invalid {
                field: "postcode",
                ..
            })
        ));
        let doc = export_of(&ctx, main).await;
        let city = &doc.section("participant").expect("participant").rows[0]["city"];
        assert_eq!(city, "Zeist");
        let changes = &doc.section("personal_data_change").expect("changes").rows;
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0]["old_contact"], "Utrecht");
        assert_eq!(changes[0]["field_name"], "city");
    }
);

db_test!(
    an_iban_correction_needs_a_second_staff_member_and_amends_the_mandate,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let household = register(&ctx).await;
        let main = household.members[0].0;
        let first = staff(&ctx, "petra", Role::PrivacyOfficer).await;
        let second = staff(&ctx, "ruud", Role::PrivacyOfficer).await;
        let request = requests::file(
            &ctx,
            main,
            main,
            NewRequest::Rectification {
                field: CheckedField::Iban,
                value: "NL39RABO0300065264".into(),
                account_holder: Some("J. van der Wiel".into()),
            },
        )
        .await
        .expect("file the rectification");
        // Act
        let once = requests::approve(&ctx, first, request).await;
        let same_again = requests::approve(&ctx, first, request).await;
        let twice = requests::approve(&ctx, second, request).await;
        // Assert
        assert_eq!(
            once.expect("first approval"),
            Approval::AwaitingSecondApproval
        );
        assert!(matches!(same_again, Err(PrivacyError::State(_))));
        assert!(matches!(twice, Ok(Approval::Completed(_))));
        let amended = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM mandate WHERE iban = 'NL39RABO0300065264' \
             AND amended_from_iban = 'NL91ABNA0417164300'",
        )
        .await;
        assert_eq!(amended, 1, "the next collection carries the amendment");
        let (record, history) = requests::show(&ctx, second, request).await.expect("show");
        assert_eq!(record.status, RequestStatus::Completed);
        let steps: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(steps, ["received", "approved", "completed"]);
        let doc = export_of(&ctx, main).await;
        let change = &doc.section("personal_data_change").expect("changes").rows[0];
        assert_eq!(
            change["old_financial"],
            "NL91ABNA0417164300 / J. van der Wiel"
        );
    }
);

db_test!(
    a_bsn_correction_is_checked_encrypted_while_waiting_and_applied_by_the_privacy_officer,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let partner = register(&ctx).await.members[1].0;
        let officer = staff(&ctx, "petra", Role::PrivacyOfficer).await;
        let wrong = NewRequest::Rectification {
            field: CheckedField::Bsn,
            value: "123456789".into(),
            account_holder: None,
        };
        let right = NewRequest::Rectification {
            field: CheckedField::Bsn,
            value: "123456782".into(),
            account_holder: None,
        };
        // Act
        let refused = requests::file(&ctx, partner, partner, wrong).await;
        let request = requests::file(&ctx, partner, partner, right)
            .await
            .expect("file");
        let waiting = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM privacy_request WHERE proposed_national_id IS NOT NULL",
        )
        .await;
        let done = requests::approve(&ctx, officer, request).await;
        // Assert
        assert!(matches!(
            refused,
            Err(PrivacyError::Invalid { field: "bsn", .. })
        ));
        assert_eq!(waiting, 1);
        assert!(matches!(done, Ok(Approval::Completed(_))));
        let bsn = "123456782".parse().expect("bsn");
        let found = participants::find_by_bsn(
            &ctx,
            participants::Viewer {
                actor: Actor::System("test".into()),
                role: Role::System,
            },
            Some(Purpose::ServiceDelivery),
            &bsn,
        )
        .await
        .expect("look up");
        assert_eq!(found, Some(partner));
        for bytes in raw::bsn_columns(&t).await {
            assert!(!String::from_utf8_lossy(&bytes).contains("123456782"));
        }
    }
);

db_test!(
    a_pending_request_past_its_month_is_flagged_overdue,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (main, ..) = register(&ctx).await.members[0].clone();
        let officer = staff(&ctx, "petra", Role::PrivacyOfficer).await;
        let request = requests::file(&ctx, main, main, NewRequest::Access)
            .await
            .expect("file");
        let later = ixorg_app::AppContext {
            clock: std::sync::Arc::new(ixorg_app::FixedClock(
                time::macros::datetime!(2026-12-27 09:00 UTC),
            )),
            ..ctx.clone()
        };
        // Act
        let today = requests::pending(&ctx, officer).await.expect("pending");
        let next_month = requests::pending(&later, officer).await.expect("pending");
        requests::assign(&ctx, officer, request)
            .await
            .expect("assign");
        let answer = export::answer_access_request(
            &ctx,
            officer,
            request,
            &crate::temp_dir("answer"),
            ixorg_web::export_page::render,
        )
        .await;
        // Assert
        assert_eq!(today.len(), 1);
        assert_eq!(today[0].request.due_on, date!(2026 - 12 - 26));
        assert!(!today[0].overdue);
        assert!(next_month[0].overdue);
        let answer = answer.expect("answered");
        assert_eq!(answer.document.participant_id, main);
        assert!(answer.json.exists() && answer.html.exists());
        assert!(
            requests::pending(&ctx, officer)
                .await
                .expect("pending")
                .is_empty()
        );
        let (record, history) = requests::show(&ctx, officer, request).await.expect("show");
        assert_eq!(record.owner, Some(officer.id));
        assert_eq!(history.len(), 3, "received, assigned, completed");
    }
);

db_test!(
    a_restricted_participant_is_read_only_for_audit_and_legal_duties,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (main, ..) = register(&ctx).await.members[0].clone();
        let officer = staff(&ctx, "petra", Role::PrivacyOfficer).await;
        let support = staff(&ctx, "sam", Role::Support).await;
        let request = requests::file(&ctx, main, main, NewRequest::Restriction)
            .await
            .expect("file");
        // Act
        requests::approve(&ctx, officer, request)
            .await
            .expect("approve the restriction");
        let viewer = participants::Viewer {
            actor: Actor::Staff(support.id),
            role: Role::Support,
        };
        let support_look =
            participants::view(&ctx, viewer, Some(Purpose::Contact), main, &[]).await;
        let officer_look = participants::view(
            &ctx,
            participants::Viewer {
                actor: Actor::Staff(officer.id),
                role: Role::PrivacyOfficer,
            },
            Some(Purpose::LegalObligation),
            main,
            &[],
        )
        .await;
        let own = export::export(&ctx, main, main).await;
        // Assert
        assert!(matches!(
            support_look,
            Err(participants::ViewError::Refused(Refusal::Rule(
                "restricted"
            )))
        ));
        assert!(officer_look.is_ok());
        assert!(own.is_ok(), "the participant still sees their own data");
    }
);

db_test!(an_objection_stops_promotion_at_once, async |t: TestDb| {
    // Arrange
    let ctx = test_app(&t).await;
    let (main, ..) = register(&ctx).await.members[0].clone();
    let support = staff(&ctx, "sam", Role::Support).await;
    let without = consent::promotion_contact(&ctx, support, main).await;
    consent::set(&ctx, main, main, Choice::Marketing, true)
        .await
        .expect("consent to marketing");
    let audience = consent::promotion_audience(&ctx, support)
        .await
        .expect("audience");
    consent::promotion_contact(&ctx, support, main)
        .await
        .expect("with consent, promotion may use the contact data");
    // Act
    consent::object_to_marketing(&ctx, main, main)
        .await
        .expect("object");
    // Assert
    assert!(matches!(
        without,
        Err(PrivacyError::Refused(Refusal::Rule("no_marketing_consent")))
    ));
    assert_eq!(audience.len(), 1);
    assert!(
        consent::promotion_audience(&ctx, support)
            .await
            .expect("audience")
            .is_empty()
    );
    let after = consent::promotion_contact(&ctx, support, main).await;
    assert!(matches!(
        after,
        Err(PrivacyError::Refused(Refusal::Rule("no_marketing_consent")))
    ));
    let doc = export_of(&ctx, main).await;
    let requests = &doc.section("privacy_request").expect("requests").rows;
    assert_eq!(requests[0]["request_type"], "objection");
    assert_eq!(requests[0]["request_status"], "completed");
});

db_test!(
    withdrawing_consent_stops_the_provider_budget_view_at_once,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let members = register(&ctx).await.members;
        let (main, number) = (members[0].0, members[0].1.clone());
        let (practice, _) = practice(&ctx).await;
        let number: ParticipantNumber = number;
        let with_consent = consent::budget_for_practice(&ctx, practice, &number).await;
        // Act
        consent::set(
            &ctx,
            main,
            main,
            Choice::ProviderView(Scope::Everyone),
            false,
        )
        .await
        .expect("withdraw");
        let after = consent::budget_for_practice(&ctx, practice, &number).await;
        consent::set(
            &ctx,
            main,
            main,
            Choice::ProviderView(Scope::Practice(practice)),
            true,
        )
        .await
        .expect("consent for this practice only");
        let again = consent::budget_for_practice(&ctx, practice, &number).await;
        let nowhere = PracticeId::from_uuid(Uuid::from_u128(42));
        let unknown = consent::set(
            &ctx,
            main,
            main,
            Choice::ProviderView(Scope::Practice(nowhere)),
            true,
        )
        .await;
        // Assert
        let view = with_consent.expect("the application gave consent");
        assert_eq!(view.balance.get(), 0);
        assert!(view.credit_left.get() > 0);
        assert!(matches!(
            after,
            Err(PrivacyError::Refused(Refusal::Rule(
                "no_provider_view_consent"
            )))
        ));
        assert!(again.is_ok());
        assert!(matches!(unknown, Err(PrivacyError::NotFound("practice"))));
        let log = raw::who_looked(&t, main).await;
        let outcomes: Vec<&str> = log
            .iter()
            .filter(|(role, _)| role == "provider")
            .map(|(_, o)| o.as_str())
            .collect();
        assert_eq!(outcomes, ["allowed", "refused", "allowed"]);
        let doc = export_of(&ctx, main).await;
        let named = doc
            .who_looked
            .iter()
            .filter(|l| l.who == "Tandartspraktijk De Molen");
        assert_eq!(
            named.count(),
            3,
            "the participant sees which practice looked"
        );
    }
);

db_test!(
    a_new_privacy_statement_is_shown_at_the_next_login_until_accepted,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (main, ..) = register(&ctx).await.members[0].clone();
        let kind = DocumentKind::PrivacyStatement;
        let first = consent::documents_to_accept(&ctx, main)
            .await
            .expect("to accept");
        for doc in &first {
            consent::accept_document(&ctx, main, doc.kind, doc.version)
                .await
                .expect("accept the shipped version");
        }
        let before = consent::documents_to_accept(&ctx, main)
            .await
            .expect("to accept");
        // Act
        let v2 = consent::publish_document(&ctx, kind, date!(2026 - 11 - 20), "Retention.", "v2")
            .await
            .expect("publish v2");
        let future = DocumentKind::CookiePolicy;
        consent::publish_document(&ctx, future, date!(2027 - 01 - 01), "Later.", "later")
            .await
            .expect("publish a cookie policy for next year");
        let shown = consent::documents_to_accept(&ctx, main)
            .await
            .expect("to accept");
        let old = consent::accept_document(&ctx, main, kind, 1).await;
        consent::accept_document(&ctx, main, kind, v2)
            .await
            .expect("accept v2");
        let after = consent::documents_to_accept(&ctx, main)
            .await
            .expect("to accept");
        // Assert
        let kinds: Vec<DocumentKind> = first.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            [DocumentKind::PrivacyStatement, DocumentKind::CookiePolicy]
        );
        assert!(before.is_empty());
        assert_eq!(
            shown.len(),
            1,
            "the cookie policy of next year is not in force yet"
        );
        assert_eq!(
            (shown[0].kind, shown[0].version, shown[0].accepted),
            (kind, 2, Some(1))
        );
        assert_eq!(shown[0].change_summary, "Retention.");
        assert!(matches!(old, Err(PrivacyError::State(_))));
        assert!(after.is_empty());
        let consents = consent::consents(&ctx, main, main).await.expect("consents");
        assert_eq!(consents.privacy_statement, Some(2));
    }
);

db_test!(
    an_erasure_erases_what_no_law_keeps_restricts_the_rest_and_tells_the_participant_why,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let household = register(&ctx).await;
        let main = household.members[0].0;
        let officer = staff(&ctx, "petra", Role::PrivacyOfficer).await;
        let support = staff(&ctx, "sam", Role::Support).await;
        let request = requests::file(&ctx, main, main, NewRequest::Erasure)
            .await
            .expect("file");
        let while_running = requests::approve(&ctx, officer, request).await;
        let ended = format!(
            "UPDATE contract SET contract_status = 'ended', end_date = '2026-10-31' \
             WHERE contract_id = {}",
            Lit {
                postgres: t.db().backend() == ixorg_app::Backend::Postgres
            }
            .u(household.contract.uuid())
        );
        raw::execute(&t, &ended).await;
        let transfers_before = raw::scalar(&t, "SELECT COUNT(*) FROM ledger_transfer").await;
        // Act
        let done = requests::approve(&ctx, officer, request).await;
        // Assert
        assert!(matches!(while_running, Err(PrivacyError::State(_))));
        let Ok(Approval::Completed(summary)) = done else {
            panic!("the erasure is carried out: {done:?}");
        };
        assert!(
            summary.contains("Kept and restricted: financial"),
            "{summary}"
        );
        assert!(summary.contains("contact"), "{summary}");
        let doc = export_of(&ctx, main).await;
        let me = &doc.section("participant").expect("participant").rows[0];
        assert_eq!(me["email"], serde_json::Value::Null);
        assert_eq!(me["bsn"], serde_json::Value::Null);
        assert_eq!(me["street"], "");
        assert_eq!(rows(&doc, "processing_restriction"), 1);
        assert_eq!(
            rows(&doc, "ledger_account"),
            1,
            "financial records are kept"
        );
        let transfers_after = raw::scalar(&t, "SELECT COUNT(*) FROM ledger_transfer").await;
        assert_eq!(
            transfers_before, transfers_after,
            "the ledger is never touched"
        );
        let viewer = participants::Viewer {
            actor: Actor::Staff(support.id),
            role: Role::Support,
        };
        let look = participants::view(&ctx, viewer, Some(Purpose::Contact), main, &[]).await;
        assert!(matches!(
            look,
            Err(participants::ViewError::Refused(Refusal::Rule(
                "restricted"
            )))
        ));
        let verified = ixorg_app::audit::verify(&ctx).await.expect("verify");
        assert!(
            verified.is_sound(),
            "the books and the access log still verify"
        );
    }
);

db_test!(
    a_database_seeded_with_the_earlier_policy_gets_the_new_rules_when_it_migrates,
    async |t: TestDb| {
        // Arrange: a database whose policy predates the privacy engine's rules.
        let ctx = test_app(&t).await;
        let removed = raw::execute(
            &t,
            "DELETE FROM policy_rule WHERE purpose IN ('promotion', 'statistics', 'security', \
             'complaints', 'internal_management') OR role_name = 'processor'",
        )
        .await;
        raw::execute(&t, "DELETE FROM _sqlx_migrations WHERE version = 7").await;
        ctx.db_close().await;
        // Act
        let reopened = test_app(&t).await;
        // Assert
        assert!(removed > 30, "the earlier policy lacked {removed} rules");
        assert_eq!(
            *reopened.policy,
            ixorg_domain::privacy::Policy::defaults(),
            "the migration adds what the earlier policy lacked"
        );
    }
);

db_test!(
    the_readable_export_escapes_what_a_participant_typed,
    async |t: TestDb| {
        // Arrange
        let ctx = test_app(&t).await;
        let (main, ..) = register(&ctx).await.members[0].clone();
        requests::correct_contact(&ctx, main, main, ContactField::City, "<script>x</script>")
            .await
            .expect("any printable text is a city as far as the form goes");
        // Act
        let html = ixorg_web::export_page::render(&export_of(&ctx, main).await);
        // Assert
        assert!(
            !html.contains("<script>"),
            "no markup from data reaches the page"
        );
        assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
    }
);
