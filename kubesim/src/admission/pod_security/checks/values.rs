//! The values each control allows (or names), as tables: what the Pod Security
//! Standards permit is data, the checks in `baseline` and `restricted` read it.

/// Capabilities `baseline` lets a container add.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];
/// Capabilities `restricted` lets a container add (after dropping `ALL`).
pub const RESTRICTED_CAPABILITIES: &[&str] = &["NET_BIND_SERVICE"];
/// AppArmor profile types allowed (pod and containers).
pub const APPARMOR_TYPES: &[&str] = &["RuntimeDefault", "Localhost"];
/// Seccomp profile types allowed (1.19+; `restricted` requires one of them).
pub const SECCOMP_TYPES: &[&str] = &["RuntimeDefault", "Localhost"];
/// `procMount` values allowed.
pub const PROC_MOUNTS: &[&str] = &["Default"];
/// SELinux types allowed, each from the version that allowed it.
pub const SELINUX_TYPES: &[(u32, &str)] = &[
    (0, ""),
    (0, "container_t"),
    (0, "container_init_t"),
    (0, "container_kvm_t"),
    (31, "container_engine_t"),
];
/// The "safe" sysctls, each from the version that allowed it.
pub const SYSCTLS: &[(u32, &str)] = &[
    (0, "kernel.shm_rmid_forced"),
    (0, "net.ipv4.ip_local_port_range"),
    (0, "net.ipv4.tcp_syncookies"),
    (0, "net.ipv4.ping_group_range"),
    (0, "net.ipv4.ip_unprivileged_port_start"),
    (27, "net.ipv4.ip_local_reserved_ports"),
    (29, "net.ipv4.tcp_keepalive_time"),
    (29, "net.ipv4.tcp_fin_timeout"),
    (29, "net.ipv4.tcp_keepalive_intvl"),
    (29, "net.ipv4.tcp_keepalive_probes"),
    (32, "net.ipv4.tcp_rmem"),
    (32, "net.ipv4.tcp_wmem"),
];
/// Volume sources `restricted` allows.
pub const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];
/// The volume sources `restricted` names when it refuses one (anything else is
/// `unknown`).
pub const NAMED_VOLUME_TYPES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];
/// Seccomp annotation values `baseline` allows before 1.19 (exactly, or as a prefix).
pub const SECCOMP_ANNOTATIONS: &[&str] = &["runtime/default", "docker/default", "localhost/"];
/// AppArmor annotation values allowed (exactly, or as a prefix); empty is allowed too.
pub const APPARMOR_ANNOTATIONS: &[&str] = &["runtime/default", "localhost/"];
