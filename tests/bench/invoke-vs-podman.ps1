<#
.SYNOPSIS
    'Invoke-Container ROOTFS -Remove -- /bin/true' from one warm pwsh against 'podman run --rm' and 'crun run'.
.DESCRIPTION
    The built module is imported once into this pwsh, with its storage and run roots in a temp directory,
    so the engine's figure is a warm cmdlet call (what a runbook sees after its first container), not pwsh
    start-up. The same busybox rootfs runs three ways, interleaved every iteration after a few warm-ups:
      engine  Invoke-Container ROOTFS -Remove -Network none -- /bin/true
      podman  podman run --rm --network none IMG /bin/true    (IMG: the rootfs imported, own --root/--runroot,
                                                                crun, overlay storage, the peers' containers.conf)
      crun    crun run on a bundle of the rootfs               (the runtime floor, as pscrun-vs-crun.ps1)
    A Stopwatch times the cmdlet call and the whole podman and crun processes. After each run the bench waits
    until no process of that run is left (podman's conmon and cleanup go on after the CLI returned) so that no
    contender pays for another's tail. Prints the medians and the ratios engine/podman and engine/crun.
    Not part of the test command: a benchmark never fails the build.
.EXAMPLE
    ./tests/bench/invoke-vs-podman.ps1 -Iterations 30
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 10000)][int]$Iterations = 20,
    [ValidateRange(0, 100)][int]$Warmup = 3,
    # podman's storage driver; the engine's containers run on overlay.
    [ValidateSet('overlay', 'vfs')][string]$PodmanStorageDriver = 'overlay'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force

$crunPath = Get-ReferenceRuntime
$work = New-TestDirectory -Name 'bench-invoke'
$savedEngine = $null
$podman = $null
try {
    $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    # crun writes the spec of a bundle whose rootfs is a copy of the same busybox tree.
    $bundle = New-TestBundle -Path (Join-Path $work 'bundle') -Runtime $crunPath -Arguments @('/bin/sh', '-c', 'echo bench-ok')
    $crunState = Join-Path $work 'crun-state'
    $savedEngine = Enter-BenchEngine -Work $work
    $podman = New-BenchPodman -Work $work -RootFs $rootfs -Runtime $crunPath -StorageDriver $PodmanStorageDriver
    $podmanRun = @('run', '--rm', '--network', 'none', '--cgroup-parent', $podman.CgroupParent, $podman.Image)

    # Each measure returns the milliseconds, whether it worked, and stdout (only the check looks at it).
    $contenders = @(
        [pscustomobject]@{
            Name    = 'engine (Invoke-Container)'
            Measure = {
                param([string[]]$Command)
                $global:LASTEXITCODE = -1
                $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
                $failed = $false
                try {
                    $lines = @(Invoke-Container $rootfs -Remove -Network none -- @Command)
                } catch {
                    $failed = $true
                    $lines = @("$_")
                }
                $stopwatch.Stop()
                [pscustomobject]@{ Milliseconds = $stopwatch.Elapsed.TotalMilliseconds; Ok = (-not $failed -and $LASTEXITCODE -eq 0); StdOut = ($lines | ForEach-Object { "$_`n" }) -join '' }
            }
        }
        [pscustomobject]@{
            Name    = "podman run --rm ($PodmanStorageDriver)"
            Measure = {
                param([string[]]$Command)
                $result = Invoke-TestPodman $podman @podmanRun @Command -TimeoutSeconds 60
                [pscustomobject]@{ Milliseconds = $result.Duration.TotalMilliseconds; Ok = $result.ExitCode -eq 0; StdOut = $result.StdOut; StdErr = $result.StdErr }
            }
        }
        [pscustomobject]@{
            Name    = 'crun run (bundle)'
            Measure = {
                param([string[]]$Command)
                $id = New-TestContainerId -Prefix 'psc-bench'
                $result = Invoke-TestBundleRun -Runtime $crunPath -StateRoot $crunState -Bundle $bundle -Id $id
                Remove-TestContainer -Runtime $crunPath -StateRoot $crunState -Id $id
                [pscustomobject]@{ Milliseconds = $result.Duration.TotalMilliseconds; Ok = $result.ExitCode -eq 0; StdOut = $result.StdOut; StdErr = $result.StdErr }
            }
        }
    )
    # Something that does not run the container would look fast: check each one really does first.
    foreach ($entry in $contenders) {
        $check = & $entry.Measure @('/bin/sh', '-c', 'echo bench-ok')
        $works = $check.Ok -and $check.StdOut -eq "bench-ok`n"
        $entry | Add-Member -NotePropertyName Works -NotePropertyValue $works
        if (-not $works) {
            $why = if ($check.PSObject.Properties['StdErr']) { ", stderr '$($check.StdErr.Trim())'" } else { '' }
            Write-Warning "$($entry.Name) did not run the check container (stdout '$($check.StdOut.Trim())'$why): its figures below measure a failure, not a container."
        }
    }
    Set-TestBundleConfig -Bundle $bundle -Arguments @('/bin/true')

    Write-Host "busybox /bin/true, network none; $Warmup warm-up and $Iterations measured runs each, interleaved; engine warm in this pwsh ($PID)."
    Invoke-BenchRound -Contenders $contenders -Iterations $Iterations -Warmup $Warmup -Work $work -Arguments @('/bin/true')
    $m = Write-BenchSummary -Contenders $contenders -NameWidth 28
    $engine = $m[$contenders[0].Name]
    Write-Host ('ratio engine/podman: {0:N2}' -f ($engine / $m[$contenders[1].Name]))
    Write-Host ('ratio engine/crun:   {0:N2}' -f ($engine / $m[$contenders[2].Name]))
    if ($contenders.Works -contains $false) {
        Write-Host 'NOTICE: at least one contender failed the check run; the ratios are not container start-up figures.'
    }
} finally {
    Exit-BenchEngine -Saved $savedEngine
    Remove-TestPodman -Podman $podman
    Remove-TestDirectory -Path $work
}
