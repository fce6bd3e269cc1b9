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
//! The HTTP/1.1 client is written out here (a request is a few header lines and a JSON body;
//! a response is read by its `Content-Length`), so the measurement needs no client library.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use ixorg_app::AppContext;
use ixorg_app::declarations::fhir::ApiClient;
use ixorg_app::domain::identifiers::ParticipantNumber;
use ixorg_app::domain::ids::Uuid;
use ixorg_app::synthetic::Rng;
use time::Date;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::settings::{data_key_from_env, open_app};

/// Most concurrent clients.
const CLIENTS_MAX: usize = 1_000;

/// Longest run.
const SECONDS_MAX: u64 = 3_600;

/// Longest a client waits for one answer before counting the request as failed.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// Largest response header block read.
const HEADER_BYTES_MAX: usize = 64 * 1024;

/// Largest response body read (a batch of 10,000 lines answers in about 2 MB).
const BODY_BYTES_MAX: usize = 16 * 1024 * 1024;

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

/// Arguments of `ixorg bench api`.
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// Concurrent clients, each on its own keep-alive connection.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// How long the clients send, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Declaration lines per request.
    #[arg(long, default_value_t = 50)]
    lines_per_request: usize,
    /// Offered load in lines per second, spread evenly over the clients: each client sends on
    /// a fixed schedule and a request's latency counts from its scheduled time, so a server
    /// that falls behind shows it in the latency (as `wrk2 -R` does). Default: every client
    /// sends its next request as soon as the answer to the last one is in (as `wrk` does).
    #[arg(long)]
    rate: Option<u64>,
    /// Number of participants generated before the run.
    #[arg(long, default_value_t = 20_000)]
    participants: u64,
    /// Database URL of an empty database; default a fresh SQLite file in the temp directory,
    /// removed afterwards.
    #[arg(long)]
    database: Option<String>,
}

/// Runs the benchmark and prints its result line.
pub async fn run(args: ApiArgs) -> anyhow::Result<()> {
    check(&args)?;
    let dir = std::env::temp_dir().join(format!("ixorg-bench-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("Failed to create the temp directory")?;
    let url = args
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let key = data_key_from_env().or_else(|| ixorg_app::crypto::Crypto::generate_key_hex().ok());
    let ctx = open_app(&url, key).await?;
    let measured = measure(&ctx, &args).await;
    let audit = ixorg_app::audit::verify(&ctx).await;
    ctx.db_close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let (load, stored) = measured?;
    println!("{}", load.summary(crate::settings::scheme(&url)));
    anyhow::ensure!(
        load.failed == 0,
        "{} of {} requests were not answered with 201 Created",
        load.failed,
        load.requests
    );
    anyhow::ensure!(
        stored == load.lines_created,
        "{stored} lines are stored for the 201 answers, which accepted {}",
        load.lines_created
    );
    println!(
        "stored after the benchmark: {stored} lines in {} batches, as answered",
        load.batches.len()
    );
    anyhow::ensure!(
        audit?.is_sound(),
        "the books do not verify after the benchmark"
    );
    println!("audit after the benchmark: ok");
    Ok(())
}

fn check(args: &ApiArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=CLIENTS_MAX).contains(&args.clients),
        "--clients is 1 to {CLIENTS_MAX}"
    );
    anyhow::ensure!(
        (1..=SECONDS_MAX).contains(&args.seconds),
        "--seconds is 1 to {SECONDS_MAX}"
    );
    let lines_max = ixorg_app::declarations::api::LINES_PER_BATCH_MAX;
    anyhow::ensure!(
        (1..=lines_max).contains(&args.lines_per_request),
        "--lines-per-request is 1 to {lines_max}"
    );
    anyhow::ensure!(
        args.rate
            .is_none_or(|rate| (1..=10_000_000).contains(&rate)),
        "--rate is 1 to 10,000,000 lines per second"
    );
    anyhow::ensure!(
        (1..=5_000_000).contains(&args.participants),
        "--participants is 1 to 5,000,000"
    );
    Ok(())
}

