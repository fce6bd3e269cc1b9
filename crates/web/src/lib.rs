//! HTTP: the axum router over the app use cases. No SQL here; types come through `ixorg-app`.
//!
//! Pages: every page extends `templates/base.html` through a [`layout::Layout`]; every text
//! comes from [`i18n`]; every state-changing request passes [`csrf::guard`]; sessions live in
//! the database ([`session`]).

/// Marks a catalogue key named in code (not in a template), so the catalogue test finds it:
/// `tk!("calc.row_main")` is the key itself.
macro_rules! tk {
    ($key:literal) => {
        $key
    };
}

pub mod api;
pub mod auth;
pub mod config;
pub mod cookies;
pub mod csrf;
pub mod documents;
pub mod enroll;
pub mod errors;
pub mod export_page;
pub mod fhir;
pub mod form;
pub mod format;
pub mod health;
pub mod i18n;
pub mod json;
pub mod layout;
pub mod metrics;
pub mod pages;
pub mod portal;
pub mod session;
pub mod visits;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
pub use config::{ConfigError, MetricsToken, PublicUrl, WebConfig};
use ixorg_app::AppContext;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The largest request body accepted (a declaration batch later on; plenty for forms).
pub const REQUEST_BODY_BYTES_MAX: usize = 5 * 1024 * 1024;

/// How long a request may take before the server answers 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Shared state of the handlers.
#[derive(Clone, Debug)]
pub struct WebState {
    /// The application context.
    pub ctx: AppContext,
    /// Request counters for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// The settings given at start-up (public URL, metrics token).
    pub config: Arc<WebConfig>,
}

impl WebState {
    /// The state of a server on `ctx` with `config`.
    #[must_use]
    pub fn new(ctx: AppContext, config: WebConfig) -> WebState {
        WebState {
            ctx,
            metrics: Arc::new(metrics::Metrics::default()),
            config: Arc::new(config),
        }
    }
}

/// The whole router with the default settings ([`WebConfig::default`]: the default public URL,
/// no metrics token, so `/metrics` answers 404).
pub fn router(ctx: AppContext) -> Router {
    router_with(ctx, WebConfig::default())
}

/// The whole router with `config`.
pub fn router_with(ctx: AppContext, config: WebConfig) -> Router {
    public_router(WebState::new(ctx, config))
}

/// The public router on `state`.
fn public_router(state: WebState) -> Router {
    let insecure_dev = state.config.insecure_dev;
    let page = |route| csrf::guarded(&state, route);
    let routes = Router::new()
        .route("/", page(get(pages::home)))
        .route("/kosten", page(get(pages::costs)))
        .route("/rekenhulp", page(get(pages::calculator)))
        .route("/contact", page(get(pages::contact)))
        .route("/aanmelden", page(get(enroll::form).post(enroll::submit)))
        .route(enroll::RECEIVED_PATH, page(get(enroll::received)))
        .route("/taal/{code}", page(get(i18n::switch)))
        .route("/static/site.css", get(pages::stylesheet))
        .route("/privacy", page(get(documents::privacy_statement)))
        .route("/cookies", page(get(documents::cookie_policy)))
        .route(
            "/mijn",
            get(|| async { axum::response::Redirect::permanent("/mijn/") }),
        )
        .route(
            portal::overview::OVERVIEW_PATH,
            page(get(portal::overview::overview)),
        )
        .route(
            portal::consent::CONSENT_PATH,
            page(get(portal::consent::show).post(portal::consent::change)),
        )
        .route(
            portal::overview::STATEMENT_PATH,
            page(get(portal::overview::statement)),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .merge(portal::auth::routes(&state))
        .merge(api::routes())
        .merge(fhir::routes())
        .fallback(pages::not_found)
        .layer(session::layer(state.ctx.clone(), insecure_dev))
        .layer(axum::middleware::from_fn_with_state(
            visits::VisitRecorder::start(state.ctx.clone()),
            visits::record,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(REQUEST_BODY_BYTES_MAX));
    finish(routes, insecure_dev)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The router of the separate metrics address: `/metrics` without a token (the address is
/// reached only by the monitoring system), nothing else.
pub fn metrics_router(state: WebState) -> Router {
    let routes = Router::new()
        .route("/metrics", get(metrics::exposition))
        .fallback(pages::not_found);
    let insecure_dev = state.config.insecure_dev;
    finish(routes, insecure_dev)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// What every answer passes through on its way out: one error format per part of the site
/// (see [`errors`]), then the security headers.
fn finish(routes: Router<WebState>, insecure_dev: bool) -> Router<WebState> {
    let routes = with_security_headers(routes.layer(axum::middleware::from_fn(errors::normalize)));
    if insecure_dev {
        routes
    } else {
        routes.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
    }
}

/// The `Strict-Transport-Security` value (a year; not sent with `--insecure-dev`).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Security headers on every response (a page may set a stricter one itself).
fn with_security_headers(router: Router<WebState>) -> Router<WebState> {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // `same-origin`, not `no-referrer`: no other site learns a page's address, and the
        // browser keeps sending the real `Origin` on our own forms (under `no-referrer`
        // Chromium sends `Origin: null`, which the CSRF check must refuse).
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
}

/// Serves the router on `listener` until `shutdown` completes, then lets requests in flight
/// finish. The default settings: see [`router`].
pub async fn serve(
    ctx: AppContext,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(ctx, WebConfig::default(), listener, None, shutdown).await
}

/// Serves the router with `config` on `listener`, and `/metrics` alone on `metrics_listener`
/// when one is given, until `shutdown` completes; then lets requests in flight finish on both.
pub async fn serve_with(
    ctx: AppContext,
    config: WebConfig,
    listener: tokio::net::TcpListener,
    metrics_listener: Option<tokio::net::TcpListener>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = WebState::new(ctx, config);
    let sweep = session::spawn_sweep(state.ctx.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let metrics = metrics_listener.map(|listener| {
        let app = metrics_router(state.clone())
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    // An error means the public server is gone, which also means stop.
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "The metrics server failed");
            }
        })
    });
    let app = public_router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop.send(true);
        })
        .await;
    // Stopped on the signal (the metrics server was told) or failed (its signal was dropped,
    // which tells the metrics server too): wait for the metrics server to finish.
    if let Some(metrics) = metrics
        && metrics.await.is_err()
    {
        tracing::error!("The metrics server stopped abnormally");
    }
    sweep.abort();
    served
}
