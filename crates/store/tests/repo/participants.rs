//! Contracts and participants, written and read through grants of the privacy gate.

use ixorg_domain::Cents;
use ixorg_domain::identifiers::{AgbCode, Iban, ParticipantNumber, Postcode};
use ixorg_domain::ids::{ContractId, ParticipantId, PracticeId, StaffUserId};
use ixorg_domain::person::Gender;
use ixorg_domain::privacy::{Action, Actor, DataCategory, Policy, Purpose, Role};
use ixorg_domain::terms::HouseholdRole;
use ixorg_store::gate::{self, AccessRequest, Grant};
use ixorg_store::participants::{self, NewContract, ParticipantRecord};
use ixorg_store::parties::{self, Practice};
use ixorg_store::{ConflictKind, Db, Error, Tx};
use ixorg_testkit::{TestDb, db_test};
use time::macros::date;
use uuid::Uuid;

use crate::{NOW, scalar};

const CONTRACT: ContractId = ContractId::from_uuid(Uuid::from_u128(0xc0_0001));
const PRACTICE: PracticeId = PracticeId::from_uuid(Uuid::from_u128(0x9a_0001));

fn participant_id(n: u128) -> ParticipantId {
    ParticipantId::from_uuid(Uuid::from_u128(0xbeef_0000 + n))
}

/// The grant an enrolment job gets: change identity, contact, BSN and financial data.
async fn enrolment_grant(tx: &mut Tx) -> Grant {
    let request = AccessRequest {
        actor: Actor::System("test".to_owned()),
        role: Role::System,
        purpose: Some(Purpose::ServiceDelivery),
        subject: None,
        categories: vec![
            DataCategory::Identity,
            DataCategory::Contact,
            DataCategory::NationalId,
            DataCategory::Financial,
            DataCategory::ProviderLink,
            DataCategory::Account,
        ],
        action: Action::Change,
    };
    gate::authorize(tx, &Policy::defaults(), request, NOW)
        .await
        .expect("the gate answers")
        .expect("the system may enrol participants")
}

/// The grant a support employee gets to look a participant up.
async fn support_grant(tx: &mut Tx, subject: ParticipantId) -> Grant {
    let request = AccessRequest {
        actor: Actor::Staff(StaffUserId::from_uuid(Uuid::from_u128(0x57af))),
        role: Role::Support,
        purpose: Some(Purpose::ServiceDelivery),
        subject: Some(subject),
        categories: vec![DataCategory::Identity, DataCategory::Contact],
        action: Action::Read,
    };
    gate::authorize(tx, &Policy::defaults(), request, NOW)
        .await
        .expect("the gate answers")
        .expect("support may read identity and contact data")
}

fn main_participant(id: ParticipantId, number: ParticipantNumber) -> ParticipantRecord {
    ParticipantRecord {
        id,
        contract: CONTRACT,
        number,
        role: HouseholdRole::Main,
        details: ixorg_domain::person::PersonalDetails {
            first_names: "Johanna Maria".to_owned(),
            initials: "J.M.".to_owned(),
            surname_prefix: "van der".to_owned(),
            surname: "Berg".to_owned(),
            date_of_birth: date!(1984 - 02 - 29),
            gender: Gender::Female,
            street: "Kerkstraat".to_owned(),
            house_number: 12,
            house_number_addition: "bis".to_owned(),
            postcode: Postcode::parse("1234 AB").expect("a valid postcode"),
            city: "Utrecht".to_owned(),
            email: Some("j.vanderberg@example.nl".to_owned()),
            phone: Some("+31612345678".to_owned()),
        },
        bsn_ciphertext: Some(vec![1, 0xaa, 0xbb, 0xcc, 0x00, 0xff]),
        bsn_blind_index: Some(vec![0x42; 32]),
        annual_budget: Cents::new(24_000),
        practice: Some(PRACTICE),
    }
}

