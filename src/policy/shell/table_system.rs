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
    // credentials minted and privileges granted in cloud accounts
    row(
        "cloud.credential_create",
        &["aws"],
        &["iam", "create-access-key|create-login-profile|update-login-profile|create-service-specific-credential"],
        "aws iam create-access-key --user-name admin",
    )
    .credential(),
    row(
        "cloud.credential_create",
        &["gcloud"],
        &["iam", "service-accounts", "keys", "create"],
        "gcloud iam service-accounts keys create key.json --iam-account sa@p.iam.gserviceaccount.com",
    )
    .credential(),
    row(
        "cloud.credential_create",
        &["az"],
        &["ad", "sp", "create-for-rbac|credential"],
        "az ad sp create-for-rbac --name ci",
    )
    .credential(),
    row(
        "cloud.privilege_grant",
        &["aws"],
        &["iam", "attach-user-policy|attach-role-policy|attach-group-policy|put-user-policy|put-role-policy|put-group-policy|add-user-to-group|create-policy-version"],
        "aws iam attach-user-policy --user-name x --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
    )
    .system(),
    row(
        "cloud.privilege_grant",
        &["gcloud"],
        &["add-iam-policy-binding"],
        "gcloud projects add-iam-policy-binding p --member user:x@example.com --role roles/owner",
    )
    .system(),
    row(
        "cloud.privilege_grant",
        &["az"],
        &["role", "assignment", "create"],
        "az role assignment create --assignee x --role Owner",
    )
    .system(),
    row(
        "cloud.privilege_grant",
        &["kubectl", "oc"],
        &["create", "clusterrolebinding"],
        "kubectl create clusterrolebinding x --clusterrole=cluster-admin --user=x",
    )
    .system(),
];
