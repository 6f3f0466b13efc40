//! `strict-cors lint`: files (TOML, JSON) and environment variables through
//! strict-cors's own validation.

mod support;

use std::path::PathBuf;

use support::{run, run_with_env};

/// Writes `text` to a fresh file named `name` in the temporary directory.
fn file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("strict-cors-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn lint(path: &std::path::Path) -> support::Run {
    run(&["lint", path.to_str().unwrap()])
}

#[test]
fn a_clean_file_exits_0() {
    let p = file(
        "clean.toml",
        "allowed_origins = [\"https://app.example.com\"]\nallow_credentials = true\nallowed_methods = [\"GET\", \"PUT\"]\nmax_age_secs = 600\n",
    );
    let r = lint(&p);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.ends_with(": ok\n"), "{}", r.stdout);
}

#[test]
fn every_problem_one_a_line_with_its_hint() {
    let p = file(
        "bad.toml",
        "allowed_origins = [\"https://app.example.com/\", \"*\"]\nallow_credentials = true\nallowed_methods = [\"TRACE\"]\nmax_age_secs = 100000\n",
    );
    let r = lint(&p);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let name = p.display().to_string();
    assert!(lines.iter().all(|l| l.starts_with(&name)), "{lines:#?}");
    let expect = [
        "allowed_origins[0]: origin \"https://app.example.com/\"",
        "did you mean \"https://app.example.com\"?",
        "allowed_methods[0]: method \"TRACE\" is forbidden",
        "max_age_secs: max_age of 100000 s is over 86400 s",
        // Found by build() once the bad entries are left out.
        "any origin (`*`) with allow_credentials(true)",
    ];
    for e in expect {
        assert!(r.stdout.contains(e), "missing {e:?} in\n{}", r.stdout);
    }
    assert!(r.stderr.contains("problems"), "{}", r.stderr);
}

#[test]
fn a_combination_problem_shows_once_entries_are_fine() {
    let p = file(
        "wild.json",
        r#"{"allowed_origins": ["*"], "allow_credentials": true}"#,
    );
    let r = lint(&p);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(r
        .stdout
        .contains("any origin (`*`) with allow_credentials(true)"));
}

#[test]
fn a_misspelt_key_is_a_problem() {
    let p = file(
        "typo.toml",
        "allowed_origin = [\"https://app.example.com\"]\n",
    );
    let r = lint(&p);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("unknown field `allowed_origin`"),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stdout.lines().count(),
        1,
        "one problem, one line: {}",
        r.stdout
    );
}

#[test]
fn json_is_recognised_by_content() {
    let p = file(
        "cors.conf",
        r#"{"allowed_origins": ["https://app.example.com"]}"#,
    );
    assert_eq!(lint(&p).code, 0);
    let p = file(
        "cors2.conf",
        "allowed_origins = [\"https://app.example.com\"]\n",
    );
    assert_eq!(lint(&p).code, 0);
}

#[test]
fn unreadable_or_unparsable_files_exit_2() {
    let r = run(&["lint", "/nonexistent/strict-cors.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    let p = file("broken.toml", "allowed_origins = [\n");
    let r = lint(&p);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not TOML"), "{}", r.stderr);
    let p = file("broken.json", "{\"allowed_origins\": ");
    let r = lint(&p);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not JSON"), "{}", r.stderr);
}

#[test]
fn environment_variables() {
    let r = run_with_env(
        &["lint", "--env", "--prefix", "LINT_T1_"],
        &[
            (
                "LINT_T1_ALLOWED_ORIGINS",
                "https://app.example.com, http://api.example.com",
            ),
            ("LINT_T1_ALLOW_CREDENTIALS", "yes"),
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("LINT_T1_ALLOW_CREDENTIALS=\"yes\" is not a boolean"),
        "{}",
        r.stdout
    );

    let r = run_with_env(
        &["lint", "--env", "--prefix", "LINT_T2_"],
        &[
            (
                "LINT_T2_ALLOWED_ORIGINS",
                "https://app.example.com, http://api.example.com",
            ),
            ("LINT_T2_ALLOW_CREDENTIALS", "true"),
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("\"http://api.example.com\" is plain http with allow_credentials(true)"),
        "{}",
        r.stdout
    );

    let r = run_with_env(
        &["lint", "--env", "--prefix", "LINT_T3_"],
        &[("LINT_T3_ALLOWED_ORIGINS", "https://app.example.com")],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    let r = run(&["lint", "--env", "--prefix", "LINT_UNSET_"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no LINT_UNSET_* variable is set"),
        "{}",
        r.stderr
    );
}

#[test]
fn arguments() {
    assert_eq!(run(&["lint"]).code, 2, "a file or --env");
    assert_eq!(run(&["lint", "x.toml", "--env"]).code, 2, "not both");
    assert_eq!(
        run(&["lint", "x.toml", "--prefix", "A_"]).code,
        2,
        "--prefix needs --env"
    );
}
