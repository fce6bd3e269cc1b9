//! `ixorg bench api`: the JSON declarations API under load.
//!
//! Untimed set-up: a fresh database with the operator's profile, generated participants, a
//! paid practice with two providers and an API client. Then the real server (the whole
//! router, as `ixorg serve` runs it) listens on a loopback port in this process, and N client
//! tasks, each on its own keep-alive connection, send `POST /api/v1/declarations` batches of L
//! realistic lines for the given time, one request after the other. Every request's latency is
//! kept, so the percentiles are exact. Afterwards every batch answered with 201 is read back
//! through the app (`declarations::api::batch_status`) and must hold the lines sent, and the
//! books must verify.
//!
//! This module sets up and plans the run (what each request holds); [`client`] is the load
//! generator, an HTTP/1.1 client written out (a request is a few header lines and a JSON body;
//! a response is read by its `Content-Length`), so the measurement needs no client library;
//! [`load`] runs the clients and sums up what they measured.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use anyhow::Context as _;
use ixorg_app::AppContext;
use ixorg_app::declarations::fhir::ApiClient;
use ixorg_app::domain::identifiers::ParticipantNumber;
use time::Date;

use crate::synthetic::Rng;

mod client;
mod load;

pub use load::Load;

/// What one `bench api` run does: its clients, duration, batch size, offered rate and the
/// participants generated before it (the command line checks the ranges).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiConfig {
    /// Concurrent clients, each on its own keep-alive connection.
    pub clients: usize,
    /// How long the clients send, in seconds.
    pub seconds: u64,
    /// Declaration lines per request.
    pub lines_per_request: usize,
    /// Offered load in lines per second, spread evenly over the clients (each sends on a fixed
    /// schedule, and a request's latency counts from its scheduled time); `None`: every client
    /// sends its next request as soon as the answer to the last one is in.
    pub rate: Option<u64>,
    /// Participants generated before the run.
    pub participants: u64,
}

/// How far back treatment dates go, at most.
const DAYS_BACK_MAX: u8 = 28;

/// The practice and its providers.
const PRACTICE_AGB: &str = "12002242";
const PROVIDER_AGBS: [&str; 2] = ["12041054", "12045210"];

/// The path posted to.
const PATH: &str = "/api/v1/declarations";

/// One kind of treatment a line declares: code, 2026 maximum tariff in cents (the tariff
/// list's points times the 2026 point value 7.5026, rounded half away from zero), whether it is
/// charged per element, its surfaces, and the most units one line may carry.
struct Treatment {
    code: &'static str,
    tariff_cents: i64,
    per_element: bool,
    surface: Option<&'static str>,
    quantity_max: u64,
}

/// The treatments lines declare, each at its 2026 maximum tariff.
const TREATMENTS: [Treatment; 9] = [
    treatment("C002", 2_851, false, None, 1),
    treatment("C003", 2_851, false, None, 1),
    treatment("M03", 1_681, false, None, 4),
    treatment("X10", 2_101, true, None, 1),
    treatment("A10", 1_876, true, None, 1),
    treatment("V71", 3_151, true, Some("O"), 1),
    treatment("V92", 7_878, true, Some("MO"), 1),
    treatment("H11", 5_627, true, None, 1),
    treatment("X21", 9_003, false, None, 1),
];

/// Visits as indexes into [`TREATMENTS`], checkups twice as often: a check-up with a small
/// X-ray and cleaning; a consult, anaesthesia and a filling or an extraction of one element;
/// a check-up with a jaw overview X-ray.
const VISITS: [[usize; LINES_PER_VISIT]; 6] = [
    [0, 3, 2],
    [0, 3, 2],
    [1, 4, 5],
    [1, 4, 6],
    [1, 4, 7],
    [0, 8, 2],
];

/// Lines of one visit: one participant, one day, one provider, as `generate mz301` writes
/// three lines per verzekerde.
const LINES_PER_VISIT: usize = 3;

const fn treatment(
    code: &'static str,
    tariff_cents: i64,
    per_element: bool,
    surface: Option<&'static str>,
    quantity_max: u64,
) -> Treatment {
    Treatment {
        code,
        tariff_cents,
        per_element,
        surface,
        quantity_max,
    }
}

/// Set-up, the timed load against the server, and the read-back of the stored lines: what the
/// clients measured and how many lines are stored for the batches answered with 201, for an
/// empty database. `progress` is told the phase (`generate`, `load`, `verify`) and how far it
/// is.
pub async fn api(
    ctx: &AppContext,
    args: &ApiConfig,
    progress: &(dyn Fn(&str, u64) + Sync),
) -> anyhow::Result<(Load, u64)> {
    let (client, token) = set_up(ctx, args.participants, progress).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("Failed to listen on a loopback port")?;
    let addr = listener
        .local_addr()
        .context("Failed to read the bound address")?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(ixorg_web::serve(ctx.clone(), listener, async {
        let _ = stopped.await;
    }));
    let plan = Arc::new(Plan::new(ctx, args, token, addr.to_string())?);
    progress("load", 0);
    let load = load::load(&plan, progress).await;
    let _ = stop.send(());
    server
        .await
        .context("The server task failed")?
        .context("The server failed")?;
    let load = load?;
    progress("verify", 0);
    let stored = load::stored_lines(ctx, &client, &load.batches, progress).await;
    Ok((load, stored?))
}

