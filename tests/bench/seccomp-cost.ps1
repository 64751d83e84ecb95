<#
.SYNOPSIS
    What the default seccomp filter costs a container start: Invoke-Container with the default profile against
    the same container with -SecurityOpt seccomp=unconfined, and podman (crun) with and without its profile.
.DESCRIPTION
    Four contenders, interleaved every iteration after warm-ups, on one busybox rootfs, network none:
      engine default      Invoke-Container ROOTFS -Remove -Network none -- /bin/true
      engine unconfined   the same with -SecurityOpt seccomp=unconfined
      podman default      podman run --rm --network none IMG /bin/true (crun, podman's own profile)
      podman unconfined   the same with --security-opt seccomp=unconfined
    The engine side compiles the profile to BPF in pscrun at every create (and converts the Docker-format profile
    in the cmdlet); podman's side has crun compile its profile with libseccomp. Both sides pay their real costs.
    Prints the medians, the ratios default/unconfined on each side, and the size of our default filter
    in BPF instructions beside the size of podman's profile compiled
    by our compiler. Not part of the test command.
.EXAMPLE
    ./tests/bench/seccomp-cost.ps1 -Iterations 15
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 10000)][int]$Iterations = 12,
    [ValidateRange(0, 100)][int]$Warmup = 2
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force

$work = New-TestDirectory -Name 'bsc'
$savedEngine = $null
$podman = $null
try {
    $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $savedEngine = Enter-BenchEngine -Work $work
    $podman = New-BenchPodman -Work $work -RootFs $rootfs
    $podmanRun = @('run', '--rm', '--network', 'none', '--cgroup-parent', $podman.CgroupParent)

    function Measure-Engine([string[]]$SecurityOpt, [string[]]$Command) {
        $global:LASTEXITCODE = -1
        $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
        $lines = @(Invoke-Container $rootfs -Remove -Network none -SecurityOpt $SecurityOpt -- @Command)
        $stopwatch.Stop()
        [pscustomobject]@{ Milliseconds = $stopwatch.Elapsed.TotalMilliseconds; Ok = $LASTEXITCODE -eq 0; StdOut = ($lines | ForEach-Object { "$_`n" }) -join '' }
    }

    function Measure-Podman([string[]]$Options, [string[]]$Command) {
        $result = Invoke-TestPodman $podman @podmanRun @Options $podman.Image @Command -TimeoutSeconds 60
        [pscustomobject]@{ Milliseconds = $result.Duration.TotalMilliseconds; Ok = $result.ExitCode -eq 0; StdOut = $result.StdOut }
    }

    $contenders = @(
        [pscustomobject]@{ Name = 'engine default profile'; Measure = { param($c) Measure-Engine @() $c } }
        [pscustomobject]@{ Name = 'engine seccomp=unconfined'; Measure = { param($c) Measure-Engine @('seccomp=unconfined') $c } }
        [pscustomobject]@{ Name = 'podman (crun) default'; Measure = { param($c) Measure-Podman @() $c } }
        [pscustomobject]@{ Name = 'podman (crun) unconfined'; Measure = { param($c) Measure-Podman @('--security-opt', 'seccomp=unconfined') $c } }
    )
    # Each contender must really run with (or without) a filter: the check reads the Seccomp mode of its process.
    $expectedMode = @('2', '0', '2', '0')
    for ($k = 0; $k -lt $contenders.Count; $k++) {
        $check = & $contenders[$k].Measure @('/bin/sh', '-c', 'grep ^Seccomp: /proc/self/status')
        if (-not $check.Ok -or $check.StdOut -notmatch "Seccomp:\s+$($expectedMode[$k])") {
            Write-Warning "$($contenders[$k].Name): the check gave '$($check.StdOut.Trim())', expected Seccomp mode $($expectedMode[$k])."
        }
    }

    Write-Host "busybox /bin/true, network none; $Warmup warm-up and $Iterations measured runs each, interleaved; load $((Get-Content /proc/loadavg) -replace ' \d+/.*$', '')"
    Invoke-BenchRound -Contenders $contenders -Iterations $Iterations -Warmup $Warmup -Work $work -Arguments @('/bin/true')
    $medians = Write-BenchSummary -Contenders $contenders
    $m = $contenders | ForEach-Object { $medians[$_.Name] }
    Write-Host ('ratio engine default/unconfined: {0:N3}   (difference {1:N1} ms)' -f ($m[0] / $m[1]), ($m[0] - $m[1]))
    Write-Host ('ratio podman default/unconfined: {0:N3}   (difference {1:N1} ms)' -f ($m[2] / $m[3]), ($m[2] - $m[3]))
    Write-Host ('ratio engine default/podman default: {0:N2}' -f ($m[0] / $m[2]))
    Write-Host "load after: $((Get-Content /proc/loadavg) -replace ' \d+/.*$', '')"

    # The filter itself: how many BPF instructions (the unit tests bound the longest path a call takes).
    $caps = [PSContainers.Runtime.Spec.DefaultSpecs]::EngineCapabilities
    $kernel = [PSContainers.Core.Security.SeccompProfiles]::HostKernel()
    $ours = [PSContainers.Runtime.Seccomp.SeccompCompiler]::Compile([PSContainers.Core.Security.SeccompProfiles]::ToOci([PSContainers.Core.Security.SeccompProfiles]::DefaultProfile, $caps, $kernel)).Instructions
    Write-Host "our default filter: $($ours.Length) BPF instructions"
    $podmanProfile = '/usr/share/containers/seccomp.json'
    if (Test-Path -LiteralPath $podmanProfile) {
        $theirs = [PSContainers.Runtime.Seccomp.SeccompCompiler]::Compile([PSContainers.Core.Security.SeccompProfiles]::ToOci([PSContainers.Core.Security.SeccompProfiles]::Load($podmanProfile), $caps, $kernel)).Instructions
        Write-Host "podman's profile ($podmanProfile) compiled by our compiler: $($theirs.Length) BPF instructions"
    }
} finally {
    Exit-BenchEngine -Saved $savedEngine
    Remove-TestPodman -Podman $podman
    Remove-TestDirectory -Path $work
}
