//! Reference data: product terms (versioned parameters) and NZa tariffs with point values.

use ixorg_domain::Cents;
use ixorg_domain::tariff::{PointValue, Tariff, TariffTable};
use ixorg_domain::terms::{CollectionDay, ProductTerms, TermsHistory, TermsVersion};
use ixorg_domain::timestamp::Timestamp;
use time::Date;

use crate::error::corrupt;
use crate::{Error, Tx, on_tx};

fn collection_day_name(day: CollectionDay) -> &'static str {
    match day {
        CollectionDay::FirstWorkingDay => "first_working_day",
    }
}

fn collection_day_parse(text: &str) -> Option<CollectionDay> {
    match text {
        "first_working_day" => Some(CollectionDay::FirstWorkingDay),
        _ => None,
    }
}

#[derive(sqlx::FromRow)]
struct TermsRow {
    valid_from: Date,
    fee_cents_monthly_main: i64,
    fee_cents_monthly_further_adult: i64,
    fee_cents_monthly_child: i64,
    child_age_years_below: i64,
    saving_cents_monthly_min: i64,
    saving_cents_monthly_max: i64,
    credit_line_cents_cap: i64,
    collection_day: String,
    first_collection_sequence_frst: bool,
    yearly_checkup_code: String,
    yearly_checkup_deduction: bool,
    budget_change_upward_any_time: bool,
    budget_change_per_year_max: i64,
    termination_notice_months: i64,
    declarations_after_end_months: i64,
    start_date_months_ahead_max: i64,
    late_submission_months: i64,
    accident_cover_cents_max: i64,
    accident_cover_percent: i64,
    accident_report_months_max: i64,
    accident_treatment_years_max: i64,
    complaint_answer_weeks: i64,
    technical_data_retention_days: i64,
    premium_cents_monthly_adult: i64,
    fraud_near_duplicate_days: i64,
    fraud_providers_per_day_max: i64,
    fraud_first_month_cents_min: i64,
    declaration_line_cents_max: i64,
}

fn small<T: TryFrom<i64>>(v: i64, column: &str) -> Result<T, Error> {
    T::try_from(v).map_err(|_| corrupt("product_terms_version", column))
}

impl TryFrom<TermsRow> for TermsVersion {
    type Error = Error;
    fn try_from(r: TermsRow) -> Result<Self, Error> {
        let terms = ProductTerms {
            fee_cents_monthly_main: Cents::new(r.fee_cents_monthly_main),
            fee_cents_monthly_further_adult: Cents::new(r.fee_cents_monthly_further_adult),
            fee_cents_monthly_child: Cents::new(r.fee_cents_monthly_child),
            child_age_years_below: small(r.child_age_years_below, "child_age_years_below")?,
            saving_cents_monthly_min: Cents::new(r.saving_cents_monthly_min),
            saving_cents_monthly_max: Cents::new(r.saving_cents_monthly_max),
            credit_line_cents_cap: Cents::new(r.credit_line_cents_cap),
            collection_day: collection_day_parse(&r.collection_day)
                .ok_or_else(|| corrupt("product_terms_version", "collection_day"))?,
            first_collection_sequence_frst: r.first_collection_sequence_frst,
            yearly_checkup_code: r.yearly_checkup_code,
            yearly_checkup_deduction: r.yearly_checkup_deduction,
            budget_change_upward_any_time: r.budget_change_upward_any_time,
            budget_change_per_year_max: small(
                r.budget_change_per_year_max,
                "budget_change_per_year_max",
            )?,
            termination_notice_months: small(
                r.termination_notice_months,
                "termination_notice_months",
            )?,
            declarations_after_end_months: small(
                r.declarations_after_end_months,
                "declarations_after_end_months",
            )?,
            start_date_months_ahead_max: small(
                r.start_date_months_ahead_max,
                "start_date_months_ahead_max",
            )?,
            late_submission_months: small(r.late_submission_months, "late_submission_months")?,
            accident_cover_cents_max: Cents::new(r.accident_cover_cents_max),
            accident_cover_percent: small(r.accident_cover_percent, "accident_cover_percent")?,
            accident_report_months_max: small(
                r.accident_report_months_max,
                "accident_report_months_max",
            )?,
            accident_treatment_years_max: small(
                r.accident_treatment_years_max,
                "accident_treatment_years_max",
            )?,
            complaint_answer_weeks: small(r.complaint_answer_weeks, "complaint_answer_weeks")?,
            technical_data_retention_days: small(
                r.technical_data_retention_days,
                "technical_data_retention_days",
            )?,
            premium_cents_monthly_adult: Cents::new(r.premium_cents_monthly_adult),
            fraud_near_duplicate_days: small(
                r.fraud_near_duplicate_days,
                "fraud_near_duplicate_days",
            )?,
            fraud_providers_per_day_max: small(
                r.fraud_providers_per_day_max,
                "fraud_providers_per_day_max",
            )?,
            fraud_first_month_cents_min: Cents::new(r.fraud_first_month_cents_min),
            declaration_line_cents_max: Cents::new(r.declaration_line_cents_max),
        };
        Ok(TermsVersion {
            valid_from: r.valid_from,
            terms,
        })
    }
}

