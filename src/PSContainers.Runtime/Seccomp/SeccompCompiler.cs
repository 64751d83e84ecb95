using Microsoft.Extensions.Logging;
using PSContainers.Runtime.Spec;

namespace PSContainers.Runtime.Seccomp;

/// <summary>Compiles an OCI linux.seccomp object into a classic BPF filter for x86_64 and, when listed, i386.</summary>
/// <remarks>
/// Layout: check the architecture: x86_64 goes to its section; i386 (32-bit programs) to a section of its own with
/// the same rules under i386's numbers when the profile lists SCMP_ARCH_X86, as Docker's default does; anything else
/// is killed, since letting its calls through would bypass a deny list. In the x86_64 section, x32 calls (nr with
/// bit 30) get ENOSYS. Each section is a binary search over ranges of syscall numbers that have rules; a leaf either returns the action of an unconditional rule at once or
/// enters that syscall's block, which tries its argument rules in order. Everything not found gets the default
/// action. Rules of one syscall: those with args are tried first, in the profile's order (first match wins); the first
/// rule without args, or the default action, answers when none match.
/// </remarks>
public static class SeccompCompiler
{
    public static readonly IReadOnlyList<string> Actions =
    [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",
    ];

    public static readonly IReadOnlyList<string> Operators =
    [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
    ];

    /// <summary>Architectures a profile may list; x86_64 and i386 get rules, x32 calls get ENOSYS (see the remarks).</summary>
    public static readonly IReadOnlyList<string> Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"];

    public static readonly IReadOnlyList<string> Flags =
        ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"];

    private const int MaxArgs = 6;
    private const uint Eperm = 1, Enosys = 38, MaxErrno = 4095;
    // Leaves of the search tree compare up to this many numbers one by one: a jge costs as much as a jeq.
    private const int LeafSize = 3;

    private sealed record Rule(uint Action, List<List<LinuxSeccompArg>> Alternatives);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<LinuxSeccomp, SeccompProgram> Cache = new();

    /// <summary>Compiles once per object: the spec check and the setup plan both need the program.</summary>
    public static SeccompProgram CompileCached(LinuxSeccomp seccomp, ILogger? logger = null)
    {
        if (Cache.TryGetValue(seccomp, out var program))
        {
            return program;
        }

        program = Compile(seccomp, logger);
        Cache.AddOrUpdate(seccomp, program);
        return program;
    }

    public static SeccompProgram Compile(LinuxSeccomp seccomp, ILogger? logger = null)
    {
        if (!string.IsNullOrEmpty(seccomp.ListenerPath) || !string.IsNullOrEmpty(seccomp.ListenerMetadata))
        {
            throw new SpecException("linux.seccomp.listenerPath: pscrun has no seccomp notify listener support");
        }

        var defaultAction = Action(seccomp.DefaultAction, seccomp.DefaultErrnoRet, "linux.seccomp.defaultAction", "linux.seccomp.defaultErrnoRet");
        foreach (var arch in seccomp.Architectures ?? new List<string>())
        {
            if (!Architectures.Contains(arch))
            {
                throw new SpecException($"linux.seccomp.architectures: '{arch}' is not supported (pscrun knows {string.Join(", ", Architectures)})");
            }
        }

        uint flags = 0;
        foreach (var flag in seccomp.Flags ?? new List<string>())
        {
            flags |= flag switch
            {
                "SECCOMP_FILTER_FLAG_TSYNC" => Bpf.FilterFlagTsync,
                "SECCOMP_FILTER_FLAG_LOG" => Bpf.FilterFlagLog,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => Bpf.FilterFlagSpecAllow,
                _ => throw new SpecException($"linux.seccomp.flags: '{flag}' is not supported (pscrun knows {string.Join(", ", Flags)})"),
            };
        }

        var withI386 = seccomp.Architectures?.Contains("SCMP_ARCH_X86") == true;
        var rules = new SortedDictionary<int, List<Rule>>();
        var rulesI386 = new SortedDictionary<int, List<Rule>>();
        var skipped = new List<string>();
        var syscalls = seccomp.Syscalls ?? new List<LinuxSyscall>();
        for (var i = 0; i < syscalls.Count; i++)
        {
            var s = syscalls[i];
            var where = $"linux.seccomp.syscalls[{i}]";
            var action = Action(s.Action, s.ErrnoRet, where + ".action", where + ".errnoRet");
            var args = s.Args ?? new List<LinuxSeccompArg>();
            for (var j = 0; j < args.Count; j++)
            {
                CheckArg(args[j], $"{where}.args[{j}]");
            }

            // As runc does: when one index is compared more than once, each comparison is a rule of its own (ORed).
            var alternatives = args.GroupBy(a => a.Index).Any(g => g.Count() > 1)
                ? args.Select(a => new List<LinuxSeccompArg> { a }).ToList()
                : new List<List<LinuxSeccompArg>> { args };
            if (s.Names.Count == 0)
            {
                throw new SpecException($"{where}.names is empty");
            }

            foreach (var name in s.Names)
            {
                var known = Add(rules, SyscallTable.TryGetNumber(name, out var nr) ? nr : null, action, alternatives);
                if (withI386)
                {
                    known |= Add(rulesI386, SyscallTableI386.TryGetNumber(name, out var nr32) ? nr32 : null, action, alternatives);
                }

                if (!known && !skipped.Contains(name))
                {
                    skipped.Add(name);
                }
            }
        }

        if (skipped.Count > 0)
        {
            logger?.LogDebug("seccomp: skipping syscalls the filter's architectures do not have: {Names}", string.Join(", ", skipped));
        }

        var program = Emit(defaultAction, rules, withI386 ? rulesI386 : null);
        if (program.Length > Bpf.MaxInstructions)
        {
            throw new SpecException($"linux.seccomp: the filter needs {program.Length} BPF instructions, more than the kernel's limit of {Bpf.MaxInstructions}");
        }

        return new SeccompProgram(program, flags, skipped);
    }

