<#
.SYNOPSIS
    Pull of a ~100 MB multi-layer image from a local docker-registry: Receive-ContainerImage against
    'skopeo copy docker://... oci:DIR' and 'podman pull'.
.DESCRIPTION
    A docker-registry on 127.0.0.1 (own config and storage under a temp directory) gets an image made with umoci:
    busybox plus -Layers layers of random bytes (-LayerMegabytes each; random data does not compress, so the
    transfer is the image's full size). Every iteration starts each contender from empty storage, interleaved,
    rotating who goes first:
      engine pull   Receive-ContainerImage (download, verify, unpack into snapshots), warm in this pwsh
      engine fetch  RegistryService.FetchAsync (download and verify into the content store, no unpack): the part
                    skopeo's copy to an OCI layout does
      skopeo        skopeo copy docker://REG/IMG oci:DIR (download, verify; no unpack)
      podman        podman pull (download, verify, unpack into its own overlay storage)
    The engine is timed with a Stopwatch around the call; skopeo and podman as whole processes. Prints medians and
    the ratios of the engine's pull (and fetch) to the faster peer. Not part of the test command.
.EXAMPLE
    ./tests/bench/pull-vs-skopeo.ps1 -Iterations 5
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 1000)][int]$Iterations = 5,
    [ValidateRange(0, 10)][int]$Warmup = 1,
    [ValidateRange(1, 16)][int]$Layers = 4,
    [ValidateRange(1, 512)][int]$LayerMegabytes = 25
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../pester/RegistryTestUtils.psm1') -Force -Global

