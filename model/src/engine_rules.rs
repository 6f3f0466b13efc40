//! Where today's engines knowingly deviate from the Fetch standard, as an
//! explicit choice ([`AuthorizationUnderWildcard`]) rather than a silent one.

/// Whether `*` in `Access-Control-Allow-Headers` covers `authorization` on a
/// request *without* credentials.
///
/// The [Fetch standard](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
/// says it never does: `authorization` is a
/// [CORS non-wildcard request-header name](https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name),
/// so the preflight (and a [preflight cache](https://fetch.spec.whatwg.org/#cors-preflight-cache)
/// entry for `*`) must list it by name. Chromium, Firefox and WebKit have
/// not enforced that yet: the browser suite measured all three (Chromium
/// 156, Firefox 153 ESR, WebKitGTK 2.50) letting `*` cover it, as they cover
/// any other name without credentials. Chromium's DevTools reports it as a
/// deprecated feature, so engines are expected to enforce the standard; the
/// browser suite fails the day one of them does, and names this knob.
///
/// With credentials nothing differs: `*` is then a literal header name in
/// every engine and in the standard, so `authorization` must be listed.
///
/// [`Browser`](crate::Browser) defaults to [`Standard`](Self::Standard) (the
/// model is a model of the standard); the doctor
/// ([`doctor::Check`](crate::doctor::Check)) defaults to
/// [`Engines2026`](Self::Engines2026), because it says what the browser the
/// user runs *will* do, and warns (`authorization_under_wildcard`) when a
/// verdict depends on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AuthorizationUnderWildcard {
    /// The Fetch standard: `*` never covers `authorization`; the preflight
    /// fails with [`Failure::AuthorizationNotCoveredByWildcard`](crate::Failure::AuthorizationNotCoveredByWildcard).
    #[default]
    Standard,
    /// What Chromium, Firefox and WebKit did when measured (2026): without
    /// credentials, `*` covers `authorization` like any other name; with
    /// credentials, `*` is literal and the preflight fails with
    /// [`Failure::HeaderNotAllowed`](crate::Failure::HeaderNotAllowed)`("authorization")`.
    Engines2026,
}

impl AuthorizationUnderWildcard {
    /// Whether a `*` (from a preflight response or a cache entry) covers
    /// `authorization` for a request with these credentials.
    pub fn wildcard_covers_authorization(self, credentials: bool) -> bool {
        self == AuthorizationUnderWildcard::Engines2026 && !credentials
    }
}
