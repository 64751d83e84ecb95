using System.Runtime.InteropServices;

namespace PSContainers.Runtime.Processes.Plan;

/// <summary>One step of a setup plan: an op code and its arguments (integers or pointers to prepared native memory).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PlanOp
{
    public PlanOpCode Code;
    public PlanOpFlags Flags;
    // An errno that counts as "done, nothing to do" for this step (EEXIST for mkdir, ENOENT for masks).
    public int Tolerate;
    public int Tolerate2;
    public long A, B, C, D, E, F;
}
