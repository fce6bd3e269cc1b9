//! User statistics on aggregated data only (`PRIVACY.md` §2 `statistics`, promise P18):
//! participants by age band, gender and region (the two-digit postcode area), and declaration
//! lines per treatment code and month. Nothing below [`GROUP_MIN`] people is ever shown, and no
//! hidden figure can be worked out from the shown ones.
//!
//! # Suppression
//!
//! A published table is made of *lines*: cells and the total of those cells. Each one-way table
//! (age band, gender, region) is one line; the code × month table is one line per month (the
//! cells of that month's codes and the month total). Lines share no cells and no other totals
//! are published (there is deliberately no total per code over all months), so the only
//! equations a reader can set up are "the cells of a line add up to its total".
//!
//! - **Primary**: a cell is suppressed when it counts fewer than [`GROUP_MIN`] people or fewer
//!   than [`GROUP_MIN`] items (empty cells included: "nobody" is a group below 10 too). A total
//!   below the threshold is suppressed the same way.
//! - **Secondary**: when a line's total is shown and some of its cells are suppressed, more cells
//!   are suppressed (the smallest first) until the suppressed cells are at least two, and
//!   together are certain to cover at least [`GROUP_MIN`] people — or the whole line is
//!   suppressed. Then the total minus the shown cells gives only the sum of two or more hidden
//!   cells, which is itself a group of at least ten, and each hidden cell can be anything from
//!   zero to that sum.
//!
//! How many people the suppressed cells cover together depends on whether a person can be in
//! more than one cell ([`Overlap`]): in a one-way table of participants nobody is in two cells,
//! so the people add up; one participant can have declarations of several codes in a month, so
//! there only the largest cell is certain.

use std::fmt::Write as _;

use time::Date;

use crate::person::Gender;

/// The smallest group of people a statistic may show.
pub const GROUP_MIN: i64 = 10;

/// The age bands, as (label, lowest age, highest age). The last band has no upper bound.
pub const AGE_BANDS: &[(&str, i64, i64)] = &[
    ("0-17", 0, 17),
    ("18-29", 18, 29),
    ("30-44", 30, 44),
    ("45-64", 45, 64),
    ("65-74", 65, 74),
    ("75+", 75, i64::MAX),
];

/// One cell of the raw counts: how many items (participants or declaration lines) and how
/// many distinct people they are about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Group {
    /// Items counted (what the cell shows).
    pub count: i64,
    /// Distinct people among them.
    pub persons: i64,
}

impl Group {
    /// A group of `n` people counted once each.
    pub const fn people(n: i64) -> Group {
        Group {
            count: n,
            persons: n,
        }
    }

    fn small(self) -> bool {
        self.count < GROUP_MIN || self.persons < GROUP_MIN
    }
}

/// Whether one person can be in more than one cell of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlap {
    /// Every person is in at most one cell: the people of several cells add up.
    Disjoint,
    /// A person can be in several cells: only the largest cell is certain.
    Overlapping,
}

/// A published figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// The count, at least [`GROUP_MIN`].
    Shown(i64),
    /// Hidden.
    Suppressed,
}

impl Cell {
    /// The shown count, if shown.
    pub fn shown(self) -> Option<i64> {
        match self {
            Cell::Shown(n) => Some(n),
            Cell::Suppressed => None,
        }
    }

    fn text(self) -> String {
        match self {
            Cell::Shown(n) => n.to_string(),
            Cell::Suppressed => "*".to_owned(),
        }
    }

    fn json(self) -> String {
        match self {
            Cell::Shown(n) => n.to_string(),
            Cell::Suppressed => "null".to_owned(),
        }
    }
}

/// A published line: cells and their total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The cells, in the order of the input.
    pub cells: Vec<Cell>,
    /// The total of the cells.
    pub total: Cell,
}

/// Suppresses one line of `cells` whose total covers `total_persons` distinct people (see the
/// module documentation). The total's count is the sum of the cells' counts.
pub fn suppress_line(cells: &[Group], total_persons: i64, overlap: Overlap) -> Line {
    let total = Group {
        count: cells.iter().map(|g| g.count).sum(),
        persons: total_persons,
    };
    let mut hidden: Vec<bool> = cells.iter().map(|g| g.small()).collect();
    let mut total_shown = !total.small();
    if total_shown {
        while !protected(cells, &hidden, overlap) {
            let next = (0..cells.len())
                .filter(|&i| !hidden[i])
                .min_by_key(|&i| (cells[i].count, i));
            match next {
                Some(i) => hidden[i] = true,
                None => break,
            }
        }
        // A line of one hidden cell would give that cell away as the total.
        if hidden.iter().filter(|h| **h).count() == 1 {
            total_shown = false;
        }
    }
    Line {
        cells: cells
            .iter()
            .zip(&hidden)
            .map(|(g, h)| {
                if *h {
                    Cell::Suppressed
                } else {
                    Cell::Shown(g.count)
                }
            })
            .collect(),
        total: if total_shown {
            Cell::Shown(total.count)
        } else {
            Cell::Suppressed
        },
    }
}

