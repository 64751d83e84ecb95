#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Unpacks the layers of a multi-layer image of about 100 MB (tar+gzip) with the engine's LayerUnpacker and with
    `tar -xzf`, interleaved, and prints the medians and their ratio (goal: <= 1.2).
.DESCRIPTION
    The layers are made from this machine's /usr (four gzip tars). Each round unpacks every layer into fresh
    directories, first with one tool then the other (the order alternates). LayerUnpacker also verifies the blob
    digest and the diffID, which tar does not.
#>
param([int]$Rounds = 7)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force
$moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
Import-Module $moduleDir -Force
$work = New-TestDirectory -Name unpack-bench
try {
    # About 100 MB unpacked (large and small files, symlinks), as four layers.
    $sources = @('/usr/lib/python3.11', '/usr/share/perl', '/usr/lib/x86_64-linux-gnu/perl', '/usr/sbin') | Where-Object { Test-Path $_ }
    $layers = @()
    $i = 0
    foreach ($source in $sources) {
        $layer = Join-Path $work "layer$i.tar.gz"
        Invoke-Native tar '-C' $source '-czf' $layer '.' -TimeoutSeconds 600 | Out-Null
        $layers += $layer
        $i++
    }
    $compressed = ($layers | ForEach-Object { (Get-Item $_).Length } | Measure-Object -Sum).Sum
    Write-Host ("{0} layers, {1:N1} MB compressed" -f $layers.Count, ($compressed / 1MB))

    $logger = [Microsoft.Extensions.Logging.Abstractions.NullLogger]::Instance
    function Invoke-Ours([string]$Target) {
        $n = 0
        foreach ($layer in $layers) {
            $dir = Join-Path $Target "l$n"; $n++
            [System.IO.Directory]::CreateDirectory($dir) | Out-Null
            $stream = [System.IO.File]::OpenRead($layer)
            try { [PSContainers.Core.Images.Archive.LayerUnpacker]::Unpack($stream, $dir, $null, $null, $logger, $null, [System.Threading.CancellationToken]::None) | Out-Null }
            finally { $stream.Dispose() }
        }
    }
    function Invoke-Tar([string]$Target) {
        $n = 0
        foreach ($layer in $layers) {
            $dir = Join-Path $Target "l$n"; $n++
            [System.IO.Directory]::CreateDirectory($dir) | Out-Null
            Invoke-Native tar '-C' $dir '-xzf' $layer -TimeoutSeconds 600 | Assert-NativeSuccess | Out-Null
        }
    }

    Invoke-Ours (Join-Path $work 'warm'); Remove-Item -Recurse -Force (Join-Path $work 'warm')
    $ours = @(); $tar = @()
    for ($round = 0; $round -lt $Rounds; $round++) {
        $order = if ($round % 2) { 'tar', 'ours' } else { 'ours', 'tar' }
        foreach ($who in $order) {
            $target = Join-Path $work "$who-$round"
            [System.IO.Directory]::CreateDirectory($target) | Out-Null
            & sync
            $elapsed = Measure-Command { if ($who -eq 'ours') { Invoke-Ours $target } else { Invoke-Tar $target } }
            if ($who -eq 'ours') { $ours += $elapsed.TotalMilliseconds } else { $tar += $elapsed.TotalMilliseconds }
            Remove-Item -LiteralPath $target -Recurse -Force
        }
    }
    $mOurs = Get-Median $ours
    $mTar = Get-Median $tar
    [pscustomobject]@{ Work = 'unpack layers'; 'LayerUnpacker ms' = [math]::Round($mOurs); 'tar -xzf ms' = [math]::Round($mTar); Ratio = [math]::Round($mOurs / $mTar, 2) } | Format-Table | Out-String | Write-Host
} finally {
    Remove-TestDirectory -Path $work
}
