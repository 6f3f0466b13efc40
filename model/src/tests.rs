//! Tests of the model itself.

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};

use super::*;

const APP: &str = "https://app.example.com";
const API: &str = "https://api.example.com/me";

fn req(method: &str) -> FetchRequest {
    FetchRequest::new(APP, API, method)
}

fn hm(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (n, v) in pairs {
        map.append(
            HeaderName::from_bytes(n.as_bytes()).expect("test header name"),
            HeaderValue::from_bytes(v.as_bytes()).expect("test header value"),
        );
    }
    map
}

fn response(status: u16, pairs: &[(&str, &str)]) -> Response<()> {
    let mut r = Response::new(());
    *r.status_mut() = StatusCode::from_u16(status).expect("test status");
    *r.headers_mut() = hm(pairs);
    r
}

fn unsafe_names(pairs: &[(&str, &str)]) -> Vec<String> {
    let v: Vec<(String, String)> = pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    cors_unsafe_request_header_names(&v)
}

/// A server that answers preflights with `preflight` (status, headers) and
/// actual requests with `actual`.
fn server(
    preflight: (u16, Vec<(&'static str, &'static str)>),
    actual: (u16, Vec<(&'static str, &'static str)>),
) -> impl FnMut(Request<()>) -> Response<()> {
    move |r: Request<()>| {
        if is_preflight(&r) {
            response(preflight.0, &preflight.1)
        } else {
            response(actual.0, &actual.1)
        }
    }
}

/// A server that allows `DELETE` from any origin (`*`), with this
/// `Access-Control-Max-Age` on the preflight when given.
fn wildcard_delete_server(
    max_age: Option<&'static str>,
) -> impl FnMut(Request<()>) -> Response<()> {
    let mut preflight = vec![
        ("access-control-allow-origin", "*"),
        ("access-control-allow-methods", "DELETE"),
    ];
    if let Some(age) = max_age {
        preflight.push(("access-control-max-age", age));
    }
    server(
        (204, preflight),
        (204, vec![("access-control-allow-origin", "*")]),
    )
}

fn good_preflight() -> (u16, Vec<(&'static str, &'static str)>) {
    (
        204,
        vec![
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            (
                "access-control-allow-methods",
                "GET, POST, PUT, PATCH, DELETE",
            ),
            (
                "access-control-allow-headers",
                "content-type, authorization, x-request-id",
            ),
            ("access-control-max-age", "600"),
        ],
    )
}

fn good_actual() -> (u16, Vec<(&'static str, &'static str)>) {
    (
        200,
        vec![
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("content-type", "application/json"),
        ],
    )
}

// --- §Methods ---------------------------------------------------------

#[test]
fn patch_stays_lower_case() {
    assert_eq!(normalize_method("patch"), "patch");
    assert_eq!(normalize_method("Patch"), "Patch");
    assert_eq!(normalize_method("get"), "GET");
    assert_eq!(normalize_method("pOsT"), "POST");
    assert_eq!(normalize_method("delete"), "DELETE");
    assert_eq!(normalize_method("options"), "OPTIONS");
    assert_eq!(normalize_method("put"), "PUT");
    assert_eq!(normalize_method("head"), "HEAD");
    assert_eq!(normalize_method("Foo"), "Foo");
}

#[test]
fn safelisted_methods_are_byte_exact() {
    assert!(is_cors_safelisted_method("GET"));
    assert!(is_cors_safelisted_method("HEAD"));
    assert!(is_cors_safelisted_method("POST"));
    assert!(!is_cors_safelisted_method("get"));
    assert!(!is_cors_safelisted_method("PUT"));
    assert!(!is_cors_safelisted_method("PATCH"));
    // ...but fetch("...", {method: "post"}) is normalised first.
    assert!(!needs_preflight(
        &req("post"),
        &PreflightCache::default(),
        0
    ));
    assert!(needs_preflight(
        &req("patch"),
        &PreflightCache::default(),
        0
    ));
    assert!(needs_preflight(
        &req("DELETE"),
        &PreflightCache::default(),
        0
    ));
}

#[test]
fn forbidden_and_invalid_methods_throw_before_any_request() {
    let mut b = Browser::new();
    let mut s = server(good_preflight(), good_actual());
    let (o, seen) = b.fetch(&req("trace"), &mut s);
    assert_eq!(
        o,
        Outcome::Blocked(Failure::ForbiddenMethod("trace".into()))
    );
    assert!(seen.is_empty());
    let (o, seen) = b.fetch(&req("GE T"), &mut s);
    assert_eq!(o, Outcome::Blocked(Failure::InvalidMethod("GE T".into())));
    assert!(seen.is_empty());
}

// --- §CORS-safelisted request-header ---------------------------------

#[test]
fn content_type_json_needs_preflight_text_plain_does_not() {
    let cache = PreflightCache::default();
    let json = req("POST").header("Content-Type", "application/json");
    assert!(needs_preflight(&json, &cache, 0));
    assert_eq!(
        unsafe_names(&[("Content-Type", "application/json")]),
        ["content-type"]
    );
    let text = req("POST").header("Content-Type", "text/plain;charset=utf-8");
    assert!(!needs_preflight(&text, &cache, 0));
}

#[test]
fn content_type_mime_parse() {
    let ok = |v: &str| is_cors_safelisted_request_header("content-type", v.as_bytes());
    assert!(ok("text/plain"));
    assert!(ok("TEXT/Plain"));
    assert!(ok("text/plain;"));
    assert!(ok("text/plain ; charset=utf-8"));
    assert!(ok("multipart/form-data; boundary=something"));
    assert!(ok("application/x-www-form-urlencoded"));
    assert!(ok("text/plain; foo=bar;;baz"));
    assert!(!ok("application/json"));
    assert!(!ok("text/html"));
    assert!(!ok("text/plain, application/json")); // subtype is not a token
    assert!(!ok("text /plain"));
    assert!(!ok("text/ plain"));
    assert!(!ok("text"));
    assert!(!ok("/plain"));
    assert!(!ok("text/"));
    assert!(!ok("text/plain; charset=\"utf-8\"")); // `"` is an unsafe byte
    assert!(!ok("text/plain(x)"));
    assert_eq!(
        mime_essence(b" Text/Plain ;x=y").as_deref(),
        Some("text/plain")
    );
    assert_eq!(mime_essence(b"text/pl\xe9in"), None);
    assert_eq!(mime_essence(b""), None);
}

