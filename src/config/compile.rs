//! Validation: every setting checked at once, every problem collected, and
//! the compiled [`Policy`] out.

use std::time::Duration;

use super::builder::CorsBuilder;
use crate::error::{ConfigError, ConfigProblem, HeaderSetting};
use crate::origin::{parse_origin, parse_pattern, OriginSetBuilder};
use crate::protocol::fetch::{
    is_forbidden_method, is_forbidden_request_header, is_forbidden_response_header, is_token,
    normalize_method,
};
use crate::protocol::{AllowedHeaders, AllowedMethods, AllowedOrigins, CsrfGuard, Policy, Value};

/// Longest `max_age` any browser honours (Firefox; Chromium caps at 7200 s).
/// [Fetch, `Access-Control-Max-Age`](https://fetch.spec.whatwg.org/#http-access-control-max-age):
/// user agents cap the value; the preflight cache is described in
/// [CORS-preflight cache](https://fetch.spec.whatwg.org/#concept-cache).
pub const MAX_AGE_LIMIT: Duration = Duration::from_secs(86_400);

impl CorsBuilder {
    /// Validates and compiles, collecting every problem.
    pub(crate) fn compile(&self) -> Result<Policy, ConfigError> {
        let mut problems = Vec::new();
        let origins = self.compile_origins(&mut problems);
        let methods = self.compile_methods(&mut problems);
        let headers = self.compile_headers(&mut problems);
        let expose = self.compile_expose(&mut problems);
        let max_age = self.compile_max_age(&mut problems);
        let csrf = self.compile_csrf(&mut problems);
        if !problems.is_empty() {
            return Err(ConfigError::new(problems));
        }
        match (origins, methods, headers, expose, max_age) {
            (Some(origins), Some(methods), Some(headers), Some(expose), Some(max_age)) => {
                let debug_methods =
                    render_list(methods.names(), matches!(methods, AllowedMethods::Any));
                let debug_headers = render_list(headers.names(), headers.any);
                Ok(Policy {
                    origins,
                    credentials: self.credentials,
                    methods,
                    headers,
                    expose,
                    max_age,
                    private_network: self.private_network,
                    insecure_origins: self.insecure_origins,
                    csrf,
                    debug: self.debug,
                    debug_methods,
                    debug_headers,
                    #[cfg(feature = "tracing")]
                    unknown_origin_level: self
                        .unknown_origin_level
                        .unwrap_or(tracing::Level::DEBUG),
                })
            }
            // Each part is `None` only after it pushed a problem.
            _ => Err(ConfigError::new(vec![ConfigProblem::NoOrigins])),
        }
    }

    /// Validates one kind of setting on its own, wrapping every problem in
    /// [`ConfigProblem::Located`] so that it names where the entry came from
    /// (an environment variable, a config field). Cross-setting rules (such as
    /// a wildcard origin with credentials) are left to `build()`.
    pub(crate) fn check_part(&self, part: Part, location: &str, problems: &mut Vec<ConfigProblem>) {
        let mut found = Vec::new();
        match part {
            Part::Origins => {
                if !self.origins.is_empty() || !self.patterns.is_empty() {
                    self.compile_origins(&mut found);
                }
            }
            Part::Methods => {
                self.compile_methods(&mut found);
            }
            Part::Headers => {
                self.compile_headers(&mut found);
            }
            Part::Expose => {
                self.compile_expose(&mut found);
            }
            Part::MaxAge => {
                self.compile_max_age(&mut found);
            }
            Part::CsrfExemptPaths => {
                for p in &self.csrf_exempt {
                    check_exempt_path(p, &mut found);
                }
            }
        }
        problems.extend(found.into_iter().map(|problem| ConfigProblem::Located {
            location: location.to_owned(),
            problem: Box::new(problem),
        }));
    }

