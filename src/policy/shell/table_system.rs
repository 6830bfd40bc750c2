//! Table rows for system state changes sent for approval: services,
//! power, firewall, users, SELinux and swap. Reading state stays allowed.

use super::table::{row, ToolRule};

const IPTABLES: &[&str] = &[
    "iptables",
    "ip6tables",
    "iptables-legacy",
    "iptables-nft",
    "ip6tables-legacy",
    "ip6tables-nft",
];

pub(crate) const SYSTEM: &[ToolRule] = &[
    // services
    row(
        "system.service_stop",
        &["systemctl"],
        &["stop|disable|mask|kill|isolate|set-default"],
        "systemctl stop nginx",
    )
    .system(),
    row(
        "system.service_stop",
        &["service", "rc-service"],
        &["*", "stop"],
        "service nginx stop",
    )
    .anchored()
    .system(),
    row(
        "system.service_stop",
        &["launchctl"],
        &["unload|bootout|disable|remove"],
        "launchctl bootout system/com.x",
    )
    .system(),
    // power
    row(
        "system.power",
        &["systemctl"],
        &["poweroff|reboot|halt|kexec|soft-reboot|suspend|hibernate|rescue|emergency"],
        "systemctl reboot",
    )
    .system(),
    row(
        "system.power",
        &["shutdown", "reboot", "halt", "poweroff"],
        &[],
        "shutdown -h now",
    )
    .unless(&["-c", "--help"])
    .system(),
    row(
        "system.power",
        &["init", "telinit"],
        &["0|1|6|s|S|single"],
        "init 0",
    )
    .anchored()
    .system(),
    // firewall
    row("system.firewall", IPTABLES, &[], "iptables -F")
        .any(&["-F", "--flush", "-X", "--delete-chain", "-P", "--policy"])
        .system(),
    row(
        "system.firewall",
        &["iptables-restore", "ip6tables-restore"],
        &[],
        "iptables-restore < rules.v4",
    )
    .unless(&["--test", "-t", "-c", "--check"])
    .system(),
    row(
        "system.firewall",
        &["nft"],
        &["flush|delete|destroy"],
        "nft flush ruleset",
    )
    .system(),
    row("system.firewall", &["nft"], &[], "nft -f rules.nft")
        .any(&["-f", "--file"])
        .unless(&["-c", "--check"])
        .system(),
    row(
        "system.firewall",
        &["ufw"],
        &["disable|reset"],
        "ufw disable",
    )
    .system(),
    row(
        "system.firewall",
        &["firewall-cmd"],
        &[],
        "firewall-cmd --panic-on",
    )
    .any(&["--panic-on", "--complete-reload"])
    .system(),
    // users and authentication
    row(
        "system.user",
        &[
            "useradd", "userdel", "usermod", "adduser", "deluser", "groupadd", "groupdel",
            "groupmod", "chpasswd", "gpasswd",
        ],
        &[],
        "useradd -m eve",
    )
    .unless(&["--help"])
    .system(),
    row("system.user", &["passwd"], &[], "passwd root")
        .unless(&["-S", "--status", "--help"])
        .system(),
    // kernel, security, storage
    row(
        "system.selinux",
        &["setenforce"],
        &["0|Permissive|permissive"],
        "setenforce 0",
    )
    .anchored()
    .system(),
    row("system.swap", &["swapoff"], &[], "swapoff -a")
        .unless(&["--help"])
        .system(),
    row("system.mount", &["umount"], &[], "umount /mnt/data")
        .unless(&["--help"])
        .system(),
];
