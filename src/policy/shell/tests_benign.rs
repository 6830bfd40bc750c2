//! Benign near-misses: commands that look dangerous but are not, and must
//! never be blocked.

use super::{analyze_command, analyze_sql, ShellOptions};

const BENIGN: &[&str] = &[
    // quoted or commented danger
    "echo \"rm -rf /\"",
    "printf 'rm -rf /'",
    "echo 'curl x | bash'",
    "echo '(){ :|:& };:'",
    "# rm -rf /",
    "ls # rm -rf /",
    "cat <<EOF\nrm -rf /\nEOF",
    "cat <<'EOF' > setup.sql\nDROP TABLE x;\nEOF",
    "cat > notes.md <<EOF\ncurl x | bash\nmkfs.ext4 /dev/sda\nEOF\necho done",
    "python3 -c \"print('rm -rf /')\"",
    "node -e \"console.log('rm -rf /')\"",
    "grep -r 'DROP TABLE' .",
    "grep -rn 'rm -rf /' src/",
    "git log --grep='reset --hard'",
    "echo rm -rf / | cat",
    "echo 'rm -rf /' | tee note.txt",
    "printf '%s\\n' 'rm -rf /' > note.txt",
    "history | grep rm",
    // git
    "git rm file",
    "git rm -r --cached dir",
    "git commit -m 'drop table support'",
    "git commit -m \"git push --force origin main\"",
    "git push origin feature-x",
    "git push --force origin my-branch",
    "git push --force-with-lease origin feat/login",
    "git push -u origin feature/x",
    "git push origin main",
    "git push",
    "git push -f",
    "git clean -n -fdx",
    "git clean -fdxn",
    "git reset --soft HEAD~1",
    "git reset HEAD file.txt",
    "git checkout main",
    "git branch -d feature",
    "git stash drop",
    "git tag -d v1",
    // rm in the project
    "rm notes.txt",
    "rm -f build/out.log",
    "rm -rf build/ node_modules target ./dist",
    "rm -rf /tmp/build-123",
    "rm -rf /tmp/*",
    "rm -rf ./build",
    "rm -rf .venv __pycache__ *.egg-info",
    "rm -r tests/fixtures/tmp",
    "rm -rf .",
    "rm -rf \"$BUILD_DIR\"",
    "rm -rf \"${OUT:?}/\"",
    "rm -rf \"$(pwd)/build\"",
    "rm -rf $PWD/build",
    "rm -rf ~/projects/app/node_modules",
    "rm -rf /home/x/project/build",
    "rmdir /tmp/empty",
    "unlink old.sock",
    "find . -name '*.pyc' -delete",
    "find . -type d -name node_modules -exec rm -rf {} +",
    "find /tmp -mtime +7 -delete",
    "find / -name '*.conf'",
    "find . -name '*.log' | xargs rm -f",
    "ls | xargs echo",
    "xargs -n1 echo < list",
    // disks and files
    "dd if=/dev/zero of=./disk.img bs=1M count=10",
    "dd if=disk.img of=/dev/null",
    "dd if=/dev/sda of=backup.img bs=4M",
    "mkfs.ext4 -F ./disk.img",
    "mkswap /swapfile",
    "wipefs /dev/sda",
    "shred -u secrets.txt",
    "echo hi > /dev/null",
    "cmd 2>&1 >/dev/null",
    "echo x >&2",
    "cat /etc/hosts",
    "ls -la /",
    "ls ~",
    "cd / && ls",
    "du -sh /var/lib",
    "tail -f /var/log/syslog",
    "cp -r /etc/nginx ./nginx-backup",
    "tar czf backup.tgz /etc",
    "mv old.txt new.txt",
    "mv /tmp/a /tmp/b",
    "mkdir -p /tmp/x",
    "chmod -R 755 ./scripts",
    "chmod -R u+w .",
    "chmod 644 /etc/hosts",
    "chown -R $USER:$USER ./data",
    "sudo chown -R www-data /var/www/html",
    "rsync -av --delete build/ /tmp/deploy/",
    "rsync -av src/ dest/",
    // services and infra
    "npm install express",
    "cargo build",
    "cargo clean",
    "make clean",
    "docker rm -f mycontainer",
    "docker rm mycontainer",
    "docker rmi myimage",
    "docker system prune",
    "docker system df",
    "docker ps -a",
    "docker volume ls",
    "docker compose up -d",
    "kubectl delete pod web-1",
    "kubectl delete pod web-1 -n prod",
    "kubectl delete -f deploy.yaml",
    "kubectl get ns",
    "kubectl apply -f ns.yaml",
    "terraform plan",
    "terraform apply",
    "terraform plan -destroy",
    "tofu plan",
    "aws s3 rm s3://b/key",
    "aws s3 cp file s3://b/",
    "aws s3 ls s3://b --recursive",
    "aws s3 sync . s3://b",
    "aws ec2 describe-instances",
    "redis-cli GET key",
    "redis-cli SET flushall 1",
    "redis-cli INFO",
    "kill -9 1234",
    "kill %1",
    "pkill -f myserver",
    "sudo apt-get install -y curl",
    "sudo systemctl restart nginx",
    // downloads that are not executed
    "curl -fsSL https://example.com -o install.sh",
    "curl https://api.x/v1 | jq .",
    "curl -s x | python3 -m json.tool",
    "curl -s x | python3 -c 'import json,sys; print(json.load(sys.stdin))'",
    "curl -s x | grep version",
    "wget https://x/file.tar.gz",
    "base64 -d secret.b64 > out.bin",
    "echo aGk= | base64 -d",
    "cat script.sh | bash",
    "bash script.sh",
    "sh -c 'echo hello'",
    "bash -c 'npm test && npm run build'",
    "eval \"$(ssh-agent -s)\"",
    "eval \"$(pyenv init -)\"",
    "source venv/bin/activate",
    ". ~/.bashrc",
    // SQL
    "psql -c \"DELETE FROM t WHERE id = 3\"",
    "psql -c \"SELECT * FROM users\"",
    "psql -c \"UPDATE t SET a = 1 WHERE id = 2\"",
    "psql -c 'CREATE TABLE t (id int)'",
    "psql -f migrations/001.sql",
    "mysql -e 'SHOW TABLES'",
    "sqlite3 app.db 'SELECT count(*) FROM users'",
    "sqlite3 app.db .tables",
    "echo 'DROP TABLE x' > notes.sql",
    "python3 manage.py migrate",
    // shell plumbing
    "env",
    "sudo -l",
    "command -v rm",
    "which rm",
    "type rm",
    "man rm",
    "alias ll='ls -la'",
    "export PATH=$PATH:/usr/local/bin",
    "f() { echo hi; }; f",
    "recurse() { recurse_helper | cat; }",
    "retry() { \"$@\" || retry \"$@\"; }",
    ":",
    "true",
    "",
    "   ",
    "\n\n",
    "for f in *.txt; do echo \"$f\"; done",
    "if [ -f x ]; then echo yes; else echo no; fi",
    "case $1 in start) echo start;; stop) echo stop;; esac",
    "x=$(date +%s) && echo $x",
    "echo $((1 + 2))",
    "DIR=build; rm -rf \"$DIR/\"",
    "cd build && rm -rf *",
    "cd /tmp && rm -rf build-*",
    "rm -rf ~/.cache/pip",
    "rm -rf ~/.cache",
    "curl -o install.sh https://x && cat install.sh",
    "curl -fsSL https://x -o data.json && python3 process.py data.json",
    "wget https://x/app.tar.gz && tar xzf app.tar.gz",
    "X=$(curl -s api/x) && echo \"$X\"",
];

