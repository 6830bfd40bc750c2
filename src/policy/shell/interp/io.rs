//! File and network effects of interpreter calls, one table for every
//! language: files written or read (`open(p, 'w')`, `fs.writeFileSync`,
//! `File.read`, `file_put_contents`), URLs and hosts reached (`requests`,
//! `fetch`, `Net::HTTP`, `curl_init`, socket connects), and whether data is
//! sent out — so the shell's write, credential and egress rules apply inside
//! `python -c` as they do to `tee`, `cat` and `curl`.

use super::calls::{Call, CallArg, Value};
use super::lex::Lit;
use super::payload::{path_of, Payload, MAX_ITEMS};

/// What a call does to files or the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Io {
    /// Writes (replaces) its first path argument.
    Write,
    /// Appends to its first path argument.
    Append,
    /// Writes the path its receiver was built from (`Path(p).write_text`).
    WriteRecv,
    /// Reads its first path argument.
    Read,
    /// Reads the path its receiver was built from.
    ReadRecv,
    /// Opens a file with a mode (`open(p, 'a')`, `fopen`, Perl `open(F, ">p")`).
    Open,
    /// Copies or moves its first path argument onto its second.
    Copy,
    /// Reads a URL (or a file, for `file_get_contents`); sends when given data.
    Fetch,
    /// Sends data to a URL (`requests.post`).
    Send,
    /// Connects a socket to `(host, port)`; a connected socket sends.
    Connect,
    /// Connects to a host given as the first string argument (`fsockopen`).
    ConnectHost,
}

pub(crate) const IO: &[(&str, Io)] = &[
    // Python
    ("open", Io::Open),
    ("io.open", Io::Open),
    ("codecs.open", Io::Open),
    ("*.write_text", Io::WriteRecv),
    ("*.write_bytes", Io::WriteRecv),
    ("*.read_text", Io::ReadRecv),
    ("*.read_bytes", Io::ReadRecv),
    ("shutil.copy", Io::Copy),
    ("shutil.copy2", Io::Copy),
    ("shutil.copyfile", Io::Copy),
    ("shutil.copytree", Io::Copy),
    ("shutil.move", Io::Copy),
    ("os.rename", Io::Copy),
    ("os.replace", Io::Copy),
    ("requests.get", Io::Fetch),
    ("requests.head", Io::Fetch),
    ("requests.request", Io::Fetch),
    ("requests.post", Io::Send),
    ("requests.put", Io::Send),
    ("requests.patch", Io::Send),
    ("httpx.get", Io::Fetch),
    ("httpx.post", Io::Send),
    ("httpx.put", Io::Send),
    ("urllib.request.urlopen", Io::Fetch),
    ("urlopen", Io::Fetch),
    ("urllib.request.Request", Io::Fetch),
    ("urllib.request.urlretrieve", Io::Fetch),
    ("http.client.HTTPConnection", Io::Fetch),
    ("http.client.HTTPSConnection", Io::Fetch),
    ("*.connect", Io::Connect),
    ("*.connect_ex", Io::Connect),
    ("*.sendto", Io::Connect),
    ("socket.create_connection", Io::Connect),
    // JavaScript
    ("fs.writeFileSync", Io::Write),
    ("fs.writeFile", Io::Write),
    ("fs.promises.writeFile", Io::Write),
    ("fs.createWriteStream", Io::Write),
    ("fs.appendFileSync", Io::Append),
    ("fs.appendFile", Io::Append),
    ("fs.readFileSync", Io::Read),
    ("fs.readFile", Io::Read),
    ("fs.promises.readFile", Io::Read),
    ("fs.createReadStream", Io::Read),
    ("fs.copyFileSync", Io::Copy),
    ("fs.copyFile", Io::Copy),
    ("fs.renameSync", Io::Copy),
    ("fs.cpSync", Io::Copy),
    ("Deno.writeTextFile", Io::Write),
    ("Deno.readTextFile", Io::Read),
    ("Bun.write", Io::Write),
    ("Bun.file", Io::Read),
    ("fetch", Io::Fetch),
    ("axios", Io::Fetch),
    ("axios.get", Io::Fetch),
    ("axios.post", Io::Send),
    ("axios.put", Io::Send),
    ("http.get", Io::Fetch),
    ("https.get", Io::Fetch),
    ("http.request", Io::Fetch),
    ("https.request", Io::Fetch),
    ("net.connect", Io::ConnectHost),
    ("net.createConnection", Io::ConnectHost),
    ("tls.connect", Io::ConnectHost),
    // Ruby
    ("File.write", Io::Write),
    ("IO.write", Io::Write),
    ("File.read", Io::Read),
    ("IO.read", Io::Read),
    ("File.readlines", Io::Read),
    ("IO.readlines", Io::Read),
    ("File.binread", Io::Read),
    ("File.open", Io::Open),
    ("FileUtils.cp", Io::Copy),
    ("FileUtils.cp_r", Io::Copy),
    ("FileUtils.mv", Io::Copy),
    // The extractor joins Ruby's `::` and `.` members with dots.
    ("Net.HTTP.get", Io::Fetch),
    ("Net.HTTP.get_response", Io::Fetch),
    ("Net.HTTP.post", Io::Send),
    ("Net.HTTP.post_form", Io::Send),
    ("Net.HTTP.new", Io::ConnectHost),
    ("Net.HTTP.start", Io::ConnectHost),
    ("URI.open", Io::Fetch),
    ("TCPSocket.new", Io::ConnectHost),
    ("TCPSocket.open", Io::ConnectHost),
    // PHP
    ("file_put_contents", Io::Write),
    ("file_get_contents", Io::Fetch),
    ("readfile", Io::Read),
    ("file", Io::Read),
    ("fopen", Io::Open),
    ("copy", Io::Copy),
    ("rename", Io::Copy),
    ("curl_init", Io::Fetch),
    ("fsockopen", Io::ConnectHost),
    ("pfsockopen", Io::ConnectHost),
    ("stream_socket_client", Io::Fetch),
    // Perl
    ("LWP::Simple::get", Io::Fetch),
    ("getstore", Io::Fetch),
    ("IO::Socket::INET.new", Io::ConnectHost),
    ("IO.Socket.INET.new", Io::ConnectHost),
    // Lua
    ("io.lines", Io::Read),
    ("http.request", Io::Fetch),
    ("socket.connect", Io::ConnectHost),
    // R
    ("readLines", Io::Read),
    ("read.csv", Io::Read),
    ("file.copy", Io::Copy),
    ("file.rename", Io::Copy),
    ("download.file", Io::Fetch),
    ("httr::GET", Io::Fetch),
    ("httr::POST", Io::Send),
    ("httr::PUT", Io::Send),
    ("curl::curl_fetch_memory", Io::Fetch),
];

