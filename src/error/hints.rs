//! The fix hints appended to some problems' `Display` lines.

use super::defect::OriginDefect;

pub(super) fn opaque_hint(scheme: &str, suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => {
            format!("; a blob: URL has the origin of the page that made it: did you mean {s:?}?")
        }
        None if scheme == "blob" => {
            "; a blob: URL has the origin of the page that made it: list that origin".to_owned()
        }
        None => {
            "; serve the page from a real origin (http://localhost during development)".to_owned()
        }
    }
}

pub(super) fn pattern_hint_suffix(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean {s:?}?"),
        None => "; write it as scheme://*.host[:port], e.g. \"https://*.example.com\"".to_owned(),
    }
}

pub(super) fn hint_suffix(defect: OriginDefect, suggestion: &Option<String>) -> String {
    match (suggestion, defect) {
        (Some(s), _) => format!("; did you mean {s:?}?"),
        (
            None,
            OriginDefect::InvalidChromeExtensionId
            | OriginDefect::InvalidMozExtensionId
            | OriginDefect::HostTooLong
            | OriginDefect::LabelTooLong
            | OriginDefect::InvalidPunycode,
        ) => String::new(),
        (None, _) => {
            "; write it as scheme://host[:port], e.g. \"https://app.example.com\"".to_owned()
        }
    }
}
