//! Strict readers for the `NZa` tariff list and point values (`data/*.csv`).
//!
//! The format is a small subset of RFC 4180: one record per line (`\n` or `\r\n`), fields
//! separated by commas, a field may be quoted with `"` (a quote inside is doubled) so it can
//! hold commas. The header must match exactly, every record has exactly the header's columns,
//! and no field may be empty or carry surrounding whitespace. Every error names the line, the
//! column and what was wrong; no input makes these functions panic.

use ixorg_domain::tariff::{PointValue, Tariff, TariffCode, TariffError, TariffTable};

/// The tariff list shipped with the code (`data/tariff-codes.csv`).
pub const TARIFF_CODES_CSV: &str = include_str!("../../../data/tariff-codes.csv");

/// The yearly point values shipped with the code (`data/point-values.csv`).
pub const POINT_VALUES_CSV: &str = include_str!("../../../data/point-values.csv");

/// Columns of the tariff list, in order.
pub const TARIFF_COLUMNS: [&str; 5] = ["code", "group", "description_nl", "points", "unit"];

/// Columns of the point values, in order.
pub const POINT_VALUE_COLUMNS: [&str; 3] = ["year", "point_value_eur", "basis"];

/// Most data rows a file may hold; the `NZa` list has a few hundred codes.
pub const ROWS_MAX: usize = 10_000;

/// Longest line accepted, in bytes.
pub const LINE_BYTES_MAX: usize = 1_000;

/// Decimals allowed in a number of points (3.8, 2.24): points are stored in hundredths.
const POINTS_DECIMALS_MAX: u32 = 2;

/// Decimals allowed in a point value (7.5026): stored in ten-thousandths of a euro.
const POINT_VALUE_DECIMALS_MAX: u32 = 4;

/// Digits allowed before the decimal point; keeps every scaled value far inside `i64`.
const WHOLE_DIGITS_MAX: usize = 9;

/// A CSV file could not be read: where, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}{}: {problem}", .column.map(|name| format!(", column `{name}`")).unwrap_or_default())]
pub struct CsvError {
    /// The 1-based line number (the header is line 1).
    pub line: usize,
    /// The column, when the problem is in one field.
    pub column: Option<&'static str>,
    /// What was wrong.
    pub problem: CsvProblem,
}

/// What was wrong with a line or field. The messages never repeat the input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsvProblem {
    /// The file has no header line.
    #[error("the file is empty")]
    Empty,
    /// The header is not exactly the expected one.
    #[error("the header must be `{expected}`")]
    Header {
        /// The expected header line.
        expected: String,
    },
    /// The line is longer than [`LINE_BYTES_MAX`].
    #[error("the line is longer than {LINE_BYTES_MAX} bytes")]
    LineTooLong,
    /// The file has more than [`ROWS_MAX`] data rows.
    #[error("the file has more than {ROWS_MAX} rows")]
    TooManyRows,
    /// An empty line before the end of the file.
    #[error("the line is empty")]
    BlankLine,
    /// Wrong number of fields.
    #[error("expected {expected} fields, found {found}")]
    FieldCount {
        /// Number of columns in the header.
        expected: usize,
        /// Number of fields on the line.
        found: usize,
    },
    /// A quoted field is not closed on its line.
    #[error("a quoted field is not closed")]
    UnterminatedQuote,
    /// A quote inside an unquoted field, or text after a closing quote.
    #[error("a quote may only enclose a whole field")]
    StrayQuote,
    /// The field is empty.
    #[error("the field is empty")]
    EmptyField,
    /// The field starts or ends with whitespace.
    #[error("the field has leading or trailing whitespace")]
    Whitespace,
    /// Not a non-negative decimal number with at most the allowed decimals.
    #[error("expected a number like 3.8 with at most {decimals_max} decimals")]
    Decimal {
        /// Most digits allowed after the decimal point.
        decimals_max: u32,
    },
    /// A point value of zero.
    #[error("the point value must be above zero")]
    ZeroPointValue,
    /// Not a four-digit year.
    #[error("expected a four-digit year")]
    Year,
    /// Not a prestatiecode.
    #[error("expected a prestatiecode: 1-2 capital letters and 1-3 digits")]
    Code,
    /// The value was already given on an earlier line.
    #[error("already listed on line {first_line}")]
    Duplicate {
        /// The line where the value first appears.
        first_line: usize,
    },
}

