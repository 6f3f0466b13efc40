//! The doctor's verdicts on scripted servers: one test per classic mistake.

use http::{Response, StatusCode};

use super::*;
use crate::{AuthorizationUnderWildcard, Failure};

const APP: &str = "http://localhost:3000";
const API: &str = "http://api.localhost:8080/me";

fn resp(status: u16, headers: &[(&str, &str)]) -> Response<()> {
    let mut r = Response::new(());
    *r.status_mut() = StatusCode::from_u16(status).expect("status");
    for (n, v) in headers {
        r.headers_mut().append(
            http::HeaderName::from_bytes(n.as_bytes()).expect("name"),
            http::HeaderValue::from_str(v).expect("value"),
        );
    }
    r
}

fn run(check: Check, responses: Vec<Response<()>>) -> (Diagnosis, Scripted) {
    let mut server = Scripted::new(responses);
    let d = diagnose(&check, &mut server);
    (d, server)
}

fn put_with_auth() -> Check {
    let mut c = Check::new(
        FetchRequest::new(APP, API, "PUT")
            .header("authorization", "Bearer t")
            .header("content-type", "application/json")
            .credentials(true),
    );
    c.send_unsafe = true;
    c
}

fn good_preflight() -> Response<()> {
    resp(
        204,
        &[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "PUT"),
            ("access-control-allow-headers", "authorization,content-type"),
            ("vary", "origin"),
        ],
    )
}

fn good_actual() -> Response<()> {
    resp(
        200,
        &[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("vary", "Origin"),
            ("x-request-id", "1"),
        ],
    )
}

fn code(d: &Diagnosis) -> Option<&'static str> {
    d.failure.as_ref().map(|f| f.code)
}

#[test]
fn readable_with_a_correct_server() {
    let (d, server) = run(put_with_auth(), vec![good_preflight(), good_actual()]);
    assert!(d.readable && d.actual_checked && d.has_verdict(), "{d:#?}");
    assert_eq!(d.status, Some(200));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let pf = &server.sent[0];
    assert_eq!(pf.method(), "OPTIONS");
    assert_eq!(pf.headers()["access-control-request-method"], "PUT");
    assert_eq!(
        pf.headers()["access-control-request-headers"],
        "authorization,content-type"
    );
    assert_eq!(pf.headers()["accept"], "*/*");
    assert!(!pf.headers().contains_key("cookie"));
    assert!(d.steps[0]
        .text
        .contains("method PUT and headers authorization, content-type are not CORS-safelisted"));
}

#[test]
fn unsafe_actual_is_not_sent_without_send() {
    let mut check = put_with_auth();
    check.send_unsafe = false;
    let (d, server) = run(check, vec![good_preflight(), good_actual()]);
    assert_eq!(server.sent.len(), 1, "only the preflight");
    assert!(d.readable && !d.actual_checked);
    assert!(d.warnings.iter().any(|w| w.code == "actual_not_sent"));
}

#[test]
fn simple_post_without_send_has_no_verdict() {
    let check = Check::new(FetchRequest::new(APP, API, "POST"));
    let (d, server) = run(check, vec![]);
    assert!(server.sent.is_empty());
    assert!(!d.has_verdict());
}

#[test]
fn wildcard_with_credentials() {
    let check = Check::new(FetchRequest::new(APP, API, "GET").credentials(true));
    let (d, _) = run(
        check,
        vec![resp(200, &[("access-control-allow-origin", "*")])],
    );
    assert_eq!(code(&d), Some("wildcard_with_credentials"));
    let f = d.failure.expect("failure");
    assert_eq!(f.console, format!("Access to fetch at '{API}' from origin '{APP}' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."));
    assert!(f
        .builder
        .expect("builder")
        .contains(".allow_credentials(true)"));
}

#[test]
fn acao_trailing_slash_and_case() {
    for (value, how) in [
        ("http://localhost:3000/", "trailing slash"),
        ("http://LOCALHOST:3000", "case"),
    ] {
        let check = Check::new(FetchRequest::new(APP, API, "GET"));
        let (d, _) = run(
            check,
            vec![resp(200, &[("access-control-allow-origin", value)])],
        );
        let f = d.failure.expect("failure");
        assert_eq!(f.code, "allow_origin_mismatch");
        assert!(f.summary.contains(how), "{}", f.summary);
        assert!(f
            .console
            .contains("that is not equal to the supplied origin"));
    }
}

