<#
.SYNOPSIS
    'Build-ContainerImage' against 'podman build' on one 10-instruction busybox Dockerfile: no cache, and fully cached.
.DESCRIPTION
    The same Dockerfile and context for both (FROM, 2 ENV, WORKDIR, 2 COPY, 3 RUN, CMD) on the same busybox base
    image, imported into each from one oci-archive. The built module is imported once into this pwsh with its
    storage and run roots in a temp directory, so the engine's figure is a warm cmdlet call; podman is a process
    per build (its own storage under the temp directory, crun, overlay, the peers' containers.conf).

      no cache   Build-ContainerImage -NoCache    against  podman build --no-cache
      cached     Build-ContainerImage (all steps cached, after one warm build)  against  podman build (same)

    Each mode runs twice: on the default network (our RUN steps on the engine's default bridge, podman's on its
    default network: a namespace, a veth, an address and NAT per RUN on both sides) and with the host's network
    (-Network host against podman build --network host: no network set-up on either side).
    podman builds with --format docker (the format that keeps HEALTHCHECK/ONBUILD, as our images do) and, by its
    default, --layers (an image per step, the cache our side also keeps).

    Before measuring, one build of each is compared with the build corpus's harness (BuildCompare.psm1): the bench
    says whether both built the same image, because a side that skips work would look fast. Runs are interleaved,
    the order rotates every iteration, and each run waits until no process of the previous one is left. Prints
    medians, minimums, the ratios ours/podman and the load average. Not part of the test command.
.EXAMPLE
    ./tests/bench/build-vs-podman.ps1 -Iterations 10
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 1000)][int]$Iterations = 10,
    [ValidateRange(0, 100)][int]$Warmup = 2
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../pester/BuildFixtures.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../pester/BuildCompare.psm1') -Force