    fn compile_origins(&self, problems: &mut Vec<ConfigProblem>) -> Option<AllowedOrigins> {
        let any = self.any_origin || self.origins.iter().any(|o| o == "*");
        if any {
            let mut ok = true;
            if self.credentials {
                problems.push(ConfigProblem::WildcardOriginWithCredentials);
                ok = false;
            }
            let others = self.origins.iter().filter(|o| *o != "*");
            if let Some(other) = others.chain(&self.patterns).next() {
                problems.push(ConfigProblem::WildcardOriginWithOthers {
                    origin: other.clone(),
                });
                ok = false;
                // Every problem at once: the explicit entries are invalid
                // beside `*`, and their own defects are reported too, so the
                // next build does not reveal new ones.
                self.check_explicit_origins(problems);
            }
            return ok.then_some(AllowedOrigins::Any);
        }
        if self.origins.is_empty() && self.patterns.is_empty() {
            problems.push(ConfigProblem::NoOrigins);
            return None;
        }
        let before = problems.len();
        let text = self.origins.iter().map(String::len).sum();
        let mut set =
            OriginSetBuilder::with_capacity(self.origins.len(), self.patterns.len(), text);
        self.insert_explicit_origins(&mut set, problems);
        if problems.len() != before {
            return None;
        }
        match set.finish() {
            Some(set) => Some(AllowedOrigins::Exact(set)),
            None => {
                problems.push(ConfigProblem::AllowlistTooLarge);
                None
            }
        }
    }

    /// Validates the exact origins and patterns (other than `*`) without
    /// keeping them, for a configuration already invalid because of `*`.
    fn check_explicit_origins(&self, problems: &mut Vec<ConfigProblem>) {
        let mut set = OriginSetBuilder::with_capacity(0, 0, 0);
        self.insert_explicit_origins(&mut set, problems);
    }

    /// Parses every exact origin (skipping `*`) and pattern into `set`,
    /// pushing one problem per invalid value.
    fn insert_explicit_origins(
        &self,
        set: &mut OriginSetBuilder,
        problems: &mut Vec<ConfigProblem>,
    ) {
        for raw in self.origins.iter().filter(|o| *o != "*") {
            match parse_origin(raw) {
                Ok(origin) => {
                    if self.insecure(origin.secure, origin.loopback) {
                        problems.push(ConfigProblem::InsecureOriginWithCredentials {
                            value: raw.clone(),
                        });
                    } else {
                        set.insert(&origin.serialized);
                    }
                }
                Err(p) => {
                    // The fix the hint suggests would fail next: say so now.
                    let insecure = match &p {
                        ConfigProblem::InvalidOrigin {
                            suggestion: Some(s),
                            ..
                        } => parse_origin(s).is_ok_and(|o| self.insecure(o.secure, o.loopback)),
                        _ => false,
                    };
                    problems.push(p);
                    if insecure {
                        problems.push(ConfigProblem::InsecureOriginWithCredentials {
                            value: raw.clone(),
                        });
                    }
                }
            }
        }
        for raw in &self.patterns {
            match parse_pattern(raw) {
                Ok(pattern) => {
                    if self.insecure(pattern.secure, pattern.loopback) {
                        problems.push(ConfigProblem::InsecureOriginWithCredentials {
                            value: raw.clone(),
                        });
                    } else {
                        set.insert_pattern(&pattern);
                    }
                }
                Err(p) => {
                    let insecure = match &p {
                        ConfigProblem::InvalidOriginPattern {
                            suggestion: Some(s),
                            ..
                        } => parse_pattern(s).is_ok_and(|o| self.insecure(o.secure, o.loopback)),
                        _ => false,
                    };
                    problems.push(p);
                    if insecure {
                        problems.push(ConfigProblem::InsecureOriginWithCredentials {
                            value: raw.clone(),
                        });
                    }
                }
            }
        }
    }

    /// Whether an origin of this kind is refused as insecure with credentials.
    fn insecure(&self, secure: bool, loopback: bool) -> bool {
        self.credentials && !secure && !loopback && !self.insecure_origins
    }

