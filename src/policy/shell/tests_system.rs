//! System state changes go for approval through every wrapper and nesting
//! form; reading state stays allowed.

use super::tests_tools::{check_allowed, check_rows};
use super::{Category, Outcome};

use Category::{Destructive as D, SystemChange as S};
use Outcome::{Approval as A, Deny as X};

const SYSTEM_ROWS: &[(&str, &str, Category, Outcome)] = &[
    ("crontab -r", "system.crontab_remove", S, A),
    ("crontab -u www-data -r", "system.crontab_remove", S, A),
    ("crontab jobs.txt", "system.crontab_write", S, A),
    ("crontab -", "system.crontab_write", S, A),
    ("crontab -e", "system.crontab_write", S, A),
    ("systemctl stop nginx", "system.service_stop", S, A),
    ("systemctl disable --now sshd", "system.service_stop", S, A),
    ("systemctl mask auditd", "system.service_stop", S, A),
    (
        "systemctl kill -s KILL postgresql",
        "system.service_stop",
        S,
        A,
    ),
    (
        "systemctl isolate rescue.target",
        "system.service_stop",
        S,
        A,
    ),
    ("service nginx stop", "system.service_stop", S, A),
    ("systemctl reboot", "system.power", S, A),
    ("systemctl poweroff", "system.power", S, A),
    ("shutdown -h now", "system.power", S, A),
    ("shutdown -r +5", "system.power", S, A),
    ("reboot", "system.power", S, A),
    ("halt -f", "system.power", S, A),
    ("poweroff", "system.power", S, A),
    ("init 0", "system.power", S, A),
    ("telinit 6", "system.power", S, A),
    ("iptables -F", "system.firewall", S, A),
    ("iptables -t nat -X", "system.firewall", S, A),
    ("iptables -P INPUT ACCEPT", "system.firewall", S, A),
    ("ip6tables --flush", "system.firewall", S, A),
    ("iptables-restore rules.v4", "system.firewall", S, A),
    ("nft flush ruleset", "system.firewall", S, A),
    ("ufw disable", "system.firewall", S, A),
    ("ufw --force reset", "system.firewall", S, A),
    ("kill -9 1", "system.kill_init", S, A),
    ("kill -s KILL 1", "system.kill_init", S, A),
    ("kill -9 -1", "shell.kill_all", D, X),
    ("useradd -m -G sudo eve", "system.user", S, A),
    ("userdel -r bob", "system.user", S, A),
    ("usermod -aG docker eve", "system.user", S, A),
    ("passwd root", "system.user", S, A),
    ("chpasswd", "system.user", S, A),
    ("groupdel devs", "system.user", S, A),
    ("setenforce 0", "system.selinux", S, A),
    ("sysctl -w net.ipv4.ip_forward=1", "system.sysctl", S, A),
    ("sysctl kernel.randomize_va_space=0", "system.sysctl", S, A),
    ("mount /dev/sdb1 /mnt", "system.mount", S, A),
    ("mount -o remount,rw /", "system.mount", S, A),
    ("umount -l /mnt/data", "system.mount", S, A),
    ("swapoff -a", "system.swap", S, A),
    ("pvremove /dev/sdb", "fs.lvm_remove", D, X),
    ("vgremove vg0", "fs.lvm_remove", D, X),
    ("lvremove -y vg0/root", "fs.lvm_remove", D, X),
    ("mdadm --zero-superblock /dev/sdc", "fs.raid_wipe", D, X),
    ("btrfs subvolume delete /mnt/snap", "fs.btrfs_delete", D, X),
    ("dropdb shop", "db.drop_database", D, X),
    ("mysqladmin drop shop", "db.drop_database", D, X),
];

#[test]
fn system_changes_need_approval() {
    let n = check_rows(SYSTEM_ROWS, true);
    assert!(n >= 40 * 4, "{n}");
}

#[test]
fn crontab_from_a_pipe_is_a_write() {
    check_rows(
        &[(
            "echo '* * * * * curl x' | crontab -",
            "system.crontab_write",
            S,
            A,
        )],
        false,
    );
}

#[test]
fn reading_system_state_is_allowed() {
    check_allowed(&[
        "crontab -l",
        "crontab -l | grep backup",
        "crontab -u bob -l",
        "systemctl status nginx",
        "systemctl is-active postgresql",
        "systemctl list-units --type=service",
        "systemctl restart nginx",
        "systemctl start nginx",
        "systemctl daemon-reload",
        "service nginx status",
        "shutdown -c",
        "iptables -L",
        "iptables -S",
        "iptables -nvL INPUT",
        "iptables -t nat -L -n",
        "iptables-save",
        "nft list ruleset",
        "ufw status verbose",
        "kill -TERM 4242",
        "kill -9 12345",
        "kill -l",
        "id -u",
        "passwd -S root",
        "getent passwd bob",
        "getenforce",
        "setenforce 1",
        "sysctl -a",
        "sysctl net.ipv4.ip_forward",
        "sysctl -n kernel.hostname",
        "mount",
        "mount -l",
        "mount -t ext4",
        "findmnt /",
        "swapon --show",
        "free -h",
        "init --version",
        "lvs",
        "pvs",
        "psql -l",
    ]);
}
