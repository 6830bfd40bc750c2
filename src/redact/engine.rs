//! The matching engine over bytes: one Aho-Corasick pass over the rules' keywords picks
//! the rules to run (a text with no keyword does no regex work and allocates nothing),
//! each selected rule yields candidates, overlaps are merged deterministically, and the
//! merged ranges are rendered as placeholders.

use std::borrow::Cow;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use hmac::{Hmac, Mac};
use regex::bytes::{CaptureLocations, Regex};
use sha2::Sha256;

use crate::redact::literals::{check_value, EnvValues, NameSet};
use crate::redact::rules::{self, Extract, KindSpec, RuleDef, RULES};
use crate::redact::value;

/// A PEM block longer than this without its END marker is redacted as truncated.
pub(crate) const PEM_MAX: usize = 64 * 1024;

/// Rejected assignment values up to this long are searched again for keys.
const MAX_RESCAN_VALUE: usize = 256;

/// Prefilter bit that marks "the text already contains placeholders".
const PLACEHOLDER_BIT: u64 = 1 << 63;

/// A secret range found in the input, before or after merging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub start: usize,
    pub end: usize,
    pub kind: Cow<'static, str>,
    pub priority: u8,
    /// Tie-break between equal priorities: lower wins (rule table order).
    pub order: u16,
    /// Where the evidence starts (the key of an assignment), for the placeholder filter.
    pub ctx: usize,
}

impl Candidate {
    pub(crate) fn new(
        start: usize,
        end: usize,
        kind: Cow<'static, str>,
        priority: u8,
        order: u16,
    ) -> Self {
        Self {
            ctx: start,
            start,
            end,
            kind,
            priority,
            order,
        }
    }
    pub(crate) fn with_ctx(mut self, ctx: usize) -> Self {
        self.ctx = ctx;
        self
    }
}

/// A rule and its regex, compiled the first time its keywords are seen: a
/// one-shot process (`warden hook`, `warden check`) pays only for the rules
/// its input needs.
struct CompiledRule {
    def: RuleDef,
    pattern: String,
    re: OnceLock<(Regex, bool)>,
}

impl CompiledRule {
    /// The regex and whether it has a capture group.
    fn re(&self) -> &(Regex, bool) {
        self.re.get_or_init(|| {
            let re = compile(self.def.id, &self.pattern);
            let has_group = re.captures_len() > 1;
            (re, has_group)
        })
    }
}

/// A constant regex compiled on first use.
struct LazyRegex {
    id: &'static str,
    pattern: &'static str,
    re: OnceLock<Regex>,
}

impl LazyRegex {
    const fn new(id: &'static str, pattern: &'static str) -> Self {
        Self {
            id,
            pattern,
            re: OnceLock::new(),
        }
    }

    fn get(&self) -> &Regex {
        self.re.get_or_init(|| compile(self.id, self.pattern))
    }
}

/// Compiled rules, prefilter and the caller's env snapshot. Immutable after construction.
pub(crate) struct Engine {
    rules: Vec<CompiledRule>,
    prefilter: AhoCorasick,
    /// Rule bitmask per prefilter pattern.
    masks: Vec<u64>,
    pem_end: LazyRegex,
    /// BEGIN or END marker of a private key, for the stream's hold logic.
    pem_marker: LazyRegex,
    placeholder: LazyRegex,
    env_values: Option<EnvValues>,
    hmac: Option<Hmac<Sha256>>,
}

fn compile(id: &str, pattern: &str) -> Regex {
    // The patterns are constants of this module; `compiles_every_rule` pins them, so
    // this cannot fail at run time.
    match Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => panic!("built-in redaction pattern {id} must compile: {e}"),
    }
}

impl Engine {
    pub(crate) fn new(env_values: &[(String, String)], hmac_key: Option<&[u8]>) -> Self {
        Self::with_prefilter(env_values, hmac_key, AhoCorasickKind::DFA)
    }

    /// Like [`Engine::new`] with a cheaper-to-build keyword automaton, for a
    /// process that redacts a few kilobytes and exits (a DFA build costs more
    /// than it saves there).
    pub(crate) fn one_shot(env_values: &[(String, String)], hmac_key: Option<&[u8]>) -> Self {
        Self::with_prefilter(env_values, hmac_key, AhoCorasickKind::ContiguousNFA)
    }

