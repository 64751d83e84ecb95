<#
.SYNOPSIS
    'run' of a /bin/true busybox bundle: the runtime under test against crun, side by side.
.DESCRIPTION
    Both runtimes run the same bundle, alternating every iteration after a few warm-ups, each run
    with a fresh container id; a Stopwatch times the whole runtime process. Prints both medians
    and the ratio. Not part of the test command: a benchmark never fails the build.
.EXAMPLE
    ./tests/bench/pscrun-vs-crun.ps1 -Runtime /usr/sbin/runc -Iterations 30
#>
[CmdletBinding()]
param(
    # The runtime being measured; defaults to the module's pscrun ($env:PSCRUN overrides it too).
    [string]$Runtime,
    [string]$Reference,
    [ValidateRange(1, 10000)][int]$Iterations = 20,
    [ValidateRange(0, 100)][int]$Warmup = 3
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../pester/TestUtils.psm1') -Force

if (-not $Runtime) { $Runtime = Get-PscrunPath }
if (-not $Reference) { $Reference = Get-ReferenceRuntime }
$runtimes = @(
    [pscustomobject]@{ Name = Split-Path -Leaf $Runtime; Path = $Runtime; Samples = [System.Collections.Generic.List[double]]::new(); Failures = 0 }
    [pscustomobject]@{ Name = Split-Path -Leaf $Reference; Path = $Reference; Samples = [System.Collections.Generic.List[double]]::new(); Failures = 0 }
)
if ($runtimes[0].Name -eq $runtimes[1].Name) {
    $runtimes[0].Name += ' (under test)'
}

# One 'run' timed from process start to exit; output is kept only to explain a failure.
function Measure-RuntimeRun([string]$RuntimePath, [string]$StateRoot, [string]$Bundle) {
    $id = New-TestContainerId -Prefix 'psc-bench'
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($RuntimePath)
    foreach ($argument in '--root', $StateRoot, 'run', '--bundle', $Bundle, $id) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $process.StandardInput.Close()
    $stderr = $process.StandardError.ReadToEndAsync()
    $stdout = $process.StandardOutput.ReadToEndAsync()
    if (-not $process.WaitForExit(30000)) {
        $process.Kill($true)
        [void]$process.WaitForExit(5000)
    }
    $stopwatch.Stop()
    [void][System.Threading.Tasks.Task]::WaitAll([System.Threading.Tasks.Task[]]@($stdout, $stderr), 5000)
    $exitCode = if ($process.HasExited) { $process.ExitCode } else { -1 }
    $process.Dispose()
    Remove-TestContainer -Runtime $RuntimePath -StateRoot $StateRoot -Id $id
    [pscustomobject]@{
        Milliseconds = $stopwatch.Elapsed.TotalMilliseconds
        ExitCode     = $exitCode
        StdOut       = if ($stdout.IsCompletedSuccessfully) { $stdout.Result } else { '' }
        StdErr       = if ($stderr.IsCompletedSuccessfully) { $stderr.Result } else { '' }
    }
}

function Get-Median([double[]]$Values) {
    if ($Values.Count -eq 0) { return [double]::NaN }
    $sorted = $Values | Sort-Object
    $middle = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

$work = New-TestDirectory -Name 'bench'
try {
    # crun writes the spec so that both runtimes get the very same config.json.
    $bundle = New-TestBundle -Path (Join-Path $work 'bundle') -Runtime $Reference -Arguments @('/bin/sh', '-c', 'echo bench-ok')
    $stateRoot = Join-Path $work 'state'

    # A runtime that does not run the container would look fast: check it really does first.
    foreach ($entry in $runtimes) {
        $check = Measure-RuntimeRun $entry.Path $stateRoot $bundle
        $entry | Add-Member -NotePropertyName Works -NotePropertyValue ($check.ExitCode -eq 0 -and $check.StdOut -eq "bench-ok`n")
        if (-not $entry.Works) {
            Write-Warning "$($entry.Name) did not run the check container (exit code $($check.ExitCode), stdout '$($check.StdOut.Trim())', stderr '$($check.StdErr.Trim())'): its figures below measure a failure, not a container."
        }
    }
    Set-TestBundleConfig -Bundle $bundle -Arguments @('/bin/true')

    Write-Host "Bundle: busybox /bin/true; $Warmup warm-up and $Iterations measured runs per runtime, interleaved."
    for ($i = -$Warmup; $i -lt $Iterations; $i++) {
        # Alternate which runtime goes first so neither always gets the warmer caches.
        $order = if (($i % 2) -eq 0) { @($runtimes[0], $runtimes[1]) } else { @($runtimes[1], $runtimes[0]) }
        foreach ($entry in $order) {
            $run = Measure-RuntimeRun $entry.Path $stateRoot $bundle
            if ($i -lt 0) { continue }
            if ($run.ExitCode -ne 0) {
                $entry.Failures++
            }
            $entry.Samples.Add($run.Milliseconds)
        }
    }

    foreach ($entry in $runtimes) {
        $note = if ($entry.Failures) { "  ($($entry.Failures) runs failed)" } else { '' }
        Write-Host ('{0,-20} median {1,8:N1} ms   min {2,8:N1} ms   n={3}{4}' -f $entry.Name, (Get-Median $entry.Samples), ($entry.Samples | Measure-Object -Minimum).Minimum, $entry.Samples.Count, $note)
    }
    $ratio = (Get-Median $runtimes[0].Samples) / (Get-Median $runtimes[1].Samples)
    Write-Host ('ratio {0}/{1}: {2:N2}' -f $runtimes[0].Name, $runtimes[1].Name, $ratio)
    if (-not ($runtimes.Works -notcontains $false)) {
        Write-Host 'NOTICE: at least one runtime failed the check run; the ratio is not a container start-up figure.'
    }
} finally {
    Remove-TestDirectory -Path $work
}
