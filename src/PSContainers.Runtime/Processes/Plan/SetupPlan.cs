namespace PSContainers.Runtime.Processes.Plan;

/// <summary>A list of setup steps in native memory, with a description of each for error messages.</summary>
internal sealed unsafe class SetupPlan : IDisposable
{
    private readonly List<PlanOp> _ops = new();
    private readonly List<string> _descriptions = new();
    private PlanOp* _native;
    private byte** _nativeDescriptions;

    public NativeArena Arena { get; } = new();

    /// <summary>Index of the step that tells the runtime the container is created; later failures go to stderr.</summary>
    public int CreatedStep { get; set; } = -1;

    public int Count => _ops.Count;

    /// <summary>The host path of the rootfs a create plan builds, for directories the runtime makes up front.</summary>
    public string? Rootfs { get; set; }

    /// <summary>Mount destinations earlier steps of this plan mount (their contents appear only in the child).</summary>
    public List<string> PlannedMounts { get; } = new();

    public bool IsUnderPlannedMount(string destination)
    {
        var d = "/" + string.Join('/', destination.Split('/', StringSplitOptions.RemoveEmptyEntries));
        return PlannedMounts.Any(m =>
        {
            var p = "/" + string.Join('/', m.Split('/', StringSplitOptions.RemoveEmptyEntries));
            return p == "/" || d == p || d.StartsWith(p + "/", StringComparison.Ordinal);
        });
    }

    public int Add(PlanOp op, string description)
    {
        _ops.Add(op);
        _descriptions.Add(description);
        return _ops.Count - 1;
    }

    public int Add(PlanOpCode code, string description, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0,
        int tolerate = 0, int tolerate2 = 0, PlanOpFlags flags = PlanOpFlags.None) =>
        Add(new PlanOp { Code = code, A = a, B = b, C = c, D = d, E = e, F = f, Tolerate = tolerate, Tolerate2 = tolerate2, Flags = flags }, description);

    public int Syscall(string description, long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0,
        int tolerate = 0, int tolerate2 = 0, PlanOpFlags flags = PlanOpFlags.None) =>
        Add(PlanOpCode.Syscall, description, nr, a, b, c, d, e, tolerate, tolerate2, flags);

    /// <summary>Copies the steps into native memory; call once, before forking.</summary>
    public PlanOp* Ops
    {
        get
        {
            if (_native == null)
            {
                _native = (PlanOp*)Arena.Bytes(Math.Max(1, _ops.Count) * sizeof(PlanOp));
                for (var i = 0; i < _ops.Count; i++)
                {
                    _native[i] = _ops[i];
                }

                _nativeDescriptions = Arena.StrArray(_descriptions);
                PlanExecutor.Prepare();
            }

            return _native;
        }
    }

    public byte** Descriptions
    {
        get
        {
            _ = Ops;
            return _nativeDescriptions;
        }
    }

    public string Describe(int step, int errno)
    {
        var what = step >= 0 && step < _descriptions.Count ? _descriptions[step] : $"setup step {step}";
        if (errno >= PlanExecutor.HookExitBase)
        {
            return $"{what}: exited with status {errno - PlanExecutor.HookExitBase}";
        }

        if (step >= 0 && step < _ops.Count && _ops[step].Code == PlanOpCode.CheckExecutable && errno == Errno.ENOENT)
        {
            return what + ": executable file not found in $PATH";
        }

        return $"{what}: {Errno.Describe(errno)}";
    }

    /// <summary>The exit code docker gives a container whose start failed at this step: 127 command not found, 126 not runnable, else 128.</summary>
    public int StartExitCode(int step, int errno)
    {
        if (step < 0 || step >= _ops.Count || _ops[step].Code is not (PlanOpCode.CheckExecutable or PlanOpCode.Exec))
        {
            return 128;
        }

        return errno is Errno.ENOENT or Errno.ENOTDIR ? 127 : 126;
    }

    /// <summary>Runs the plan in this process (the exec path, after the image joined the container).</summary>
    public void RunHere()
    {
        var failed = PlanExecutor.Run(Ops, Count, out var errno);
        if (failed >= 0)
        {
            throw new ContainerInitException(Describe(failed, errno));
        }
    }

    public void Dispose() => Arena.Dispose();
}