/// True when the hidden cells of a line with a shown total give nothing away: none, all, or
/// at least two that certainly cover [`GROUP_MIN`] people together.
fn protected(cells: &[Group], hidden: &[bool], overlap: Overlap) -> bool {
    let chosen: Vec<Group> = cells
        .iter()
        .zip(hidden)
        .filter(|(_, h)| **h)
        .map(|(g, _)| *g)
        .collect();
    if chosen.is_empty() || chosen.len() == cells.len() {
        return true;
    }
    let certain = match overlap {
        Overlap::Disjoint => chosen.iter().map(|g| g.persons).sum(),
        Overlap::Overlapping => chosen.iter().map(|g| g.persons).max().unwrap_or(0),
    };
    chosen.len() >= 2 && certain >= GROUP_MIN
}

/// A published one-way table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneWay {
    /// What is counted by what.
    pub title: &'static str,
    /// The row labels (the whole vocabulary, so that a missing row says nothing).
    pub labels: Vec<String>,
    /// The published counts and total.
    pub line: Line,
}

/// The published declaration lines per treatment code and month: one line per month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeByMonth {
    /// The treatment codes (rows).
    pub codes: Vec<String>,
    /// The months, `YYYY-MM` (columns).
    pub months: Vec<String>,
    /// One line per month, its cells in the order of `codes`.
    pub columns: Vec<Line>,
}

/// The raw aggregates the store counts, before suppression.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RawCounts {
    /// Participants per date of birth.
    pub births: Vec<(Date, i64)>,
    /// Participants per gender (stored name).
    pub genders: Vec<(String, i64)>,
    /// Participants per two-digit postcode area.
    pub areas: Vec<(String, i64)>,
    /// Declaration lines per (treatment code, month `YYYY-MM`): lines and distinct participants.
    pub declarations: Vec<(String, String, Group)>,
    /// Distinct participants with a declaration line per month.
    pub month_persons: Vec<(String, i64)>,
    /// Every treatment code of the tariff table (the row vocabulary).
    pub codes: Vec<String>,
}

/// The published statistics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statistics {
    /// The day ages are counted on.
    pub on: Date,
    /// Participants by age band.
    pub age_bands: OneWay,
    /// Participants by gender.
    pub genders: OneWay,
    /// Participants by two-digit postcode area.
    pub regions: OneWay,
    /// Declaration lines per code and month.
    pub declarations: CodeByMonth,
}

/// Age in whole years on `on` (zero for a date of birth in the future).
pub fn age_on(born: Date, on: Date) -> i64 {
    let mut years = i64::from(on.year()) - i64::from(born.year());
    if (u8::from(on.month()), on.day()) < (u8::from(born.month()), born.day()) {
        years -= 1;
    }
    years.max(0)
}

/// The label of the age band of `age`.
pub fn age_band(age: i64) -> &'static str {
    AGE_BANDS
        .iter()
        .find(|(_, low, high)| (*low..=*high).contains(&age))
        .map_or("0-17", |(label, ..)| label)
}

fn one_way(title: &'static str, labels: Vec<String>, counts: &[(String, i64)]) -> OneWay {
    let mut labels = labels;
    for (label, _) in counts {
        if !labels.contains(label) {
            labels.push(label.clone());
        }
    }
    let groups: Vec<Group> = labels
        .iter()
        .map(|l| Group::people(counts.iter().filter(|(k, _)| k == l).map(|(_, n)| *n).sum()))
        .collect();
    let persons = groups.iter().map(|g| g.persons).sum();
    OneWay {
        title,
        line: suppress_line(&groups, persons, Overlap::Disjoint),
        labels,
    }
}

