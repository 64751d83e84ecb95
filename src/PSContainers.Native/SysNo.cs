namespace PSContainers.Native;

/// <summary>x86-64 system call numbers for calls libc does not wrap.</summary>
public static class SysNo
{
    public const long Clone = 56, SetResUid = 117, SetResGid = 119, SetGroups = 116, CapGet = 125, CapSet = 126,
        PivotRoot = 155, KeyCtl = 250, ExecveAt = 322, PidfdSendSignal = 424, PidfdOpen = 434,
        CloseRange = 436, OpenAt2 = 437;
}
