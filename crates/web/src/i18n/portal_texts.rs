//! The participant portal's texts: key, Dutch, English (see [`super::catalogue`]).

/// Every text of the portal's pages.
pub const TEXTS: &[(&str, &str, &str)] = &[
    ("portal.menu", "Mijn omgeving", "My account"),
    ("portal.nav_overview", "Mijn budget", "My budget"),
    ("portal.log_out", "Uitloggen", "Log out"),
    ("portal.overview_title", "Mijn budget", "My budget"),
    (
        "portal.overview_lead",
        "Hier ziet u per persoon wat er in het budget staat, hoeveel u nog kunt besteden en hoe het budget dit jaar verliep.",
        "Here you see for each person what is in the budget, how much can still be spent, and how the budget went this year.",
    ),
    (
        "portal.you_act_for",
        "u regelt dit voor uw kind",
        "you manage this for your child",
    ),
    ("portal.number", "Deelnemersnummer", "Participant number"),
    ("portal.balance", "Saldo", "Balance"),
    (
        "portal.balance_end",
        "Saldo einde maand",
        "Balance at month end",
    ),
    ("portal.credit_left", "Nog te besteden", "Still available"),
    ("portal.credit_line", "Kredietruimte", "Credit line"),
    ("portal.annual_budget", "Jaarbudget", "Annual budget"),
    (
        "portal.negative_explained",
        "Het saldo staat onder nul: u gebruikt de kredietruimte. Uw maandelijkse inleg vult het budget weer aan.",
        "The balance is below zero: you are using the credit line. Your monthly saving fills the budget up again.",
    ),
    ("portal.chart_title", "Budget per maand", "Budget per month"),
    (
        "portal.chart_description",
        "Staafjes: inleg en betalingen per maand. Lijn: het saldo aan het einde van elke maand. Stippellijn: de grens van de kredietruimte.",
        "Bars: savings and payments per month. Line: the balance at the end of each month. Dashed line: the limit of the credit line.",
    ),
    (
        "portal.chart_as_table",
        "Toon de cijfers als tabel",
        "Show the figures as a table",
    ),
    ("portal.month", "Maand", "Month"),
    ("portal.contributions", "Inleg", "Savings"),
    ("portal.payments", "Betalingen", "Payments"),
    ("portal.credit_limit", "Grens krediet", "Credit limit"),
    (
        "portal.see_statement",
        "Bekijk alle inleg en declaraties",
        "See all savings and declarations",
    ),
    ("portal.statement_title", "Overzicht", "Statement"),
    (
        "portal.back_to_overview",
        "Terug naar mijn budget",
        "Back to my budget",
    ),
    (
        "portal.declarations",
        "Declaraties van de tandarts",
        "Declarations from the dentist",
    ),
    (
        "portal.no_declarations",
        "Er zijn nog geen declaraties.",
        "There are no declarations yet.",
    ),
    ("portal.declared", "Gedeclareerd", "Declared"),
    ("portal.outcome", "Uitkomst", "Outcome"),
    ("portal.from_budget", "Uit uw budget", "From your budget"),
    (
        "portal.from_credit",
        "Uit de kredietruimte",
        "From the credit line",
    ),
    ("portal.own_payment", "Zelf te betalen", "You pay yourself"),
    (
        "portal.after_accident",
        "Behandeling na een ongeval.",
        "Treatment after an accident.",
    ),
    (
        "portal.no_contributions",
        "Er is nog geen inleg afgeschreven.",
        "No savings have been collected yet.",
    ),
    (
        "portal.contributions_caption",
        "Maandelijkse incasso's (inleg in het budget, en de servicekosten met de premie)",
        "Monthly direct debits (savings into the budget, and the service fee with the premium)",
    ),
    ("portal.collected_on", "Afgeschreven op", "Collected on"),
    ("portal.saving", "Inleg", "Saving"),
    ("portal.costs", "Kosten", "Costs"),
    ("portal.state", "Stand", "Status"),
];
