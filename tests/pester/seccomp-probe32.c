/* A 32-bit (i386) probe for tests/pester/Seccomp.Tests.ps1: no libc, system calls through int 0x80, so the
 * kernel reports them with AUDIT_ARCH_I386 and i386's numbers. Prints NAME=ERRNO (0 when the call went through)
 * for: write (this output), mkdir, keyctl (the host keyring), unshare(CLONE_NEWUSER), personality(ADDR_NO_RANDOMIZE).
 * Built by the test: clang -m32 -static -nostdlib -ffreestanding -fno-stack-protector. */
static long call3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

static void print(const char *s)
{
    long n = 0;
    while (s[n])
        n++;
    call3(4 /* write */, 1, (long)s, n);
}

static void report(const char *name, long r)
{
    char digits[16];
    int i = 15;
    long e = r < 0 ? -r : 0;
    digits[i] = 0;
    do {
        digits[--i] = (char)('0' + e % 10);
        e /= 10;
    } while (e);
    print(name);
    print("=");
    print(digits + i);
    print("\n");
}

void _start(void)
{
    report("write", 0);
    report("mkdir", call3(39, (long)"/tmp/probe32-dir", 0755, 0));
    report("keyctl", call3(288, 0 /* KEYCTL_GET_KEYRING_ID */, -4 /* the user keyring */, 0));
    report("unshare-user", call3(310, 0x10000000 /* CLONE_NEWUSER */, 0, 0));
    report("personality-noaslr", call3(136, 0x0040000 /* ADDR_NO_RANDOMIZE */, 0, 0));
    call3(1 /* exit */, 0, 0, 0);
}
