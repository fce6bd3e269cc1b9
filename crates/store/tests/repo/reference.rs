//! Reference data: versioned product terms and the NZa tariffs.

use ixorg_domain::Cents;
use ixorg_domain::tariff::{PointValue, Tariff, TariffCode};
use ixorg_domain::terms::{ProductTerms, TermsVersion};
use ixorg_store::reference;
use ixorg_testkit::{TestDb, db_test};
use time::macros::date;

use crate::NOW;

fn tariff(code: &str, points_hundredths: i64) -> Tariff {
    Tariff {
        code: TariffCode::parse(code).expect("a valid code"),
        group: code[..1].to_owned(),
        description: format!("Test {code}"),
        points_hundredths,
        unit: "per consult".to_owned(),
    }
}

fn point_value(year: i32, eur_ten_thousandths: i64) -> (PointValue, String) {
    (
        PointValue {
            year,
            eur_ten_thousandths,
        },
        format!("NZa {year}"),
    )
}

db_test!(
    the_initial_terms_read_back_as_they_were_written,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let initial = TermsVersion::initial();
        // Act
        let mut tx = db.begin().await.expect("begin");
        let first = reference::insert_terms(&mut tx, &initial, NOW)
            .await
            .expect("insert the terms");
        let again = reference::insert_terms(&mut tx, &initial, NOW)
            .await
            .expect("insert them again");
        tx.commit().await.expect("commit");
        let mut tx = db.begin_read().await.expect("begin a read");
        let history = reference::terms_history(&mut tx)
            .await
            .expect("the history");
        // Assert
        assert!(first);
        assert!(!again, "a version for the same date is history and stays");
        assert_eq!(history.versions(), std::slice::from_ref(&initial));
        assert_eq!(
            history.resolve(date!(2026 - 03 - 15)).expect("in force"),
            &initial.terms
        );
    }
);

db_test!(
    a_later_terms_version_applies_from_its_date,
    async |t: TestDb| {
        // Arrange
        let db = t.db();
        let initial = TermsVersion::initial();
        let later = TermsVersion {
            valid_from: date!(2027 - 01 - 01),
            terms: ProductTerms {
                fee_cents_monthly_main: Cents::new(495),
                yearly_checkup_deduction: false,
                ..initial.terms.clone()
            },
        };
        // Act: written newest first; read oldest first.
        let mut tx = db.begin().await.expect("begin");
        for v in [&later, &initial] {
            reference::insert_terms(&mut tx, v, NOW)
                .await
                .expect("insert a version");
        }
        tx.commit().await.expect("commit");
        let mut tx = db.begin_read().await.expect("begin a read");
        let history = reference::terms_history(&mut tx)
            .await
            .expect("the history");
        // Assert
        assert_eq!(history.versions(), &[initial.clone(), later.clone()]);
        assert_eq!(
            history.resolve(date!(2026 - 12 - 31)).expect("in force"),
            &initial.terms
        );
        assert_eq!(
            history.resolve(date!(2027 - 01 - 01)).expect("in force"),
            &later.terms
        );
    }
);

db_test!(
    stored_tariffs_give_the_maximum_tariff_in_cents,
    async |t: TestDb| {
        // Arrange: C002 is 3.8 points; a point was EUR 6.65 in 2023 and EUR 7.5026 in 2026.
        let db = t.db();
        let tariffs = [
            tariff("C002", 380),
            tariff("X10", 250),
            tariff("M03", 1_000),
        ];
        let points = [point_value(2023, 66_500), point_value(2026, 75_026)];
        // Act
        let mut tx = db.begin().await.expect("begin");
        reference::upsert_tariffs(&mut tx, &tariffs, &points)
            .await
            .expect("store the tariffs");
        // Upserting again with a changed figure updates it instead of adding a row.
        reference::upsert_tariffs(&mut tx, &[tariff("X10", 260)], &[point_value(2026, 75_026)])
            .await
            .expect("store the tariffs again");
        tx.commit().await.expect("commit");
        let mut tx = db.begin_read().await.expect("begin a read");
        let table = reference::tariff_table(&mut tx)
            .await
            .expect("the tariff table");
        // Assert
        let c002 = TariffCode::parse("C002").expect("a valid code");
        let x10 = TariffCode::parse("X10").expect("a valid code");
        assert_eq!(table.max_tariff(&c002, 2026), Ok(Cents::new(2_851)));
        assert_eq!(table.max_tariff(&c002, 2023), Ok(Cents::new(2_527)));
        assert_eq!(table.max_tariff(&x10, 2026), Ok(Cents::new(1_951)));
        assert_eq!(table.tariffs().len(), 3);
        assert_eq!(table.years(), vec![2023, 2026]);
        assert_eq!(table.tariff(&c002), Some(&tariffs[0]));
    }
);