#[test]
fn accept_value_of_129_bytes_is_unsafe() {
    let v128 = "a".repeat(128);
    let v129 = "a".repeat(129);
    assert!(is_cors_safelisted_request_header("accept", v128.as_bytes()));
    assert!(!is_cors_safelisted_request_header(
        "Accept",
        v129.as_bytes()
    ));
    assert_eq!(unsafe_names(&[("Accept", &v129)]), ["accept"]);
    assert!(unsafe_names(&[("Accept", &v128)]).is_empty());
    assert!(needs_preflight(
        &req("GET").header("Accept", &v129),
        &PreflightCache::default(),
        0
    ));
}

#[test]
fn accept_unsafe_bytes() {
    assert!(is_cors_safelisted_request_header(
        "accept",
        b"application/json, */*;q=0.8"
    ));
    assert!(is_cors_safelisted_request_header("accept", b"a\tb"));
    for bad in [
        &b"a\"b"[..],
        b"a(b",
        b"a:b",
        b"a<b",
        b"a?b",
        b"a@b",
        b"a{b",
        b"a\x01b",
        b"a\x7fb",
    ] {
        assert!(!is_cors_safelisted_request_header("accept", bad), "{bad:?}");
    }
}

#[test]
fn language_headers_allowed_bytes() {
    for name in ["accept-language", "Content-Language"] {
        assert!(is_cors_safelisted_request_header(
            name,
            b"en-US,en;q=0.9, *"
        ));
        assert!(!is_cors_safelisted_request_header(name, b"en_US"));
        assert!(!is_cors_safelisted_request_header(name, b"en\tUS"));
        assert!(!is_cors_safelisted_request_header(name, b"en/US"));
    }
}

#[test]
fn range_single_byte_range_only() {
    let ok = |v: &str| is_cors_safelisted_request_header("range", v.as_bytes());
    assert!(ok("bytes=0-"));
    assert!(ok("bytes=0-100"));
    assert!(ok("bytes=5-5"));
    assert!(!ok("bytes=-5")); // suffix range
    assert!(!ok("bytes=5-1"));
    assert!(!ok("bytes=0-1,2-3"));
    assert!(!ok("bytes = 0-1"));
    assert!(!ok("bytes=-"));
    assert!(!ok("items=0-1"));
    assert!(ok(
        "bytes=00000000000000000000000000000001-99999999999999999999999999999"
    ));
    assert!(!ok("bytes=99999999999999999999999999999-1"));
}

#[test]
fn other_headers_and_authorization_are_unsafe() {
    assert!(!is_cors_safelisted_request_header(
        "authorization",
        b"Bearer x"
    ));
    assert!(!is_cors_safelisted_request_header("x-request-id", b"1"));
    assert_eq!(
        unsafe_names(&[
            ("X-B", "1"),
            ("Authorization", "Bearer t"),
            ("x-b", "2"),
            ("Accept", "*/*"),
            ("X-A", "3"),
        ]),
        ["authorization", "x-a", "x-b"]
    );
}

#[test]
fn total_safelisted_size_over_1024_makes_all_unsafe() {
    // 8 values of 128 bytes = 1024: still safe.
    let v = "a".repeat(128);
    let names = ["accept", "accept-language", "content-language"];
    let mut at_limit: Vec<(String, String)> = (0..8)
        .map(|i| (names[i % 3].to_string(), v.clone()))
        .collect();
    assert!(cors_unsafe_request_header_names(&at_limit).is_empty());
    // One more byte: every safelisted header becomes unsafe.
    at_limit.push(("Content-Type".to_string(), "text/plain".to_string()));
    assert_eq!(
        cors_unsafe_request_header_names(&at_limit),
        [
            "accept",
            "accept-language",
            "content-language",
            "content-type"
        ]
    );
    // Unsafe headers' values do not count towards the total.
    let mut with_unsafe: Vec<(String, String)> = (0..8)
        .map(|i| (names[i % 3].to_string(), v.clone()))
        .collect();
    with_unsafe.push(("x-big".to_string(), "b".repeat(500)));
    assert_eq!(cors_unsafe_request_header_names(&with_unsafe), ["x-big"]);
}

#[test]
fn forbidden_headers_are_dropped_and_values_normalised() {
    assert!(is_forbidden_request_header("Cookie", b"a=b"));
    assert!(is_forbidden_request_header("Sec-Fetch-Mode", b"cors"));
    assert!(is_forbidden_request_header("Proxy-Authorization", b"x"));
    assert!(is_forbidden_request_header(
        "X-HTTP-Method-Override",
        b"GET, trace"
    ));
    assert!(!is_forbidden_request_header(
        "X-HTTP-Method-Override",
        b"PATCH"
    ));
    assert!(!is_forbidden_request_header(
        "X-HTTP-Method-Override",
        b"\"a,TRACE\""
    ));
    let r = req("GET")
        .header("Cookie", "a=b")
        .header("Origin", "https://evil.example")
        .header("Content-Type", "  text/plain  ");
    assert!(cors_unsafe_request_header_names(&r.headers).is_empty());
    assert!(!needs_preflight(&r, &PreflightCache::default(), 0));
    let actual = actual_request(&r);
    assert!(actual.headers().get("cookie").is_none());
    assert_eq!(actual.headers()["origin"], APP);
    assert_eq!(actual.headers()["content-type"], "text/plain");
}

