//! How far apart two short names are, for "did you mean" hints: a
//! mistyped scheme (`htps`) and a misspelt environment variable
//! (`CORS_ALOWED_ORIGINS`, `CORS_MAX_AEG`).

/// The optimal string alignment distance between `a` and `b`: insertions,
/// deletions, substitutions and swaps of two adjacent bytes each count one.
/// Compares bytes as given (callers fold case first).
pub(crate) fn distance(a: &[u8], b: &[u8]) -> usize {
    // Three rows of the dynamic-programming table: the one two above (for
    // swaps), the one above, and the one being filled.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut above: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (above[j] + 1).min(row[j - 1] + 1).min(above[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            row[j] = best;
        }
        std::mem::swap(&mut before, &mut above);
        std::mem::swap(&mut above, &mut row);
    }
    above[b.len()]
}

#[cfg(test)]
mod tests {
    use super::distance;

    #[test]
    fn distances() {
        let d = |a: &str, b: &str| distance(a.as_bytes(), b.as_bytes());
        assert_eq!(d("", ""), 0);
        assert_eq!(d("", "http"), 4);
        assert_eq!(d("https", ""), 5);
        assert_eq!(d("https", "https"), 0);
        assert_eq!(d("htps", "https"), 1);
        assert_eq!(d("hhtp", "http"), 1);
        assert_eq!(d("htttps", "https"), 1);
        assert_eq!(d("htpts", "https"), 1, "one adjacent swap");
        assert_eq!(d("MAX_AEG", "MAX_AGE"), 1, "one adjacent swap");
        assert_eq!(d("AMX_AEG", "MAX_AGE"), 2, "two adjacent swaps");
        assert_eq!(d("ALOWED_ORIGINS", "ALLOWED_ORIGINS"), 1);
        assert_eq!(d("ftp", "https"), 3);
        let long = "a".repeat(40);
        assert_eq!(d(&long, "ALLOWED_ORIGIN_PATTERNS"), 40);
    }
}
