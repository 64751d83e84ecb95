<#
.SYNOPSIS
    One health check run: what the engine's monitor runs on schedule against 'podman healthcheck run'.
.DESCRIPTION
    Both sides have one running busybox container with the health check `true` (CMD-SHELL), and run it once per
    iteration, interleaved after warm-ups:
      engine  pscrun health-check ID: exactly what pscmon forks and executes when a check is due: pscrun exec of
              /bin/sh -c true in the container with the timeout armed, then health.json written and (on a change
              of status) an event appended
      podman  podman healthcheck run NAME (crun, overlay storage, network none): podman execs the command through
              conmon and crun, then writes its health log; podman's interval is disabled, so only these runs check
    The engine's container has a one-hour interval, so its monitor does not run checks of its own meanwhile.
    Prints medians, the ratio engine/podman and the load average. Not part of the test command.
.EXAMPLE
    ./tests/bench/healthcheck-vs-podman.ps1 -Iterations 15
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
$work = New-TestDirectory -Name 'bench-health'
$savedEngine = $null
$podman = $null
try {
    $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $savedEngine = Enter-BenchEngine -Work $work
    $podman = New-BenchPodman -Work $work -RootFs $rootfs -Runtime $crunPath

    $loop = 'trap "exit 0" TERM; while true; do sleep 1; done'
    $c = Invoke-Container -RootFs $rootfs -Detach -Name bench-health -HealthCommand 'true' -HealthInterval ([TimeSpan]::FromHours(1)) -- sh -c $loop
    $pscrun = Join-Path (Get-TestRepoRoot) 'out/PSContainers/pscrun'
    $checkArgs = @('--root', (Join-Path $env:PSCONTAINERS_RUNROOT 'pscrun'), 'health-check',
        '--bundle', (Join-Path $env:PSCONTAINERS_ROOT "containers/$($c.Id)/bundle"),
        '--state-dir', (Join-Path $env:PSCONTAINERS_RUNROOT "containers/$($c.Id)"),
        '--events', (Join-Path $env:PSCONTAINERS_RUNROOT 'events.jsonl'), $c.Id)
    $runArgs = @('run', '-d', '--name', 'bench-health', '--network', 'none', '--cgroup-parent', $podman.CgroupParent,
        '--health-cmd', 'true', '--health-interval', 'disable', $podman.Image, 'sh', '-c', $loop)
    $started = Invoke-TestPodman $podman @runArgs -TimeoutSeconds 60
    if ($started.ExitCode -ne 0) { throw "podman run (exit $($started.ExitCode)): $($started.StdErr) $($started.StdOut)" }

    $contenders = @(
        [pscustomobject]@{
            Name    = 'engine pscrun health-check'
            Measure = {
                $before = (Get-Container bench-health).Health.Log.Count
                $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
                $result = Invoke-Native -FilePath $pscrun -ArgumentList $checkArgs -TimeoutSeconds 60
                $stopwatch.Stop()
                $health = (Get-Container bench-health).Health
                [pscustomobject]@{
                    Milliseconds = $stopwatch.Elapsed.TotalMilliseconds
                    Ok           = $result.ExitCode -eq 0 -and $health.Status -eq 'healthy' -and $health.Log[-1].ExitCode -eq 0 -and ($health.Log.Count -gt $before -or $before -eq 5)
                }
            }
        }
        [pscustomobject]@{
            Name    = 'podman healthcheck run'
            Measure = {
                $checkRun = @('healthcheck', 'run', 'bench-health')
                $result = Invoke-TestPodman $podman @checkRun -TimeoutSeconds 60
                [pscustomobject]@{ Milliseconds = $result.Duration.TotalMilliseconds; Ok = $result.ExitCode -eq 0 }
            }
        }
    )
    Write-Host "busybox, one check of 'true' per run; $Warmup warm-up and $Iterations measured runs per contender, interleaved."
    Invoke-BenchRound -Contenders $contenders -Iterations $Iterations -Warmup $Warmup -Work $work
    $medians = Write-BenchSummary -Contenders $contenders
    Write-Host ('ratio engine/podman {0:N2}' -f ($medians['engine pscrun health-check'] / $medians['podman healthcheck run']))
    Write-Host "load average at the end: $(([System.IO.File]::ReadAllText('/proc/loadavg') -split ' ')[0..2] -join ' ')"
} finally {
    Exit-BenchEngine -Saved $savedEngine
    Remove-TestPodman -Podman $podman
    Remove-TestDirectory -Path $work
}