/// The tariff table could not be built from the CSV files.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TariffTableError {
    /// A file is malformed.
    #[error("tariff CSV: {0}")]
    Csv(#[from] CsvError),
    /// The files are well-formed but the table is inconsistent.
    #[error("tariff table: {0}")]
    Table(#[from] TariffError),
}

/// Reads `tariff-codes.csv` (`code,group,description_nl,points,unit`).
///
/// # Errors
/// [`CsvError`] for the first malformed line, field or duplicate code.
pub fn parse_tariffs(text: &str) -> Result<Vec<Tariff>, CsvError> {
    let mut tariffs: Vec<Tariff> = Vec::new();
    for (line, fields) in records(text, &TARIFF_COLUMNS)? {
        let field_error = |index: usize, problem| CsvError {
            line,
            column: Some(TARIFF_COLUMNS[index]),
            problem,
        };
        let code = TariffCode::parse(&fields[0]).map_err(|_| field_error(0, CsvProblem::Code))?;
        let points_hundredths =
            parse_decimal(&fields[3], POINTS_DECIMALS_MAX).ok_or(field_error(
                3,
                CsvProblem::Decimal {
                    decimals_max: POINTS_DECIMALS_MAX,
                },
            ))?;
        if let Some(index) = tariffs.iter().position(|tariff| tariff.code == code) {
            let first_line = index + 2;
            return Err(field_error(0, CsvProblem::Duplicate { first_line }));
        }
        let [_, group, description, _, unit] = fields;
        tariffs.push(Tariff {
            code,
            group,
            description,
            points_hundredths,
            unit,
        });
    }
    Ok(tariffs)
}

/// Reads `point-values.csv` (`year,point_value_eur,basis`); the basis is a note and is not
/// kept.
///
/// # Errors
/// [`CsvError`] for the first malformed line, field or duplicate year.
pub fn parse_point_values(text: &str) -> Result<Vec<PointValue>, CsvError> {
    let mut point_values: Vec<PointValue> = Vec::new();
    for (line, fields) in records(text, &POINT_VALUE_COLUMNS)? {
        let field_error = |index: usize, problem| CsvError {
            line,
            column: Some(POINT_VALUE_COLUMNS[index]),
            problem,
        };
        let year = parse_year(&fields[0]).ok_or(field_error(0, CsvProblem::Year))?;
        let decimals_max = POINT_VALUE_DECIMALS_MAX;
        let eur_ten_thousandths = parse_decimal(&fields[1], decimals_max)
            .ok_or(field_error(1, CsvProblem::Decimal { decimals_max }))?;
        if eur_ten_thousandths == 0 {
            return Err(field_error(1, CsvProblem::ZeroPointValue));
        }
        if let Some(index) = point_values.iter().position(|value| value.year == year) {
            let first_line = index + 2;
            return Err(field_error(0, CsvProblem::Duplicate { first_line }));
        }
        point_values.push(PointValue {
            year,
            eur_ten_thousandths,
        });
    }
    Ok(point_values)
}

/// Builds a [`TariffTable`] from the text of both files.
///
/// # Errors
/// [`TariffTableError`] when a file is malformed or the table is inconsistent.
pub fn parse_tariff_table(
    tariff_codes_csv: &str,
    point_values_csv: &str,
) -> Result<TariffTable, TariffTableError> {
    let tariffs = parse_tariffs(tariff_codes_csv)?;
    let point_values = parse_point_values(point_values_csv)?;
    Ok(TariffTable::new(tariffs, point_values)?)
}

/// The tariff table from the files shipped with the code ([`TARIFF_CODES_CSV`],
/// [`POINT_VALUES_CSV`]).
///
/// # Errors
/// [`TariffTableError`] if the shipped files are broken (a test keeps them valid).
pub fn embedded_tariff_table() -> Result<TariffTable, TariffTableError> {
    parse_tariff_table(TARIFF_CODES_CSV, POINT_VALUES_CSV)
}

/// Splits a file into `(line number, fields)` records after checking the header, the line and
/// row limits, blank lines and the field count. Fields are unquoted, non-empty and trimmed.
fn records<const N: usize>(
    text: &str,
    columns: &[&'static str; N],
) -> Result<Vec<(usize, [String; N])>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut lines = body
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line));
    let line_error = |line, problem| CsvError {
        line,
        column: None,
        problem,
    };
    let header = lines.next().filter(|header| !header.is_empty());
    let header = header.ok_or(line_error(1, CsvProblem::Empty))?;
    let expected = columns.join(",");
    if header != expected {
        return Err(line_error(1, CsvProblem::Header { expected }));
    }
    let mut rows = Vec::new();
    for (index, line) in lines.enumerate() {
        let line_number = index + 2;
        if rows.len() == ROWS_MAX {
            return Err(line_error(line_number, CsvProblem::TooManyRows));
        }
        rows.push((line_number, record(line_number, line, columns)?));
    }
    Ok(rows)
}

