//! [`diagnose`]: the whole fetch, hop by hop, told as steps.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, COOKIE,
    LOCATION, VARY,
};
use http::{HeaderMap, HeaderValue, Request, Response};

use super::explain::{blocked, Context};
use super::probe::probe;
use super::redirect::{follow, is_redirect, redirect_block, Hop};
use super::warnings::{authorization_under_wildcard, warnings};
use super::{Blocked, Check, Diagnosis, Exchange, StepKind, Transport, Warning};
use crate::cors_check::cors_check;
use crate::failure::Failure;
use crate::preflight::{preflight_check_under, DEFAULT_MAX_AGE_CAP};
use crate::request::{actual_request, preflight_request, validate_request, FetchRequest};
use crate::response::readable_response_headers;
use crate::safelist::{cors_unsafe_request_header_names, preflight_eligible};
use crate::syntax::{is_cors_safelisted_method, normalize_method};

/// [§HTTP-redirect fetch](https://fetch.spec.whatwg.org/#http-redirect-fetch):
/// "If request's redirect count is 20, then return a network error."
const MAX_REDIRECTS: usize = 20;

/// The CORS response headers worth showing, in the order a person reads them.
const SHOWN: [http::HeaderName; 7] = [
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    VARY,
];

/// `Access-Control-Allow-Origin` with its capitals, for display.
fn display_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The CORS headers of a response, one a line ("Access-Control-Allow-Origin:
/// x"), after a line saying there is none when there is none.
pub(crate) fn shown_headers(headers: &HeaderMap) -> String {
    let mut lines: Vec<String> = SHOWN
        .iter()
        .flat_map(|name| {
            headers.get_all(name).iter().map(move |v| {
                format!(
                    "{}: {}",
                    display_name(name.as_str()),
                    String::from_utf8_lossy(v.as_bytes())
                )
            })
        })
        .collect();
    if lines.iter().all(|l| l.starts_with("Vary")) {
        lines.insert(0, "(no Access-Control-* header)".to_string());
    }
    lines.iter().map(|l| format!("\n{l}")).collect()
}

/// Why the request needs a preflight: "method PUT and header authorization
/// are not CORS-safelisted".
fn preflight_reason(req: &FetchRequest) -> String {
    let method = normalize_method(&req.method);
    let names = cors_unsafe_request_header_names(&req.headers);
    let mut parts = Vec::new();
    if !is_cors_safelisted_method(&method) {
        parts.push(format!("method {method}"));
    }
    match names.len() {
        0 => {}
        1 => parts.push(format!("header {}", names[0])),
        _ => parts.push(format!("headers {}", names.join(", "))),
    }
    let verb = if parts.len() == 1 && names.len() < 2 {
        "is"
    } else {
        "are"
    };
    format!(
        "needs a preflight: {} {verb} not CORS-safelisted",
        parts.join(" and ")
    )
}

/// Whether `Access-Control-Allow-Origin` is the request's own origin (not
/// `*`): the case where the server may be reflecting whatever it is sent.
fn names_the_origin(req: &FetchRequest, headers: &HeaderMap) -> bool {
    req.origin != "null"
        && headers
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_some_and(|v| v.as_bytes() == req.origin.as_bytes())
}

fn fail(d: &mut Diagnosis, hop: &Hop, failure: &Failure, response: &Exchange, preflight: bool) {
    let explained = blocked(
        failure,
        &Context {
            req: &hop.req,
            status: response.status,
            headers: &response.headers,
            preflight,
            redirected_from: hop.redirected_from.as_deref(),
            page_origin: &hop.page_origin,
        },
    );
    block(d, explained);
}

fn block(d: &mut Diagnosis, explained: Blocked) {
    d.step(StepKind::Fail, format!("blocked: {}", explained.summary));
    d.readable = false;
    d.failure = Some(explained);
}

fn send(
    d: &mut Diagnosis,
    transport: &mut dyn Transport,
    request: Request<()>,
) -> Option<Exchange> {
    match transport.send(&request) {
        Ok(response) => {
            let exchange = exchange(request, &response);
            d.exchanges.push(exchange.clone());
            Some(exchange)
        }
        Err(e) => {
            let text = format!("{} {}: {e}", request.method(), request.uri());
            d.step(StepKind::Fail, format!("network error: {text}"));
            d.error = Some(text);
            None
        }
    }
}

fn exchange(request: Request<()>, response: &Response<()>) -> Exchange {
    Exchange {
        request,
        status: response.status().as_u16(),
        headers: response.headers().clone(),
    }
}

/// Runs `check` the way a browser runs the `fetch()` call, sending every
/// request through `transport`, and explains the outcome.
///
/// 1. What `fetch()` checks itself ([`validate_request`]): a failure blocks
///    before anything is sent.
/// 2. When the request needs a preflight ([`preflight_eligible`]), the
///    [`preflight_request`] is sent and judged by [`preflight_check_under`]
///    with [`Check::authorization_under_wildcard`]; a redirect answering it
///    fails. A preflight that passes only because `*` covered
///    `authorization` (today's engines, not the standard) is a warning
///    (`authorization_under_wildcard`).
/// 3. The [`actual_request`] (with the check's cookie, if credentialed) is
///    sent, unless its method is neither `GET` nor `HEAD` and
///    [`Check::send_unsafe`] is off: then the verdict covers the preflight.
///    Its response must pass the [`cors_check`], whatever its status.
/// 4. A redirect is followed as [§HTTP-redirect fetch](https://fetch.spec.whatwg.org/#http-redirect-fetch)
///    says: at most 20; an `http(s)` location without credentials; `303`
///    (and `301`/`302` after `POST`) turn the request into a `GET` without
///    its body headers; a hop to another origin drops `authorization`, and
///    sets the origin to `null` when the request was already cross-origin;
///    each hop is judged from step 2 again (the preflight cache is not
///    modelled across hops: each hop that needs one is preflighted).
/// 5. Once readable: warnings ([`Warning`]) about `Vary` and response
///    headers the script cannot read; with [`Check::probe_other_origin`],
///    the same request (its preflight when it has one, else the `GET` or
///    `HEAD`) from a made-up origin, to catch a server reflecting any origin.
pub fn diagnose(check: &Check, transport: &mut dyn Transport) -> Diagnosis {
    let mut d = Diagnosis::new();
    let initial_url = check.request.url.clone();
    let mut hop = Hop {
        req: check.request.clone(),
        redirected_from: None,
        page_origin: check.request.origin.clone(),
    };
    if let Err(failure) = validate_request(&hop.req) {
        let none = Exchange {
            request: Request::new(()),
            status: 0,
            headers: HeaderMap::new(),
        };
        fail(&mut d, &hop, &failure, &none, false);
        return d;
    }
    for redirects in 0..=MAX_REDIRECTS {
        let method = normalize_method(&hop.req.method);
        if redirects == 0 && method != method.to_ascii_uppercase() {
            d.step(
                StepKind::Info,
                format!("note: fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT, so {method} is sent as written, and methods compare case-sensitively (write {} in the script if the server expects it)", method.to_ascii_uppercase()),
            );
        }
        if preflight_eligible(&hop.req) {
            d.step(StepKind::Info, preflight_reason(&hop.req));
            let Some(pf) = send(&mut d, transport, preflight_request(&hop.req)) else {
                return d;
            };
            let acrh = pf
                .request
                .headers()
                .get(http::header::ACCESS_CONTROL_REQUEST_HEADERS)
                .map(|v| format!(" and {}", v.to_str().unwrap_or("")))
                .unwrap_or_default();
            d.step(
                StepKind::Info,
                format!(
                    "preflight: OPTIONS {} (asks for {method}{acrh}) -> {}{}",
                    hop.req.url,
                    pf.status,
                    shown_headers(&pf.headers)
                ),
            );
            if d.preflight.is_none() {
                d.preflight = Some(pf.clone());
            }
            let status = http::StatusCode::from_u16(pf.status).unwrap_or(http::StatusCode::OK);
            let rule = check.authorization_under_wildcard;
            if let Err(failure) =
                preflight_check_under(&hop.req, status, &pf.headers, DEFAULT_MAX_AGE_CAP, rule)
            {
                fail(&mut d, &hop, &failure, &pf, true);
                return d;
            }
            d.step(StepKind::Pass, "preflight passes");
            if let Some(w) = authorization_under_wildcard(&hop.req, status, &pf.headers) {
                if !d.warnings.iter().any(|seen| seen.code == w.code) {
                    d.step(StepKind::Warn, format!("warning: {}", w.message));
                    d.warnings.push(w);
                }
            }
        } else if redirects == 0 {
            d.step(
                StepKind::Info,
                format!(
                    "no preflight: {method} with only CORS-safelisted headers is a simple request"
                ),
            );
        }

        if method != "GET" && method != "HEAD" && !check.send_unsafe {
            d.step(
                StepKind::Skip,
                format!(
                    "actual {method} not sent ({method} may change data; add --send to send it): {}",
                    if d.preflight.is_some() {
                        "the verdict covers the preflight only"
                    } else {
                        "without a preflight, nothing is left to judge"
                    }
                ),
            );
            d.warnings.push(Warning {
                code: "actual_not_sent",
                message: format!("the actual {method} response was not checked: it must carry the CORS headers too (add --send)"),
            });
            d.readable = d.preflight.is_some();
            if let (true, Some(pf)) = (check.probe_other_origin, d.preflight.clone()) {
                if names_the_origin(&hop.req, &pf.headers) {
                    probe(
                        &mut d,
                        transport,
                        &hop.req,
                        true,
                        check.authorization_under_wildcard,
                    );
                }
            }
            return d;
        }

        let mut request = actual_request(&hop.req);
        if let (true, Some(cookie)) = (hop.req.credentials, &check.cookie) {
            if let Ok(v) = HeaderValue::from_str(cookie) {
                request.headers_mut().insert(COOKIE, v);
            }
        }
        let Some(actual) = send(&mut d, transport, request) else {
            return d;
        };
        d.actual_checked = true;
        d.step(
            StepKind::Info,
            format!(
                "{method} {}{} -> {}{}",
                hop.req.url,
                if actual.request.headers().contains_key(COOKIE) {
                    " (with cookie)"
                } else {
                    ""
                },
                actual.status,
                shown_headers(&actual.headers)
            ),
        );
        if let Err(failure) = cors_check(&hop.req, &actual.headers) {
            fail(&mut d, &hop, &failure, &actual, false);
            return d;
        }
        if is_redirect(actual.status) {
            if let Some(location) = actual.headers.get(LOCATION) {
                let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
                if redirects == MAX_REDIRECTS {
                    block(
                        &mut d,
                        redirect_block(
                            &hop,
                            "too_many_redirects",
                            "more than 20 redirects".to_string(),
                        ),
                    );
                    return d;
                }
                match follow(
                    &mut hop,
                    &location,
                    actual.status,
                    &initial_url,
                    &check.request.origin,
                ) {
                    Ok(step) => {
                        d.step(StepKind::Info, step);
                        continue;
                    }
                    Err(explained) => {
                        block(&mut d, explained);
                        return d;
                    }
                }
            }
        }
        d.readable = true;
        d.status = Some(actual.status);
        d.readable_headers = readable_response_headers(&hop.req, &actual.headers);
        d.step(
            StepKind::Pass,
            format!(
                "readable: the script gets the {} response; it can read {}",
                actual.status,
                if d.readable_headers.is_empty() {
                    "no header".to_string()
                } else {
                    format!("the headers {}", d.readable_headers.join(", "))
                }
            ),
        );
        let found = warnings(
            &hop.req,
            &actual.headers,
            &d.readable_headers,
            &check.read_headers,
        );
        for w in &found {
            d.step(StepKind::Warn, format!("warning: {}", w.message));
        }
        d.warnings.extend(found);
        if check.probe_other_origin && names_the_origin(&hop.req, &actual.headers) {
            // The actual request here is GET or HEAD (or --send was given:
            // then probe with the preflight when there was one).
            let preflight = preflight_eligible(&hop.req);
            if preflight || method == "GET" || method == "HEAD" {
                probe(
                    &mut d,
                    transport,
                    &hop.req,
                    preflight,
                    check.authorization_under_wildcard,
                );
            }
        }
        return d;
    }
    d
}
