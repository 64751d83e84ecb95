using PSContainers.Runtime.Seccomp;
using PSContainers.Runtime.Spec;
using Xunit;
using static PSContainers.Runtime.Tests.Seccomp.BpfInterpreter;

namespace PSContainers.Runtime.Tests.Seccomp;

public class SeccompCompilerTests
{
    private const int Mkdir = 83, Read = 0, Write = 1, Personality = 135, Keyctl = 250, Clone = 56;

    private static SeccompData Call(int nr, params ulong[] args) => new(nr, Bpf.AuditArchX86_64, args);

    private static LinuxSyscall Rule(string action, params string[] names) => new() { Names = [.. names], Action = action };

    private static LinuxSeccompArg Arg(uint index, string op, ulong value, ulong? two = null) =>
        new() { Index = index, Op = op, Value = value, ValueTwo = two };

    private static SockFilter[] Compile(string defaultAction, params LinuxSyscall[] rules) =>
        SeccompCompiler.Compile(new LinuxSeccomp { DefaultAction = defaultAction, Syscalls = [.. rules] }).Instructions;

    [Theory]
    [InlineData("SCMP_ACT_ALLOW", Bpf.RetAllow)]
    [InlineData("SCMP_ACT_KILL", Bpf.RetKillThread)]
    [InlineData("SCMP_ACT_KILL_THREAD", Bpf.RetKillThread)]
    [InlineData("SCMP_ACT_KILL_PROCESS", Bpf.RetKillProcess)]
    [InlineData("SCMP_ACT_TRAP", Bpf.RetTrap)]
    [InlineData("SCMP_ACT_LOG", Bpf.RetLog)]
    [InlineData("SCMP_ACT_ERRNO", Bpf.RetErrno | 1)]
    [InlineData("SCMP_ACT_TRACE", Bpf.RetTrace | 1)]
    public void EveryAction_IsWhatTheNamedSyscallGets_AndOthersGetTheDefault(string action, uint expected)
    {
        var program = Compile("SCMP_ACT_ERRNO", Rule(action, "mkdir"), Rule("SCMP_ACT_ALLOW", "write"));
        Assert.Equal(expected, Run(program, Call(Mkdir)));
        Assert.Equal(Bpf.RetAllow, Run(program, Call(Write)));
        Assert.Equal(Bpf.RetErrno | 1, Run(program, Call(Read)));
    }