/// One data line as exactly `N` checked fields.
fn record<const N: usize>(
    line_number: usize,
    line: &str,
    columns: &[&'static str; N],
) -> Result<[String; N], CsvError> {
    let line_error = |problem| CsvError {
        line: line_number,
        column: None,
        problem,
    };
    if line.len() > LINE_BYTES_MAX {
        return Err(line_error(CsvProblem::LineTooLong));
    }
    if line.is_empty() {
        return Err(line_error(CsvProblem::BlankLine));
    }
    let fields = split_fields(line).map_err(line_error)?;
    let found = fields.len();
    let fields: [String; N] = fields
        .try_into()
        .map_err(|_| line_error(CsvProblem::FieldCount { expected: N, found }))?;
    for (field, column) in fields.iter().zip(columns) {
        let problem = if field.is_empty() {
            CsvProblem::EmptyField
        } else if field.trim() != field {
            CsvProblem::Whitespace
        } else {
            continue;
        };
        return Err(CsvError {
            line: line_number,
            column: Some(column),
            problem,
        });
    }
    Ok(fields)
}

/// Splits one line at commas outside quotes and removes the quoting.
fn split_fields(line: &str) -> Result<Vec<String>, CsvProblem> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(CsvProblem::UnterminatedQuote),
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(other) => field.push(other),
                }
            }
            if !matches!(chars.peek(), None | Some(',')) {
                return Err(CsvProblem::StrayQuote);
            }
        } else {
            while let Some(next) = chars.next_if(|c| *c != ',') {
                if next == '"' {
                    return Err(CsvProblem::StrayQuote);
                }
                field.push(next);
            }
        }
        fields.push(field);
        // The field ended at a comma (another field follows) or at the end of the line.
        if chars.next().is_none() {
            return Ok(fields);
        }
    }
}

/// A non-negative decimal such as `7.6`, `18` or `7.5026` scaled by 10^`decimals_max`
/// (`7.6` with 2 decimals → 760). `None` for anything else.
fn parse_decimal(text: &str, decimals_max: u32) -> Option<i64> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let fraction_ok = usize::try_from(decimals_max).is_ok_and(|max| fraction.len() <= max);
    let well_formed = (1..=WHOLE_DIGITS_MAX).contains(&whole.len())
        && digits_only(whole)
        && digits_only(fraction)
        && fraction_ok
        && !(text.contains('.') && fraction.is_empty());
    if !well_formed {
        return None;
    }
    let padding = decimals_max - u32::try_from(fraction.len()).ok()?;
    let digits: i64 = format!("{whole}{fraction}").parse().ok()?;
    digits.checked_mul(10_i64.checked_pow(padding)?)
}

