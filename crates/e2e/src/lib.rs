//! Browser tests: a real headless Chromium, driven through chromedriver (the `WebDriver` protocol) with
//! fantoccini, against the site served in-process on a test database; axe-core (vendored under
//! `fixtures/axe-core`) checks every page for accessibility violations.
//!
//! The tests need `chromium` and `chromedriver` on the `PATH` (Debian packages `chromium` and
//! `chromium-driver`; `.ci/run` installs them). Without them a test fails and says so; it never
//! passes silently.
//!
//! A failing step keeps a screenshot and the page source under `IXORG_E2E_ARTEFACTS` (default
//! `target/e2e-artefacts`), named after the test and the step.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use ixorg_app::AppContext;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// The axe-core script, injected into each page it checks.
const AXE: &str = include_str!("../fixtures/axe-core/axe.min.js");

/// How long chromedriver may take to listen.
const DRIVER_START: Duration = Duration::from_secs(20);

/// A step's failure: what went wrong, in words.
pub type Failure = String;

/// The result of a step.
pub type Step<T = ()> = Result<T, Failure>;

/// Turns any error into a [`Failure`] that names what was being done.
pub trait Context<T> {
    /// Names `what` in the failure.
    ///
    /// # Errors
    /// The failure, with `what` in front.
    fn context(self, what: &str) -> Step<T>;
}

impl<T, E: std::fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: &str) -> Step<T> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