fn child(id: ParticipantId, number: ParticipantNumber) -> ParticipantRecord {
    ParticipantRecord {
        role: HouseholdRole::Child,
        details: ixorg_domain::person::PersonalDetails {
            first_names: "Pieter".to_owned(),
            initials: "P.".to_owned(),
            date_of_birth: date!(2015 - 12 - 31),
            gender: Gender::Male,
            house_number_addition: String::new(),
            email: None,
            phone: None,
            ..main_participant(id, number.clone()).details
        },
        bsn_ciphertext: None,
        bsn_blind_index: None,
        annual_budget: Cents::new(6_000),
        practice: None,
        ..main_participant(id, number)
    }
}

/// Stores the practice and the contract, and commits.
async fn contract_and_practice(db: &Db) {
    let mut tx = db.begin().await.expect("begin");
    let grant = enrolment_grant(&mut tx).await;
    parties::insert_practice(
        &mut tx,
        &Practice {
            id: PRACTICE,
            agb: AgbCode::parse("12345678").expect("a valid AGB code"),
            name: "Tandartsenpraktijk De Molen".to_owned(),
            city: "Utrecht".to_owned(),
        },
        NOW,
    )
    .await
    .expect("insert the practice");
    participants::insert_contract(
        &mut tx,
        &grant,
        &NewContract {
            id: CONTRACT,
            start_date: date!(2026 - 02 - 01),
            iban: Iban::parse("NL91ABNA0417164300").expect("a valid IBAN"),
            account_holder: "J.M. van der Berg".to_owned(),
        },
        NOW,
    )
    .await
    .expect("insert the contract");
    tx.commit().await.expect("commit");
}

/// The grant a batch job gets to read everything of one participant.
async fn full_read_grant(tx: &mut Tx, subject: ParticipantId) -> Grant {
    let request = AccessRequest {
        actor: Actor::System("test".to_owned()),
        role: Role::System,
        purpose: Some(Purpose::ServiceDelivery),
        subject: Some(subject),
        categories: vec![
            DataCategory::Identity,
            DataCategory::Contact,
            DataCategory::NationalId,
            DataCategory::Financial,
            DataCategory::ProviderLink,
            DataCategory::Account,
        ],
        action: Action::Read,
    };
    gate::authorize(tx, &Policy::defaults(), request, NOW)
        .await
        .expect("the gate answers")
        .expect("the system may read a participant")
}

async fn read(db: &Db, id: ParticipantId) -> ParticipantRecord {
    let mut tx = db.begin().await.expect("begin");
    let grant = full_read_grant(&mut tx, id).await;
    let record = participants::get(&mut tx, &grant, id)
        .await
        .expect("read the participant");
    tx.commit().await.expect("commit the access-log entry");
    record
}

fn assert_same(read: &ParticipantRecord, written: &ParticipantRecord) {
    // Field by field first, so a failure names the field (the record's Debug is redacted).
    assert_eq!(read.id, written.id);
    assert_eq!(read.contract, written.contract);
    assert_eq!(read.number, written.number);
    assert_eq!(read.role, written.role);
    assert_eq!(read.details.first_names, written.details.first_names);
    assert_eq!(read.details.initials, written.details.initials);
    assert_eq!(read.details.surname_prefix, written.details.surname_prefix);
    assert_eq!(read.details.surname, written.details.surname);
    assert_eq!(read.details.date_of_birth, written.details.date_of_birth);
    assert_eq!(read.details.gender, written.details.gender);
    assert_eq!(read.details.street, written.details.street);
    assert_eq!(read.details.house_number, written.details.house_number);
    assert_eq!(
        read.details.house_number_addition,
        written.details.house_number_addition
    );
    assert_eq!(
        read.details.postcode.as_str(),
        written.details.postcode.as_str()
    );
    assert_eq!(read.details.city, written.details.city);
    assert_eq!(read.details.email, written.details.email);
    assert_eq!(read.details.phone, written.details.phone);
    assert_eq!(read.bsn_ciphertext, written.bsn_ciphertext);
    assert_eq!(read.bsn_blind_index, written.bsn_blind_index);
    assert_eq!(read.annual_budget, written.annual_budget);
    assert_eq!(read.practice, written.practice);
    assert!(read == written, "the records differ");
}