fn positional(args: &[CallArg]) -> impl Iterator<Item = &Value> {
    args.iter().filter(|a| a.key.is_none()).map(|a| &a.value)
}

fn keyed<'a>(args: &'a [CallArg], keys: &[&str]) -> Option<&'a Value> {
    args.iter()
        .find(|a| a.key.as_deref().is_some_and(|k| keys.contains(&k)))
        .map(|a| &a.value)
}

/// A URL or host: a string, `URI('…')`, `new URL('…')`, `{host: '…'}`.
fn url_of(v: &Value) -> Option<Lit> {
    match v {
        Value::Str(l) => Some(l.clone()),
        Value::Call { name, args } => {
            let last = name.rsplit(['.', ':']).next().unwrap_or(name);
            matches!(last, "URI" | "parse" | "URL" | "Request" | "urljoin")
                .then(|| positional(args).next().and_then(url_of))
                .flatten()
        }
        Value::Object(kvs) => {
            keyed(kvs, &["url", "host", "hostname", "PeerAddr", "PeerHost"]).and_then(url_of)
        }
        _ => None,
    }
}

/// Whether a request call carries data: keyword data, a body, a POST method.
fn carries_data(args: &[CallArg]) -> bool {
    let data_keys = ["data", "json", "files", "body", "form", "content"];
    let has_key = |kvs: &[CallArg]| {
        kvs.iter().any(|a| {
            let key = a.key.as_deref().unwrap_or_default();
            data_keys.contains(&key)
                || (key == "method"
                    && matches!(&a.value, Value::Str(l) if l.as_static().is_some_and(|m| {
                        matches!(m.to_ascii_uppercase().as_str(), "POST" | "PUT" | "PATCH")
                    })))
        })
    };
    has_key(args)
        || args
            .iter()
            .any(|a| matches!(&a.value, Value::Object(kvs) if has_key(kvs)))
        // `urlopen(url, data)`, `Net::HTTP.post(uri, body)`.
        || positional(args).nth(1).is_some_and(|v| !matches!(v, Value::Object(_)))
}

