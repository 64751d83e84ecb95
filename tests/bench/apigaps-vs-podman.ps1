<#
.SYNOPSIS
    docker cp out of an exited container and docker ps -a -s, through our Docker Engine API service against the same
    CLI through podman's (podman system service).
.DESCRIPTION
    Two services over their own state under a temp directory, the same busybox rootfs imported on both, and the same
    docker CLI (28.2.2) timed as a whole process:
      docker cp EXITED:/payload DEST   (an exited container: both mount its root filesystem for the copy and
                                        unmount it after, so the work is the same)
      docker ps -a -s                  (over N exited containers that each wrote 100 kB: both walk every upper layer)
    Runs are interleaved (the order rotates every round) after warm-ups. Prints medians, the ratio ours/podman and
    the load average. Not part of the test command.
.EXAMPLE
    ./tests/bench/apigaps-vs-podman.ps1 -Iterations 11
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 10000)][int]$Iterations = 11,
    [ValidateRange(0, 100)][int]$Warmup = 2,
    [ValidateRange(1, 1000)][int]$Containers = 20
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force

$work = New-TestDirectory -Name 'bench-gaps'
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
        (New-BenchDockerContender 'ours (psc-api)' $ourSocket $dockerConfig | Add-Member -NotePropertyName Image -NotePropertyValue 'busybox' -PassThru)
        (New-BenchDockerContender 'podman system service' $podmanSocket $dockerConfig | Add-Member -NotePropertyName Image -NotePropertyValue 'localhost/busybox' -PassThru)
    )
    foreach ($entry in $contenders) {
        for ($n = 0; $n -lt $Containers; $n++) {
            $made = & $entry.Measure @('run', '--name', "bench-gaps-$n", $entry.Image, 'sh', '-c', 'head -c 100000 /dev/zero > /payload')
            if (-not $made.Ok) {
                throw "$($entry.Name) did not run bench-gaps-${n}: $($made.StdErr.Trim())"
            }
        }
    }

    $dest = Join-Path $work 'cp-out'
    Write-Host "docker cp bench-gaps-0:/payload (an exited container); $Warmup warm-up and $Iterations measured runs each, interleaved. Load: $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3)"
    Invoke-BenchRound -Contenders $contenders -Iterations $Iterations -Warmup $Warmup -Work $work -ExceptPid $services -Arguments @(, @('cp', 'bench-gaps-0:/payload', $dest))
    $m = Write-BenchSummary -Contenders $contenders -NameWidth 24
    Write-Host ('ratio ours/podman (cp from exited): {0:N2}' -f ($m[$contenders[0].Name] / $m[$contenders[1].Name]))

    Write-Host "docker ps -a -s over $Containers exited containers; interleaved. Load: $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3)"
    Invoke-BenchRound -Contenders $contenders -Iterations $Iterations -Warmup $Warmup -Work $work -ExceptPid $services -Arguments @(, @('ps', '-a', '-s'))
    $m = Write-BenchSummary -Contenders $contenders -NameWidth 24
    Write-Host ('ratio ours/podman (ps -a -s):       {0:N2}' -f ($m[$contenders[0].Name] / $m[$contenders[1].Name]))
} finally {
    if ($pair) { Stop-BenchDockerServices -Pair $pair } else { Remove-TestDirectory -Path $work }
}