    private static bool Add(SortedDictionary<int, List<Rule>> rules, int? nr, uint action, List<List<LinuxSeccompArg>> alternatives)
    {
        if (nr is not { } number)
        {
            return false;
        }

        if (!rules.TryGetValue(number, out var list))
        {
            rules[number] = list = new List<Rule>();
        }

        list.Add(new Rule(action, alternatives));
        return true;
    }

    private static SockFilter[] Emit(uint defaultAction, SortedDictionary<int, List<Rule>> rules, SortedDictionary<int, List<Rule>>? rulesI386)
    {
        var asm = new BpfAssembler();
        var returns = new Dictionary<uint, int>();
        int Ret(uint value)
        {
            if (!returns.TryGetValue(value, out var label))
            {
                returns[value] = label = asm.NewLabel();
            }

            return label;
        }

        var defaultLabel = Ret(defaultAction);
        asm.Load(Bpf.OffsetArch);
        var otherArch = asm.NewLabel();
        asm.Branch(Bpf.JeqK, Bpf.AuditArchX86_64, BpfAssembler.Next, otherArch);
        asm.Load(Bpf.OffsetNr);
        asm.Branch(Bpf.JgeK, Bpf.X32SyscallBit, Ret(Bpf.RetErrno | Enosys), BpfAssembler.Next);
        Section(asm, rules, defaultAction, defaultLabel, Ret);
        asm.Mark(otherArch);
        if (rulesI386 is null)
        {
            asm.JumpTo(Ret(Bpf.RetKillProcess));
        }
        else
        {
            // i386 has no x32-style bit to refuse: its numbers are plain, and its search is of its own table.
            asm.Branch(Bpf.JeqK, Bpf.AuditArchI386, BpfAssembler.Next, Ret(Bpf.RetKillProcess));
            asm.Load(Bpf.OffsetNr);
            Section(asm, rulesI386, defaultAction, defaultLabel, Ret);
        }

        foreach (var (value, label) in returns)
        {
            asm.Mark(label);
            asm.Return(value);
        }

        return asm.Assemble();
    }

