//! Finding a header in the request: the single value of a name, or the
//! fact that it has none or several.
//!
//! `http`'s `HeaderMap` finds a name by hashing it: about 3 ns whatever
//! the size of the map. Walking the entries and comparing names is cheaper
//! on a map of a few names, and it sees a repeated name on the way: 1.2 ns
//! for one name, 2.3 ns for three, 3.1 ns for four with the name last, 5.5
//! ns for eight (`lookup` in `benches/overhead.rs`). A map of more names
//! than [`SCAN_MAX`] (a browser's requests carry 10 to 20), or with any
//! repeated name, is searched through the hash.

use http::{HeaderMap, HeaderName, HeaderValue};

/// Up to this many names, a walk over the entries is no slower than a
/// hashed lookup (measured: at four names, with the one sought last, the
/// walk costs what the hash does; beyond, more).
const SCAN_MAX: usize = 4;

/// How many values a header has: one is read, several are not.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Single<'a> {
    None,
    One(&'a HeaderValue),
    Many,
}

impl<'a> Single<'a> {
    /// The value, when there is exactly one.
    #[inline]
    pub(crate) fn one(self) -> Option<&'a HeaderValue> {
        match self {
            Single::One(v) => Some(v),
            Single::None | Single::Many => None,
        }
    }
}

/// The single value of `name` in `headers`, if it has exactly one.
#[inline]
pub(crate) fn single<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Single<'a> {
    // Without a repeated name (as many values as names), every entry is one
    // value: a walk finds `name` at most once.
    if headers.len() == headers.keys_len() && headers.keys_len() <= SCAN_MAX {
        return match headers.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => Single::One(v),
            None => Single::None,
        };
    }
    let mut all = headers.get_all(name).iter();
    match (all.next(), all.next()) {
        (None, _) => Single::None,
        (Some(v), None) => Single::One(v),
        (Some(_), Some(_)) => Single::Many,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::{HOST, ORIGIN};

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn read(h: &HeaderMap, name: &str) -> Result<Option<String>, ()> {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
        match single(h, &name) {
            Single::None => Ok(None),
            Single::One(v) => Ok(Some(v.to_str().unwrap().to_owned())),
            Single::Many => Err(()),
        }
    }

    #[test]
    fn one_none_or_many_whichever_way_the_map_is_searched() {
        // Small maps are walked, large ones (and any with a repeated name)
        // hashed: the answers are the same.
        for filler in [0, 5, SCAN_MAX, SCAN_MAX + 10] {
            let mut pairs: Vec<(String, String)> = (0..filler)
                .map(|i| (format!("x-filler-{i}"), "v".to_owned()))
                .collect();
            pairs.push(("origin".into(), "https://a.example".into()));
            pairs.push(("sec-fetch-site".into(), "cross-site".into()));
            let borrowed: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let mut h = map(&borrowed);
            assert_eq!(read(&h, "origin"), Ok(Some("https://a.example".into())));
            assert_eq!(read(&h, "sec-fetch-site"), Ok(Some("cross-site".into())));
            assert_eq!(read(&h, "host"), Ok(None));
            assert_eq!(read(&h, "sec-fetch-mode"), Ok(None));
            // A second `Origin` line, anywhere: several values.
            h.append(HOST, HeaderValue::from_static("api.example"));
            h.append(ORIGIN, HeaderValue::from_static("https://b.example"));
            assert_eq!(read(&h, "origin"), Err(()));
            assert_eq!(read(&h, "host"), Ok(Some("api.example".into())));
            // A repeated name elsewhere does not hide a single one.
            let mut h = map(&borrowed);
            h.append("x-other", HeaderValue::from_static("1"));
            h.append("x-other", HeaderValue::from_static("2"));
            assert_eq!(read(&h, "origin"), Ok(Some("https://a.example".into())));
            assert_eq!(read(&h, "x-other"), Err(()));
        }
    }

    #[test]
    fn an_empty_map_has_nothing() {
        assert_eq!(read(&HeaderMap::new(), "origin"), Ok(None));
    }
}
