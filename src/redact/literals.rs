//! Caller-supplied literals: the snapshot of env values to redact wherever they occur,
//! and the variable names whose assignments `redact_env_vars` treats as secrets. Both
//! are searched with one Aho-Corasick automaton (leftmost-longest), with a naive
//! fallback should the automaton ever refuse to build, so construction never fails.

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, Input, MatchKind};

use crate::redact::engine::Candidate;
use crate::redact::rules::{prio, Check};
use crate::redact::value;

/// Env values shorter than this are too likely to occur by chance to redact everywhere.
pub(crate) const MIN_ENV_VALUE_LEN: usize = 8;

enum Searcher {
    Ac(AhoCorasick),
    Naive { pats: Vec<Vec<u8>>, ci: bool },
}

/// A set of literals searched leftmost-longest.
struct LiteralSet {
    searcher: Searcher,
}

impl LiteralSet {
    fn new(pats: Vec<Vec<u8>>, case_insensitive: bool) -> Self {
        let built = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(case_insensitive)
            .build(&pats);
        let searcher = match built {
            Ok(ac) => Searcher::Ac(ac),
            Err(_) => Searcher::Naive {
                pats,
                ci: case_insensitive,
            },
        };
        Self { searcher }
    }

    /// Leftmost-longest match at or after `pos`: (pattern index, start, end).
    fn find_at(&self, hay: &[u8], pos: usize) -> Option<(usize, usize, usize)> {
        if pos > hay.len() {
            return None;
        }
        match &self.searcher {
            Searcher::Ac(ac) => {
                let m = ac.try_find(Input::new(hay).span(pos..hay.len())).ok()??;
                Some((m.pattern().as_usize(), m.start(), m.end()))
            }
            Searcher::Naive { pats, ci } => {
                let mut best: Option<(usize, usize, usize)> = None;
                for (i, p) in pats.iter().enumerate() {
                    if p.is_empty() {
                        continue;
                    }
                    let found = hay[pos..].windows(p.len()).position(|w| {
                        if *ci {
                            w.eq_ignore_ascii_case(p)
                        } else {
                            w == p.as_slice()
                        }
                    });
                    if let Some(off) = found {
                        let (s, e) = (pos + off, pos + off + p.len());
                        if best.is_none_or(|(_, bs, be)| s < bs || (s == bs && e > be)) {
                            best = Some((i, s, e));
                        }
                    }
                }
                best
            }
        }
    }
}

/// The caller's env snapshot: each value (≥ 8 bytes) redacted wherever it appears.
pub(crate) struct EnvValues {
    set: LiteralSet,
    kinds: Vec<Cow<'static, str>>,
}

impl EnvValues {
    pub(crate) fn new(values: &[(String, String)]) -> Option<Self> {
        let mut pats = Vec::new();
        let mut kinds = Vec::new();
        for (name, v) in values {
            if v.len() >= MIN_ENV_VALUE_LEN && !name.is_empty() {
                pats.push(v.as_bytes().to_vec());
                kinds.push(Cow::Owned(name.clone()));
            }
        }
        (!pats.is_empty()).then(|| Self {
            set: LiteralSet::new(pats, false),
            kinds,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.kinds.len()
    }

    pub(crate) fn find(&self, hay: &[u8], out: &mut Vec<Candidate>) {
        let mut pos = 0;
        while let Some((i, s, e)) = self.set.find_at(hay, pos) {
            out.push(Candidate::new(
                s,
                e,
                self.kinds[i].clone(),
                prio::ENV_VALUE,
                u16::MAX,
            ));
            pos = e;
        }
    }
}

/// Variable names whose `NAME=value` / `NAME: value` / `"NAME": "value"` assignments
/// are secrets of kind `NAME`, as whole words. In free text a name matches as
/// given, all upper case or all lower case (`OPENAI_API_KEY`, `openai_api_key`):
/// a case-sensitive automaton keeps its SIMD prefilter, which a case-insensitive
/// one loses (that scan was a third of the CLI's time). JSON keys match in any case.
pub struct NameSet {
    set: Option<LiteralSet>,
    names: Vec<String>,
    /// Pattern index → index into `names` (each name has up to three spellings).
    owner: Vec<usize>,
}

impl NameSet {
    pub(crate) fn new(names: &[String]) -> Self {
        let names: Vec<String> = names.iter().filter(|n| !n.is_empty()).cloned().collect();
        let mut pats: Vec<Vec<u8>> = Vec::new();
        let mut owner = Vec::new();
        for (i, name) in names.iter().enumerate() {
            for spelling in [
                name.clone(),
                name.to_ascii_uppercase(),
                name.to_ascii_lowercase(),
            ] {
                let bytes = spelling.into_bytes();
                if !pats.contains(&bytes) {
                    pats.push(bytes);
                    owner.push(i);
                }
            }
        }
        let set = (!pats.is_empty()).then(|| LiteralSet::new(pats, false));
        Self { set, names, owner }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name equal (ignoring ASCII case) to `key`, if any.
    pub(crate) fn lookup(&self, key: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(key))
            .map(String::as_str)
    }

    pub(crate) fn find(&self, hay: &[u8], out: &mut Vec<Candidate>) {
        let Some(set) = &self.set else { return };
        let mut pos = 0;
        while let Some((i, s, e)) = set.find_at(hay, pos) {
            pos = e;
            let glued = s > 0 && value::is_word(hay[s - 1]);
            if glued || hay.get(e).is_some_and(|&b| value::is_word(b)) {
                continue;
            }
            let Some(vs) = value::after_key(hay, e) else {
                continue;
            };
            let Some((a, b)) = value::parse_value(hay, vs) else {
                continue;
            };
            pos = b;
            if check_value(Check::NotPlaceholder(1), &hay[a..b], &[]) {
                let kind = Cow::Owned(self.names[self.owner[i]].clone());
                out.push(Candidate::new(a, b, kind, prio::NAMED_ENV, u16::MAX - 1).with_ctx(s));
            }
        }
    }
}

/// Applies a rule's [`Check`] to a candidate value (`key` is the matched key word, if any).
pub(crate) fn check_value(check: Check, v: &[u8], key: &[u8]) -> bool {
    match check {
        Check::None => true,
        Check::NotPlaceholder(min) => v.len() >= min && !value::is_placeholder(v),
        Check::Random(min) => value::looks_random(v, min),
        Check::Password => {
            let is_dir =
                key.eq_ignore_ascii_case(b"pwd") && matches!(v.first(), Some(b'/' | b'~' | b'.'));
            !is_dir && !value::is_placeholder(v) && !v.starts_with(b"-")
        }
        Check::BasicCredential => value::is_basic_credential(v),
    }
}

#[cfg(test)]
mod name_spelling_tests {
    use super::NameSet;

    fn kinds(names: &NameSet, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        names.find(text.as_bytes(), &mut out);
        out.into_iter().map(|c| c.kind.to_string()).collect()
    }

    #[test]
    fn names_match_as_given_upper_and_lower_case() {
        let names = NameSet::new(&["Db_Secret".to_string()]);
        for text in [
            "Db_Secret=abcdef123456",
            "DB_SECRET=abcdef123456",
            "db_secret: abcdef123456",
        ] {
            assert_eq!(kinds(&names, text), vec!["Db_Secret"], "{text}");
        }
        assert!(kinds(&names, "dB_sEcReT=abcdef123456").is_empty());
        assert!(
            kinds(&names, "MY_DB_SECRET=abcdef123456").is_empty(),
            "whole words only"
        );
    }
}