fn code_by_month(raw: &RawCounts) -> CodeByMonth {
    let mut codes = raw.codes.clone();
    let mut months: Vec<String> = Vec::new();
    for (code, month, _) in &raw.declarations {
        if !codes.contains(code) {
            codes.push(code.clone());
        }
        if !months.contains(month) {
            months.push(month.clone());
        }
    }
    codes.sort();
    codes.dedup();
    months.sort();
    let columns = months
        .iter()
        .map(|month| {
            let cells: Vec<Group> = codes
                .iter()
                .map(|code| {
                    raw.declarations
                        .iter()
                        .find(|(c, m, _)| c == code && m == month)
                        .map(|(.., g)| *g)
                        .unwrap_or_default()
                })
                .collect();
            let persons = raw
                .month_persons
                .iter()
                .find(|(m, _)| m == month)
                .map_or(0, |(_, n)| *n);
            suppress_line(&cells, persons, Overlap::Overlapping)
        })
        .collect();
    CodeByMonth {
        codes,
        months,
        columns,
    }
}

/// Compiles the published statistics from the raw counts, with ages counted on `on`.
pub fn compile(raw: &RawCounts, on: Date) -> Statistics {
    let mut bands: Vec<(String, i64)> = Vec::new();
    for (born, n) in &raw.births {
        bands.push((age_band(age_on(*born, on)).to_owned(), *n));
    }
    let band_labels = AGE_BANDS.iter().map(|(l, ..)| (*l).to_owned()).collect();
    let gender_labels = Gender::ALL.iter().map(|g| g.as_str().to_owned()).collect();
    let area_labels = (10..=99).map(|n: u8| n.to_string()).collect();
    Statistics {
        on,
        age_bands: one_way("participants by age band", band_labels, &bands),
        genders: one_way("participants by gender", gender_labels, &raw.genders),
        regions: one_way(
            "participants by region (two-digit postcode area)",
            area_labels,
            &raw.areas,
        ),
        declarations: code_by_month(raw),
    }
}

impl OneWay {
    fn markdown(&self, out: &mut String) {
        let _ = writeln!(out, "## {}\n\n| | participants |\n|---|---:|", self.title);
        let mut hidden_rows = 0;
        for (label, cell) in self.labels.iter().zip(&self.line.cells) {
            match cell {
                Cell::Shown(_) => {
                    let _ = writeln!(out, "| {label} | {} |", cell.text());
                }
                Cell::Suppressed => hidden_rows += 1,
            }
        }
        if hidden_rows > 0 {
            let _ = writeln!(out, "| other ({hidden_rows}, each suppressed) | * |");
        }
        let _ = writeln!(out, "| **total** | {} |\n", self.line.total.text());
    }

    fn json(&self) -> String {
        let rows: Vec<String> = self
            .labels
            .iter()
            .zip(&self.line.cells)
            .map(|(l, c)| format!("{{\"label\":\"{l}\",\"count\":{}}}", c.json()))
            .collect();
        format!(
            "{{\"title\":\"{}\",\"rows\":[{}],\"total\":{}}}",
            self.title,
            rows.join(","),
            self.line.total.json()
        )
    }
}

impl CodeByMonth {
    /// The codes with at least one shown cell (a row of only hidden cells says nothing more
    /// than its absence).
    fn visible_codes(&self) -> Vec<usize> {
        (0..self.codes.len())
            .filter(|&r| self.columns.iter().any(|l| l.cells[r] != Cell::Suppressed))
            .collect()
    }

    fn markdown(&self, out: &mut String) {
        out.push_str("## Declaration lines per treatment code and month\n\n| code |");
        for m in &self.months {
            let _ = write!(out, " {m} |");
        }
        out.push_str("\n|---|");
        out.push_str(&"---:|".repeat(self.months.len()));
        out.push('\n');
        for r in self.visible_codes() {
            let _ = write!(out, "| {} |", self.codes[r]);
            for line in &self.columns {
                let _ = write!(out, " {} |", line.cells[r].text());
            }
            out.push('\n');
        }
        out.push_str("| **month total** |");
        for line in &self.columns {
            let _ = write!(out, " {} |", line.total.text());
        }
        out.push_str("\n\nCodes whose every month is suppressed are left out.\n");
    }

    fn json(&self) -> String {
        let rows: Vec<String> = self
            .visible_codes()
            .into_iter()
            .map(|r| {
                let cells: Vec<String> = self.columns.iter().map(|l| l.cells[r].json()).collect();
                format!(
                    "{{\"code\":\"{}\",\"counts\":[{}]}}",
                    json_text(&self.codes[r]),
                    cells.join(",")
                )
            })
            .collect();
        let months: Vec<String> = self.months.iter().map(|m| format!("\"{m}\"")).collect();
        let totals: Vec<String> = self.columns.iter().map(|l| l.total.json()).collect();
        format!(
            "{{\"months\":[{}],\"rows\":[{}],\"month_totals\":[{}]}}",
            months.join(","),
            rows.join(","),
            totals.join(",")
        )
    }
}

