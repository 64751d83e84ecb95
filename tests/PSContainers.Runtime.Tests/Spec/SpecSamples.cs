namespace PSContainers.Runtime.Tests.Spec;

// Hand-written configs shaped like what runc, podman and crun produce.
internal static class SpecSamples
{
    public const string RuncSpec = """
    {
      "ociVersion": "1.0.2-dev",
      "process": {
        "terminal": true,
        "user": { "uid": 0, "gid": 0 },
        "args": [ "sh" ],
        "env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm" ],
        "cwd": "/",
        "capabilities": {
          "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
          "ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
        },
        "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
        "noNewPrivileges": true
      },
      "root": { "path": "rootfs", "readonly": true },
      "hostname": "runc",
      "mounts": [
        { "destination": "/proc", "type": "proc", "source": "proc" },
        { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
        { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
        { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
        { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": [ "nosuid", "noexec", "nodev" ] },
        { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] },
        { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }
      ],
      "linux": {
        "resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
        "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" } ],
        "maskedPaths": [ "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                         "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi" ],
        "readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]
      }
    }
    """;

    // Every field the model knows, with values at the edges of their types.
    public const string Everything = """
    {
      "ociVersion": "1.2.0",
      "process": {
        "terminal": false,
        "consoleSize": { "height": 40, "width": 120 },
        "user": { "uid": 1000, "gid": 1000, "umask": 18, "additionalGids": [ 5, 4294967294 ], "username": "app" },
        "args": [ "/usr/bin/app", "--port", "8080" ],
        "commandLine": "app --port 8080",
        "env": [ "PATH=/usr/bin:/bin", "HOME=/home/app" ],
        "cwd": "/srv",
        "capabilities": {
          "bounding": [ "CAP_CHOWN" ], "effective": [ "CAP_CHOWN" ], "inheritable": [],
          "permitted": [ "CAP_CHOWN" ], "ambient": [ "CAP_CHOWN" ]
        },
        "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 18446744073709551615, "soft": 20000 },
                     { "type": "RLIMIT_NPROC", "hard": 4096, "soft": 1024 } ],
        "noNewPrivileges": true,
        "apparmorProfile": "docker-default",
        "oomScoreAdj": -999,
        "selinuxLabel": "system_u:system_r:svirt_lxc_net_t:s0:c124,c675",
        "scheduler": { "policy": "SCHED_DEADLINE", "nice": -5, "priority": 10, "flags": [ "SCHED_FLAG_RESET_ON_FORK" ],
                       "runtime": 10000000, "deadline": 20000000, "period": 30000000 },
        "ioPriority": { "class": "IOPRIO_CLASS_BE", "priority": 4 },
        "execCPUAffinity": { "initial": "0-1", "final": "1" }
      },
      "root": { "path": "/var/lib/psc/containers/abc/rootfs", "readonly": false },
      "hostname": "web",
      "domainname": "example.test",
      "mounts": [
        { "destination": "/data", "type": "bind", "source": "/srv/data", "options": [ "rbind", "rw", "idmap" ],
          "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
          "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ] },
        { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs" }
      ],
      "hooks": {
        "prestart": [ { "path": "/usr/bin/fix-mounts", "args": [ "fix-mounts", "arg1" ], "env": [ "key1=value1" ] } ],
        "createRuntime": [ { "path": "/usr/bin/setup-network", "timeout": 5 } ],
        "createContainer": [ { "path": "/usr/bin/mount-hook", "args": [ "mount-hook", "-mount" ] } ],
        "startContainer": [ { "path": "/usr/bin/refresh-ldcache" } ],
        "poststart": [ { "path": "/usr/bin/notify-start", "timeout": 30 } ],
        "poststop": [ { "path": "/usr/sbin/cleanup.sh", "args": [ "cleanup.sh", "-f" ] } ]
      },
      "annotations": { "com.example.key1": "value1", "io.podman.annotations.init": "FALSE" },
      "linux": {
        "uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
        "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],
        "sysctl": { "net.ipv4.ip_forward": "1", "net.core.somaxconn": "256" },
        "resources": {
          "devices": [ { "allow": false, "access": "rwm" },
                       { "allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw" },
                       { "allow": true, "type": "b", "major": 8, "access": "m" } ],
          "memory": { "limit": 536870912, "reservation": 268435456, "swap": -1, "kernel": -1, "kernelTCP": -1,
                      "swappiness": 0, "disableOOMKiller": false, "useHierarchy": true, "checkBeforeUpdate": true },
          "cpu": { "shares": 1024, "quota": 1000000, "burst": 1000, "period": 500000, "realtimeRuntime": 950000,
                   "realtimePeriod": 1000000, "cpus": "2-3", "mems": "0-7", "idle": 0 },
          "pids": { "limit": 32771 },
          "blockIO": {
            "weight": 10, "leafWeight": 10,
            "weightDevice": [ { "major": 8, "minor": 0, "weight": 500, "leafWeight": 300 }, { "major": 8, "minor": 16, "weight": 500 } ],
            "throttleReadBpsDevice": [ { "major": 8, "minor": 0, "rate": 600 } ],
            "throttleWriteBpsDevice": [ { "major": 8, "minor": 0, "rate": 18446744073709551615 } ],
            "throttleReadIOPSDevice": [ { "major": 8, "minor": 16, "rate": 300 } ],
            "throttleWriteIOPSDevice": [ { "major": 8, "minor": 16, "rate": 300 } ]
          },
          "hugepageLimits": [ { "pageSize": "2MB", "limit": 209715200 }, { "pageSize": "64KB", "limit": 1000000 } ],
          "network": { "classID": 1048577, "priorities": [ { "name": "eth0", "priority": 500 }, { "name": "eth1", "priority": 1000 } ] },
          "rdma": { "mlx5_1": { "hcaHandles": 3, "hcaObjects": 10000 }, "mlx4_0": { "hcaObjects": 1000 } },
          "unified": { "memory.high": "1073741824", "io.weight": "default 100" }
        },
        "cgroupsPath": "/psc/abc",
        "namespaces": [ { "type": "pid" }, { "type": "network", "path": "/var/run/netns/psc-abc" }, { "type": "mount" },
                        { "type": "ipc" }, { "type": "uts" }, { "type": "user" }, { "type": "cgroup" }, { "type": "time" } ],
        "devices": [ { "path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0 },
                     { "path": "/dev/sda", "type": "b", "major": 8, "minor": 0, "fileMode": 432 },
                     { "path": "/dev/myfifo", "type": "p" } ],
        "seccomp": {
          "defaultAction": "SCMP_ACT_ERRNO",
          "defaultErrnoRet": 1,
          "architectures": [ "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" ],
          "flags": [ "SECCOMP_FILTER_FLAG_LOG" ],
          "listenerPath": "/run/seccomp-agent.socket",
          "listenerMetadata": "metadata",
          "syscalls": [
            { "names": [ "getcwd", "chmod" ], "action": "SCMP_ACT_ALLOW" },
            { "names": [ "personality" ], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 8, "op": "SCMP_CMP_EQ" } ] },
            { "names": [ "clone" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
              "args": [ { "index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ" } ] }
          ]
        },
        "rootfsPropagation": "rslave",
        "maskedPaths": [ "/proc/kcore" ],
        "readonlyPaths": [ "/proc/sys" ],
        "mountLabel": "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811",
        "intelRdt": { "closID": "guaranteed_group", "l3CacheSchema": "L3:0=7f0;1=1f", "memBwSchema": "MB:0=20;1=70",
                      "enableCMT": true, "enableMBM": false },
        "personality": { "domain": "LINUX32", "flags": [] },
        "timeOffsets": { "monotonic": { "secs": 172800, "nanosecs": 0 }, "boottime": { "secs": -86400 } }
      }
    }
    """;
}
