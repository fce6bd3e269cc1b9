//! Realistic synthetic data (names, addresses, IBANs, BSNs, households) from a seeded,
//! deterministic generator: for the demo, tests and benchmarks. No real person's data.

use ixorg_app::participants::{NewHousehold, NewMember};
use ixorg_domain::Cents;
use ixorg_domain::identifiers::{Bsn, Iban, Postcode};
use ixorg_domain::ids::PracticeId;
use ixorg_domain::person::Gender;
use ixorg_domain::terms::HouseholdRole;
use time::{Date, Duration, Month};

/// `SplitMix64`: a tiny, fast, well-distributed deterministic generator (not for secrets).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "BUG: below(0)");
        self.next_u64() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        &items[i]
    }
}

const FIRST_FEMALE: &[&str] = &[
    "Anna", "Emma", "Sophie", "Julia", "Lotte", "Sanne", "Fleur", "Noor", "Eva", "Lieke", "Femke",
    "Ilse", "Marieke", "Ingrid", "Fatima", "Yara", "Mila", "Tess",
];
const FIRST_MALE: &[&str] = &[
    "Jan", "Pieter", "Daan", "Sem", "Lucas", "Bram", "Thijs", "Ruben", "Jeroen", "Kees", "Mohamed",
    "Finn", "Stijn", "Gijs", "Wouter", "Hendrik", "Levi", "Noah",
];
const SURNAMES: &[(&str, &str)] = &[
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("van der", "Meer"),
    ("", "Yilmaz"),
    ("", "El Amrani"),
];
const STREETS: &[&str] = &[
    "Dorpsstraat",
    "Kerkstraat",
    "Schoolstraat",
    "Molenweg",
    "Stationsweg",
    "Julianalaan",
    "Beatrixstraat",
    "Eikenlaan",
    "Lindelaan",
    "Nieuwstraat",
    "Marktplein",
    "Parallelweg",
];
/// Cities with the first two digits of their postcodes.
const CITIES: &[(&str, u32)] = &[
    ("Amsterdam", 10),
    ("Rotterdam", 30),
    ("Den Haag", 25),
    ("Utrecht", 35),
    ("Eindhoven", 56),
    ("Groningen", 97),
    ("Tilburg", 50),
    ("Almere", 13),
    ("Breda", 48),
    ("Nijmegen", 65),
    ("Zwolle", 80),
    ("Leeuwarden", 89),
    ("Maastricht", 62),
    ("Enschede", 75),
];
const BANKS: &[&str] = &[
    "ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ",
];
const LETTERS: &[u8] = b"ABCDEFGHJKLMNPRTVWXZ";

/// A valid BSN (11-check) drawn at random.
pub fn bsn(rng: &mut Rng) -> Bsn {
    loop {
        let first8 = 10_000_000 + rng.below(89_999_999);
        let digits: Vec<u64> = format!("{first8:08}")
            .bytes()
            .map(|b| u64::from(b - b'0'))
            .collect();
        let sum: u64 = digits.iter().zip((2..=9).rev()).map(|(d, w)| d * w).sum();
        let last = sum % 11;
        if last <= 9
            && let Ok(bsn) = format!("{first8:08}{last}").parse()
        {
            return bsn;
        }
    }
}

/// Valid BSNs in increasing order from a starting point: unique within one run, so a million
/// synthetic participants never collide on the BSN's uniqueness rule.
#[derive(Debug, Clone)]
pub struct BsnSequence {
    next: u32,
}

impl BsnSequence {
    /// Starts at the first valid BSN at or after 100,000,000 + `offset`.
    pub fn new(offset: u32) -> BsnSequence {
        BsnSequence {
            next: 100_000_000u32.saturating_add(offset % 800_000_000),
        }
    }

    /// The next valid BSN, or `None` when the nine-digit range is used up.
    pub fn next_bsn(&mut self) -> Option<Bsn> {
        while self.next <= 999_999_999 {
            let candidate = self.next;
            self.next += 1;
            if let Ok(bsn) = format!("{candidate:09}").parse() {
                return Some(bsn);
            }
        }
        None
    }
}

/// A valid Dutch IBAN drawn at random.
pub fn iban(rng: &mut Rng) -> Iban {
    let bank = rng.pick(BANKS);
    Iban::from_parts_nl(bank, rng.below(10_000_000_000))
        .expect("BUG: a 10-digit account number forms a valid IBAN")
}

fn postcode(rng: &mut Rng, prefix: u32) -> Postcode {
    let digits = prefix * 100 + u32::try_from(rng.below(100)).unwrap_or(0);
    let a = *rng.pick(LETTERS) as char;
    let b = *rng.pick(LETTERS) as char;
    format!("{digits:04} {a}{b}")
        .parse()
        .unwrap_or_else(|_| "1011 AB".parse().expect("BUG: a fixed valid postcode"))
}