    fn with_prefilter(
        env_values: &[(String, String)],
        hmac_key: Option<&[u8]>,
        kind: AhoCorasickKind,
    ) -> Self {
        let known_pattern = rules::known_names_pattern();
        let known_keywords: Vec<String> = rules::KNOWN_NAMES
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        let mut keywords: Vec<String> = Vec::new();
        let mut masks: Vec<u64> = Vec::new();
        let mut add_keyword = |kw: &str, bit: u64| {
            let kw = kw.to_ascii_lowercase();
            match keywords.iter().position(|k| *k == kw) {
                Some(i) => masks[i] |= bit,
                None => {
                    keywords.push(kw);
                    masks.push(bit);
                }
            }
        };
        let mut compiled = Vec::with_capacity(RULES.len());
        for (i, def) in RULES.iter().enumerate() {
            let bit = 1u64 << i;
            let pattern = if def.kind == KindSpec::KnownName {
                for kw in &known_keywords {
                    add_keyword(kw, bit);
                }
                known_pattern.clone()
            } else {
                for kw in def.keywords {
                    add_keyword(kw, bit);
                }
                def.pattern.to_string()
            };
            compiled.push(CompiledRule {
                def: *def,
                pattern,
                re: OnceLock::new(),
            });
        }
        add_keyword("[REDACTED:", PLACEHOLDER_BIT);
        // A keyword's mask covers the keywords that are its prefixes (see `keyword_mask`).
        let snapshot = masks.clone();
        for (i, kw) in keywords.iter().enumerate() {
            for (j, other) in keywords.iter().enumerate() {
                if i != j && kw.starts_with(other.as_str()) {
                    masks[i] |= snapshot[j];
                }
            }
        }
        let prefilter = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(kind))
            .build(&keywords)
            // A few hundred bytes of constant keywords; `compiles_every_rule` pins it.
            .expect("keyword prefilter must build");
        let hmac = hmac_key.and_then(|k| Hmac::<Sha256>::new_from_slice(k).ok());
        Self {
            rules: compiled,
            prefilter,
            masks,
            pem_end: LazyRegex::new(
                "pem-end",
                r"(?-u)-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----",
            ),
            pem_marker: LazyRegex::new(
                "pem-marker",
                r"(?-u)-----(?:BEGIN|END)[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----",
            ),
            placeholder: LazyRegex::new(
                "placeholder",
                r"(?-u)\[REDACTED:[A-Za-z0-9_.\-]+(?::[0-9a-f]{8})?\]",
            ),
            env_values: EnvValues::new(env_values),
            hmac,
        }
    }

    pub(crate) fn env_value_count(&self) -> usize {
        self.env_values.as_ref().map_or(0, EnvValues::len)
    }

    pub(crate) fn has_hmac(&self) -> bool {
        self.hmac.is_some()
    }

    /// Whether a private key block is open after `seg`, given whether it was before.
    pub(crate) fn pem_open_after(&self, seg: &[u8], open_before: bool) -> bool {
        match self.pem_marker.get().find_iter(seg).last() {
            Some(m) => seg.get(m.start() + 5) == Some(&b'B'),
            None => open_before,
        }
    }

    /// End offset of the first private key END marker in `seg`.
    pub(crate) fn pem_end_in(&self, seg: &[u8]) -> Option<usize> {
        self.pem_end.get().find(seg).map(|m| m.end())
    }

    /// All secrets in `hay`, merged, sorted, non-overlapping. `extra` are candidates
    /// found by the caller (JSON key context). Allocates only when something matched.
    pub(crate) fn scan(
        &self,
        hay: &[u8],
        names: Option<&NameSet>,
        extra: Vec<Candidate>,
    ) -> Vec<Candidate> {
        let mut cands = extra;
        let mask = self.keyword_mask(hay);
        let mut bits = mask & !PLACEHOLDER_BIT;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            self.run_rule(i, hay, &mut cands);
        }
        if let Some(ev) = &self.env_values {
            ev.find(hay, &mut cands);
        }
        if let Some(ns) = names {
            ns.find(hay, &mut cands);
        }
        if cands.is_empty() {
            return cands;
        }
        if mask & PLACEHOLDER_BIT != 0 {
            let spans: Vec<(usize, usize)> = self
                .placeholder
                .get()
                .find_iter(hay)
                .map(|m| (m.start(), m.end()))
                .collect();
            // nothing inside an existing placeholder, nor keyed by text inside one
            // (`[REDACTED:STRIPE_KEY]: x` is not a `STRIPE_KEY:` assignment)
            cands.retain(|c| {
                !spans
                    .iter()
                    .any(|&(s, e)| (c.start >= s && c.end <= e) || (c.ctx >= s && c.ctx < e))
            });
        }
        resolve(cands)
    }

    /// Rules whose keywords occur in `hay`. Leftmost-longest search (which, unlike
    /// overlapping search, can use the automaton's SIMD prefilter) restarted one byte
    /// after each match start; since every keyword's mask includes the masks of the
    /// keywords that are its prefixes, this sees the same keywords as overlapping search.
    fn keyword_mask(&self, hay: &[u8]) -> u64 {
        let all = (1u64 << self.rules.len()) - 1;
        let mut mask = 0u64;
        let mut pos = 0;
        while pos < hay.len() {
            let Ok(found) = self
                .prefilter
                .try_find(Input::new(hay).span(pos..hay.len()))
            else {
                return all | PLACEHOLDER_BIT; // cannot happen: the automaton is leftmost; be conservative
            };
            let Some(m) = found else { break };
            mask |= self.masks[m.pattern().as_usize()];
            if mask & all == all {
                return all | PLACEHOLDER_BIT;
            }
            pos = m.start() + 1;
        }
        mask
    }

    fn run_rule(&self, idx: usize, hay: &[u8], out: &mut Vec<Candidate>) {
        let rule = &self.rules[idx];
        let (re, has_group) = rule.re();
        let order = u16::try_from(idx).unwrap_or(u16::MAX);
        let mut locs = re.capture_locations();
        let mut pos = 0;
        while pos <= hay.len() {
            let (ms, me) = if *has_group {
                match re.captures_read_at(&mut locs, hay, pos) {
                    Some(m) => (m.start(), m.end()),
                    None => break,
                }
            } else {
                match re.find_at(hay, pos) {
                    Some(m) => (m.start(), m.end()),
                    None => break,
                }
            };
            pos = if me > ms { me } else { me + 1 };
            let mut ctx = None;
            let (s, e, kind) = match rule.def.extract {
                Extract::Shape => {
                    let (s, e) = group1(&locs, *has_group).unwrap_or((ms, me));
                    let ok = (!rule.def.bounded || value::bounded(hay, s, e))
                        && check_value(rule.def.check, &hay[s..e], &[]);
                    if !ok {
                        // a rejected match must not hide a real one that overlaps it
                        pos = ms + 1;
                        continue;
                    }
                    (s, e, kind_of(rule.def.kind, &[]))
                }
                Extract::Assign => {
                    let key_span = group1(&locs, *has_group).unwrap_or((ms, ms));
                    if value::in_url_userinfo(hay, key_span.0) {
                        continue; // `https://x-access-token:…@host`: the userinfo rule owns it
                    }
                    let key = &hay[key_span.0..key_span.1];
                    ctx = Some(key_span.0);
                    let Some((s, e)) = value::parse_value(hay, me) else {
                        continue;
                    };
                    let kind = kind_of(rule.def.kind, key);
                    if kind.is_none() || !check_value(rule.def.check, &hay[s..e], key) {
                        // `token= x-api-key: …`: a rejected short value may hold the real
                        // key; long ones are skipped so adversarial input stays linear
                        if e - s > MAX_RESCAN_VALUE {
                            pos = pos.max(e);
                        }
                        continue;
                    }
                    pos = pos.max(e);
                    (s, e, kind)
                }
                Extract::Pem => {
                    let window = &hay[me..hay.len().min(me + PEM_MAX)];
                    let e = match self.pem_end.get().find(window) {
                        Some(end) => me + end.end(),
                        None => value::pem_body_end(hay, me),
                    };
                    pos = pos.max(e);
                    (ms, e, kind_of(rule.def.kind, &[]))
                }
            };
            if let Some(kind) = kind {
                let c = Candidate::new(s, e, Cow::Borrowed(kind), rule.def.priority, order);
                out.push(c.with_ctx(ctx.unwrap_or(s)));
            }
        }
    }

    /// Writes `hay` with every group replaced by its placeholder.
    pub(crate) fn render(&self, hay: &[u8], groups: &[Candidate], out: &mut Vec<u8>) {
        let mut last = 0;
        for g in groups {
            out.extend_from_slice(&hay[last..g.start]);
            self.placeholder_into(&g.kind, &hay[g.start..g.end], out);
            last = g.end;
        }
        out.extend_from_slice(&hay[last..]);
    }

    /// `[REDACTED:KIND]`, or `[REDACTED:KIND:xxxxxxxx]` (HMAC-SHA256 prefix) in keyed mode.
    pub(crate) fn placeholder_into(&self, kind: &str, secret: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(b"[REDACTED:");
        out.extend_from_slice(kind.as_bytes());
        if let Some(mac) = &self.hmac {
            let mut mac = mac.clone();
            mac.update(secret);
            let tag = mac.finalize().into_bytes();
            out.push(b':');
            out.extend_from_slice(hex::encode(&tag[..4]).as_bytes());
        }
        out.push(b']');
    }
}

