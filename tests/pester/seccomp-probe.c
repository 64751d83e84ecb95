/* Makes raw system calls for tests/pester/Seccomp.Tests.ps1 and prints NAME=ERRNO (0 on success) for each
 * one named on the command line: libc wrappers may not exist (clone3) or may retry another way, and a
 * shell tool would hide which call failed. Built statically by the test so it runs in a busybox root. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long probe(const char *name)
{
    if (!strcmp(name, "keyctl"))
        return syscall(250, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 1);
    if (!strcmp(name, "add_key"))
        return syscall(248, "user", "psc-probe", "x", 1, -2 /* process keyring */);
    if (!strcmp(name, "request_key"))
        return syscall(249, "user", "psc-probe-missing", NULL, 0);
    if (!strcmp(name, "clone3"))
        return syscall(435, NULL, 0);
    if (!strcmp(name, "unshare-user"))
        return syscall(272, 0x10000000 /* CLONE_NEWUSER */);
    if (!strcmp(name, "unshare-mount"))
        return syscall(272, 0x00020000 /* CLONE_NEWNS */);
    if (!strcmp(name, "mkdir"))
        return syscall(83, "/tmp/psc-probe-dir", 0755);
    if (!strcmp(name, "personality-noaslr"))
        return syscall(135, 0x0040000 /* ADDR_NO_RANDOMIZE */);
    if (!strcmp(name, "getpid"))
        return syscall(39);
    errno = EINVAL;
    fprintf(stderr, "seccomp-probe: unknown probe %s\n", name);
    return -2;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        errno = 0;
        long r = probe(argv[i]);
        if (r == -2 && errno == EINVAL)
            return 2;
        printf("%s=%d\n", argv[i], r < 0 ? errno : 0);
    }
    return 0;
}
