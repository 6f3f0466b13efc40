//! `strict-cors lint`: a configuration through strict-cors's own validation.

use std::path::Path;

use strict_cors::{ConfigError, ConfigProblem, CorsBuilder, CorsConfig};

use crate::args::LintArgs;
use crate::exit::Exit;
use crate::output::{err_line, out_line};

/// The configuration's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Toml,
    Json,
}

/// By extension; otherwise JSON when the text starts with `{`, else TOML.
fn format_of(path: &Path, text: &str) -> Format {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => Format::Json,
        Some("toml") => Format::Toml,
        _ if text.trim_start().starts_with('{') => Format::Json,
        _ => Format::Toml,
    }
}

/// Parses `text` as a `CorsConfig`. `Err(Exit)` with code 2 when it is not
/// TOML/JSON at all; `Ok(Err(message))` when it is, but not a `CorsConfig`
/// (unknown field, wrong type): a problem of the configuration.
fn parse(format: Format, text: &str) -> Result<Result<CorsConfig, String>, String> {
    match format {
        Format::Toml => {
            toml::from_str::<toml::Table>(text).map_err(|e| format!("not TOML: {e}"))?;
            Ok(toml::from_str::<CorsConfig>(text).map_err(|e| e.to_string()))
        }
        Format::Json => {
            serde_json::from_str::<serde_json::Value>(text)
                .map_err(|e| format!("not JSON: {e}"))?;
            Ok(serde_json::from_str::<CorsConfig>(text).map_err(|e| e.to_string()))
        }
    }
}

/// Where a problem came from (`allowed_origins[1]`, `CORS_MAX_AGE`), when
/// it names one.
fn location(problem: &ConfigProblem) -> Option<&str> {
    match problem {
        ConfigProblem::Located { location, .. } => Some(location),
        ConfigProblem::InvalidEnvVar { var, .. } => Some(var),
        _ => None,
    }
}

/// Every problem: the entries' first, then, with those entries left out,
/// what `build()` finds in the rest (a wildcard with credentials, an http
/// origin with credentials, ...), which a bad entry would otherwise hide.
/// `attempt` builds from the configuration without the locations given.
/// "No origin" is not reported when it only comes from leaving out bad
/// origins.
fn all_problems<F>(mut attempt: F) -> Vec<String>
where
    F: FnMut(&[String]) -> Result<CorsBuilder, ConfigError>,
{
    let mut found: Vec<String> = Vec::new();
    let mut left_out: Vec<String> = Vec::new();
    // Entry problems all come in the first attempt; one more sees build().
    for _ in 0..2 {
        match attempt(&left_out) {
            Ok(builder) => {
                if let Err(e) = builder.build() {
                    let dropped_origin = left_out
                        .iter()
                        .any(|l| l.to_ascii_lowercase().contains("origin"));
                    found.extend(
                        e.problems()
                            .iter()
                            .filter(|p| !(dropped_origin && matches!(p, ConfigProblem::NoOrigins)))
                            .map(ToString::to_string),
                    );
                }
                break;
            }
            Err(e) => {
                let before = left_out.len();
                for p in e.problems() {
                    found.push(p.to_string());
                    if let Some(l) = location(p) {
                        left_out.push(l.to_string());
                    }
                }
                if left_out.len() == before {
                    break;
                }
            }
        }
    }
    found.dedup();
    found
}

/// `config` without the entries at `locations` (`field[i]`, `max_age_secs`).
fn without(config: &CorsConfig, locations: &[String]) -> CorsConfig {
    let mut c = config.clone();
    let mut drop: Vec<(String, usize)> = Vec::new();
    for l in locations {
        if l == "max_age_secs" {
            c.max_age_secs = None;
        } else if let Some((field, rest)) = l.split_once('[') {
            if let Ok(i) = rest.trim_end_matches(']').parse::<usize>() {
                drop.push((field.to_string(), i));
            }
        }
    }
    drop.sort_by_key(|d| std::cmp::Reverse(d.1));
    for (field, i) in drop {
        let list = match field.as_str() {
            "allowed_origins" => &mut c.allowed_origins,
            "allowed_origin_patterns" => &mut c.allowed_origin_patterns,
            "allowed_methods" => &mut c.allowed_methods,
            "allowed_headers" => &mut c.allowed_headers,
            "exposed_headers" => &mut c.exposed_headers,
            _ => continue,
        };
        if i < list.len() {
            list.remove(i);
        }
    }
    c
}

