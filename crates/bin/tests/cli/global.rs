//! Global options go before or after the subcommand, as users of git and cargo expect.

use ixorg_testkit::{TestDb, db_test};

use crate::{ixorg, text};

db_test!(
    the_database_may_be_named_before_or_after_the_subcommand,
    async |t: TestDb| {
        let url = t.url().to_owned();
        for args in [
            vec!["--database", url.as_str(), "migrate"],
            vec!["migrate", "--database", url.as_str()],
            vec!["--database", url.as_str(), "audit", "verify"],
            vec!["audit", "--database", url.as_str(), "verify"],
            vec!["audit", "verify", "--database", url.as_str()],
        ] {
            // Act
            let out = ixorg().args(&args).output().expect("run ixorg");

            // Assert: the command ran on the test database (the default database file of the
            // working directory would have been created empty instead).
            assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        }
        let verified = ixorg()
            .args(["--database", url.as_str(), "audit", "verify"])
            .current_dir(std::env::temp_dir())
            .output()
            .expect("run ixorg");
        assert!(text(&verified.stdout).contains("ledger: ok"));
        // Without the flag, IXORG_DATABASE_URL names the database.
        let from_env = ixorg()
            .env("IXORG_DATABASE_URL", url.as_str())
            .args(["audit", "verify"])
            .output()
            .expect("run ixorg");
        assert!(from_env.status.success(), "{}", text(&from_env.stderr));
    }
);

#[test]
fn a_database_before_the_subcommand_is_the_one_used() {
    // A database that cannot be opened, named before the subcommand, is the one refused.
    let out = ixorg()
        .args([
            "--database",
            "sqlite:///nonexistent-dir/x.db",
            "audit",
            "verify",
        ])
        .output()
        .expect("run ixorg");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("sqlite database"));
}

#[test]
fn a_database_given_to_a_command_that_uses_none_is_refused_as_an_argument_error() {
    let dir = std::env::temp_dir().join(format!("ixorg-demo-refused-{}", std::process::id()));
    let dir = dir.to_string_lossy().into_owned();
    for args in [
        vec![
            "demo",
            "--no-serve",
            "--dir",
            &dir,
            "--database",
            "sqlite:///tmp/x.db",
        ],
        vec![
            "--database",
            "sqlite:///tmp/x.db",
            "demo",
            "--no-serve",
            "--dir",
            &dir,
        ],
        vec![
            "bench",
            "mz301-parse",
            "--lines",
            "10",
            "--database",
            "sqlite:///tmp/x.db",
        ],
    ] {
        // Act
        let out = ixorg().args(&args).output().expect("run ixorg");

        // Assert
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stderr).contains("--database does not apply"));
        assert!(!std::path::Path::new(&dir).exists(), "nothing was made");
    }
}
