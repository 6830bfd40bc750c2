//! Byte-level helpers the rules share: where an assigned value starts and ends,
//! whether a candidate is a placeholder rather than a secret, how random it looks,
//! and where a truncated PEM body stops. Pure functions over `&[u8]`, no allocation.

/// Quoted values longer than this without a closing quote are re-read as unquoted.
const MAX_QUOTED: usize = 4096;

/// Words that follow `password:` in prose ("password: incorrect") and are not secrets.
const STOP_WORDS: &[&str] = &[
    "changed",
    "empty",
    "expired",
    "false",
    "hidden",
    "incorrect",
    "invalid",
    "is",
    "masked",
    "mismatch",
    "missing",
    "n/a",
    "na",
    "nil",
    "none",
    "not",
    "null",
    "omitted",
    "optional",
    "redacted",
    "removed",
    "required",
    "reset",
    "sent",
    "set",
    "true",
    "undefined",
    "unset",
    "updated",
    "was",
    "wrong",
];

/// Bytes that end an unquoted value (log delimiters). `&` is handled separately.
fn ends_unquoted(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | 0x0b
            | 0x0c
            | b'"'
            | b'\''
            | b'`'
            | b'<'
            | b'>'
            | b'\\'
            | b','
            | b';'
            | b')'
            | b'}'
            | b']'
    )
}

pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `&name=` starts the next query parameter; a bare `&` inside a value (common in
/// generated passwords) does not end it.
fn starts_param(rest: &[u8]) -> bool {
    let n = rest
        .iter()
        .take(65)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'[' | b']'))
        .count();
    n > 0 && rest.get(n) == Some(&b'=')
}

/// True when the key word starting at `i` is the user name of a URL (`scheme://key:…@`).
pub(crate) fn in_url_userinfo(hay: &[u8], i: usize) -> bool {
    let mut s = i;
    while s > 0 && (is_word(hay[s - 1]) || matches!(hay[s - 1], b'-' | b'.')) {
        s -= 1;
    }
    s >= 2 && &hay[s - 2..s] == b"//"
}

