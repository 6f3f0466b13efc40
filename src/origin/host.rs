//! Hosts of configured origins: parsed and normalised the way the WHATWG
//! URL parser does it (<https://url.spec.whatwg.org/#host-parsing>), and
//! refused when no browser could ever send them.

use std::net::Ipv6Addr;

use crate::error::OriginDefect;

/// Longest host a browser can send: the DNS limit (RFC 1035 §2.3.4).
pub(crate) const MAX_HOST_LEN: usize = 253;

/// Longest DNS label (RFC 1035 §2.3.4).
pub(crate) const MAX_LABEL_LEN: usize = 63;

/// A parsed host.
pub(crate) enum Host {
    Domain(String),
    V4([u8; 4]),
    V6(Ipv6Addr),
}

impl Host {
    /// Loopback: `localhost`, `*.localhost` (RFC 6761 §6.3), `127.0.0.0/8`, `[::1]`.
    pub(crate) fn is_loopback(&self) -> bool {
        match self {
            Host::Domain(d) => d == "localhost" || d.ends_with(".localhost"),
            Host::V4(a) => a[0] == 127,
            Host::V6(a) => a.is_loopback(),
        }
    }

    /// The host as browsers serialise it
    /// (<https://url.spec.whatwg.org/#concept-host-serializer>).
    pub(crate) fn serialize(&self, out: &mut String) {
        match self {
            Host::Domain(d) => out.push_str(d),
            Host::V4(a) => out.push_str(&format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])),
            Host::V6(a) => {
                out.push('[');
                out.push_str(&serialize_ipv6(a));
                out.push(']');
            }
        }
    }
}

/// Parses an ASCII, non-bracketed host: a domain or an IPv4 address.
pub(crate) fn parse_host(host: &str) -> Result<Host, OriginDefect> {
    let lower = host.to_ascii_lowercase();
    if lower.ends_with('.') {
        return Err(OriginDefect::InvalidHost);
    }
    if lower.split('.').any(str::is_empty) {
        return Err(OriginDefect::InvalidHost);
    }
    // WHATWG URL: a host whose last label is numeric (decimal, or 0x hex) is
    // parsed as IPv4 (<https://url.spec.whatwg.org/#ends-in-a-number-checker>).
    // Only the plain dotted-decimal form is accepted here, so that the
    // configuration reads like what the browser sends.
    let last = lower.rsplit('.').next().unwrap_or_default();
    let numeric_last = last.bytes().all(|b| b.is_ascii_digit())
        || (last.starts_with("0x") && last[2..].bytes().all(|b| b.is_ascii_hexdigit()));
    if numeric_last {
        let labels: Vec<&str> = lower.split('.').collect();
        if labels.len() != 4 {
            return Err(OriginDefect::InvalidIpv4);
        }
        let mut octets = [0u8; 4];
        for (slot, label) in octets.iter_mut().zip(&labels) {
            let canonical = label.bytes().all(|b| b.is_ascii_digit())
                && label.len() <= 3
                && (label.len() == 1 || !label.starts_with('0'));
            if !canonical {
                return Err(OriginDefect::InvalidIpv4);
            }
            *slot = label.parse().map_err(|_| OriginDefect::InvalidIpv4)?;
        }
        return Ok(Host::V4(octets));
    }
    let valid = lower
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if !valid {
        return Err(OriginDefect::InvalidHost);
    }
    check_domain(&lower)?;
    Ok(Host::Domain(lower))
}

/// Refuses a domain no browser sends: over 253 bytes, a label over 63, or
/// an `xn--` label that is not valid punycode. The last is checked with
/// UTS #46 ToASCII exactly as the WHATWG URL parser applies it
/// (<https://url.spec.whatwg.org/#concept-domain-to-ascii>, `beStrict`
/// false: no STD3 rules, so `my_app.example.com` stays valid;
/// <https://www.unicode.org/reports/tr46/#ToASCII>).
pub(crate) fn check_domain(domain: &str) -> Result<(), OriginDefect> {
    if domain.len() > MAX_HOST_LEN {
        return Err(OriginDefect::HostTooLong);
    }
    if domain.split('.').any(|l| l.len() > MAX_LABEL_LEN) {
        return Err(OriginDefect::LabelTooLong);
    }
    if domain.split('.').any(|l| l.starts_with("xn--")) {
        match idna::domain_to_ascii_cow(domain.as_bytes(), idna::AsciiDenyList::URL) {
            Ok(ascii) if ascii == domain => {}
            _ => return Err(OriginDefect::InvalidPunycode),
        }
    }
    Ok(())
}

/// WHATWG URL IPv6 serializer: lower-case hex, the first longest run of two or
/// more zero pieces compressed to `::`, no embedded IPv4 form
/// (<https://url.spec.whatwg.org/#concept-ipv6-serializer>).
pub(crate) fn serialize_ipv6(addr: &Ipv6Addr) -> String {
    let pieces = addr.segments();
    let (mut best_start, mut best_len) = (None, 1usize);
    let mut i = 0;
    while i < 8 {
        if pieces[i] == 0 {
            let start = i;
            while i < 8 && pieces[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best_len = i - start;
                best_start = Some(start);
            }
        } else {
            i += 1;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if Some(i) == best_start {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += best_len;
            continue;
        }
        out.push_str(&format!("{:x}", pieces[i]));
        if i != 7 {
            out.push(':');
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_punycode() {
        let label63 = "a".repeat(63);
        assert!(check_domain(&format!("{label63}.example.com")).is_ok());
        assert_eq!(
            check_domain(&format!("{label63}a.example.com")),
            Err(OriginDefect::LabelTooLong)
        );
        let long = format!("{label63}.{label63}.{label63}.{}.com", "a".repeat(57));
        assert_eq!(long.len(), 253);
        assert!(check_domain(&long).is_ok());
        assert_eq!(
            check_domain(&format!("a{long}")),
            Err(OriginDefect::HostTooLong)
        );
        assert!(check_domain("xn--bcher-kva.example").is_ok());
        assert!(check_domain("my_app.example.com").is_ok());
        assert!(check_domain("a--b.example.com").is_ok());
        for bad in [
            "xn--.example.com",
            "xn--a.example.com",
            "xn--zz-99999.com",
            "xn--ls8h-.com",
        ] {
            assert_eq!(
                check_domain(bad),
                Err(OriginDefect::InvalidPunycode),
                "{bad}"
            );
        }
    }
}