/// Set-up, the timed load against the server, and the read-back of the stored lines.
async fn measure(ctx: &AppContext, args: &ApiArgs) -> anyhow::Result<(Load, u64)> {
    let bar = ProgressBar::new(args.participants);
    bar.set_style(
        ProgressStyle::with_template("{msg:>9} {pos} {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (client, token) = set_up(ctx, args.participants, &bar).await?;
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
    bar.set_message("load");
    bar.set_position(0);
    let load = load(&plan, &bar).await;
    let _ = stop.send(());
    server
        .await
        .context("The server task failed")?
        .context("The server failed")?;
    let load = load?;
    bar.set_message("verify");
    bar.set_position(0);
    let stored = stored_lines(ctx, &client, &load.batches, &bar).await;
    bar.finish_and_clear();
    Ok((load, stored?))
}

/// The operator, the participants, a paid practice and its API client (untimed).
async fn set_up(
    ctx: &AppContext,
    participants: u64,
    bar: &ProgressBar,
) -> anyhow::Result<(ApiClient, String)> {
    ixorg_app::operator::set(ctx, &ixorg_app::operator::demo_profile()).await?;
    let before = ixorg_app::stats::counts(ctx).await?.participants;
    anyhow::ensure!(
        before == 0,
        "the database holds participants already; the benchmark needs an empty one"
    );
    bar.set_message("generate");
    ixorg_app::generate::participants(ctx, participants, 13, &|n| bar.set_position(n)).await?;
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
    fn new(ctx: &AppContext, args: &ApiArgs, token: String, addr: String) -> anyhow::Result<Plan> {
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

/// The outcomes a line can have, in the order they are counted.
const OUTCOMES: [&str; 4] = ["accepted", "partly_accepted", "held", "rejected"];

/// What one client measured.
#[derive(Default)]
struct ClientRun {
    /// Latency of every request, in microseconds.
    latencies_us: Vec<u32>,
    created: u64,
    /// Requests not answered with 201, by status (0: no answer at all).
    failures: std::collections::BTreeMap<u16, u64>,
    lines_created: u64,
    outcomes: [u64; 4],
    /// The batches answered with 201.
    batches: Vec<Uuid>,
}

impl ClientRun {
    fn record(&mut self, plan: &Plan, answer: anyhow::Result<Answer>, latency: Duration) {
        self.latencies_us
            .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
        let status = answer.as_ref().map_or(0, |a| a.status);
        let batch = match &answer {
            Ok(a) if a.status == 201 => a.location.as_deref().and_then(batch_of_location),
            _ => None,
        };
        let (Ok(answer), Some(batch)) = (answer, batch) else {
            *self.failures.entry(status).or_default() += 1;
            return;
        };
        self.created += 1;
        self.lines_created += plan.lines_per_request as u64;
        self.batches.push(batch);
        count_outcomes(&answer.body, &mut self.outcomes);
        plan.lines_done
            .fetch_add(plan.lines_per_request as u64, Ordering::Relaxed);
    }
}

/// The batch id at the end of a `Location` path.
fn batch_of_location(location: &str) -> Option<Uuid> {
    let id = location.strip_prefix(PATH)?.strip_prefix('/')?;
    Uuid::parse_str(id).ok()
}

/// Adds the lines of a 201 body to `outcomes` by their `"outcome"` (the body is compact JSON
/// written by the server).
fn count_outcomes(body: &[u8], outcomes: &mut [u64; 4]) {
    const KEY: &[u8] = br#""outcome":""#;
    let mut rest = body;
    while let Some(at) = rest.windows(KEY.len()).position(|w| w == KEY) {
        rest = &rest[at + KEY.len()..];
        let end = rest.iter().position(|b| *b == b'"').unwrap_or(rest.len());
        if let Some(i) = OUTCOMES.iter().position(|o| o.as_bytes() == &rest[..end]) {
            outcomes[i] += 1;
        }
    }
}

/// One client: requests one after the other on a keep-alive connection until the deadline.
/// After a failed exchange the connection is opened again.
async fn client(plan: Arc<Plan>, index: usize, started: Instant) -> ClientRun {
    let deadline = started + plan.duration;
    // With a rate, the clients' schedules are staggered evenly over one interval.
    let mut scheduled = plan.interval.map(|interval| {
        let offset = interval.as_micros() * index as u128 / plan.clients as u128;
        started + Duration::from_micros(u64::try_from(offset).unwrap_or(0))
    });
    let mut run = ClientRun::default();
    let mut rng = Rng::new(1_000 + index as u64);
    let mut connection: Option<TcpStream> = None;
    let mut buffer = Vec::with_capacity(64 * 1024);
    let mut request = 0u64;
    while Instant::now() < deadline {
        let body = plan.body(&mut rng, index, request);
        let head = format!(
            "POST {PATH} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Idempotency-Key: bench-{index}-{request}\r\nContent-Type: application/json\r\n\
             Content-Length: {length}\r\n\r\n",
            addr = plan.addr,
            token = plan.token,
            length = body.len(),
        );
        request += 1;
        if connection.is_none() {
            connection = connect(&plan.addr).await.ok();
        }
        let started = match (scheduled, plan.interval) {
            (Some(at), Some(interval)) => {
                if at >= deadline {
                    break;
                }
                tokio::time::sleep_until(at.into()).await;
                scheduled = Some(at + interval);
                at
            }
            _ => Instant::now(),
        };
        let answer = match connection.as_mut() {
            Some(stream) => {
                let exchange = exchange(stream, &head, &body, &mut buffer);
                match tokio::time::timeout(ANSWER_TIMEOUT, exchange).await {
                    Ok(answer) => answer,
                    Err(_) => Err(anyhow::anyhow!("no answer in time")),
                }
            }
            None => Err(anyhow::anyhow!("cannot connect")),
        };
        let latency = started.elapsed();
        if answer.is_err() {
            connection = None;
        }
        run.record(&plan, answer, latency);
    }
    run
}

async fn connect(addr: &str) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A response as far as the benchmark reads it.
struct Answer {
    status: u16,
    location: Option<String>,
    body: Vec<u8>,
}

/// Sends one request and reads its answer (by `Content-Length`).
async fn exchange(
    stream: &mut TcpStream,
    head: &str,
    body: &str,
    buffer: &mut Vec<u8>,
) -> anyhow::Result<Answer> {
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    buffer.clear();
    let header_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        anyhow::ensure!(buffer.len() <= HEADER_BYTES_MAX, "the header is too long");
        read_more(stream, buffer).await?;
    };
    let head = std::str::from_utf8(&buffer[..header_end]).context("a header is not text")?;
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status")?;
    let mut length = None;
    let mut location = None;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("location") {
            location = Some(value.trim().to_owned());
        }
    }
    let length = length.context("no Content-Length")?;
    anyhow::ensure!(length <= BODY_BYTES_MAX, "the body is too long");
    while buffer.len() < header_end + length {
        read_more(stream, buffer).await?;
    }
    anyhow::ensure!(buffer.len() == header_end + length, "more than one answer");
    Ok(Answer {
        status,
        location,
        body: buffer.split_off(header_end),
    })
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> anyhow::Result<()> {
    buffer.reserve(64 * 1024);
    let n = stream.read_buf(buffer).await?;
    anyhow::ensure!(n > 0, "the server closed the connection");
    Ok(())
}

/// Runs every client until the plan's duration has passed and merges what they measured.
async fn load(plan: &Arc<Plan>, bar: &ProgressBar) -> anyhow::Result<Load> {
    let started = Instant::now();
    let tasks: Vec<_> = (0..plan.clients)
        .map(|index| tokio::spawn(client(Arc::clone(plan), index, started)))
        .collect();
    let ticker = {
        let (plan, bar) = (Arc::clone(plan), bar.clone());
        tokio::spawn(async move {
            loop {
                bar.set_position(plan.lines_done.load(Ordering::Relaxed));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let mut runs = Vec::with_capacity(tasks.len());
    for task in tasks {
        runs.push(task.await.context("A client task failed")?);
    }
    let elapsed = started.elapsed();
    ticker.abort();
    Ok(Load::merge(plan, runs, elapsed))
}

/// What all clients measured together.
struct Load {
    clients: usize,
    /// The offered rate (`--rate`), if any.
    rate: Option<u64>,
    lines_per_request: usize,
    requests: u64,
    created: u64,
    failed: u64,
    failures: std::collections::BTreeMap<u16, u64>,
    lines_created: u64,
    outcomes: [u64; 4],
    /// Every request's latency in microseconds, sorted.
    latencies_us: Vec<u32>,
    /// From the start of the first request to the last answer.
    elapsed: Duration,
    batches: Vec<Uuid>,
}

impl Load {
    fn merge(plan: &Plan, runs: Vec<ClientRun>, elapsed: Duration) -> Load {
        let mut load = Load {
            clients: plan.clients,
            rate: plan.rate,
            lines_per_request: plan.lines_per_request,
            requests: 0,
            created: 0,
            failed: 0,
            failures: std::collections::BTreeMap::new(),
            lines_created: 0,
            outcomes: [0; 4],
            latencies_us: Vec::new(),
            elapsed,
            batches: Vec::new(),
        };
        for run in runs {
            load.requests += run.latencies_us.len() as u64;
            load.created += run.created;
            for (status, n) in run.failures {
                load.failed += n;
                *load.failures.entry(status).or_default() += n;
            }
            load.lines_created += run.lines_created;
            for (total, n) in load.outcomes.iter_mut().zip(run.outcomes) {
                *total += n;
            }
            load.latencies_us.extend(run.latencies_us);
            load.batches.extend(run.batches);
        }
        load.latencies_us.sort_unstable();
        load
    }

    /// The latency at `per_mille` ‰ by nearest rank, in microseconds.
    fn percentile_us(&self, per_mille: usize) -> u32 {
        let n = self.latencies_us.len();
        let rank = (per_mille * n).div_ceil(1_000).max(1);
        self.latencies_us.get(rank - 1).copied().unwrap_or(0)
    }

    /// Accepted lines (in 201 answers) per second of wall time.
    fn lines_per_second(&self) -> u64 {
        let micros = self.elapsed.as_micros().max(1);
        u64::try_from(u128::from(self.lines_created) * 1_000_000 / micros).unwrap_or(u64::MAX)
    }

    fn summary(&self, database: &str) -> String {
        let errors = if self.failures.is_empty() {
            "0 errors".to_owned()
        } else {
            let each: Vec<String> = self
                .failures
                .iter()
                .map(|(status, n)| format!("{n} × {status}"))
                .collect();
            format!("{} errors ({})", self.failed, each.join(", "))
        };
        let outcomes: Vec<String> = OUTCOMES
            .iter()
            .zip(self.outcomes)
            .map(|(name, n)| format!("{n} {name}"))
            .collect();
        let ms = self.elapsed.as_millis();
        let pace = self.rate.map_or_else(
            || "back to back".to_owned(),
            |rate| format!("offered {rate} lines/s"),
        );
        format!(
            "bench api: {} clients × {} lines per request, {pace}, for {}.{:02} s: {} \
             requests, {} created, {errors}; {} lines = {} lines/s; latency p50 {} ms, p90 {} \
             ms, p99 {} ms, max {} ms; lines {}; database {database}",
            self.clients,
            self.lines_per_request,
            ms / 1_000,
            ms % 1_000 / 10,
            self.requests,
            self.created,
            self.lines_created,
            self.lines_per_second(),
            millis(self.percentile_us(500)),
            millis(self.percentile_us(900)),
            millis(self.percentile_us(990)),
            millis(self.latencies_us.last().copied().unwrap_or(0)),
            outcomes.join(", "),
        )
    }
}

/// Microseconds as milliseconds with one decimal.
fn millis(us: u32) -> String {
    format!("{}.{}", us / 1_000, us % 1_000 / 100)
}

/// The lines stored for `batches`, read back through the app as the client would see them.
async fn stored_lines(
    ctx: &AppContext,
    client: &ApiClient,
    batches: &[Uuid],
    bar: &ProgressBar,
) -> anyhow::Result<u64> {
    let mut lines = 0u64;
    for (n, id) in batches.iter().enumerate() {
        let answers = ixorg_app::declarations::api::batch_status(ctx, client, *id)
            .await
            .context("Failed to read back a batch")?;
        lines += answers.lines.len() as u64;
        bar.set_position(n as u64 + 1);
    }
    Ok(lines)
}
