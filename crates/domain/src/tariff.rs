//! `NZa` maximum tariffs for dental care: prestatiecodes, points and yearly point values.
//!
//! The Dutch Healthcare Authority (`NZa`) sets a number of points per prestatiecode and a euro
//! value per point per year; the maximum tariff is their product, rounded to cents. Declaration
//! lines may not exceed number × maximum tariff (`PRODUCT.md`, "Declarations", rule 2). The
//! figures are data (`data/tariff-codes.csv`, `data/point-values.csv`), read by
//! `ixorg-formats`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::money::{Cents, round_half_away_from_zero};

/// Divisor from points × point value to cents: points are in hundredths (10^2) and the point
/// value in ten-thousandths of a euro (10^4), so the product is in 10^-6 euro = 10^-4 cent.
pub const POINT_PRODUCT_PER_CENT: i128 = 10_000;

/// A prestatiecode (treatment code) such as `C002`, `X10`, `M03` or `A10`: one or two upper-case
/// letters followed by one to three digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TariffCode(String);

impl TariffCode {
    /// Parses a prestatiecode (surrounding whitespace ignored; letters must be upper case, as
    /// published).
    ///
    /// # Errors
    /// [`TariffError::InvalidCode`] when the text is not 1-2 letters and 1-3 digits.
    pub fn parse(text: &str) -> Result<TariffCode, TariffError> {
        let code = text.trim();
        let letters = code.bytes().take_while(u8::is_ascii_uppercase).count();
        let digits = &code[letters..];
        let digits_ok =
            (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        if (1..=2).contains(&letters) && digits_ok {
            Ok(TariffCode(code.to_owned()))
        } else {
            Err(TariffError::InvalidCode)
        }
    }

    /// The code, for example `C002`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TariffCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TariffCode {
    type Err = TariffError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TariffCode::parse(text)
    }
}

impl TryFrom<&str> for TariffCode {
    type Error = TariffError;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        TariffCode::parse(text)
    }
}

/// One prestatiecode of the `NZa` tariff list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tariff {
    /// The prestatiecode.
    pub code: TariffCode,
    /// The chapter of the tariff list (`C` consultation, `X` X-rays, …).
    pub group: String,
    /// The Dutch description as published.
    pub description: String,
    /// Points in hundredths (3.8 points = 380).
    pub points_hundredths: i64,
    /// What one unit is (`per consult`, `per element`, …).
    pub unit: String,
}

/// The euro value of one point in a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointValue {
    /// The calendar year (of the treatment date).
    pub year: i32,
    /// The value in ten-thousandths of a euro (EUR 7.5026 = 75026).
    pub eur_ten_thousandths: i64,
}

/// The tariff list with its yearly point values, checked for duplicates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TariffTable {
    tariffs: Vec<Tariff>,
    point_values: Vec<PointValue>,
    index_by_code: BTreeMap<TariffCode, usize>,
    point_value_by_year: BTreeMap<i32, i64>,
}

impl TariffTable {
    /// Builds a table, keeping the given order.
    ///
    /// # Errors
    /// [`TariffError::DuplicateCode`] / [`TariffError::DuplicateYear`] when a code or year is
    /// listed twice, [`TariffError::NegativePoints`] / [`TariffError::NonPositivePointValue`]
    /// for impossible figures.
    pub fn new(tariffs: Vec<Tariff>, point_values: Vec<PointValue>) -> Result<Self, TariffError> {
        let mut index_by_code = BTreeMap::new();
        for (index, tariff) in tariffs.iter().enumerate() {
            if tariff.points_hundredths < 0 {
                return Err(TariffError::NegativePoints {
                    code: tariff.code.clone(),
                });
            }
            if index_by_code.insert(tariff.code.clone(), index).is_some() {
                return Err(TariffError::DuplicateCode {
                    code: tariff.code.clone(),
                });
            }
        }
        let mut point_value_by_year = BTreeMap::new();
        for point_value in &point_values {
            let year = point_value.year;
            if point_value.eur_ten_thousandths <= 0 {
                return Err(TariffError::NonPositivePointValue { year });
            }
            if point_value_by_year
                .insert(year, point_value.eur_ten_thousandths)
                .is_some()
            {
                return Err(TariffError::DuplicateYear { year });
            }
        }
        Ok(TariffTable {
            tariffs,
            point_values,
            index_by_code,
            point_value_by_year,
        })
    }