#[test]
fn two_acao_values() {
    let check = Check::new(FetchRequest::new(APP, API, "GET"));
    let (d, _) = run(
        check,
        vec![resp(
            200,
            &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-origin", APP),
            ],
        )],
    );
    let f = d.failure.expect("failure");
    assert_eq!(f.code, "multiple_allow_origin");
    assert!(f.console.contains("contains multiple values 'http://localhost:3000, http://localhost:3000', but only one is allowed."));
}

#[test]
fn acac_not_exactly_true() {
    for value in [None, Some("True")] {
        let check = Check::new(FetchRequest::new(APP, API, "GET").credentials(true));
        let mut headers = vec![("access-control-allow-origin", APP)];
        if let Some(v) = value {
            headers.push(("access-control-allow-credentials", v));
        }
        let (d, _) = run(check, vec![resp(200, &headers)]);
        let f = d.failure.expect("failure");
        assert_eq!(f.code, "allow_credentials_not_true");
        assert!(f.console.contains(&format!(
            "'Access-Control-Allow-Credentials' header in the response is '{}'",
            value.unwrap_or("")
        )));
    }
}

#[test]
fn preflight_401_names_auth_before_cors() {
    let (d, server) = run(put_with_auth(), vec![resp(401, &[])]);
    let f = d.failure.expect("failure");
    assert_eq!(f.code, "preflight_status");
    assert!(f.in_preflight);
    assert!(f.summary.contains("auth or routing ran before CORS"));
    assert!(f.console.ends_with("Response to preflight request doesn't pass access control check: It does not have HTTP ok status."));
    assert_eq!(server.sent.len(), 1);
}

#[test]
fn preflight_redirect_fails() {
    let (d, _) = run(
        put_with_auth(),
        vec![resp(301, &[("location", "https://api.example.com/me")])],
    );
    let f = d.failure.expect("failure");
    assert_eq!(f.code, "preflight_redirected");
    assert!(f
        .console
        .ends_with("Redirect is not allowed for a preflight request."));
}

#[test]
fn header_not_allowed_names_the_header_and_the_builder_line() {
    let mut pf = good_preflight();
    pf.headers_mut().insert(
        "access-control-allow-headers",
        http::HeaderValue::from_static("content-type"),
    );
    let (d, _) = run(put_with_auth(), vec![pf]);
    let f = d.failure.expect("failure");
    assert_eq!(f.code, "header_not_allowed");
    assert!(f.console.ends_with("blocked by CORS policy: Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response."));
    assert_eq!(
        f.builder.as_deref(),
        Some(".allow_headers([\"content-type\", \"authorization\"])")
    );
}

fn wildcard_preflight(credentials: bool) -> Response<()> {
    let mut headers = vec![
        (
            "access-control-allow-origin",
            if credentials { APP } else { "*" },
        ),
        ("access-control-allow-methods", "PUT"),
        ("access-control-allow-headers", "*"),
    ];
    if credentials {
        headers.push(("access-control-allow-credentials", "true"));
    }
    resp(204, &headers)
}

/// Today's engines let `*` cover `authorization` without credentials: the
/// doctor says what they will do (readable), and warns that the standard
/// says otherwise, with the fix.
#[test]
fn authorization_under_wildcard_is_readable_with_a_warning() {
    let mut check = put_with_auth();
    check.request.credentials = false;
    assert_eq!(
        check.authorization_under_wildcard,
        AuthorizationUnderWildcard::Engines2026,
        "the doctor's default is what the engines do"
    );
    let actual = resp(200, &[("access-control-allow-origin", "*")]);
    let (d, server) = run(check, vec![wildcard_preflight(false), actual]);
    assert!(d.readable && d.actual_checked, "{d:#?}");
    assert_eq!(d.failure, None);
    assert_eq!(server.sent.len(), 2, "the engines send the actual request");
    let codes: Vec<_> = d.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, ["authorization_under_wildcard"]);
    let m = &d.warnings[0].message;
    for part in [
        "https://fetch.spec.whatwg.org/#cors-preflight-fetch",
        "never covers authorization",
        "Chromium 156, Firefox 153 ESR and WebKitGTK 2.50",
        "Authorization will not be covered by the wildcard symbol (*) in CORS `Access-Control-Allow-Headers` handling.",
        ".allow_headers([\"*\", \"authorization\"])",
    ] {
        assert!(m.contains(part), "{part:?} not in {m}");
    }
    assert_eq!(
        d.steps
            .iter()
            .filter(|s| s.kind == StepKind::Warn && s.text.contains(m.as_str()))
            .count(),
        1,
        "one warning step: {:?}",
        d.steps
    );
}

