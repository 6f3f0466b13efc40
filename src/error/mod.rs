//! Configuration errors: every problem `build()` found, each with the
//! offending value and a hint on how to fix it.

mod defect;
mod hints;
mod problem;

use std::fmt;

pub use defect::{EnvVarDefect, HeaderSetting, OriginDefect};
pub use problem::ConfigProblem;

/// The error of [`CorsBuilder::build`](crate::CorsBuilder::build): every
/// problem found in the configuration, not just the first.
///
/// `Display` prints one problem per line, and so does `Debug`, so that
/// `fn main() -> Result<(), Box<dyn std::error::Error>>` (which prints the
/// error with `Debug`) shows the problems and their hints, not a struct
/// dump. The typed problems are in [`problems`](Self::problems).
///
/// ```
/// use strict_cors::{ConfigProblem, CorsLayer};
///
/// let err = CorsLayer::builder()
///     .allow_origins(["*"])
///     .allow_credentials(true)
///     .allow_methods(["TRACE"])
///     .build()
///     .unwrap_err();
/// assert_eq!(err.problems().len(), 2);
/// assert!(matches!(err.problems()[0], ConfigProblem::WildcardOriginWithCredentials));
/// assert_eq!(err.to_string().lines().count(), 2);
/// assert_eq!(format!("{err:?}"), err.to_string());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigError {
    problems: Vec<ConfigProblem>,
}

impl ConfigError {
    pub(crate) fn new(problems: Vec<ConfigProblem>) -> Self {
        debug_assert!(!problems.is_empty());
        ConfigError { problems }
    }

    /// Every problem found, in the order of the settings.
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }

    /// Consumes the error, returning the problems.
    pub fn into_problems(self) -> Vec<ConfigProblem> {
        self.problems
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// The same lines as `Display`: what `main` prints when it returns the error.
impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ConfigError {}

impl From<ConfigProblem> for ConfigError {
    fn from(p: ConfigProblem) -> Self {
        ConfigError { problems: vec![p] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_per_problem() {
        let err = ConfigError::new(vec![
            ConfigProblem::NoOrigins,
            ConfigProblem::MaxAgeTooLong { seconds: 90000 },
            ConfigProblem::InvalidOrigin {
                value: "https://a.com/".into(),
                defect: OriginDefect::Path,
                suggestion: Some("https://a.com".into()),
            },
        ]);
        let text = err.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].contains("90000"));
        assert!(lines[2].contains("did you mean \"https://a.com\""));
    }

    #[test]
    fn every_problem_display_is_single_line() {
        let all = [
            ConfigProblem::NoOrigins,
            ConfigProblem::WildcardOriginWithCredentials,
            ConfigProblem::WildcardOriginWithOthers { origin: "x".into() },
            ConfigProblem::WildcardExposeWithCredentials,
            ConfigProblem::NullOrigin {
                value: "null".into(),
            },
            ConfigProblem::FileOrigin {
                value: "file://".into(),
            },
            ConfigProblem::InvalidOrigin {
                value: "x".into(),
                defect: OriginDefect::MissingScheme,
                suggestion: None,
            },
            ConfigProblem::NonAsciiHost { value: "x".into() },
            ConfigProblem::InsecureOriginWithCredentials { value: "x".into() },
            ConfigProblem::InvalidMethod { value: "x".into() },
            ConfigProblem::ForbiddenMethod { value: "x".into() },
            ConfigProblem::InvalidHeaderName {
                setting: HeaderSetting::ExposeHeaders,
                value: "x".into(),
            },
            ConfigProblem::ForbiddenRequestHeader { value: "x".into() },
            ConfigProblem::ForbiddenResponseHeader { value: "x".into() },
            ConfigProblem::MaxAgeTooLong { seconds: 1 },
            ConfigProblem::MaxAgeNotWholeSeconds { millis: 1 },
            ConfigProblem::InvalidOriginPattern {
                value: "x".into(),
                defect: OriginDefect::Path,
                suggestion: None,
            },
            ConfigProblem::PatternWithoutWildcard { value: "x".into() },
            ConfigProblem::PatternWildcardNotLeftmostLabel { value: "x".into() },
            ConfigProblem::PatternOverPublicSuffix {
                value: "x".into(),
                suffix: "com".into(),
            },
            ConfigProblem::PatternOverIpAddress { value: "x".into() },
            ConfigProblem::OpaqueSchemeOrigin {
                value: "x".into(),
                scheme: "blob".into(),
                suggestion: Some("https://a.com".into()),
            },
            ConfigProblem::PatternInExactOrigins { value: "x".into() },
            ConfigProblem::PatternWithAppScheme { value: "x".into() },
            ConfigProblem::PatternUnderPublicSuffixRule {
                value: "x".into(),
                rule: "*.r.appspot.com".into(),
            },
            ConfigProblem::AnyPortOnNonLoopbackHost { value: "x".into() },
            ConfigProblem::AllowlistTooLarge,
            ConfigProblem::CsrfWithAnyOrigin,
            ConfigProblem::InvalidCsrfExemptPath {
                value: "webhooks/*".into(),
                suggestion: Some("/webhooks/".into()),
            },
            ConfigProblem::CsrfExemptPathsWithoutProtection { first: "/x".into() },
            ConfigProblem::CsrfExemptEverything,
            ConfigProblem::InvalidEnvVar {
                var: "CORS_MAX_AGE".into(),
                value: "1\n2".into(),
                reason: EnvVarDefect::NotSeconds,
            },
            ConfigProblem::Located {
                location: "allowed_origins[0]".into(),
                problem: Box::new(ConfigProblem::NoOrigins),
            },
        ];
        for p in all {
            let s = p.to_string();
            assert_eq!(s.lines().count(), 1, "{s}");
        }
    }
}