    /// The maximum tariff of one unit of `code` for treatment in `year`:
    /// `cents = round(points_hundredths × eur_ten_thousandths / 10_000)`, half away from zero
    /// (see [`round_half_away_from_zero`]). C002 (3.8 points) in 2023 (EUR 6.65) is EUR 25.27.
    ///
    /// # Errors
    /// [`TariffError::UnknownCode`], [`TariffError::NoPointValue`], or
    /// [`TariffError::Overflow`] for absurd figures.
    pub fn max_tariff(&self, code: &TariffCode, year: i32) -> Result<Cents, TariffError> {
        let tariff = self
            .tariff(code)
            .ok_or_else(|| TariffError::UnknownCode { code: code.clone() })?;
        let point_value = self
            .point_value(year)
            .ok_or(TariffError::NoPointValue { year })?;
        let product = i128::from(tariff.points_hundredths) * i128::from(point_value);
        round_half_away_from_zero(product, POINT_PRODUCT_PER_CENT)
            .map(Cents::new)
            .ok_or(TariffError::Overflow)
    }

    /// The tariff of a code, if listed.
    #[must_use]
    pub fn tariff(&self, code: &TariffCode) -> Option<&Tariff> {
        self.index_by_code
            .get(code)
            .map(|index| &self.tariffs[*index])
    }

    /// The point value of a year in ten-thousandths of a euro, if known.
    #[must_use]
    pub fn point_value(&self, year: i32) -> Option<i64> {
        self.point_value_by_year.get(&year).copied()
    }

    /// All tariffs, in the order given.
    #[must_use]
    pub fn tariffs(&self) -> &[Tariff] {
        &self.tariffs
    }

    /// All point values, in the order given.
    #[must_use]
    pub fn point_values(&self) -> &[PointValue] {
        &self.point_values
    }

    /// The years with a point value, ascending.
    #[must_use]
    pub fn years(&self) -> Vec<i32> {
        self.point_value_by_year.keys().copied().collect()
    }
}

