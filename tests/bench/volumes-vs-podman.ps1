<#
.SYNOPSIS
    A container run with a named volume, a read-only bind and a tmpfs, against 'podman run --rm' with the same mounts.
.DESCRIPTION
    The built module is imported once into this pwsh (storage and run roots in a temp directory); podman has its
    own storage there too, crun as its runtime, overlay storage and --network none, as invoke-vs-podman.ps1. Each
    case runs the same busybox command both ways, interleaved every iteration after warm-ups, and the case
    without mounts runs too, so the cost of the mounts shows apart from the start-up:
      none    sh -c 'echo ok'
      volume  -Volume benchvol:/data            / -v benchvol:/data             writes a file into the volume
      bind    -Volume HOSTDIR:/host:ro           / -v HOSTDIR:/host:ro           reads a file from the host
      tmpfs   -Tmpfs /scratch:size=1m           / --tmpfs /scratch:size=1m       writes a file into the tmpfs
    Both sides do the same work: the named volume exists after the warm-ups on both (each side created its own
    on first use), and neither side copies image content (the image has nothing at /data).
    Prints medians per case and contender, the ratios engine/podman, and the load average.
    Not part of the test command: a benchmark never fails the build.
.EXAMPLE
    ./tests/bench/volumes-vs-podman.ps1 -Iterations 15
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 10000)][int]$Iterations = 15,
    [ValidateRange(0, 100)][int]$Warmup = 2
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force

$crunPath = Get-ReferenceRuntime
$work = New-TestDirectory -Name 'bench-vol'
$savedEngine = $null
$podman = $null
try {
    $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $hostDir = Join-Path $work 'hostdir'
    New-Item -ItemType Directory -Path $hostDir | Out-Null
    Set-Content -LiteralPath (Join-Path $hostDir 'in.txt') -Value 'ok'
    $savedEngine = Enter-BenchEngine -Work $work
    $podman = New-BenchPodman -Work $work -RootFs $rootfs -Runtime $crunPath

    $cases = [ordered]@{
        none   = @{ Engine = @{}; Podman = @(); Script = 'echo ok' }
        volume = @{ Engine = @{ Volume = 'benchvol:/data' }; Podman = @('-v', 'benchvol:/data'); Script = 'echo ok > /data/f && cat /data/f' }
        bind   = @{ Engine = @{ Volume = "${hostDir}:/host:ro" }; Podman = @('-v', "${hostDir}:/host:ro"); Script = 'cat /host/in.txt' }
        tmpfs  = @{ Engine = @{ Tmpfs = '/scratch:size=1m' }; Podman = @('--tmpfs', '/scratch:size=1m'); Script = 'echo ok > /scratch/f && cat /scratch/f' }
    }

    $engineRun = {
        param($Case)
        $global:LASTEXITCODE = -1
        $engineArgs = $Case.Engine
        $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $lines = @(Invoke-Container $rootfs -Remove @engineArgs -- sh -c $Case.Script)
        $stopwatch.Stop()
        [pscustomobject]@{ Milliseconds = $stopwatch.Elapsed.TotalMilliseconds; Ok = $LASTEXITCODE -eq 0 -and ($lines.Text -join '') -eq 'ok' }
    }
    $podmanRun = {
        param($Case)
        $runArgs = @('run', '--rm', '--network', 'none', '--cgroup-parent', $podman.CgroupParent) + $Case.Podman + @($podman.Image, 'sh', '-c', $Case.Script)
        $result = Invoke-TestPodman $podman @runArgs -TimeoutSeconds 60
        [pscustomobject]@{ Milliseconds = $result.Duration.TotalMilliseconds; Ok = $result.ExitCode -eq 0 -and $result.StdOut.Trim() -eq 'ok' }
    }

    $samples = @{}
    $failures = @{}
    foreach ($name in $cases.Keys) {
        foreach ($side in 'engine', 'podman') {
            $samples["$name/$side"] = [System.Collections.Generic.List[double]]::new()
            $failures["$name/$side"] = 0
        }
    }

    Write-Host "busybox, network none; $Warmup warm-up and $Iterations measured runs per case and contender, interleaved; engine warm in this pwsh ($PID)."
    for ($i = -$Warmup; $i -lt $Iterations; $i++) {
        foreach ($name in $cases.Keys) {
            # Alternate who goes first so neither always gets the warmer caches.
            $sides = if ($i % 2) { 'engine', 'podman' } else { 'podman', 'engine' }
            foreach ($side in $sides) {
                $run = if ($side -eq 'engine') { & $engineRun $cases[$name] } else { & $podmanRun $cases[$name] }
                Wait-BenchQuiet -Pattern $work
                if ($i -lt 0) { continue }
                if (-not $run.Ok) { $failures["$name/$side"]++ }
                $samples["$name/$side"].Add($run.Milliseconds)
            }
        }
    }

    $load = ([System.IO.File]::ReadAllText('/proc/loadavg') -split ' ')[0..2] -join ' '
    foreach ($name in $cases.Keys) {
        $engine = Get-Median $samples["$name/engine"]
        $peer = Get-Median $samples["$name/podman"]
        $note = if ($failures["$name/engine"] + $failures["$name/podman"]) { "  (failed runs: engine $($failures["$name/engine"]), podman $($failures["$name/podman"]))" } else { '' }
        Write-Host ('{0,-7} engine median {1,8:N1} ms   podman median {2,8:N1} ms   ratio engine/podman {3:N2}{4}' -f $name, $engine, $peer, ($engine / $peer), $note)
    }
    $baseEngine = Get-Median $samples['none/engine']
    $basePodman = Get-Median $samples['none/podman']
    foreach ($name in @($cases.Keys | Where-Object { $_ -ne 'none' })) {
        Write-Host ('{0,-7} cost of the mount over none: engine {1,7:N1} ms, podman {2,7:N1} ms' -f $name, ((Get-Median $samples["$name/engine"]) - $baseEngine), ((Get-Median $samples["$name/podman"]) - $basePodman))
    }
    Write-Host "load average at the end: $load"
} finally {
    Exit-BenchEngine -Saved $savedEngine
    if (Get-Command -Name Get-ContainerVolume -ErrorAction Ignore) {
        Get-ContainerVolume -ErrorAction SilentlyContinue | Remove-ContainerVolume -Force -ErrorAction Continue
    }
    if ($podman) {
        Invoke-TestPodman $podman volume rm --all --force -TimeoutSeconds 60 | Out-Null
    }
    Remove-TestPodman -Podman $podman
    Remove-TestDirectory -Path $work
}
