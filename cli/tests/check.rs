//! `strict-cors check` against loopback servers that make each classic
//! mistake (raw hyper, scripted headers): the failure code, the exit code,
//! and that the console message and the fix name the right thing.

mod support;

use support::{check_json, is_preflight, run, scripted, Reply, Seen};

const APP: &str = "http://localhost:3000";

fn h(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(n, v)| (*n, v.to_string())).collect()
}

/// A server that answers preflights with `preflight` and anything else with
/// `actual`.
fn split(preflight: Reply, actual: Reply) -> impl Fn(&Seen) -> Reply + Send + Sync + 'static {
    move |s: &Seen| {
        if is_preflight(s) {
            preflight.clone()
        } else {
            actual.clone()
        }
    }
}

fn good_preflight() -> Reply {
    (
        204,
        h(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "GET, PUT"),
            (
                "access-control-allow-headers",
                "authorization, content-type",
            ),
            ("vary", "origin"),
        ]),
    )
}

fn good_actual() -> Reply {
    (
        200,
        h(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("vary", "origin"),
        ]),
    )
}

#[track_caller]
fn assert_blocked(v: &serde_json::Value, code: &str) {
    assert_eq!(v["readable"], false, "{v:#}");
    assert_eq!(v["failure"], code, "{v:#}");
    assert_eq!(v["verdict"], "blocked", "{v:#}");
}