#[test]
fn get_decode_split_matches_the_standard_examples() {
    assert_eq!(
        get_decode_split(b"nosniff,"),
        vec![b"nosniff".to_vec(), b"".to_vec()]
    );
    assert_eq!(get_decode_split(b""), vec![b"".to_vec()]);
    assert_eq!(
        get_decode_split(b"text/html;\", x/x"),
        vec![b"text/html;\", x/x".to_vec()]
    );
    assert_eq!(
        get_decode_split(b"x/x;test=\"hi\",y/y"),
        vec![b"x/x;test=\"hi\"".to_vec(), b"y/y".to_vec()]
    );
}

// --- requests ---------------------------------------------------------

#[test]
fn preflight_request_shape() {
    let r = req("put")
        .credentials(true)
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer t")
        .header("X-Request-Id", "1")
        .header("Accept", "application/json");
    let p = preflight_request(&r);
    assert_eq!(p.method(), Method::OPTIONS);
    assert_eq!(p.uri(), API);
    let h = p.headers();
    assert_eq!(h["origin"], APP);
    assert_eq!(h["access-control-request-method"], "PUT");
    assert_eq!(
        h["access-control-request-headers"],
        "authorization,content-type,x-request-id"
    );
    assert_eq!(h["accept"], "*/*");
    assert!(h.get("authorization").is_none());
    assert!(h.get("cookie").is_none());
    assert!(h.get("x-request-id").is_none());
    assert_eq!(h.len(), 4);
}

#[test]
fn preflight_request_omits_request_headers_when_none_unsafe() {
    let p = preflight_request(&req("DELETE").header("Accept", "text/plain"));
    assert_eq!(p.headers()["access-control-request-method"], "DELETE");
    assert!(p.headers().get("access-control-request-headers").is_none());
    let p = preflight_request(&req("patch"));
    assert_eq!(p.headers()["access-control-request-method"], "patch");
}

#[test]
fn actual_request_shape() {
    let r = req("patch")
        .header("X-A", "1")
        .header("x-a", "2")
        .header("Content-Type", "application/json");
    let a = actual_request(&r);
    assert_eq!(a.method().as_str(), "patch");
    assert_eq!(a.uri(), API);
    assert_eq!(a.headers()["origin"], APP);
    let xa: Vec<_> = a.headers().get_all("x-a").iter().collect();
    assert_eq!(xa, ["1", "2"]);
    assert_eq!(a.headers()["content-type"], "application/json");
}

// --- §CORS check ------------------------------------------------------

#[test]
fn allow_credentials_true_capitalised_fails() {
    let r = req("GET").credentials(true);
    let base = [("access-control-allow-origin", APP)];
    assert_eq!(
        cors_check(
            &r,
            &hm(&[base[0], ("access-control-allow-credentials", "True")])
        ),
        Err(Failure::AllowCredentialsNotTrue)
    );
    for bad in ["TRUE", "\"true\"", "1", "yes", ""] {
        assert_eq!(
            cors_check(
                &r,
                &hm(&[base[0], ("access-control-allow-credentials", bad)])
            ),
            Err(Failure::AllowCredentialsNotTrue),
            "{bad}"
        );
    }
    assert_eq!(
        cors_check(&r, &hm(&base)),
        Err(Failure::AllowCredentialsNotTrue)
    );
    assert_eq!(
        cors_check(
            &r,
            &hm(&[
                base[0],
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-credentials", "true"),
            ])
        ),
        Err(Failure::AllowCredentialsNotTrue)
    );
    assert_eq!(
        cors_check(
            &r,
            &hm(&[base[0], ("access-control-allow-credentials", "true")])
        ),
        Ok(())
    );
    // Not credentialed: Allow-Credentials does not matter.
    assert_eq!(cors_check(&req("GET"), &hm(&base)), Ok(()));
}

#[test]
fn two_allow_origin_values_fail() {
    let r = req("GET");
    assert_eq!(
        cors_check(
            &r,
            &hm(&[
                ("access-control-allow-origin", APP),
                ("access-control-allow-origin", APP)
            ])
        ),
        Err(Failure::MultipleAllowOrigin)
    );
    assert_eq!(
        cors_check(
            &r,
            &hm(&[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-origin", "*")
            ])
        ),
        Err(Failure::MultipleAllowOrigin)
    );
    assert_eq!(
        cors_check(
            &r,
            &hm(&[(
                "access-control-allow-origin",
                "https://app.example.com, https://x.example"
            )])
        ),
        Err(Failure::MultipleAllowOrigin)
    );
}

#[test]
fn allow_origin_must_be_byte_equal() {
    let r = req("GET");
    assert_eq!(
        cors_check(&r, &HeaderMap::new()),
        Err(Failure::NoAllowOrigin)
    );
    for bad in [
        "https://app.example.com/",
        "https://APP.example.com",
        "http://app.example.com",
        "https://app.example.com:443",
        "app.example.com",
        "null",
        "",
    ] {
        assert_eq!(
            cors_check(&r, &hm(&[("access-control-allow-origin", bad)])),
            Err(Failure::AllowOriginMismatch),
            "{bad}"
        );
    }
    // OWS around a field value is not part of it on the wire.
    assert_eq!(
        cors_check(
            &r,
            &hm(&[("access-control-allow-origin", " https://app.example.com ")])
        ),
        Ok(())
    );
    // The standard lets `null` match an opaque origin (servers should not).
    let null = FetchRequest::new("null", API, "GET");
    assert_eq!(
        cors_check(&null, &hm(&[("access-control-allow-origin", "null")])),
        Ok(())
    );
}

#[test]
fn wildcard_with_credentials_fails() {
    let star = hm(&[("access-control-allow-origin", "*")]);
    assert_eq!(cors_check(&req("GET"), &star), Ok(()));
    assert_eq!(
        cors_check(&req("GET").credentials(true), &star),
        Err(Failure::WildcardWithCredentials)
    );
    let star_cred = hm(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
    ]);
    assert_eq!(
        cors_check(&req("GET").credentials(true), &star_cred),
        Err(Failure::WildcardWithCredentials)
    );
}

