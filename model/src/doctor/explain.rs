//! Turns the model's [`Failure`] into what a person needs: a stable code,
//! one line saying what failed, the message Chromium prints, and the fix.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, LOCATION, VARY,
};
use http::{HeaderMap, HeaderName};

use super::redirect::url_origin;
use super::{console_line, Blocked};
use crate::failure::Failure;
use crate::request::FetchRequest;
use crate::safelist::cors_unsafe_request_header_names;
use crate::syntax::{
    extract_header_list_values, get_combined, is_cors_safelisted_method, normalize_method,
    HeaderListValues,
};

/// Chromium's prefix for a failure found in a preflight response.
const PREFLIGHT: &str = "Response to preflight request doesn't pass access control check: ";

/// What the failure is judged on.
pub(crate) struct Context<'a> {
    /// The request of this hop (its origin is `null` after a tainting redirect).
    pub req: &'a FetchRequest,
    /// The response judged.
    pub status: u16,
    /// Its headers.
    pub headers: &'a HeaderMap,
    /// Whether it answers the preflight.
    pub preflight: bool,
    /// The URL the script asked for, when this hop was redirected from it.
    pub redirected_from: Option<&'a str>,
    /// The page's origin (Chromium's "from origin", even once the request's
    /// own origin became `null`).
    pub page_origin: &'a str,
}

impl Context<'_> {
    fn value(&self, name: &HeaderName) -> Option<String> {
        get_combined(self.headers, name).map(|v| String::from_utf8_lossy(&v).into_owned())
    }

    fn listed(&self, name: &HeaderName) -> Vec<String> {
        match extract_header_list_values(self.headers, name) {
            HeaderListValues::Values(v) => v.into_iter().filter(|v| v != "*").collect(),
            _ => Vec::new(),
        }
    }

    fn has_wildcard(&self, name: &HeaderName) -> bool {
        matches!(extract_header_list_values(self.headers, name),
            HeaderListValues::Values(v) if v.iter().any(|x| x == "*"))
    }

    /// Chromium's console line: `Access to fetch at '<url>' [(redirected from
    /// '<url>')] from origin '<origin>' has been blocked by CORS policy: `.
    fn console(&self, reason: &str) -> String {
        self.console_with(reason, self.preflight)
    }

    /// As [`console`](Self::console), without the preflight prefix (Chromium
    /// leaves it out for method and header refusals).
    fn console_with(&self, reason: &str, prefixed: bool) -> String {
        let reason = if prefixed {
            format!("{PREFLIGHT}{reason}")
        } else {
            reason.to_string()
        };
        console_line(
            &self.req.url,
            self.redirected_from,
            self.page_origin,
            &reason,
        )
    }
}

fn quoted_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn with(mut list: Vec<String>, item: &str) -> Vec<String> {
    if !list.iter().any(|x| x.eq_ignore_ascii_case(item)) {
        list.push(item.to_string());
    }
    list
}

/// The builder call listing `authorization` by name next to what
/// `Access-Control-Allow-Headers` (`headers`) already lists; `*` is kept
/// without `credentials`, where it still serves the other names.
pub(crate) fn authorization_by_name(headers: &HeaderMap, credentials: bool) -> String {
    let mut names = if credentials {
        Vec::new()
    } else {
        vec!["*".to_string()]
    };
    if let HeaderListValues::Values(v) =
        extract_header_list_values(headers, &ACCESS_CONTROL_ALLOW_HEADERS)
    {
        names.extend(v.into_iter().filter(|n| n != "*"));
    }
    format!(
        ".allow_headers({})",
        quoted_list(&with(names, "authorization"))
    )
}

/// Whether the response is strict-cors's refusal of a preflight: `403`, no
/// `Access-Control-*` header, `Vary` naming the request headers.
fn is_strict_cors_refusal(cx: &Context<'_>) -> bool {
    cx.status == 403
        && cx.value(&ACCESS_CONTROL_ALLOW_ORIGIN).is_none()
        && cx.value(&VARY).is_some_and(|v| {
            v.to_ascii_lowercase()
                .contains("access-control-request-method")
        })
}

