//! The load generator of `bench api`: one client per task, each on its own keep-alive
//! connection, with an HTTP/1.1 exchange written out (a request is a few header lines and a
//! JSON body; a response is read by its `Content-Length`), so the measurement needs no client
//! library.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use ixorg_app::domain::ids::Uuid;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::{PATH, Plan};
use crate::synthetic::Rng;

/// Longest a client waits for one answer before counting the request as failed.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// Largest response header block read.
const HEADER_BYTES_MAX: usize = 64 * 1024;

/// Largest response body read (a batch of 10,000 lines answers in about 2 MB).
const BODY_BYTES_MAX: usize = 16 * 1024 * 1024;

/// The outcomes a line can have, in the order they are counted.
pub(super) const OUTCOMES: [&str; 4] = ["accepted", "partly_accepted", "held", "rejected"];

/// What one client measured.
#[derive(Default)]
pub(super) struct ClientRun {
    /// Latency of every request, in microseconds.
    pub(super) latencies_us: Vec<u32>,
    pub(super) created: u64,
    /// Requests not answered with 201, by status (0: no answer at all).
    pub(super) failures: std::collections::BTreeMap<u16, u64>,
    pub(super) lines_created: u64,
    pub(super) outcomes: [u64; 4],
    /// The batches answered with 201.
    pub(super) batches: Vec<Uuid>,
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
pub(super) async fn client(plan: Arc<Plan>, index: usize, started: Instant) -> ClientRun {
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
