/* Escape attempts for tests/pester/Escape.Tests.ps1, made from inside a container. For each attempt named on the
 * command line it prints NAME=0 when the attempt got through and NAME=ERRNO when the kernel stopped it.
 *
 * Every attempt stops at the point that proves access and writes nothing to the host: a file that could change the
 * host (sysrq-trigger, core_pattern, /sys, a cgroup's release_agent or cgroup.procs) is only opened for writing and
 * closed; privileged calls get arguments the kernel refuses only after its permission check (EINVAL, EFAULT,
 * ENOENT, EBADF mean "allowed"); a filesystem that gets mounted is unmounted at once, inside the container's own
 * mount namespace. Built statically by the test so it runs in a busybox root. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* 0 when allowed, else an errno. The "after the permission check" errnos count as allowed. */
static int allowed_unless_eperm(long r)
{
    if (r >= 0)
        return 0;
    return (errno == EPERM || errno == EACCES || errno == ENOSYS) ? errno : 0;
}

static int open_for_write(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

/* Reads one byte: masked files are /dev/null (0 bytes) or unreadable. */
static int read_a_byte(const char *path)
{
    char c;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    ssize_t n = read(fd, &c, 1);
    int e = n < 0 ? errno : (n == 0 ? ENODATA : 0);
    close(fd);
    return e;
}

static int try_mount(const char *source, const char *type, const char *data)
{
    mkdir("/tmp/psc-escape-mnt", 0700);
    if (mount(source, "/tmp/psc-escape-mnt", type, MS_RDONLY, data) != 0)
        return errno;
    umount2("/tmp/psc-escape-mnt", MNT_DETACH);
    return 0;
}

/* mknod of a device, then open it read-only (the device cgroup is what stops the open). */
static int device(unsigned major_, unsigned minor_)
{
    const char *path = "/tmp/psc-escape-dev";
    unlink(path);
    if (mknod(path, S_IFBLK | 0600, makedev(major_, minor_)) != 0 && mknod(path, S_IFCHR | 0600, makedev(major_, minor_)) != 0)
        return errno;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int e = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    unlink(path);
    return e;
}

/* A file only the host has: reachable from inside only through an escape of the root. */
static int reach(const char *marker)
{
    return access(marker, F_OK) == 0 ? 0 : errno;
}

static int attempt(const char *name, const char *arg)
{
    errno = 0;
    if (!strcmp(name, "mount-proc"))
        return try_mount("proc", "proc", NULL);
    if (!strcmp(name, "mount-sysfs"))
        return try_mount("sysfs", "sysfs", NULL);
    if (!strcmp(name, "mount-tmpfs"))
        return try_mount("tmpfs", "tmpfs", NULL);
    if (!strcmp(name, "mount-cgroup-v1"))
        return try_mount("cgroup", "cgroup", "none,name=psc-escape");
    if (!strcmp(name, "unshare-then-mount-cgroup")) {
        /* CVE-2022-0492: new user, mount and cgroup namespaces, then a cgroup v1 mount to reach release_agent. */
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP) != 0)
            return errno;
        return try_mount("cgroup", "cgroup", "none,name=psc-escape");
    }
    if (!strcmp(name, "write-sysrq-trigger"))
        return open_for_write("/proc/sysrq-trigger");
    if (!strcmp(name, "write-core-pattern"))
        return open_for_write("/proc/sys/kernel/core_pattern");
    if (!strcmp(name, "write-sys"))
        return open_for_write("/sys/kernel/mm/transparent_hugepage/enabled");
    if (!strcmp(name, "write-cgroup-procs"))
        return open_for_write("/sys/fs/cgroup/pids/cgroup.procs");
    if (!strcmp(name, "read-kcore"))
        return read_a_byte("/proc/kcore");
    if (!strcmp(name, "read-timer-list"))
        return read_a_byte("/proc/timer_list");
    if (!strcmp(name, "read-keys"))
        return read_a_byte("/proc/keys");
    if (!strcmp(name, "mknod-mem"))
        return device(1, 1);
    if (!strcmp(name, "mknod-disk")) {
        unsigned ma = 0, mi = 0;
        if (!arg || sscanf(arg, "%u:%u", &ma, &mi) != 2)
            return EINVAL;
        return device(ma, mi);
    }
    if (!strcmp(name, "open-by-handle")) {
        struct { unsigned int bytes; int type; unsigned char f[8]; } h = { 8, 1, { 0 } };
        return allowed_unless_eperm(syscall(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY));
    }
    if (!strcmp(name, "init-module"))
        return allowed_unless_eperm(syscall(SYS_init_module, NULL, 0, ""));
    if (!strcmp(name, "finit-module"))
        return allowed_unless_eperm(syscall(SYS_finit_module, -1, "", 0));
    if (!strcmp(name, "kexec-load"))
        return allowed_unless_eperm(syscall(SYS_kexec_load, 0, 0, NULL, 0xffff0000UL));
    if (!strcmp(name, "reboot"))
        return allowed_unless_eperm(syscall(SYS_reboot, 0, 0, 0, NULL));
    if (!strcmp(name, "set-clock")) {
        struct timespec bad = { 0, 2000000000L };
        return allowed_unless_eperm(syscall(SYS_clock_settime, CLOCK_REALTIME, &bad));
    }
    if (!strcmp(name, "swapon"))
        return allowed_unless_eperm(syscall(SYS_swapon, "/psc-escape-no-such-swap", 0));
    if (!strcmp(name, "bpf"))
        return allowed_unless_eperm(syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, NULL, 0));
    if (!strcmp(name, "perf-event-open"))
        return allowed_unless_eperm(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
    if (!strcmp(name, "userfaultfd")) {
        long fd = syscall(SYS_userfaultfd, 0);
        if (fd >= 0)
            close((int)fd);
        return fd >= 0 ? 0 : errno;
    }
    if (!strcmp(name, "host-keyring")) {
        /* KEYCTL_GET_KEYRING_ID of the user keyring: a keyring the container's root shares with the host's root. */
        long r = syscall(SYS_keyctl, 0, -4, 0);
        return r >= 0 ? 0 : errno;
    }
    if (!strcmp(name, "syslog"))
        return allowed_unless_eperm(syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0));
    if (!strcmp(name, "chroot-escape")) {
        /* The classic double chroot: chroot into a subdirectory, climb out with .., chroot there. */
        mkdir("/tmp/psc-escape-jail", 0700);
        if (chroot("/tmp/psc-escape-jail") != 0)
            return errno;
        for (int i = 0; i < 64; i++)
            if (chdir("..") != 0)
                break;
        if (chroot(".") != 0)
            return errno;
        return reach(arg ? arg : "/nonexistent");
    }
    if (!strcmp(name, "walk-fds-and-cwd")) {
        /* CVE-2024-21626 class: a descriptor or working directory of the runtime's left open to the host. */
        char path[256];
        for (int fd = 0; fd < 256; fd++) {
            snprintf(path, sizeof path, "/proc/self/fd/%d/../../../../../../%s", fd, arg ? arg + 1 : "nonexistent");
            if (access(path, F_OK) == 0)
                return 0;
        }
        snprintf(path, sizeof path, "/proc/self/cwd/../../../../../../%s", arg ? arg + 1 : "nonexistent");
        return reach(path);
    }
    if (!strcmp(name, "ptrace-host")) {
        long pid = arg ? atol(arg) : 1;
        return syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, pid, NULL, NULL) == 0 ? 0 : errno;
    }
    if (!strcmp(name, "tiocsti")) {
        char c = ' ';
        int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
        if (fd < 0)
            fd = 0;
        int r = ioctl(fd, TIOCSTI, &c);
        return r == 0 ? 0 : errno;
    }
    if (!strcmp(name, "swap-loop")) {
        /* Not an attempt but the attacker's half of a race: exchange two entries (a directory and a symlink) with
         * renameat2(RENAME_EXCHANGE) as fast as possible for SECONDS, so a host operation walking a path through
         * them meets each state. Arg: A:B:SECONDS. */
        char a[256], b[256];
        int seconds = 0;
        if (!arg || sscanf(arg, "%255[^:]:%255[^:]:%d", a, b, &seconds) != 3)
            return EINVAL;
        time_t end = time(NULL) + seconds;
        unsigned long n = 0;
        while (time(NULL) < end)
            for (int i = 0; i < 4096; i++, n++)
                if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */) != 0)
                    return errno;
        fprintf(stderr, "swap-loop: %lu exchanges\n", n);
        return 0;
    }
    if (!strcmp(name, "abstract-socket")) {
        /* An abstract unix socket the host listens on: such names belong to a network namespace, not to a path. */
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        size_t n = strlen(arg ? arg : "psc-none");
        if (n + 1 > sizeof a.sun_path)
            return ENAMETOOLONG;
        memcpy(a.sun_path + 1, arg ? arg : "psc-none", n);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return errno;
        int r = connect(fd, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
        int e = errno;
        close(fd);
        return r == 0 ? 0 : e;
    }
    return -1;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char name[128];
        const char *arg = strchr(argv[i], '=');
        size_t len = arg ? (size_t)(arg - argv[i]) : strlen(argv[i]);
        if (len >= sizeof name)
            return 2;
        memcpy(name, argv[i], len);
        name[len] = 0;
        int r = attempt(name, arg ? arg + 1 : NULL);
        if (r < 0) {
            fprintf(stderr, "escape-probe: unknown attempt %s\n", name);
            return 2;
        }
        printf("%s=%d\n", name, r);
        fflush(stdout);
    }
    return 0;
}