#[test]
fn benign_near_misses_are_allowed() {
    assert!(BENIGN.len() >= 80);
    let opts = ShellOptions::default();
    let failures: Vec<String> = BENIGN
        .iter()
        .filter_map(|cmd| {
            let got = analyze_command(cmd, &opts);
            (!got.is_empty()).then(|| format!("{cmd:?}: {got:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} false blocks:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn benign_with_cwd() {
    let opts = ShellOptions {
        cwd: Some("/home/dev/app".into()),
        ..ShellOptions::default()
    };
    for cmd in [
        "rm -rf /home/dev/app/build",
        "rm -rf build dist",
        "rm -rf ../app/target",
        "find /home/dev/app -name '*.o' -delete",
        "rm -rf /tmp/cache",
    ] {
        assert!(analyze_command(cmd, &opts).is_empty(), "{cmd}");
    }
}

#[test]
fn benign_sql() {
    for sql in [
        "SELECT * FROM users WHERE name = 'DROP TABLE x'",
        "DELETE FROM sessions WHERE expires < now()",
        "UPDATE users SET last_login = now() WHERE id = $1",
        "INSERT INTO audit (msg) VALUES ('truncate requested')",
        "CREATE INDEX idx ON t (a)",
        "-- TRUNCATE users\nSELECT 1",
    ] {
        assert!(analyze_sql(sql).is_empty(), "{sql}");
    }
}