/// The operator, the participants, a paid practice and its API client (untimed).
async fn set_up(
    ctx: &AppContext,
    participants: u64,
    progress: &(dyn Fn(&str, u64) + Sync),
) -> anyhow::Result<(ApiClient, String)> {
    ixorg_app::operator::set(ctx, &crate::demo::operator_profile()).await?;
    let before = ixorg_app::stats::counts(ctx).await?.participants;
    anyhow::ensure!(
        before == 0,
        "the database holds participants already; the benchmark needs an empty one"
    );
    crate::generate::participants(ctx, participants, 13, &|n| progress("generate", n)).await?;
    let agb = PRACTICE_AGB.parse()?;
    let practice = ixorg_app::parties::NewPractice {
        agb,
        name: "Bench Tandartsen".to_owned(),
        city: "Utrecht".to_owned(),
        providers: vec![
            (PROVIDER_AGBS[0].parse()?, "A. Bench".to_owned()),
            (PROVIDER_AGBS[1].parse()?, "B. Bench".to_owned()),
        ],
        iban: Some("NL91ABNA0417164300".parse()?),
    };
    ixorg_app::parties::register_practice(ctx, &practice).await?;
    let (client, token) =
        ixorg_app::declarations::api::create_client_for_practice(ctx, &practice.agb, "bench api")
            .await?;
    Ok((client, token))
}

/// What every client sends, and until when.
struct Plan {
    addr: String,
    token: String,
    /// Participant numbers of the generated participants.
    numbers: Vec<String>,
    /// The latest treatment date, and on how many days up to it dates lie.
    last_date: Date,
    days: u8,
    lines_per_request: usize,
    clients: usize,
    duration: Duration,
    /// With `--rate`: the offered lines per second, and the time between two requests of
    /// one client.
    rate: Option<u64>,
    interval: Option<Duration>,
    /// Lines accepted with 201 so far, for the progress bar.
    lines_done: AtomicU64,
}

impl Plan {
    /// The generated participants are numbered 1 to N in an empty database, and every
    /// generated contract starts on the first of this month or earlier, so treatment dates
    /// from the first of this month to yesterday are covered for all of them (today only, on
    /// the first of a month).
    fn new(
        ctx: &AppContext,
        args: &ApiConfig,
        token: String,
        addr: String,
    ) -> anyhow::Result<Plan> {
        let numbers = (1..=u32::try_from(args.participants)?)
            .map(|n| ParticipantNumber::from_sequence(n).map(|p| p.as_str().to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let today = ctx.clock.today();
        let days = (today.day() - 1).min(DAYS_BACK_MAX);
        let last_date = if days == 0 {
            today
        } else {
            today.previous_day().unwrap_or(today)
        };
        Ok(Plan {
            addr,
            token,
            numbers,
            last_date,
            days: days.max(1),
            lines_per_request: args.lines_per_request,
            clients: args.clients,
            duration: Duration::from_secs(args.seconds),
            rate: args.rate,
            interval: args.rate.map(|rate| {
                let lines = (args.clients * args.lines_per_request) as u64;
                Duration::from_micros((lines * 1_000_000 / rate).max(1))
            }),
            lines_done: AtomicU64::new(0),
        })
    }

    /// The JSON body of request `request` of client `client`: visits of random participants
    /// on random days, with unique references.
    fn body(&self, rng: &mut Rng, client: usize, request: u64) -> String {
        let mut body = format!(r#"{{"sender_reference":"B{client}-{request}","lines":["#);
        let mut n = 0;
        while n < self.lines_per_request {
            let visit = Visit {
                number: rng.pick(&self.numbers).as_str(),
                provider: rng.pick::<&str>(&PROVIDER_AGBS),
                date: self.last_date
                    - time::Duration::days(
                        i64::try_from(rng.below(u64::from(self.days))).unwrap_or(0),
                    ),
                element: format!("{}{}", 1 + rng.below(4), 1 + rng.below(8)),
            };
            let codes = rng.pick(&VISITS);
            for t in codes.iter().take(self.lines_per_request - n) {
                if n > 0 {
                    body.push(',');
                }
                let reference = format!("L{client}-{request}-{n}");
                visit.push_line(&mut body, &reference, &TREATMENTS[*t], rng);
                n += 1;
            }
        }
        body.push_str("]}");
        body
    }
}

/// What the lines of one visit share.
struct Visit<'a> {
    number: &'a str,
    provider: &'a str,
    date: Date,
    element: String,
}

impl Visit<'_> {
    /// Appends one line of treatment `t` as JSON.
    fn push_line(&self, body: &mut String, reference: &str, t: &Treatment, rng: &mut Rng) {
        let quantity = 1 + rng.below(t.quantity_max);
        let amount = t.tariff_cents * i64::try_from(quantity).unwrap_or(1);
        body.push_str(&format!(
            r#"{{"reference":"{reference}","participant_number":"{number}","provider_agb":"{provider}","treatment_date":"{date}","code":"{code}","quantity":{quantity},"unit_tariff":"{unit}","amount":"{amount}""#,
            number = self.number,
            provider = self.provider,
            date = self.date,
            code = t.code,
            unit = euro(t.tariff_cents),
            amount = euro(amount),
        ));
        if t.per_element {
            body.push_str(&format!(r#","element":"{}""#, self.element));
        }
        if let Some(surface) = t.surface {
            body.push_str(&format!(r#","surface":"{surface}""#));
        }
        body.push('}');
    }
}

/// Cents as euro text (`2851` → `28.51`); amounts here are positive.
fn euro(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}