#[test]
fn non_utf8_response_headers_do_not_panic() {
    let mut map = HeaderMap::new();
    map.append(
        ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_bytes(b"https://app.example.com\xff").expect("obs-text"),
    );
    map.append(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_bytes(b"x-\xe9").expect("obs-text"),
    );
    map.append(
        ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_bytes(b"\xff\xfe").expect("obs-text"),
    );
    map.append(
        ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_bytes(b"\xff").expect("obs-text"),
    );
    let r = req("GET");
    assert_eq!(cors_check(&r, &map), Err(Failure::AllowOriginMismatch));
    assert_eq!(
        extract_header_list_values(&map, &ACCESS_CONTROL_ALLOW_HEADERS),
        HeaderListValues::Failure
    );
    assert_eq!(preflight_max_age(&map, 7200), 5);
    assert!(readable_response_headers(&r, &map).is_empty());
}

// --- §CORS-preflight fetch --------------------------------------------

fn put_json(credentials: bool) -> FetchRequest {
    req("PUT")
        .credentials(credentials)
        .header("Content-Type", "application/json")
}

#[test]
fn preflight_204_passes() {
    let (status, h) = good_preflight();
    let result = preflight_check(
        &put_json(true),
        StatusCode::from_u16(status).expect("status"),
        &hm(&h),
    )
    .expect("204 preflight passes");
    assert_eq!(result.methods, ["GET", "POST", "PUT", "PATCH", "DELETE"]);
    assert_eq!(
        result.headers,
        ["content-type", "authorization", "x-request-id"]
    );
    assert_eq!(result.max_age, 600);
    for ok in [200, 201, 299] {
        assert!(preflight_check(
            &put_json(true),
            StatusCode::from_u16(ok).expect("status"),
            &hm(&h)
        )
        .is_ok());
    }
}

#[test]
fn preflight_non_ok_status_fails() {
    let (_, h) = good_preflight();
    for status in [
        301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 500, 502, 503,
    ] {
        assert_eq!(
            preflight_check(
                &put_json(true),
                StatusCode::from_u16(status).expect("status"),
                &hm(&h)
            ),
            Err(Failure::PreflightStatus(status)),
            "{status}"
        );
    }
}

#[test]
fn preflight_runs_the_cors_check_with_the_request_credentials() {
    let h = hm(&[
        ("access-control-allow-origin", APP),
        ("access-control-allow-methods", "PUT"),
        ("access-control-allow-headers", "content-type"),
    ]);
    assert!(preflight_check(&put_json(false), StatusCode::OK, &h).is_ok());
    assert_eq!(
        preflight_check(&put_json(true), StatusCode::OK, &h),
        Err(Failure::AllowCredentialsNotTrue)
    );
    let star = hm(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "PUT"),
        ("access-control-allow-headers", "content-type"),
    ]);
    assert_eq!(
        preflight_check(&put_json(true), StatusCode::OK, &star),
        Err(Failure::WildcardWithCredentials)
    );
    assert_eq!(
        preflight_check(&put_json(true), StatusCode::OK, &HeaderMap::new()),
        Err(Failure::NoAllowOrigin)
    );
}

fn allow(cred: bool, methods: Option<&'static str>, headers: Option<&'static str>) -> HeaderMap {
    let mut v = vec![("access-control-allow-origin", APP)];
    if cred {
        v.push(("access-control-allow-credentials", "true"));
    }
    if let Some(m) = methods {
        v.push(("access-control-allow-methods", m));
    }
    if let Some(h) = headers {
        v.push(("access-control-allow-headers", h));
    }
    hm(&v)
}

#[test]
fn authorization_is_not_covered_by_wildcard() {
    for cred in [false, true] {
        let r = req("GET")
            .credentials(cred)
            .header("Authorization", "Bearer t");
        assert_eq!(
            preflight_check(&r, StatusCode::OK, &allow(cred, None, Some("*"))),
            Err(Failure::AuthorizationNotCoveredByWildcard)
        );
        assert_eq!(
            preflight_check(&r, StatusCode::OK, &allow(cred, None, Some("x-other"))),
            Err(Failure::HeaderNotAllowed("authorization".into()))
        );
        assert!(preflight_check(
            &r,
            StatusCode::OK,
            &allow(cred, None, Some("*, Authorization"))
        )
        .is_ok());
        assert!(preflight_check(
            &r,
            StatusCode::OK,
            &allow(cred, None, Some("AUTHORIZATION"))
        )
        .is_ok());
    }
}

/// Today's engines (`AuthorizationUnderWildcard::Engines2026`) let `*` cover
/// `authorization` without credentials; with credentials `*` is literal and
/// the failure is the ordinary one. The standard's rule stays the default.
#[test]
fn authorization_under_wildcard_as_engines_do() {
    let engines = AuthorizationUnderWildcard::Engines2026;
    assert_eq!(
        AuthorizationUnderWildcard::default(),
        AuthorizationUnderWildcard::Standard
    );
    let r = req("PUT").header("Authorization", "Bearer t");
    let under = |r: &FetchRequest, h: &HeaderMap, rule| {
        preflight_check_under(r, StatusCode::OK, h, DEFAULT_MAX_AGE_CAP, rule)
    };
    assert!(under(&r, &allow(false, Some("PUT"), Some("*")), engines).is_ok());
    assert_eq!(
        under(
            &r,
            &allow(false, Some("PUT"), Some("*")),
            AuthorizationUnderWildcard::Standard
        ),
        Err(Failure::AuthorizationNotCoveredByWildcard)
    );
    let rc = r.clone().credentials(true);
    assert_eq!(
        under(&rc, &allow(true, Some("PUT"), Some("*")), engines),
        Err(Failure::HeaderNotAllowed("authorization".into()))
    );
    assert!(under(
        &rc,
        &allow(true, Some("PUT"), Some("*, authorization")),
        engines
    )
    .is_ok());
    // Not a wildcard: the ordinary failure under either rule.
    assert_eq!(
        under(&r, &allow(false, Some("PUT"), Some("x-a")), engines),
        Err(Failure::HeaderNotAllowed("authorization".into()))
    );

    // The preflight cache: a `*` entry serves `authorization` only as the
    // rule says, and never a credentialed request.
    let result = PreflightResult {
        methods: vec!["PUT".into()],
        headers: vec!["*".into()],
        max_age: 600,
    };
    let mut cache = PreflightCache::default();
    cache.store(&r, &result, 0);
    assert!(cache.covers_under(&r, 1, engines));
    assert!(!cache.covers(&r, 1));
    assert!(!cache.covers_under(&rc, 1, engines));

    // The whole fetch: the engines' browser reads the response and stores
    // the `*` entry that serves the next request without a preflight.
    let mut server = |request: Request<()>| {
        if is_preflight(&request) {
            response(
                204,
                &[
                    ("access-control-allow-origin", "*"),
                    ("access-control-allow-methods", "PUT"),
                    ("access-control-allow-headers", "*"),
                    ("access-control-max-age", "600"),
                ],
            )
        } else {
            response(200, &[("access-control-allow-origin", "*")])
        }
    };
    let mut browser = Browser::like_engines_2026();
    let (outcome, seen) = browser.fetch(&r, &mut server);
    assert!(outcome.is_readable());
    assert_eq!(seen.len(), 2);
    assert_eq!(browser.fetch(&r, &mut server).1.len(), 1, "cached");
    let (outcome, seen) = Browser::new().fetch(&r, &mut server);
    assert_eq!(
        outcome,
        Outcome::Blocked(Failure::AuthorizationNotCoveredByWildcard)
    );
    assert_eq!(seen.len(), 1);
}