fn text(v: &serde_json::Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

fn builder(v: &serde_json::Value) -> String {
    v["fix"]["strict_cors"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn wildcard_with_credentials() {
    let s = scripted(|_| (200, h(&[("access-control-allow-origin", "*")])));
    let (r, v) = check_json(&s.url("/me"), APP, &["--credentials"]);
    assert_eq!(r.code, 1);
    assert_blocked(&v, "wildcard_with_credentials");
    assert!(text(&v, "console")
        .contains("must not be the wildcard '*' when the request's credentials mode is 'include'"));
    assert_eq!(
        builder(&v),
        format!(".allow_origins([\"{APP}\"]).allow_credentials(true)")
    );
    assert!(v["preflight"].is_null(), "a GET needs no preflight");
}

#[test]
fn missing_allow_origin() {
    let s = scripted(|_| (200, vec![]));
    let (r, v) = check_json(&s.url("/me"), APP, &[]);
    assert_eq!(r.code, 1);
    assert_blocked(&v, "no_allow_origin");
    assert!(text(&v, "console").starts_with(&format!(
        "Access to fetch at '{}' from origin '{APP}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        s.url("/me")
    )));
    assert!(builder(&v).contains(APP));
}

#[test]
fn duplicate_allow_origin() {
    let s = scripted(|_| {
        (
            200,
            h(&[
                ("access-control-allow-origin", APP),
                ("access-control-allow-origin", APP),
            ]),
        )
    });
    let (r, v) = check_json(&s.url("/me"), APP, &[]);
    assert_eq!(r.code, 1);
    assert_blocked(&v, "multiple_allow_origin");
    assert!(text(&v, "console").contains(&format!(
        "contains multiple values '{APP}, {APP}', but only one is allowed"
    )));
    assert!(text(&v["fix"], "text").contains("one place"));
}

#[test]
fn allow_origin_with_trailing_slash_or_other_case() {
    for (sent, how) in [
        ("http://localhost:3000/", "trailing slash"),
        ("http://LocalHost:3000", "case"),
    ] {
        let s = scripted(move |_| (200, h(&[("access-control-allow-origin", sent)])));
        let (r, v) = check_json(&s.url("/me"), APP, &[]);
        assert_eq!(r.code, 1);
        assert_blocked(&v, "allow_origin_mismatch");
        assert!(text(&v, "summary").contains(how), "{v:#}");
        assert!(text(&v, "console").contains(&format!(
            "has a value '{sent}' that is not equal to the supplied origin"
        )));
    }
}

#[test]
fn allow_credentials_missing_or_not_exactly_true() {
    for acac in [None, Some("True"), Some("\"true\"")] {
        let s = scripted(move |_| {
            let mut headers = h(&[("access-control-allow-origin", APP), ("vary", "origin")]);
            if let Some(v) = acac {
                headers.push(("access-control-allow-credentials", v.to_string()));
            }
            (200, headers)
        });
        let (r, v) = check_json(&s.url("/me"), APP, &["--credentials"]);
        assert_eq!(r.code, 1);
        assert_blocked(&v, "allow_credentials_not_true");
        assert!(text(&v, "console").contains(&format!(
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '{}' which must be 'true'",
            acac.unwrap_or("")
        )));
        assert_eq!(builder(&v), ".allow_credentials(true)");
    }
}

#[test]
fn preflight_not_2xx_says_auth_or_routing_ran_before_cors() {
    for (status, cause) in [
        (401, "auth"),
        (403, "auth"),
        (404, "no OPTIONS route"),
        (405, "no OPTIONS route"),
    ] {
        let s = scripted(split((status, vec![]), good_actual()));
        let (r, v) = check_json(
            &s.url("/me"),
            APP,
            &[
                "--method",
                "PUT",
                "-H",
                "authorization: Bearer t",
                "--credentials",
                "--send",
            ],
        );
        assert_eq!(r.code, 1, "{status}");
        assert_blocked(&v, "preflight_status");
        assert_eq!(v["preflight"]["status"], status);
        assert_eq!(v["failed_in"], "preflight");
        let summary = text(&v, "summary");
        assert!(
            summary.contains("auth or routing ran before CORS") && summary.contains(cause),
            "{summary}"
        );
        assert!(text(&v, "console").ends_with("Response to preflight request doesn't pass access control check: It does not have HTTP ok status."));
        assert!(text(&v["fix"], "text").contains("outermost"));
        assert_eq!(
            s.count("PUT"),
            0,
            "a failed preflight stops the actual request, even with --send"
        );
    }
}

#[test]
fn redirected_preflight_fails() {
    let s = scripted(split((308, h(&[("location", "/me/")])), good_actual()));
    let (r, v) = check_json(&s.url("/me"), APP, &["--method", "PUT", "--credentials"]);
    assert_eq!(r.code, 1);
    assert_blocked(&v, "preflight_redirected");
    assert!(text(&v, "console").ends_with("Redirect is not allowed for a preflight request."));
    assert_eq!(
        s.seen().len(),
        1,
        "the preflight's redirect is not followed"
    );
}

#[test]
fn method_not_allowed() {
    let mut pf = good_preflight();
    pf.1.retain(|(n, _)| *n != "access-control-allow-methods");
    pf.1.push(("access-control-allow-methods", "GET, POST".to_string()));
    let s = scripted(split(pf, good_actual()));
    let (r, v) = check_json(&s.url("/me"), APP, &["--method", "PUT", "--credentials"]);
    assert_eq!(r.code, 1);
    assert_blocked(&v, "method_not_allowed");
    assert!(text(&v, "console").ends_with(
        "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
    ));
    assert_eq!(builder(&v), ".allow_methods([\"GET\", \"POST\", \"PUT\"])");
}

#[test]
fn header_not_allowed() {
    let s = scripted(split(good_preflight(), good_actual()));
    let (r, v) = check_json(&s.url("/me"), APP, &["-H", "X-Token: 1", "--credentials"]);
    assert_eq!(r.code, 1);
    assert_blocked(&v, "header_not_allowed");
    assert!(text(&v, "console").ends_with("Request header field x-token is not allowed by Access-Control-Allow-Headers in preflight response."));
    assert_eq!(
        builder(&v),
        ".allow_headers([\"authorization\", \"content-type\", \"x-token\"])"
    );
}

/// `*` covering `authorization` without credentials: the standard says
/// blocked, today's Chromium, Firefox and WebKit read the response. The
/// command says what the browser will do (readable, exit 0) and warns.
#[test]
fn authorization_under_a_wildcard_is_readable_today_with_a_warning() {
    let pf = (
        204,
        h(&[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "*"),
            ("access-control-allow-headers", "*"),
        ]),
    );
    let s = scripted(split(pf, (200, h(&[("access-control-allow-origin", "*")]))));
    let headers = ["-H", "authorization: Bearer t", "-H", "x-token: 1"];
    let (r, v) = check_json(&s.url("/me"), APP, &headers);
    assert_eq!(r.code, 0, "{v:#}");
    assert_eq!(v["readable"], true);
    assert_eq!(v["verdict"], "readable");
    assert!(v["failure"].is_null() && v["console"].is_null(), "{v:#}");
    assert_eq!(v["warnings"].as_array().map(Vec::len), Some(1), "{v:#}");
    assert_eq!(v["warnings"][0]["code"], "authorization_under_wildcard");
    let message = v["warnings"][0]["message"].as_str().unwrap_or_default();
    for part in [
        "https://fetch.spec.whatwg.org/#cors-preflight-fetch",
        "never covers authorization",
        "Chromium",
        ".allow_headers([\"*\", \"authorization\"])",
    ] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert_eq!(s.count("OPTIONS"), 1);
    assert_eq!(s.count("GET"), 1, "the actual GET is sent, as browsers do");

    let mut args = vec!["check", "", "--origin", APP];
    let url = s.url("/me");
    args[1] = &url;
    args.extend_from_slice(&headers);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for part in [
        "READABLE: the page's script can read the 200 response (1 warning above).",
        "! warning: authorization is covered only by * in Access-Control-Allow-Headers",
        "https://fetch.spec.whatwg.org/#cors-preflight-fetch",
        ".allow_headers([\"*\", \"authorization\"])",
    ] {
        assert!(r.stdout.contains(part), "{part:?} not in\n{}", r.stdout);
    }
}

/// With credentials, `*` is a literal header name in every browser:
/// `authorization` is not allowed, and the fix lists it.
#[test]
fn authorization_under_a_wildcard_with_credentials_is_blocked() {
    let pf = (
        204,
        h(&[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-headers", "*"),
        ]),
    );
    let s = scripted(split(pf, good_actual()));
    let (r, v) = check_json(
        &s.url("/me"),
        APP,
        &["-H", "authorization: Bearer t", "--credentials"],
    );
    assert_eq!(r.code, 1, "{v:#}");
    assert_blocked(&v, "header_not_allowed");
    assert!(text(&v, "summary").contains("* is a literal header name on credentialed requests"));
    assert!(text(&v, "console").ends_with("Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response."));
    assert_eq!(builder(&v), ".allow_headers([\"authorization\"])");
    assert_eq!(v["warnings"].as_array().map(Vec::len), Some(0), "{v:#}");
    assert_eq!(s.count("GET"), 0);
}

#[test]
fn missing_vary_is_a_warning_not_a_failure() {
    let s = scripted(|_| (200, h(&[("access-control-allow-origin", APP)])));
    let (r, v) = check_json(&s.url("/me"), APP, &[]);
    assert_eq!(r.code, 0);
    assert_eq!(v["readable"], true);
    assert!(v["failure"].is_null() && v["console"].is_null());
    assert_eq!(v["warnings"][0]["code"], "vary_origin_missing");
    assert!(v["warnings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Vary: Origin"));
}

#[test]
fn exposed_header_not_readable_is_a_warning() {
    let s = scripted(|_| {
        (
            200,
            h(&[
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("access-control-expose-headers", "*"),
                ("vary", "origin"),
                ("x-request-id", "7"),
            ]),
        )
    });
    let (r, v) = check_json(
        &s.url("/me"),
        APP,
        &["--credentials", "--read-header", "x-request-id"],
    );
    assert_eq!(r.code, 0);
    let codes: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["expose_wildcard_with_credentials", "header_not_exposed"]
    );
    assert!(v["warnings"][1]["message"]
        .as_str()
        .unwrap()
        .contains("x-request-id"));
    assert!(!v["readable_headers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h == "x-request-id"));
}

#[test]
fn no_unsafe_request_without_send() {
    let s = scripted(split(good_preflight(), good_actual()));
    let (r, v) = check_json(
        &s.url("/me"),
        APP,
        &[
            "--method",
            "PUT",
            "-H",
            "authorization: Bearer t",
            "--credentials",
        ],
    );
    assert_eq!(r.code, 0, "{v:#}");
    assert_eq!(v["verdict"], "preflight_only");
    assert_eq!(v["actual_checked"], false);
    // The preflight, and the reflection probe's preflight: never a PUT.
    assert_eq!(s.count("OPTIONS"), 2);
    assert_eq!(s.count("PUT"), 0, "PUT sent without --send");

    let (r, v) = check_json(
        &s.url("/me"),
        APP,
        &[
            "--method",
            "PUT",
            "-H",
            "authorization: Bearer t",
            "--credentials",
            "--send",
        ],
    );
    assert_eq!(r.code, 0, "{v:#}");
    assert_eq!(v["verdict"], "readable");
    assert_eq!(s.count("PUT"), 1);

    // A simple POST needs no preflight: without --send nothing is judged.
    let (r, v) = check_json(&s.url("/me"), APP, &["--method", "POST"]);
    assert_eq!(r.code, 2, "{v:#}");
    assert_eq!(v["verdict"], "no_verdict");
    assert_eq!(s.count("POST"), 0);
}

#[test]
fn preflight_is_sent_as_a_browser_sends_it() {
    let s = scripted(split(
        (
            204,
            h(&[
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "x-b, authorization, x-a"),
            ]),
        ),
        good_actual(),
    ));
    let (r, _) = check_json(
        &s.url("/me"),
        APP,
        &[
            "--method",
            "put",
            "-H",
            "X-B: 1",
            "-H",
            "Authorization: Bearer t",
            "-H",
            "x-a: 2",
            "-H",
            "accept: text/plain",
            "--credentials",
            "--cookie",
            "session=abc",
            "--send",
        ],
    );
    assert_eq!(r.code, 0);
    let seen = s.seen();
    let pf = &seen[0];
    assert_eq!(pf.method, "OPTIONS");
    assert_eq!(pf.headers["origin"], APP);
    assert_eq!(pf.headers["access-control-request-method"], "PUT");
    assert_eq!(
        pf.headers["access-control-request-headers"],
        "authorization,x-a,x-b"
    );
    assert_eq!(pf.headers["accept"], "*/*");
    assert!(!pf.headers.contains_key("cookie") && !pf.headers.contains_key("authorization"));
    let actual = &seen[1];
    assert_eq!(actual.method, "PUT");
    assert_eq!(actual.headers["cookie"], "session=abc");
    assert_eq!(actual.headers["authorization"], "Bearer t");
    assert_eq!(actual.headers["origin"], APP);
}

#[test]
fn json_never_shows_secrets() {
    let s = scripted(split(good_preflight(), good_actual()));
    let (r, v) = check_json(
        &s.url("/me"),
        APP,
        &[
            "--method",
            "PUT",
            "-H",
            "authorization: Bearer SECRET-TOKEN",
            "--credentials",
            "--cookie",
            "session=SECRET-COOKIE",
            "--send",
        ],
    );
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains("SECRET"), "{}", r.stdout);
    assert!(v["exchanges"][1]["request_headers"]["cookie"]
        .as_str()
        .unwrap()
        .starts_with("<redacted"));
}

#[test]
fn cross_origin_redirect_sends_origin_null() {
    let end = scripted(|_| {
        (
            200,
            h(&[("access-control-allow-origin", APP), ("vary", "origin")]),
        )
    });
    let target = end.url("/end").replace("127.0.0.1", "localhost");
    let start = scripted(move |_| {
        (
            302,
            h(&[("access-control-allow-origin", APP), ("location", &target)]),
        )
    });
    let (r, v) = check_json(&start.url("/start"), APP, &[]);
    assert_eq!(r.code, 1, "{v:#}");
    assert_blocked(&v, "allow_origin_mismatch");
    assert_eq!(end.seen()[0].headers["origin"], "null");
    assert!(text(&v, "console").contains(&format!(
        "(redirected from '{}') from origin '{APP}'",
        start.url("/start")
    )));
    assert!(v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["text"].as_str().unwrap().contains("Origin becomes null")));
}

