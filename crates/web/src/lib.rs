//! HTTP: the axum router over the app use cases. No SQL here; types come through `ixorg-app`.

pub mod api;
pub mod auth;
pub mod documents;
pub mod fhir;
pub mod health;
pub mod metrics;
pub mod pages;
pub mod visits;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
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
}

/// The whole router.
pub fn router(ctx: AppContext) -> Router {
    let state = WebState {
        ctx,
        metrics: Arc::new(metrics::Metrics::default()),
    };
    let routes = Router::new()
        .route("/", get(pages::home))
        .route("/privacy", get(documents::privacy_statement))
        .route("/cookies", get(documents::cookie_policy))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .merge(api::routes())
        .merge(fhir::routes())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            visits::VisitRecorder::start(state.ctx.clone()),
            visits::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ));
    with_security_headers(routes)
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(REQUEST_BODY_BYTES_MAX))
        .with_state(state)
}

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
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
}

/// Serves the router on `listener` until `shutdown` completes, then lets requests in flight
/// finish.
pub async fn serve(
    ctx: AppContext,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(ctx).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