$work = New-TestDirectory -Name 'bench-pull'
$savedEngine = $null
$registry = $null
$podman = $null
try {
    $registry = Start-TestRegistry -Directory (Join-Path $work 'registry')
    $layerSpecs = @(1..$Layers | ForEach-Object { @{ "data/layer$_.bin" = $LayerMegabytes * 1MB } })
    Write-Host "Building busybox + $Layers x $LayerMegabytes MB random layers with umoci ..."
    $image = New-TestLayeredOciImage -Layout (Join-Path $work 'layout') -Tag big -Layers $layerSpecs
    $reference = "$($registry.Address)/bench/big:1"
    Invoke-TestSkopeo copy --dest-tls-verify=false "oci:$image" "docker://$reference" -TimeoutSeconds 600 | Assert-NativeSuccess | Out-Null
    $manifest = (Invoke-TestSkopeo inspect --tls-verify=false --raw "docker://$reference" | Assert-NativeSuccess).StdOut | ConvertFrom-Json
    $totalBytes = ($manifest.layers | Measure-Object -Property size -Sum).Sum + $manifest.config.size
    $digest = (Invoke-TestSkopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$reference" | Assert-NativeSuccess).StdOut.Trim()

    $savedEngine = Enter-BenchEngine -Work $work
    $podman = New-TestPodman -WorkDirectory $work -Runtime (Get-ReferenceRuntime)
    $globalArgs = [System.Collections.Generic.List[string]]$podman.GlobalArgs
    $globalArgs[$globalArgs.IndexOf('--storage-driver') + 1] = 'overlay'
    $podman.GlobalArgs = $globalArgs.ToArray()

    $script:run = 0
    # A fresh storage root per engine run: nothing is already there.
    function Enter-FreshRoot {
        $env:PSCONTAINERS_ROOT = Join-Path $work "roots/$((++$script:run))"
        $env:PSCONTAINERS_ROOT
    }

    function Remove-Root([string]$Root) {
        # Snapshots hold read-only trees; plain recursive delete copes with them as root.
        Remove-Item -LiteralPath $Root -Recurse -Force -ErrorAction SilentlyContinue
    }

    $contenders = @(
        [pscustomobject]@{
            Name    = 'engine pull (Receive-ContainerImage)'
            Measure = {
                $root = Enter-FreshRoot
                $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
                $pulled = Receive-ContainerImage $reference -ErrorAction Continue
                $stopwatch.Stop()
                $ok = $null -ne $pulled -and $pulled.ManifestDigest -eq $digest
                Remove-Root $root
                [pscustomobject]@{ Milliseconds = $stopwatch.Elapsed.TotalMilliseconds; Ok = $ok }
            }
        }
        [pscustomobject]@{
            Name    = 'engine fetch (no unpack)'
            Measure = {
                $root = Enter-FreshRoot
                $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
                $service = [PSContainers.Core.Registry.RegistryService]::new([PSContainers.Core.Images.ImageService]::new(), $null, $null, $null, $null)
                $fetched = $service.FetchAsync($reference, $null, $null, $false, $null, [System.Threading.CancellationToken]::None).GetAwaiter().GetResult()
                $stopwatch.Stop()
                $ok = $fetched.TopDigest.ToString() -eq $digest
                Remove-Root $root
                [pscustomobject]@{ Milliseconds = $stopwatch.Elapsed.TotalMilliseconds; Ok = $ok }
            }
        }
        [pscustomobject]@{
            Name    = 'skopeo copy to oci:DIR'
            Measure = {
                $dir = Join-Path $work "skopeo-$((++$script:run))"
                $result = Invoke-TestSkopeo copy --src-tls-verify=false "docker://$reference" "oci:${dir}:big" -TimeoutSeconds 600
                Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
                [pscustomobject]@{ Milliseconds = $result.Duration.TotalMilliseconds; Ok = $result.ExitCode -eq 0 }
            }
        }
        [pscustomobject]@{
            Name    = 'podman pull (overlay)'
            Measure = {
                $result = Invoke-TestPodman $podman pull --quiet --tls-verify=false $reference -TimeoutSeconds 600
                Invoke-TestPodman $podman rmi --all --force | Out-Null
                [pscustomobject]@{ Milliseconds = $result.Duration.TotalMilliseconds; Ok = $result.ExitCode -eq 0 }
            }
        }
    )
    foreach ($entry in $contenders) {
        $entry | Add-Member -NotePropertyName Samples -NotePropertyValue ([System.Collections.Generic.List[double]]::new())
        $entry | Add-Member -NotePropertyName Failures -NotePropertyValue 0
    }

    Write-Host ('{0}: {1:N1} MB in {2} blobs; {3} warm-up and {4} measured runs each, interleaved; engine warm in this pwsh ({5}).' -f
        $reference, ($totalBytes / 1MB), ($manifest.layers.Count + 1), $Warmup, $Iterations, $PID)
    for ($i = -$Warmup; $i -lt $Iterations; $i++) {
        $shift = [math]::Abs($i) % $contenders.Count
        $order = @($contenders[$shift..($contenders.Count - 1)]) + @(if ($shift) { $contenders[0..($shift - 1)] })
        foreach ($entry in $order) {
            $result = & $entry.Measure
            if ($i -lt 0) { continue }
            if (-not $result.Ok) { $entry.Failures++ }
            $entry.Samples.Add($result.Milliseconds)
        }
    }

    foreach ($entry in $contenders) {
        $median = Get-Median $entry.Samples
        $note = if ($entry.Failures) { "  ($($entry.Failures) runs FAILED)" } else { '' }
        Write-Host ('{0,-38} median {1,8:N0} ms  ({2,6:N1} MB/s)  min {3,8:N0} ms  n={4}{5}' -f
            $entry.Name, $median, ($totalBytes / 1MB / ($median / 1000)), ($entry.Samples | Measure-Object -Minimum).Minimum, $entry.Samples.Count, $note)
    }
    $pull = Get-Median $contenders[0].Samples
    $fetch = Get-Median $contenders[1].Samples
    $skopeo = Get-Median $contenders[2].Samples
    $podmanPull = Get-Median $contenders[3].Samples
    $fastest = [math]::Min($skopeo, $podmanPull)
    Write-Host ('ratio engine pull / faster peer:  {0:N2}   (goal <= 1.0)' -f ($pull / $fastest))
    Write-Host ('ratio engine pull / podman pull:  {0:N2}   (both unpack)' -f ($pull / $podmanPull))
    Write-Host ('ratio engine fetch / skopeo copy: {0:N2}   (neither unpacks)' -f ($fetch / $skopeo))
} finally {
    if ($savedEngine) { Exit-BenchEngine -Saved $savedEngine }
    Remove-TestPodman -Podman $podman
    Stop-TestRegistry $registry
    Remove-TestDirectory -Path $work
}