/// The site served on a free loopback port until dropped.
pub struct Site {
    /// Its address, e.g. `http://127.0.0.1:40123`.
    pub base: String,
    /// The application context it serves (for arranging data in tests).
    pub ctx: AppContext,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Site {
    /// Serves `ctx` with `config` (its public URL is set to the address it listens on).
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn serve(ctx: AppContext, mut config: ixorg_web::WebConfig) -> Step<Site> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("bind a loopback port")?;
        let addr: SocketAddr = listener.local_addr().context("read the bound address")?;
        let base = format!("http://{addr}");
        config.public_url =
            ixorg_web::PublicUrl::parse(&base).context("the loopback URL as public URL")?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = ctx.clone();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(e) = ixorg_web::serve_with(served, config, listener, None, shutdown).await {
                eprintln!("e2e: the site stopped: {e}");
            }
        });
        Ok(Site {
            base,
            ctx,
            stop: Some(stop),
        })
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A headless Chromium behind its own chromedriver.
pub struct Browser {
    /// The `WebDriver` client.
    pub client: Client,
    driver: Child,
    test: String,
    base: String,
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium session for test `test`,
    /// visiting pages under `base`.
    ///
    /// # Errors
    /// When chromedriver is missing or does not start, or the session cannot be made.
    pub async fn start(test: &str, base: &str) -> Step<Browser> {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").context("find a free port")?;
            probe.local_addr().context("read the port")?.port()
        };
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start chromedriver ({e}): install the Debian packages chromium and \
                     chromium-driver (.ci/run does), or set IXORG_CHROMEDRIVER"
                )
            })?;
        let url = format!("http://127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + DRIVER_START;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if tokio::time::Instant::now() > deadline {
                return Err(format!(
                    "chromedriver did not listen on port {port} in time"
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        let mut chrome = json!({
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--lang=nl-NL", "--no-first-run",
                "--disable-extensions", "--disable-background-networking"
            ]
        });
        if let Ok(binary) = std::env::var("IXORG_CHROMIUM") {
            chrome["binary"] = Value::String(binary);
        }
        caps.insert("goog:chromeOptions".into(), chrome);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .context("open a Chromium session through chromedriver")?;
        Ok(Browser {
            client,
            driver,
            test: test.to_owned(),
            base: base.to_owned(),
        })
    }

    /// Opens `path` on the site.
    ///
    /// # Errors
    /// When the browser cannot navigate.
    pub async fn visit(&self, path: &str) -> Step {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .context(&format!("open {path}"))
    }

    /// The text of the first element matching the CSS selector.
    ///
    /// # Errors
    /// When no element matches.
    pub async fn text(&self, css: &str) -> Step<String> {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .context(&format!("find {css}"))?;
        element.text().await.context(&format!("read {css}"))
    }

    /// Types `value` into the field named `name` (clearing it first).
    ///
    /// # Errors
    /// When there is no such field.
    pub async fn fill(&self, name: &str, value: &str) -> Step {
        let css = format!("[name=\"{name}\"]");
        let field = self
            .client
            .find(Locator::Css(&css))
            .await
            .context(&format!("find field {name}"))?;
        field.clear().await.context(&format!("clear {name}"))?;
        field
            .send_keys(value)
            .await
            .context(&format!("type into {name}"))
    }

    /// Sets the value of the form control with id `id` through the page (for date inputs and
    /// selects, whose typing depends on the browser's locale).
    ///
    /// # Errors
    /// When the script fails or there is no such control.
    pub async fn set(&self, id: &str, value: &str) -> Step {
        let found = self
            .client
            .execute(
                "const e = document.getElementById(arguments[0]); if (!e) { return false; } \
                 e.value = arguments[1]; return true;",
                vec![json!(id), json!(value)],
            )
            .await
            .context(&format!("set {id}"))?;
        if found == Value::Bool(true) {
            Ok(())
        } else {
            Err(format!("no form control with id {id}"))
        }
    }

    /// Clicks the first element matching the CSS selector.
    ///
    /// # Errors
    /// When no element matches or it cannot be clicked.
    pub async fn click(&self, css: &str) -> Step {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .context(&format!("find {css}"))?;
        element.click().await.context(&format!("click {css}"))
    }

    /// Clicks the element matching `css` and waits until a new page has loaded (the old
    /// document carries a mark the new one lacks).
    ///
    /// # Errors
    /// When the click fails or no new page loads within five seconds.
    pub async fn submit(&self, css: &str) -> Step {
        self.client
            .execute("window.__ixorgOld = true; return true;", vec![])
            .await
            .context("mark the page")?;
        self.click(css).await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let old = self
                .client
                .execute(
                    "return document.readyState === 'complete' && !window.__ixorgOld;",
                    vec![],
                )
                .await;
            if matches!(old, Ok(Value::Bool(true))) {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!("no new page after clicking {css}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits up to five seconds until the current path starts with `prefix`; returns the path.
    ///
    /// # Errors
    /// When it does not within that time.
    pub async fn wait_for_path(&self, prefix: &str) -> Step<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let path = self.path().await?;
            if path.starts_with(prefix) {
                return Ok(path);
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!("expected a page under {prefix}, still at {path}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The path (and query) of the current page.
    ///
    /// # Errors
    /// When the browser does not answer.
    pub async fn path(&self) -> Step<String> {
        let url = self.client.current_url().await.context("read the URL")?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        })
    }

    /// Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the current page and fails with every
    /// violation (rule, impact, the first elements) when there is one.
    ///
    /// # Errors
    /// The violations, or a failure to run axe.
    pub async fn axe(&self) -> Step {
        let installed = self
            .client
            .execute(
                &format!("{AXE}\n;return typeof axe !== 'undefined';"),
                vec![],
            )
            .await
            .context("inject axe-core")?;
        if installed != Value::Bool(true) {
            return Err("axe-core did not load in the page".into());
        }
        let script = "const done = arguments[arguments.length - 1];\
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})\
              .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,\
                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))\
              .catch(e => done([{id: 'axe-error', impact: 'error', help: String(e), nodes: []}]));";
        let violations = self
            .client
            .execute_async(script, vec![])
            .await
            .context("run axe-core")?;
        match violations.as_array() {
            Some(list) if list.is_empty() => Ok(()),
            Some(list) => {
                let path = self.path().await.unwrap_or_default();
                Err(format!(
                    "axe-core found {} violation(s) on {path}: {}",
                    list.len(),
                    serde_json::to_string_pretty(list).unwrap_or_default()
                ))
            }
            None => Err("axe-core returned no list".into()),
        }
    }

    /// Keeps a screenshot and the page source of the current page as artefacts named after the
    /// test and `step`; returns where they are.
    pub async fn keep_artefacts(&self, step: &str) -> PathBuf {
        let dir = artefacts_dir();
        let _ = std::fs::create_dir_all(&dir);
        let stem = format!("{}--{}", self.test, sanitize(step));
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{stem}.png")), png);
        }
        if let Ok(html) = self.client.source().await {
            let _ = std::fs::write(dir.join(format!("{stem}.html")), html);
        }
        dir.join(stem)
    }

    /// Saves a screenshot of the current page to `path` (for the README and docs).
    ///
    /// # Errors
    /// When the browser cannot take it or the file cannot be written.
    pub async fn screenshot_to(&self, path: &std::path::Path) -> Step {
        let png = self
            .client
            .screenshot()
            .await
            .context("take a screenshot")?;
        std::fs::write(path, png).context("write the screenshot")
    }

    /// Ends the session and stops chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }
}

/// Runs a browser test body: on failure it keeps the artefacts, closes the browser and panics
/// with the failure (so the test fails and says why).
pub async fn run(browser: Browser, body: impl AsyncFnOnce(&Browser) -> Step) {
    let outcome = body(&browser).await;
    if let Err(failure) = outcome {
        let kept = browser.keep_artefacts("failure").await;
        browser.close().await;
        panic!(
            "{failure}\n(screenshot and page source kept as {}.png / .html)",
            kept.display()
        );
    }
    browser.close().await;
}

fn chromedriver() -> String {
    std::env::var("IXORG_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned())
}

fn artefacts_dir() -> PathBuf {
    std::env::var_os("IXORG_E2E_ARTEFACTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-artefacts"),
        PathBuf::from,
    )
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}