/// Every stored version of the product terms, oldest first.
pub async fn terms_history(tx: &mut Tx) -> Result<TermsHistory, Error> {
    const SQL: &str = "SELECT valid_from, fee_cents_monthly_main, \
         fee_cents_monthly_further_adult, fee_cents_monthly_child, child_age_years_below, \
         saving_cents_monthly_min, saving_cents_monthly_max, credit_line_cents_cap, \
         collection_day, first_collection_sequence_frst, yearly_checkup_code, \
         yearly_checkup_deduction, budget_change_upward_any_time, budget_change_per_year_max, \
         termination_notice_months, declarations_after_end_months, start_date_months_ahead_max, \
         late_submission_months, accident_cover_cents_max, accident_cover_percent, \
         accident_report_months_max, accident_treatment_years_max, complaint_answer_weeks, \
         technical_data_retention_days, premium_cents_monthly_adult, fraud_near_duplicate_days, \
         fraud_providers_per_day_max, fraud_first_month_cents_min, declaration_line_cents_max \
         FROM product_terms_version \
         ORDER BY valid_from";
    let rows: Vec<TermsRow> = on_tx!(tx, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    let versions = rows
        .into_iter()
        .map(TermsVersion::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    TermsHistory::new(versions).map_err(|_| corrupt("product_terms_version", "valid_from"))
}

/// Stores a version of the product terms. A version for the same date is left as it is (it is
/// history); a correction is a new version with a later date.
pub async fn insert_terms(tx: &mut Tx, v: &TermsVersion, now: Timestamp) -> Result<bool, Error> {
    const SQL: &str = "INSERT INTO product_terms_version (valid_from, fee_cents_monthly_main, \
         fee_cents_monthly_further_adult, fee_cents_monthly_child, child_age_years_below, \
         saving_cents_monthly_min, saving_cents_monthly_max, credit_line_cents_cap, \
         collection_day, first_collection_sequence_frst, yearly_checkup_code, \
         yearly_checkup_deduction, budget_change_upward_any_time, budget_change_per_year_max, \
         termination_notice_months, declarations_after_end_months, start_date_months_ahead_max, \
         late_submission_months, accident_cover_cents_max, accident_cover_percent, \
         accident_report_months_max, accident_treatment_years_max, complaint_answer_weeks, \
         technical_data_retention_days, created_at_ms, premium_cents_monthly_adult, \
         fraud_near_duplicate_days, fraud_providers_per_day_max, fraud_first_month_cents_min, \
         declaration_line_cents_max) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30) \
         ON CONFLICT (valid_from) DO NOTHING";
    let t = &v.terms;
    let done = on_tx!(tx, c => sqlx::query(SQL)
        .bind(v.valid_from)
        .bind(t.fee_cents_monthly_main.get())
        .bind(t.fee_cents_monthly_further_adult.get())
        .bind(t.fee_cents_monthly_child.get())
        .bind(i64::from(t.child_age_years_below))
        .bind(t.saving_cents_monthly_min.get())
        .bind(t.saving_cents_monthly_max.get())
        .bind(t.credit_line_cents_cap.get())
        .bind(collection_day_name(t.collection_day))
        .bind(t.first_collection_sequence_frst)
        .bind(t.yearly_checkup_code.as_str())
        .bind(t.yearly_checkup_deduction)
        .bind(t.budget_change_upward_any_time)
        .bind(i64::from(t.budget_change_per_year_max))
        .bind(i64::from(t.termination_notice_months))
        .bind(i64::from(t.declarations_after_end_months))
        .bind(i64::from(t.start_date_months_ahead_max))
        .bind(i64::from(t.late_submission_months))
        .bind(t.accident_cover_cents_max.get())
        .bind(i64::from(t.accident_cover_percent))
        .bind(i64::from(t.accident_report_months_max))
        .bind(i64::from(t.accident_treatment_years_max))
        .bind(i64::from(t.complaint_answer_weeks))
        .bind(i64::from(t.technical_data_retention_days))
        .bind(now.unix_ms())
        .bind(t.premium_cents_monthly_adult.get())
        .bind(i64::from(t.fraud_near_duplicate_days))
        .bind(i64::from(t.fraud_providers_per_day_max))
        .bind(t.fraud_first_month_cents_min.get())
        .bind(t.declaration_line_cents_max.get())
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Stores (or updates, by code) the tariff list and point values.
pub async fn upsert_tariffs(
    tx: &mut Tx,
    tariffs: &[Tariff],
    point_values: &[(PointValue, String)],
) -> Result<(), Error> {
    const TARIFF: &str = "INSERT INTO tariff_code (code, code_group, description, \
         points_hundredths, unit) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET \
         code_group = excluded.code_group, description = excluded.description, \
         points_hundredths = excluded.points_hundredths, unit = excluded.unit";
    const POINT: &str = "INSERT INTO point_value (year, eur_ten_thousandths, basis) \
         VALUES ($1, $2, $3) ON CONFLICT (year) DO UPDATE SET \
         eur_ten_thousandths = excluded.eur_ten_thousandths, basis = excluded.basis";
    for t in tariffs {
        on_tx!(tx, c => sqlx::query(TARIFF)
            .bind(t.code.as_str())
            .bind(t.group.as_str())
            .bind(t.description.as_str())
            .bind(t.points_hundredths)
            .bind(t.unit.as_str())
            .execute(&mut *c)
            .await
        .map(|r| r.rows_affected()))?;
    }
    for (pv, basis) in point_values {
        on_tx!(tx, c => sqlx::query(POINT)
            .bind(i64::from(pv.year))
            .bind(pv.eur_ten_thousandths)
            .bind(basis.as_str())
            .execute(&mut *c)
            .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TariffRow {
    code: String,
    code_group: String,
    description: String,
    points_hundredths: i64,
    unit: String,
}

/// The stored tariff list and point values as a table for `max_tariff`.
pub async fn tariff_table(tx: &mut Tx) -> Result<TariffTable, Error> {
    const TARIFFS: &str = "SELECT code, code_group, description, points_hundredths, unit \
         FROM tariff_code ORDER BY code";
    const POINTS: &str = "SELECT year, eur_ten_thousandths FROM point_value ORDER BY year";
    let rows: Vec<TariffRow> = on_tx!(tx, c => sqlx::query_as(TARIFFS).fetch_all(&mut *c).await)?;
    let points: Vec<(i64, i64)> = on_tx!(tx, c => sqlx::query_as(POINTS).fetch_all(&mut *c).await)?;
    let tariffs = rows
        .into_iter()
        .map(|r| {
            Ok(Tariff {
                code: r.code.parse().map_err(|_| corrupt("tariff_code", "code"))?,
                group: r.code_group,
                description: r.description,
                points_hundredths: r.points_hundredths,
                unit: r.unit,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let point_values = points
        .into_iter()
        .map(|(year, eur)| {
            Ok(PointValue {
                year: i32::try_from(year).map_err(|_| corrupt("point_value", "year"))?,
                eur_ten_thousandths: eur,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    TariffTable::new(tariffs, point_values).map_err(|_| corrupt("tariff_code", "code"))
}
