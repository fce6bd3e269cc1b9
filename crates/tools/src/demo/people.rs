//! The demo's named households, made by hand so the portal has a story to tell: a family with a
//! partner and children under 16, a participant whose declarations went past the budget into
//! the credit line, one identified by BSN, one who gave notice and one who joined this month;
//! and the participant log-ins printed by `ixorg demo`.

use ixorg_app::participants::{NewHousehold, NewMember};
use ixorg_domain::Cents;
use ixorg_domain::identifiers::{Bsn, ParticipantNumber};
use ixorg_domain::ids::{ParticipantId, PracticeId};
use ixorg_domain::person::{Gender, PersonalDetails};
use ixorg_domain::terms::HouseholdRole;
use time::{Date, Duration, Month};

use crate::synthetic::{self, Rng};

/// The demo password of every participant log-in (demo only; printed by `ixorg demo`).
pub const DEMO_PARTICIPANT_PASSWORD: &str = "demo-deelnemer-2026";

/// One member of a named household: role, first name, gender, age in years, budget in euro.
type Sketch = (HouseholdRole, &'static str, Gender, i64, i64);

fn member(
    today: Date,
    (role, first, gender, age, budget_eur): Sketch,
    surname: (&str, &str),
    practice: Option<PracticeId>,
    bsn: Option<Bsn>,
) -> NewMember {
    let slug = format!(
        "{}.{}{}",
        first.to_lowercase(),
        surname.0.replace(' ', ""),
        surname.1.to_lowercase()
    );
    let main = role == HouseholdRole::Main;
    NewMember {
        role,
        details: PersonalDetails {
            first_names: first.to_owned(),
            initials: format!("{}.", first.chars().next().unwrap_or('X')),
            surname_prefix: surname.0.to_owned(),
            surname: surname.1.to_owned(),
            date_of_birth: today - Duration::days(age * 365 + 40),
            gender,
            street: "Lindelaan".to_owned(),
            house_number: 12,
            house_number_addition: String::new(),
            postcode: "3512 AB".parse().expect("BUG: the demo postcode is valid"),
            city: "Utrecht".to_owned(),
            email: main.then(|| format!("{slug}@example.nl")),
            phone: main.then(|| "0612345678".to_owned()),
        },
        bsn,
        annual_budget: Cents::new(budget_eur * 100),
        practice,
    }
}

fn household(
    rng: &mut Rng,
    today: Date,
    start: Date,
    surname: (&str, &str),
    sketches: &[Sketch],
    practice: Option<PracticeId>,
    bsn: Option<Bsn>,
) -> NewHousehold {
    let members: Vec<NewMember> = sketches
        .iter()
        .map(|s| {
            let bsn = (s.0 == HouseholdRole::Main).then(|| bsn.clone()).flatten();
            member(today, *s, surname, practice, bsn)
        })
        .collect();
    let initials = members
        .first()
        .map_or_else(String::new, |m| m.details.initials.clone());
    NewHousehold {
        start_date: start,
        iban: synthetic::iban(rng),
        account_holder: format!("{initials} {}", [surname.0, surname.1].join(" ").trim()),
        members,
        mandate_signed_on: start.previous_day().unwrap_or(start),
        provider_view_consent: true,
    }
}

/// The named households of the demo.
#[derive(Clone, Debug)]
pub struct Named {
    /// The De Vries family: the main participant, a partner and two children under 16.
    pub family: NewHousehold,
    /// Kees Bakker, whose declarations reach into the credit line and beyond.
    pub credit: NewHousehold,
    /// Fatima El Amrani, known by her BSN (and its date of birth).
    pub bsn: NewHousehold,
    /// Pieter Smit, who gave notice a year ago.
    pub leaver: NewHousehold,
    /// Lotte Visser, who joined on the first of this month.
    pub newcomer: NewHousehold,
    /// Fatima's BSN, as a provider would send it.
    pub bsn_value: Bsn,
}

/// The named households; `start` is when the long-standing ones started.
pub fn named(today: Date, start: Date, practice: Option<PracticeId>) -> Named {
    use Gender::{Female, Male};
    use HouseholdRole::{Child, Main, Partner};
    let mut rng = Rng::new(4242);
    let bsn_value = synthetic::bsn(&mut rng);
    let first_of_month = Date::from_calendar_date(today.year(), today.month(), 1).unwrap_or(today);
    let family = [
        (Main, "Marieke", Female, 42, 900),
        (Partner, "Jeroen", Male, 44, 600),
        (Child, "Noor", Female, 11, 240),
        (Child, "Daan", Male, 7, 180),
    ];
    Named {
        family: household(
            &mut rng,
            today,
            start,
            ("de", "Vries"),
            &family,
            practice,
            None,
        ),
        credit: household(
            &mut rng,
            today,
            start,
            ("", "Bakker"),
            &[(Main, "Kees", Male, 67, 600)],
            practice,
            None,
        ),
        bsn: household(
            &mut rng,
            today,
            start,
            ("El", "Amrani"),
            &[(Main, "Fatima", Female, 35, 480)],
            practice,
            Some(bsn_value.clone()),
        ),
        leaver: household(
            &mut rng,
            today,
            start,
            ("", "Smit"),
            &[(Main, "Pieter", Male, 56, 240)],
            practice,
            None,
        ),
        newcomer: household(
            &mut rng,
            today,
            first_of_month,
            ("", "Visser"),
            &[(Main, "Lotte", Female, 29, 360)],
            practice,
            None,
        ),
        bsn_value,
    }
}

/// When the long-standing named households started: 1 January two years before today.
pub fn long_ago(today: Date) -> Date {
    Date::from_calendar_date(today.year() - 2, Month::January, 1).unwrap_or(today)
}

/// A participant of the demo: id, number and what the demo shows with them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoParticipant {
    /// The participant.
    pub id: ParticipantId,
    /// The participant number (the log-in name).
    pub number: ParticipantNumber,
    /// What to look at when logged in as them.
    pub story: &'static str,
}

