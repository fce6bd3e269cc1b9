//! The `ixorg` binary as a user runs it: help, exit codes, one-line errors, the server's
//! lifecycle, and `audit verify` finding tampering, on SQLite and PostgreSQL.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ixorg_domain::Cents;
use ixorg_domain::ledger::Transfer;
use ixorg_testkit::{TEST_DATA_KEY, TestDb, db_test, raw, test_app};

mod errors;
mod global;
mod outbox;

pub(crate) fn ixorg() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ixorg"));
    c.env_remove("IXORG_DATABASE_URL")
        .env("IXORG_DATA_KEY", TEST_DATA_KEY)
        .env("RUST_LOG", "warn");
    c
}

fn run(args: &[&str]) -> Output {
    ixorg().args(args).output().expect("run ixorg")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_one_line_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "exit code 1");
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    lines[0].to_owned()
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["migrate", "--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["audit", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["bench", "--help"],
        vec!["bench", "ledger", "--help"],
        vec!["outbox", "list", "--help"],
    ] {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}");
        assert!(text(&out.stdout).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn an_unsupported_database_url_is_a_one_line_error() {
    let out = run(&["migrate", "--database", "mysql://localhost/x"]);
    let line = assert_one_line_error(&out);
    assert!(line.contains("unsupported database URL"), "{line}");
}

#[test]
fn a_malformed_data_key_is_a_one_line_error_that_does_not_echo_the_key() {
    let dir = tempdir("badkey");
    let url = format!("sqlite://{}/x.db", dir.display());
    let out = ixorg()
        .args(["migrate", "--database", &url])
        .env("IXORG_DATA_KEY", "secretsecret")
        .output()
        .expect("run");
    let line = assert_one_line_error(&out);
    assert!(line.contains("IXORG_DATA_KEY"));
    assert!(!line.contains("secretsecret"));
}

#[test]
fn the_demo_creates_its_directory_key_and_data_and_its_books_verify() {
    let dir = tempdir("demo");
    let out = ixorg()
        .env_remove("IXORG_DATA_KEY")
        .args(["demo", "--no-serve", "--households", "6", "--dir"])
        .arg(&dir)
        .output()
        .expect("run demo");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Demo data: "), "{stdout}");
    assert!(stdout.contains("password demo-support-2026"), "{stdout}");
    assert!(
        stdout.contains("Participant log-ins"),
        "participant log-ins are printed: {stdout}"
    );
    for part in ["files", "mail", "logins.txt"] {
        assert!(dir.join(part).exists(), "the data directory holds {part}");
    }
    let again = ixorg()
        .env_remove("IXORG_DATA_KEY")
        .args(["demo", "--no-serve", "--dir"])
        .arg(&dir)
        .output()
        .expect("run demo again");
    let again_out = text(&again.stdout);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(again_out.contains("reusing it"), "{again_out}");
    assert!(
        again_out.contains("Participant log-ins"),
        "a later run prints the log-ins again: {again_out}"
    );
    let key = std::fs::read_to_string(dir.join("data.key")).expect("the generated key");
    assert_eq!(key.len(), 64);
    let url = format!("sqlite://{}", dir.join("demo.sqlite").display());
    let audit = ixorg()
        .env_remove("IXORG_DATA_KEY")
        .args(["audit", "verify", "--database", &url])
        .output()
        .expect("audit");
    assert!(audit.status.success(), "{}", text(&audit.stderr));
    assert!(text(&audit.stdout).contains("ledger: ok"));
    // Serving needs the key now that BSNs are stored.
    let serve = ixorg()
        .env_remove("IXORG_DATA_KEY")
        .args(["serve", "--addr", "127.0.0.1:0", "--database", &url])
        .output()
        .expect("serve");
    let line = assert_one_line_error(&serve);
    assert!(line.contains("IXORG_DATA_KEY"), "{line}");
}

#[test]
fn the_ledger_benchmark_runs_and_reports_a_rate() {
    let out = run(&[
        "bench",
        "ledger",
        "--transfers",
        "600",
        "--batch-size",
        "200",
        "--accounts",
        "10",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("transfers/s"), "{stdout}");
    assert!(stdout.contains("audit after the benchmark: ok"), "{stdout}");
}

#[test]
fn the_mz301_parse_benchmark_reads_its_synthetic_file_completely() {
    let out = run(&["bench", "mz301-parse", "--lines", "2000", "--runs", "1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("bench mz301-parse: 2000 lines"), "{stdout}");
}

db_test!(
    serve_answers_health_checks_and_stops_cleanly_on_sigterm,
    async |t: TestDb| {
        drop(test_app(&t).await);
        let token = "serve-test-metrics-token-0123456789";
        let mut child = ixorg()
            .args(["serve", "--addr", "127.0.0.1:0", "--database", t.url()])
            .args(["--metrics-addr", "127.0.0.1:0"])
            .env("IXORG_METRICS_TOKEN", token)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut address = || {
            let mut line = String::new();
            stdout.read_line(&mut line).expect("a URL line");
            line.trim()
                .rsplit("http://")
                .next()
                .expect("a URL")
                .trim_end_matches("/metrics")
                .trim_end_matches('/')
                .to_owned()
        };
        let addr = address();
        let metrics_addr = address();
        for path in ["/healthz", "/readyz"] {
            let response = http_get(&addr, path, "");
            assert!(response.starts_with("HTTP/1.1 200"), "{path}: {response}");
        }
        let refused = http_get(&addr, "/metrics", "");
        assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
        let bearer = format!("Authorization: Bearer {token}\r\n");
        let metrics = http_get(&addr, "/metrics", &bearer);
        assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
        let internal = http_get(&metrics_addr, "/metrics", "");
        assert!(internal.starts_with("HTTP/1.1 200"), "{internal}");
        assert!(internal.contains("# TYPE ixorg_participants gauge"));
        let pid = child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "stops within 10 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "exit 0 after SIGTERM: {status}");
    }
);

db_test!(
    audit_verify_names_a_changed_ledger_entry_and_a_removed_access_log_entry,
    async |t: TestDb| {
        // Arrange: real postings and real access-log entries.
        let ctx = test_app(&t).await;
        let files = tempdir(&format!("audit-demo-{:?}", t.db().backend()));
        ixorg_tools::demo::seed(&ctx, 3, &files)
            .await
            .expect("demo data");
        let bank = ixorg_app::ledger::operator_account(
            &ctx,
            ixorg_domain::ledger::OperatorAccount::BankReceivable,
        )
        .await
        .expect("bank");
        let fees = ixorg_app::ledger::operator_account(
            &ctx,
            ixorg_domain::ledger::OperatorAccount::FeeIncome,
        )
        .await
        .expect("fees");
        let transfers: Vec<Transfer> = (0..3)
            .map(|i| Transfer {
                idempotency_key: format!("cli-{i}"),
                debit: bank.id,
                credit: fees.id,
                amount: Cents::new(100),
                kind: ixorg_domain::ledger::TransferKind::ServiceFee,
                reverses: None,
            })
            .collect();
        ixorg_app::ledger::post_batch(&ctx, &transfers)
            .await
            .expect("post");
        let ok = ixorg()
            .args(["audit", "verify", "--database", t.url()])
            .output()
            .expect("audit");
        assert!(ok.status.success(), "{}", text(&ok.stdout));
        raw::drop_append_only_triggers(&t).await;
        // Act 1: change one amount.
        raw::execute(
            &t,
            "UPDATE ledger_transfer SET amount_cents = amount_cents + 1 WHERE sequence = 2",
        )
        .await;
        let out = ixorg()
            .args(["audit", "verify", "--database", t.url()])
            .output()
            .expect("audit");
        // Assert 1
        let line = assert_one_line_error(&out);
        assert!(line.contains("ledger_transfer entry 2 is broken"), "{line}");
        raw::execute(
            &t,
            "UPDATE ledger_transfer SET amount_cents = amount_cents - 1 WHERE sequence = 2",
        )
        .await;
        // Act 2: remove an access-log entry.
        raw::execute(&t, "DELETE FROM access_log WHERE sequence = 3").await;
        let out = ixorg()
            .args(["audit", "verify", "--database", t.url()])
            .output()
            .expect("audit");
        // Assert 2
        let line = assert_one_line_error(&out);
        assert!(line.contains("access_log entry 4 is broken"), "{line}");
        assert!(text(&out.stdout).contains("ledger: ok"));
    }
);

/// `GET path` on `addr` with the `headers` lines (each ending in CRLF).
fn http_get(addr: &str, path: &str, headers: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

pub(crate) fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir()
        .join("ixorg-cli-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

db_test!(
    the_declaration_commands_generate_import_pay_out_and_reconcile,
    async |t: TestDb| {
        // Arrange: demo households and practices.
        let ctx = test_app(&t).await;
        let files = tempdir(&format!("declarations-cli-{:?}", t.db().backend()));
        ixorg_tools::demo::seed(&ctx, 3, &files)
            .await
            .expect("demo data");
        let db = t.url();
        let mz301 = files.join("generated.asc");
        let mz302 = files.join("generated.mz302");
        let pain001 = files.join("payout.xml");
        let statement = files.join("payout-statement.xml");
        let path = |p: &std::path::Path| p.display().to_string();

        // Act and assert, command by command.
        let out = run(&[
            "generate",
            "mz301",
            "--lines",
            "120",
            "--out",
            &path(&mz301),
            "--database",
            db,
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = run(&[
            "import",
            "mz301",
            &path(&mz301),
            "--return",
            &path(&mz302),
            "--database",
            db,
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("imported"),
            "{}",
            text(&out.stdout)
        );
        let records = std::fs::read(&mz301)
            .expect("mz301")
            .split(|b| *b == b'\n')
            .filter(|r| !r.is_empty())
            .count();
        assert_eq!(
            std::fs::read(&mz302).expect("mz302").len(),
            records * 372,
            "one 370-character return record per record"
        );
        let again = run(&["import", "mz301", &path(&mz301), "--database", db]);
        let line = assert_one_line_error(&again);
        assert!(line.contains("imported before"), "{line}");
        let out = run(&[
            "payout",
            "--date",
            "2026-11-30",
            "--out",
            &path(&pain001),
            "--database",
            db,
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = run(&[
            "generate",
            "camt053-payouts",
            "--date",
            "2026-11-30",
            "--out",
            &path(&statement),
            "--database",
            db,
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = run(&["reconcile", &path(&statement), "--database", db]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = run(&["audit", "verify", "--database", db]);
        assert!(out.status.success(), "{}", text(&out.stdout));
        let settled = raw::scalar(
            &t,
            "SELECT COUNT(*) FROM payout WHERE payout_status = 'settled'",
        )
        .await;
        assert!(settled >= 1, "the statement confirmed the payouts");
    }
);

#[test]
fn the_api_benchmark_posts_batches_through_the_server_and_every_answered_line_is_stored() {
    // Act
    let out = run(&[
        "bench",
        "api",
        "--clients",
        "2",
        "--seconds",
        "1",
        "--lines-per-request",
        "5",
        "--participants",
        "200",
    ]);

    // Assert
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("bench api: 2 clients × 5 lines per request"))
        .unwrap_or_else(|| panic!("a result line: {stdout}"));
    assert!(line.contains(" lines/s;"), "{line}");
    assert!(line.contains(", 0 errors;"), "{line}");
    assert!(stdout.contains("stored after the benchmark:"), "{stdout}");
    assert!(stdout.contains("audit after the benchmark: ok"), "{stdout}");
}

#[test]
fn ropa_prints_the_record_of_processing_as_markdown_and_as_json() {
    let md = run(&["ropa"]);
    assert!(md.status.success());
    let page = text(&md.stdout);
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ROPA.md"))
        .expect("docs/ROPA.md");
    assert_eq!(page, doc, "the page is the generated docs/ROPA.md");
    let json = run(&["ropa", "--format", "json"]);
    assert!(json.status.success());
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
    assert!(value["purposes"].as_array().is_some_and(|p| !p.is_empty()));
}

#[test]
fn the_privacy_officer_works_the_demos_request_queue_from_the_command_line() {
    // Arrange
    let dir = tempdir("privacy");
    let demo = ixorg()
        .env_remove("IXORG_DATA_KEY")
        .args(["demo", "--no-serve", "--households", "6", "--dir"])
        .arg(&dir)
        .output()
        .expect("run demo");
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let key = std::fs::read_to_string(dir.join("data.key")).expect("the generated key");
    let url = format!("sqlite://{}", dir.join("demo.sqlite").display());
    let officer = |password: &str, args: &[&str]| {
        ixorg()
            .env("IXORG_DATA_KEY", key.trim())
            .env("IXORG_STAFF_PASSWORD", password)
            .args(["privacy"])
            .args(args)
            .args(["--staff", "privacy-officer", "--database", &url])
            .output()
            .expect("run privacy")
    };
    // Act
    let queue = officer("demo-privacy-officer-2026", &["requests"]);
    let wrong = officer("not the password", &["requests"]);
    let listed = text(&queue.stdout);
    let access = listed
        .lines()
        .find(|l| l.contains(" access "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("an access request in the queue: {listed}"))
        .to_owned();
    let out = dir.join("answers");
    let answered = officer(
        "demo-privacy-officer-2026",
        &[
            "answer-access",
            &access,
            "--out",
            out.to_str().expect("utf-8 path"),
        ],
    );
    let schema = run(&["privacy", "schema"]);
    // Assert
    assert!(queue.status.success(), "{}", text(&queue.stderr));
    assert!(listed.contains("awaiting_second_approval"), "{listed}");
    let line = assert_one_line_error(&wrong);
    assert!(line.contains("wrong password"), "{line}");
    assert!(answered.status.success(), "{}", text(&answered.stderr));
    let files: Vec<_> = std::fs::read_dir(&out)
        .expect("the answer")
        .flatten()
        .collect();
    assert_eq!(files.len(), 2, "the export as JSON and HTML");
    let published = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/export.schema.json"
    ))
    .expect("the published schema");
    assert_eq!(text(&schema.stdout), published);
}