#[test]
fn wildcard_headers_only_without_credentials() {
    let r = req("GET").header("X-Request-Id", "1");
    assert!(preflight_check(&r, StatusCode::OK, &allow(false, None, Some("*"))).is_ok());
    let rc = r.clone().credentials(true);
    assert_eq!(
        preflight_check(&rc, StatusCode::OK, &allow(true, None, Some("*"))),
        Err(Failure::HeaderNotAllowed("x-request-id".into()))
    );
    assert!(preflight_check(
        &rc,
        StatusCode::OK,
        &allow(true, None, Some("X-Request-ID"))
    )
    .is_ok());
    assert_eq!(
        preflight_check(&r, StatusCode::OK, &allow(false, None, None)),
        Err(Failure::HeaderNotAllowed("x-request-id".into()))
    );
}

#[test]
fn wildcard_methods_only_without_credentials() {
    assert!(preflight_check(
        &req("PURGE"),
        StatusCode::OK,
        &allow(false, Some("*"), None)
    )
    .is_ok());
    assert_eq!(
        preflight_check(
            &req("PURGE").credentials(true),
            StatusCode::OK,
            &allow(true, Some("*"), None)
        ),
        Err(Failure::MethodNotAllowed("PURGE".into()))
    );
}

#[test]
fn method_check_is_byte_exact_except_safelisted() {
    assert_eq!(
        preflight_check(
            &req("patch"),
            StatusCode::OK,
            &allow(false, Some("PATCH"), None)
        ),
        Err(Failure::MethodNotAllowed("patch".into()))
    );
    assert!(preflight_check(
        &req("patch"),
        StatusCode::OK,
        &allow(false, Some("patch"), None)
    )
    .is_ok());
    assert!(preflight_check(
        &req("PATCH"),
        StatusCode::OK,
        &allow(false, Some("PATCH"), None)
    )
    .is_ok());
    // "put" is normalised to PUT.
    assert!(preflight_check(
        &req("put"),
        StatusCode::OK,
        &allow(false, Some("PUT"), None)
    )
    .is_ok());
    assert_eq!(
        preflight_check(
            &req("put"),
            StatusCode::OK,
            &allow(false, Some("put"), None)
        ),
        Err(Failure::MethodNotAllowed("PUT".into()))
    );
    assert_eq!(
        preflight_check(&req("DELETE"), StatusCode::OK, &allow(false, None, None)),
        Err(Failure::MethodNotAllowed("DELETE".into()))
    );
    // Safelisted methods always pass, even when not listed.
    let post = req("POST").header("X-A", "1");
    assert!(preflight_check(
        &post,
        StatusCode::OK,
        &allow(false, Some("PUT"), Some("x-a"))
    )
    .is_ok());
}

#[test]
fn allow_lists_must_parse() {
    let r = req("PUT").header("X-A", "1");
    assert_eq!(
        preflight_check(
            &r,
            StatusCode::OK,
            &allow(false, Some("PUT; x"), Some("x-a"))
        ),
        Err(Failure::MethodsParse)
    );
    assert_eq!(
        preflight_check(
            &r,
            StatusCode::OK,
            &allow(false, Some("PUT DELETE"), Some("x-a"))
        ),
        Err(Failure::MethodsParse)
    );
    assert_eq!(
        preflight_check(
            &r,
            StatusCode::OK,
            &allow(false, Some("PUT"), Some("x-a, x b"))
        ),
        Err(Failure::HeadersParse)
    );
    assert_eq!(
        preflight_check(
            &r,
            StatusCode::OK,
            &allow(false, Some("PUT"), Some("\"x-a\""))
        ),
        Err(Failure::HeadersParse)
    );
    // A parse failure fails even when the request needs nothing from it.
    assert_eq!(
        preflight_check(
            &r,
            StatusCode::OK,
            &allow(false, Some("PUT"), Some("x-a, @"))
        ),
        Err(Failure::HeadersParse)
    );
    // Empty elements are ignored (RFC 9110 §5.6.1, WPT).
    assert!(preflight_check(
        &r,
        StatusCode::OK,
        &allow(false, Some(",PUT,,"), Some(" , x-a ,"))
    )
    .is_ok());
    assert!(preflight_check(
        &req("GET"),
        StatusCode::OK,
        &allow(false, Some(""), Some(""))
    )
    .is_ok());
}