$work = New-TestDirectory -Name 'bbuild'
$savedEngine = $null
$podman = $null
try {
    $context = Join-Path $work 'context'
    New-Item -ItemType Directory -Path (Join-Path $context 'app/lib') -Force | Out-Null
    Set-Content -LiteralPath (Join-Path $context 'app/run.sh') -Value "#!/bin/sh`necho running in `$MODE"
    Set-Content -LiteralPath (Join-Path $context 'app/lib/data.txt') -Value ('line' * 200)
    Set-Content -LiteralPath (Join-Path $context 'config.txt') -Value 'setting=1'
    $dockerfile = @'
FROM localhost/psc-corpus-busybox:1
ENV APP_HOME=/app MODE=bench
WORKDIR /app
COPY app/ /app/
RUN echo "$MODE" > /app/mode.txt && mkdir -p /app/data
COPY config.txt /etc/app.conf
RUN cat /etc/app.conf >> /app/data/log
ENV READY=1
RUN chmod 0755 /app/run.sh
CMD ["/app/run.sh"]
'@
    [System.IO.File]::WriteAllText((Join-Path $context 'Dockerfile'), $dockerfile)

    $baseArchive = New-CorpusBaseArchive -Work $work
    $savedEngine = Enter-BenchEngine -Work $work
    Import-ContainerImage $baseArchive | Out-Null
    $podman = New-TestPodman -WorkDirectory $work -Runtime (Get-ReferenceRuntime)
    $globalArgs = [System.Collections.Generic.List[string]]$podman.GlobalArgs
    $globalArgs[$globalArgs.IndexOf('--storage-driver') + 1] = 'overlay'
    $podman.GlobalArgs = $globalArgs.ToArray()
    Invoke-TestPodman $podman load --input $baseArchive -TimeoutSeconds 120 | Assert-NativeSuccess | Out-Null
    $podmanBuild = @('build', '--format', 'docker', '--pull=never', '--cgroup-parent', $podman.CgroupParent, '--tag', 'localhost/bench:podman')
    # default or host: the network of both sides' RUN steps in the section being measured.
    $script:benchNetwork = 'default'

    $contenders = @(
        [pscustomobject]@{
            Name    = 'ours (Build-ContainerImage)'
            Measure = {
                param([bool]$NoCache)
                $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
                $ok = $true
                $message = ''
                try {
                    Build-ContainerImage -Path $context -Tag localhost/bench:ours -NoCache:$NoCache -Network $script:benchNetwork -ErrorAction Stop | Out-Null
                } catch {
                    $ok = $false
                    $message = "$_"
                }
                $stopwatch.Stop()
                [pscustomobject]@{ Milliseconds = $stopwatch.Elapsed.TotalMilliseconds; Ok = $ok; Message = $message }
            }
        }
        [pscustomobject]@{
            Name    = 'podman build'
            Measure = {
                param([bool]$NoCache)
                $arguments = $podmanBuild + @(if ($NoCache) { '--no-cache' }) + @(if ($script:benchNetwork -eq 'host') { '--network', 'host' }) + @($context)
                $result = Invoke-TestPodman $podman @arguments -TimeoutSeconds 300
                [pscustomobject]@{ Milliseconds = $result.Duration.TotalMilliseconds; Ok = $result.ExitCode -eq 0; Message = $result.StdErr.Trim() }
            }
        }
    )

    # Both must build the image (and the same one) or the figures measure something else.
    foreach ($entry in $contenders) {
        $check = & $entry.Measure $true
        if (-not $check.Ok) { throw "$($entry.Name) could not build the bench Dockerfile: $($check.Message)" }
    }
    $ourArchive = Join-Path $work 'ours.tar'
    $peerArchive = Join-Path $work 'podman.tar'
    Export-ContainerImage localhost/bench:ours $ourArchive -Format OciArchive
    Invoke-TestPodman $podman save --format docker-archive --output $peerArchive localhost/bench:podman -TimeoutSeconds 120 | Assert-NativeSuccess | Out-Null
    $peerImage = Read-ImageArchive -Path $peerArchive
    $ourImage = Read-ImageArchive -Path $ourArchive
    try {
        $differences = @(Compare-BuiltImage -Peer $peerImage -Ours $ourImage)
    } finally {
        Remove-ImageArchive $peerImage
        Remove-ImageArchive $ourImage
    }
    Write-Host "busybox, 10 instructions (3 RUN, 2 COPY, 2 ENV); each side's RUN steps on its default network, then both with the host's network."
    if ($differences.Count) {
        Write-Host "NOTICE: the two images differ ($($differences.Count) differences); the comparison below is not of identical work:"
        Write-Host (Format-ImageDifference -Difference $differences -Title 'podman vs ours')
    } else {
        Write-Host 'Both built the same image (config, history, flattened filesystem compared).'
    }

    $modes = foreach ($net in 'default', 'host') {
        @{ Name = "no cache, $net network"; NoCache = $true; Network = $net }
        @{ Name = "cached, $net network"; NoCache = $false; Network = $net }
    }
    foreach ($mode in $modes) {
        $script:benchNetwork = $mode.Network
        foreach ($entry in $contenders) {
            $entry | Add-Member -NotePropertyName Samples -NotePropertyValue ([System.Collections.Generic.List[double]]::new()) -Force
            $entry | Add-Member -NotePropertyName Failures -NotePropertyValue 0 -Force
        }
        if (-not $mode.NoCache) {
            # Fill each side's cache from the same Dockerfile once.
            foreach ($entry in $contenders) { & $entry.Measure $false | Out-Null }
        }
        for ($i = -$Warmup; $i -lt $Iterations; $i++) {
            $order = if ([math]::Abs($i) % 2) { @($contenders[1], $contenders[0]) } else { $contenders }
            foreach ($entry in $order) {
                $run = & $entry.Measure $mode.NoCache
                Wait-BenchQuiet -Pattern $work
                if ($i -lt 0) { continue }
                if (-not $run.Ok) { $entry.Failures++; Write-Warning "$($entry.Name): $($run.Message)" }
                $entry.Samples.Add($run.Milliseconds)
            }
        }
        Write-Host ''
        Write-Host "$($mode.Name): $Warmup warm-up and $Iterations measured runs each, interleaved"
        foreach ($entry in $contenders) {
            $note = if ($entry.Failures) { "  ($($entry.Failures) runs failed)" } else { '' }
            Write-Host ('  {0,-30} median {1,9:N1} ms   min {2,9:N1} ms   n={3}{4}' -f $entry.Name, (Get-Median $entry.Samples), ($entry.Samples | Measure-Object -Minimum).Minimum, $entry.Samples.Count, $note)
        }
        Write-Host ('  ratio ours/podman ({0}): {1:N2}' -f $mode.Name, ((Get-Median $contenders[0].Samples) / (Get-Median $contenders[1].Samples)))
    }
    Write-Host "load average: $([System.IO.File]::ReadAllText('/proc/loadavg').Trim())"
} finally {
    Exit-BenchEngine -Saved $savedEngine
    Remove-TestPodman -Podman $podman
    Remove-TestDirectory -Path $work
}