#[test]
fn same_origin_redirect_is_followed_and_readable() {
    let s = scripted(|seen| {
        if seen.path == "/old" {
            (
                301,
                h(&[
                    ("access-control-allow-origin", APP),
                    ("vary", "origin"),
                    ("location", "/new"),
                ]),
            )
        } else {
            (
                200,
                h(&[("access-control-allow-origin", APP), ("vary", "origin")]),
            )
        }
    });
    let (r, v) = check_json(&s.url("/old"), APP, &["--no-probe"]);
    assert_eq!(r.code, 0, "{v:#}");
    let seen = s.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].path, "/new");
    assert_eq!(seen[1].headers["origin"], APP);
}

#[test]
fn redirect_without_cors_headers_is_blocked() {
    let s = scripted(|_| (302, h(&[("location", "/login")])));
    let (r, v) = check_json(&s.url("/me"), APP, &[]);
    assert_eq!(r.code, 1);
    assert_blocked(&v, "no_allow_origin");
    assert_eq!(s.seen().len(), 1);
}

#[test]
fn localhost_subdomains_resolve_to_loopback() {
    let s = scripted(|_| (200, h(&[("access-control-allow-origin", "*")])));
    let url = format!("http://api.localhost:{}/me", s.addr.port());
    let (r, v) = check_json(&url, APP, &[]);
    assert_eq!(r.code, 0, "{v:#}");
    assert_eq!(s.seen().len(), 1);
}

