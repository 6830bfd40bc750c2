//! Table-driven tests for the network policy (URL bypass families, allowlist semantics).

use super::*;

const LIST: &[&str] = &[
    "api.openai.com",
    "*.github.com",
    "example.com",
    "Bücher.example",
];

fn policy(entries: &[&str]) -> NetworkPolicy {
    let entries: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
    NetworkPolicy::new(&entries).unwrap()
}

/// (url, allowlist, expected allowed, expected rule)
type Case = (&'static str, &'static [&'static str], bool, &'static str);

const OK: &str = "allow.default";
const NOT_LISTED: &str = "network.not_allowlisted";
const PRIVATE: &str = "network.private_address";
const META: &str = "network.metadata";
const SCHEME: &str = "network.scheme";
const USERINFO: &str = "network.userinfo";
const HOMOGLYPH: &str = "network.homoglyph";
const INVALID: &str = "network.invalid_url";

#[rustfmt::skip]
const URL_CASES: &[Case] = &[
    // Plain allowlist hits and misses.
    ("https://api.openai.com/v1/chat", LIST, true, OK),
    ("https://API.OpenAI.COM/v1", LIST, true, OK),
    ("https://api.openai.com./v1", LIST, true, OK),
    ("https://api.openai.com:8443/", LIST, true, OK),
    ("api.openai.com", LIST, true, OK),
    ("api.openai.com/v1/models?x=1", LIST, true, OK),
    ("http:api.openai.com", LIST, true, OK),
    ("https://evil.com/", LIST, false, NOT_LISTED),
    ("https://api.openai.com.evil.net/", LIST, false, NOT_LISTED),
    ("https://evilapi.openai.com/", LIST, false, NOT_LISTED),
    ("https://openai.com/", LIST, false, NOT_LISTED),
    ("https://example.com/", &[], false, NOT_LISTED),
    // Wildcards.
    ("https://raw.github.com/x", LIST, true, OK),
    ("https://a.b.github.com/", LIST, true, OK),
    ("https://github.com/", LIST, false, NOT_LISTED),
    ("https://badgithub.com/", LIST, false, NOT_LISTED),
    ("https://github.com.evil.net/", LIST, false, NOT_LISTED),
    ("https://x.github.com.evil.net/", LIST, false, NOT_LISTED),
    // Schemes.
    ("file:///etc/passwd", LIST, false, SCHEME),
    ("gopher://example.com:70/_evil", LIST, false, SCHEME),
    ("ftp://example.com/", LIST, false, SCHEME),
    ("data:text/plain,hi", LIST, false, SCHEME),
    ("javascript:alert(1)", LIST, false, SCHEME),
    ("ws://example.com/", LIST, false, SCHEME),
    ("dict://example.com:11211/", LIST, false, SCHEME),
    ("jar:http://example.com!/", LIST, false, SCHEME),
    // Userinfo confusion.
    ("http://api.openai.com@evil.com/", LIST, false, USERINFO),
    ("http://user:pass@example.com/", LIST, false, USERINFO),
    ("http://@example.com/", LIST, false, USERINFO),
    ("http://:@example.com/", LIST, false, USERINFO),
    ("api.openai.com@evil.com", LIST, false, USERINFO),
    ("https://example.com:443@evil.com/", LIST, false, USERINFO),
    // Parser-differential text.
    ("http://example.com\\@evil.com/", LIST, false, INVALID),
    ("http://exa\tmple.com/", LIST, false, INVALID),
    ("http://example.com/\n", LIST, false, INVALID),
    (" https://example.com/", LIST, false, INVALID),
    ("", LIST, false, INVALID),
    ("//example.com/", LIST, false, INVALID),
    ("http://", LIST, false, INVALID),
    ("http://1.2.3.4.5/", LIST, false, INVALID),
    ("http://exa mple.com/", LIST, false, INVALID),
    // IPv4 loopback / private in many spellings.
    ("http://127.0.0.1/", LIST, false, PRIVATE),
    ("http://127.1/", LIST, false, PRIVATE),
    ("http://2130706433/", LIST, false, PRIVATE),
    ("http://0x7f.1/", LIST, false, PRIVATE),
    ("http://0x7f000001/", LIST, false, PRIVATE),
    ("http://017700000001/", LIST, false, PRIVATE),
    ("http://0177.0.0.1/", LIST, false, PRIVATE),
    ("http://127.0.0.1./", LIST, false, PRIVATE),
    ("http://%31%32%37.0.0.1/", LIST, false, PRIVATE),
    ("http://0.0.0.0:8080/", LIST, false, PRIVATE),
    ("http://0/", LIST, false, PRIVATE),
    ("http://10.0.0.5/", LIST, false, PRIVATE),
    ("http://172.16.3.4/", LIST, false, PRIVATE),
    ("http://192.168.0.1/", LIST, false, PRIVATE),
    ("http://169.254.10.10/", LIST, false, PRIVATE),
    ("http://100.64.1.1/", LIST, false, PRIVATE),
    ("http://255.255.255.255/", LIST, false, PRIVATE),
    ("http://224.0.0.251/", LIST, false, PRIVATE),
    ("http://localhost:3000/", LIST, false, PRIVATE),
    ("localhost:8080", LIST, false, PRIVATE),
    ("http://LOCALHOST./", LIST, false, PRIVATE),
    ("http://app.localhost/", LIST, false, PRIVATE),
    // IPv6.
    ("http://[::1]/", LIST, false, PRIVATE),
    ("http://[::]/", LIST, false, PRIVATE),
    ("http://[::ffff:127.0.0.1]/", LIST, false, PRIVATE),
    ("http://[::ffff:7f00:1]/", LIST, false, PRIVATE),
    ("http://[::ffff:10.1.2.3]/", LIST, false, PRIVATE),
    ("http://[64:ff9b::127.0.0.1]/", LIST, false, PRIVATE),
    ("http://[fc00::1]/", LIST, false, PRIVATE),
    ("http://[fd12::1]:8080/", LIST, false, PRIVATE),
    ("http://[fe80::1]/", LIST, false, PRIVATE),
    ("http://[ff02::1]/", LIST, false, PRIVATE),
    // Cloud metadata.
    ("http://169.254.169.254/latest/meta-data/", LIST, false, META),
    ("http://2852039166/", LIST, false, META),
    ("http://0xa9.0xfe.0xa9.0xfe/", LIST, false, META),
    ("http://[::ffff:169.254.169.254]/", LIST, false, META),
    ("http://[fd00:ec2::254]/", LIST, false, META),
    ("http://metadata.google.internal/computeMetadata/v1/", LIST, false, META),
    ("http://METADATA.google.internal./", LIST, false, META),
    ("http://metadata.google.internal/", &["*.google.internal"], false, META),
    ("http://100.100.100.200/", LIST, false, META),
    // Explicit exact allowlisting of restricted addresses.
    ("http://127.0.0.1:8080/", &["127.0.0.1"], true, OK),
    ("http://0x7f.1/", &["127.0.0.1"], true, OK),
    ("http://[::1]/", &["[::1]"], true, OK),
    ("http://[::1]/", &["::1"], true, OK),
    ("http://localhost/", &["localhost"], true, OK),
    ("http://169.254.169.254/", &["169.254.169.254"], true, OK),
    ("http://169.254.169.254/", &["127.0.0.1"], false, META),
    // Public IP literals follow the allowlist.
    ("http://8.8.8.8/", LIST, false, NOT_LISTED),
    ("http://8.8.8.8/", &["8.8.8.8"], true, OK),
    ("http://[2606:4700:4700::1111]/", &["2606:4700:4700::1111"], true, OK),
    // Homoglyphs / punycode.
    ("https://аpi.openai.com/", LIST, false, HOMOGLYPH),
    ("https://xn--pi-6kc.openai.com/", LIST, false, HOMOGLYPH),
    ("https://gіthub.com/", LIST, false, HOMOGLYPH),
    ("https://raw.gіthub.com/", LIST, false, HOMOGLYPH),
    ("https://xn--80ak6aa92e.com/", LIST, false, HOMOGLYPH),
    ("https://аррӏе.com/", LIST, false, HOMOGLYPH),
    ("https://xn--bcher-kva.example/", LIST, true, OK),
    ("https://BÜCHER.example/", LIST, true, OK),
    ("https://a.xn--bcher-kva.example/", &["*.xn--bcher-kva.example"], true, OK),
    ("https://xn--bcher-kva.github.com/", LIST, false, HOMOGLYPH),
    // Unicode that IDNA maps to ASCII is judged by its ASCII form.
    ("https://ⓔxample.com/", LIST, true, OK),
    ("https://ｅｘａｍｐｌｅ.com/", LIST, true, OK),
];

#[test]
fn url_table() {
    assert!(URL_CASES.len() >= 40);
    for (url, list, allowed, rule) in URL_CASES {
        let d = policy(list).check_url(url);
        assert_eq!(
            (d.allowed, d.rule.as_str()),
            (*allowed, *rule),
            "url {url:?} allowlist {list:?}: {}",
            d.reason
        );
        assert!(!d.requires_approval, "{url}");
        if d.allowed {
            assert_eq!(d.reason, "Action allowed by policy", "{url}");
        }
    }
}

#[rustfmt::skip]
const HOST_CASES: &[Case] = &[
    ("api.openai.com", LIST, true, OK),
    ("api.openai.com:443", LIST, true, OK),
    ("API.OPENAI.COM.", LIST, true, OK),
    ("raw.github.com", LIST, true, OK),
    ("github.com", LIST, false, NOT_LISTED),
    ("evil.com", LIST, false, NOT_LISTED),
    ("::1", LIST, false, PRIVATE),
    ("[::1]:8080", LIST, false, PRIVATE),
    ("2130706433", LIST, false, PRIVATE),
    ("169.254.169.254", LIST, false, META),
    ("api.openai.com@evil.com", LIST, false, USERINFO),
    ("evil.com/path", LIST, false, INVALID),
    ("evil.com#.api.openai.com", LIST, false, INVALID),
    ("evil.com%2f", LIST, false, INVALID),
    ("", LIST, false, INVALID),
    ("exa mple.com", LIST, false, INVALID),
    ("gіthub.com", LIST, false, HOMOGLYPH),
];

#[test]
fn host_table() {
    for (host, list, allowed, rule) in HOST_CASES {
        let d = policy(list).check_host(host);
        assert_eq!(
            (d.allowed, d.rule.as_str()),
            (*allowed, *rule),
            "host {host:?}: {}",
            d.reason
        );
    }
}

#[test]
fn reasons_name_the_parsed_host() {
    let p = policy(LIST);
    let cases = [
        (
            "https://evil.com/x",
            "Host 'evil.com' is not in the network allowlist",
        ),
        (
            "http://EVIL.com./",
            "Host 'evil.com' is not in the network allowlist",
        ),
        (
            "http://api.openai.com@evil.com/",
            "the real host is 'evil.com'",
        ),
        ("http://0x7f.1/", "Host '127.0.0.1' is a loopback address"),
        ("http://[::ffff:7f00:1]/", "Host '::ffff:127.0.0.1'"),
        ("https://аpi.openai.com/", "homoglyph"),
        ("https://аpi.openai.com/", "аpi.openai.com"),
        ("gopher://x/", "Scheme 'gopher' is not allowed"),
    ];
    for (url, needle) in cases {
        let reason = p.check_url(url).reason;
        assert!(reason.contains(needle), "{url}: {reason}");
    }
    let reason = policy(&[]).check_url("https://example.com/").reason;
    assert!(reason.contains("allowlist is empty"), "{reason}");
}

#[test]
fn allowlist_entry_validation() {
    let good = [
        "example.com",
        "EXAMPLE.com.",
        "*.example.com",
        "127.0.0.1",
        "[::1]",
        "::1",
        "bücher.example",
        "*.bücher.example",
        "localhost",
    ];
    for entry in good {
        assert!(NetworkPolicy::new(&[entry.to_string()]).is_ok(), "{entry}");
    }
    let bad = [
        "",
        "  ",
        "*",
        "*.",
        "*example.com",
        "a.*.example.com",
        "*.*.example.com",
        "example.com:443",
        "example.com:",
        "https://example.com",
        "example.com/path",
        "user@example.com",
        "exa mple.com",
        "*.127.0.0.1",
        "*.[::1]",
        "ex\tample.com",
    ];
    for entry in bad {
        let err = NetworkPolicy::new(&["ok.com".to_string(), entry.to_string()]).unwrap_err();
        assert!(err.contains("entry 1"), "{entry:?}: {err}");
    }
}

#[test]
fn wildcard_semantics() {
    let p = policy(&["*.example.com"]);
    let cases = [
        ("a.example.com", true),
        ("a.b.example.com", true),
        ("example.com", false),
        ("badexample.com", false),
        ("example.com.evil.net", false),
        ("a.example.com.evil.net", false),
        ("aexample.com", false),
        (".example.com", false),
    ];
    for (host, want) in cases {
        assert_eq!(p.wildcard_suffix(host).is_some(), want, "{host}");
    }
}

#[test]
fn resolved_address_table() {
    let p = policy(&["*.example.com", "internal.corp", "10.0.0.7"]);
    // (host, resolved ip, allowed)
    let cases = [
        ("a.example.com", "93.184.216.34", true),
        ("a.example.com", "127.0.0.1", false),
        ("a.example.com", "169.254.169.254", false),
        ("a.example.com", "::ffff:10.0.0.1", false),
        ("a.example.com", "10.0.0.7", true),
        ("internal.corp", "10.1.2.3", true),
        ("INTERNAL.corp.", "10.1.2.3", true),
    ];
    for (host, ip, allowed) in cases {
        let d = p.check_resolved(host, ip.parse().unwrap());
        assert_eq!(d.allowed, allowed, "{host} -> {ip}: {}", d.reason);
    }
}
