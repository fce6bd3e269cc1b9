//! Exit codes and error messages: 2 for an argument error (clap's or a command's), 1 for a
//! command that failed, and every message printed once.

use std::process::Output;

use ixorg_testkit::{TestDb, db_test, test_app};

use crate::{ixorg, tempdir, text};

fn run_in(dir: &std::path::Path, args: &[&str]) -> Output {
    ixorg()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run ixorg")
}

/// Asserts that no part of the one error line (split at ": ") is there twice.
fn assert_said_once(stderr: &str) {
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "one error line: {stderr}");
    let parts: Vec<&str> = errors[0].split(": ").filter(|p| p.len() > 3).collect();
    for (i, part) in parts.iter().enumerate() {
        assert!(!parts[i + 1..].contains(part), "`{part}` twice: {stderr}");
    }
}

#[test]
fn an_argument_error_exits_2_and_a_failed_command_exits_1() {
    // Arrange
    let dir = tempdir("exit-codes");
    let db = format!("sqlite://{}/x.db", dir.display());
    // Act
    let unknown_flag = run_in(&dir, &["migrate", "--bogus"]);
    let bad_value = run_in(
        &dir,
        &["serve", "--public-url", "ftp://x", "--database", &db],
    );
    let bad_agb = run_in(
        &dir,
        &[
            "practice",
            "add",
            "--agb",
            "12",
            "--name",
            "N",
            "--city",
            "C",
            "--database",
            &db,
        ],
    );
    let missing_file = run_in(
        &dir,
        &["import", "mz301", "no-such-file.asc", "--database", &db],
    );
    let bad_database = run_in(
        &dir,
        &["migrate", "--database", "sqlite:///no/such/dir/x.db"],
    );
    // Assert
    for (what, out) in [
        ("an unknown flag", &unknown_flag),
        ("a bad --public-url", &bad_value),
        ("a bad --agb", &bad_agb),
    ] {
        assert_eq!(out.status.code(), Some(2), "{what}: {}", text(&out.stderr));
        assert!(text(&out.stderr).starts_with("error: "), "{what}");
    }
    for (what, out) in [
        ("a missing file", &missing_file),
        ("a bad database", &bad_database),
    ] {
        assert_eq!(out.status.code(), Some(1), "{what}: {}", text(&out.stderr));
    }
}

#[test]
fn a_database_that_cannot_be_opened_is_reported_once() {
    // Act
    let out = ixorg()
        .args(["migrate", "--database", "sqlite:///no/such/dir/x.db"])
        .output()
        .expect("run ixorg");
    // Assert
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_said_once(&stderr);
    assert_eq!(
        stderr.matches("unable to open database file").count(),
        1,
        "{stderr}"
    );
}

db_test!(
    a_refused_mz301_file_lists_each_problem_once,
    async |t: TestDb| {
        // Arrange
        drop(test_app(&t).await);
        let dir = tempdir(&format!("refused-mz301-{:?}", t.db().backend()));
        let file = dir.join("bad.asc");
        std::fs::write(&file, "not a record\n0123\nXXXX\n").expect("write the file");
        // Act
        let out = ixorg()
            .args(["import", "mz301"])
            .arg(&file)
            .args(["--database", t.url()])
            .output()
            .expect("run ixorg");
        // Assert
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_said_once(&stderr);
        let problems: Vec<&str> = stderr
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("record "))
            .collect();
        assert!(problems.len() >= 3, "{stderr}");
        for (i, problem) in problems.iter().enumerate() {
            assert!(!problems[i + 1..].contains(problem), "twice: {problem}");
        }
        let summary = format!("has {} problem(s)", problems.len());
        assert!(stderr.contains(&summary), "{stderr}");
    }
);
