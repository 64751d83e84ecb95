<#
.SYNOPSIS
    docker run with the host options (--device, --device-cgroup-rule, --sysctl, --group-add, --oom-score-adj) through
    our Docker Engine API service against the same docker CLI through podman's service.
.DESCRIPTION
    Two services over their own state under a temp directory, the same busybox rootfs imported as busybox:latest on
    both, the same docker CLI (28.2.2) timed as a whole process, both with --network none (the same work):
      docker run --rm --network none busybox true                         (the baseline)
      docker run --rm --network none --sysctl kernel.shmmax=98765432 --sysctl net.ipv4.ip_forward=1
                 --group-add 1234 --oom-score-adj 100 busybox true          (the options, both sides)
      the same plus --device /dev/net/tun:/dev/net/tun:rw --device-cgroup-rule 'c 10:229 rwm'
                                                                             (ours only: see below)
    Each side's check run reads the effects from inside first, so neither side is timed skipping the work. The
    device options run on our side only: docker CLI 28 checks --device against the server's OS, which podman 4.3.1's
    /_ping does not report ("unknown server OS"). Runs are
    interleaved (the order rotates every round) after warm-ups; after each run the bench waits until no container
    process of that run is left. Prints medians, the ratios ours/podman, what the options cost each side, and the
    load average. Not part of the test command.
.EXAMPLE
    ./tests/bench/hostopts-vs-podman.ps1 -Iterations 15
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 10000)][int]$Iterations = 15,
    [ValidateRange(0, 100)][int]$Warmup = 2
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force

$work = New-TestDirectory -Name 'bench-hop'
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
    # docker CLI 28 validates --device against the server's OS, which podman 4.3.1's /_ping does not send ("unknown
    # server OS"): podman gets the same options without the device ones, and ours runs both variants, so the
    # ratio compares the same work and the device cost is shown on our side alone.
    $common = @('--network', 'none', '--sysctl', 'kernel.shmmax=98765432', '--sysctl', 'net.ipv4.ip_forward=1', '--group-add', '1234', '--oom-score-adj', '100')
    $devices = @('--device', '/dev/net/tun:/dev/net/tun:rw', '--device-cgroup-rule', 'c 10:229 rwm')
    $probe = 'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward /proc/self/oom_score_adj; id -G'
    foreach ($entry in $contenders) {
        $check = & $entry.Measure (@('run', '--rm') + $common + @('busybox', 'sh', '-c', $probe))
        $lines = @($check.StdOut.Trim() -split "`n")
        if (-not $check.Ok -or $lines.Count -ne 4 -or ($lines[0..2] -join ',') -ne '98765432,1,100' -or ($lines[3] -split ' ') -notcontains '1234') {
            Write-Warning "$($entry.Name) did not apply the options (stdout '$($check.StdOut.Trim())', stderr '$($check.StdErr.Trim())'): its figures measure something else."
        }
    }

    $check = & $contenders[0].Measure (@('run', '--rm') + $common + $devices + @('busybox', 'sh', '-c', 'ls -l /dev/net/tun | cut -c1; mknod /dev/f c 10 229; (exec 3<>/dev/f) && echo fuse-ok'))
    if (-not $check.Ok -or $check.StdOut -ne "c`nfuse-ok`n") {
        Write-Warning "ours did not apply the device options (stdout '$($check.StdOut.Trim())', stderr '$($check.StdErr.Trim())')."
    }

    $medians = @{}
    foreach ($round in @(
            @{ Name = 'baseline'; Contenders = $contenders; Args = @('run', '--rm', '--network', 'none', 'busybox', 'true') }
            @{ Name = 'options'; Contenders = $contenders; Args = @('run', '--rm') + $common + @('busybox', 'true') }
            @{ Name = 'options+devices (ours only)'; Contenders = @($contenders[0]); Args = @('run', '--rm') + $common + $devices + @('busybox', 'true') }
        )) {
        Write-Host "docker $($round.Args -join ' '); $Warmup warm-up and $Iterations measured runs each, interleaved. Load: $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3)"
        Invoke-BenchRound -Contenders $round.Contenders -Iterations $Iterations -Warmup $Warmup -Work $work -ExceptPid $services -Arguments @(, $round.Args)
        $m = Write-BenchSummary -Contenders $round.Contenders -NameWidth 24
        $medians[$round.Name] = $m
        if ($round.Contenders.Count -eq 2) {
            Write-Host ('ratio ours/podman ({0}): {1:N2}' -f $round.Name, ($m[$contenders[0].Name] / $m[$contenders[1].Name]))
        }
    }
    foreach ($entry in $contenders) {
        Write-Host ('{0}: sysctls, group and OOM score cost {1:N1} ms (median with minus median without)' -f $entry.Name, ($medians['options'][$entry.Name] - $medians['baseline'][$entry.Name]))
    }
    Write-Host ('ours: the device options add {0:N1} ms more' -f ($medians['options+devices (ours only)'][$contenders[0].Name] - $medians['options'][$contenders[0].Name]))
} finally {
    if ($pair) { Stop-BenchDockerServices -Pair $pair } else { Remove-TestDirectory -Path $work }
}
