namespace PSContainers.Runtime.Processes.Plan;

/// <summary>The steps a container's setup plan is made of (see PlanExecutor for each one's arguments).</summary>
internal enum PlanOpCode
{
    Syscall = 1,
    Mount,
    Remount,
    OpenInRoot,
    Open,
    MkdirAt,
    Mkdir,
    TouchAt,
    MknodAt,
    SymlinkAt,
    FchownAt,
    WriteFile,
    MaskPath,
    ReadonlyPath,
    Console,
    Send,
    Receive,
    ReceiveFrame,
    RunHook,
    WaitFifo,
    CheckExecutable,
    Exec,
    LoopbackUp,
}
