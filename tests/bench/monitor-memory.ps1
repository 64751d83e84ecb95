<#
.SYNOPSIS
    Memory of N idle containers' monitors: the engine's pscrun monitor against podman's conmon.
.DESCRIPTION
    Starts N idle busybox containers with 'Invoke-Container ROOTFS -Detach -- sleep 300' (the module imported
    once, storage and run roots in a temp directory) and sums the Pss of their monitors (pid from
    $env:PSCONTAINERS_RUNROOT/containers/ID/monitor.pid, Pss from /proc/PID/smaps_rollup). Then N
    'podman run --detach --network none IMG sleep 300' on the same rootfs imported as an image (own storage, crun,
    the peers' containers.conf) and sums the Pss of their conmon processes ('podman inspect' .State.ConmonPid).
    Both sets run side by side when measured. Pss splits shared pages among the processes that map them, so
    the total is what the N monitors cost the machine together. Prints the totals, per-container averages and
    the ratio. Both sets are removed even when the script fails. Not part of the test command.
.EXAMPLE
    ./tests/bench/monitor-memory.ps1 -Count 20
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 1000)][int]$Count = 50,
    [ValidateSet('overlay', 'vfs')][string]$PodmanStorageDriver = 'overlay'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force

# Sums Pss, Rss and Anonymous of the given pids; a pid that is gone counts as missing, not as zero memory.
function Measure-Memory([int[]]$ProcessIds) {
    $sum = [pscustomobject]@{ PssKb = 0L; RssKb = 0L; AnonymousKb = 0L; Measured = 0; Missing = 0 }
    foreach ($processId in $ProcessIds) {
        $memory = Get-ProcessMemoryKb $processId
        if ($null -eq $memory) { $sum.Missing++; continue }
        $sum.Measured++
        $sum.PssKb += $memory.Pss
        $sum.RssKb += $memory.Rss
        $sum.AnonymousKb += $memory.Anonymous
    }
    $sum
}

$work = New-TestDirectory -Name 'bench-memory'
$savedEngine = $null
$podman = $null
try {
    $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $savedEngine = Enter-BenchEngine -Work $work
    $podman = New-BenchPodman -Work $work -RootFs $rootfs -StorageDriver $PodmanStorageDriver

    Write-Host "Starting $Count idle engine containers (sleep 300) ..."
    $monitorPids = foreach ($n in 1..$Count) {
        $container = Invoke-Container $rootfs -Detach -- sleep 300
        $pidFile = Join-Path $env:PSCONTAINERS_RUNROOT "containers/$($container.Id)/monitor.pid"
        [int]([System.IO.File]::ReadAllText($pidFile).Trim())
    }

    Write-Host "Starting $Count idle podman containers (sleep 300) ..."
    $conmonPids = foreach ($n in 1..$Count) {
        $id = (Invoke-TestPodman $podman run --detach --network none --cgroup-parent $podman.CgroupParent $podman.Image sleep 300 |
            Assert-NativeSuccess).StdOut.Trim()
        $conmonPid = (Invoke-TestPodman $podman inspect --format '{{.State.ConmonPid}}' $id | Assert-NativeSuccess).StdOut.Trim()
        [int]$conmonPid
    }

    # Both sets exist now: read every Pss at the same moment, the engine's first then podman's.
    $engine = Measure-Memory $monitorPids
    $conmon = Measure-Memory $conmonPids
    $running = @(Get-Container | Where-Object Status -EQ 'Running').Count
    $podmanRunning = @((Invoke-TestPodman $podman ps --quiet | Assert-NativeSuccess).StdOut -split "`n" | Where-Object { $_ }).Count

    Write-Host ("{0} containers each; running now: engine {1}, podman {2}" -f $Count, $running, $podmanRunning)
    foreach ($row in @(
            @{ Name = 'engine monitors (pscmon)'; M = $engine },
            @{ Name = 'podman conmon'; M = $conmon })) {
        $m = $row.M
        $per = { param($kb) if ($m.Measured) { $kb / $m.Measured } else { [double]::NaN } }
        $note = if ($m.Missing) { "  ($($m.Missing) processes gone)" } else { '' }
        Write-Host ('{0,-26} Pss total {1,9:N0} kB ({2,7:N1} MB)   Pss per container {3,7:N0} kB   (Rss {4,6:N0} kB, anonymous {5,6:N0} kB per container)   n={6}{7}' -f $row.Name, $m.PssKb, ($m.PssKb / 1024), (& $per $m.PssKb), (& $per $m.RssKb), (& $per $m.AnonymousKb), $m.Measured, $note)
    }
    $ratio = ($engine.PssKb / [math]::Max(1, $engine.Measured)) / ($conmon.PssKb / [math]::Max(1, $conmon.Measured))
    Write-Host ('ratio engine/conmon (Pss per container): {0:N2}' -f $ratio)
    if ($engine.Missing -or $conmon.Missing -or $running -ne $Count -or $podmanRunning -ne $Count) {
        Write-Host 'NOTICE: not every container or monitor was alive when measured; compare the per-container figures only.'
    }
} finally {
    Exit-BenchEngine -Saved $savedEngine
    Remove-TestPodman -Podman $podman
    Remove-TestDirectory -Path $work
}