db_test!(
    a_stored_participant_reads_back_field_for_field,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        contract_and_practice(db).await;
        // Act
        let mut tx = db.begin().await.expect("begin");
        let grant = enrolment_grant(&mut tx).await;
        let main_number = participants::next_participant_number(&mut tx)
            .await
            .expect("a number");
        let child_number = participants::next_participant_number(&mut tx)
            .await
            .expect("a number");
        let main = main_participant(participant_id(1), main_number);
        let kid = child(participant_id(2), child_number);
        participants::insert_participant(&mut tx, &grant, &main, NOW)
            .await
            .expect("insert the main participant");
        participants::insert_participant(&mut tx, &grant, &kid, NOW)
            .await
            .expect("insert a child without BSN");
        tx.commit().await.expect("commit");
        // Assert
        assert_same(&read(db, main.id).await, &main);
        assert_same(&read(db, kid.id).await, &kid);
        let mut tx = db.begin_read().await.expect("begin a read");
        assert_eq!(participants::count(&mut tx).await.expect("count"), 2);
        // Two enrolment decisions (about no one in particular) and two full reads.
        assert_eq!(scalar(db, "SELECT COUNT(*) FROM access_log").await, 4);
        let entries = ixorg_store::access_log::for_subject(&mut tx, main.id)
            .await
            .expect("the main participant's log");
        assert_eq!(entries.len(), 1);
        assert_eq!(
            entries[0].categories,
            "identity,contact,national_id,financial,provider_link,account"
        );
    }
);

db_test!(
    participant_numbers_are_distinct_increasing_and_valid,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        // Act: numbers drawn in three transactions, one of them rolled back.
        let mut numbers = Vec::new();
        for commit in [true, false, true] {
            let mut tx = db.begin().await.expect("begin");
            for _ in 0..3 {
                numbers.push(
                    participants::next_participant_number(&mut tx)
                        .await
                        .expect("a number"),
                );
            }
            if commit {
                tx.commit().await.expect("commit");
            } else {
                tx.rollback().await.expect("roll back");
                numbers.truncate(numbers.len() - 3);
            }
        }
        // Assert
        let sequences: Vec<u32> = numbers.iter().map(ParticipantNumber::sequence).collect();
        assert_eq!(sequences, vec![1, 2, 3, 4, 5, 6]);
        for n in &numbers {
            assert_eq!(ParticipantNumber::parse(n.as_str()).as_ref(), Ok(n));
        }
        // Damm check digit of 00000001: row 0, column 1 of the quasigroup is 3. (The example in
        // the domain's doc comment, `000000015`, has the wrong check digit.)
        assert_eq!(numbers[0].as_str(), "000000013");
    }
);

db_test!(
    a_second_participant_with_the_same_bsn_is_a_conflict,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        contract_and_practice(db).await;
        let mut tx = db.begin().await.expect("begin");
        let grant = enrolment_grant(&mut tx).await;
        let number = participants::next_participant_number(&mut tx)
            .await
            .expect("a number");
        let first = main_participant(participant_id(1), number);
        participants::insert_participant(&mut tx, &grant, &first, NOW)
            .await
            .expect("insert the first participant");
        tx.commit().await.expect("commit");
        // Act
        let mut tx = db.begin().await.expect("begin");
        let grant = enrolment_grant(&mut tx).await;
        let number = participants::next_participant_number(&mut tx)
            .await
            .expect("a number");
        let twin = main_participant(participant_id(2), number);
        let twin = ParticipantRecord {
            details: ixorg_domain::person::PersonalDetails {
                first_names: "Anna".to_owned(),
                ..twin.details.clone()
            },
            ..twin
        };
        let second = participants::insert_participant(&mut tx, &grant, &twin, NOW).await;
        tx.rollback().await.expect("roll back");
        // Assert
        assert!(
            matches!(second, Err(Error::Conflict(ConflictKind::DuplicateBsn))),
            "{second:?}"
        );
        let mut tx = db.begin().await.expect("begin");
        let grant = AccessRequest {
            categories: vec![DataCategory::NationalId],
            action: Action::Read,
            ..enrolment_grant(&mut tx).await.request().clone()
        };
        let grant = gate::authorize(&mut tx, &Policy::defaults(), grant, NOW)
            .await
            .expect("the gate answers")
            .expect("the system may look a BSN up");
        let found = participants::find_by_bsn_index(&mut tx, &grant, &[0x42; 32])
            .await
            .expect("look the BSN up");
        assert_eq!(found, Some(first.id));
        let missing = participants::find_by_bsn_index(&mut tx, &grant, &[0x43; 32])
            .await
            .expect("look another BSN up");
        assert_eq!(missing, None);
        let ciphertexts = participants::bsn_ciphertexts(&mut tx, &grant)
            .await
            .expect("the ciphertexts");
        assert_eq!(
            ciphertexts,
            vec![(first.id, first.bsn_ciphertext.clone().expect("a BSN"))]
        );
    }
);

