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
$savedEngine = $null
$podman = $null
$podmanProcess = $null
$dockerConfig = Join-Path $work 'docker-config'
try {
    New-Item -ItemType Directory -Path $dockerConfig | Out-Null
    $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $tarball = Join-Path $work 'busybox.tar'
    Invoke-Native tar '-C' $rootfs '-cf' $tarball '.' | Assert-NativeSuccess | Out-Null

    $savedEngine = Enter-BenchEngine -Work $work
    Import-ContainerImage $tarball -Format RootFs -Tag busybox:latest -Change 'CMD ["sh"]' | Out-Null
    $ourSocket = Join-Path $work 'psc.sock'
    $service = Start-ContainerApiService -Socket $ourSocket -PassThru

    $podman = New-BenchPodman -Work $work -RootFs $rootfs -Image 'localhost/busybox:latest' -Runtime (Get-ReferenceRuntime)
    $podmanSocket = Join-Path $work 'podman.sock'
    $podmanProcess = Start-TestPodmanService -Podman $podman -Socket $podmanSocket
    $services = @($service.Pid, $podmanProcess.Id)

    function New-Contender([string]$Name, [string]$Socket, [string]$Image) {
        [pscustomobject]@{
            Name    = $Name
            Socket  = $Socket
            Image   = $Image
            Measure = {
                param([string[]]$Arguments)
                $r = Invoke-Native docker -ArgumentList $Arguments -TimeoutSeconds 120 -Environment @{ DOCKER_HOST = "unix://$Socket"; DOCKER_CONFIG = $dockerConfig }
                [pscustomobject]@{ Milliseconds = $r.Duration.TotalMilliseconds; Ok = $r.ExitCode -eq 0; StdOut = $r.StdOut; StdErr = $r.StdErr }
            }.GetNewClosure()
        }
    }

    $contenders = @(
        New-Contender 'ours (psc-api)' $ourSocket 'busybox'
        New-Contender 'podman system service' $podmanSocket 'localhost/busybox'
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
    if (Get-Command Stop-ContainerApiService -ErrorAction Ignore) {
        Stop-ContainerApiService -ErrorAction SilentlyContinue | Out-Null
    }
    Stop-TestPodmanService -Process $podmanProcess
    Exit-BenchEngine -Saved $savedEngine
    Remove-TestPodman -Podman $podman
    Remove-TestDirectory -Path $work
}