    fn compile_methods(&self, problems: &mut Vec<ConfigProblem>) -> Option<AllowedMethods> {
        if self.methods.iter().any(|m| m == "*") {
            let before = problems.len();
            for m in self.methods.iter().filter(|m| *m != "*") {
                check_method(m, problems);
            }
            return (problems.len() == before).then_some(AllowedMethods::Any);
        }
        let before = problems.len();
        let mut list: Vec<Box<[u8]>> = Vec::new();
        for m in &self.methods {
            if check_method(m, problems) {
                let m = normalize_method(m).into_bytes().into_boxed_slice();
                if !list.contains(&m) {
                    list.push(m);
                }
            }
        }
        (problems.len() == before).then(|| AllowedMethods::List(list.into_boxed_slice()))
    }

    fn compile_headers(&self, problems: &mut Vec<ConfigProblem>) -> Option<AllowedHeaders> {
        let before = problems.len();
        let mut any = false;
        let mut names = Vec::new();
        for h in &self.headers {
            if h == "*" {
                any = true;
                continue;
            }
            if !is_token(h.as_bytes()) {
                problems.push(ConfigProblem::InvalidHeaderName {
                    setting: HeaderSetting::AllowHeaders,
                    value: h.clone(),
                });
                continue;
            }
            let lower = h.to_ascii_lowercase();
            if is_forbidden_request_header(&lower) {
                problems.push(ConfigProblem::ForbiddenRequestHeader { value: h.clone() });
                continue;
            }
            names.push(lower);
        }
        (problems.len() == before).then(|| AllowedHeaders::new(any, names))
    }

    fn compile_expose(&self, problems: &mut Vec<ConfigProblem>) -> Option<Option<Value>> {
        let before = problems.len();
        let mut names: Vec<String> = Vec::new();
        for h in &self.expose {
            if h == "*" {
                if self.credentials {
                    problems.push(ConfigProblem::WildcardExposeWithCredentials);
                    continue;
                }
            } else if !is_token(h.as_bytes()) {
                problems.push(ConfigProblem::InvalidHeaderName {
                    setting: HeaderSetting::ExposeHeaders,
                    value: h.clone(),
                });
                continue;
            }
            let lower = h.to_ascii_lowercase();
            if is_forbidden_response_header(&lower) {
                problems.push(ConfigProblem::ForbiddenResponseHeader { value: h.clone() });
                continue;
            }
            if !names.contains(&lower) {
                names.push(lower);
            }
        }
        if problems.len() != before {
            return None;
        }
        if names.is_empty() {
            return Some(None);
        }
        // `*` alone when configured: other names add nothing to it.
        let rendered = if names.iter().any(|n| n == "*") {
            "*".to_owned()
        } else {
            names.join(", ")
        };
        Some(render(&rendered))
    }

    fn compile_max_age(&self, problems: &mut Vec<ConfigProblem>) -> Option<Option<Value>> {
        let Some(age) = self.max_age else {
            return Some(None);
        };
        let before = problems.len();
        // Both checks, not the first only: a fractional value over the cap
        // has two problems.
        if age.subsec_nanos() != 0 {
            problems.push(ConfigProblem::MaxAgeNotWholeSeconds {
                millis: age.as_millis(),
            });
        }
        if age > MAX_AGE_LIMIT {
            problems.push(ConfigProblem::MaxAgeTooLong {
                seconds: age.as_secs(),
            });
        }
        if problems.len() != before {
            return None;
        }
        Some(render(&age.as_secs().to_string()))
    }
}

/// A kind of setting, for [`CorsBuilder::check_part`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Exact origins and patterns.
    Origins,
    Methods,
    Headers,
    Expose,
    MaxAge,
    CsrfExemptPaths,
}