db_test!(
    a_participant_number_is_never_given_twice,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        contract_and_practice(db).await;
        let mut tx = db.begin().await.expect("begin");
        let grant = enrolment_grant(&mut tx).await;
        let number = participants::next_participant_number(&mut tx)
            .await
            .expect("a number");
        participants::insert_participant(
            &mut tx,
            &grant,
            &child(participant_id(1), number.clone()),
            NOW,
        )
        .await
        .expect("insert the first participant");
        tx.commit().await.expect("commit");
        // Act
        let mut tx = db.begin().await.expect("begin");
        let grant = enrolment_grant(&mut tx).await;
        let second = participants::insert_participant(
            &mut tx,
            &grant,
            &child(participant_id(2), number),
            NOW,
        )
        .await;
        // Assert
        assert!(
            matches!(
                second,
                Err(Error::Conflict(ConflictKind::DuplicateParticipantNumber))
            ),
            "{second:?}"
        );
    }
);

db_test!(
    participant_functions_refuse_a_grant_that_does_not_cover_them,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        contract_and_practice(db).await;
        let mut tx = db.begin().await.expect("begin");
        let number = participants::next_participant_number(&mut tx)
            .await
            .expect("a number");
        let p = main_participant(participant_id(1), number);
        let enrol = enrolment_grant(&mut tx).await;
        participants::insert_participant(&mut tx, &enrol, &p, NOW)
            .await
            .expect("insert");
        let support = support_grant(&mut tx, p.id).await;
        // Act
        let insert_with_a_read_grant =
            participants::insert_participant(&mut tx, &support, &p, NOW).await;
        let read_with_a_change_grant = participants::get(&mut tx, &enrol, p.id).await;
        let read_another_subject = participants::get(&mut tx, &support, participant_id(2)).await;
        let bsn_lookup_by_support =
            participants::find_by_bsn_index(&mut tx, &support, &[0x42; 32]).await;
        // Assert
        assert!(
            matches!(insert_with_a_read_grant, Err(Error::GrantDoesNotCover(_))),
            "{insert_with_a_read_grant:?}"
        );
        assert!(
            matches!(read_with_a_change_grant, Err(Error::GrantDoesNotCover(_))),
            "{read_with_a_change_grant:?}"
        );
        assert!(
            matches!(
                read_another_subject,
                Err(Error::GrantDoesNotCover("this data subject"))
            ),
            "{read_another_subject:?}"
        );
        assert!(
            matches!(
                bsn_lookup_by_support,
                Err(Error::GrantDoesNotCover("this data subject"))
            ),
            "{bsn_lookup_by_support:?}"
        );
    }
);

db_test!(
    a_read_returns_only_the_categories_its_grant_covers,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        contract_and_practice(db).await;
        let mut tx = db.begin().await.expect("begin");
        let grant = enrolment_grant(&mut tx).await;
        let number = participants::next_participant_number(&mut tx)
            .await
            .expect("a number");
        let main = main_participant(participant_id(1), number);
        participants::insert_participant(&mut tx, &grant, &main, NOW)
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
        // Act: support asks for identity and contact only.
        let mut tx = db.begin().await.expect("begin");
        let grant = support_grant(&mut tx, main.id).await;
        let seen = participants::get(&mut tx, &grant, main.id)
            .await
            .expect("read");
        tx.commit().await.expect("commit");
        // Assert
        assert_eq!(seen.details.surname, main.details.surname);
        assert!(main.bsn_ciphertext.is_some());
        assert_eq!(seen.bsn_ciphertext, None);
        assert_eq!(seen.bsn_blind_index, None);
        assert_eq!(seen.annual_budget, Cents::ZERO);
        assert_eq!(seen.practice, None);
    }
);
