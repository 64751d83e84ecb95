# Helpers for the registry suites and benchmarks: a real docker-registry on 127.0.0.1 (anonymous or with htpasswd
# basic auth) with its own config and storage, OCI images made with umoci (extra layers, other architectures) and a
# multi-platform index built by hand in an OCI layout.

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force -Global

# A TCP port on 127.0.0.1 that nothing listens on right now.
function Get-TestFreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

<#
.SYNOPSIS
    Starts /usr/bin/docker-registry on 127.0.0.1 with its config, storage and log under $Directory; with -User and
    -Password it requires htpasswd basic auth. Returns Pid, Port, Address (127.0.0.1:PORT), Storage, Log.
#>
function Start-TestRegistry {
    param(
        [Parameter(Mandatory)][string]$Directory,
        [string]$User,
        [string]$Password
    )
    New-Item -ItemType Directory -Force -Path $Directory | Out-Null
    $storage = Join-Path $Directory 'storage'
    $log = Join-Path $Directory 'registry.log'
    $auth = ''
    if ($User) {
        $htpasswd = Join-Path $Directory 'htpasswd'
        Invoke-Native htpasswd '-Bbc' $htpasswd $User $Password | Assert-NativeSuccess | Out-Null
        $auth = "auth:`n  htpasswd:`n    realm: psc-test`n    path: $htpasswd`n"
    }
    for ($try = 1; $try -le 5; $try++) {
        $port = Get-TestFreePort
        $config = Join-Path $Directory 'config.yml'
        Set-Content -LiteralPath $config -Value @"
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$auth
"@
        # exec: the PID we record is the registry's own, so AfterAll stops exactly it.
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
        foreach ($a in '-c', 'exec /usr/bin/docker-registry serve "$1" >>"$2" 2>&1 </dev/null', 'sh', $config, $log) { $startInfo.ArgumentList.Add($a) }
        $startInfo.UseShellExecute = $false
        # The registry reads REGISTRY_* variables as config overrides: REGISTRY_AUTH_FILE (podman's) would be taken for auth.file.
        foreach ($name in @($startInfo.Environment.Keys | Where-Object { $_ -like 'REGISTRY_*' })) { [void]$startInfo.Environment.Remove($name) }
        $process = [System.Diagnostics.Process]::Start($startInfo)
        $registry = [pscustomobject]@{
            PSTypeName = 'PSContainers.Tests.Registry'
            Pid        = $process.Id
            Port       = $port
            Address    = "127.0.0.1:$port"
            Directory  = $Directory
            Storage    = $storage
            Log        = $log
            User       = $User
            Password   = $Password
        }
        $process.Dispose()
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ([DateTime]::UtcNow -lt $deadline) {
            if (-not (Test-Path "/proc/$($registry.Pid)")) { break }
            try {
                $client = [System.Net.Sockets.TcpClient]::new()
                $client.Connect('127.0.0.1', $port)
                $client.Dispose()
                return $registry
            } catch {
                Start-Sleep -Milliseconds 100
            }
        }
        Stop-TestRegistry $registry
    }
    throw "docker-registry did not start; its log: $(Get-Content -Raw -LiteralPath $log -ErrorAction Ignore)"
}

# Stops a registry started by Start-TestRegistry, by its PID, and waits for it to be gone.
function Stop-TestRegistry {
    param([AllowNull()]$Registry)
    if ($null -eq $Registry) { return }
    $process = Get-Process -Id $Registry.Pid -ErrorAction Ignore
    if ($process) {
        $process.Kill()
        [void]$process.WaitForExit(10000)
        $process.Dispose()
    }
}

# The blob file of a digest in a registry's filesystem storage.
function Get-TestRegistryBlobPath {
    param([Parameter(Mandatory)]$Registry, [Parameter(Mandatory)][string]$Digest)
    $hex = $Digest.Split(':')[1]
    Join-Path $Registry.Storage "docker/registry/v2/blobs/sha256/$($hex.Substring(0, 2))/$hex/data"
}

<#
.SYNOPSIS
    A busybox OCI image (umoci) with extra layers: each entry of -Layers is a hashtable of relative path = content
    (a string, or a byte count for random bytes). Returns 'LAYOUT:TAG'.
