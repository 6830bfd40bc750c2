//! Tool rules through every wrapper and nesting form: container and remote
//! payloads, producers feeding deleters, irrecoverable git, and the
//! destroyer table; each with its allowed near-misses.

use super::table_destroyers::DESTROYERS;
use super::table_system::SYSTEM;
use super::{analyze_command, Category, Outcome, ShellFinding, ShellOptions};

use Category::{Destructive as D, SystemChange as S};
use Outcome::{Approval as A, Deny as X};

pub(super) fn analyze(cmd: &str) -> Vec<ShellFinding> {
    analyze_command(cmd, &ShellOptions::default())
}

fn single_quoted(cmd: &str) -> String {
    cmd.replace('\'', "'\\''")
}

/// `cmd` behind wrappers and inside nestings. `simple`: `cmd` is one simple
/// command, so prefixes (`sudo`, `env -`, `docker exec`, `xargs`) apply.
pub(super) fn forms(cmd: &str, simple: bool) -> Vec<String> {
    let q = single_quoted(cmd);
    let mut out = vec![
        cmd.to_string(),
        format!("bash -c '{q}'"),
        format!("sh -c '{q}'"),
        format!("echo $({cmd})"),
        format!("ssh deploy@host '{q}'"),
        format!("true && {cmd}"),
        format!("( {cmd} )"),
        format!("eval '{q}'"),
    ];
    if simple {
        out.extend([
            format!("sudo {cmd}"),
            format!("sudo -u root -- {cmd}"),
            format!("env - {cmd}"),
            format!("env -i PATH=/bin {cmd}"),
            format!("timeout 5 {cmd}"),
            format!("nice -n 5 {cmd}"),
            format!("docker exec -it box {cmd}"),
            format!("kubectl exec -n prod pod-1 -- {cmd}"),
            format!("echo x | xargs {cmd}"),
        ]);
    }
    out
}

