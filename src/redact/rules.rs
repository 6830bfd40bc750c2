//! The rule table: one entry per secret format, with the literal keywords that gate it
//! (the prefilter runs a rule only when one of its keywords occurs), its ASCII-only
//! pattern, how the secret is extracted, and how a candidate is validated. Data, not logic.

/// Every kind the built-in rules emit (named env vars add their own names at run time).
pub(crate) const KINDS: &[&str] = &[
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "GOOGLE_API_KEY",
    "GOOGLE_OAUTH_CLIENT_SECRET",
    "GITHUB_TOKEN",
    "STRIPE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "JWT",
    "PRIVATE_KEY",
    "PASSWORD",
    "BEARER_TOKEN",
    "BASIC_AUTH",
    "SLACK_TOKEN",
    "SLACK_WEBHOOK",
    "GITLAB_TOKEN",
    "HUGGINGFACE_TOKEN",
    "NPM_TOKEN",
    "PYPI_TOKEN",
    "SENDGRID_API_KEY",
    "TWILIO_API_KEY",
    "AZURE_STORAGE_KEY",
    "DIGITALOCEAN_TOKEN",
    "SHOPIFY_TOKEN",
    "DISCORD_BOT_TOKEN",
    "TELEGRAM_BOT_TOKEN",
    "GENERIC_SECRET",
];

/// Well-known variable / key names whose assigned value is a secret whatever it looks
/// like (`export OPENAI_API_KEY=sk-…` → `OPENAI_API_KEY`). Matched case-insensitively
/// as whole words.
pub(crate) const KNOWN_NAMES: &[(&str, &str)] = &[
    ("OPENAI_API_KEY", "OPENAI_API_KEY"),
    ("OPENAI_KEY", "OPENAI_API_KEY"),
    ("ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY"),
    ("CLAUDE_API_KEY", "ANTHROPIC_API_KEY"),
    ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
    ("AWS_SECRET_KEY", "AWS_SECRET_ACCESS_KEY"),
    ("SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
    ("SecretAccessKey", "AWS_SECRET_ACCESS_KEY"),
    ("GOOGLE_API_KEY", "GOOGLE_API_KEY"),
    ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    ("GOOGLE_CLIENT_SECRET", "GOOGLE_OAUTH_CLIENT_SECRET"),
    ("GITHUB_TOKEN", "GITHUB_TOKEN"),
    ("GH_TOKEN", "GITHUB_TOKEN"),
    ("GITHUB_PAT", "GITHUB_TOKEN"),
    ("STRIPE_SECRET_KEY", "STRIPE_KEY"),
    ("STRIPE_API_KEY", "STRIPE_KEY"),
    ("STRIPE_KEY", "STRIPE_KEY"),
    ("STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET"),
    ("SLACK_TOKEN", "SLACK_TOKEN"),
    ("SLACK_BOT_TOKEN", "SLACK_TOKEN"),
    ("SLACK_WEBHOOK_URL", "SLACK_WEBHOOK"),
    ("GITLAB_TOKEN", "GITLAB_TOKEN"),
    ("HF_TOKEN", "HUGGINGFACE_TOKEN"),
    ("HUGGINGFACE_TOKEN", "HUGGINGFACE_TOKEN"),
    ("HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN"),
    ("HUGGINGFACEHUB_API_TOKEN", "HUGGINGFACE_TOKEN"),
    ("NPM_TOKEN", "NPM_TOKEN"),
    ("PYPI_TOKEN", "PYPI_TOKEN"),
    ("TWINE_PASSWORD", "PYPI_TOKEN"),
    ("SENDGRID_API_KEY", "SENDGRID_API_KEY"),
    ("TWILIO_API_KEY", "TWILIO_API_KEY"),
    ("TWILIO_API_SECRET", "TWILIO_API_KEY"),
    ("TWILIO_AUTH_TOKEN", "TWILIO_API_KEY"),
    ("AZURE_STORAGE_KEY", "AZURE_STORAGE_KEY"),
    ("AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_KEY"),
    ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_TOKEN"),
    ("DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_TOKEN"),
    ("SHOPIFY_ACCESS_TOKEN", "SHOPIFY_TOKEN"),
    ("SHOPIFY_TOKEN", "SHOPIFY_TOKEN"),
    ("DISCORD_BOT_TOKEN", "DISCORD_BOT_TOKEN"),
    ("DISCORD_TOKEN", "DISCORD_BOT_TOKEN"),
    ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN"),
];

/// The kind for a known name, compared ASCII case-insensitively.
pub(crate) fn known_kind(name: &[u8]) -> Option<&'static str> {
    KNOWN_NAMES
        .iter()
        .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
        .map(|&(_, k)| k)
}

