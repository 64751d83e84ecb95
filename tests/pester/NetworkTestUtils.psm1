# Helpers of the network suites: what a container network leaves on the host (addresses, veths, namespaces,
# iptables rules), so a test can prove that nothing is left once its containers are gone.

Set-StrictMode -Version Latest

# host-local's address files under the engine's root: one file per address in use (not its lock and cursor files).
function Get-TestNetworkAddress {
    param([Parameter(Mandatory)][string]$Root)
    $ipam = Join-Path $Root 'cni/ipam'
    if (-not (Test-Path -LiteralPath $ipam)) { return @() }
    @(Get-ChildItem -LiteralPath $ipam -Recurse -File | Where-Object { $_.Name -match '^\d+\.\d+\.\d+\.\d+$' } | ForEach-Object Name)
}

# The ports (veths) attached to the engine's bridges.
function Get-TestBridgePort {
    param([Parameter(Mandatory)][string]$Root)
    foreach ($record in Get-ChildItem -Path (Join-Path $Root 'networks/*.json') -ErrorAction Ignore) {
        $bridge = (Get-Content -Raw -LiteralPath $record.FullName | ConvertFrom-Json).Bridge
        Get-ChildItem -Path "/sys/class/net/$bridge/brif" -ErrorAction Ignore | ForEach-Object Name
    }
}

# iptables rules (filter and nat) without counters, sorted, for a before/after comparison.
function Get-TestIptablesRule {
    $result = Invoke-Native iptables-save -TimeoutSeconds 30
    @($result.StdOut -split "`n" | Where-Object { $_ -match '^-A ' } | Sort-Object)
}

# Network namespace files the engine keeps under the run root.
function Get-TestNetnsFile {
    param([Parameter(Mandatory)][string]$RunRoot)
    @(Get-ChildItem -Path (Join-Path $RunRoot 'netns') -File -ErrorAction Ignore | ForEach-Object Name)
}

# CNI cache entries (one per attached network of a running container).
function Get-TestCniCacheEntry {
    param([Parameter(Mandatory)][string]$Root)
    @(Get-ChildItem -Path (Join-Path $Root 'cni/cache') -File -ErrorAction Ignore | ForEach-Object Name)
}

# A free TCP port on 127.0.0.1, chosen by the kernel.
function Get-TestFreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# The address of the host that serves Debian packages to this machine (its apt sources), for the one outside test.
function Get-TestAptMirrorHost {
    $text = @(Get-ChildItem -Path '/etc/apt/sources.list', '/etc/apt/sources.list.d/*.sources', '/etc/apt/sources.list.d/*.list' -ErrorAction Ignore |
        ForEach-Object { Get-Content -Raw -LiteralPath $_.FullName }) -join "`n"
    if ($text -match '(?m)^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)https?://([^/\s:]+)') { return $Matches[1] }
    $null
}

# The engine's network rules for one storage root (its PSC-FWD/PSC-NAT chains, found by the jumps' comment),
# with the chains' names shortened to PSC-FWD and PSC-NAT so runs compare: filter and nat, in order.
function Get-TestEngineRule {
    param([Parameter(Mandatory)][string]$Root)
    foreach ($table in 'filter', 'nat') {
        $lines = (Invoke-Native -FilePath iptables-save -ArgumentList @("--table=$table") -TimeoutSeconds 30).StdOut -split "`n"
        $chains = @($lines | Where-Object { $_ -match '^-A (FORWARD|POSTROUTING) .*--comment "pscontainers (.+)" -j (PSC-(FWD|NAT)-[0-9A-F]{10})$' -and $Matches[2] -eq $Root } |
            ForEach-Object { $null = $_ -match '-j (PSC-(FWD|NAT)-[0-9A-F]{10})$'; $Matches[1] })
        foreach ($chain in $chains) {
            "jump to $($chain.Substring(0, 7))"
            $lines | Where-Object { $_.StartsWith("-A $chain ") } | ForEach-Object { $_ -replace [regex]::Escape($chain), $chain.Substring(0, 7) }
        }
    }
}