/// Without `--send`, the verdict covers the preflight, which passes: the
/// warning is there too.
#[test]
fn authorization_under_wildcard_warns_on_a_preflight_only_verdict() {
    let mut check = put_with_auth();
    check.request.credentials = false;
    check.send_unsafe = false;
    let (d, server) = run(check, vec![wildcard_preflight(false)]);
    assert_eq!(server.sent.len(), 1);
    assert!(d.readable && !d.actual_checked && d.failure.is_none());
    let codes: Vec<_> = d.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, ["authorization_under_wildcard", "actual_not_sent"]);
    assert!(d.steps.iter().any(|s| s.kind == StepKind::Warn));
}

/// The standard's rule stays available: blocked, with its own code.
#[test]
fn authorization_under_wildcard_by_the_standard_is_blocked() {
    let mut check = put_with_auth();
    check.request.credentials = false;
    check.authorization_under_wildcard = AuthorizationUnderWildcard::Standard;
    let (d, server) = run(check, vec![wildcard_preflight(false)]);
    assert_eq!(server.sent.len(), 1);
    assert_eq!(code(&d), Some("authorization_not_covered_by_wildcard"));
    let f = d.failure.expect("failure");
    assert!(
        f.summary.contains("the Fetch standard's rule"),
        "{}",
        f.summary
    );
    assert_eq!(
        f.builder.as_deref(),
        Some(".allow_headers([\"*\", \"authorization\"])")
    );
    assert!(d.warnings.is_empty());
}

/// With credentials, `*` is a literal name in every engine: blocked, with
/// the ordinary code, whichever rule is asked for; no leniency warning.
#[test]
fn authorization_under_wildcard_with_credentials_is_blocked() {
    for rule in [
        AuthorizationUnderWildcard::Engines2026,
        AuthorizationUnderWildcard::Standard,
    ] {
        let mut check = put_with_auth();
        check.authorization_under_wildcard = rule;
        let (d, _) = run(check, vec![wildcard_preflight(true)]);
        let f = d.failure.clone().expect("failure");
        let expected = match rule {
            AuthorizationUnderWildcard::Engines2026 => "header_not_allowed",
            AuthorizationUnderWildcard::Standard => "authorization_not_covered_by_wildcard",
        };
        assert_eq!(f.code, expected);
        if rule == AuthorizationUnderWildcard::Engines2026 {
            assert!(
                f.summary
                    .contains("* is a literal header name on credentialed requests"),
                "{}",
                f.summary
            );
        }
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    }
}

/// `authorization` listed beside `*`: nothing to warn about.
#[test]
fn authorization_listed_beside_the_wildcard_has_no_warning() {
    let mut check = put_with_auth();
    check.request.credentials = false;
    let pf = resp(
        204,
        &[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "PUT"),
            ("access-control-allow-headers", "*, Authorization"),
        ],
    );
    let actual = resp(200, &[("access-control-allow-origin", "*")]);
    let (d, _) = run(check, vec![pf, actual]);
    assert!(d.readable);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn method_not_allowed() {
    let mut pf = good_preflight();
    pf.headers_mut().insert(
        "access-control-allow-methods",
        http::HeaderValue::from_static("GET, POST"),
    );
    let (d, _) = run(put_with_auth(), vec![pf]);
    let f = d.failure.expect("failure");
    assert_eq!(f.code, "method_not_allowed");
    assert!(f.console.ends_with(
        "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
    ));
    assert_eq!(
        f.builder.as_deref(),
        Some(".allow_methods([\"GET\", \"POST\", \"PUT\"])")
    );
}

#[test]
fn vary_missing_and_header_not_exposed_are_warnings() {
    let mut check = Check::new(FetchRequest::new(APP, API, "GET"));
    check.read_headers = vec!["X-Request-Id".to_string()];
    let (d, _) = run(
        check,
        vec![resp(
            200,
            &[("access-control-allow-origin", APP), ("x-request-id", "1")],
        )],
    );
    assert!(d.readable);
    let codes: Vec<_> = d.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, ["vary_origin_missing", "header_not_exposed"]);
}