fn date_of_birth(rng: &mut Rng, today: Date, age_min: u64, age_max: u64) -> Date {
    let days = (age_min * 365) + rng.below((age_max - age_min) * 365 + 1);
    today - Duration::days(i64::try_from(days).unwrap_or(0))
}

fn annual_budget(rng: &mut Rng) -> Cents {
    // Budgets between EUR 60 and EUR 1,200 a year, in steps of EUR 12 (EUR 1 a month).
    Cents::new(6_000 + i64::try_from(rng.below(96)).unwrap_or(0) * 1_200)
}

/// A household: a main participant, sometimes a partner, sometimes children; a BSN for about
/// `bsn_percent` of the members.
pub fn household(
    rng: &mut Rng,
    today: Date,
    practices: &[PracticeId],
    bsn_percent: u64,
) -> NewHousehold {
    let (surname_prefix, surname) = *rng.pick(SURNAMES);
    let (city, prefix) = *rng.pick(CITIES);
    let street = (*rng.pick(STREETS)).to_owned();
    let house_number = 1 + u32::try_from(rng.below(250)).unwrap_or(0);
    let postcode = postcode(rng, prefix);
    let practice = (!practices.is_empty()).then(|| *rng.pick(practices));
    let month =
        Month::try_from(1 + u8::try_from(rng.below(12)).unwrap_or(0)).unwrap_or(Month::January);
    let start_year = today.year() - i32::try_from(rng.below(4)).unwrap_or(0);
    let start_date = Date::from_calendar_date(start_year, month, 1).unwrap_or(today);
    let member = |rng: &mut Rng, role: HouseholdRole, age_min: u64, age_max: u64| {
        let female = rng.chance(50);
        let first = if female {
            rng.pick(FIRST_FEMALE)
        } else {
            rng.pick(FIRST_MALE)
        };
        let slug = first.to_lowercase();
        NewMember {
            role,
            details: ixorg_domain::person::PersonalDetails {
                first_names: (*first).to_owned(),
                initials: format!("{}.", first.chars().next().unwrap_or('X')),
                surname_prefix: surname_prefix.to_owned(),
                surname: surname.to_owned(),
                date_of_birth: date_of_birth(rng, today, age_min, age_max),
                gender: if female { Gender::Female } else { Gender::Male },
                street: street.clone(),
                house_number,
                house_number_addition: String::new(),
                postcode: postcode.clone(),
                city: city.to_owned(),
                email: (role == HouseholdRole::Main).then(|| {
                    format!(
                        "{slug}.{}@example.nl",
                        surname.to_lowercase().replace(' ', "")
                    )
                }),
                phone: (role == HouseholdRole::Main)
                    .then(|| format!("06{:08}", rng.below(100_000_000))),
            },
            bsn: rng.chance(bsn_percent).then(|| bsn(rng)),
            annual_budget: annual_budget(rng),
            practice,
        }
    };
    let mut members = vec![member(rng, HouseholdRole::Main, 20, 80)];
    if rng.chance(55) {
        members.push(member(rng, HouseholdRole::Partner, 20, 80));
    }
    for _ in 0..rng.below(4) {
        members.push(member(rng, HouseholdRole::Child, 1, 17));
    }
    let account_holder = format!(
        "{} {}",
        members[0].details.initials,
        [surname_prefix, surname].join(" ").trim()
    );
    let mandate_signed_on = start_date.previous_day().unwrap_or(start_date);
    NewHousehold {
        start_date,
        iban: iban(rng),
        account_holder,
        members,
        mandate_signed_on,
        provider_view_consent: rng.chance(60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_households_are_valid_and_deterministic() {
        let today = Date::from_calendar_date(2026, Month::November, 26).expect("date");
        let a = household(&mut Rng::new(7), today, &[], 50);
        let b = household(&mut Rng::new(7), today, &[], 50);
        assert_eq!(a.iban, b.iban);
        assert_eq!(a.members.len(), b.members.len());
        assert_eq!(
            a.members
                .iter()
                .filter(|m| m.role == HouseholdRole::Main)
                .count(),
            1
        );
        for m in &a.members {
            assert!(m.details.date_of_birth < today);
        }
    }

    #[test]
    fn generated_bsns_pass_the_eleven_check() {
        let mut rng = Rng::new(1);
        for _ in 0..1_000 {
            let b = bsn(&mut rng);
            assert!(b.expose().parse::<Bsn>().is_ok());
        }
    }
}
