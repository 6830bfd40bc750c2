//! Table-driven tests for every kind: each secret in several syntaxes (env assignment,
//! JSON, YAML, URL, header, key=value) must become exactly `[REDACTED:KIND]` with every
//! other byte kept, and near-miss negatives must come through untouched.

use crate::redact::{kinds, Redactor, RedactorConfig};

/// Deterministic pseudo-random token material (xorshift), so fixtures are reproducible
/// and no real-looking credential is committed.
pub(crate) fn rnd(seed: u64, n: usize, alphabet: &[u8]) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(alphabet[(x % alphabet.len() as u64) as usize])
        })
        .collect()
}

pub(crate) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const URLSAFE: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const UPPER_DIGIT: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";
const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub(crate) struct Case {
    pub kind: &'static str,
    pub secrets: Vec<String>,
    /// `{S}` marks the secret.
    pub templates: &'static [&'static str],
    pub negatives: Vec<String>,
}

fn neg(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            kind: "OPENAI_API_KEY",
            secrets: vec![
                format!("sk-proj-{}T3BlbkFJ{}", rnd(1, 74, URLSAFE), rnd(2, 74, URLSAFE)),
                format!("sk-{}T3BlbkFJ{}", rnd(3, 20, ALNUM), rnd(4, 20, ALNUM)),
                format!("sk-svcacct-{}", rnd(5, 120, URLSAFE)),
                format!("sk-admin-{}", rnd(6, 100, URLSAFE)),
                format!("sk-{}", rnd(7, 48, ALNUM)),
            ],
            templates: &[
                "export OPENAI_API_KEY={S}",
                r#"{"api_key": "{S}", "model": "gpt-4o"}"#,
                "openai:\n  key: {S}\n",
                "curl -H 'Authorization: Bearer {S}' https://api.openai.com/v1/models",
                "client=openai key={S}&retry=3",
            ],
            negatives: neg(&["sk-short", "task-abcdefghijklmnopqrstuvwxyz1234", "sk-aaaaaaaaaaaaaaaaaaaaaaaaaa", "risk-management-framework-for-teams", "use sk-learn-0.24 for this"]),
        },
        Case {
            kind: "ANTHROPIC_API_KEY",
            secrets: vec![format!("sk-ant-api03-{}AA", rnd(8, 93, URLSAFE)), format!("sk-ant-admin01-{}AA", rnd(9, 93, URLSAFE))],
            templates: &["ANTHROPIC_API_KEY={S}", "x-api-key: {S} request_id=req_1", r#"{"anthropic_key":"{S}"}"#, "https://proxy/v1?key={S}&x=1"],
            negatives: neg(&["sk-ant-", "sk-ant-api03-short", "the sk-ant prefix is documented"]),
        },
        Case {
            kind: "AWS_ACCESS_KEY_ID",
            secrets: vec![format!("AKIA{}", rnd(10, 16, UPPER_DIGIT)), format!("ASIA{}", rnd(11, 16, UPPER_DIGIT)), format!("AROA{}", rnd(12, 16, UPPER_DIGIT))],
            templates: &[
                "aws_access_key_id = {S}",
                r#"{"AccessKeyId": "{S}"}"#,
                "AWS_ACCESS_KEY_ID={S} aws s3 ls",
                "GET /b/k?X-Amz-Credential={S}%2F20240101%2Fus-east-1 HTTP/1.1",
            ],
            negatives: neg(&["AKIA1234", "XAKIAIOSFODNN7EXAMPLE12", "akiaiosfodnn7example", "ASIAN-PACIFIC region", "AKIAIOSFODNN7EXAMPLEXX"]),
        },
        Case {
            kind: "AWS_SECRET_ACCESS_KEY",
            secrets: vec![rnd(13, 40, B64)],
            templates: &["aws_secret_access_key = {S}", "AWS_SECRET_ACCESS_KEY=\"{S}\"", r#"{"SecretAccessKey": "{S}"}"#, "  secret_access_key: {S}\n"],
            negatives: neg(&["aws_secret_access_key = None", "AWS_SECRET_ACCESS_KEY=${AWS_SECRET}", r#"key = os.getenv("AWS_SECRET_ACCESS_KEY")"#, "aws_secret_access_key is not set"]),
        },
        Case {
            kind: "GOOGLE_API_KEY",
            secrets: vec![format!("AIza{}", rnd(14, 35, URLSAFE))],
            templates: &["GOOGLE_API_KEY={S}", "GET https://maps.googleapis.com/maps/api/geocode/json?address=x&key={S}", r#"{"apiKey": "{S}"}"#, "google:\n  api_key: {S}\n"],
            negatives: neg(&["AIza", "AIzaShort123", "xAIzaSyA1234567890abcdefghijklmnopqrstu"]),
        },
        Case {
            kind: "GOOGLE_OAUTH_CLIENT_SECRET",
            secrets: vec![format!("GOCSPX-{}", rnd(15, 28, URLSAFE))],
            templates: &["client_secret={S}", r#"{"installed":{"client_secret":"{S}"}}"#, "GOOGLE_CLIENT_SECRET: {S}"],
            negatives: neg(&["GOCSPX-", "GOCSPX-short", "prefix GOCSPX is used by Google"]),
        },
        Case {
            kind: "GITHUB_TOKEN",
            secrets: vec![
                format!("ghp_{}", rnd(16, 36, ALNUM)),
                format!("ghs_{}", rnd(17, 36, ALNUM)),
                format!("github_pat_{}_{}", rnd(18, 22, ALNUM), rnd(19, 59, ALNUM)),
            ],
            templates: &["GITHUB_TOKEN={S}", "git clone https://x-access-token:{S}@github.com/o/r.git", "Authorization: token {S}", r#"{"token": "{S}"}"#],
            negatives: neg(&["ghp_short", "ghp_xxxxxxxxxx", "github_pat_ is the prefix", "xghp_abcdefghijklmnopqrstuvwxyz0123456789"]),
        },
        Case {
            kind: "STRIPE_KEY",
            secrets: vec![format!("sk_live_{}", rnd(20, 99, ALNUM)), format!("rk_test_{}", rnd(21, 24, ALNUM))],
            templates: &["STRIPE_SECRET_KEY={S}", r#"{"msg": "stripe client init", "key": "{S}"}"#, "stripe.api_key = '{S}'", "curl https://api.stripe.com/v1/charges -u {S}:"],
            negatives: neg(&["pk_live_51H8abcdefghijklmnopqrstu", "sk_live_short", "sk_prod_abcdefghijklmnopqrstuvwx"]),
        },
        Case {
            kind: "STRIPE_WEBHOOK_SECRET",
            secrets: vec![format!("whsec_{}", rnd(22, 32, ALNUM))],
            templates: &["STRIPE_WEBHOOK_SECRET={S}", r#"{"webhook_secret":"{S}"}"#, "endpoint_secret: {S}"],
            negatives: neg(&["whsec_", "whsec_short", "the whsec prefix"]),
        },
        Case {
            kind: "JWT",
            secrets: vec![format!("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.{}", rnd(23, 43, URLSAFE))],
            templates: &["Authorization: Bearer {S}", r#"{"id_token": "{S}"}"#, "GET https://app.example.com/cb?access_token={S}&state=x", "Cookie: session={S}; Path=/"],
            negatives: neg(&["eyJhbGciOiJIUzI1NiJ9", "eyJ.abc.def", "eyJhbGciOiJIUzI1NiJ9.payload"]),
        },
        Case {
            kind: "PRIVATE_KEY",
            secrets: vec![
                format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n-----END RSA PRIVATE KEY-----", rnd(47, 64, B64), rnd(48, 40, B64)),
                format!("-----BEGIN OPENSSH PRIVATE KEY----- {} -----END OPENSSH PRIVATE KEY-----", rnd(49, 70, B64)),
            ],
            templates: &["failed to parse key material:\n{S}\nnext line", "{S}", "PRIVATE_KEY=\"{S}\"", "tls:\n  key: {S}\n"],
            negatives: neg(&[
                "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----",
                "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEabcdefghijklmnopqrstuvwx\n-----END PUBLIC KEY-----",
                "private key loaded from /etc/ssl/private/key.pem",
            ]),
        },
        Case {
            kind: "PASSWORD",
            secrets: vec!["hunter2xyz!".to_string(), "vfw@w&V35dPVx*uzOoR^".to_string()],
            templates: &[
                "connecting with password={S} host=db.internal",
                r#"{"user": "app", "password": "{S}"}"#,
                "passwd: {S}\n",
                "pwd={S}",
                "mysql --password={S} -h db",
                "pg_dump --password {S} --user x",
                "PGPASSWORD={S} psql",
                "DB_PASSWORD='{S}'",
                "Server=db;Database=app;User Id=sa;Password={S};",
                "password = \"{S}\"",
            ],
            negatives: neg(&[
                r#"db = os.getenv("DB_PASSWORD")"#,
                "password reset email sent",
                "password: ********",
                "password=<redacted>",
                "password: incorrect",
                "PWD=/home/user",
                "password_expired=true",
                "password=${DB_PASSWORD}",
            ]),
        },
        Case {
            kind: "BEARER_TOKEN",
            secrets: vec!["u9ZK_v2GnJ.iCWZBwelM94_Qz8.bySe2Q52HaDc9".to_string(), rnd(24, 40, URLSAFE)],
            templates: &[
                "> Authorization: Bearer {S}",
                r#"{"headers": {"authorization":"Bearer {S}"}}"#,
                "authorization: bearer {S}",
                "curl -H \"Authorization: Bearer {S}\" https://x",
                "AUTHORIZATION=Bearer {S}",
            ],
            negatives: neg(&["Bearer token expired", "WWW-Authenticate: Bearer realm=\"api\"", "Authorization: Bearer", "Authorization: Bearer <token>", "Bearer ${TOKEN}"]),
        },
        Case {
            kind: "BASIC_AUTH",
            secrets: vec!["YWRtaW46czNjcjN0UGFzcw==".to_string(), "YWRtaW46YTlGQndLIWZabnMqMENE".to_string()],
            templates: &["> Authorization: Basic {S}", r#"{"Authorization": "Basic {S}"}"#, "authorization: basic {S}"],
            negatives: neg(&["basic auth enabled", "Basic information about users", "Authorization: Basic aW5mb3JtYXRpb24="]),
        },
        Case {
            kind: "BASIC_AUTH",
            secrets: vec!["s3cr3tPass".to_string(), "p@ss:w0rd".to_string()],
            templates: &["postgres://app:{S}@db.internal:5432/app", "GET https://user:{S}@example.com/path", "DSN=mysql://root:{S}@localhost/db", "redis://:{S}@cache:6379/0"],
            negatives: neg(&["https://example.com:8443/path", "https://user@example.com/", "ssh://git@github.com:org/repo.git", "postgres://app:${DB_PASS}@db/app", "upstream=http://10.0.203.25:8080 user=a@b"]),
        },
        Case {
            kind: "SLACK_TOKEN",
            secrets: vec![format!("xoxb-123456789012-1234567890123-{}", rnd(25, 24, ALNUM)), format!("xapp-1-A0123456789-{}", rnd(26, 40, ALNUM))],
            templates: &["SLACK_BOT_TOKEN={S}", r#"{"token":"{S}"}"#, "Authorization: Bearer {S}", "slack token={S}"],
            negatives: neg(&["xoxb-", "xoxb-short", "xoxo-hugs-and-kisses-friends"]),
        },
        Case {
            kind: "SLACK_WEBHOOK",
            secrets: vec![format!("T0ABCDEF1/B0ABCDEF1/{}", rnd(27, 24, ALNUM))],
            templates: &["webhook_url: https://hooks.slack.com/services/{S}", r#"{"webhook": "https://hooks.slack.com/services/{S}"}"#, "posting to https://hooks.slack.com/services/{S} failed"],
            negatives: neg(&["https://hooks.slack.com/services/", "hooks.slack.com is down", "https://api.slack.com/services/T0/B0"]),
        },
        Case {
            kind: "GITLAB_TOKEN",
            secrets: vec![format!("glpat-{}", rnd(28, 20, URLSAFE))],
            templates: &["GITLAB_TOKEN={S}", "git clone https://oauth2:{S}@gitlab.com/g/p.git", r#"{"private_token": "{S}"}"#, "PRIVATE-TOKEN: {S}"],
            negatives: neg(&["glpat-", "glpat-short", "use a glpat token"]),
        },
        Case {
            kind: "HUGGINGFACE_TOKEN",
            secrets: vec![format!("hf_{}", rnd(29, 34, ALPHA))],
            templates: &["HF_TOKEN={S}", "huggingface-cli login --token {S}", r#"{"hf_token": "{S}"}"#],
            negatives: neg(&["hf_hub_download", "hf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "leaf_nodes_count_for_hf_model_configuration"]),
        },
        Case {
            kind: "NPM_TOKEN",
            secrets: vec![format!("npm_{}", rnd(30, 36, ALNUM))],
            templates: &["//registry.npmjs.org/:_authToken={S}", "NPM_TOKEN={S}", r#"{"npm_token":"{S}"}"#],
            negatives: neg(&["npm_config_cache=/tmp", "npm_short", "npm_package_version=1.2.3"]),
        },
        Case {
            kind: "PYPI_TOKEN",
            secrets: vec![format!("pypi-AgEIcHlwaS5vcmc{}", rnd(31, 60, URLSAFE))],
            templates: &["TWINE_PASSWORD={S}", "password = {S}", r#"{"pypi_token":"{S}"}"#],
            negatives: neg(&["pypi-AgE", "pypi-upload", "https://pypi.org/project/pypi-AgE/"]),
        },
        Case {
            kind: "SENDGRID_API_KEY",
            secrets: vec![format!("SG.{}.{}", rnd(32, 22, URLSAFE), rnd(33, 43, URLSAFE))],
            templates: &["SENDGRID_API_KEY={S}", r#"{"sendgrid":{"key":"{S}"}}"#, "Authorization: Bearer {S}"],
            negatives: neg(&["SG.short.value", "version SG.1.2", "file.SG.backup.tar"]),
        },
        Case {
            kind: "TWILIO_API_KEY",
            secrets: vec![format!("SK{}", rnd(34, 32, HEX))],
            templates: &["TWILIO_API_KEY={S}", "twilio client api_key_sid={S}", r#"{"twilio": {"sid": "{S}"}}"#],
            negatives: neg(&["sku=SK0123456789abcdef0123456789abcdef", "twilio account AC0123456789abcdef0123456789abcdef", "twilio SK123"]),
        },
        Case {
            kind: "AZURE_STORAGE_KEY",
            secrets: vec![format!("{}==", rnd(35, 86, B64))],
            templates: &[
                "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={S};EndpointSuffix=core.windows.net",
                "AZURE_STORAGE_KEY={S}",
                "accountkey = {S}",
            ],
            negatives: neg(&["AccountKey=", "AccountName=acct;EndpointSuffix=core.windows.net", "AccountKey=${KEY}"]),
        },
        Case {
            kind: "DIGITALOCEAN_TOKEN",
            secrets: vec![format!("dop_v1_{}", rnd(36, 64, HEX)), format!("doo_v1_{}", rnd(37, 64, HEX))],
            templates: &["DIGITALOCEAN_TOKEN={S}", "doctl auth init -t {S}", r#"{"token": "{S}"}"#],
            negatives: neg(&["dop_v1_short", "dop_v2_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "dop_v1_ token"]),
        },
        Case {
            kind: "SHOPIFY_TOKEN",
            secrets: vec![format!("shpat_{}", rnd(38, 32, HEX)), format!("shpss_{}", rnd(39, 32, HEX))],
            templates: &["X-Shopify-Access-Token: {S}", "SHOPIFY_ACCESS_TOKEN={S}", r#"{"access_token":"{S}"}"#],
            negatives: neg(&["shpat_short", "shpat_gggggggggggggggggggggggggggggggg", "shop_at_home"]),
        },
        Case {
            kind: "DISCORD_BOT_TOKEN",
            secrets: vec![format!("MTIzNDU2Nzg5MDEyMzQ1Njc4.{}.{}", rnd(40, 6, URLSAFE), rnd(41, 38, URLSAFE))],
            templates: &["DISCORD_BOT_TOKEN={S}", "discord gateway: Authorization: Bot {S}", "discord.login('{S}')"],
            negatives: neg(&["discord bot started", "discord id MTIzNDU2Nzg5MDEyMzQ1Njc4", "discord version M.1.2"]),
        },
        Case {
            kind: "TELEGRAM_BOT_TOKEN",
            secrets: vec![format!("123456789:AA{}", rnd(42, 33, URLSAFE))],
            templates: &["TELEGRAM_BOT_TOKEN={S}", "POST https://api.telegram.org/bot{S}/sendMessage", r#"{"bot_token": "{S}"}"#],
            negatives: neg(&["12345:AAbc", "time 12:34:56", &format!("123456789:AB{}", rnd(43, 33, URLSAFE))]),
        },
        Case {
            kind: "GENERIC_SECRET",
            secrets: vec![rnd(44, 24, ALNUM), format!("{}-{}", rnd(45, 10, HEX), rnd(46, 10, HEX))],
            templates: &[
                "api_key={S}",
                r#"{"client_secret": "{S}"}"#,
                "x-api-key: {S}",
                "SECRET_KEY='{S}'",
                "GET /cb?access_token={S}&expires_in=3600",
                "MY_SERVICE_TOKEN={S}",
            ],
            negatives: neg(&[
                "token=null",
                "config loaded: region=us-east-1 token_ttl=81194s",
                "api_key=short",
                "secret: true",
                "max_tokens=4096",
                "tokenizer=cl100k_base",
                "secret_name=prod-db",
                "api_key=${API_KEY}",
                "token: 12345678901234",
            ]),
        },
    ]
}

#[test]
fn every_kind_has_a_table_entry() {
    let table = cases();
    for k in kinds() {
        let n = table
            .iter()
            .filter(|c| c.kind == *k)
            .map(|c| c.templates.len())
            .sum::<usize>();
        assert!(n >= 3, "{k} has {n} positive syntaxes");
        let m = table
            .iter()
            .filter(|c| c.kind == *k)
            .map(|c| c.negatives.len())
            .sum::<usize>();
        assert!(m >= 3, "{k} has {m} negatives");
    }
}

#[test]
fn positives_are_redacted_exactly() {
    let r = Redactor::default();
    let mut failures = Vec::new();
    for case in cases() {
        for secret in &case.secrets {
            for t in case.templates {
                let input = t.replace("{S}", secret);
                let want = t.replace("{S}", &format!("[REDACTED:{}]", case.kind));
                let got = r.redact(&input);
                if got.text != want {
                    failures.push(format!(
                        "{}: {input:?}\n   got  {:?}\n   want {want:?}",
                        case.kind, got.text
                    ));
                    continue;
                }
                let at = input.find(secret.as_str()).unwrap_or(usize::MAX);
                let f = &got.findings;
                if f.len() != 1
                    || f[0].start != at
                    || f[0].end != at + secret.len()
                    || f[0].kind != case.kind
                {
                    failures.push(format!("{}: {input:?} findings {f:?}", case.kind));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn negatives_pass_untouched() {
    let r = Redactor::default();
    let mut failures = Vec::new();
    for case in cases() {
        for n in &case.negatives {
            let got = r.redact(n);
            if got.text != n.as_str() {
                failures.push(format!("{}: {n:?} -> {:?}", case.kind, got.text));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Identifiers and public material that look random but are not secrets.
#[test]
fn look_alikes_pass_untouched() {
    let r = Redactor::default();
    let lines = [
        r#"{"ts": "2024-07-11T11:44:16.474Z", "level": "WARN", "msg": "payload miss", "request_id": "8d116ece1738f7d93d9c172411e20b8f", "duration_ms": 3478}"#,
        "2024-02-17T20:50:47.163Z DEBUG [gateway] upstream=http://10.0.203.25:8080 sha256=6b4cb2424a23d5962217beaddbc496cb8e81973e0becd7b03898d190f9ebdacc commit=4ef8aa38922766581e27a1c08a6a63ec24ede6a4 uuid=8f6d0558-d0ed-ae97-2e44-94e31a61dbe2",
        "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "sha512=cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deploy@ci",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7vbqajDhA5QbS0Yw8Q1r2mJ4vQ9KcZ2Lx user@host",
        "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEabcdefghijklmnopqrstuvwx\n-----END PUBLIC KEY-----",
        r#"db_password = os.getenv("DB_PASSWORD")"#,
        "password reset email sent to user 42",
        "password: ********",
        "password=<redacted>",
        "Bearer token expired, refreshing",
        "token=null",
        "GET /api/v1/users?page=98 HTTP/1.1 404 75207 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"",
        "at com.example.core.Dispatcher.run(Dispatcher.java:264)",
        "Asia/Tokyo timezone, region asia-east1",
        "tokens used: prompt_tokens=512 completion_tokens=128",
    ];
    for l in lines {
        assert_eq!(r.redact(l).text, l);
    }
}

#[test]
fn pem_private_keys_of_every_type() {
    let r = Redactor::default();
    let body = format!(
        "{}\n{}\n{}",
        rnd(50, 64, B64),
        rnd(51, 64, B64),
        rnd(52, 24, B64)
    );
    for label in [
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "DSA PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
    ] {
        let pem = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----");
        let forms = [
            (
                format!("failed to parse key material:\n{pem}\nnext line"),
                "failed to parse key material:\n[REDACTED:PRIVATE_KEY]\nnext line".to_string(),
            ),
            (pem.replace('\n', " "), "[REDACTED:PRIVATE_KEY]".to_string()),
            (
                format!(r#"{{"private_key": "{}\n"}}"#, pem.replace('\n', "\\n")),
                r#"{"private_key": "[REDACTED:PRIVATE_KEY]"}"#.to_string(),
            ),
            (
                pem.replace('\n', "\r\n") + "\r\n",
                "[REDACTED:PRIVATE_KEY]\r\n".to_string(),
            ),
        ];
        for (input, want) in forms {
            assert_eq!(r.redact(&input).text, want, "{label}");
        }
    }
    // encrypted legacy PEM with headers, and a PGP block with armor headers
    let enc = format!("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF\n\n{body}\n-----END RSA PRIVATE KEY-----");
    assert_eq!(r.redact(&enc).text, "[REDACTED:PRIVATE_KEY]");
    // truncated: no END marker; the BEGIN line and the base64 body go, the next log line stays
    let truncated =
        format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n2024-01-01T00:00:00Z INFO next");
    assert_eq!(
        r.redact(&truncated).text,
        "[REDACTED:PRIVATE_KEY]\n2024-01-01T00:00:00Z INFO next"
    );
}

#[test]
fn named_env_vars_and_env_values() {
    let cfg = RedactorConfig {
        hmac_key: None,
        env_values: vec![
            (
                "DATABASE_URL".into(),
                "postgres://app:Sup3rS3cret@db.internal:5432/app".into(),
            ),
            ("SHORT".into(), "abc".into()),
            ("SECRET_KEY".into(), "django-insecure-9x!k2#q".into()),
        ],
    };
    let r = Redactor::new(cfg);
    let names = vec!["DATABASE_URL".to_string(), "SECRET_KEY".to_string()];
    let cases = [
        (
            "connecting to postgres://app:Sup3rS3cret@db.internal:5432/app now",
            "connecting to [REDACTED:DATABASE_URL] now",
        ),
        (
            "DATABASE_URL=sqlite:///tmp/other.db",
            "DATABASE_URL=[REDACTED:DATABASE_URL]",
        ),
        (
            r#"{"SECRET_KEY": "another-value-1"}"#,
            r#"{"SECRET_KEY": "[REDACTED:SECRET_KEY]"}"#,
        ),
        (
            "secret_key: plainvalue",
            "secret_key: [REDACTED:SECRET_KEY]",
        ),
        (
            "value django-insecure-9x!k2#q leaked",
            "value [REDACTED:SECRET_KEY] leaked",
        ),
        ("abc is short and stays", "abc is short and stays"),
        ("MY_DATABASE_URL_COPY=x", "MY_DATABASE_URL_COPY=x"),
        (
            r#"os.environ["DATABASE_URL"]"#,
            r#"os.environ["DATABASE_URL"]"#,
        ),
        (
            "DATABASE_URL=${DATABASE_URL}",
            "DATABASE_URL=${DATABASE_URL}",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(r.redact_env_vars(input, &names).text, want, "{input}");
    }
    // without names only the values (and built-in rules) apply
    assert_eq!(
        r.redact("DATABASE_URL=sqlite:///tmp/other.db").text,
        "DATABASE_URL=sqlite:///tmp/other.db"
    );
}

#[test]
fn surrounding_bytes_kept_and_delimiters_end_tokens() {
    let r = Redactor::default();
    let k = format!("AKIA{}", rnd(60, 16, UPPER_DIGIT));
    for (l, rr) in [
        ("(", ")"),
        ("{", "}"),
        ("'", "'"),
        ("\"", "\""),
        ("<", ">"),
        ("k=", "&x=1"),
        ("", ","),
        ("", ";"),
        ("\t", "\n"),
    ] {
        let input = format!("{l}{k}{rr}");
        assert_eq!(
            r.redact(&input).text,
            format!("{l}[REDACTED:AWS_ACCESS_KEY_ID]{rr}")
        );
    }
    assert_eq!(
        r.redact("password=hunter2xyz").text,
        "password=[REDACTED:PASSWORD]"
    );
    assert_eq!(
        r.redact("x password=hunter2xyz, y").text,
        "x password=[REDACTED:PASSWORD], y"
    );
}

#[test]
fn overlaps_resolve_to_one_placeholder() {
    let r = Redactor::default();
    let gh = format!("ghp_{}", rnd(61, 36, ALNUM));
    // URL userinfo + GitHub + generic `token` all see the same bytes: one finding, most specific kind
    let input = format!("GITHUB_TOKEN={gh} https://x:{gh}@github.com");
    let out = r.redact(&input);
    assert_eq!(
        out.text,
        "GITHUB_TOKEN=[REDACTED:GITHUB_TOKEN] https://x:[REDACTED:GITHUB_TOKEN]@github.com"
    );
    assert_eq!(out.findings.len(), 2);
}