/// How a match becomes a secret range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extract {
    /// The token itself: capture group 1 if the pattern has one, else the whole match.
    Shape,
    /// The pattern matches `key` + separator (group 1 = the key word); the value after it
    /// is parsed by [`crate::redact::value::parse_value`].
    Assign,
    /// The pattern matches a PEM BEGIN marker; the block runs to its END marker, or
    /// over its base64 body when the END never came.
    Pem,
}

/// How the kind of a finding is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KindSpec {
    Fixed(&'static str),
    /// From the matched name in group 1, via [`KNOWN_NAMES`].
    KnownName,
}

/// What a candidate must satisfy besides matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    None,
    /// Not a mask / reference / null word, at least this long.
    NotPlaceholder(usize),
    /// Looks machine-generated (entropy, classes), at least this long.
    Random(usize),
    /// A password value: not a placeholder nor prose; `PWD=/home/…` is a directory.
    Password,
    /// Base64 of `user:password`.
    BasicCredential,
}

/// One rule of the table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleDef {
    /// Stable identifier, used in tests and diagnostics.
    pub id: &'static str,
    pub kind: KindSpec,
    /// Literals, matched ASCII case-insensitively, one of which must occur for the rule to run.
    pub keywords: &'static [&'static str],
    pub pattern: &'static str,
    pub extract: Extract,
    pub check: Check,
    /// Shape tokens that must not be glued to other alphanumerics.
    pub bounded: bool,
    /// Resolves overlaps: higher wins the kind of a merged range.
    pub priority: u8,
}

/// Overlap priorities, lowest to highest.
pub(crate) mod prio {
    pub const GENERIC: u8 = 0;
    pub const CONTEXT: u8 = 1;
    pub const KNOWN_NAME: u8 = 2;
    pub const PROVIDER: u8 = 3;
    pub const SPECIFIC: u8 = 4;
    pub const PEM: u8 = 5;
    pub const NAMED_ENV: u8 = 6;
    pub const ENV_VALUE: u8 = 7;
}

/// Separator after a key, shared by every `Assign` pattern (value parsed in code).
macro_rules! sep {
    () => {
        r#"(?:\\?["'])?\]?[ \t]*(?:=>|:=|=|:)[ \t]*"#
    };
}

const fn shape(
    id: &'static str,
    kind: &'static str,
    keywords: &'static [&'static str],
    pattern: &'static str,
    check: Check,
    priority: u8,
) -> RuleDef {
    RuleDef {
        id,
        kind: KindSpec::Fixed(kind),
        keywords,
        pattern,
        extract: Extract::Shape,
        check,
        bounded: true,
        priority,
    }
}