impl CorsBuilder {
    /// The CSRF guard (DESIGN §6), when on: never with any origin; every
    /// exempt path a path a request can have.
    fn compile_csrf(&self, problems: &mut Vec<ConfigProblem>) -> Option<CsrfGuard> {
        let before = problems.len();
        for p in &self.csrf_exempt {
            check_exempt_path(p, problems);
        }
        if !self.csrf {
            if let Some(first) = self.csrf_exempt.first() {
                problems.push(ConfigProblem::CsrfExemptPathsWithoutProtection {
                    first: first.clone(),
                });
            }
            return None;
        }
        if self.any_origin || self.origins.iter().any(|o| o == "*") {
            problems.push(ConfigProblem::CsrfWithAnyOrigin);
        }
        (problems.len() == before).then(|| CsrfGuard::new(self.csrf_exempt.iter().map(|p| &**p)))
    }
}

/// Validates one CSRF exempt path, with a suggestion when the fix is plain.
fn check_exempt_path(p: &str, problems: &mut Vec<ConfigProblem>) {
    let bad = |c: char| matches!(c, '?' | '#' | '*') || c.is_whitespace() || c.is_control();
    if p == "/" {
        problems.push(ConfigProblem::CsrfExemptEverything);
        return;
    }
    if p.starts_with('/') && !p.contains(bad) && p.bytes().all(is_uri_path_byte) {
        return;
    }
    // `webhooks/` → `/webhooks/`; `/webhooks/*` → `/webhooks/`;
    // `/cb?x=1` → `/cb`; ` /cb ` → `/cb`; `/café` → `/caf%C3%A9`.
    let cut = p.trim().split(['?', '#', '*']).next().unwrap_or("");
    let fixed = match cut.starts_with('/') {
        true => percent_encode_path(cut),
        false => percent_encode_path(&format!("/{cut}")),
    };
    let suggestion =
        (fixed.len() > 1 && !fixed.contains(bad) && fixed.bytes().all(is_uri_path_byte))
            .then_some(fixed);
    problems.push(ConfigProblem::InvalidCsrfExemptPath {
        value: p.to_owned(),
        suggestion,
    });
}

/// Whether a browser sends this byte unencoded in a request's path: the
/// complement of the [URL standard's path percent-encode set](https://url.spec.whatwg.org/#path-percent-encode-set)
/// (no space, control, `"`, `<`, `>`, `` ` ``, `{`, `}`, non-ASCII byte),
/// without `\`, which the URL parser turns into `/` in http(s) URLs. An
/// exempt path holding another byte could never match a browser's request.
fn is_uri_path_byte(b: u8) -> bool {
    matches!(b, 0x21 | 0x24..=0x3B | 0x3D | 0x40..=0x5B | 0x5D..=0x5F | 0x61..=0x7A | 0x7C | 0x7E)
}

/// `path` as a browser would send it: `\` as `/`, `{`…`}` left alone (a
/// route parameter is no path: no suggestion), every other byte outside
/// [`is_uri_path_byte`] percent-encoded in upper-case hex (`/café` →
/// `/caf%C3%A9`).
fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'\\' => out.push('/'),
            b'{' | b'}' => out.push(char::from(b)),
            _ if is_uri_path_byte(b) || b.is_ascii_whitespace() || b.is_ascii_control() => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Validates one configured method; `true` when it is usable.
fn check_method(m: &str, problems: &mut Vec<ConfigProblem>) -> bool {
    if !is_token(m.as_bytes()) {
        problems.push(ConfigProblem::InvalidMethod {
            value: m.to_owned(),
        });
        false
    } else if is_forbidden_method(m.as_bytes()) {
        problems.push(ConfigProblem::ForbiddenMethod {
            value: m.to_owned(),
        });
        false
    } else {
        true
    }
}

/// Renders a configured list (`*` first when configured) for debug mode.
fn render_list<'a>(names: impl Iterator<Item = &'a str>, any: bool) -> Option<Value> {
    let list: Vec<&str> = any.then_some("*").into_iter().chain(names).collect();
    if list.is_empty() {
        return None;
    }
    render(&list.join(", "))
}

/// Renders a header value once, at build time: lent to decisions (no
/// reference count per request), see [`kept`](super::kept). Only called on
/// strings built from validated tokens and digits, which are always valid
/// values.
fn render(s: &str) -> Option<Value> {
    super::kept::header_value(s)
}
