<#
.SYNOPSIS
    What a user namespace costs a container start: Invoke-Container with and without -UserNS, both ways of giving
    the image's files their owners (idmapped mounts; a chowned copy, cold and warm), beside podman with and without
    --uidmap.
.DESCRIPTION
    Seven contenders, interleaved every iteration after warm-ups, on one busybox rootfs, network none, /bin/true:
      engine host            Invoke-Container ROOTFS -Remove -Network none -- /bin/true
      engine auto idmap      the same with -UserNS auto (a range from the pool, idmapped lowers)
      engine map idmap       the same with -UidMap 0:3700000000:65536 (no allocation)
      engine map copy warm   $PSCONTAINERS_USERNS_METHOD=copy, the chowned copy already cached
      engine map copy cold   the same after the cache was deleted (outside the clock): the copy is made
      podman host            podman run --rm --network none IMG /bin/true (crun, overlay storage)
      podman uidmap          the same with --uidmap 0:3800000000:65536 --gidmap 0:3800000000:65536
    podman's --userns=auto needs a "containers" entry in /etc/subuid and /etc/subgid, which these machines do
    not have; --uidmap does the same work (a user namespace and the image's owners shifted) with a fixed range.
    How podman gives the image its owners under --uidmap depends on its storage: the bench prints what its
    overlay driver reports (idmapped mounts or a chowned copy of the layer, made once and kept). Every contender
    is checked first: the mapped ones must say uid 0 inside with a uid_map that is not the identity.
    Prints the medians, the ratios against each side's own host run, and the load. Not part of the test command.
.EXAMPLE
    ./tests/bench/userns-cost.ps1 -Iterations 15
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 10000)][int]$Iterations = 12,
    [ValidateRange(0, 100)][int]$Warmup = 2
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force

$work = New-TestDirectory -Name 'bun'
$savedEngine = $null
$savedMethod = $env:PSCONTAINERS_USERNS_METHOD
$podman = $null
try {
    $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $savedEngine = Enter-BenchEngine -Work $work
    $podman = New-BenchPodman -Work $work -RootFs $rootfs
    $podmanRun = @('run', '--rm', '--network', 'none', '--cgroup-parent', $podman.CgroupParent)
    $copyCache = Join-Path $env:PSCONTAINERS_ROOT 'userns-layers'

    function Measure-Engine([hashtable]$Options, [string]$Method, [string[]]$Command, [switch]$Cold) {
        $env:PSCONTAINERS_USERNS_METHOD = $Method
        if ($Cold -and (Test-Path -LiteralPath $copyCache)) {
            Remove-Item -LiteralPath $copyCache -Recurse -Force
        }
        $global:LASTEXITCODE = -1
        $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $lines = @(Invoke-Container $rootfs -Remove -Network none @Options -- @Command)
        $stopwatch.Stop()
        $env:PSCONTAINERS_USERNS_METHOD = $null
        [pscustomobject]@{ Milliseconds = $stopwatch.Elapsed.TotalMilliseconds; Ok = $LASTEXITCODE -eq 0; StdOut = ($lines | ForEach-Object { "$_`n" }) -join '' }
    }

    function Measure-Podman([string[]]$Options, [string[]]$Command) {
        $result = Invoke-TestPodman $podman @podmanRun @Options $podman.Image @Command -TimeoutSeconds 60
        [pscustomobject]@{ Milliseconds = $result.Duration.TotalMilliseconds; Ok = $result.ExitCode -eq 0; StdOut = $result.StdOut }
    }

    $map = @{ UidMap = @('0:3700000000:65536') }
    $podmanMap = @('--uidmap', '0:3800000000:65536', '--gidmap', '0:3800000000:65536')
    $contenders = @(
        [pscustomobject]@{ Name = 'engine host'; Mapped = $false; Measure = { param($c) Measure-Engine @{} $null $c } }
        [pscustomobject]@{ Name = 'engine auto idmap'; Mapped = $true; Measure = { param($c) Measure-Engine @{ UserNS = 'auto' } 'idmap' $c } }
        [pscustomobject]@{ Name = 'engine map idmap'; Mapped = $true; Measure = { param($c) Measure-Engine $map 'idmap' $c } }
        [pscustomobject]@{ Name = 'engine map copy warm'; Mapped = $true; Measure = { param($c) Measure-Engine $map 'copy' $c } }
        [pscustomobject]@{ Name = 'engine map copy cold'; Mapped = $true; Measure = { param($c) Measure-Engine $map 'copy' $c -Cold } }
        [pscustomobject]@{ Name = 'podman host'; Mapped = $false; Measure = { param($c) Measure-Podman @() $c } }
        [pscustomobject]@{ Name = 'podman uidmap'; Mapped = $true; Measure = { param($c) Measure-Podman $podmanMap $c } }
    )
    # Each contender must really run as it says: uid 0 inside, and a uid_map that is (or is not) the identity.
    foreach ($entry in $contenders) {
        $check = & $entry.Measure @('/bin/sh', '-c', 'id -u; cat /proc/self/uid_map')
        $identity = $check.StdOut -match '^\s*0\s+0\s+4294967295' -or $check.StdOut -match "`n\s*0\s+0\s+4294967295"
        if (-not $check.Ok -or $check.StdOut -notmatch '^0' -or $identity -eq $entry.Mapped) {
            Write-Warning "$($entry.Name): the check gave '$($check.StdOut.Trim())'."
        }
    }
    $driverInfo = Invoke-TestPodman $podman info --format '{{json .Store.GraphStatus}}' -TimeoutSeconds 60
    Write-Host "podman's overlay storage: $($driverInfo.StdOut.Trim())"

    Write-Host "busybox /bin/true, network none; $Warmup warm-up and $Iterations measured runs each, interleaved; load $((Get-Content /proc/loadavg) -replace ' \d+/.*$', '')"
    Invoke-BenchRound -Contenders $contenders -Iterations $Iterations -Warmup $Warmup -Work $work -Arguments @('/bin/true')
    $medians = Write-BenchSummary -Contenders $contenders
    $m = @{}; foreach ($entry in $contenders) { $m[$entry.Name] = $medians[$entry.Name] }
    foreach ($name in 'engine auto idmap', 'engine map idmap', 'engine map copy warm', 'engine map copy cold') {
        Write-Host ('ratio {0}/engine host: {1:N3}   (difference {2:N1} ms)' -f $name, ($m[$name] / $m['engine host']), ($m[$name] - $m['engine host']))
    }
    Write-Host ('ratio podman uidmap/podman host: {0:N3}   (difference {1:N1} ms)' -f ($m['podman uidmap'] / $m['podman host']), ($m['podman uidmap'] - $m['podman host']))
    Write-Host ('ratio engine map idmap/podman uidmap: {0:N2}' -f ($m['engine map idmap'] / $m['podman uidmap']))
    Write-Host ('ratio engine host/podman host: {0:N2}' -f ($m['engine host'] / $m['podman host']))
    Write-Host "load after: $((Get-Content /proc/loadavg) -replace ' \d+/.*$', '')"
} finally {
    $env:PSCONTAINERS_USERNS_METHOD = $savedMethod
    Exit-BenchEngine -Saved $savedEngine
    Remove-TestPodman -Podman $podman
    Remove-TestDirectory -Path $work
}
