<#
.SYNOPSIS
    The docker CLI through our Docker Engine API service against the same CLI through podman's (podman system service).
.DESCRIPTION
    Two services over their own state under a temp directory, the same busybox rootfs imported as busybox:latest on
    both, and the same docker CLI (28.2.2) timed as a whole process:
      docker run --rm busybox true     (both on their default bridge network: the same work)
      docker ps -a                     (with 100 created containers on each side)
    Runs are interleaved (the order rotates every round) after warm-ups; after each run the bench waits until no
    container process of that run is left, so neither side pays for the other's tail. Prints medians and the ratios
    ours/podman (goals: run --rm at most 0.3, ps -a at most 0.5) and the load average. Not part of the test command.
.EXAMPLE
    ./tests/bench/api-vs-podman.ps1 -Iterations 15
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 10000)][int]$Iterations = 15,
    [ValidateRange(0, 100)][int]$Warmup = 2,
    [ValidateRange(0, 1000)][int]$Containers = 100
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force

$work = New-TestDirectory -Name 'bench-api'
$pair = $null
try {
    $pair = Start-BenchDockerServices -Work $work
    $ourSocket = $pair.OurSocket
    $podmanSocket = $pair.PodmanSocket
    $dockerConfig = $pair.DockerConfig
    # Container processes of either side (our monitors, podman's conmon) name the work directory; the services do
    # too, so they are left out by pid.
    $services = $pair.ServicePids

    $contenders = @(
        New-BenchDockerContender 'ours (psc-api)' $ourSocket $dockerConfig
        New-BenchDockerContender 'podman system service' $podmanSocket $dockerConfig
    )
    foreach ($entry in $contenders) {
        $check = & $entry.Measure @('run', '--rm', 'busybox', 'echo', 'bench-ok')
        if (-not $check.Ok -or $check.StdOut -ne "bench-ok`n") {
            Write-Warning "$($entry.Name) did not run the check container (stdout '$($check.StdOut.Trim())', stderr '$($check.StdErr.Trim())'): its figures measure a failure."
        }
    }

    $roundArgs = @('run', '--rm', 'busybox', 'true')
    Write-Host "docker run --rm busybox true; $Warmup warm-up and $Iterations measured runs each, interleaved. Load: $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3)"
    Invoke-BenchRound -Contenders $contenders -Iterations $Iterations -Warmup $Warmup -Work $work -ExceptPid $services -Arguments @(, $roundArgs)
    $m = Write-BenchSummary -Contenders $contenders -NameWidth 24
    Write-Host ('ratio ours/podman (run --rm): {0:N2}   (goal <= 0.3)' -f ($m[$contenders[0].Name] / $m[$contenders[1].Name]))

    Write-Host "Creating $Containers containers on each side..."
    foreach ($entry in $contenders) {
        for ($n = 0; $n -lt $Containers; $n++) {
            & $entry.Measure @('create', '--name', "bench-ps-$n", 'busybox', 'true') | Out-Null
        }
    }
    Write-Host "docker ps -a over $Containers containers; interleaved. Load: $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3)"
    Invoke-BenchRound -Contenders $contenders -Iterations $Iterations -Warmup $Warmup -Work $work -ExceptPid $services -Arguments @(, @('ps', '-a'))
    $m = Write-BenchSummary -Contenders $contenders -NameWidth 24
    Write-Host ('ratio ours/podman (ps -a):    {0:N2}   (goal <= 0.5)' -f ($m[$contenders[0].Name] / $m[$contenders[1].Name]))
} finally {
    if ($pair) { Stop-BenchDockerServices -Pair $pair } else { Remove-TestDirectory -Path $work }
}
