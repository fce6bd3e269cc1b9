//! Site visits (technical data, `PRIVACY.md` §1, promise P8): a middleware that notes each
//! visit to an HTML page and hands it to a background task, which stores them in batches (one
//! transaction and one access-log entry per batch). A request never waits for the database:
//! when the queue is full, the visit is not recorded.
//!
//! Not recorded: the API, FHIR, probes and metrics, anything but a successful `GET` of an HTML
//! page. Paths lose their query and ids ([`ixorg_app::technical::page_path`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use ixorg_app::technical::{Visit, page_path, record_visits};
use ixorg_app::{AppContext, Clock};
use tokio::sync::mpsc;

/// Visits waiting to be stored before new ones are dropped.
const QUEUE_VISITS: usize = 4_096;
/// Visits stored per transaction at most.
const BATCH_VISITS: usize = 256;
/// How long a visit waits for others to share its transaction.
const BATCH_WAIT: Duration = Duration::from_secs(1);

/// The sending end of the visit queue; cheap to clone.
#[derive(Clone, Debug)]
pub struct VisitRecorder {
    queue: mpsc::Sender<Visit>,
    clock: Arc<dyn Clock>,
}

impl VisitRecorder {
    /// Starts the background task that stores visits on `ctx`'s database. It ends when every
    /// recorder is dropped (the router with it). Needs a running Tokio runtime.
    pub fn start(ctx: AppContext) -> VisitRecorder {
        let (queue, receiver) = mpsc::channel(QUEUE_VISITS);
        let clock = Arc::clone(&ctx.clock);
        tokio::spawn(store_batches(ctx, receiver));
        VisitRecorder { queue, clock }
    }
}

async fn store_batches(ctx: AppContext, mut receiver: mpsc::Receiver<Visit>) {
    let mut batch = Vec::with_capacity(BATCH_VISITS);
    while let Some(first) = receiver.recv().await {
        batch.push(first);
        let deadline = tokio::time::Instant::now() + BATCH_WAIT;
        while batch.len() < BATCH_VISITS {
            match tokio::time::timeout_at(deadline, receiver.recv()).await {
                Ok(Some(visit)) => batch.push(visit),
                Ok(None) | Err(_) => break,
            }
        }
        if let Err(e) = record_visits(&ctx, &batch).await {
            tracing::warn!(error = %e, visits = batch.len(), "Site visits not stored");
        }
        batch.clear();
    }
}

/// Middleware: notes a successful `GET` of an HTML page as a visit.
pub async fn record(State(recorder): State<VisitRecorder>, req: Request, next: Next) -> Response {
    let is_get = req.method() == Method::GET;
    let path = if is_get {
        page_path(req.uri().path())
    } else {
        None
    };
    let Some(path) = path else {
        return next.run(req).await;
    };
    let ip_address = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string());
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.run(req).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html && response.status().is_success() {
        let visit = Visit {
            visited_at: recorder.clock.timestamp(),
            path,
            ip_address,
            user_agent,
            participant: None,
        };
        // A full queue drops the visit: counting pages never slows a page down.
        let _ = recorder.queue.try_send(visit);
    }
    response
}