#>
function New-TestLayeredOciImage {
    param(
        [Parameter(Mandatory)][string]$Layout,
        [string]$Tag = 'latest',
        [hashtable[]]$Layers = @(),
        [string]$Architecture,
        [string[]]$Env = @(),
        [string]$Cmd = 'sh'
    )
    $image = if (Test-Path -LiteralPath (Join-Path $Layout 'index.json')) {
        $base = "${Layout}:$Tag"
        Invoke-Native umoci new --image $base | Assert-NativeSuccess | Out-Null
        $scratch0 = "$Layout.build0"
        try {
            Invoke-Native umoci unpack --image $base $scratch0 | Assert-NativeSuccess | Out-Null
            New-TestBusyboxRootfs -Path (Join-Path $scratch0 'rootfs') | Out-Null
            Invoke-Native umoci repack --image $base $scratch0 | Assert-NativeSuccess | Out-Null
        } finally {
            Remove-TestDirectory -Path $scratch0
        }
        $base
    } else {
        New-TestOciImage -Layout $Layout -Tag $Tag
    }
    $n = 0
    foreach ($layer in $Layers) {
        $scratch = "$Layout.build$(++$n)"
        try {
            Invoke-Native umoci unpack --image $image $scratch | Assert-NativeSuccess | Out-Null
            foreach ($name in $layer.Keys) {
                $path = Join-Path $scratch "rootfs/$name"
                New-Item -ItemType Directory -Force -Path (Split-Path -Parent $path) | Out-Null
                $content = $layer[$name]
                if ($content -is [int] -or $content -is [long]) {
                    $bytes = [byte[]]::new($content)
                    [System.Random]::Shared.NextBytes($bytes)
                    [System.IO.File]::WriteAllBytes($path, $bytes)
                } else {
                    [System.IO.File]::WriteAllText($path, [string]$content)
                }
            }
            Invoke-Native umoci repack --image $image $scratch | Assert-NativeSuccess | Out-Null
        } finally {
            Remove-TestDirectory -Path $scratch
        }
    }
    $configArgs = @('config', '--image', $image, '--config.cmd', $Cmd)
    foreach ($e in $Env) { $configArgs += @('--config.env', $e) }
    if ($Architecture) { $configArgs += @('--architecture', $Architecture) }
    Invoke-Native umoci @configArgs | Assert-NativeSuccess | Out-Null
    $image
}

<#
.SYNOPSIS
    Adds to an OCI layout an image index tagged $Tag whose entries are the layout's manifests tagged @Platforms keys
    (tag = 'os/arch[/variant]'). skopeo copy --all oci:LAYOUT:TAG pushes it as a multi-platform image.
#>
function New-TestOciIndex {
    param(
        [Parameter(Mandatory)][string]$Layout,
        [Parameter(Mandatory)][string]$Tag,
        [Parameter(Mandatory)][hashtable]$Platforms
    )
    $indexPath = Join-Path $Layout 'index.json'
    $layoutIndex = Get-Content -Raw -LiteralPath $indexPath | ConvertFrom-Json
    # Sorted by tag, so the index lists the platforms in a known order.
    $entries = foreach ($imageTag in ($Platforms.Keys | Sort-Object)) {
        $manifest = $layoutIndex.manifests | Where-Object { $_.annotations.'org.opencontainers.image.ref.name' -eq $imageTag }
        if (-not $manifest) { throw "No manifest tagged $imageTag in $Layout." }
        $parts = $Platforms[$imageTag].Split('/')
        $platform = [ordered]@{ architecture = $parts[1]; os = $parts[0] }
        if ($parts.Count -gt 2) { $platform.variant = $parts[2] }
        [ordered]@{ mediaType = $manifest.mediaType; digest = $manifest.digest; size = $manifest.size; platform = $platform }
    }
    $json = [ordered]@{ schemaVersion = 2; mediaType = 'application/vnd.oci.image.index.v1+json'; manifests = @($entries) } | ConvertTo-Json -Depth 10 -Compress
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($json)
    $hex = [Convert]::ToHexStringLower([System.Security.Cryptography.SHA256]::HashData($bytes))
    [System.IO.File]::WriteAllBytes((Join-Path $Layout "blobs/sha256/$hex"), $bytes)
    $layoutIndex.manifests += [pscustomobject]@{
        mediaType   = 'application/vnd.oci.image.index.v1+json'
        digest      = "sha256:$hex"
        size        = $bytes.Length
        annotations = @{ 'org.opencontainers.image.ref.name' = $Tag }
    }
    Set-Content -LiteralPath $indexPath -Value ($layoutIndex | ConvertTo-Json -Depth 10 -Compress) -NoNewline
    "sha256:$hex"
}

# skopeo with the test's own policy (accept anything) and auth file, no TLS to 127.0.0.1.
function Invoke-TestSkopeo {
    param(
        [Parameter(Position = 0, ValueFromRemainingArguments)][string[]]$ArgumentList,
        [int]$TimeoutSeconds = 120
    )
    $policy = Join-Path ([System.IO.Path]::GetTempPath()) 'psc-test-skopeo-policy.json'
    if (-not (Test-Path -LiteralPath $policy)) {
        Set-Content -LiteralPath $policy -Value '{"default":[{"type":"insecureAcceptAnything"}]}'
    }
    Invoke-Native skopeo @(@('--policy', $policy) + $ArgumentList) -TimeoutSeconds $TimeoutSeconds
}

Export-ModuleMember -Function *-*
