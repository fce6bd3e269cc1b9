//! The demo's care providers: twenty practices with two providers each, the last two billed
//! for by a billing bureau, each registered through the use cases.

use ixorg_app::AppContext;
use ixorg_app::parties::{self, NewPractice};
use ixorg_domain::identifiers::AgbCode;
use ixorg_domain::ids::{BillingIntermediaryId, PracticeId};

use crate::synthetic::{self, Rng};

/// How many practices the demo registers.
pub const PRACTICES: usize = 20;

/// How many of them (the last ones) the billing bureau bills for.
pub const BILLED_BY_BUREAU: usize = 2;

/// The bureau's name.
pub const BUREAU_NAME: &str = "Declaratieservice Mondzorg B.V.";

const NAMES: &[&str] = &[
    "Tandartspraktijk De Molen",
    "Mondzorg Centrum Noord",
    "Tandheelkunde Aan Het Park",
    "Tandartsen De Linde",
    "Mondzorg Oost",
    "Tandartspraktijk Het Anker",
    "Centrum voor Tandheelkunde Zuid",
    "Tandarts aan de Gracht",
    "Mondzorgpraktijk De Brug",
    "Tandartsen Stadshart",
    "Tandartspraktijk De Eik",
    "Mondzorg Aan Zee",
    "Tandheelkunde De Vallei",
    "Tandartspraktijk Het Plein",
    "Mondzorg De Horst",
    "Tandartsen Kastanjelaan",
    "Tandartspraktijk Marktzicht",
    "Mondzorg Het Veen",
    "Tandheelkundig Centrum West",
    "Tandartspraktijk De Duinen",
];

const CITIES: &[&str] = &[
    "Utrecht",
    "Groningen",
    "Rotterdam",
    "Amsterdam",
    "Enschede",
    "Den Haag",
    "Eindhoven",
    "Leiden",
    "Nijmegen",
    "Haarlem",
    "Tilburg",
    "Zandvoort",
    "Ede",
    "Zwolle",
    "Venlo",
    "Breda",
    "Alkmaar",
    "Emmen",
    "Almere",
    "Den Helder",
];

/// A registered demo practice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoPractice {
    /// The practice.
    pub id: PracticeId,
    /// Its AGB code.
    pub agb: AgbCode,
    /// Its providers' AGB codes.
    pub providers: Vec<AgbCode>,
    /// Whether the bureau bills for it (it has no payee of its own).
    pub billed_by_bureau: bool,
}

/// The demo's practices and the bureau.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoParties {
    /// The practices, in AGB order.
    pub practices: Vec<DemoPractice>,
    /// The billing bureau.
    pub bureau: BillingIntermediaryId,
}

/// The AGB code of the practice numbered `n` (from 0).
pub fn practice_agb(n: usize) -> String {
    format!("12{:06}", 1 + n)
}

/// Registers the practices, their providers and the bureau.
pub async fn register(ctx: &AppContext) -> anyhow::Result<DemoParties> {
    let mut rng = Rng::new(12);
    let mut practices = Vec::with_capacity(PRACTICES);
    for (i, (name, city)) in NAMES.iter().zip(CITIES).enumerate().take(PRACTICES) {
        let mut providers = Vec::new();
        for (n, initials) in ["A.", "B."].iter().enumerate() {
            let agb: AgbCode = format!("12{:06}", 100 + i * 10 + n).parse()?;
            providers.push((agb, format!("Tandarts {initials} {city}")));
        }
        let billed_by_bureau = i + BILLED_BY_BUREAU >= PRACTICES;
        let iban = synthetic::iban(&mut rng);
        let practice = NewPractice {
            agb: practice_agb(i).parse::<AgbCode>()?,
            name: (*name).into(),
            city: (*city).into(),
            providers: providers.clone(),
            iban: (!billed_by_bureau).then_some(iban),
        };
        let registered = parties::register_practice(ctx, &practice).await?;
        let demo = DemoPractice {
            id: registered.practice,
            agb: practice.agb,
            providers: providers.into_iter().map(|(agb, _)| agb).collect(),
            billed_by_bureau,
        };
        practices.push(demo);
    }
    let billed: Vec<PracticeId> = practices
        .iter()
        .filter(|p| p.billed_by_bureau)
        .map(|p| p.id)
        .collect();
    let (bureau, ..) = parties::register_intermediary(
        ctx,
        BUREAU_NAME,
        Some("87654321"),
        None,
        &synthetic::iban(&mut rng),
        &billed,
    )
    .await?;
    Ok(DemoParties { practices, bureau })
}