/// Why a tariff code, table or lookup is invalid. Codes and years are not personal data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TariffError {
    /// The text is not a prestatiecode.
    #[error("prestatiecode must be 1-2 capital letters followed by 1-3 digits")]
    InvalidCode,
    /// The code is not in the tariff list.
    #[error("prestatiecode {code} is not in the tariff list")]
    UnknownCode {
        /// The code looked up.
        code: TariffCode,
    },
    /// No point value is known for the year.
    #[error("no point value for {year}")]
    NoPointValue {
        /// The year looked up.
        year: i32,
    },
    /// A code is listed twice.
    #[error("prestatiecode {code} is listed twice")]
    DuplicateCode {
        /// The duplicated code.
        code: TariffCode,
    },
    /// A year has two point values.
    #[error("year {year} has two point values")]
    DuplicateYear {
        /// The duplicated year.
        year: i32,
    },
    /// A code has a negative number of points.
    #[error("prestatiecode {code} has negative points")]
    NegativePoints {
        /// The code.
        code: TariffCode,
    },
    /// A point value is zero or negative.
    #[error("point value for {year} must be positive")]
    NonPositivePointValue {
        /// The year.
        year: i32,
    },
    /// The tariff does not fit in cents.
    #[error("maximum tariff is out of range")]
    Overflow,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(text: &str) -> TariffCode {
        TariffCode::parse(text).expect("valid code")
    }

    fn tariff(text: &str, points_hundredths: i64) -> Tariff {
        Tariff {
            code: code(text),
            group: text[..1].to_owned(),
            description: "test".to_owned(),
            points_hundredths,
            unit: "per consult".to_owned(),
        }
    }

    fn table() -> TariffTable {
        TariffTable::new(
            vec![tariff("C002", 380), tariff("X10", 280)],
            vec![
                PointValue {
                    year: 2026,
                    eur_ten_thousandths: 75_026,
                },
                PointValue {
                    year: 2023,
                    eur_ten_thousandths: 66_500,
                },
            ],
        )
        .expect("valid table")
    }

    #[test]
    fn published_code_shapes_parse() {
        for text in ["C002", "X10", "M03", "A10", "P021", "AB1"] {
            assert_eq!(code(text).as_str(), text);
            assert_eq!(code(text).to_string(), text);
        }
        assert_eq!(
            " C002 ".parse::<TariffCode>().map(|c| c.to_string()),
            Ok("C002".to_owned())
        );
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for text in [
            "", "C", "002", "c002", "ABC1", "C0002", "C00A", "C-02", "É10",
        ] {
            assert_eq!(
                TariffCode::parse(text),
                Err(TariffError::InvalidCode),
                "{text}"
            );
        }
    }

    #[test]
    fn the_check_up_costs_the_published_tariff_per_year() {
        let table = table();
        assert_eq!(table.max_tariff(&code("C002"), 2023), Ok(Cents::new(2527)));
        assert_eq!(table.max_tariff(&code("C002"), 2026), Ok(Cents::new(2851)));
        assert_eq!(table.years(), [2023, 2026]);
        assert_eq!(table.tariffs().len(), 2);
        assert_eq!(table.point_values().len(), 2);
    }

    #[test]
    fn unknown_codes_and_years_are_reported() {
        let table = table();
        assert_eq!(
            table.max_tariff(&code("V91"), 2023),
            Err(TariffError::UnknownCode { code: code("V91") })
        );
        assert_eq!(
            table.max_tariff(&code("C002"), 2024),
            Err(TariffError::NoPointValue { year: 2024 })
        );
    }

    #[test]
    fn duplicate_codes_and_years_are_rejected() {
        assert_eq!(
            TariffTable::new(vec![tariff("C002", 380), tariff("C002", 1)], vec![]),
            Err(TariffError::DuplicateCode { code: code("C002") })
        );
        let twice = PointValue {
            year: 2023,
            eur_ten_thousandths: 1,
        };
        assert_eq!(
            TariffTable::new(vec![], vec![twice, twice]),
            Err(TariffError::DuplicateYear { year: 2023 })
        );
        assert_eq!(
            TariffTable::new(
                vec![],
                vec![PointValue {
                    year: 2023,
                    eur_ten_thousandths: 0
                }]
            ),
            Err(TariffError::NonPositivePointValue { year: 2023 })
        );
        assert_eq!(
            TariffTable::new(vec![tariff("C002", -1)], vec![]),
            Err(TariffError::NegativePoints { code: code("C002") })
        );
    }

    #[test]
    fn absurd_figures_overflow_instead_of_wrapping() {
        let table = TariffTable::new(
            vec![tariff("C002", i64::MAX)],
            vec![PointValue {
                year: 2023,
                eur_ten_thousandths: i64::MAX,
            }],
        )
        .expect("valid table");
        assert_eq!(
            table.max_tariff(&code("C002"), 2023),
            Err(TariffError::Overflow)
        );
    }

    proptest! {
        #[test]
        fn the_maximum_tariff_never_decreases_with_more_points(
            low in 0_i64..1_000_000,
            extra in 0_i64..1_000_000,
            value in 1_i64..1_000_000,
        ) {
            let table = TariffTable::new(
                vec![tariff("A1", low), tariff("B1", low + extra)],
                vec![PointValue { year: 2026, eur_ten_thousandths: value }],
            )
            .expect("valid table");
            let cheap = table.max_tariff(&code("A1"), 2026).expect("listed");
            let dear = table.max_tariff(&code("B1"), 2026).expect("listed");
            prop_assert!(cheap <= dear);
        }

        #[test]
        fn arbitrary_text_never_panics_the_code_parser(text in ".{0,20}") {
            let _ = TariffCode::parse(&text);
        }
    }
}