#[test]
fn cross_origin_redirect_taints_the_origin() {
    let check = Check::new(FetchRequest::new(APP, API, "GET"));
    let (d, server) = run(
        check,
        vec![
            resp(
                302,
                &[
                    ("access-control-allow-origin", APP),
                    ("location", "http://other.localhost:8080/x"),
                ],
            ),
            resp(200, &[("access-control-allow-origin", APP)]),
        ],
    );
    assert_eq!(server.sent[1].headers()["origin"], "null");
    let f = d.failure.expect("failure");
    assert_eq!(f.code, "allow_origin_mismatch");
    // Chromium names the page's origin, and the value it compared with null.
    assert!(f.console.contains(&format!(
        "(redirected from 'http://api.localhost:8080/me') from origin '{APP}' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value '{APP}' that is not equal to the supplied origin."
    )));
    assert!(f.summary.contains("Origin is null"), "{}", f.summary);
    assert_eq!(f.builder, None, "never suggest allowing null");
}

#[test]
fn same_origin_redirect_keeps_the_origin_and_is_readable() {
    let check = Check::new(FetchRequest::new(APP, API, "GET"));
    let (d, server) = run(
        check,
        vec![
            resp(
                307,
                &[("access-control-allow-origin", APP), ("location", "/v2/me")],
            ),
            resp(200, &[("access-control-allow-origin", "*")]),
        ],
    );
    assert!(d.readable, "{d:#?}");
    assert_eq!(server.sent[1].uri(), "http://api.localhost:8080/v2/me");
    assert_eq!(server.sent[1].headers()["origin"], APP);
}

#[test]
fn redirect_without_cors_headers_fails() {
    let check = Check::new(FetchRequest::new(APP, API, "GET"));
    let (d, _) = run(check, vec![resp(302, &[("location", "/login")])]);
    assert_eq!(code(&d), Some("no_allow_origin"));
}

#[test]
fn network_error_is_no_verdict() {
    let check = Check::new(FetchRequest::new(APP, API, "GET"));
    let mut transport = |_: &Request<()>| Err("connection refused".to_string());
    let d = diagnose(&check, &mut transport);
    assert!(!d.has_verdict());
    assert!(d.error.expect("error").contains("connection refused"));
}

#[test]
fn cookie_goes_on_the_credentialed_actual_request_only() {
    let mut check = put_with_auth();
    check.cookie = Some("session=abc".to_string());
    let (d, server) = run(check, vec![good_preflight(), good_actual()]);
    assert!(d.readable);
    assert!(!server.sent[0].headers().contains_key("cookie"));
    assert_eq!(server.sent[1].headers()["cookie"], "session=abc");
}

#[test]
fn probe_catches_a_server_reflecting_any_origin() {
    let mut check = Check::new(FetchRequest::new(APP, API, "GET").credentials(true));
    check.probe_other_origin = true;
    let reflect = |origin: &str| {
        resp(
            200,
            &[
                ("access-control-allow-origin", origin),
                ("access-control-allow-credentials", "true"),
                ("vary", "origin"),
            ],
        )
    };
    let (d, server) = run(check.clone(), vec![reflect(APP), reflect(PROBE_ORIGIN)]);
    assert!(d.readable);
    assert_eq!(server.sent[1].headers()["origin"], PROBE_ORIGIN);
    assert!(!server.sent[1].headers().contains_key("cookie"));
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert_eq!(d.warnings[0].code, "reflects_any_origin");

    let (d, _) = run(check, vec![reflect(APP), resp(200, &[("vary", "origin")])]);
    assert!(d.warnings.is_empty());
    assert!(d
        .steps
        .iter()
        .any(|s| s.kind == StepKind::Pass && s.text.contains("refused")));
}

#[test]
fn probe_uses_the_preflight_for_unsafe_requests() {
    let mut check = put_with_auth();
    check.send_unsafe = false;
    check.probe_other_origin = true;
    let (d, server) = run(check, vec![good_preflight(), resp(403, &[])]);
    assert!(d.readable && !d.actual_checked);
    assert_eq!(server.sent.len(), 2);
    assert_eq!(server.sent[1].method(), "OPTIONS", "never a second PUT");
    assert!(d.warnings.iter().all(|w| w.code != "reflects_any_origin"));
}

