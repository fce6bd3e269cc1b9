//! Amounts and dates as people read them: `€ 1.234,56` and `4 december 2026` in Dutch,
//! `€1,234.56` and `4 December 2026` in English.

use ixorg_app::domain::Language;
use ixorg_app::domain::money::Cents;
use time::{Date, Month};

/// `cents` as an amount in euros: Dutch `€ 1.234,56` / `€ -1.234,56` (the Dutch convention puts
/// the minus after the euro sign), English `€1,234.56` / `-€1,234.56`. The space after the euro
/// sign is a no-break space, so the sign never ends a line on its own.
#[must_use]
pub fn eur(language: Language, cents: Cents) -> String {
    let value = i128::from(cents.get());
    let negative = value < 0;
    let magnitude = value.unsigned_abs();
    let (whole, fraction) = (magnitude / 100, magnitude % 100);
    let (group, decimal) = match language {
        Language::Dutch => ('.', ','),
        Language::English => (',', '.'),
    };
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let number = format!("{grouped}{decimal}{fraction:02}");
    match (language, negative) {
        (Language::Dutch, false) => format!("€\u{a0}{number}"),
        (Language::Dutch, true) => format!("€\u{a0}-{number}"),
        (Language::English, false) => format!("€{number}"),
        (Language::English, true) => format!("-€{number}"),
    }
}

/// `date` as `4 december 2026` (Dutch) or `4 December 2026` (English).
#[must_use]
pub fn date(language: Language, date: Date) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(language, date.month()),
        date.year()
    )
}

/// The month's name: lower case in Dutch, capitalised in English.
#[must_use]
pub fn month_name(language: Language, month: Month) -> &'static str {
    const DUTCH: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const ENGLISH: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let i = usize::from(u8::from(month)) - 1;
    match language {
        Language::Dutch => DUTCH[i],
        Language::English => ENGLISH[i],
    }
}

/// `month year`, like `januari 2027` / `January 2027` (a start date is always the first).
#[must_use]
pub fn month_year(language: Language, date: Date) -> String {
    format!("{} {}", month_name(language, date.month()), date.year())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    const NBSP: char = '\u{a0}';

    #[test]
    fn amounts_are_written_the_dutch_way_and_the_english_way() {
        let nl = |c| eur(Language::Dutch, Cents::new(c)).replace(NBSP, " ");
        let en = |c| eur(Language::English, Cents::new(c));
        assert_eq!(nl(123_456), "€ 1.234,56");
        assert_eq!(nl(-123_456), "€ -1.234,56");
        assert_eq!(nl(5), "€ 0,05");
        assert_eq!(nl(0), "€ 0,00");
        assert_eq!(nl(100_000_000), "€ 1.000.000,00");
        assert_eq!(nl(i64::MIN), "€ -92.233.720.368.547.758,08");
        assert_eq!(en(123_456), "€1,234.56");
        assert_eq!(en(-5), "-€0.05");
    }

    #[test]
    fn dates_are_written_with_the_month_in_words() {
        assert_eq!(
            date(Language::Dutch, date!(2026 - 12 - 04)),
            "4 december 2026"
        );
        assert_eq!(
            date(Language::English, date!(2026 - 12 - 04)),
            "4 December 2026"
        );
        assert_eq!(
            month_year(Language::Dutch, date!(2027 - 01 - 01)),
            "januari 2027"
        );
    }

    proptest! {
        #[test]
        fn a_dutch_amount_reads_back_as_the_same_cents(cents in any::<i64>()) {
            let text = eur(Language::Dutch, Cents::new(cents));
            let plain: String = text
                .trim_start_matches('€')
                .chars()
                .filter(|c| *c != '.' && *c != NBSP)
                .map(|c| if c == ',' { '.' } else { c })
                .collect();
            prop_assert_eq!(Cents::parse_eur(&plain).map(Cents::get), Ok(cents));
        }

        #[test]
        fn groups_of_three_digits_are_separated(cents in 0_i64..i64::MAX) {
            let text = eur(Language::English, Cents::new(cents));
            let whole = text.trim_start_matches('€').split('.').next().unwrap_or_default();
            for (i, group) in whole.split(',').enumerate() {
                if i == 0 {
                    prop_assert!((1..=3).contains(&group.len()));
                } else {
                    prop_assert_eq!(group.len(), 3);
                }
            }
        }
    }
}