/// The effect of `call` under `io`, recorded on `p`.
pub(crate) fn apply(io: Io, call: &Call, p: &mut Payload) {
    let mut pos = positional(&call.args);
    let first = pos.next();
    match io {
        Io::Write => p.write(first.and_then(path_of), false),
        Io::Append => p.write(first.and_then(path_of), true),
        Io::WriteRecv => p.write(positional(&call.recv).next().and_then(path_of), false),
        Io::Read => p.read(first.and_then(path_of)),
        Io::ReadRecv => p.read(positional(&call.recv).next().and_then(path_of)),
        Io::Open => open(call, p),
        Io::Copy => {
            p.read(first.and_then(path_of));
            p.write(pos.next().and_then(path_of), false);
        }
        Io::Fetch | Io::Send => {
            let target = first
                .and_then(url_of)
                .or_else(|| keyed(&call.args, &["url", "uri"]).and_then(url_of));
            match target {
                // `file_get_contents('/etc/shadow')` reads a file.
                Some(t) if !t.with_dyn("").contains("://") && call.name.ends_with("contents") => {
                    p.read(Some(t));
                }
                Some(t) => p.reach(t),
                None => {}
            }
            if io == Io::Send || carries_data(&call.args) {
                p.send(&call.name);
            }
        }
        Io::Connect => {
            if let Some(Value::List(items)) = first {
                if let Some(Value::Str(host)) = items.first() {
                    p.reach(host.clone());
                    p.send(&call.name);
                }
            }
        }
        Io::ConnectHost => {
            let host = call.args.iter().map(|a| &a.value).find_map(|v| match v {
                Value::Str(l) if !l.with_dyn("").chars().all(|c| c.is_ascii_digit()) => {
                    Some(l.clone())
                }
                Value::Object(_) => url_of(v),
                _ => None,
            });
            if let Some(host) = host {
                p.reach(host);
                p.send(&call.name);
            }
        }
    }
}

/// `open(path, mode)` (Python, Ruby, PHP, Lua) or Perl's `open(FH, ">path")`
/// and `open(FH, '>>', path)`.
fn open(call: &Call, p: &mut Payload) {
    let args: Vec<&Value> = positional(&call.args).collect();
    let text = |i: usize| match args.get(i) {
        Some(Value::Str(l)) => Some(l.clone()),
        _ => None,
    };
    let (path, mode) = match args.first() {
        Some(Value::Str(_)) | Some(Value::Call { .. }) => (
            args.first().and_then(|v| path_of(v)),
            text(1)
                .or_else(|| match keyed(&call.args, &["mode"]) {
                    Some(Value::Str(l)) => Some(l.clone()),
                    _ => None,
                })
                .and_then(|m| m.as_static())
                .unwrap_or_default(),
        ),
        // Perl: a handle first.
        _ => match (text(1), text(2)) {
            (Some(mode), Some(path)) => (Some(path), mode.as_static().unwrap_or_default()),
            (Some(spec), None) => {
                let s = spec.with_dyn("");
                let trimmed = s.trim_start();
                let mode: String = trimmed
                    .chars()
                    .take_while(|c| matches!(c, '<' | '>' | '+'))
                    .collect();
                let rest = trimmed[mode.len()..].trim_start();
                (Some(Lit::text(rest)), mode)
            }
            _ => (None, String::new()),
        },
    };
    if mode.contains('|') || mode.contains('&') {
        return;
    }
    if mode.contains(['w', 'x', 'c', '>']) || mode.contains('+') {
        p.write(path, mode.contains('a') || mode.contains(">>"));
    } else if mode.contains('a') {
        p.write(path, true);
    } else {
        p.read(path);
    }
}

impl Payload {
    fn write(&mut self, path: Option<Lit>, append: bool) {
        if let Some(path) = path {
            if self.writes.len() < MAX_ITEMS {
                self.writes.push((path, append));
            }
        }
    }

    fn read(&mut self, path: Option<Lit>) {
        if let Some(path) = path {
            if self.reads.len() < MAX_ITEMS {
                self.reads.push(path);
            }
        }
    }

    fn reach(&mut self, target: Lit) {
        if self.destinations.len() < MAX_ITEMS {
            self.destinations.push(target);
        }
    }

    fn send(&mut self, call: &str) {
        if self.sends.is_none() {
            self.sends = Some(call.to_string());
        }
    }
}