#[test]
fn lower_case_patch_is_explained() {
    let mut check = Check::new(FetchRequest::new(APP, API, "patch").credentials(true));
    check.send_unsafe = true;
    let mut pf = good_preflight();
    pf.headers_mut().insert(
        "access-control-allow-methods",
        http::HeaderValue::from_static("GET, PATCH"),
    );
    let (d, server) = run(check, vec![pf]);
    assert_eq!(
        server.sent[0].headers()["access-control-request-method"],
        "patch"
    );
    assert!(
        d.steps[0]
            .text
            .starts_with("note: fetch() upper-cases only"),
        "{:?}",
        d.steps
    );
    let f = d.failure.expect("failure");
    assert_eq!(f.code, "method_not_allowed");
    assert!(
        f.summary
            .contains("PATCH is listed, but methods compare case-sensitively"),
        "{}",
        f.summary
    );
}

/// The doctor's stable code for each of the model's failures.
fn code_of(f: &Failure) -> &'static str {
    match f {
        Failure::InvalidMethod(_)
        | Failure::ForbiddenMethod(_)
        | Failure::InvalidHeader(_)
        | Failure::InvalidUrl(_) => "invalid_request",
        Failure::PreflightStatus(s) if (300..400).contains(s) => "preflight_redirected",
        Failure::PreflightStatus(_) => "preflight_status",
        Failure::NoAllowOrigin => "no_allow_origin",
        Failure::MultipleAllowOrigin => "multiple_allow_origin",
        Failure::AllowOriginMismatch => "allow_origin_mismatch",
        Failure::WildcardWithCredentials => "wildcard_with_credentials",
        Failure::AllowCredentialsNotTrue => "allow_credentials_not_true",
        Failure::MethodsParse => "allow_methods_unparsable",
        Failure::HeadersParse => "allow_headers_unparsable",
        Failure::MethodNotAllowed(_) => "method_not_allowed",
        Failure::HeaderNotAllowed(_) => "header_not_allowed",
        Failure::AuthorizationNotCoveredByWildcard => "authorization_not_covered_by_wildcard",
    }
}