#[test]
fn allow_lists_over_several_lines_are_combined() {
    let r = req("PUT").header("X-A", "1").header("X-B", "2");
    let h = hm(&[
        ("access-control-allow-origin", APP),
        ("access-control-allow-methods", "GET"),
        ("access-control-allow-methods", "PUT"),
        ("access-control-allow-headers", "x-a"),
        ("access-control-allow-headers", "x-b"),
    ]);
    let result = preflight_check(&r, StatusCode::OK, &h).expect("combined lists");
    assert_eq!(result.methods, ["GET", "PUT"]);
    assert_eq!(result.headers, ["x-a", "x-b"]);
}

#[test]
fn max_age_default_and_clamp() {
    let with = |v: &[&'static str]| {
        let mut pairs = vec![("access-control-allow-origin", APP)];
        pairs.extend(v.iter().map(|x| ("access-control-max-age", *x)));
        hm(&pairs)
    };
    let age = |h: &HeaderMap| {
        preflight_check(&req("DELETE"), StatusCode::OK, &{
            let mut h = h.clone();
            h.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("DELETE"),
            );
            h
        })
        .expect("preflight")
        .max_age
    };
    assert_eq!(age(&with(&[])), 5);
    assert_eq!(age(&with(&["abc"])), 5);
    assert_eq!(age(&with(&["-1"])), 5);
    assert_eq!(age(&with(&["1.5"])), 5);
    assert_eq!(age(&with(&[""])), 5);
    assert_eq!(age(&with(&["600", "600"])), 5);
    assert_eq!(age(&with(&["0"])), 0);
    assert_eq!(age(&with(&["600"])), 600);
    assert_eq!(age(&with(&["7200"])), 7200);
    assert_eq!(age(&with(&["86400"])), 7200);
    assert_eq!(age(&with(&["99999999999999999999999999"])), 7200);
    assert_eq!(preflight_max_age(&with(&["86400"]), 86400), 86400);
    assert_eq!(preflight_max_age(&with(&[]), 2), 2);
}

// --- readable response headers ----------------------------------------

#[test]
fn set_cookie_is_never_readable() {
    let h = hm(&[
        ("access-control-allow-origin", APP),
        (
            "access-control-expose-headers",
            "set-cookie, Set-Cookie2, x-total",
        ),
        ("set-cookie", "a=b"),
        ("set-cookie2", "c=d"),
        ("x-total", "3"),
    ]);
    assert_eq!(readable_response_headers(&req("GET"), &h), ["x-total"]);
    let star = hm(&[
        ("access-control-expose-headers", "*"),
        ("set-cookie", "a=b"),
        ("x-y", "1"),
    ]);
    let names = readable_response_headers(&req("GET"), &star);
    assert!(!names.contains(&"set-cookie".to_string()));
    assert!(names.contains(&"x-y".to_string()));
}

#[test]
fn expose_wildcard_only_uncredentialed() {
    let h = hm(&[
        ("access-control-allow-origin", APP),
        ("access-control-expose-headers", "*"),
        ("content-type", "application/json"),
        ("x-request-id", "1"),
    ]);
    assert_eq!(
        readable_response_headers(&req("GET"), &h),
        [
            "access-control-allow-origin",
            "access-control-expose-headers",
            "content-type",
            "x-request-id"
        ]
    );
    assert_eq!(
        readable_response_headers(&req("GET").credentials(true), &h),
        ["content-type"]
    );
    // Credentialed: names must be listed.
    let listed = hm(&[
        ("access-control-expose-headers", "X-Request-Id"),
        ("x-request-id", "1"),
    ]);
    assert_eq!(
        readable_response_headers(&req("GET").credentials(true), &listed),
        ["x-request-id"]
    );
}

#[test]
fn safelisted_response_headers_and_unparsable_expose() {
    let h = hm(&[
        ("cache-control", "no-store"),
        ("content-language", "en"),
        ("content-length", "2"),
        ("content-type", "text/plain"),
        ("expires", "0"),
        ("last-modified", "x"),
        ("pragma", "no-cache"),
        ("x-hidden", "1"),
        ("access-control-expose-headers", "x-hidden, @bad"),
    ]);
    assert_eq!(
        readable_response_headers(&req("GET"), &h),
        [
            "cache-control",
            "content-language",
            "content-length",
            "content-type",
            "expires",
            "last-modified",
            "pragma"
        ]
    );
}

// --- §CORS-preflight cache --------------------------------------------

#[test]
fn cache_hit_avoids_second_preflight_within_max_age() {
    let mut b = Browser::new();
    let mut s = server(good_preflight(), good_actual());
    let r = put_json(true);
    let (o, seen) = b.fetch(&r, &mut s);
    assert!(o.is_readable(), "{o:?}");
    assert_eq!(seen.len(), 2);
    assert!(is_preflight(&seen[0]));
    assert_eq!(seen[1].method(), Method::PUT);

    b.advance(599);
    let (o, seen) = b.fetch(&r, &mut s);
    assert!(o.is_readable());
    assert_eq!(seen.len(), 1, "cache hit: no preflight");
    assert!(!is_preflight(&seen[0]));

    b.advance(1); // 600 s after the preflight: expired.
    assert!(needs_preflight(&r, &b.cache, b.now_secs));
    let (o, seen) = b.fetch(&r, &mut s);
    assert!(o.is_readable());
    assert_eq!(seen.len(), 2, "cache miss after max-age");
}

#[test]
fn default_max_age_is_five_seconds_and_zero_disables_caching() {
    let mut b = Browser::new();
    let mut s = wildcard_delete_server(None);
    let r = req("DELETE");
    assert_eq!(b.fetch(&r, &mut s).1.len(), 2);
    b.advance(4);
    assert_eq!(b.fetch(&r, &mut s).1.len(), 1);
    b.advance(1);
    assert_eq!(b.fetch(&r, &mut s).1.len(), 2);

    let mut b = Browser::new();
    let mut s = wildcard_delete_server(Some("0"));
    assert_eq!(b.fetch(&r, &mut s).1.len(), 2);
    assert_eq!(b.fetch(&r, &mut s).1.len(), 2);
    assert!(b.cache.is_empty());
}

