//! Table rows for destroyers: disks, volume managers, infrastructure as
//! code, cloud resources, databases, virtual machines, container data and
//! published packages. Their dry runs stay allowed.

use super::table::{row, ToolRule};

const DOCKERS: &[&str] = &["docker", "podman", "nerdctl"];
const TERRAFORMS: &[&str] = &["terraform", "tofu", "terragrunt"];
const ARTISAN: &str = "migrate:fresh|migrate:reset|migrate:refresh|db:wipe";
const RAKES: &[&str] = &["rails", "rake"];

pub(crate) const DESTROYERS: &[ToolRule] = &[
    // partition tables and disks
    row(
        "disk.partition_table",
        &["sgdisk"],
        &[],
        "sgdisk --zap-all /dev/sda",
    )
    .any(&[
        "--zap-all",
        "--zap",
        "-Z",
        "-z",
        "--clear",
        "-o",
        "--delete",
        "-d",
    ])
    .critical(),
    row(
        "disk.partition_table",
        &["parted"],
        &["mklabel|mktable|rm"],
        "parted -s /dev/sda mklabel gpt",
    )
    .critical(),
    row(
        "disk.partition_table",
        &["sfdisk"],
        &[],
        "sfdisk --delete /dev/sda 1",
    )
    .any(&["--delete"])
    .critical(),
    row("disk.wipe", &["badblocks"], &[], "badblocks -wsv /dev/sdb")
        .any(&["-w"])
        .critical(),
    row(
        "disk.wipe",
        &["nvme"],
        &["format|sanitize"],
        "nvme format /dev/nvme0n1",
    )
    .critical(),
    row(
        "disk.wipe",
        &["cryptsetup"],
        &["luksFormat|erase|luksErase"],
        "cryptsetup luksFormat /dev/sdb1",
    )
    .critical(),
    row(
        "disk.image_write",
        &["bmaptool"],
        &["copy"],
        "bmaptool copy os.img /dev/sdb",
    )
    .device()
    .critical(),
    row(
        "disk.image_write",
        &["ddrescue"],
        &[],
        "ddrescue -f os.img /dev/sdb",
    )
    .device()
    .critical(),
    // volume managers and filesystems
    row(
        "fs.zfs_destroy",
        &["zfs"],
        &["destroy"],
        "zfs destroy -r tank/data",
    )
    .unless(&["-n"]),
    row(
        "fs.zfs_destroy",
        &["zpool"],
        &["destroy|labelclear"],
        "zpool destroy tank",
    )
    .critical(),
    row(
        "fs.lvm_remove",
        &["pvremove", "vgremove", "lvremove"],
        &[],
        "lvremove -f vg0/data",
    )
    .unless(&["-t", "--test"]),
    row(
        "fs.raid_wipe",
        &["mdadm"],
        &[],
        "mdadm --zero-superblock /dev/sdb1",
    )
    .any(&["--zero-superblock"]),
    row(
        "fs.btrfs_delete",
        &["btrfs"],
        &["subvolume|subvol|sub|su", "delete|del|de"],
        "btrfs subvolume delete /mnt/@home",
    ),
    // infrastructure as code
    row(
        "terraform.destroy",
        TERRAFORMS,
        &["destroy"],
        "terraform destroy -auto-approve",
    ),
    row(
        "terraform.destroy",
        TERRAFORMS,
        &["apply"],
        "terraform apply -destroy",
    )
    .any(&["-destroy", "--destroy"]),
    row(
        "iac.destroy",
        &["pulumi"],
        &["destroy|down"],
        "pulumi destroy --yes",
    )
    .unless(&["--preview-only"]),
    row(
        "iac.destroy",
        &["pulumi"],
        &["stack", "rm"],
        "pulumi stack rm prod --yes",
    ),
    row(
        "iac.destroy",
        &["cdk", "cdktf"],
        &["destroy"],
        "cdk destroy --force",
    ),
    row(
        "iac.destroy",
        &["helmfile"],
        &["destroy"],
        "helmfile -e prod destroy",
    ),
    row(
        "iac.destroy",
        &["serverless", "sls"],
        &["remove"],
        "serverless remove --stage prod",
    ),
    // cloud resources (whole ones)
    row(
        "aws.s3_recursive_delete",
        &["aws"],
        &["s3", "rm"],
        "aws s3 rm s3://bucket --recursive",
    )
    .any(&["--recursive"])
    .unless(&["--dryrun"]),
    row(
        "aws.s3_remove_bucket",
        &["aws"],
        &["s3", "rb"],
        "aws s3 rb s3://bucket --force",
    )
    .any(&["--force"]),
    row(
        "aws.s3_remove_bucket",
        &["aws"],
        &["s3api", "delete-bucket"],
        "aws s3api delete-bucket --bucket b",
    ),
    row(
        "aws.ec2_terminate",
        &["aws"],
        &["ec2", "terminate-instances"],
        "aws ec2 terminate-instances --instance-ids i-1",
    )
    .unless(&["--dry-run"]),
    row(
        "aws.delete_database",
        &["aws"],
        &["rds", "delete-db-instance|delete-db-cluster"],
        "aws rds delete-db-cluster --db-cluster-identifier prod",
    ),
    row(
        "aws.delete_database",
        &["aws"],
        &["dynamodb", "delete-table"],
        "aws dynamodb delete-table --table-name t",
    ),
    row(
        "aws.delete_stack",
        &["aws"],
        &["cloudformation", "delete-stack"],
        "aws cloudformation delete-stack --stack-name prod",
    ),
    row(
        "aws.delete_cluster",
        &["aws"],
        &["eks|ecs", "delete-cluster"],
        "aws eks delete-cluster --name prod",
    ),
    row(
        "azure.delete_group",
        &["az"],
        &["group", "delete"],
        "az group delete --name rg-prod --yes",
    ),
    row(
        "cloud.delete_resource",
        &["az"],
        &["vm|aks|webapp|functionapp|cosmosdb|keyvault", "delete"],
        "az aks delete -g rg -n prod",
    ),
    row(
        "cloud.delete_resource",
        &["az"],
        &["sql|postgres|mysql|storage", "*", "delete"],
        "az sql db delete -g rg -s srv -n db",
    ),
    row(
        "gcloud.delete_project",
        &["gcloud"],
        &["projects", "delete"],
        "gcloud projects delete my-proj",
    ),
    row(
        "cloud.delete_resource",
        &["gcloud"],
        &["sql|spanner|bigtable", "instances", "delete"],
        "gcloud sql instances delete prod-db",
    ),
    row(
        "cloud.delete_resource",
        &["gcloud"],
        &["container|dataproc", "clusters", "delete"],
        "gcloud container clusters delete prod",
    ),
    row(
        "cloud.delete_resource",
        &["gcloud"],
        &["compute", "instances|disks", "delete"],
        "gcloud compute instances delete vm-1",
    ),
    row(
        "cloud.delete_resource",
        &["gcloud"],
        &["storage", "buckets", "delete"],
        "gcloud storage buckets delete gs://b",
    ),
    row(
        "heroku.destroy",
        &["heroku"],
        &["apps:destroy|destroy|pg:reset"],
        "heroku apps:destroy --app web",
    ),
    row(
        "cloud.delete_resource",
        &["doctl", "linode-cli", "openstack", "hcloud"],
        &["delete"],
        "doctl compute droplet delete web-1 --force",
    ),
    // databases
    row("db.drop_database", &["dropdb"], &[], "dropdb shop").unless(&["--help"]),
    row(
        "db.drop_database",
        &["mysqladmin"],
        &["drop"],
        "mysqladmin -u root drop shop",
    ),
    row(
        "db.drop_database",
        &["mongosh", "mongo"],
        &[],
        "mongosh --eval 'db.dropDatabase()'",
    )
    .any(&["~dropDatabase(", "~.drop("]),
    row(
        "db.framework_reset",
        RAKES,
        &["db:drop|db:reset|db:purge|db:migrate:reset|db:schema:load|db:truncate_all"],
        "rails db:drop",
    ),
    row(
        "db.framework_reset",
        &["dotnet"],
        &["ef", "database", "drop"],
        "dotnet ef database drop -f",
    )
    .unless(&["--dry-run"]),
    row(
        "db.framework_reset",
        &["php"],
        &["artisan", ARTISAN],
        "php artisan migrate:fresh",
    ),
    row(
        "db.framework_reset",
        &["artisan"],
        &[ARTISAN],
        "./artisan db:wipe --force",
    ),
    row(
        "db.framework_reset",
        &["django-admin", "manage.py"],
        &["flush|reset_db"],
        "django-admin flush --noinput",
    ),
    row(
        "db.framework_reset",
        &["python*"],
        &["manage.py|django", "flush|reset_db"],
        "python manage.py flush --noinput",
    ),
    row(
        "db.framework_reset",
        &["prisma"],
        &["migrate", "reset"],
        "prisma migrate reset --force",
    ),
    row(
        "db.framework_reset",
        &["prisma"],
        &["db", "push"],
        "prisma db push --force-reset",
    )
    .any(&["--force-reset"]),
    // virtual machines
    row(
        "vm.destroy",
        &["vagrant"],
        &["destroy"],
        "vagrant destroy -f",
    ),
    row(
        "vm.destroy",
        &["virsh"],
        &["undefine"],
        "virsh undefine web --remove-all-storage",
    )
    .any(&["--remove-all-storage", "--storage", "--wipe-storage"]),
    row(
        "vm.destroy",
        &["virsh"],
        &["vol-delete|vol-wipe|pool-delete"],
        "virsh vol-delete disk.qcow2 --pool default",
    ),
    row(
        "vm.destroy",
        &["VBoxManage", "vboxmanage"],
        &["unregistervm"],
        "VBoxManage unregistervm web --delete",
    )
    .any(&["--delete", "--delete-all"]),
    row(
        "vm.power_off",
        &["virsh"],
        &["destroy|reset"],
        "virsh destroy web",
    )
    .system(),
    row(
        "vm.power_off",
        &["VBoxManage", "vboxmanage"],
        &["controlvm", "*", "poweroff|reset"],
        "VBoxManage controlvm web poweroff",
    )
    .system(),
    // container data
    row(
        "docker.compose_down_volumes",
        DOCKERS,
        &["compose", "down"],
        "docker compose down -v",
    )
    .any(&["-v", "--volumes"]),
    row(
        "docker.compose_down_volumes",
        DOCKERS,
        &["compose", "*", "down"],
        "docker compose -f prod.yml down -v",
    )
    .any(&["-v", "--volumes"]),
    row(
        "docker.compose_down_volumes",
        &["docker-compose", "podman-compose"],
        &["down"],
        "docker-compose down --volumes",
    )
    .any(&["-v", "--volumes"]),
    row(
        "docker.volume_rm",
        DOCKERS,
        &["volume", "rm|remove"],
        "docker volume rm pgdata",
    ),
    // published packages
    row(
        "package.unpublish",
        &["npm", "pnpm", "yarn"],
        &["unpublish"],
        "npm unpublish pkg@1.0.0",
    )
    .unless(&["--dry-run"])
    .approval(),
    row(
        "package.unpublish",
        &["cargo", "gem"],
        &["yank"],
        "cargo yank --version 1.0.0",
    )
    .unless(&["--undo"])
    .approval(),
    // releases and history
    row(
        "helm.uninstall",
        &["helm"],
        &["uninstall|delete|del|un"],
        "helm uninstall web -n prod",
    )
    .unless(&["--dry-run"])
    .approval(),
    row(
        "git.history_rewrite",
        &["git"],
        &["filter-branch|filter-repo"],
        "git filter-branch --force --index-filter 'git rm -rf --cached --ignore-unmatch .' HEAD",
    )
    .unless(&["--dry-run", "--analyze"])
    .approval(),
    row(
        "git.history_rewrite",
        &["git-filter-repo"],
        &[],
        "git-filter-repo --path secrets/ --invert-paths --force",
    )
    .unless(&["--dry-run", "--analyze"])
    .approval(),
];