    // One architecture's search tree and rule blocks; the accumulator holds the syscall number on entry.
    private static void Section(BpfAssembler asm, SortedDictionary<int, List<Rule>> rules, uint defaultAction, int defaultLabel, Func<uint, int> ret)
    {
        // Where the search leaves go for each syscall: an action's return, or the syscall's own block.
        var entries = new List<(int Nr, int Label)>();
        var blocks = new List<(int Label, List<Rule> Rules)>();
        foreach (var (nr, list) in rules)
        {
            var conditional = list.Where(r => r.Alternatives.Any(a => a.Count > 0)).ToList();
            var fallback = list.FirstOrDefault(r => r.Alternatives.Any(a => a.Count == 0))?.Action ?? defaultAction;
            if (conditional.Count == 0)
            {
                if (fallback != defaultAction)
                {
                    entries.Add((nr, ret(fallback)));
                }

                continue;
            }

            var label = asm.NewLabel();
            entries.Add((nr, label));
            blocks.Add((label, list));
        }

        var ranges = Ranges(entries);
        Search(asm, ranges, 0, ranges.Count, defaultLabel);
        foreach (var (label, list) in blocks)
        {
            asm.Mark(label);
            foreach (var rule in list)
            {
                foreach (var alternative in rule.Alternatives.Where(a => a.Count > 0))
                {
                    var next = asm.NewLabel();
                    foreach (var arg in alternative)
                    {
                        Compare(asm, arg, next);
                    }

                    asm.JumpTo(ret(rule.Action));
                    asm.Mark(next);
                }
            }

            var fallback = list.FirstOrDefault(r => r.Alternatives.Any(a => a.Count == 0))?.Action ?? defaultAction;
            asm.JumpTo(ret(fallback));
        }
    }

    // Binary search on the accumulator (the syscall number) over ranges[lo, hi) of consecutive numbers that go to
    // one place: an allow list is mostly runs of neighbours, so it shrinks to a few dozen ranges.
    private static void Search(BpfAssembler asm, List<(int First, int Last, int Label)> ranges, int lo, int hi, int notFound)
    {
        if (hi - lo <= LeafSize)
        {
            for (var i = lo; i < hi; i++)
            {
                var (first, last, label) = ranges[i];
                if (first == last)
                {
                    asm.Branch(Bpf.JeqK, (uint)first, label, BpfAssembler.Next);
                    continue;
                }

                // Above this range: try the next one; inside it: its label; below it: a gap, so not found.
                var following = asm.NewLabel();
                asm.Branch(Bpf.JgtK, (uint)last, following, BpfAssembler.Next);
                asm.Branch(Bpf.JgeK, (uint)first, label, notFound);
                asm.Mark(following);
            }

            asm.JumpTo(notFound);
            return;
        }

        var mid = lo + (hi - lo) / 2;
        var right = asm.NewLabel();
        asm.Branch(Bpf.JgeK, (uint)ranges[mid].First, right, BpfAssembler.Next);
        Search(asm, ranges, lo, mid, notFound);
        asm.Mark(right);
        Search(asm, ranges, mid, hi, notFound);
    }

    private static List<(int First, int Last, int Label)> Ranges(List<(int Nr, int Label)> entries)
    {
        var ranges = new List<(int First, int Last, int Label)>();
        foreach (var (nr, label) in entries)
        {
            if (ranges.Count > 0 && ranges[^1].Last == nr - 1 && ranges[^1].Label == label)
            {
                ranges[^1] = (ranges[^1].First, nr, label);
            }
            else
            {
                ranges.Add((nr, nr, label));
            }
        }

        return ranges;
    }