/// A four-digit year.
fn parse_year(text: &str) -> Option<i32> {
    let four_digits = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
    if four_digits { text.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ixorg_domain::Cents;
    use proptest::prelude::*;

    const TARIFF_HEADER: &str = "code,group,description_nl,points,unit\n";
    const POINT_VALUE_HEADER: &str = "year,point_value_eur,basis\n";

    fn tariffs_error(body: &str) -> CsvError {
        parse_tariffs(&format!("{TARIFF_HEADER}{body}")).expect_err("malformed")
    }

    #[test]
    fn the_embedded_tariff_list_parses_completely() {
        let tariffs = parse_tariffs(TARIFF_CODES_CSV).expect("embedded file is valid");
        assert_eq!(tariffs.len(), TARIFF_CODES_CSV.lines().count() - 1);
        for tariff in &tariffs {
            assert_eq!(
                TariffCode::parse(tariff.code.as_str()),
                Ok(tariff.code.clone())
            );
        }
        let c003 = tariffs
            .iter()
            .find(|t| t.code.as_str() == "C003")
            .expect("listed");
        assert_eq!(
            c003.description,
            "Consult, niet zijnde periodieke controle (voorheen C13)"
        );
        assert_eq!(c003.points_hundredths, 380);
        assert_eq!(c003.unit, "per consult");
    }

    #[test]
    fn the_embedded_point_values_parse_completely() {
        let values = parse_point_values(POINT_VALUES_CSV).expect("embedded file is valid");
        assert_eq!(values.len(), POINT_VALUES_CSV.lines().count() - 1);
        assert_eq!(
            values[0],
            PointValue {
                year: 2023,
                eur_ten_thousandths: 66_500
            }
        );
        assert_eq!(
            values[3],
            PointValue {
                year: 2026,
                eur_ten_thousandths: 75_026
            }
        );
    }

    #[test]
    fn the_embedded_table_reproduces_the_published_tariffs() {
        let table = embedded_tariff_table().expect("embedded files are valid");
        let tariff = |code: &str, year| {
            let code = TariffCode::parse(code).expect("valid code");
            table.max_tariff(&code, year).expect("listed")
        };
        assert_eq!(tariff("C002", 2023), Cents::new(2527));
        assert_eq!(tariff("C002", 2024), Cents::new(2675));
        assert_eq!(tariff("C010", 2025), Cents::new(2883));
        assert_eq!(tariff("X10", 2025), Cents::new(2124));
        assert_eq!(tariff("A10", 2025), Cents::new(1897));
        assert_eq!(tariff("C002", 2026), Cents::new(2851));
        assert_eq!(table.years(), [2023, 2024, 2025, 2026]);
    }

    #[test]
    fn decimals_are_scaled_exactly() {
        assert_eq!(parse_decimal("7.6", 2), Some(760));
        assert_eq!(parse_decimal("2.24", 2), Some(224));
        assert_eq!(parse_decimal("18", 2), Some(1800));
        assert_eq!(parse_decimal("7.5026", 4), Some(75_026));
        assert_eq!(parse_decimal("6.65", 4), Some(66_500));
        for bad in [
            "",
            ".5",
            "5.",
            "1.234",
            "-1",
            "+1",
            "1,5",
            "1e3",
            "1.2.3",
            "1234567890",
        ] {
            assert_eq!(parse_decimal(bad, 2), None, "{bad}");
        }
    }

    #[test]
    fn quoted_fields_may_hold_commas_and_doubled_quotes() {
        let tariffs = parse_tariffs(&format!(
            "{TARIFF_HEADER}A10,A,\"Zeg \"\"aa\"\", ja\",2.5,\"per kaak\"\r\n"
        ))
        .expect("valid");
        assert_eq!(tariffs[0].description, "Zeg \"aa\", ja");
        assert_eq!(tariffs[0].unit, "per kaak");
    }

    #[test]
    fn errors_name_the_line_the_column_and_the_problem() {
        let error =
            tariffs_error("C001,C,Intake,7.6,per consult\nC002,C,Controle,3.875,per consult\n");
        assert_eq!(error.line, 3);
        assert_eq!(error.column, Some("points"));
        assert_eq!(
            error.to_string(),
            "line 3, column `points`: expected a number like 3.8 with at most 2 decimals"
        );
    }

    #[test]
    fn malformed_lines_are_rejected_with_a_reason() {
        let cases = [
            ("c002,C,x,1,u", Some("code"), CsvProblem::Code),
            (
                "C002,C,,1,u",
                Some("description_nl"),
                CsvProblem::EmptyField,
            ),
            (
                "C002,C, x,1,u",
                Some("description_nl"),
                CsvProblem::Whitespace,
            ),
            (
                "C002,C,x,1",
                None,
                CsvProblem::FieldCount {
                    expected: 5,
                    found: 4,
                },
            ),
            ("C002,C,\"x,1,u", None, CsvProblem::UnterminatedQuote),
            ("C002,C,\"x\"y,1,u", None, CsvProblem::StrayQuote),
            ("C002,C,x\"y,1,u", None, CsvProblem::StrayQuote),
            ("", None, CsvProblem::BlankLine),
        ];
        for (body, column, problem) in cases {
            let error = tariffs_error(&format!("{body}\nC003,C,y,1,u\n"));
            assert_eq!(
                (error.line, error.column, error.problem),
                (2, column, problem),
                "{body}"
            );
        }
    }

    #[test]
    fn a_duplicate_code_points_to_its_first_line() {
        let error = tariffs_error("C002,C,x,1,u\nC001,C,y,1,u\nC002,C,z,1,u\n");
        assert_eq!(error.line, 4);
        assert_eq!(error.problem, CsvProblem::Duplicate { first_line: 2 });
    }

    #[test]
    fn a_wrong_or_missing_header_is_rejected() {
        let error = parse_tariffs("").expect_err("empty");
        assert_eq!((error.line, error.problem), (1, CsvProblem::Empty));
        let error = parse_tariffs("code;group\n").expect_err("wrong header");
        assert!(matches!(error.problem, CsvProblem::Header { .. }));
        assert_eq!(parse_tariffs(TARIFF_HEADER), Ok(vec![]));
    }

    #[test]
    fn bad_point_values_are_rejected_with_a_reason() {
        let cases = [
            ("23,6.65,x", Some("year"), CsvProblem::Year),
            (
                "2023,6.650001,x",
                Some("point_value_eur"),
                CsvProblem::Decimal { decimals_max: 4 },
            ),
            (
                "2023,0,x",
                Some("point_value_eur"),
                CsvProblem::ZeroPointValue,
            ),
            ("2023,6.65,", Some("basis"), CsvProblem::EmptyField),
        ];
        for (body, column, problem) in cases {
            let error = parse_point_values(&format!("{POINT_VALUE_HEADER}{body}\n"))
                .expect_err("malformed");
            assert_eq!(
                (error.line, error.column, error.problem),
                (2, column, problem),
                "{body}"
            );
        }
        let twice = format!("{POINT_VALUE_HEADER}2023,6.65,a\n2023,7,b\n");
        let error = parse_point_values(&twice).expect_err("duplicate year");
        assert_eq!(error.problem, CsvProblem::Duplicate { first_line: 2 });
    }

    #[test]
    fn oversized_input_hits_the_limits() {
        let long_line = format!("C002,C,{},1,u\n", "x".repeat(LINE_BYTES_MAX));
        assert_eq!(tariffs_error(&long_line).problem, CsvProblem::LineTooLong);
        let many = "2023,1,x\n".repeat(ROWS_MAX + 1);
        let error =
            parse_point_values(&format!("{POINT_VALUE_HEADER}{many}")).expect_err("too many");
        assert_eq!(error.problem, CsvProblem::TooManyRows);
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics_either_parser(text in "(?s).{0,300}") {
            let _ = parse_tariffs(&text);
            let _ = parse_point_values(&text);
        }

        #[test]
        fn arbitrary_rows_after_a_valid_header_never_panic(body in "[A-Z0-9a-z,.\" \r\n\u{e9}-]{0,300}") {
            let _ = parse_tariffs(&format!("{TARIFF_HEADER}{body}"));
            let _ = parse_point_values(&format!("{POINT_VALUE_HEADER}{body}"));
        }
    }
}