#[test]
fn max_age_cap_applies_to_cache() {
    let mut b = Browser::new();
    let mut s = wildcard_delete_server(Some("86400"));
    let r = req("DELETE");
    assert_eq!(b.fetch(&r, &mut s).1.len(), 2);
    b.advance(7199);
    assert_eq!(b.fetch(&r, &mut s).1.len(), 1);
    b.advance(1);
    assert_eq!(b.fetch(&r, &mut s).1.len(), 2);

    let mut b = Browser::new();
    b.max_age_cap = 86400;
    assert_eq!(b.fetch(&r, &mut s).1.len(), 2);
    b.advance(86399);
    assert_eq!(b.fetch(&r, &mut s).1.len(), 1);
}

#[test]
fn uncredentialed_entry_does_not_serve_credentialed_request() {
    let result = PreflightResult {
        methods: vec!["PUT".into()],
        headers: vec!["content-type".into()],
        max_age: 600,
    };
    let mut cache = PreflightCache::default();
    cache.store(&put_json(false), &result, 0);
    assert!(cache.covers(&put_json(false), 10));
    assert!(!cache.covers(&put_json(true), 10));
    assert!(needs_preflight(&put_json(true), &cache, 10));

    let mut cache = PreflightCache::default();
    cache.store(&put_json(true), &result, 0);
    assert!(cache.covers(&put_json(true), 10));
    assert!(
        cache.covers(&put_json(false), 10),
        "credentialed entry serves both"
    );
}

#[test]
fn cache_is_keyed_by_origin_and_url() {
    let result = PreflightResult {
        methods: vec!["PUT".into()],
        headers: vec!["Content-Type".into()],
        max_age: 600,
    };
    let mut cache = PreflightCache::default();
    cache.store(&put_json(false), &result, 0);
    let mut other_url = put_json(false);
    other_url.url = "https://api.example.com/other".into();
    assert!(!cache.covers(&other_url, 1));
    let mut other_origin = put_json(false);
    other_origin.origin = "https://evil.example".into();
    assert!(!cache.covers(&other_origin, 1));
    // Header names case-insensitively, methods byte-exact.
    assert!(cache.covers(&req("PUT").header("CONTENT-TYPE", "application/json"), 1));
    let patch = PreflightResult {
        methods: vec!["PATCH".into()],
        headers: vec![],
        max_age: 600,
    };
    cache.store(&req("PATCH"), &patch, 0);
    assert!(cache.covers(&req("PATCH"), 1));
    assert!(!cache.covers(&req("patch"), 1));
    assert!(!cache.covers(&put_json(false).header("X-Other", "1"), 1));
    assert_eq!(cache.len(), 3);
}

#[test]
fn wildcard_cache_entries() {
    let result = PreflightResult {
        methods: vec!["*".into()],
        headers: vec!["*".into()],
        max_age: 600,
    };
    let mut cache = PreflightCache::default();
    cache.store(&req("PURGE").header("X-A", "1"), &result, 0);
    assert!(cache.covers(&req("PURGE").header("X-B", "1"), 1));
    assert!(cache.covers(&req("patch"), 1));
    assert!(!cache.covers(&req("GET").header("Authorization", "Bearer t"), 1));
    // A credentialed `*` entry still does not serve credentialed requests.
    let mut cache = PreflightCache::default();
    cache.store(&req("PURGE").credentials(true), &result, 0);
    assert!(!cache.covers(&req("PURGE").credentials(true), 1));
    assert!(!cache.covers(&req("GET").credentials(true).header("X-A", "1"), 1));
    assert!(cache.covers(&req("PURGE"), 1));
}

#[test]
fn failed_preflight_clears_cache() {
    let mut b = Browser::new();
    let mut ok = server(good_preflight(), good_actual());
    let r = put_json(true);
    assert!(b.fetch(&r, &mut ok).0.is_readable());
    assert!(!b.cache.is_empty());

    // A request the cache does not cover triggers a preflight, which fails.
    let other = r.clone().header("X-Unlisted", "1");
    let (o, seen) = b.fetch(&other, &mut ok);
    assert_eq!(
        o,
        Outcome::Blocked(Failure::HeaderNotAllowed("x-unlisted".into()))
    );
    assert_eq!(seen.len(), 1, "no actual request after a failed preflight");
    assert!(b.cache.is_empty(), "entries for origin+url cleared");
    // So the request that was cached needs a preflight again.
    assert_eq!(b.fetch(&r, &mut ok).1.len(), 2);
}

#[test]
fn clear_removes_only_that_origin_and_url() {
    let result = PreflightResult {
        methods: vec!["PUT".into()],
        headers: vec![],
        max_age: 600,
    };
    let mut cache = PreflightCache::default();
    cache.store(&req("PUT"), &result, 0);
    let mut other = req("PUT");
    other.url = "https://api.example.com/other".into();
    cache.store(&other, &result, 0);
    cache.store(&req("PUT").credentials(true), &result, 0);
    assert_eq!(cache.len(), 3);
    cache.clear(APP, API);
    assert_eq!(cache.len(), 1);
    assert!(cache.covers(&other, 1));
}

#[test]
fn failed_actual_cors_check_clears_cache_on_preflight_path() {
    let mut b = Browser::new();
    let mut good = server(good_preflight(), good_actual());
    let r = put_json(true);
    assert!(b.fetch(&r, &mut good).0.is_readable());
    let mut bad_actual = server(
        good_preflight(),
        (200, vec![("access-control-allow-origin", APP)]),
    );
    let (o, seen) = b.fetch(&r, &mut bad_actual);
    assert_eq!(o, Outcome::Blocked(Failure::AllowCredentialsNotTrue));
    assert_eq!(seen.len(), 1);
    assert!(b.cache.is_empty());
}

// --- whole fetches ----------------------------------------------------

