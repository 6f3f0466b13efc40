//! The [§CORS check] every CORS response (preflight or actual) must pass.
//!
//! [§CORS check]: https://fetch.spec.whatwg.org/#cors-check

use http::header::{ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN};
use http::HeaderMap;

use crate::failure::Failure;
use crate::request::FetchRequest;
use crate::syntax::get_combined;

/// [§CORS check](https://fetch.spec.whatwg.org/#cors-check), for `req` and a response's headers (its status plays no
/// part):
/// 1. origin = get `Access-Control-Allow-Origin`; null -> failure;
/// 2. not credentialed and origin is `*` -> success;
/// 3. origin is not byte-equal to the request's serialised origin -> failure;
/// 4. not credentialed -> success;
/// 5. credentialed: `Access-Control-Allow-Credentials` must be `true`
///    (byte-exact, so `True` fails).
///
/// "get" combines several header lines with ", ", so two lines never pass.
pub fn cors_check(req: &FetchRequest, headers: &HeaderMap) -> Result<(), Failure> {
    let lines = headers.get_all(ACCESS_CONTROL_ALLOW_ORIGIN).iter().count();
    let origin =
        get_combined(headers, &ACCESS_CONTROL_ALLOW_ORIGIN).ok_or(Failure::NoAllowOrigin)?;
    if !req.credentials && origin == b"*" {
        return Ok(());
    }
    if origin != req.origin.as_bytes() {
        return Err(if lines > 1 || origin.contains(&b',') {
            Failure::MultipleAllowOrigin
        } else if origin == b"*" {
            Failure::WildcardWithCredentials
        } else {
            Failure::AllowOriginMismatch
        });
    }
    if !req.credentials {
        return Ok(());
    }
    match get_combined(headers, &ACCESS_CONTROL_ALLOW_CREDENTIALS) {
        Some(v) if v == b"true" => Ok(()),
        _ => Err(Failure::AllowCredentialsNotTrue),
    }
}