/// Skips the tail of a key and its separator: an optional closing quote (`"`, `'`,
/// `\"`), an optional `]`, blanks, one of `=>` `:=` `=` `:`, blanks. Returns where
/// the value starts, or `None` when `i` is not followed by an assignment.
pub(crate) fn after_key(hay: &[u8], mut i: usize) -> Option<usize> {
    if hay.get(i) == Some(&b'\\') && hay.get(i + 1) == Some(&b'"') {
        i += 2;
    } else if matches!(hay.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    if hay.get(i) == Some(&b']') {
        i += 1;
    }
    i = skip_blanks(hay, i);
    match (hay.get(i), hay.get(i + 1)) {
        (Some(b'='), Some(b'>')) | (Some(b':'), Some(b'=')) => i += 2,
        (Some(b'=' | b':'), _) => i += 1,
        _ => return None,
    }
    Some(skip_blanks(hay, i))
}

fn skip_blanks(hay: &[u8], mut i: usize) -> usize {
    while matches!(hay.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// The byte range of the value that starts at `i`: a `"…"` string (escapes kept), a
/// JSON-escaped `\"…\"` string, a `'…'` string, or an unquoted run ending at a log
/// delimiter. Empty values give `None`.
pub(crate) fn parse_value(hay: &[u8], i: usize) -> Option<(usize, usize)> {
    match hay.get(i)? {
        b'\\' if hay.get(i + 1) == Some(&b'"') => {
            let s = i + 2;
            let e = s + hay
                .get(s..)?
                .iter()
                .take_while(|&&b| !matches!(b, b'\\' | b'"' | b'\n' | b'\r'))
                .count();
            non_empty(s, e)
        }
        b'"' => quoted(hay, i + 1, b'"'),
        b'\'' => quoted(hay, i + 1, b'\''),
        _ => unquoted(hay, i),
    }
}

fn quoted(hay: &[u8], s: usize, q: u8) -> Option<(usize, usize)> {
    let mut j = s;
    while j < hay.len() && j - s <= MAX_QUOTED {
        match hay[j] {
            b if b == q => return non_empty(s, j),
            b'\n' | b'\r' => break,
            b'\\' if q == b'"' && !matches!(hay.get(j + 1), None | Some(b'\n' | b'\r')) => j += 2,
            _ => j += 1,
        }
    }
    unquoted(hay, s)
}

fn unquoted(hay: &[u8], s: usize) -> Option<(usize, usize)> {
    let mut j = s;
    while let Some(&b) = hay.get(j) {
        if ends_unquoted(b) || (b == b'&' && starts_param(&hay[j + 1..])) {
            break;
        }
        j += 1;
    }
    non_empty(s, j)
}

fn non_empty(s: usize, e: usize) -> Option<(usize, usize)> {
    (e > s).then_some((s, e))
}

/// True when `v` is a stand-in for a secret rather than one: masks, references to
/// variables, code, already-redacted placeholders, null-ish words.
pub(crate) fn is_placeholder(v: &[u8]) -> bool {
    let Some(&first) = v.first() else {
        return true;
    };
    if v.iter().all(|&b| b == first) {
        return true; // "********", "xxxxxxxx", "...."
    }
    const PREFIXES: &[&[u8]] = &[
        b"[REDACTED",
        b"<",
        b"${",
        b"$(",
        b"{{",
        b"%(",
        b"#{",
        b"=",
        b"process.env.",
        b"os.environ",
        b"env.",
    ];
    if PREFIXES.iter().any(|p| starts_with_ci(v, p)) {
        return true;
    }
    // $VAR or %VAR%
    let ident = |s: &[u8]| !s.is_empty() && s.iter().all(|&b| is_word(b));
    if first == b'$' && ident(&v[1..]) {
        return true;
    }
    if first == b'%' && v.len() > 2 && v[v.len() - 1] == b'%' && ident(&v[1..v.len() - 1]) {
        return true;
    }
    // a call such as `os.getenv(` or `getpass(` cut at its delimiter
    if v.ends_with(b"(") || v.ends_with(b"()") {
        return true;
    }
    STOP_WORDS
        .iter()
        .any(|w| v.eq_ignore_ascii_case(w.as_bytes()))
}

fn starts_with_ci(v: &[u8], p: &[u8]) -> bool {
    v.len() >= p.len() && v[..p.len()].eq_ignore_ascii_case(p)
}

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(v: &[u8]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in v {
        counts[usize::from(b)] += 1;
    }
    let n = v.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// How many of {lower, upper, digit, other} occur in `v`.
pub(crate) fn classes(v: &[u8]) -> u32 {
    let (mut lo, mut up, mut di, mut ot) = (false, false, false, false);
    for &b in v {
        match b {
            b'a'..=b'z' => lo = true,
            b'A'..=b'Z' => up = true,
            b'0'..=b'9' => di = true,
            _ => ot = true,
        }
    }
    u32::from(lo) + u32::from(up) + u32::from(di) + u32::from(ot)
}

/// A value that looks machine-generated: long enough, ≥ 3 bits/char, mixed classes.
pub(crate) fn looks_random(v: &[u8], min_len: usize) -> bool {
    v.len() >= min_len && !is_placeholder(v) && classes(v) >= 2 && entropy(v) >= 3.0
}

/// `user:password` in base64 (the `Authorization: Basic` payload).
pub(crate) fn is_basic_credential(v: &[u8]) -> bool {
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut colon = false;
    let mut printable = 0usize;
    for &b in v {
        let d = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return false,
        };
        acc = (acc << 6) | u32::from(d);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            let byte = ((acc >> bits) & 0xff) as u8;
            colon |= byte == b':';
            if byte.is_ascii_graphic() || byte == b' ' || byte >= 0x80 {
                printable += 1;
            } else {
                return false;
            }
        }
    }
    colon && printable >= 3
}

/// Left/right boundary for fixed-shape tokens: not glued to other alphanumerics
/// (a `%XX` URL escape right before the token counts as a boundary).
pub(crate) fn bounded(hay: &[u8], s: usize, e: usize) -> bool {
    let left_ok = match s.checked_sub(1).and_then(|i| hay.get(i)) {
        None => true,
        Some(b) if !b.is_ascii_alphanumeric() => true,
        Some(_) => {
            s >= 3
                && hay[s - 3] == b'%'
                && hay[s - 2].is_ascii_hexdigit()
                && hay[s - 1].is_ascii_hexdigit()
        }
    };
    left_ok && !hay.get(e).is_some_and(|b| b.is_ascii_alphanumeric())
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Separator inside a PEM body: whitespace or a JSON-escaped `\n` / `\r`. Returns its length.
fn pem_sep(hay: &[u8], i: usize) -> usize {
    match hay.get(i) {
        Some(b' ' | b'\t' | b'\r' | b'\n') => 1,
        Some(b'\\') if matches!(hay.get(i + 1), Some(b'n' | b'r')) => 2,
        _ => 0,
    }
}

/// End of the body of a PEM block whose END marker never came (truncated log): the
/// BEGIN line is followed by base64 words (≥ 16 chars, or a `=` checksum) and RFC 1421
/// headers; the body stops at the first word that is neither.
pub(crate) fn pem_body_end(hay: &[u8], start: usize) -> usize {
    const HEADERS: &[&[u8]] = &[
        b"Proc-Type:",
        b"DEK-Info:",
        b"Version:",
        b"Comment:",
        b"Charset:",
        b"Hash:",
    ];
    let mut last = start;
    let mut j = start;
    loop {
        let mut k = j;
        loop {
            let n = pem_sep(hay, k);
            if n == 0 {
                break;
            }
            k += n;
        }
        if k >= hay.len() {
            return last;
        }
        if HEADERS.iter().any(|h| starts_with_ci(&hay[k..], h)) {
            let mut e = k;
            while e < hay.len()
                && !matches!(hay[e], b'\n' | b'\r')
                && !(hay[e] == b'\\' && hay.get(e + 1) == Some(&b'n'))
            {
                e += 1;
            }
            j = e;
            last = e;
            continue;
        }
        let w = k + hay[k..].iter().take_while(|&&b| is_b64(b)).count();
        let at_sep = w == hay.len() || pem_sep(hay, w) > 0;
        // a short word is a body line only as a `=` checksum or where the buffer was cut
        if w == k || !at_sep || (w - k < 16 && hay[k] != b'=' && w != hay.len()) {
            return last;
        }
        j = w;
        last = w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(s: &str) -> Option<&str> {
        let i = after_key(s.as_bytes(), 0)?;
        parse_value(s.as_bytes(), i).map(|(a, b)| &s[a..b])
    }

    #[test]
    fn values_end_at_delimiters() {
        let cases: &[(&str, Option<&str>)] = &[
            ("=abc def", Some("abc")),
            (": \"a b\\\"c\" x", Some("a b\\\"c")),
            ("\": \"abc\"}", Some("abc")),
            ("\\\":\\\"abc\\\"}", Some("abc")),
            ("='abc' x", Some("abc")),
            ("=abc&x=1", Some("abc")),
            ("=ab&cd!", Some("ab&cd!")),
            ("=abc;rest", Some("abc")),
            ("=abc,rest", Some("abc")),
            ("=abc)", Some("abc")),
            ("=abc}", Some("abc")),
            ("=<redacted>", None),
            ("= ", None),
            (" reset", None),
            ("] = \"v1\"", Some("v1")),
            (" := \"v2\"", Some("v2")),
            (" => 'v3'", Some("v3")),
            ("=\"unterminated value", Some("unterminated")),
        ];
        for (input, want) in cases {
            assert_eq!(val(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn placeholders() {
        for p in [
            "********",
            "<redacted>",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "%PASS%",
            "null",
            "None",
            "[REDACTED:PASSWORD]",
            "os.getenv(",
            "getpass()",
            "incorrect",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for s in ["hunter2xyz", "p@ss&w0rd", "ab"] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn randomness() {
        assert!(looks_random(b"Xk29vLq8Pz0aW3", 12));
        assert!(!looks_random(b"aaaaaaaaaaaaaaaa", 12));
        assert!(!looks_random(b"short1A", 12));
        assert!(!looks_random(b"lowercaseonlyword", 12));
    }

    #[test]
    fn basic_credentials() {
        assert!(is_basic_credential(b"YWRtaW46c2VjcmV0")); // admin:secret
        assert!(!is_basic_credential(b"aW5mb3JtYXRpb24=")); // information
        assert!(!is_basic_credential(b"authentication"));
    }

    #[test]
    fn truncated_pem_body() {
        let t = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0123456789abcdef\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldY\n2024-01-01 next line";
        let e = pem_body_end(t, 31);
        assert_eq!(&t[e..e + 1], b"\n");
        assert!(t[..e].ends_with(b"VldY"));
    }
}