fn group1(locs: &CaptureLocations, has_group: bool) -> Option<(usize, usize)> {
    if has_group {
        locs.get(1)
    } else {
        None
    }
}

fn kind_of(spec: KindSpec, key: &[u8]) -> Option<&'static str> {
    match spec {
        KindSpec::Fixed(k) => Some(k),
        KindSpec::KnownName => rules::known_kind(key),
    }
}

/// Merges overlapping candidates into one range each. The merged range is the union
/// (no byte of any candidate survives); its kind is the candidate with the highest
/// priority, then the longest, then the earliest rule. Output sorted by start.
pub(crate) fn resolve(mut cands: Vec<Candidate>) -> Vec<Candidate> {
    cands.retain(|c| c.start < c.end);
    cands.sort_unstable_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(b.priority.cmp(&a.priority))
            .then(a.order.cmp(&b.order))
    });
    let mut out: Vec<Candidate> = Vec::with_capacity(cands.len());
    let mut best_len: Vec<usize> = Vec::with_capacity(cands.len());
    for c in cands {
        let len = c.end - c.start;
        match (out.last_mut(), best_len.last_mut()) {
            (Some(g), Some(bl)) if c.start < g.end => {
                let better = (c.priority, len, std::cmp::Reverse(c.order))
                    > (g.priority, *bl, std::cmp::Reverse(g.order));
                g.end = g.end.max(c.end);
                if better {
                    g.kind = c.kind;
                    g.priority = c.priority;
                    g.order = c.order;
                    *bl = len;
                }
            }
            _ => {
                best_len.push(len);
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_every_rule() {
        let e = Engine::new(&[], None);
        assert_eq!(e.rules.len(), RULES.len());
        // Compiled lazily in use; every pattern must compile all the same.
        for rule in &e.rules {
            rule.re();
        }
        for lazy in [&e.pem_end, &e.pem_marker, &e.placeholder] {
            lazy.get();
        }
        assert!(
            RULES.len() < 63,
            "rule bitmask is a u64 with one bit reserved"
        );
    }

    #[test]
    fn every_kind_is_listed() {
        for r in RULES {
            if let KindSpec::Fixed(k) = r.kind {
                assert!(rules::KINDS.contains(&k), "{k}");
            }
        }
        for (_, k) in rules::KNOWN_NAMES {
            assert!(rules::KINDS.contains(k), "{k}");
        }
    }

    #[test]
    fn merge_is_union_with_most_specific_kind() {
        let c = |s, e, k: &'static str, p, o| Candidate::new(s, e, Cow::Borrowed(k), p, o);
        let got = resolve(vec![
            c(5, 10, "A", 1, 0),
            c(0, 3, "B", 0, 1),
            c(5, 10, "C", 3, 2),
            c(8, 12, "D", 0, 3),
        ]);
        assert_eq!(got, vec![c(0, 3, "B", 0, 1), c(5, 12, "C", 3, 2)]);
    }
}

#[cfg(test)]
mod one_shot_tests {
    use crate::redact::{Redactor, RedactorConfig};

    #[test]
    fn one_shot_prefilter_redacts_exactly_like_the_dfa() {
        let cfg = || RedactorConfig {
            hmac_key: None,
            env_values: vec![(
                "DATABASE_URL".into(),
                "postgres://u:pw-0123456789@db/x".into(),
            )],
        };
        let (dfa, nfa) = (Redactor::new(cfg()), Redactor::one_shot(cfg()));
        let names = vec!["DATABASE_URL".to_string()];
        for text in [
            "ls -la",
            "export OPENAI_API_KEY=sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",
            "curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345' https://x.io",
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and AKIAIOSFODNN7EXAMPLE",
            "url=postgres://u:pw-0123456789@db/x PASSWORD=hunter2hunter2 [REDACTED:X]",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        ] {
            let (a, b) = (
                dfa.redact_env_vars(text, &names),
                nfa.redact_env_vars(text, &names),
            );
            assert_eq!(a, b, "{text}");
        }
    }
}