fn json_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            c => vec![c],
        })
        .collect()
}

impl Statistics {
    /// Every published line (for checks: each one-way table and each month).
    pub fn lines(&self) -> Vec<&Line> {
        let mut out = vec![&self.age_bands.line, &self.genders.line, &self.regions.line];
        out.extend(self.declarations.columns.iter());
        out
    }

    /// The statistics as a Markdown page.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# ixorg statistics (aggregated)\n\nAges on {}. `*` = suppressed: a group below {GROUP_MIN} \
             people, or a cell hidden so that such a group cannot be worked out from the totals.\n\n",
            self.on
        );
        self.age_bands.markdown(&mut out);
        self.genders.markdown(&mut out);
        self.regions.markdown(&mut out);
        self.declarations.markdown(&mut out);
        out
    }

    /// The statistics as one JSON document (`null` = suppressed).
    #[must_use]
    pub fn to_json(&self) -> String {
        format!(
            "{{\"on\":\"{}\",\"group_min\":{GROUP_MIN},\"age_bands\":{},\"genders\":{},\"regions\":{},\"declarations\":{}}}\n",
            self.on,
            self.age_bands.json(),
            self.genders.json(),
            self.regions.json(),
            self.declarations.json()
        )
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    /// What a reader can work out from one published line, knowing only that counts are whole
    /// numbers of zero or more: each hidden cell's possible values (as an inclusive range).
    fn attacker(line: &Line) -> Vec<(usize, i64, i64)> {
        let hidden: Vec<usize> = (0..line.cells.len())
            .filter(|&i| line.cells[i] == Cell::Suppressed)
            .collect();
        let Cell::Shown(total) = line.total else {
            // Without a total there is no equation: a hidden cell is anything from 0 to 9 or
            // more; it cannot be pinned.
            return hidden.iter().map(|&i| (i, 0, i64::MAX)).collect();
        };
        let shown: i64 = line.cells.iter().filter_map(|c| c.shown()).sum();
        let rest = total - shown;
        hidden
            .iter()
            .map(|&i| {
                // The other hidden cells can take anything from 0 to `rest`.
                let low = if hidden.len() == 1 { rest } else { 0 };
                (i, low, rest)
            })
            .collect()
    }

    fn line_of(counts: &[i64]) -> Line {
        let groups: Vec<Group> = counts.iter().map(|n| Group::people(*n)).collect();
        suppress_line(&groups, counts.iter().sum(), Overlap::Disjoint)
    }

    #[test]
    fn a_small_cell_and_the_next_smallest_are_hidden_when_the_total_is_shown() {
        let line = line_of(&[50, 4, 30, 12]);
        assert_eq!(
            line.cells,
            vec![
                Cell::Shown(50),
                Cell::Suppressed,
                Cell::Shown(30),
                Cell::Suppressed
            ]
        );
        assert_eq!(line.total, Cell::Shown(96));
    }

    #[test]
    fn a_total_below_ten_is_hidden_with_all_its_cells() {
        let line = line_of(&[3, 4]);
        assert_eq!(line.cells, vec![Cell::Suppressed, Cell::Suppressed]);
        assert_eq!(line.total, Cell::Suppressed);
    }

    #[test]
    fn two_small_cells_that_together_are_below_ten_take_a_third() {
        let line = line_of(&[2, 3, 40, 25]);
        assert_eq!(
            line.cells,
            vec![
                Cell::Suppressed,
                Cell::Suppressed,
                Cell::Shown(40),
                Cell::Suppressed
            ]
        );
    }

    #[test]
    fn overlapping_declarations_need_a_hidden_cell_of_ten_people() {
        // Two codes of few people each: 15 lines but perhaps only 9 people together.
        let cells = [
            Group {
                count: 8,
                persons: 8,
            },
            Group {
                count: 7,
                persons: 7,
            },
            Group {
                count: 30,
                persons: 20,
            },
            Group {
                count: 60,
                persons: 40,
            },
        ];
        let line = suppress_line(&cells, 45, Overlap::Overlapping);
        assert_eq!(line.cells[2], Cell::Suppressed);
        assert_eq!(line.cells[3], Cell::Shown(60));
    }

    #[test]
    fn ages_are_counted_in_whole_years_on_the_day() {
        assert_eq!(age_on(date!(2000 - 11 - 27), date!(2026 - 11 - 26)), 25);
        assert_eq!(age_on(date!(2000 - 11 - 26), date!(2026 - 11 - 26)), 26);
        assert_eq!(age_band(17), "0-17");
        assert_eq!(age_band(18), "18-29");
        assert_eq!(age_band(80), "75+");
    }

    fn group() -> impl Strategy<Value = Group> {
        (0i64..40, 0i64..40).prop_map(|(a, b)| Group {
            count: a.max(b),
            persons: a.min(b),
        })
    }

    proptest! {
        #[test]
        fn no_published_figure_is_below_ten_and_no_hidden_cell_can_be_worked_out(
            cells in prop::collection::vec(group(), 1..8),
            overlapping in any::<bool>(),
            extra_persons in 0i64..20,
        ) {
            let overlap = if overlapping { Overlap::Overlapping } else { Overlap::Disjoint };
            let persons = match overlap {
                Overlap::Disjoint => cells.iter().map(|g| g.persons).sum(),
                Overlap::Overlapping => {
                    let max = cells.iter().map(|g| g.persons).max().unwrap_or(0);
                    let sum: i64 = cells.iter().map(|g| g.persons).sum();
                    (max + extra_persons).min(sum)
                }
            };
            let line = suppress_line(&cells, persons, overlap);
            // Every shown cell and total is a group of at least ten people.
            for (cell, group) in line.cells.iter().zip(&cells) {
                if let Cell::Shown(n) = cell {
                    prop_assert!(*n >= GROUP_MIN && group.persons >= GROUP_MIN);
                    prop_assert_eq!(*n, group.count);
                }
            }
            if let Cell::Shown(n) = line.total {
                prop_assert!(n >= GROUP_MIN && persons >= GROUP_MIN);
            }
            // No hidden cell can be pinned from the published figures.
            for (i, low, high) in attacker(&line) {
                prop_assert!(low < high, "cell {} is pinned to {}", i, low);
            }
            // What can be worked out — the sum of the hidden cells of a line with a shown total —
            // is itself a group of at least ten people.
            if line.total != Cell::Suppressed {
                let hidden: Vec<Group> = cells
                    .iter()
                    .zip(&line.cells)
                    .filter(|(_, c)| **c == Cell::Suppressed)
                    .map(|(g, _)| *g)
                    .collect();
                if !hidden.is_empty() {
                    let certain = match overlap {
                        Overlap::Disjoint => hidden.iter().map(|g| g.persons).sum(),
                        Overlap::Overlapping if hidden.len() == cells.len() => persons,
                        Overlap::Overlapping => {
                            hidden.iter().map(|g| g.persons).max().unwrap_or(0)
                        }
                    };
                    prop_assert!(certain >= GROUP_MIN);
                }
            }
        }

        #[test]
        fn compiled_statistics_never_show_a_figure_below_ten(
            births in prop::collection::vec((0i64..30_000, 0i64..15), 0..30),
            genders in prop::collection::vec((0usize..4, 0i64..25), 0..6),
            areas in prop::collection::vec((10u8..100, 0i64..25), 0..20),
            decl in prop::collection::vec((0usize..5, 1u8..4, group()), 0..20),
        ) {
            let base = date!(1940 - 01 - 01);
            let raw = RawCounts {
                births: births
                    .iter()
                    .map(|(d, n)| (base + time::Duration::days(*d), *n))
                    .collect(),
                genders: genders
                    .iter()
                    .map(|(g, n)| (Gender::ALL[*g].as_str().to_owned(), *n))
                    .collect(),
                areas: areas.iter().map(|(a, n)| (a.to_string(), *n)).collect(),
                declarations: decl
                    .iter()
                    .map(|(c, m, g)| (format!("C{c}"), format!("2026-0{m}"), *g))
                    .collect(),
                month_persons: (1..4)
                    .map(|m| {
                        let month = format!("2026-0{m}");
                        let max = decl
                            .iter()
                            .filter(|(_, mm, _)| format!("2026-0{mm}") == month)
                            .map(|(.., g)| g.persons)
                            .max()
                            .unwrap_or(0);
                        (month, max)
                    })
                    .collect(),
                codes: vec!["C0".into(), "C1".into()],
            };
            let stats = compile(&raw, date!(2026 - 11 - 26));
            for line in stats.lines() {
                for c in line.cells.iter().chain([&line.total]) {
                    if let Cell::Shown(n) = c {
                        prop_assert!(*n >= GROUP_MIN);
                    }
                }
                for (i, low, high) in attacker(line) {
                    prop_assert!(low < high, "cell {} is pinned to {}", i, low);
                }
            }
        }
    }
}