fn config_problems(config: &CorsConfig) -> Vec<String> {
    all_problems(|left_out| without(config, left_out).into_builder())
}

fn env_problems(prefix: &str) -> Vec<String> {
    all_problems(|left_out| {
        if left_out.is_empty() {
            // The real reader: it also reports values that are not UTF-8.
            return CorsBuilder::from_env_with_prefix(prefix);
        }
        CorsBuilder::from_lookup(prefix, |name| {
            if left_out.iter().any(|l| l == name) {
                None
            } else {
                std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
            }
        })
    })
}

/// Prints each problem on its own line, prefixed by `source`; the exit code.
fn report(source: &str, problems: &[String]) -> Exit {
    if problems.is_empty() {
        out_line(&format!("{source}: ok"));
        return Exit::Readable;
    }
    for p in problems {
        // A TOML error quotes the offending line over several lines: keep it
        // one problem a line by joining them.
        let one_line: Vec<&str> = p
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .collect();
        out_line(&format!("{source}: {}", one_line.join(" ")));
    }
    let n = problems.len();
    err_line(&format!(
        "{source}: {n} problem{}",
        if n == 1 { "" } else { "s" }
    ));
    Exit::Blocked
}

/// Runs `lint`.
pub fn run(args: &LintArgs) -> Exit {
    if args.env {
        let prefix = args.prefix.as_str();
        let any_set =
            std::env::vars_os().any(|(k, _)| k.to_str().is_some_and(|k| k.starts_with(prefix)));
        if !any_set {
            err_line(&format!("note: no {prefix}* variable is set"));
        }
        return report(&format!("{prefix}*"), &env_problems(prefix));
    }
    let Some(path) = args.file.as_deref() else {
        err_line("error: give a FILE or --env");
        return Exit::NoVerdict;
    };
    let source = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            err_line(&format!("error: cannot read {source}: {e}"));
            return Exit::NoVerdict;
        }
    };
    match parse(format_of(path, &text), &text) {
        Err(syntax) => {
            err_line(&format!("error: {source}: {syntax}"));
            Exit::NoVerdict
        }
        Ok(Err(schema)) => report(&source, &[schema]),
        Ok(Ok(config)) => report(&source, &config_problems(&config)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_by_extension_then_content() {
        assert_eq!(format_of(Path::new("a.json"), "x = 1"), Format::Json);
        assert_eq!(format_of(Path::new("a.TOML"), "{}"), Format::Toml);
        assert_eq!(
            format_of(Path::new("cors.conf"), "  {\"a\": 1}"),
            Format::Json
        );
        assert_eq!(format_of(Path::new("cors.conf"), "a = 1"), Format::Toml);
    }

    #[test]
    fn syntax_errors_are_not_config_problems() {
        assert!(parse(Format::Toml, "allowed_origins = [").is_err());
        assert!(parse(Format::Json, "{").is_err());
        let schema = parse(Format::Toml, "allowed_origin = []").expect("is TOML");
        assert!(schema
            .expect_err("unknown field")
            .contains("allowed_origin"));
    }

    #[test]
    fn every_problem_is_reported() {
        let config = parse(
            Format::Json,
            r#"{"allowed_origins": ["*"], "allow_credentials": true, "allowed_methods": ["TRACE"]}"#,
        )
        .expect("JSON")
        .expect("a CorsConfig");
        let found = config_problems(&config);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("allowed_methods[0]: method \"TRACE\""),
            "{found:?}"
        );
        assert!(
            found[1].contains("any origin (`*`) with allow_credentials(true)"),
            "{found:?}"
        );
    }

    #[test]
    fn no_origins_is_not_blamed_on_a_bad_origin() {
        let config = parse(
            Format::Toml,
            "allowed_origins = [\"https://app.example.com/\"]",
        )
        .expect("TOML")
        .expect("a CorsConfig");
        let found = config_problems(&config);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("did you mean \"https://app.example.com\""),
            "{found:?}"
        );
    }
}