/// A participant log-in printed by `ixorg demo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantLogin {
    /// The participant number.
    pub number: String,
    /// What to look at.
    pub story: &'static str,
    /// The password (demo only).
    pub password: String,
}

/// The log-ins of the demo's main participants, made real the way a participant makes theirs:
/// an activation message goes into the outbox, the mail sender writes it (with every other
/// waiting message) as a file into the demo's `mail_dir` with its one-time link, and the link
/// is used to choose
/// [`DEMO_PARTICIPANT_PASSWORD`]. Only the participants whose account was activated are listed.
///
/// # Errors
/// When the database, the sender or the mail directory fails.
pub async fn participant_logins(
    ctx: &ixorg_app::AppContext,
    participants: &[DemoParticipant],
    mail_dir: &std::path::Path,
) -> anyhow::Result<Vec<ParticipantLogin>> {
    use ixorg_domain::outbox::MessageKind;
    use ixorg_store::outbox::{Message, insert_message};

    let mut tx = ctx.db.begin().await?;
    for p in participants {
        let message = Message {
            id: ctx.ids.new_uuid(),
            kind: MessageKind::PortalActivation,
            participant: p.id,
            application: None,
            created_at: ctx.now(),
            sent_at: None,
        };
        insert_message(&mut tx, &message).await?;
    }
    tx.commit().await?;
    std::fs::create_dir_all(mail_dir)?;
    let mails = send_and_read(ctx, mail_dir).await?;
    let mut out = Vec::new();
    for p in participants {
        let number = p.number.as_str();
        let Some(token) = mails
            .iter()
            .filter(|m| m.contains(number))
            .find_map(|m| activation_token(m))
        else {
            continue;
        };
        if ixorg_app::accounts::activate(ctx, &token, DEMO_PARTICIPANT_PASSWORD)
            .await
            .is_ok()
        {
            out.push(ParticipantLogin {
                number: number.to_owned(),
                story: p.story,
                password: DEMO_PARTICIPANT_PASSWORD.to_owned(),
            });
        }
    }
    Ok(out)
}

/// Sends the due outbox messages as files into `dir` and reads them back (quoted-printable
/// soft breaks undone).
async fn send_and_read(
    ctx: &ixorg_app::AppContext,
    dir: &std::path::Path,
) -> anyhow::Result<Vec<String>> {
    let transport = ixorg_app::mail::MailTransport::file(dir, None)?;
    ixorg_app::mail::send_due(ctx, &transport, "http://127.0.0.1:8080").await?;
    let mut mails = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let text = std::fs::read_to_string(entry?.path())?;
        mails.push(text.replace("=\r\n", "").replace("=3D", "="));
    }
    Ok(mails)
}

/// The token of the activation link in `mail`.
fn activation_token(mail: &str) -> Option<String> {
    const LINK: &str = "/mijn/activeren?token=";
    let start = mail.find(LINK)? + LINK.len();
    let token: String = mail[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (token.len() == 64).then_some(token)
}