#[test]
fn actual_401_with_correct_headers_is_readable() {
    let mut b = Browser::new();
    let mut s = server(
        good_preflight(),
        (
            401,
            vec![
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("www-authenticate", "Bearer"),
                ("content-type", "application/json"),
            ],
        ),
    );
    let (o, _) = b.fetch(&req("GET").credentials(true), &mut s);
    assert_eq!(
        o,
        Outcome::Readable {
            status: 401,
            readable_headers: vec!["content-type".into()],
        }
    );
    // Without the CORS headers the script sees nothing, not even 401.
    let mut s = server(good_preflight(), (401, vec![]));
    let (o, _) = b.fetch(&req("GET").credentials(true), &mut s);
    assert_eq!(o, Outcome::Blocked(Failure::NoAllowOrigin));
}

#[test]
fn simple_request_goes_straight_to_the_server() {
    let mut b = Browser::new();
    let mut s = server(
        (500, vec![]),
        (
            200,
            vec![("access-control-allow-origin", "*"), ("x-secret", "1")],
        ),
    );
    let r = req("POST").header("Content-Type", "text/plain;charset=utf-8");
    let (o, seen) = b.fetch(&r, &mut s);
    assert_eq!(
        o,
        Outcome::Readable {
            status: 200,
            readable_headers: vec![]
        }
    );
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method(), Method::POST);
    // Even a blocked simple request reached the server.
    let mut s = server((500, vec![]), (200, vec![]));
    let (o, seen) = b.fetch(&r, &mut s);
    assert_eq!(o, Outcome::Blocked(Failure::NoAllowOrigin));
    assert_eq!(seen.len(), 1);
}

#[test]
fn preflight_failure_blocks_before_the_actual_request() {
    for status in [301, 302, 401, 403, 500] {
        let mut b = Browser::new();
        let (_, h) = good_preflight();
        let mut s = server((status, h), good_actual());
        let (o, seen) = b.fetch(&put_json(true), &mut s);
        assert_eq!(o, Outcome::Blocked(Failure::PreflightStatus(status)));
        assert_eq!(seen.len(), 1);
        assert!(b.cache.is_empty());
    }
}

#[test]
fn patch_needs_exact_allow_methods_entry() {
    let mut b = Browser::new();
    let mut s = server(
        (
            204,
            vec![
                ("access-control-allow-origin", APP),
                ("access-control-allow-methods", "PATCH"),
            ],
        ),
        (200, vec![("access-control-allow-origin", APP)]),
    );
    let (o, seen) = b.fetch(&req("patch"), &mut s);
    assert_eq!(
        o,
        Outcome::Blocked(Failure::MethodNotAllowed("patch".into()))
    );
    assert_eq!(seen[0].headers()["access-control-request-method"], "patch");
    let (o, seen) = b.fetch(&req("PATCH"), &mut s);
    assert!(o.is_readable());
    assert_eq!(seen[1].method().as_str(), "PATCH");
}

#[test]
fn invalid_header_throws() {
    let mut b = Browser::new();
    let mut s = server(good_preflight(), good_actual());
    let (o, seen) = b.fetch(&req("GET").header("X Bad", "1"), &mut s);
    assert_eq!(o, Outcome::Blocked(Failure::InvalidHeader("X Bad".into())));
    assert!(seen.is_empty());
    let (o, _) = b.fetch(&req("GET").header("X-A", "a\nb"), &mut s);
    assert_eq!(o, Outcome::Blocked(Failure::InvalidHeader("X-A".into())));
    let bad_url = FetchRequest::new(APP, "not a url", "GET");
    let (o, _) = b.fetch(&bad_url, &mut s);
    assert_eq!(o, Outcome::Blocked(Failure::InvalidUrl("not a url".into())));
}

/// A small deterministic generator, so the model needs no dev-dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn bytes(&mut self, alphabet: &[u8], max_len: u64) -> Vec<u8> {
        let len = self.next() % (max_len + 1);
        (0..len)
            .map(|_| {
                if self.next() & 3 == 0 {
                    (self.next() % 256) as u8
                } else {
                    alphabet[(self.next() % alphabet.len() as u64) as usize]
                }
            })
            .collect()
    }
}

#[test]
fn arbitrary_input_never_panics() {
    let alphabet = b"aA0*/,;= \t\"-=:tbytesplain()@";
    let names = [
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-expose-headers",
        "access-control-max-age",
        "set-cookie",
        "x-a",
    ];
    let mut rng = Lcg(42);
    for _ in 0..3000 {
        let value = rng.bytes(alphabet, 40);
        for n in ["accept", "accept-language", "content-type", "range", "x"] {
            let _ = is_cors_safelisted_request_header(n, &value);
        }
        let _ = mime_essence(&value);
        let _ = get_decode_split(&value);
        let _ = is_forbidden_request_header("x-http-method-override", &value);

        let mut map = HeaderMap::new();
        for _ in 0..(rng.next() % 5) {
            let name = names[(rng.next() % names.len() as u64) as usize];
            if let Ok(v) = HeaderValue::from_bytes(&rng.bytes(alphabet, 20)) {
                map.append(name, v);
            }
        }
        let text = String::from_utf8_lossy(&value).into_owned();
        let r = FetchRequest::new(APP, API, &text)
            .header(&text, &text)
            .header("content-type", &text)
            .credentials(rng.next() & 1 == 0);
        let _ = cors_check(&r, &map);
        let _ = preflight_check(&r, StatusCode::OK, &map);
        let _ = readable_response_headers(&r, &map);
        let _ = preflight_request(&r);
        let _ = actual_request(&r);
        let mut b = Browser::new();
        let mut reply = |_req: Request<()>| {
            let mut resp = Response::new(());
            *resp.headers_mut() = map.clone();
            resp
        };
        let _ = b.fetch(&r, &mut reply);
    }
}

#[test]
fn failure_messages_are_nonempty() {
    for f in [
        Failure::PreflightStatus(500),
        Failure::NoAllowOrigin,
        Failure::AuthorizationNotCoveredByWildcard,
        Failure::HeaderNotAllowed("x".into()),
    ] {
        assert!(!f.to_string().is_empty());
    }
}