/// The builder calls that allow everything the preflight asks for.
fn what_the_preflight_asks(req: &FetchRequest) -> String {
    let mut line = format!(".allow_origins([{:?}])", req.origin);
    let method = normalize_method(&req.method);
    if !is_cors_safelisted_method(&method) {
        line.push_str(&format!(".allow_methods([{method:?}])"));
    }
    let names = cors_unsafe_request_header_names(&req.headers);
    if !names.is_empty() {
        line.push_str(&format!(".allow_headers({})", quoted_list(&names)));
    }
    line
}

/// Where a preflight failure usually comes from, by status.
fn status_cause(cx: &Context<'_>) -> &'static str {
    match cx.status {
        403 if is_strict_cors_refusal(cx) => {
            "a 403 without CORS headers is how strict-cors refuses a preflight (the origin, the method or a header is not allowed; its log's `reason` says which)"
        }
        401 | 403 => {
            "auth or routing ran before CORS (a preflight never carries cookies or Authorization, so an auth check refuses it)"
        }
        404 | 405 | 501 => "auth or routing ran before CORS (the router has no OPTIONS route for this path)",
        500..=599 => "the server failed on OPTIONS (auth or routing ran before CORS, or the handler broke)",
        _ => "auth or routing ran before CORS (a preflight must be answered with a 2xx)",
    }
}

/// The explanation of `failure`, found in the response `cx` describes.
pub(crate) fn blocked(failure: &Failure, cx: &Context<'_>) -> Blocked {
    let origin = cx.req.origin.as_str();
    let acao = cx.value(&ACCESS_CONTROL_ALLOW_ORIGIN).unwrap_or_default();
    let what = if cx.preflight {
        "the preflight response"
    } else {
        "the response"
    };
    let allow_origin = Some(format!(".allow_origins([{origin:?}])"));
    let b =
        |code, summary: String, console: String, fix: String, builder: Option<String>| Blocked {
            code,
            in_preflight: cx.preflight,
            summary,
            console,
            fix,
            builder,
        };
    match failure {
        Failure::NoAllowOrigin => b(
            "no_allow_origin",
            format!("{what} has no Access-Control-Allow-Origin header"),
            cx.console(&format!(
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.{}",
                if cx.preflight { "" } else { " If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled." }
            )),
            if origin == "null" {
                "the request's Origin is null because a redirect crossed origins; never allow `null` (every sandboxed iframe sends it): request the final URL directly".to_string()
            } else {
                format!("allow the origin {origin} on the server, and make sure its CORS layer runs for {} (and for error responses too)",
                    if cx.preflight { "OPTIONS requests" } else { "this route" })
            },
            if origin == "null" { None } else { allow_origin },
        ),
        Failure::WildcardWithCredentials => b(
            "wildcard_with_credentials",
            "Access-Control-Allow-Origin is * but the request is credentialed (credentials: 'include'): browsers never accept * then".to_string(),
            cx.console("The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
            format!("answer with the exact origin ({origin}) and Access-Control-Allow-Credentials: true, for a list of trusted origins; never reflect every origin (any site could read your users' data)"),
            Some(format!(".allow_origins([{origin:?}]).allow_credentials(true)")),
        ),
        Failure::MultipleAllowOrigin => b(
            "multiple_allow_origin",
            format!("Access-Control-Allow-Origin has more than one value ('{acao}'): two places (handler and middleware, or app and proxy) both set it"),
            cx.console(&format!("The 'Access-Control-Allow-Origin' header contains multiple values '{acao}', but only one is allowed.")),
            "set CORS headers in one place only: remove the handler's or the proxy's own Access-Control-Allow-Origin (strict-cors replaces any the inner service sets)".to_string(),
            allow_origin,
        ),
        Failure::AllowOriginMismatch if origin == "null" => b(
            "allow_origin_mismatch",
            format!("Access-Control-Allow-Origin is '{acao}', but after a redirect to another origin the request's Origin is null, which only `*` (without credentials) or `null` would match"),
            cx.console(&format!("The 'Access-Control-Allow-Origin' header has a value '{acao}' that is not equal to the supplied origin.")),
            "request the final URL directly: a redirect across origins makes the Origin null, and allowing `null` would allow every sandboxed iframe and local file".to_string(),
            None,
        ),
        Failure::AllowOriginMismatch => {
            let how = if acao.trim_end_matches('/') == origin {
                "has a trailing slash"
            } else if acao.eq_ignore_ascii_case(origin) {
                "differs in case (origins compare byte for byte; browsers send them in lower case)"
            } else if url_origin(&acao).as_deref() == Some(origin) {
                "is written differently (a default port or a path)"
            } else if acao.split_once("://").map(|(_, r)| r) == origin.split_once("://").map(|(_, r)| r) {
                "has another scheme (http vs https)"
            } else {
                "is another origin"
            };
            let console = if acao.contains("://") {
                format!("The 'Access-Control-Allow-Origin' header has a value '{acao}' that is not equal to the supplied origin.")
            } else {
                format!("The 'Access-Control-Allow-Origin' header contains the invalid value '{acao}'.")
            };
            b(
                "allow_origin_mismatch",
                format!("Access-Control-Allow-Origin is '{acao}', which {how}: the page's origin is '{origin}'"),
                cx.console(&console),
                format!("send exactly '{origin}' (scheme://host[:port]: no path, no trailing slash, lower case); strict-cors normalises case and default ports, and refuses a trailing slash at build()"),
                allow_origin,
            )
        }
        Failure::AllowCredentialsNotTrue => {
            let acac = cx.value(&ACCESS_CONTROL_ALLOW_CREDENTIALS);
            let summary = match &acac {
                None => format!("the request is credentialed but {what} has no Access-Control-Allow-Credentials"),
                Some(v) => format!("Access-Control-Allow-Credentials is '{v}', not exactly 'true' (lower case, no quotes)"),
            };
            b(
                "allow_credentials_not_true",
                summary,
                cx.console(&format!("The value of the 'Access-Control-Allow-Credentials' header in the response is '{}' which must be 'true' when the request's credentials mode is 'include'.", acac.unwrap_or_default())),
                format!("send Access-Control-Allow-Credentials: true on {} for credentialed requests", if cx.preflight { "the preflight response" } else { "every response" }),
                Some(".allow_credentials(true)".to_string()),
            )
        }
        Failure::PreflightStatus(status) if (300..400).contains(status) => b(
            "preflight_redirected",
            format!("the preflight was answered with a redirect ({status}{}): a preflight is never redirected",
                cx.value(&LOCATION).map(|l| format!(" to {l}")).unwrap_or_default()),
            cx.console("Redirect is not allowed for a preflight request."),
            "request the final URL directly (http to https, a trailing slash and a login page are the usual redirects), or answer OPTIONS before the redirect".to_string(),
            None,
        ),
        Failure::PreflightStatus(status) if is_strict_cors_refusal(cx) => b(
            "preflight_status",
            format!("the preflight got {status}, not a 2xx; {}", status_cause(cx)),
            cx.console("It does not have HTTP ok status."),
            "strict-cors refused the preflight: allow the origin, method and headers it asks for (in development, .debug(true) makes the browser name what is missing)".to_string(),
            Some(what_the_preflight_asks(cx.req)),
        ),
        Failure::PreflightStatus(status) => b(
            "preflight_status",
            format!("the preflight got {status}, not a 2xx; {}", status_cause(cx)),
            cx.console("It does not have HTTP ok status."),
            "answer the OPTIONS preflight before authentication and routing, with 204; with strict-cors, put the layer outermost (in axum, the last .layer call): it answers every preflight itself".to_string(),
            Some("let app = Router::new().route(...).layer(auth).layer(cors); // CORS outermost".to_string()),
        ),
        Failure::MethodsParse => b(
            "allow_methods_unparsable",
            format!("Access-Control-Allow-Methods ('{}') is not a comma-separated list of method names", cx.value(&ACCESS_CONTROL_ALLOW_METHODS).unwrap_or_default()),
            cx.console_with("Cannot parse Access-Control-Allow-Methods response header field in preflight response.", false),
            "write method names separated by commas (GET, POST, PUT): no quotes, slashes or other separators".to_string(),
            Some(format!(".allow_methods({})", quoted_list(&with(Vec::new(), &cx.req.method)))),
        ),
        Failure::HeadersParse => b(
            "allow_headers_unparsable",
            format!("Access-Control-Allow-Headers ('{}') is not a comma-separated list of header names", cx.value(&ACCESS_CONTROL_ALLOW_HEADERS).unwrap_or_default()),
            cx.console_with("Cannot parse Access-Control-Allow-Headers response header field in preflight response.", false),
            "write header names separated by commas (content-type, authorization): no quotes, colons or other separators".to_string(),
            None,
        ),
        Failure::MethodNotAllowed(method) => {
            let listed = cx.listed(&ACCESS_CONTROL_ALLOW_METHODS);
            let why = if cx.has_wildcard(&ACCESS_CONTROL_ALLOW_METHODS) && cx.req.credentials {
                " (* is a literal method name on credentialed requests)".to_string()
            } else if let Some(m) = listed.iter().find(|m| m.eq_ignore_ascii_case(method)) {
                format!(" ({m} is listed, but methods compare case-sensitively)")
            } else {
                String::new()
            };
            b(
                "method_not_allowed",
                format!("{method} is not listed in Access-Control-Allow-Methods ({}){why}",
                    cx.value(&ACCESS_CONTROL_ALLOW_METHODS).map_or("absent".to_string(), |v| format!("'{v}'"))),
                cx.console_with(&format!("Method {method} is not allowed by Access-Control-Allow-Methods in preflight response."), false),
                format!("list {method} in the preflight's Access-Control-Allow-Methods"),
                Some(format!(".allow_methods({})", quoted_list(&with(listed, method)))),
            )
        }
        Failure::HeaderNotAllowed(name) => {
            let listed = cx.listed(&ACCESS_CONTROL_ALLOW_HEADERS);
            let why = if cx.has_wildcard(&ACCESS_CONTROL_ALLOW_HEADERS) && cx.req.credentials {
                " (* is a literal header name on credentialed requests)"
            } else {
                ""
            };
            b(
                "header_not_allowed",
                format!("{name} is not listed in Access-Control-Allow-Headers ({}){why}",
                    cx.value(&ACCESS_CONTROL_ALLOW_HEADERS).map_or("absent".to_string(), |v| format!("'{v}'"))),
                cx.console_with(&format!("Request header field {name} is not allowed by Access-Control-Allow-Headers in preflight response."), false),
                format!("list {name} in the preflight's Access-Control-Allow-Headers"),
                Some(format!(".allow_headers({})", quoted_list(&with(listed, name)))),
            )
        }
        Failure::AuthorizationNotCoveredByWildcard => {
            b(
                "authorization_not_covered_by_wildcard",
                format!(
                    "authorization is requested and Access-Control-Allow-Headers has only *, which never covers authorization: the Fetch standard's rule (https://fetch.spec.whatwg.org/#cors-preflight-fetch), applied because it was asked for{}",
                    if cx.req.credentials {
                        " (with credentials, * is a literal header name in every browser anyway)"
                    } else {
                        "; today's Chromium, Firefox and WebKit still let it through on a request without credentials (the doctor's default judges as they do, with the warning authorization_under_wildcard)"
                    }
                ),
                cx.console_with("Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response.", false),
                "list authorization by name in Access-Control-Allow-Headers".to_string(),
                Some(authorization_by_name(cx.headers, cx.req.credentials)),
            )
        }
        Failure::InvalidMethod(_) | Failure::ForbiddenMethod(_) | Failure::InvalidHeader(_) | Failure::InvalidUrl(_) => {
            let reason = match failure {
                Failure::InvalidMethod(m) => format!("'{m}' is not a valid HTTP method."),
                Failure::ForbiddenMethod(m) => format!("'{m}' HTTP method is unsupported."),
                Failure::InvalidHeader(n) => format!("Invalid name or value for header '{n}'."),
                _ => format!("Failed to parse URL from {}", cx.req.url),
            };
            b(
                "invalid_request",
                format!("fetch() refuses the request before sending anything: {failure}"),
                format!("TypeError: Failed to execute 'fetch' on 'Window': {reason}"),
                "fix the request in the page's script".to_string(),
                None,
            )
        }
    }
}
