using PSContainers.Runtime.Seccomp;

namespace PSContainers.Runtime.Tests.Seccomp;

/// <summary>A classic BPF machine as the kernel runs seccomp filters: checks the program the way the kernel's loader does, then runs it on one seccomp_data.</summary>
public static class BpfInterpreter
{
    public sealed record SeccompData(int Nr, uint Arch, ulong[] Args, ulong InstructionPointer = 0);

    /// <summary>The kernel's load-time checks (bpf_check_classic and seccomp_check_filter) that matter for our op codes.</summary>
    public static void Validate(SockFilter[] program)
    {
        if (program.Length == 0 || program.Length > Bpf.MaxInstructions)
        {
            throw new InvalidOperationException($"program length {program.Length}");
        }

        for (var pc = 0; pc < program.Length; pc++)
        {
            var i = program[pc];
            switch (i.Code)
            {
                case Bpf.LdAbsW:
                    if (i.K >= 64 || i.K % 4 != 0)
                    {
                        throw new InvalidOperationException($"pc {pc}: load at {i.K} is outside seccomp_data or unaligned");
                    }

                    break;
                case Bpf.AndK:
                case Bpf.RetK:
                    break;
                case Bpf.Ja:
                    if ((long)pc + 1 + i.K >= program.Length)
                    {
                        throw new InvalidOperationException($"pc {pc}: ja past the end");
                    }

                    break;
                case Bpf.JeqK:
                case Bpf.JgtK:
                case Bpf.JgeK:
                case Bpf.JsetK:
                    if (pc + 1 + i.Jt >= program.Length || pc + 1 + i.Jf >= program.Length)
                    {
                        throw new InvalidOperationException($"pc {pc}: conditional jump past the end");
                    }

                    break;
                default:
                    throw new InvalidOperationException($"pc {pc}: op code 0x{i.Code:x2} is not one seccomp accepts here");
            }
        }

        if (program[^1].Code is not (Bpf.RetK or Bpf.Ja) || program[^1].Code == Bpf.Ja)
        {
            throw new InvalidOperationException("the last instruction is not a return");
        }
    }

    public static uint Run(SockFilter[] program, SeccompData data) => Run(program, data, out _);

    public static uint Run(SockFilter[] program, SeccompData data, out int executed)
    {
        Validate(program);
        var memory = new byte[64];
        BitConverter.GetBytes(data.Nr).CopyTo(memory, 0);
        BitConverter.GetBytes(data.Arch).CopyTo(memory, 4);
        BitConverter.GetBytes(data.InstructionPointer).CopyTo(memory, 8);
        for (var a = 0; a < data.Args.Length && a < 6; a++)
        {
            BitConverter.GetBytes(data.Args[a]).CopyTo(memory, 16 + 8 * a);
        }

        uint acc = 0;
        var pc = 0;
        executed = 0;
        // Jumps only go forward, so this ends within program.Length steps.
        while (pc < program.Length)
        {
            var i = program[pc++];
            executed++;
            switch (i.Code)
            {
                case Bpf.LdAbsW:
                    acc = BitConverter.ToUInt32(memory, (int)i.K);
                    break;
                case Bpf.AndK:
                    acc &= i.K;
                    break;
                case Bpf.Ja:
                    pc += (int)i.K;
                    break;
                case Bpf.JeqK:
                    pc += acc == i.K ? i.Jt : i.Jf;
                    break;
                case Bpf.JgtK:
                    pc += acc > i.K ? i.Jt : i.Jf;
                    break;
                case Bpf.JgeK:
                    pc += acc >= i.K ? i.Jt : i.Jf;
                    break;
                case Bpf.JsetK:
                    pc += (acc & i.K) != 0 ? i.Jt : i.Jf;
                    break;
                case Bpf.RetK:
                    return i.K;
            }
        }

        throw new InvalidOperationException("ran off the end of the program");
    }
}