    [Fact]
    public void ErrnoRet_AndDefaultErrnoRet_AreTheReturnedErrnos()
    {
        var seccomp = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO", DefaultErrnoRet = 38,
            Syscalls = [new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 13 },
                new LinuxSyscall { Names = ["write"], Action = "SCMP_ACT_TRACE", ErrnoRet = 7 }],
        };
        var program = SeccompCompiler.Compile(seccomp).Instructions;
        Assert.Equal(Bpf.RetErrno | 13, Run(program, Call(Mkdir)));
        Assert.Equal(Bpf.RetTrace | 7, Run(program, Call(Write)));
        Assert.Equal(Bpf.RetErrno | 38, Run(program, Call(Read)));
    }

    [Fact]
    public void DefaultAction_AnswersEverySyscallWithoutARule()
    {
        var program = Compile("SCMP_ACT_KILL_PROCESS", Rule("SCMP_ACT_ALLOW", "read", "write"));
        foreach (var nr in new[] { 2, 3, 59, 83, 435, SyscallTable.MaxNumber, SyscallTable.MaxNumber + 1, 1000, 0x3fffffff })
        {
            Assert.Equal(Bpf.RetKillProcess, Run(program, Call(nr)));
        }
    }

    [Fact]
    public void X32Calls_GetEnosys_EvenWhenTheirNumberMatchesAnAllowedCall()
    {
        var program = Compile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir"));
        Assert.Equal(Bpf.RetErrno | 1, Run(program, Call(Mkdir)));
        // x32 mkdir is 0x40000000 | 83: with an allow-by-default profile it must not slip past the deny rule.
        Assert.Equal(Bpf.RetErrno | 38, Run(program, Call((int)(Bpf.X32SyscallBit | Mkdir))));
        Assert.Equal(Bpf.RetErrno | 38, Run(program, Call((int)(Bpf.X32SyscallBit | 0))));
        Assert.Equal(Bpf.RetErrno | 38, Run(program, Call(unchecked((int)0xffffffff))));
    }

    [Theory]
    [InlineData(Bpf.AuditArchI386)]
    [InlineData(0xC00000B7u)] // aarch64
    [InlineData(0u)]
    [InlineData(0x4000003Eu)] // x86_64 without the 64-bit flag
    public void ForeignArchitectures_AreKilled(uint arch)
    {
        var program = Compile("SCMP_ACT_ALLOW", Rule("SCMP_ACT_ERRNO", "mkdir"));
        Assert.Equal(Bpf.RetKillProcess, Run(program, new SeccompData(39 /* i386 mkdir */, arch, [])));
        Assert.Equal(Bpf.RetKillProcess, Run(program, new SeccompData(Mkdir, arch, [])));
    }

    [Fact]
    public void I386Calls_WhenTheProfileListsX86_GetTheSameRulesUnderI386Numbers()
    {
        var seccomp = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            Syscalls =
            [
                Rule("SCMP_ACT_ALLOW", "write", "mkdir", "socketcall"),
                new LinuxSyscall { Names = ["personality"], Action = "SCMP_ACT_ALLOW", Args = [Arg(0, "SCMP_CMP_EQ", 8)] },
            ],
        };
        var program = SeccompCompiler.Compile(seccomp);
        SeccompData I386(int nr, params ulong[] args) => new(nr, Bpf.AuditArchI386, args);
        Assert.Equal(Bpf.RetAllow, Run(program.Instructions, I386(4 /* write */)));
        Assert.Equal(Bpf.RetAllow, Run(program.Instructions, I386(39 /* mkdir */)));
        Assert.Equal(Bpf.RetAllow, Run(program.Instructions, I386(102 /* socketcall: i386 only */)));
        Assert.Equal(Bpf.RetAllow, Run(program.Instructions, I386(136 /* personality */, 8)));
        Assert.Equal(Bpf.RetErrno | 1, Run(program.Instructions, I386(136, 0x40000)));
        // i386 83 is symlink and 1 is exit: x86_64's mkdir and write numbers mean other calls there.
        Assert.Equal(Bpf.RetErrno | 1, Run(program.Instructions, I386(83)));
        Assert.Equal(Bpf.RetErrno | 1, Run(program.Instructions, I386(1)));
        // x86_64 is unchanged, and socketcall, which x86_64 lacks, is not skipped: i386 has it.
        Assert.Equal(Bpf.RetAllow, Run(program.Instructions, Call(Mkdir)));
        Assert.Equal(Bpf.RetErrno | 1, Run(program.Instructions, Call(102 /* x86_64 getuid */)));
        Assert.DoesNotContain("socketcall", program.SkippedNames);
        Assert.Equal(Bpf.RetKillProcess, Run(program.Instructions, new SeccompData(39, 0xC00000B7u /* aarch64 */, [])));
    }

    [Fact]
    public void I386Table_AgreesWithTheKernelsNumbersForCallsTheProfilesGuard()
    {
        foreach (var (name, nr) in new[] { ("keyctl", 288), ("add_key", 286), ("request_key", 287), ("unshare", 310), ("clone", 120), ("clone3", 435), ("personality", 136), ("mount", 21), ("ptrace", 26), ("socket", 359) })
        {
            Assert.True(SyscallTableI386.TryGetNumber(name, out var got), name);
            Assert.Equal(nr, got);
        }
    }

    // Values chosen so the high and low 32-bit words disagree in every direction.
    private static readonly ulong[] EdgeValues =
    [
        0, 1, 2, 0xffffffff, 0x1_00000000, 0x1_00000001, 0x1_fffffffe, 0x2_00000000, 0x7fffffff_ffffffff,
        0x80000000_00000000, 0xffffffff_00000000, 0xffffffff_fffffffe, 0xffffffff_ffffffff, 0x00000001_80000000,
    ];

    public static TheoryData<string> OrderedOperators => new() { "SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE" };

    [Theory]
    [MemberData(nameof(OrderedOperators))]
    public void Comparisons_On64BitArguments_MatchUnsigned64BitSemantics_AtEveryHighLowEdge(string op)
    {
        foreach (var value in EdgeValues)
        {
            var program = Compile("SCMP_ACT_ALLOW", new LinuxSyscall { Names = ["personality"], Action = "SCMP_ACT_ERRNO", Args = [Arg(0, op, value)] });
            foreach (var arg in EdgeValues.Concat(EdgeValues.Select(v => v + 1)).Concat(EdgeValues.Select(v => v - 1)))
            {
                var expected = op switch
                {
                    "SCMP_CMP_EQ" => arg == value,
                    "SCMP_CMP_NE" => arg != value,
                    "SCMP_CMP_LT" => arg < value,
                    "SCMP_CMP_LE" => arg <= value,
                    "SCMP_CMP_GT" => arg > value,
                    _ => arg >= value,
                };
                var verdict = Run(program, Call(Personality, arg));
                Assert.True((verdict == (Bpf.RetErrno | 1)) == expected, $"{op} {value:x} on {arg:x}: got {verdict:x}");
            }
        }
    }

    [Fact]
    public void MaskedEquality_ComparesBothWordsUnderTheMask()
    {
        var masks = new ulong[] { 0x7e020000, 0xffffffff_00000000, 0x80000000_00000001, ulong.MaxValue, 0 };
        foreach (var mask in masks)
        {
            foreach (var expectedValue in new ulong[] { 0, 0x10000, 0x80000000_00000000, 0x1 })
            {
                var program = Compile("SCMP_ACT_ALLOW",
                    new LinuxSyscall { Names = ["clone"], Action = "SCMP_ACT_ERRNO", Args = [Arg(0, "SCMP_CMP_MASKED_EQ", mask, expectedValue)] });
                foreach (var arg in EdgeValues.Append(0x10000ul).Append(0x7e020000ul).Append(0x80000000_00010001ul))
                {
                    var matches = (arg & mask) == expectedValue;
                    Assert.True((Run(program, Call(Clone, arg)) == (Bpf.RetErrno | 1)) == matches, $"mask {mask:x} == {expectedValue:x} on {arg:x}");
                }
            }
        }
    }

    [Fact]
    public void ArgumentsOfOneRule_AreAnded_AndRulesOfOneSyscall_AreOred()
    {
        var program = Compile("SCMP_ACT_ERRNO",
            new LinuxSyscall { Names = ["write"], Action = "SCMP_ACT_ALLOW", Args = [Arg(0, "SCMP_CMP_EQ", 1), Arg(2, "SCMP_CMP_LT", 100)] },
            new LinuxSyscall { Names = ["write"], Action = "SCMP_ACT_LOG", Args = [Arg(0, "SCMP_CMP_EQ", 2)] });
        Assert.Equal(Bpf.RetAllow, Run(program, Call(Write, 1, 0, 99)));
        Assert.Equal(Bpf.RetErrno | 1, Run(program, Call(Write, 1, 0, 100)));
        Assert.Equal(Bpf.RetErrno | 1, Run(program, Call(Write, 3, 0, 5)));
        Assert.Equal(Bpf.RetLog, Run(program, Call(Write, 2, 0, 1000)));
    }

    [Fact]
    public void SameIndexTwiceInOneRule_IsAnOr_AsRuncDoes()
    {
        var program = Compile("SCMP_ACT_ERRNO",
            new LinuxSyscall { Names = ["personality"], Action = "SCMP_ACT_ALLOW", Args = [Arg(0, "SCMP_CMP_EQ", 0), Arg(0, "SCMP_CMP_EQ", 8)] });
        Assert.Equal(Bpf.RetAllow, Run(program, Call(Personality, 0)));
        Assert.Equal(Bpf.RetAllow, Run(program, Call(Personality, 8)));
        Assert.Equal(Bpf.RetErrno | 1, Run(program, Call(Personality, 4)));
    }

    [Fact]
    public void ConditionalRules_ComeBeforeAnUnconditionalRuleOfTheSameSyscall()
    {
        var program = Compile("SCMP_ACT_ALLOW",
            Rule("SCMP_ACT_ERRNO", "personality"),
            new LinuxSyscall { Names = ["personality"], Action = "SCMP_ACT_ALLOW", Args = [Arg(0, "SCMP_CMP_EQ", 0)] });
        Assert.Equal(Bpf.RetAllow, Run(program, Call(Personality, 0)));
        Assert.Equal(Bpf.RetErrno | 1, Run(program, Call(Personality, 1)));
    }

    [Fact]
    public void UnknownNames_AreSkippedAndReported()
    {
        var result = SeccompCompiler.Compile(new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            Syscalls = [Rule("SCMP_ACT_ALLOW", "socketcall", "read", "_llseek", "no_such_call")],
        });
        Assert.Equal(["socketcall", "_llseek", "no_such_call"], result.SkippedNames);
        Assert.Equal(Bpf.RetAllow, Run(result.Instructions, Call(Read)));
    }

    [Theory]
    [InlineData("SECCOMP_FILTER_FLAG_TSYNC", Bpf.FilterFlagTsync)]
    [InlineData("SECCOMP_FILTER_FLAG_LOG", Bpf.FilterFlagLog)]
    [InlineData("SECCOMP_FILTER_FLAG_SPEC_ALLOW", Bpf.FilterFlagSpecAllow)]
    public void Flags_BecomeFilterFlagBits(string flag, uint bit)
    {
        var result = SeccompCompiler.Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Flags = [flag] });
        Assert.Equal(bit, result.Flags);
    }

    public static TheoryData<LinuxSeccomp, string> Refused => new()
    {
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", ListenerPath = "/run/l.sock" }, "listenerPath" },
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_NOTIFY" }, "SCMP_ACT_NOTIFY" },
        { new LinuxSeccomp { DefaultAction = "" }, "defaultAction" },
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", DefaultErrnoRet = 1 }, "defaultErrnoRet" },
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_FLY" }, "SCMP_ACT_FLY" },
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Flags = ["SECCOMP_FILTER_FLAG_NEW_LISTENER"] }, "SECCOMP_FILTER_FLAG_NEW_LISTENER" },
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Architectures = ["SCMP_ARCH_AARCH64"] }, "SCMP_ARCH_AARCH64" },
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [new LinuxSyscall { Names = ["read"], Action = "SCMP_ACT_NOTIFY" }] }, "syscalls[0].action" },
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [new LinuxSyscall { Names = ["read"], Action = "SCMP_ACT_ALLOW", ErrnoRet = 1 }] }, "syscalls[0].errnoRet" },
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [new LinuxSyscall { Names = [], Action = "SCMP_ACT_ERRNO" }] }, "syscalls[0].names" },
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [new LinuxSyscall { Names = ["read"], Action = "SCMP_ACT_ERRNO", Args = [Arg(6, "SCMP_CMP_EQ", 1)] }] }, "args[0].index" },
        { new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [new LinuxSyscall { Names = ["read"], Action = "SCMP_ACT_ERRNO", Args = [Arg(0, "SCMP_CMP_XOR", 1)] }] }, "SCMP_CMP_XOR" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void WhatIsNotImplemented_IsRefused_NamingTheField(LinuxSeccomp seccomp, string named)
    {
        var e = Assert.Throws<SpecException>(() => SeccompCompiler.Compile(seccomp));
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void ALargeProfile_WithRulesOnEverySyscall_NeedsLongJumps_AndStillAnswersEachOne()
    {
        // Every syscall gets its own argument rule, so blocks sit far beyond an 8-bit jump from the search tree.
        var rules = SyscallTable.Names.Select(n =>
        {
            SyscallTable.TryGetNumber(n, out var nr);
            return new LinuxSyscall { Names = [n], Action = "SCMP_ACT_ALLOW", Args = [Arg(1, "SCMP_CMP_EQ", (ulong)nr)] };
        }).ToArray();
        var program = Compile("SCMP_ACT_ERRNO", rules);
        Assert.Contains(program, i => i.Code == Bpf.Ja && i.K > byte.MaxValue);
        var maxSteps = 0;
        foreach (var name in SyscallTable.Names)
        {
            SyscallTable.TryGetNumber(name, out var nr);
            Assert.Equal(Bpf.RetAllow, Run(program, Call(nr, 0, (ulong)nr)));
            Assert.Equal(Bpf.RetErrno | 1, Run(program, Call(nr, 0, (ulong)nr + 1), out var steps));
            maxSteps = Math.Max(maxSteps, steps);
        }

        // A binary search: a few dozen instructions per call, not one per syscall in the profile.
        Assert.True(maxSteps < 40, $"the longest path ran {maxSteps} instructions");
    }

    [Fact]
    public void AnAllowList_OfNeighbouringSyscalls_BecomesARangeCheck()
    {
        var program = Compile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", [.. SyscallTable.Names]));
        var worst = 0;
        foreach (var name in SyscallTable.Names)
        {
            SyscallTable.TryGetNumber(name, out var nr);
            Assert.Equal(Bpf.RetAllow, Run(program, Call(nr), out var steps));
            worst = Math.Max(worst, steps);
        }

        Assert.True(program.Length < 40, $"{program.Length} instructions");
        Assert.True(worst <= 12, $"worst path {worst} instructions");
        Assert.Equal(Bpf.RetErrno | 1, Run(program, Call(SyscallTable.MaxNumber + 1)));
        Assert.Equal(Bpf.RetErrno | 1, Run(program, Call(400))); // a hole in the table
    }

    [Fact]
    public void AnAllowList_OfEveryOtherSyscall_IsABinarySearch_NotAChain()
    {
        var names = SyscallTable.Names.Where(n => SyscallTable.TryGetNumber(n, out var nr) && nr % 2 == 0).ToArray();
        var program = Compile("SCMP_ACT_ERRNO", Rule("SCMP_ACT_ALLOW", names));
        var worst = 0;
        foreach (var name in SyscallTable.Names)
        {
            SyscallTable.TryGetNumber(name, out var nr);
            Assert.Equal(nr % 2 == 0 ? Bpf.RetAllow : Bpf.RetErrno | 1, Run(program, Call(nr), out var steps));
            worst = Math.Max(worst, steps);
        }

        // Header 4, about log2(n / 3) levels (some widened to jcc + ja), a leaf of three compares, ja, ret.
        var levels = (int)Math.Ceiling(Math.Log2(names.Length / 3.0));
        Assert.True(worst <= 4 + 2 * levels + 3 + 2 + 1, $"worst path {worst} instructions for {names.Length} entries");
    }
}