/// The built-in rules. Patterns are `regex::bytes` syntax, ASCII-only (`(?-u)`).
pub(crate) const RULES: &[RuleDef] = &[
    shape(
        "openai",
        "OPENAI_API_KEY",
        &["sk-"],
        r"(?-u)sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20,})",
        Check::Random(20),
        prio::PROVIDER,
    ),
    shape(
        "anthropic",
        "ANTHROPIC_API_KEY",
        &["sk-ant-"],
        r"(?-u)sk-ant-(?:api|admin|sid|oat|ort)[0-9]{2}-[A-Za-z0-9_-]{20,}",
        Check::None,
        prio::SPECIFIC,
    ),
    shape(
        "aws-access-key-id",
        "AWS_ACCESS_KEY_ID",
        &[
            "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "AROA", "APKA",
            "ASCA",
        ],
        r"(?-u)(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "google-api-key",
        "GOOGLE_API_KEY",
        &["AIza"],
        r"(?-u)AIza[0-9A-Za-z_-]{35}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "google-oauth-secret",
        "GOOGLE_OAUTH_CLIENT_SECRET",
        &["GOCSPX-"],
        r"(?-u)GOCSPX-[0-9A-Za-z_-]{28}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "github",
        "GITHUB_TOKEN",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        r"(?-u)gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "stripe",
        "STRIPE_KEY",
        &["sk_live_", "sk_test_", "rk_live_", "rk_test_"],
        r"(?-u)[sr]k_(?:live|test)_[A-Za-z0-9]{16,}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "stripe-webhook",
        "STRIPE_WEBHOOK_SECRET",
        &["whsec_"],
        r"(?-u)whsec_[A-Za-z0-9+/=]{24,}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "jwt",
        "JWT",
        &["eyJ"],
        r"(?-u)eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){0,2}",
        Check::None,
        prio::PROVIDER,
    ),
    RuleDef {
        id: "private-key",
        kind: KindSpec::Fixed("PRIVATE_KEY"),
        keywords: &["PRIVATE KEY"],
        pattern: r"(?-u)-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----",
        extract: Extract::Pem,
        check: Check::None,
        bounded: false,
        priority: prio::PEM,
    },
    RuleDef {
        id: "password",
        kind: KindSpec::Fixed("PASSWORD"),
        keywords: &["password", "passwd", "passphrase", "pwd"],
        pattern: concat!(r"(?-u)(?i)(password|passwd|passphrase|pwd)", sep!()),
        extract: Extract::Assign,
        check: Check::Password,
        bounded: false,
        priority: prio::CONTEXT,
    },
    RuleDef {
        id: "password-flag",
        kind: KindSpec::Fixed("PASSWORD"),
        keywords: &["--pass"],
        pattern: r"(?-u)(?i)--(pass|password|passwd)[ \t]+",
        extract: Extract::Assign,
        check: Check::Password,
        bounded: false,
        priority: prio::CONTEXT,
    },
    RuleDef {
        id: "bearer",
        kind: KindSpec::Fixed("BEARER_TOKEN"),
        keywords: &["bearer"],
        // RFC 6750 b64token: `=` only as trailing padding
        pattern: r"(?-u)(?i)\bbearer[ \t]+([A-Za-z0-9._~+/-]{16,}=*)",
        extract: Extract::Shape,
        check: Check::Random(16),
        bounded: false,
        priority: prio::CONTEXT,
    },
    RuleDef {
        id: "authorization",
        kind: KindSpec::Fixed("BEARER_TOKEN"),
        keywords: &["authorization"],
        pattern: r#"(?-u)(?i)authorization(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?["'])?(?:token[ \t]+)?([A-Za-z0-9._~+/-]{16,}=*)"#,
        extract: Extract::Shape,
        check: Check::Random(16),
        bounded: false,
        priority: prio::CONTEXT,
    },
    RuleDef {
        id: "basic-header",
        kind: KindSpec::Fixed("BASIC_AUTH"),
        keywords: &["basic"],
        pattern: r"(?-u)(?i)\bbasic[ \t]+([A-Za-z0-9+/]{6,}={0,2})",
        extract: Extract::Shape,
        check: Check::BasicCredential,
        bounded: false,
        priority: prio::CONTEXT,
    },
    RuleDef {
        id: "url-userinfo",
        kind: KindSpec::Fixed("BASIC_AUTH"),
        keywords: &["://"],
        pattern: r#"(?-u)[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@"'<>\\]*:([^\s/?#"'<>\\]+)@"#,
        extract: Extract::Shape,
        check: Check::NotPlaceholder(1),
        bounded: false,
        priority: prio::CONTEXT,
    },
    shape(
        "slack-token",
        "SLACK_TOKEN",
        &["xox", "xapp-"],
        r"(?-u)xox[abprse]-[A-Za-z0-9-]{10,}|xapp-[0-9]+-[A-Za-z0-9-]{10,}",
        Check::None,
        prio::PROVIDER,
    ),
    RuleDef {
        id: "slack-webhook",
        kind: KindSpec::Fixed("SLACK_WEBHOOK"),
        keywords: &["hooks.slack.com"],
        pattern: r"(?-u)hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9_/-]{20,})",
        extract: Extract::Shape,
        check: Check::None,
        bounded: false,
        priority: prio::PROVIDER,
    },
    shape(
        "gitlab",
        "GITLAB_TOKEN",
        &[
            "glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-", "glft-", "glimt-", "gloas-",
        ],
        r"(?-u)gl(?:pat|dt|rt|ptt|cbt|soat|ft|imt|oas)-[A-Za-z0-9_-]{20,}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "huggingface",
        "HUGGINGFACE_TOKEN",
        &["hf_"],
        r"(?-u)hf_[A-Za-z0-9]{30,}",
        Check::Random(30),
        prio::PROVIDER,
    ),
    shape(
        "npm",
        "NPM_TOKEN",
        &["npm_"],
        r"(?-u)npm_[A-Za-z0-9]{36}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "pypi",
        "PYPI_TOKEN",
        &["pypi-AgE"],
        r"(?-u)pypi-AgE[A-Za-z0-9_-]{50,}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "sendgrid",
        "SENDGRID_API_KEY",
        &["SG."],
        r"(?-u)SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "twilio",
        "TWILIO_API_KEY",
        &["twilio"],
        r"(?-u)SK[0-9a-fA-F]{32}",
        Check::None,
        prio::PROVIDER,
    ),
    RuleDef {
        id: "azure-storage",
        kind: KindSpec::Fixed("AZURE_STORAGE_KEY"),
        keywords: &["AccountKey", "SharedAccessKey"],
        pattern: r"(?-u)(?i)(?:AccountKey|SharedAccessKey)[ \t]*=[ \t]*([A-Za-z0-9+/]{20,}={0,2})",
        extract: Extract::Shape,
        check: Check::None,
        bounded: false,
        priority: prio::PROVIDER,
    },
    shape(
        "digitalocean",
        "DIGITALOCEAN_TOKEN",
        &["dop_v1_", "doo_v1_", "dor_v1_"],
        r"(?-u)do[opr]_v1_[a-f0-9]{64}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "shopify",
        "SHOPIFY_TOKEN",
        &["shpat_", "shpca_", "shppa_", "shpss_"],
        r"(?-u)shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
        Check::None,
        prio::PROVIDER,
    ),
    shape(
        "discord",
        "DISCORD_BOT_TOKEN",
        &["discord", "bot "],
        r"(?-u)[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}",
        Check::Random(50),
        prio::PROVIDER,
    ),
    RuleDef {
        id: "telegram",
        kind: KindSpec::Fixed("TELEGRAM_BOT_TOKEN"),
        keywords: &[":AA"],
        // `/bot<token>` in API URLs glues the token to "bot"
        pattern: r"(?-u)\b(?:bot)?([0-9]{8,10}:AA[A-Za-z0-9_-]{33})(?:[^A-Za-z0-9_-]|$)",
        extract: Extract::Shape,
        check: Check::None,
        bounded: false,
        priority: prio::PROVIDER,
    },
    RuleDef {
        id: "known-name",
        kind: KindSpec::KnownName,
        keywords: &[], // filled from KNOWN_NAMES when compiled
        pattern: "",   // built from KNOWN_NAMES when compiled
        extract: Extract::Assign,
        check: Check::NotPlaceholder(8),
        bounded: false,
        priority: prio::KNOWN_NAME,
    },
    RuleDef {
        id: "generic",
        kind: KindSpec::Fixed("GENERIC_SECRET"),
        keywords: &[
            "api_key",
            "api-key",
            "apikey",
            "secret",
            "token",
            "private_key",
            "private-key",
            "access_key",
            "access-key",
            "auth_key",
            "credentials",
        ],
        pattern: concat!(
            r"(?-u)(?i)(api[_-]?key|apikey|secret|secret[_-]?key|token|private[_-]?key|access[_-]?key|auth[_-]?key|credentials)",
            sep!()
        ),
        extract: Extract::Assign,
        check: Check::Random(12),
        bounded: false,
        priority: prio::GENERIC,
    },
];

/// The `known-name` pattern: any [`KNOWN_NAMES`] entry as a whole word, then a separator.
pub(crate) fn known_names_pattern() -> String {
    let alts: Vec<&str> = KNOWN_NAMES.iter().map(|(n, _)| *n).collect();
    format!(r"(?-u)(?i)\b({}){}", alts.join("|"), sep!())
}
