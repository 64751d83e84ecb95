<#
.SYNOPSIS
    'Invoke-Container -Remove /bin/true' on the default bridge network against 'podman run --rm' on its default
    bridge network, plain and with a published port; -Network none as the engine's reference.
.DESCRIPTION
    The built module is imported once into this pwsh with its storage and run roots in a temp directory (a warm
    cmdlet call, as a runbook sees after its first container). The same busybox rootfs runs, interleaved every
    iteration after a few warm-ups:
      engine bridge          Invoke-Container ROOTFS -Remove -- /bin/true            (default network: bridge,
                                                                                       firewall; netns by pscrun)
      podman bridge          podman run --rm IMG /bin/true                           (netavark, network podman)
      engine bridge+port     the same with -Publish 127.0.0.1:P:80                    (+ portmap)
      podman bridge+port     the same with -p 127.0.0.1:P2:80
      engine none            Invoke-Container ROOTFS -Remove -Network none -- /bin/true
    Both sides do the same work per container: a network namespace, a veth on a bridge, an address, NAT and
    firewall rules, and with a port the DNAT rules; both tear all of it down before the command returns
    (podman's 'container cleanup' tail is waited for and not counted against the engine). podman's default
    network has no DNS responder; the engine writes /etc/hosts and resolv.conf for each container.
    Podman runs with its own --root/--runroot, crun, overlay storage and the peers' containers.conf.
    Prints the medians, the ratios engine/podman and the load average. Not part of the test command.
.EXAMPLE
    ./tests/bench/network-vs-podman.ps1 -Iterations 20
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 10000)][int]$Iterations = 15,
    [ValidateRange(0, 100)][int]$Warmup = 2
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force

$work = New-TestDirectory -Name 'bench-net'
$savedEngine = $null
$podman = $null
try {
    $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $savedEngine = Enter-BenchEngine -Work $work
    $podman = New-BenchPodman -Work $work -RootFs $rootfs
    $free = {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
    }
    $enginePort = & $free
    $podmanPort = & $free

    function Measure-Engine([hashtable]$Options, [string[]]$Command) {
        $global:LASTEXITCODE = -1
        $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $failed = $false
        try {
            $lines = @(Invoke-Container $rootfs -Remove @Options -- @Command)
        } catch {
            $failed = $true
            $lines = @("$_")
        }
        $stopwatch.Stop()
        [pscustomobject]@{ Milliseconds = $stopwatch.Elapsed.TotalMilliseconds; Ok = (-not $failed -and $LASTEXITCODE -eq 0); StdOut = ($lines | ForEach-Object { "$_`n" }) -join '' }
    }
    function Measure-Podman([string[]]$Options, [string[]]$Command) {
        $result = Invoke-TestPodman $podman run --rm --cgroup-parent $podman.CgroupParent @Options $podman.Image @Command -TimeoutSeconds 60
        [pscustomobject]@{ Milliseconds = $result.Duration.TotalMilliseconds; Ok = $result.ExitCode -eq 0; StdOut = $result.StdOut; StdErr = $result.StdErr }
    }

    $contenders = @(
        [pscustomobject]@{ Name = 'engine bridge'; Measure = { param($c) Measure-Engine @{} $c } }
        [pscustomobject]@{ Name = 'podman bridge'; Measure = { param($c) Measure-Podman @() $c } }
        [pscustomobject]@{ Name = 'engine bridge+port'; Measure = { param($c) Measure-Engine @{ Publish = "127.0.0.1:${enginePort}:80" } $c } }
        [pscustomobject]@{ Name = 'podman bridge+port'; Measure = { param($c) Measure-Podman @('-p', "127.0.0.1:${podmanPort}:80") $c } }
        [pscustomobject]@{ Name = 'engine none'; Measure = { param($c) Measure-Engine @{ Network = 'none' } $c } }
    )
    # A contender that does not run the container (or has no network) would look fast: check each first.
    foreach ($entry in $contenders) {
        $check = & $entry.Measure @('/bin/sh', '-c', 'ls /sys/class/net | sort | tr "\n" " "')
        $expected = if ($entry.Name -like '*none') { 'lo ' } else { 'eth0 lo ' }
        $works = $check.Ok -and $check.StdOut.Trim() -eq $expected.Trim()
        $entry | Add-Member -NotePropertyName Works -NotePropertyValue $works
        if (-not $works) {
            Write-Warning "$($entry.Name) did not run the check container as expected (stdout '$($check.StdOut.Trim())'): its figures measure a failure."
        }
    }

    Write-Host "busybox /bin/true; $Warmup warm-up and $Iterations measured runs each, interleaved; engine warm in this pwsh ($PID)."
    Invoke-BenchRound -Contenders $contenders -Iterations $Iterations -Warmup $Warmup -Work $work -Arguments @('/bin/true')
    $m = Write-BenchSummary -Contenders $contenders -NameWidth 20
    Write-Host ('ratio engine/podman, bridge:      {0:N2}' -f ($m['engine bridge'] / $m['podman bridge']))
    Write-Host ('ratio engine/podman, bridge+port: {0:N2}' -f ($m['engine bridge+port'] / $m['podman bridge+port']))
    Write-Host ('engine bridge - engine none:      {0:N1} ms' -f ($m['engine bridge'] - $m['engine none']))
    Write-Host ("load average: " + (Get-Content /proc/loadavg))
    if ($contenders.Works -contains $false) {
        Write-Host 'NOTICE: at least one contender failed the check run; the ratios are not container start-up figures.'
    }
} finally {
    Exit-BenchEngine -Saved $savedEngine
    Remove-TestPodman -Podman $podman
    Remove-TestDirectory -Path $work
}