#[test]
fn network_errors_and_bad_arguments_give_no_verdict() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (r, v) = check_json(&format!("http://127.0.0.1:{port}/"), APP, &[]);
    assert_eq!(r.code, 2);
    assert_eq!(v["verdict"], "no_verdict");
    assert!(
        v["error"].as_str().unwrap().contains("network error"),
        "{v:#}"
    );

    let r = run(&[
        "check",
        "http://127.0.0.1:1/",
        "--origin",
        "http://localhost:3000/",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean \"http://localhost:3000\""),
        "{}",
        r.stderr
    );
    assert_eq!(
        run(&["check", "http://127.0.0.1:1/"]).code,
        2,
        "--origin is required"
    );
    assert_eq!(run(&["check", "ftp://x/", "--origin", APP]).code, 2);
    let r = run(&["check", "http://x/", "--origin", APP, "-H", "Cookie: a=b"]);
    assert_eq!(r.code, 2, "a script can never set Cookie");
    assert!(r.stderr.contains("use --cookie"), "{}", r.stderr);
    assert_eq!(
        run(&["check", "http://x/", "--origin", APP, "-H", "no-colon"]).code,
        2
    );
    assert_eq!(
        run(&["check", "http://x/", "--origin", APP, "--cookie", "a=b"]).code,
        2,
        "--cookie needs --credentials"
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    // Accepted by the kernel's backlog, never answered.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", silent.local_addr().unwrap());
    let started = std::time::Instant::now();
    let (r, v) = check_json(&url, APP, &["--timeout", "0.5"]);
    assert_eq!(r.code, 2);
    assert!(v["error"].as_str().unwrap().contains("timed out"), "{v:#}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn text_output_reads_in_five_seconds() {
    let s = scripted(split(
        (
            204,
            h(&[
                ("access-control-allow-origin", APP),
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "content-type"),
            ]),
        ),
        good_actual(),
    ));
    let r = run(&[
        "check",
        &s.url("/me"),
        "--origin",
        APP,
        "--method",
        "PUT",
        "-H",
        "authorization: Bearer t",
    ]);
    assert_eq!(r.code, 1);
    let out = &r.stdout;
    for needle in [
        "needs a preflight: method PUT and header authorization are not CORS-safelisted",
        "preflight: OPTIONS",
        "Access-Control-Allow-Headers: content-type",
        "blocked: authorization is not listed in Access-Control-Allow-Headers",
        "BLOCKED (header_not_allowed)",
        "console (Chromium):",
        "Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response.",
        "strict-cors: .allow_headers([\"content-type\", \"authorization\"])",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert!(!out.contains('\x1b'), "no colour when not a terminal");
}

#[test]
fn probe_catches_a_server_reflecting_any_origin() {
    let s = scripted(|seen| {
        let origin = seen.headers["origin"].to_str().unwrap().to_string();
        (
            200,
            vec![
                ("access-control-allow-origin", origin),
                ("access-control-allow-credentials", "true".to_string()),
                ("vary", "origin".to_string()),
            ],
        )
    });
    let (r, v) = check_json(
        &s.url("/me"),
        APP,
        &["--credentials", "--cookie", "session=1"],
    );
    assert_eq!(r.code, 0, "readable, with a warning: {v:#}");
    assert_eq!(v["warnings"][0]["code"], "reflects_any_origin");
    assert!(v["warnings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("any site the user visits can read these responses"));
    let seen = s.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].headers["origin"], "https://cors-probe.invalid");
    assert!(
        !seen[1].headers.contains_key("cookie"),
        "the probe carries no cookie"
    );

    let (_, v) = check_json(&s.url("/me"), APP, &["--credentials", "--no-probe"]);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0);
    assert_eq!(s.seen().len(), 3, "--no-probe sends one request");
}
