//! `strict-cors check`: the arguments into a [`Check`], the doctor over
//! HTTP, the verdict shown.

use std::io::IsTerminal;
use std::time::Duration;

use strict_cors_model::doctor::{diagnose, url_origin, Check};
use strict_cors_model::{is_forbidden_request_header, is_token, FetchRequest};

use crate::args::CheckArgs;
use crate::exit::Exit;
use crate::output::{err_line, out, out_line};
use crate::render::{self, Style, Verdict};
use crate::transport::HttpTransport;

/// The origin as a browser serialises it (`scheme://host[:port]`, lower
/// case, no default port), or why `value` is not one.
fn parse_origin(value: &str) -> Result<String, String> {
    if value == "null" {
        return Ok(value.to_string());
    }
    let Some(origin) = url_origin(value) else {
        return Err(format!("--origin {value:?} is not an origin; write it as scheme://host[:port], e.g. http://localhost:3000"));
    };
    if origin != value {
        return Err(format!(
            "--origin {value:?} is not what a browser sends (no path, no trailing slash, lower case, no default port); did you mean {origin:?}?"
        ));
    }
    Ok(origin)
}

/// "name: value" into its parts.
fn parse_header(line: &str) -> Result<(String, String), String> {
    let Some((name, value)) = line.split_once(':') else {
        return Err(format!("--header {line:?}: write it as \"name: value\""));
    };
    let name = name.trim();
    if !is_token(name.as_bytes()) {
        return Err(format!("--header {line:?}: {name:?} is not a header name"));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

fn parse_url(url: &str) -> Result<(), String> {
    match url.parse::<http::Uri>() {
        Ok(u) if matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some() => Ok(()),
        _ => Err(format!("{url:?} is not an http(s) URL")),
    }
}

/// The [`Check`] the arguments describe.
fn build(args: &CheckArgs) -> Result<Check, String> {
    parse_url(&args.url)?;
    let origin = parse_origin(&args.origin)?;
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 86_400.0) {
        return Err(format!(
            "--timeout {}: give seconds, more than 0 and at most 86400",
            args.timeout
        ));
    }
    let mut request =
        FetchRequest::new(&origin, &args.url, &args.method).credentials(args.credentials);
    for line in &args.headers {
        let (name, value) = parse_header(line)?;
        if is_forbidden_request_header(&name, value.as_bytes()) {
            let instead = match name.to_ascii_lowercase().as_str() {
                "cookie" => "; for cookies use --cookie (with --credentials)",
                "origin" => "; the origin is --origin",
                _ => "",
            };
            return Err(format!(
                "--header {name:?}: a forbidden request header, which fetch() never lets a script set (the browser drops it){instead}"
            ));
        }
        request = request.header(&name, &value);
    }
    for name in &args.read_headers {
        if !is_token(name.as_bytes()) {
            return Err(format!("--read-header {name:?} is not a header name"));
        }
    }
    if let Some(cookie) = &args.cookie {
        // The doctor sends only a cookie that is a valid header value.
        if http::HeaderValue::from_str(cookie).is_err() {
            return Err(format!(
                "--cookie {cookie:?}: not a valid header value (no control characters such as newlines)"
            ));
        }
    }
    // `authorization` under `*` is judged as today's engines do (the
    // doctor's default), with a warning that the standard says otherwise.
    let mut check = Check::new(request);
    check.send_unsafe = args.send;
    check.cookie = args.cookie.clone();
    check.read_headers = args.read_headers.clone();
    check.probe_other_origin = !args.no_probe;
    Ok(check)
}

/// Colour when stdout is a terminal and `NO_COLOR` is unset.
fn style() -> Style {
    Style {
        colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Runs `check`.
pub fn run(args: &CheckArgs) -> Exit {
    let check = match build(args) {
        Ok(c) => c,
        Err(e) => {
            err_line(&format!("error: {e}"));
            return Exit::NoVerdict;
        }
    };
    let mut transport =
        match HttpTransport::new(Duration::from_secs_f64(args.timeout), args.insecure) {
            Ok(t) => t,
            Err(e) => {
                err_line(&format!("error: {e}"));
                return Exit::NoVerdict;
            }
        };
    let diagnosis = diagnose(&check, &mut transport);
    if args.json {
        out_line(
            &serde_json::to_string_pretty(&render::json(&check.request, &diagnosis))
                .unwrap_or_default(),
        );
    } else {
        out(&render::text(&check.request, &diagnosis, style()));
    }
    match Verdict::of(&diagnosis) {
        Verdict::Readable | Verdict::PreflightOnly => Exit::Readable,
        Verdict::Blocked => Exit::Blocked,
        Verdict::Undecided => Exit::NoVerdict,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn origins_as_browsers_send_them() {
        assert_eq!(
            parse_origin("http://localhost:3000").as_deref(),
            Ok("http://localhost:3000")
        );
        assert_eq!(parse_origin("null").as_deref(), Ok("null"));
        let e = parse_origin("https://app.example.com/").expect_err("trailing slash");
        assert!(
            e.contains("did you mean \"https://app.example.com\""),
            "{e}"
        );
        let e = parse_origin("https://App.example.com:443").expect_err("case and port");
        assert!(
            e.contains("did you mean \"https://app.example.com\""),
            "{e}"
        );
        assert!(parse_origin("app.example.com").is_err());
    }

    fn check_args(extra: &[&str]) -> CheckArgs {
        let mut argv = vec![
            "strict-cors",
            "check",
            "http://localhost:8080/me",
            "--origin",
            "http://localhost:3000",
        ];
        argv.extend_from_slice(extra);
        match crate::args::Cli::try_parse_from(argv) {
            Ok(crate::args::Cli {
                command: crate::args::Command::Check(args),
            }) => args,
            other => panic!("not a check: {other:?}"),
        }
    }

    #[test]
    fn a_cookie_that_cannot_be_sent_is_refused() {
        let args = check_args(&["--credentials", "--cookie", "a=b\nc=d"]);
        let e = build(&args).expect_err("a newline cannot be in a header value");
        assert!(e.contains("--cookie"), "{e}");
        let args = check_args(&["--credentials", "--cookie", "a=b; c=d"]);
        assert_eq!(
            build(&args).expect("a cookie").cookie.as_deref(),
            Some("a=b; c=d")
        );
    }

    #[test]
    fn headers_as_name_colon_value() {
        assert_eq!(
            parse_header("Authorization:  Bearer x "),
            Ok(("Authorization".to_string(), "Bearer x".to_string()))
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
    }
}
