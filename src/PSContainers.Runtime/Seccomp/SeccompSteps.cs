using PSContainers.Runtime.Processes.Plan;

namespace PSContainers.Runtime.Seccomp;

/// <summary>Adds the step that loads a compiled filter to a setup plan: seccomp(SECCOMP_SET_MODE_FILTER) on prepared memory.</summary>
internal static unsafe class SeccompSteps
{
    private const long SysSeccomp = 317, SetModeFilter = 1;

    public static void AddLoad(SetupPlan plan, SeccompProgram program)
    {
        var a = plan.Arena;
        var filter = (SockFilter*)a.Bytes(program.Instructions.Length * sizeof(SockFilter));
        for (var i = 0; i < program.Instructions.Length; i++)
        {
            filter[i] = program.Instructions[i];
        }

        // struct sock_fprog: an unsigned short length, padding, then the pointer.
        var fprog = a.Bytes(16);
        *(ushort*)fprog = (ushort)program.Instructions.Length;
        *(SockFilter**)(fprog + 8) = filter;
        plan.Syscall($"load the seccomp filter ({program.Instructions.Length} instructions)", SysSeccomp, SetModeFilter, program.Flags, (long)fprog);
    }
}