/// Every row behind every form reports (rule, category, outcome).
pub(super) fn check_rows(rows: &[(&str, &str, Category, Outcome)], simple: bool) -> usize {
    let mut failures = Vec::new();
    let mut n = 0;
    for (base, rule, cat, outcome) in rows {
        for cmd in forms(base, simple) {
            n += 1;
            let got = analyze(&cmd);
            let hit = got
                .iter()
                .any(|f| f.rule == *rule && f.category == *cat && f.outcome == *outcome);
            if !hit {
                let seen: Vec<_> = got.iter().map(|f| (f.rule, f.outcome)).collect();
                failures.push(format!("{cmd:?}: want {rule} {outcome:?}, got {seen:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} failed:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    n
}

pub(super) fn check_allowed(cmds: &[&str]) {
    let failures: Vec<String> = cmds
        .iter()
        .filter_map(|cmd| {
            let got = analyze(cmd);
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
fn table_examples_fire_their_rows() {
    for r in DESTROYERS.iter().chain(SYSTEM) {
        let got = analyze(r.example);
        assert!(
            got.iter()
                .any(|f| f.rule == r.rule && f.category == r.category && f.outcome == r.outcome),
            "{}: want {} {:?}, got {got:?}",
            r.example,
            r.rule,
            r.outcome
        );
    }
}

// ---- item 3: container, cluster and remote payloads

const CONTAINERS: &[(&str, &str, Category, Outcome)] = &[
    ("docker exec api rm -rf /", "shell.rm_recursive_root", D, X),
    (
        "docker exec -u root -w /app api rm -rf /etc",
        "shell.rm_recursive_system",
        D,
        X,
    ),
    (
        "docker container exec -it api mkfs.ext4 /dev/sda",
        "shell.disk_format",
        D,
        X,
    ),
    ("podman exec web rm -rf ~", "shell.rm_recursive_home", D, X),
    (
        "nerdctl exec web dd if=/dev/zero of=/dev/sda",
        "shell.disk_wipe",
        D,
        X,
    ),
    (
        "docker run --rm alpine rm -rf /",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    (
        "docker run --rm -v /:/host alpine rm -rf /host",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    (
        "docker run -v /:/x alpine rm -rf /x/etc",
        "shell.rm_recursive_system",
        D,
        X,
    ),
    (
        "docker run --volume=/etc:/cfg busybox rm -rf /cfg",
        "shell.rm_recursive_system",
        D,
        X,
    ),
    (
        "docker run --mount type=bind,source=/,target=/h alpine sh -c 'rm -rf /h/usr'",
        "shell.rm_recursive_system",
        D,
        X,
    ),
    (
        "docker run -v /:/host --entrypoint rm alpine -rf /host",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    (
        "docker run --privileged -v /:/host alpine chroot /host sh",
        "container.privileged_host_mount",
        S,
        A,
    ),
    (
        "docker exec db psql -U app -c 'DROP TABLE users'",
        "sql.drop",
        D,
        X,
    ),
    (
        "docker compose exec db psql -c 'TRUNCATE orders'",
        "sql.truncate",
        D,
        X,
    ),
    (
        "docker-compose exec -T db mysql -e 'DROP DATABASE shop'",
        "sql.drop",
        D,
        X,
    ),
    (
        "docker compose run --rm web rm -rf /",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    (
        "kubectl exec web-1 -- rm -rf /",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    (
        "kubectl -n prod exec -it web-1 -c app -- sh -c 'rm -rf /*'",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    ("oc exec web-1 -- psql -c 'DROP TABLE t'", "sql.drop", D, X),
    (
        "kubectl debug node/n1 -it --image=busybox -- chroot /host rm -rf /etc",
        "shell.rm_recursive_system",
        D,
        X,
    ),
    (
        "nsenter -t 1 -m -u -i -n -p -- rm -rf /",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    (
        "nsenter --target 1 --mount mkfs.xfs /dev/sdb",
        "shell.disk_format",
        D,
        X,
    ),
    (
        "chroot /mnt/sysroot rm -rf /",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    ("lxc exec c1 -- rm -rf /", "shell.rm_recursive_root", D, X),
    ("incus exec c1 -- git reset --hard", "git.reset_hard", D, X),
    ("ssh db1 dropdb shop", "db.drop_database", D, X),
    (
        "vagrant ssh web -c 'sudo rm -rf /'",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    (
        "gcloud compute ssh vm-1 --zone z --command 'sudo mkfs.ext4 /dev/sdb'",
        "shell.disk_format",
        D,
        X,
    ),
    ("docker exec cache redis-cli FLUSHALL", "redis.flush", D, X),
];

#[test]
fn container_payloads_are_analysed() {
    let n = check_rows(CONTAINERS, false);
    assert!(n >= 40 * 4, "{n}");
}

#[test]
fn container_near_misses_are_allowed() {
    let opts = ShellOptions {
        cwd: Some("/home/dev/app".into()),
        ..ShellOptions::default()
    };
    let cmds = [
        "docker exec api cat /app/config.yml",
        "docker exec api rm -rf /app/cache",
        "docker exec -it api bash",
        "docker run --rm -v $PWD:/src -w /src node:20 npm ci",
        "docker run --rm -v \"$(pwd)\":/app alpine rm -rf /app/build",
        "docker run -v /home/dev/app:/src alpine rm -rf /src/dist",
        "docker run -d --name web -p 8080:80 nginx",
        "docker run --rm alpine echo hi",
        "docker ps -a",
        "docker logs -f api",
        "docker compose up -d",
        "docker compose exec db psql -c 'SELECT 1'",
        "docker compose run --rm web pytest",
        "docker-compose exec web python manage.py migrate",
        "kubectl exec web-1 -- ls /srv",
        "kubectl exec -it web-1 -- sh",
        "kubectl get pods -A",
        "kubectl debug -it web-1 --image=busybox --target=app",
        "nsenter -t 4242 -n ip addr",
        "lxc exec c1 -- apt-get update",
        "lxc list",
        "ssh host uptime",
        "ssh host 'rm -rf /srv/app/releases/old'",
        "docker run --rm -v /var/run/docker.sock:/var/run/docker.sock docker:cli docker ps",
    ];
    for cmd in cmds {
        let got = analyze_command(cmd, &opts);
        assert!(got.is_empty(), "{cmd}: {got:?}");
    }
}

// ---- item 4: producers feeding deleters

const PIPES: &[(&str, &str, Category, Outcome)] = &[
    ("find / -type f | xargs rm", "shell.pipe_delete", D, X),
    (
        "find / -type f -print0 | xargs -0 rm -f",
        "shell.pipe_delete",
        D,
        X,
    ),
    ("find ~ -name '*' | xargs rm", "shell.pipe_delete", D, X),
    (
        "find /etc | xargs -n 10 shred -u",
        "shell.pipe_delete",
        D,
        X,
    ),
    ("ls / | xargs rm -rf", "shell.rm_recursive_root", D, X),
    (
        "ls ~ | xargs -I{} rm -rf {}",
        "shell.rm_recursive_home",
        D,
        X,
    ),
    (
        "ls / | xargs -I{} sh -c 'rm -rf {}'",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    (
        "echo /etc | xargs -I % bash -c 'rm -rf %'",
        "shell.rm_recursive_system",
        D,
        X,
    ),
    (
        "echo / | xargs --replace rm -rf {}",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    (
        "echo /usr | xargs -i sudo rm -r {}",
        "shell.rm_recursive_system",
        D,
        X,
    ),
    (
        "find /usr -maxdepth 1 | parallel rm -rf",
        "shell.rm_recursive_system",
        D,
        X,
    ),
    ("find / | parallel rm", "shell.pipe_delete", D, X),
    (
        "find / -name '*.log' | grep -v keep | sort | xargs rm -f",
        "shell.pipe_delete",
        D,
        X,
    ),
    ("find ~ | sudo xargs rm -f", "shell.pipe_delete", D, X),
    ("fd . / | xargs rm", "shell.pipe_delete", D, X),
    ("parallel rm -rf ::: /", "shell.rm_recursive_root", D, X),
    (
        "parallel rm -rf {} ::: build /etc",
        "shell.rm_recursive_system",
        D,
        X,
    ),
    (
        "parallel 'rm -rf {}' ::: ~",
        "shell.rm_recursive_home",
        D,
        X,
    ),
    (
        "parallel -j4 bash -c 'rm -rf {}' ::: /",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    (
        "parallel ::: 'rm -rf /' 'ls'",
        "shell.rm_recursive_root",
        D,
        X,
    ),
    ("sem -j2 rm -rf /", "shell.rm_recursive_root", D, X),
    (
        "cat list | xargs -I{} sh -c 'rm -rf /'",
        "shell.rm_recursive_root",
        D,
        X,
    ),
];

#[test]
fn producers_feeding_deleters_are_deletions() {
    let n = check_rows(PIPES, false);
    assert!(n >= 40 * 4, "{n}");
}

#[test]
fn producer_near_misses_are_allowed() {
    check_allowed(&[
        "find . -name '*.orig' | xargs rm -f",
        "find . -name '*.pyc' -print0 | xargs -0 rm -f",
        "find dist -name '*.map' -delete",
        "find /tmp -name 'x*' | xargs rm -f",
        "find / -name '*.conf' | xargs grep -l listen",
        "find / -type f | xargs ls -l",
        "find ~ -name '*.md' | xargs wc -l",
        "ls / | xargs -n1 echo",
        "ls ~ | xargs -I{} echo {}",
        "echo / | xargs du -sh",
        "parallel rm -rf ::: build dist",
        "parallel rm -rf {} ::: target node_modules",
        "parallel gzip ::: *.log",
        "parallel echo ::: a b c",
        "parallel -j4 'gzip {}' ::: logs/a logs/b",
        "git ls-files -z | xargs -0 rm -f",
        "ls *.tmp | xargs rm -f",
        "find src -name '*.o' | xargs rm",
        "sem -j2 make test",
        "find / -xdev -type f -size +1G 2>/dev/null | head",
        "ls /etc | grep nginx",
        "cat files | xargs -I{} sh -c 'gzip -9 {}'",
        "find . -name '*.orig' | xargs -I{} sh -c 'rm -f {}'",
        "cat list | parallel 'gzip {}'",
        "ls | xargs -I{} echo 'file: {}'",
    ]);
}

// ---- item 5: irrecoverable git

const GIT: &[(&str, &str, Category, Outcome)] = &[
    ("git clean -f", "git.clean_force", D, X),
    ("git clean -fd", "git.clean_force", D, X),
    ("git clean -fdX", "git.clean_force", D, X),
    ("git clean --force -d", "git.clean_force", D, X),
    ("git clean -ffdx", "git.clean_force", D, X),
    ("git stash clear", "git.stash_clear", D, X),
    ("git branch -D main", "git.delete_protected_branch", D, X),
    (
        "git branch --delete --force master",
        "git.delete_protected_branch",
        D,
        X,
    ),
    ("git branch -d main", "git.delete_protected_branch", D, A),
    ("git checkout -- .", "git.discard_changes", D, X),
    ("git checkout .", "git.discard_changes", D, X),
    ("git checkout HEAD~2 -- .", "git.discard_changes", D, X),
    ("git checkout -f -- :/", "git.discard_changes", D, X),
    ("git checkout -f main", "git.discard_changes", D, X),
    (
        "git switch --discard-changes main",
        "git.discard_changes",
        D,
        X,
    ),
    ("git restore .", "git.discard_changes", D, X),
    ("git restore --source=HEAD~3 .", "git.discard_changes", D, X),
    ("git restore -s main -- .", "git.discard_changes", D, X),
    ("git restore -SW .", "git.discard_changes", D, X),
    ("git reset --hard", "git.reset_hard", D, X),
    (
        "git -C repo reset --hard origin/main",
        "git.reset_hard",
        D,
        X,
    ),
    (
        "git push origin --delete main",
        "git.delete_protected_branch",
        D,
        X,
    ),
    (
        "git reflog expire --expire=now --all",
        "git.reflog_expire",
        D,
        A,
    ),
    ("git gc --prune=now --aggressive", "git.gc_prune_now", D, A),
];

const GIT_COMPOUND: &[(&str, &str, Category, Outcome)] = &[
    (
        "git reflog expire --expire=now --all && git gc --prune=now",
        "git.history_purge",
        D,
        X,
    ),
    (
        "git reflog expire --expire-unreachable=now --all; git gc --prune=all",
        "git.history_purge",
        D,
        X,
    ),
];

#[test]
fn irrecoverable_git() {
    let n = check_rows(GIT, true) + check_rows(GIT_COMPOUND, false);
    assert!(n >= 40 * 4, "{n}");
}

#[test]
fn env_dash_unwraps() {
    for cmd in [
        "env - git reset --hard",
        "env -i git reset --hard",
        "env -- git reset --hard",
    ] {
        let got = analyze(cmd);
        assert_eq!(got.first().map(|f| f.rule), Some("git.reset_hard"), "{cmd}");
    }
}

#[test]
fn git_near_misses_are_allowed() {
    // `git gc --prune=now` alone goes for approval (`git.gc_prune_now`): it
    // deletes unreachable objects at once, such as a dropped stash.
    // `git checkout -- file.txt` discards one file's edits: a scoped undo an
    // agent runs to revert its own change, visible in the diff it just made;
    // only the whole tree (`.`, `:/`) is the irrecoverable case.
    check_allowed(&[
        "git clean -n",
        "git clean -ndx",
        "git clean -fdn",
        "git clean --dry-run -fd",
        "git clean -fi",
        "git clean -d",
        "git stash",
        "git stash show -p",
        "git stash list",
        "git stash drop",
        "git reflog show",
        "git reflog",
        "git reflog expire --expire=90.days.ago",
        "git gc",
        "git checkout -b feature/x",
        "git checkout main",
        "git switch -c feature/y",
        "git switch main",
        "git checkout -- file.txt",
        "git checkout HEAD~1 -- src/lib.rs",
        "git checkout -p .",
        "git restore src/main.rs",
        "git restore --staged .",
        "git restore -p .",
        "git branch -D feature/old",
        "git branch -d topic",
        "git branch -a",
        "git reset --soft HEAD~1",
        "git reset HEAD .",
    ]);
}

// ---- item 11: destroyers beyond the first list

const DESTROY: &[(&str, &str, Category, Outcome)] = &[
    ("sgdisk -Z /dev/sda", "disk.partition_table", D, X),
    (
        "sgdisk --zap-all /dev/nvme0n1",
        "disk.partition_table",
        D,
        X,
    ),
    ("parted /dev/sda rm 1", "disk.partition_table", D, X),
    (
        "parted -s /dev/sdb mklabel msdos",
        "disk.partition_table",
        D,
        X,
    ),
    ("sfdisk --delete /dev/sda", "disk.partition_table", D, X),
    ("badblocks -w /dev/sdc", "disk.wipe", D, X),
    ("nvme format /dev/nvme0n1 --ses=1", "disk.wipe", D, X),
    ("cryptsetup -q luksFormat /dev/sdb1", "disk.wipe", D, X),
    ("blkdiscard -f /dev/sda", "shell.disk_wipe", D, X),
    ("cp disk.img /dev/sdb", "shell.disk_overwrite", D, X),
    (
        "bmaptool copy os.img /dev/mmcblk0",
        "disk.image_write",
        D,
        X,
    ),
    ("dcfldd if=os.img of=/dev/sdb", "shell.disk_wipe", D, X),
    ("zfs destroy -r tank/home", "fs.zfs_destroy", D, X),
    ("zpool destroy -f tank", "fs.zfs_destroy", D, X),
    ("pvremove /dev/sdb1", "fs.lvm_remove", D, X),
    ("vgremove -f vg0", "fs.lvm_remove", D, X),
    ("lvremove vg0/data", "fs.lvm_remove", D, X),
    ("mdadm --zero-superblock /dev/sdb1", "fs.raid_wipe", D, X),
    ("btrfs subvolume delete /mnt/@", "fs.btrfs_delete", D, X),
    ("pulumi destroy -s prod --yes", "iac.destroy", D, X),
    ("pulumi down --yes", "iac.destroy", D, X),
    ("cdk destroy --all --force", "iac.destroy", D, X),
    ("npx cdk destroy", "iac.destroy", D, X),
    ("helmfile destroy", "iac.destroy", D, X),
    ("terragrunt run-all destroy", "terraform.destroy", D, X),
    ("terragrunt destroy", "terraform.destroy", D, X),
    ("tofu destroy -auto-approve", "terraform.destroy", D, X),
    (
        "az group delete -n rg-prod --yes",
        "azure.delete_group",
        D,
        X,
    ),
    (
        "gcloud projects delete my-project --quiet",
        "gcloud.delete_project",
        D,
        X,
    ),
    (
        "gcloud --project p sql instances delete db",
        "cloud.delete_resource",
        D,
        X,
    ),
    (
        "heroku apps:destroy -a web --confirm web",
        "heroku.destroy",
        D,
        X,
    ),
    (
        "aws cloudformation delete-stack --stack-name prod",
        "aws.delete_stack",
        D,
        X,
    ),
    (
        "aws --profile prod eks delete-cluster --name c",
        "aws.delete_cluster",
        D,
        X,
    ),
    (
        "aws rds delete-db-cluster --db-cluster-identifier c",
        "aws.delete_database",
        D,
        X,
    ),
    (
        "aws s3api delete-bucket --bucket b",
        "aws.s3_remove_bucket",
        D,
        X,
    ),
    (
        "doctl databases delete 123 --force",
        "cloud.delete_resource",
        D,
        X,
    ),
    (
        "linode-cli linodes delete 42",
        "cloud.delete_resource",
        D,
        X,
    ),
    (
        "openstack server delete web-1",
        "cloud.delete_resource",
        D,
        X,
    ),
    ("dropdb -h db prod", "db.drop_database", D, X),
    ("mysqladmin -f drop shop", "db.drop_database", D, X),
    (
        "mongosh mongodb://db/shop --eval 'db.dropDatabase()'",
        "db.drop_database",
        D,
        X,
    ),
    (
        "mongo shop --eval 'db.users.drop()'",
        "db.drop_database",
        D,
        X,
    ),
    ("rails db:drop", "db.framework_reset", D, X),
    ("bin/rails db:reset", "db.framework_reset", D, X),
    ("bundle exec rake db:drop", "db.framework_reset", D, X),
    (
        "rake db:reset RAILS_ENV=production",
        "db.framework_reset",
        D,
        X,
    ),
    (
        "dotnet ef database drop --force",
        "db.framework_reset",
        D,
        X,
    ),
    (
        "php artisan migrate:fresh --seed",
        "db.framework_reset",
        D,
        X,
    ),
    ("php artisan db:wipe --force", "db.framework_reset", D, X),
    (
        "python manage.py flush --noinput",
        "db.framework_reset",
        D,
        X,
    ),
    ("./manage.py flush", "db.framework_reset", D, X),
    (
        "poetry run python manage.py flush",
        "db.framework_reset",
        D,
        X,
    ),
    ("vagrant destroy -f", "vm.destroy", D, X),
    (
        "virsh undefine vm1 --remove-all-storage",
        "vm.destroy",
        D,
        X,
    ),
    ("VBoxManage unregistervm vm1 --delete", "vm.destroy", D, X),
    ("virsh destroy vm1", "vm.power_off", S, A),
    (
        "docker compose down -v",
        "docker.compose_down_volumes",
        D,
        X,
    ),
    (
        "docker compose -f prod.yml down --volumes",
        "docker.compose_down_volumes",
        D,
        X,
    ),
    (
        "docker-compose down -v --remove-orphans",
        "docker.compose_down_volumes",
        D,
        X,
    ),
    ("docker volume rm pgdata", "docker.volume_rm", D, X),
    ("podman volume rm -f data", "docker.volume_rm", D, X),
    ("npm unpublish my-pkg@1.2.3", "package.unpublish", D, A),
    ("cargo yank --vers 1.0.0", "package.unpublish", D, A),
    ("redis-cli -h cache FLUSHALL", "redis.flush", D, X),
];

#[test]
fn destroyers_through_wrappers() {
    let n = check_rows(DESTROY, true);
    assert!(n >= 40 * 4, "{n}");
}

#[test]
fn destroyer_dry_runs_and_reads_are_allowed() {
    check_allowed(&[
        "sgdisk -p /dev/sda",
        "sgdisk --print /dev/sda",
        "parted -l",
        "parted /dev/sda print",
        "sfdisk -l /dev/sda",
        "badblocks -sv /dev/sdb",
        "badblocks -n /dev/sdb",
        "nvme list",
        "nvme smart-log /dev/nvme0",
        "cryptsetup luksDump /dev/sdb1",
        "cryptsetup open /dev/sdb1 data",
        "bmaptool copy os.img out.img",
        "wipefs -n /dev/sda",
        "wipefs /dev/sda",
        "zfs destroy -nv tank/old@snap",
        "zfs list -t snapshot",
        "zpool status",
        "lvremove --test vg0/data",
        "lvs",
        "mdadm --detail /dev/md0",
        "btrfs subvolume list /",
        "btrfs subvolume create /mnt/@new",
        "terraform plan -destroy",
        "terraform plan",
        "tofu plan -destroy -out=p",
        "pulumi preview",
        "pulumi destroy --preview-only",
        "cdk diff",
        "helmfile diff",
        "az group list",
        "gcloud projects list",
        "gcloud sql instances describe db",
        "heroku apps:info -a web",
        "aws cloudformation describe-stacks",
        "aws ec2 terminate-instances --instance-ids i-1 --dry-run",
        "aws s3 rm s3://b/x --recursive --dryrun",
        "aws s3api list-buckets",
        "doctl compute droplet list",
        "openstack server list",
        "createdb shop",
        "mysqladmin status",
        "mongosh --eval 'db.users.find()'",
        "rails db:migrate",
        "bundle exec rake db:migrate",
        "dotnet ef database update",
        "dotnet ef database drop --dry-run",
        "php artisan migrate",
        "python manage.py migrate",
        "python manage.py sqlflush",
        "vagrant up",
        "vagrant status",
        "virsh list --all",
        "virsh undefine vm1",
        "VBoxManage list vms",
        "docker compose down",
        "docker compose down --remove-orphans",
        "docker volume ls",
        "docker volume create data",
        "npm publish",
        "npm unpublish my-pkg@1.0.0 --dry-run",
        "cargo yank --vers 1.0.0 --undo",
        "cargo publish --dry-run",
    ]);
}

#[test]
fn nested_jobs_stay_bounded() {
    // Every `parallel` level multiplies jobs by its inputs; every fed stage
    // re-analyses its consumer. Both must stay far from exponential.
    let mut cmd = "rm -rf {}".to_string();
    for _ in 0..5 {
        cmd = format!("parallel '{}' ::: / a b c d e f g h", single_quoted(&cmd));
    }
    let feeds = |levels: usize| {
        let mut fed = "find / | xargs rm".to_string();
        for _ in 0..levels {
            fed = format!("cat x | xargs -I{{}} sh -c '{}'", single_quoted(&fed));
        }
        fed
    };
    for cmd in [cmd, feeds(2)] {
        let start = std::time::Instant::now();
        let got = analyze(&cmd);
        assert!(start.elapsed().as_secs() < 2, "{:?}", start.elapsed());
        assert!(!got.is_empty(), "{}", cmd.len());
    }
    let start = std::time::Instant::now();
    analyze(&feeds(11));
    assert!(start.elapsed().as_secs() < 2, "{:?}", start.elapsed());
}

#[test]
fn readme_lists_every_table_rule() {
    let readme = include_str!("../../../README.md");
    for r in DESTROYERS.iter().chain(SYSTEM) {
        assert!(readme.contains(&format!("`{}`", r.rule)), "{}", r.rule);
    }
}

const TOOL_PREFIXES: &[&str] = &[
    "docker run ",
    "docker exec ",
    "docker compose ",
    "kubectl exec ",
    "nsenter ",
    "lxc exec ",
    "parallel ",
    "find / | xargs -I{} ",
    "ls ~ | parallel ",
    "git restore ",
    "git checkout ",
    "git branch ",
    "crontab ",
    "sysctl ",
    "mount ",
    "kill ",
    "sgdisk ",
    "aws ",
];

const TOOL_PIECES: &[&str] = &[
    " ",
    "-v",
    "/:/h",
    "/h",
    "--mount",
    "type=bind,src=/,dst=/h",
    "-",
    "--",
    ":::",
    "{}",
    "rm",
    "-rf",
    "/",
    "~",
    "'",
    "\"",
    "é",
    "-é",
    "=",
    ",",
    "--privileged",
    "--entrypoint",
    "-I",
    "sh -c",
    ".",
    "-f",
    "|",
    "$(",
    ")",
];

proptest::proptest! {
    #[test]
    fn tool_parsers_never_panic(
        prefix in proptest::sample::select(TOOL_PREFIXES),
        pieces in proptest::collection::vec(proptest::sample::select(TOOL_PIECES), 0..24),
    ) {
        let cmd = format!("{prefix}{}", pieces.join(" "));
        let got = analyze(&cmd);
        proptest::prop_assert!(got.len() <= 64);
    }
}

/// Everyday use of the tools the table knows: none may be blocked.
#[test]
fn everyday_tool_use_is_allowed() {
    let cmds = [
        "npm run destroy-cache",
        "npm install",
        "npm uninstall left-pad",
        "yarn remove x",
        "cargo build",
        "cargo update",
        "gem install rails",
        "rails server",
        "rails db:migrate",
        "rails db:seed",
        "rake test",
        "bundle exec rspec",
        "poetry run pytest",
        "uv run pytest -x",
        "npx prettier --write .",
        "npx tsc --noEmit",
        "helm list",
        "helm upgrade --install web ./chart",
        "helmfile apply",
        "pulumi up --yes",
        "pulumi stack ls",
        "cdk deploy",
        "cdk synth",
        "terraform apply",
        "terraform init",
        "terraform workspace delete dev",
        "terragrunt plan",
        "aws s3 ls",
        "aws s3 cp a s3://b/c",
        "aws logs tail /aws/lambda/x",
        "az login",
        "az account show",
        "gcloud config set project p",
        "gcloud auth login",
        "doctl auth init",
        "doctl compute droplet list",
        "heroku logs --tail",
        "heroku run rails console",
        "docker build -t app .",
        "docker run --rm -it app",
        "docker run --rm -v $(pwd):/work -w /work golang go test ./...",
        "docker compose logs -f",
        "docker compose down",
        "docker volume ls",
        "docker system df",
        "docker image prune -f",
        "kubectl apply -f k8s/",
        "kubectl rollout restart deploy/web",
        "kubectl logs -f web-1",
        "kubectl port-forward svc/web 8080:80",
        "kubectl exec -it web-1 -- bash",
        "systemctl --user status",
        "journalctl -u nginx -n 50",
        "service --status-all",
        "sudo apt-get install -y jq",
        "brew install jq",
        "mount | grep sda",
        "df -h",
        "lsblk",
        "blkid",
        "fdisk -l",
        "parted -l",
        "zpool list",
        "zfs list",
        "lvs",
        "vgs",
        "pvs",
        "mdadm --detail --scan",
        "btrfs filesystem df /",
        "virsh list",
        "vagrant ssh",
        "vagrant halt",
        "VBoxManage list runningvms",
        "mongosh --eval 'db.stats()'",
        "mysqladmin ping",
        "psql -c 'SELECT 1'",
        "redis-cli ping",
        "python manage.py runserver",
        "python manage.py makemigrations",
        "php artisan serve",
        "php artisan migrate --force",
        "dotnet ef migrations add Init",
        "prisma generate",
        "prisma migrate dev",
        "git stash pop",
        "git checkout -",
        "git checkout HEAD -- README.md",
        "git restore --staged src/",
        "git clean -xn",
        "git branch -m main",
        "git branch --list",
        "openstack server list",
        "linode-cli linodes list",
        "crontab -l > backup.cron",
        "sysctl vm.swappiness",
        "iptables -L -n -v",
        "ufw allow 22",
        "ufw status",
        "nft list tables",
        "id",
        "whoami",
        "groups",
        "passwd --status",
        "kill -0 1",
        "shutdown --help",
        "reboot --help",
        "find . -type f | xargs grep TODO",
        "find ~/proj -name '*.py' | xargs wc -l",
        "ls ~ | head",
        "echo ~",
        "parallel --version",
        "docker run -v /etc/localtime:/etc/localtime:ro --rm app",
        "docker run --rm -v ~/.aws:/root/.aws amazon/aws-cli s3 ls",
        "docker run --rm -v /var/log:/logs alpine ls /logs",
        "docker exec web sh -c 'rm -rf /tmp/*'",
        "ssh host sudo systemctl status nginx",
    ];
    check_allowed(&cmds);
}
