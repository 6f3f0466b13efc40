//! What is wrong with one value: an origin string, an environment variable,
//! and which header setting a header-name problem comes from.

use std::fmt;

/// Which builder setting a header-name problem comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderSetting {
    /// [`CorsBuilder::allow_headers`](crate::CorsBuilder::allow_headers).
    AllowHeaders,
    /// [`CorsBuilder::expose_headers`](crate::CorsBuilder::expose_headers).
    ExposeHeaders,
}

impl HeaderSetting {
    fn name(self) -> &'static str {
        match self {
            HeaderSetting::AllowHeaders => "allow_headers",
            HeaderSetting::ExposeHeaders => "expose_headers",
        }
    }
}

impl fmt::Display for HeaderSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong with an origin string given to
/// [`CorsBuilder::allow_origins`](crate::CorsBuilder::allow_origins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OriginDefect {
    /// The string is empty.
    Empty,
    /// Leading, trailing or inner whitespace or control characters.
    Whitespace,
    /// No `scheme://` prefix.
    MissingScheme,
    /// A scheme that is neither `http`, `https` nor one of the accepted app
    /// and extension schemes (`tauri`, `capacitor`, `ionic`,
    /// `chrome-extension`, `moz-extension`, `safari-web-extension`): its
    /// pages have an opaque origin, sent as `null`.
    UnsupportedScheme,
    /// A path after the host (this includes a trailing `/`).
    Path,
    /// A `?query`.
    Query,
    /// A `#fragment`.
    Fragment,
    /// `user:password@` before the host.
    Userinfo,
    /// Nothing between `://` and the port or end.
    EmptyHost,
    /// A host with characters no browser puts in an `Origin` header,
    /// an empty label (`a..b`), or a trailing dot.
    InvalidHost,
    /// A bracketed IPv6 literal that does not parse.
    InvalidIpv6,
    /// A host that browsers read as an IPv4 address but that is not written
    /// in dotted-decimal form (`127.1`, `0x7f.0.0.1`, `256.0.0.1`).
    InvalidIpv4,
    /// A port that is empty, not a number, 0, or over 65535.
    InvalidPort,
    /// A host over 253 bytes, the DNS limit: no browser can reach it.
    HostTooLong,
    /// A host label over 63 bytes, the DNS limit: no browser can reach it.
    LabelTooLong,
    /// An `xn--` label that is not valid punycode under UTS #46 as the WHATWG
    /// URL parser applies it: browsers refuse such a URL.
    InvalidPunycode,
    /// A scheme not followed by `://` (`http:/a.com`, `https:a.com`).
    SchemeSeparator,
    /// A `chrome-extension://` host that is not a Chrome extension id
    /// (32 letters `a` to `p`).
    InvalidChromeExtensionId,
    /// A `moz-extension://` host that is not a Firefox internal UUID
    /// (lower-case, 8-4-4-4-12 hex digits).
    InvalidMozExtensionId,
}

impl OriginDefect {
    pub(super) fn describe(self) -> &'static str {
        match self {
            OriginDefect::Empty => "is empty",
            OriginDefect::Whitespace => "contains whitespace or control characters",
            OriginDefect::MissingScheme => "has no scheme (`https://` or `http://`)",
            OriginDefect::UnsupportedScheme => {
                "has a scheme whose pages browsers send as `Origin: null` (an opaque origin); accepted: http, https and the app schemes tauri, capacitor, ionic, chrome-extension, moz-extension, safari-web-extension"
            }
            OriginDefect::Path => {
                "has a path (browsers send only scheme://host[:port], never a trailing `/`)"
            }
            OriginDefect::Query => "has a query string",
            OriginDefect::Fragment => "has a fragment",
            OriginDefect::Userinfo => "has user info before the host",
            OriginDefect::EmptyHost => "has an empty host",
            OriginDefect::InvalidHost => "has an invalid host",
            OriginDefect::InvalidIpv6 => "has an invalid IPv6 address",
            OriginDefect::InvalidIpv4 => {
                "has a numeric host that is not a dotted-decimal IPv4 address"
            }
            OriginDefect::InvalidPort => "has an invalid port (expected 1 to 65535)",
            OriginDefect::HostTooLong => {
                "has a host over 253 bytes (the DNS limit), which no browser can reach"
            }
            OriginDefect::LabelTooLong => {
                "has a host label over 63 bytes (the DNS limit), which no browser can reach"
            }
            OriginDefect::InvalidPunycode => {
                "has an `xn--` label that is not valid punycode (UTS #46), so browsers refuse the URL"
            }
            OriginDefect::SchemeSeparator => "needs `://` after the scheme",
            OriginDefect::InvalidChromeExtensionId => {
                "has an invalid Chrome extension id: it is 32 letters a to p, as chrome://extensions shows it"
            }
            OriginDefect::InvalidMozExtensionId => {
                "has an invalid Firefox extension host: it is the extension's internal UUID (lower-case 8-4-4-4-12 hex, shown on about:debugging), not its add-on id"
            }
        }
    }
}

/// What is wrong with an environment variable read by
/// [`CorsBuilder::from_env`](crate::CorsBuilder::from_env).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvVarDefect {
    /// The value is not valid UTF-8.
    NotUnicode,
    /// A comma list with an empty entry (`a,,b`, a leading or trailing comma).
    EmptyEntry,
    /// Not `true`, `false`, `1` or `0`.
    NotBoolean,
    /// Not a whole number of seconds.
    NotSeconds,
    /// Not a `tracing` level name (`trace`, `debug`, `info`, `warn`, `error`).
    NotLevel,
    /// A name that is not read, but close to one that is (a misspelling
    /// such as `CORS_ALLOWED_ORIGIN`), which would otherwise be ignored.
    UnknownName,
}

impl EnvVarDefect {
    pub(super) fn describe(self) -> &'static str {
        match self {
            EnvVarDefect::NotUnicode => "is not valid UTF-8; write it in ASCII",
            EnvVarDefect::EmptyEntry => {
                "has an empty entry (two commas in a row, or a leading or trailing comma); remove the extra comma"
            }
            EnvVarDefect::NotBoolean => "is not a boolean; use true or false (or 1 or 0)",
            EnvVarDefect::NotSeconds => {
                "is not a whole number of seconds; write digits only, e.g. 600"
            }
            EnvVarDefect::NotLevel => {
                "is not a log level; use trace, debug, info, warn or error"
            }
            EnvVarDefect::UnknownName => {
                "is not a variable strict-cors reads, and it would be ignored: check its spelling; after the prefix the names are ALLOWED_ORIGINS, ALLOWED_ORIGIN_PATTERNS, ALLOW_CREDENTIALS, ALLOWED_METHODS, ALLOWED_HEADERS, EXPOSED_HEADERS, MAX_AGE, ALLOW_INSECURE_ORIGINS, ALLOW_PRIVATE_NETWORK, DEBUG, UNKNOWN_ORIGIN_LEVEL, CSRF_PROTECTION, CSRF_EXEMPT_PATHS (upper case)"
            }
        }
    }
}
