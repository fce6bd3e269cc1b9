//! A closed-loop load driver for one page: each connection sends `GET path` on its own
//! keep-alive HTTP/1.1 connection as soon as the previous answer is read (by its
//! `Content-Length`), for a fixed time, and every latency is kept for the percentiles.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Largest response header block read.
const HEADER_BYTES_MAX: usize = 64 * 1024;

/// Largest response body read.
const BODY_BYTES_MAX: usize = 8 * 1024 * 1024;

/// Longest one answer may take before the request counts as failed.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// What the connections measured together.
#[derive(Clone, Debug, Default)]
pub struct PageLoad {
    /// Requests answered.
    pub requests: u64,
    /// Requests not answered with the expected status, by status (0: no answer).
    pub failures: std::collections::BTreeMap<u16, u64>,
    /// Every latency in microseconds, sorted.
    latencies_us: Vec<u32>,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// The size of the last good answer's body, in bytes.
    pub body_bytes: usize,
}

impl PageLoad {
    /// Requests per second of wall time.
    #[must_use]
    pub fn per_second(&self) -> u64 {
        let micros = self.elapsed.as_micros().max(1);
        u64::try_from(u128::from(self.requests) * 1_000_000 / micros).unwrap_or(u64::MAX)
    }

    /// The latency at `per_mille` ‰ by nearest rank.
    #[must_use]
    pub fn percentile(&self, per_mille: usize) -> Duration {
        let n = self.latencies_us.len();
        let rank = (per_mille * n).div_ceil(1_000).max(1);
        Duration::from_micros(u64::from(
            self.latencies_us.get(rank - 1).copied().unwrap_or(0),
        ))
    }

    /// Failed requests.
    #[must_use]
    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }

    /// One line: rate, percentiles, failures.
    #[must_use]
    pub fn summary(&self) -> String {
        format!(
            "{} requests in {} ms: {} requests/s; p50 {} µs, p90 {} µs, p99 {} µs; \
             {} failed{}; page {} bytes",
            self.requests,
            self.elapsed.as_millis(),
            self.per_second(),
            self.percentile(500).as_micros(),
            self.percentile(900).as_micros(),
            self.percentile(990).as_micros(),
            self.failed(),
            if self.failures.is_empty() {
                String::new()
            } else {
                format!(" {:?}", self.failures)
            },
            self.body_bytes
        )
    }
}

/// Sends `GET path` with `headers` (each `Name: value`) to `addr` over `connections`
/// connections for `duration`, expecting `expect` as the status of every answer.
///
/// # Errors
/// When no connection can be opened.
pub async fn run(
    addr: SocketAddr,
    path: &str,
    headers: &[String],
    connections: usize,
    duration: Duration,
    expect: u16,
) -> anyhow::Result<PageLoad> {
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let request = std::sync::Arc::new(request.into_bytes());
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("Cannot connect to {addr}"))?;
        stream.set_nodelay(true).context("Cannot set TCP_NODELAY")?;
        let request = std::sync::Arc::clone(&request);
        tasks.push(tokio::spawn(connection(stream, request, deadline, expect)));
    }
    let mut load = PageLoad::default();
    for task in tasks {
        let one = task.await.context("A load connection failed")?;
        load.requests += one.requests;
        for (status, n) in one.failures {
            *load.failures.entry(status).or_default() += n;
        }
        load.latencies_us.extend(one.latencies_us);
        load.body_bytes = load.body_bytes.max(one.body_bytes);
    }
    load.elapsed = started.elapsed();
    load.latencies_us.sort_unstable();
    Ok(load)
}

async fn connection(
    mut stream: TcpStream,
    request: std::sync::Arc<Vec<u8>>,
    deadline: Instant,
    expect: u16,
) -> PageLoad {
    let mut load = PageLoad::default();
    let mut buffer = Vec::with_capacity(64 * 1024);
    while Instant::now() < deadline {
        let sent = Instant::now();
        let answer = tokio::time::timeout(ANSWER_TIMEOUT, async {
            stream.write_all(&request).await?;
            read_answer(&mut stream, &mut buffer).await
        })
        .await;
        let latency = sent.elapsed();
        load.requests += 1;
        load.latencies_us
            .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
        match answer {
            Ok(Ok((status, body))) if status == expect => load.body_bytes = body,
            Ok(Ok((status, _))) => *load.failures.entry(status).or_default() += 1,
            _ => {
                *load.failures.entry(0).or_default() += 1;
                break;
            }
        }
    }
    load
}

/// Reads one answer: its status and body length.
async fn read_answer(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> anyhow::Result<(u16, usize)> {
    buffer.clear();
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        if let Some(at) = find(buffer, b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > HEADER_BYTES_MAX {
            bail!("the header block is too long");
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection");
        }
        buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
    };
    let head = std::str::from_utf8(buffer.get(..header_end).unwrap_or_default())
        .context("the header block is not text")?;
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status in the answer")?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())
                .flatten()
        })
        .context("no Content-Length in the answer")?;
    if length > BODY_BYTES_MAX {
        bail!("the body is too long");
    }
    while buffer.len() < header_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection mid-body");
        }
        buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }
    Ok((status, length))
}

/// One answer of [`once`].
#[derive(Debug, Default)]
pub struct Exchange {
    /// The status.
    pub status: u16,
    /// The `name=value` of each `Set-Cookie`.
    pub cookies: Vec<String>,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// The body as text.
    pub body: String,
}

/// One request on a new connection: `method path` with `headers` and an optional urlencoded
/// `form` body.
///
/// # Errors
/// When the server cannot be reached or answers something unreadable.
pub async fn once(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[String],
    form: Option<&str>,
) -> anyhow::Result<Exchange> {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    if let Some(body) = form {
        request.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
    } else {
        request.push_str("\r\n");
    }
    let mut stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("Cannot connect to {addr}"))?;
    stream.write_all(request.as_bytes()).await?;
    let mut buffer = Vec::new();
    let (status, length) = read_answer(&mut stream, &mut buffer).await?;
    let text = String::from_utf8_lossy(&buffer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
    let mut out = Exchange {
        status,
        body: body.chars().take(length).collect(),
        ..Exchange::default()
    };
    for line in head.lines() {
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("set-cookie") {
                if let Some(pair) = value.trim().split(';').next() {
                    out.cookies.push(pair.to_owned());
                }
            } else if name.eq_ignore_ascii_case("location") {
                out.location = Some(value.trim().to_owned());
            }
        }
    }
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