/// The doctor and `Browser::fetch` agree on every combination of requests
/// and (non-redirect) answers in a grid, under either rule on
/// `authorization` under `*`: readable or not, and why; and the doctor
/// warns `authorization_under_wildcard` exactly where the two rules differ.
#[test]
fn doctor_agrees_with_the_model() {
    use crate::{is_preflight, preflight_eligible, Browser, Outcome};

    let methods = ["GET", "POST", "PUT", "patch"];
    let header_sets: [&[(&str, &str)]; 4] = [
        &[],
        &[("content-type", "application/json")],
        &[("authorization", "Bearer t")],
        &[("x-a", "1"), ("authorization", "Bearer t")],
    ];
    let pf_status = [204, 401, 302];
    let acaos = [None, Some("*"), Some(APP), Some("http://localhost:3000/")];
    let acacs = [None, Some("true")];
    let acams = [None, Some("*"), Some("PUT, patch")];
    let acahs = [None, Some("*"), Some("authorization, content-type, x-a")];
    let (mut cases, mut differ) = (0, 0);
    for method in methods {
        for headers in header_sets {
            for credentials in [false, true] {
                let mut req = FetchRequest::new(APP, API, method).credentials(credentials);
                for (n, v) in headers {
                    req = req.header(n, v);
                }
                for status in pf_status {
                    for acao in acaos {
                        for acac in acacs {
                            for acam in acams {
                                for acah in acahs {
                                    for actual_acao in [None, Some("*"), Some(APP)] {
                                        for actual_acac in [None, Some("true")] {
                                            let mut pf: Vec<(&str, &str)> = Vec::new();
                                            let pairs = [
                                                ("access-control-allow-origin", acao),
                                                ("access-control-allow-credentials", acac),
                                                ("access-control-allow-methods", acam),
                                                ("access-control-allow-headers", acah),
                                            ];
                                            for (n, v) in pairs {
                                                if let Some(v) = v {
                                                    pf.push((n, v));
                                                }
                                            }
                                            let mut actual: Vec<(&str, &str)> = Vec::new();
                                            if let Some(v) = actual_acao {
                                                actual.push(("access-control-allow-origin", v));
                                            }
                                            if let Some(v) = actual_acac {
                                                actual
                                                    .push(("access-control-allow-credentials", v));
                                            }
                                            let mut server = |r: Request<()>| {
                                                if is_preflight(&r) {
                                                    resp(status, &pf)
                                                } else {
                                                    resp(200, &actual)
                                                }
                                            };
                                            let (standard, _) =
                                                Browser::new().fetch(&req, &mut server);
                                            let (engines, _) = Browser::like_engines_2026()
                                                .fetch(&req, &mut server);
                                            for (rule, outcome) in [
                                                (AuthorizationUnderWildcard::Standard, &standard),
                                                (AuthorizationUnderWildcard::Engines2026, &engines),
                                            ] {
                                                let mut script = Vec::new();
                                                if preflight_eligible(&req) {
                                                    script.push(resp(status, &pf));
                                                }
                                                script.push(resp(200, &actual));
                                                let mut check = Check::new(req.clone());
                                                check.send_unsafe = true;
                                                check.authorization_under_wildcard = rule;
                                                let (d, _) = run(check, script);
                                                let expected: Option<&str> = match outcome {
                                                    Outcome::Readable { .. } => None,
                                                    Outcome::Blocked(f) => Some(code_of(f)),
                                                };
                                                assert_eq!(
                                                    d.failure.as_ref().map(|f| f.code),
                                                    expected,
                                                    "{rule:?} {req:?} pf {status} {pf:?} actual {actual:?}"
                                                );
                                                assert_eq!(d.readable, outcome.is_readable());
                                                // Where the rules differ, the engines'
                                                // preflight passed by the leniency alone.
                                                let warned = d.warnings.iter().any(|w| {
                                                    w.code == "authorization_under_wildcard"
                                                });
                                                let lenient = rule
                                                    == AuthorizationUnderWildcard::Engines2026
                                                    && !credentials
                                                    && standard
                                                        == Outcome::Blocked(
                                                            Failure::AuthorizationNotCoveredByWildcard,
                                                        );
                                                assert_eq!(
                                                    warned, lenient,
                                                    "{rule:?} {req:?} pf {status} {pf:?} actual {actual:?}"
                                                );
                                                differ += usize::from(lenient);
                                            }
                                            cases += 1;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(cases, 4 * 4 * 2 * 3 * 4 * 2 * 3 * 3 * 3 * 2);
    assert!(
        differ > 100,
        "the grid must exercise the leniency: {differ}"
    );
}

#[test]
fn redirect_failures_have_their_own_codes_and_console_lines() {
    let cors = ("access-control-allow-origin", APP);
    let cases = [
        (
            "ftp://api.localhost/me",
            "redirect_not_http",
            "Redirect failed.",
        ),
        (
            "http://user:pw@api.localhost:8080/x",
            "redirect_with_credentials_in_url",
            "Redirect location contains a username and password, which is disallowed for cross-origin requests.",
        ),
    ];
    for (location, code, reason) in cases {
        let check = Check::new(FetchRequest::new(APP, API, "GET"));
        let (d, server) = run(check, vec![resp(302, &[cors, ("location", location)])]);
        assert_eq!(server.sent.len(), 1, "{location}: the hop is not sent");
        let f = d.failure.expect("failure");
        assert_eq!(f.code, code);
        assert_eq!(
            f.console,
            format!("Access to fetch at '{API}' from origin '{APP}' has been blocked by CORS policy: {reason}")
        );
    }
}

#[test]
fn the_probe_is_among_the_exchanges() {
    let mut check = Check::new(FetchRequest::new(APP, API, "GET").credentials(true));
    check.probe_other_origin = true;
    let ok = |origin: &str| {
        resp(
            200,
            &[
                ("access-control-allow-origin", origin),
                ("access-control-allow-credentials", "true"),
                ("vary", "origin"),
            ],
        )
    };
    let (d, server) = run(check, vec![ok(APP), resp(403, &[])]);
    assert_eq!(server.sent.len(), 2);
    assert_eq!(d.exchanges.len(), 2, "every request sent is an exchange");
    assert_eq!(d.exchanges[1].request.headers()["origin"], PROBE_ORIGIN);
    assert_eq!(d.exchanges[1].status, 403);
}