    // Falls through when the 64-bit argument satisfies the comparison, jumps to fail otherwise. The argument is
    // two 32-bit words (little-endian: low word first); the high words decide unless they are equal.
    private static void Compare(BpfAssembler asm, LinuxSeccompArg arg, int fail)
    {
        var lo = Bpf.OffsetArgs + 8 * arg.Index;
        var hi = lo + 4;
        var value = arg.Value;
        var pass = asm.NewLabel();
        var next = BpfAssembler.Next;
        switch (arg.Op)
        {
            case "SCMP_CMP_EQ":
                asm.Load(hi);
                asm.Branch(Bpf.JeqK, High(value), next, fail);
                asm.Load(lo);
                asm.Branch(Bpf.JeqK, Low(value), next, fail);
                break;
            case "SCMP_CMP_NE":
                asm.Load(hi);
                asm.Branch(Bpf.JeqK, High(value), next, pass);
                asm.Load(lo);
                asm.Branch(Bpf.JeqK, Low(value), fail, next);
                break;
            case "SCMP_CMP_MASKED_EQ":
            {
                var expected = arg.ValueTwo ?? 0;
                MaskedWord(asm, hi, High(value), High(expected), fail);
                MaskedWord(asm, lo, Low(value), Low(expected), fail);
                break;
            }

            case "SCMP_CMP_GT":
                asm.Load(hi);
                asm.Branch(Bpf.JgtK, High(value), pass, next);
                asm.Branch(Bpf.JeqK, High(value), next, fail);
                asm.Load(lo);
                asm.Branch(Bpf.JgtK, Low(value), next, fail);
                break;
            case "SCMP_CMP_GE":
                asm.Load(hi);
                asm.Branch(Bpf.JgtK, High(value), pass, next);
                asm.Branch(Bpf.JeqK, High(value), next, fail);
                asm.Load(lo);
                asm.Branch(Bpf.JgeK, Low(value), next, fail);
                break;
            case "SCMP_CMP_LT":
                asm.Load(hi);
                asm.Branch(Bpf.JgeK, High(value), next, pass);
                asm.Branch(Bpf.JeqK, High(value), next, fail);
                asm.Load(lo);
                asm.Branch(Bpf.JgeK, Low(value), fail, next);
                break;
            case "SCMP_CMP_LE":
                asm.Load(hi);
                asm.Branch(Bpf.JgeK, High(value), next, pass);
                asm.Branch(Bpf.JeqK, High(value), next, fail);
                asm.Load(lo);
                asm.Branch(Bpf.JgtK, Low(value), fail, next);
                break;
            default:
                throw new InvalidOperationException($"unchecked operator {arg.Op}");
        }

        asm.Mark(pass);
    }

    // A word the mask clears needs no code: it always matches an expected 0 and never anything else. Namespace
    // flags (clone's mask 0x7e020000) only have a low word.
    private static void MaskedWord(BpfAssembler asm, uint offset, uint mask, uint expected, int fail)
    {
        if (mask == 0)
        {
            if (expected != 0)
            {
                asm.JumpTo(fail);
            }

            return;
        }

        asm.Load(offset);
        if (mask != uint.MaxValue)
        {
            asm.Statement(Bpf.AndK, mask);
        }

        asm.Branch(Bpf.JeqK, expected, BpfAssembler.Next, fail);
    }

    private static uint High(ulong v) => (uint)(v >> 32);

    private static uint Low(ulong v) => (uint)v;

    private static void CheckArg(LinuxSeccompArg arg, string where)
    {
        if (arg.Index >= MaxArgs)
        {
            throw new SpecException($"{where}.index: {arg.Index} is out of range (a syscall has 6 arguments, 0-5)");
        }

        if (!Operators.Contains(arg.Op))
        {
            throw new SpecException($"{where}.op: '{arg.Op}' is not a seccomp operator (pscrun knows {string.Join(", ", Operators)})");
        }
    }

    private static uint Action(string name, uint? errnoRet, string field, string errnoField)
    {
        if (errnoRet is { } e && name is not ("SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE"))
        {
            throw new SpecException($"{errnoField}: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE return a value, not {name}");
        }

        if (errnoRet > MaxErrno)
        {
            throw new SpecException($"{errnoField}: {errnoRet} is not an errno (at most {MaxErrno})");
        }

        return name switch
        {
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => Bpf.RetKillThread,
            "SCMP_ACT_KILL_PROCESS" => Bpf.RetKillProcess,
            "SCMP_ACT_TRAP" => Bpf.RetTrap,
            "SCMP_ACT_ERRNO" => Bpf.RetErrno | (errnoRet ?? Eperm),
            "SCMP_ACT_TRACE" => Bpf.RetTrace | (errnoRet ?? Eperm),
            "SCMP_ACT_ALLOW" => Bpf.RetAllow,
            "SCMP_ACT_LOG" => Bpf.RetLog,
            "SCMP_ACT_NOTIFY" => throw new SpecException($"{field}: SCMP_ACT_NOTIFY needs a seccomp notify listener, which pscrun does not implement"),
            "" => throw new SpecException($"{field} is missing"),
            _ => throw new SpecException($"{field}: '{name}' is not a seccomp action (pscrun knows {string.Join(", ", Actions)})"),
        };
    }
}
