# Compares two built images the way a user would see them: the image config (what a container starts with) and
# the flattened root filesystem (every layer applied in order, whiteouts and opaque directories honoured).
# The build corpus (BuildCorpus.Tests.ps1) uses it to hold Build-ContainerImage to podman build; the benchmark
# uses it to check both contenders built the same image.
#
# Inputs are what the two sides export: an OCI image layout (a directory), an oci-archive tar, or a
# docker-archive tar (podman saves docker-format configs that way: its OCI conversion drops Healthcheck,
# OnBuild and Shell, which are Docker extensions).
#
# What podman adds on its own and the harness names as peer artefacts (docs/builds.md, "Differences from
# docker build", lists them too):
#   label      io.buildah.version                         the buildah version that built the image
#   history    comment "FROM <id>" on every entry          its intermediate image ids; comments are not compared
#   filesystem etc/hostname, etc/hosts, etc/resolv.conf    empty mode-0700 files that buildah creates as RUN mount
#                                                          points when the image lacks them
#   filesystem run (an empty directory)                    made for /run/.containerenv when the image lacks /run
#   history    file:/dir:/multi: digests in COPY/ADD       buildah's own content digest (a bare one for an ADD of a
#              and bare digests of ADD URL                 URL, different on every run); the digest is replaced
#              created_by                                  by <digest> on both sides before comparing

Set-StrictMode -Version Latest

Add-Type -AssemblyName System.Formats.Tar

$script:PeerArtefactLabels = @('io.buildah.version')
$script:PeerMountPointFiles = @('etc/hostname', 'etc/hosts', 'etc/resolv.conf')
$script:ConfigFields = @('Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels',
    'StopSignal', 'Healthcheck', 'OnBuild', 'Shell')

# A JSON property of a parsed object, or $null when it is absent (StrictMode forbids reading missing ones).
function Get-JsonProperty($Object, [string]$Name) {
    if ($null -eq $Object) { return $null }
    $property = $Object.PSObject.Properties[$Name]
    if ($property) { $property.Value } else { $null }
}

# One canonical text for a JSON value: keys sorted, no whitespace; absent, null, "", [] and {} are all '<none>'
# (a container starts the same from each: docker and podman write "" where others leave the field out).
function ConvertTo-CanonicalJson($Value) {
    if ($null -eq $Value -or ($Value -is [string] -and $Value -eq '')) { return '<none>' }
    $canonical = ConvertTo-CanonicalValue $Value
    if ($null -eq $canonical) { return '<none>' }
    if ($canonical -is [System.Collections.IDictionary] -and $canonical.Count -eq 0) { return '<none>' }
    if ($canonical -is [System.Collections.IList] -and $canonical.Count -eq 0) { return '<none>' }
    ConvertTo-Json -InputObject $canonical -Depth 20 -Compress
}

function ConvertTo-CanonicalValue($Value) {
    if ($null -eq $Value) { return $null }
    if ($Value -is [string] -or $Value -is [ValueType]) { return $Value }
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $sorted = [ordered]@{}
        foreach ($name in @($Value.PSObject.Properties | ForEach-Object Name | Sort-Object -CaseSensitive)) {
            $sorted[$name] = ConvertTo-CanonicalValue $Value.$name
        }
        return $sorted
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $sorted = [ordered]@{}
        foreach ($name in @($Value.Keys | Sort-Object -CaseSensitive)) {
            $sorted[$name] = ConvertTo-CanonicalValue $Value[$name]
        }
        return $sorted
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        return , @(foreach ($item in $Value) { ConvertTo-CanonicalValue $item })
    }
    $Value
}

# Opens a layer blob whatever its compression: gzip, zstd (through the zstd tool), bzip2/xz refused, plain tar.
function Open-LayerStream([string]$Path) {
    $file = [System.IO.File]::OpenRead($Path)
    $magic = [byte[]]::new(4)
    $read = $file.Read($magic, 0, 4)
    $file.Position = 0
    if ($read -ge 2 -and $magic[0] -eq 0x1f -and $magic[1] -eq 0x8b) {
        return [System.IO.Compression.GZipStream]::new($file, [System.IO.Compression.CompressionMode]::Decompress)
    }
    if ($read -eq 4 -and $magic[0] -eq 0x28 -and $magic[1] -eq 0xb5 -and $magic[2] -eq 0x2f -and $magic[3] -eq 0xfd) {
        $file.Dispose()
        $plain = [System.IO.Path]::GetTempFileName()
        & zstd -q -d -f -o $plain $Path
        if ($LASTEXITCODE -ne 0) { throw "zstd could not decompress the layer $Path." }
        return [System.IO.FileStream]::new($plain, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read,
            [System.IO.FileShare]::None, 65536, [System.IO.FileOptions]::DeleteOnClose)
    }
    $file
}

<#
.SYNOPSIS
    Reads an image from an OCI layout directory, an oci-archive or a docker-archive: its config and its layer files.
.DESCRIPTION
    Archives are unpacked into a temporary directory that the returned object names (Remove-ImageArchive
    deletes it). Reference picks one image of several by its ref.name annotation or RepoTag; with one image it
    is optional.
#>
function Read-ImageArchive {
    param(
        [Parameter(Mandatory)][string]$Path,
        [string]$Reference
    )
    $temporary = $null
    $root = $Path
    if (-not (Test-Path -LiteralPath $Path -PathType Container)) {
        $temporary = Join-Path ([System.IO.Path]::GetTempPath()) ('psc-compare-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $temporary | Out-Null
        [System.Formats.Tar.TarFile]::ExtractToDirectory($Path, $temporary, $false)
        $root = $temporary
    }
    try {
        $layers = [System.Collections.Generic.List[string]]::new()
        $indexPath = Join-Path $root 'index.json'
        $dockerManifestPath = Join-Path $root 'manifest.json'
        if (Test-Path -LiteralPath $indexPath) {
            $index = Get-Content -LiteralPath $indexPath -Raw | ConvertFrom-Json
            $descriptors = @($index.manifests)
            if ($Reference) {
                $descriptors = @($descriptors | Where-Object {
                        $name = Get-JsonProperty (Get-JsonProperty $_ 'annotations') 'org.opencontainers.image.ref.name'
                        $name -eq $Reference -or ($name -and $Reference.EndsWith(":$name"))
                    })
            }
            if ($descriptors.Count -ne 1) { throw "$Path holds $($descriptors.Count) images matching '$Reference', not one." }
            $blob = { param($digest) Join-Path $root ('blobs/' + $digest.Replace(':', '/')) }
            $manifest = Get-Content -LiteralPath (& $blob $descriptors[0].digest) -Raw | ConvertFrom-Json
            if ((Get-JsonProperty $manifest 'manifests')) {
                # An index inside the index (a multi-platform image): take the linux/amd64 one.
                $inner = @($manifest.manifests | Where-Object { (Get-JsonProperty (Get-JsonProperty $_ 'platform') 'architecture') -in @($null, 'amd64') })[0]
                $manifest = Get-Content -LiteralPath (& $blob $inner.digest) -Raw | ConvertFrom-Json
            }
            $configText = Get-Content -LiteralPath (& $blob $manifest.config.digest) -Raw
            foreach ($layer in $manifest.layers) { $layers.Add((& $blob $layer.digest)) }
        } elseif (Test-Path -LiteralPath $dockerManifestPath) {
            $entries = @(Get-Content -LiteralPath $dockerManifestPath -Raw | ConvertFrom-Json)
            if ($Reference) {
                $entries = @($entries | Where-Object { @(Get-JsonProperty $_ 'RepoTags') -contains $Reference })
            }
            if ($entries.Count -ne 1) { throw "$Path holds $($entries.Count) images matching '$Reference', not one." }
            $configText = Get-Content -LiteralPath (Join-Path $root $entries[0].Config) -Raw
            foreach ($layer in $entries[0].Layers) { $layers.Add((Join-Path $root $layer)) }
        } else {
            throw "$Path is neither an OCI layout (index.json) nor a docker-archive (manifest.json)."
        }
        [pscustomobject]@{
            PSTypeName = 'PSContainers.Tests.ImageArchive'
            Source     = $Path
            Config     = $configText | ConvertFrom-Json
            Layers     = $layers.ToArray()
            Temporary  = $temporary
        }
    } catch {
        if ($temporary) { Remove-Item -LiteralPath $temporary -Recurse -Force -ErrorAction Ignore }
        throw
    }
}

function Remove-ImageArchive {
    param([AllowNull()]$Image)
    if ($Image -and $Image.Temporary) { Remove-Item -LiteralPath $Image.Temporary -Recurse -Force -ErrorAction Ignore }
}

function ConvertTo-LayerPath([string]$Name) {
    $path = $Name
    while ($path.StartsWith('./')) { $path = $path.Substring(2) }
    $path = $path.Trim('/')
    if ($path -eq '.') { $path = '' }
    $path
}

function Get-EntryKind([System.Formats.Tar.TarEntryType]$Type) {
    switch ($Type) {
        { $_ -in 'RegularFile', 'V7RegularFile', 'ContiguousFile' } { return 'file' }
        'Directory' { return 'dir' }
        'SymbolicLink' { return 'symlink' }
        'HardLink' { return 'hardlink' }
        'CharacterDevice' { return 'char' }
        'BlockDevice' { return 'block' }
        'Fifo' { return 'fifo' }
        default { return "other:$Type" }
    }
}

<#
.SYNOPSIS
    The flattened root filesystem of an image: path -> node (Type, Mode, Uid, Gid, Size, Sha256, LinkTarget, Inode).
.DESCRIPTION
    Layers are applied in order. A layer's whiteouts apply to the layers below it only (the OCI rule), so each
    layer's deletions happen before its additions: '.wh.NAME' removes NAME and all below it, '.wh..wh..opq'
    removes everything below its directory. A hard link shares its target's node (the Inode number), so a
    later change to one path replaces that path's node and leaves the other alone, as overlay's copy-up does.
    Mode is the octal permission bits including setuid, setgid and sticky.
#>
function Get-FlattenedFilesystem {
    param([Parameter(Mandatory)][string[]]$Layers)
    $tree = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::Ordinal)
    $nextInode = 0
    foreach ($layerPath in $Layers) {
        $entries = [System.Collections.Generic.List[object]]::new()
        $stream = Open-LayerStream $layerPath
        try {
            $reader = [System.Formats.Tar.TarReader]::new($stream, $false)
            $sha = [System.Security.Cryptography.SHA256]::Create()
            try {
                while ($null -ne ($entry = $reader.GetNextEntry($false))) {
                    if ($entry.EntryType -in 'GlobalExtendedAttributes', 'ExtendedAttributes') { continue }
                    $hash = $null
                    $size = 0L
                    if ($null -ne $entry.DataStream) {
                        $hash = [System.Convert]::ToHexString($sha.ComputeHash($entry.DataStream)).ToLowerInvariant()
                        $size = $entry.Length
                    } elseif ((Get-EntryKind $entry.EntryType) -eq 'file') {
                        $hash = [System.Convert]::ToHexString($sha.ComputeHash([byte[]]@())).ToLowerInvariant()
                    }
                    $isDevice = $entry.EntryType -eq 'CharacterDevice' -or $entry.EntryType -eq 'BlockDevice'
                    $entries.Add([pscustomobject]@{
                            Path       = ConvertTo-LayerPath $entry.Name
                            Kind       = Get-EntryKind $entry.EntryType
                            Mode       = [System.Convert]::ToString([int]$entry.Mode -band 0xFFF, 8).PadLeft(4, '0')
                            Uid        = $entry.Uid
                            Gid        = $entry.Gid
                            Size       = $size
                            Sha256     = $hash
                            LinkTarget = $entry.LinkName
                            Device     = if ($isDevice) { "$($entry.DeviceMajor):$($entry.DeviceMinor)" } else { $null }
                        })
                }
            } finally {
                $sha.Dispose()
                $reader.Dispose()
            }
        } finally {
            $stream.Dispose()
        }

        # Deletions first: they only see what the layers below put there.
        foreach ($entry in $entries) {
            $name = $entry.Path.Substring($entry.Path.LastIndexOf('/') + 1)
            if (-not $name.StartsWith('.wh.')) { continue }
            $parent = if ($entry.Path.Contains('/')) { $entry.Path.Substring(0, $entry.Path.LastIndexOf('/')) } else { '' }
            $prefix = if ($parent) { "$parent/" } else { '' }
            if ($name -eq '.wh..wh..opq') {
                foreach ($key in @($tree.Keys)) {
                    if ($key.StartsWith($prefix) -and $key -ne $parent) { [void]$tree.Remove($key) }
                }
            } else {
                $target = $prefix + $name.Substring(4)
                foreach ($key in @($tree.Keys)) {
                    if ($key -eq $target -or $key.StartsWith("$target/")) { [void]$tree.Remove($key) }
                }
            }
        }
        foreach ($entry in $entries) {
            if ($entry.Path -eq '' -or $entry.Path.Substring($entry.Path.LastIndexOf('/') + 1).StartsWith('.wh.')) { continue }
            if ($entry.Kind -eq 'hardlink') {
                $target = ConvertTo-LayerPath $entry.LinkTarget
                if (-not $tree.ContainsKey($target)) { throw "$layerPath links $($entry.Path) to $target, which no layer holds." }
                $tree[$entry.Path] = $tree[$target]
                continue
            }
            $existing = $null
            if ($entry.Kind -eq 'dir' -and $tree.TryGetValue($entry.Path, [ref]$existing) -and $existing.Type -ne 'dir') {
                [void]$tree.Remove($entry.Path)
            } elseif ($entry.Kind -ne 'dir') {
                # A non-directory replaces whatever was there, a directory's contents included.
                foreach ($key in @($tree.Keys)) {
                    if ($key.StartsWith("$($entry.Path)/")) { [void]$tree.Remove($key) }
                }
            }
            $tree[$entry.Path] = [pscustomobject]@{
                Type       = $entry.Kind
                Mode       = $entry.Mode
                Uid        = $entry.Uid
                Gid        = $entry.Gid
                Size       = if ($entry.Kind -eq 'file') { $entry.Size } else { $null }
                Sha256     = $entry.Sha256
                LinkTarget = if ($entry.Kind -eq 'symlink') { $entry.LinkTarget } else { $null }
                Device     = $entry.Device
                Inode      = ++$nextInode
            }
        }
    }
    $tree
}

# Each path's hard-link group as text ('a, b, c' for paths that share a node), or $null when it has one name.
function Get-HardlinkGroup($Tree) {
    $byInode = @{}
    foreach ($pair in $Tree.GetEnumerator()) {
        if ($pair.Value.Type -ne 'file') { continue }
        if (-not $byInode.ContainsKey($pair.Value.Inode)) { $byInode[$pair.Value.Inode] = [System.Collections.Generic.List[string]]::new() }
        $byInode[$pair.Value.Inode].Add($pair.Key)
    }
    $groups = @{}
    foreach ($paths in $byInode.Values) {
        if ($paths.Count -lt 2) { continue }
        $text = (@($paths | Sort-Object -CaseSensitive) -join ', ')
        foreach ($path in $paths) { $groups[$path] = $text }
    }
    $groups
}

function Remove-PeerArtefactLabel($Labels) {
    if ($null -eq $Labels) { return $null }
    $copy = [ordered]@{}
    foreach ($property in $Labels.PSObject.Properties) {
        if ($property.Name -notin $script:PeerArtefactLabels) { $copy[$property.Name] = $property.Value }
    }
    $copy
}

function New-Difference([string]$Area, [string]$Item, $Peer, $Ours) {
    [pscustomobject]@{
        PSTypeName = 'PSContainers.Tests.ImageDifference'
        Area       = $Area
        Item       = $Item
        Peer       = $Peer
        Ours       = $Ours
        Deliberate = $null
    }
}

# created_by with the parts that are the builder's own: buildah's content digests in COPY/ADD.
function Get-ComparableCreatedBy([AllowNull()][string]$Text) {
    if ($null -eq $Text) { return '' }
    # An ADD of a URL names the download by a digest of buildah's own that changes from run to run.
    ($Text -replace '\b((?:file|dir|multi):)?[0-9a-f]{64}\b', '$1<digest>').TrimEnd()
}

<#
.SYNOPSIS
    The differences between the peer's image and ours: config, history and flattened filesystem.
.DESCRIPTION
    Each difference is an object with Area (config, history, filesystem), Item (the field or the path, and for
    the filesystem the attribute: 'etc/passwd sha256'), Peer and Ours. Peer artefacts (see the module header)
    are left out. Format-ImageDifference prints them as a readable report.
#>
function Compare-BuiltImage {
    param(
        [Parameter(Mandatory)]$Peer,
        [Parameter(Mandatory)]$Ours
    )
    $differences = [System.Collections.Generic.List[object]]::new()

    $peerConfig = Get-JsonProperty $Peer.Config 'config'
    $ourConfig = Get-JsonProperty $Ours.Config 'config'
    foreach ($field in $script:ConfigFields) {
        $peerValue = Get-JsonProperty $peerConfig $field
        $ourValue = Get-JsonProperty $ourConfig $field
        if ($field -eq 'Labels') {
            # On both sides: the harness also compares podman with podman.
            $peerValue = Remove-PeerArtefactLabel $peerValue
            $ourValue = Remove-PeerArtefactLabel $ourValue
        }
        $peerText = ConvertTo-CanonicalJson $peerValue
        $ourText = ConvertTo-CanonicalJson $ourValue
        if ($peerText -cne $ourText) { $differences.Add((New-Difference 'config' $field $peerText $ourText)) }
    }
    foreach ($field in 'architecture', 'os', 'author') {
        $peerText = ConvertTo-CanonicalJson (Get-JsonProperty $Peer.Config $field)
        $ourText = ConvertTo-CanonicalJson (Get-JsonProperty $Ours.Config $field)
        if ($peerText -cne $ourText) { $differences.Add((New-Difference 'config' $field $peerText $ourText)) }
    }
    $peerLayerCount = @($Peer.Layers).Count
    $ourLayerCount = @($Ours.Layers).Count
    if ($peerLayerCount -ne $ourLayerCount) { $differences.Add((New-Difference 'config' 'layer count' $peerLayerCount $ourLayerCount)) }

    $peerHistory = @(Get-JsonProperty $Peer.Config 'history')
    $ourHistory = @(Get-JsonProperty $Ours.Config 'history')
    $count = [math]::Max($peerHistory.Count, $ourHistory.Count)
    for ($i = 0; $i -lt $count; $i++) {
        $peerEntry = if ($i -lt $peerHistory.Count) { $peerHistory[$i] } else { $null }
        $ourEntry = if ($i -lt $ourHistory.Count) { $ourHistory[$i] } else { $null }
        if ($null -eq $peerEntry -or $null -eq $ourEntry) {
            $differences.Add((New-Difference 'history' "[$i]" (Get-ComparableCreatedBy (Get-JsonProperty $peerEntry 'created_by')) (Get-ComparableCreatedBy (Get-JsonProperty $ourEntry 'created_by'))))
            continue
        }
        $peerText = Get-ComparableCreatedBy (Get-JsonProperty $peerEntry 'created_by')
        $ourText = Get-ComparableCreatedBy (Get-JsonProperty $ourEntry 'created_by')
        if ($peerText -cne $ourText) { $differences.Add((New-Difference 'history' "[$i] created_by" $peerText $ourText)) }
        $peerEmpty = [bool](Get-JsonProperty $peerEntry 'empty_layer')
        $ourEmpty = [bool](Get-JsonProperty $ourEntry 'empty_layer')
        if ($peerEmpty -ne $ourEmpty) { $differences.Add((New-Difference 'history' "[$i] empty_layer ($peerText)" $peerEmpty $ourEmpty)) }
    }

    $peerTree = Get-FlattenedFilesystem -Layers $Peer.Layers
    $ourTree = Get-FlattenedFilesystem -Layers $Ours.Layers
    foreach ($path in $script:PeerMountPointFiles) {
        $node = $null
        if (-not $ourTree.ContainsKey($path) -and $peerTree.TryGetValue($path, [ref]$node) -and
            $node.Type -eq 'file' -and $node.Size -eq 0 -and $node.Mode -eq '0700') {
            [void]$peerTree.Remove($path)
        }
    }
    if (-not $ourTree.ContainsKey('run') -and $peerTree.ContainsKey('run') -and $peerTree['run'].Type -eq 'dir' -and
        -not @($peerTree.Keys | Where-Object { $_.StartsWith('run/') })) {
        [void]$peerTree.Remove('run')
    }
    $peerGroups = Get-HardlinkGroup $peerTree
    $ourGroups = Get-HardlinkGroup $ourTree
    $paths = [System.Collections.Generic.SortedSet[string]]::new([System.StringComparer]::Ordinal)
    foreach ($key in $peerTree.Keys) { [void]$paths.Add($key) }
    foreach ($key in $ourTree.Keys) { [void]$paths.Add($key) }
    foreach ($path in $paths) {
        $peerNode = $null
        $ourNode = $null
        $inPeer = $peerTree.TryGetValue($path, [ref]$peerNode)
        $inOurs = $ourTree.TryGetValue($path, [ref]$ourNode)
        if (-not $inPeer -or -not $inOurs) {
            $describe = { param($n) if ($n) { "$($n.Type) $($n.Mode) $($n.Uid):$($n.Gid)" } else { '<absent>' } }
            $differences.Add((New-Difference 'filesystem' "/$path" (& $describe $peerNode) (& $describe $ourNode)))
            continue
        }
        foreach ($attribute in 'Type', 'Mode', 'Uid', 'Gid', 'Size', 'Sha256', 'LinkTarget', 'Device') {
            if ("$($peerNode.$attribute)" -cne "$($ourNode.$attribute)") {
                $differences.Add((New-Difference 'filesystem' "/$path $($attribute.ToLowerInvariant())" $peerNode.$attribute $ourNode.$attribute))
            }
        }
        if ("$($peerGroups[$path])" -cne "$($ourGroups[$path])") {
            $differences.Add((New-Difference 'filesystem' "/$path hardlinks" $peerGroups[$path] $ourGroups[$path]))
        }
    }
    $differences.ToArray()
}

<#
.SYNOPSIS
    Marks the differences a case names as deliberate. Each expectation: @{ area; item (a wildcard); id; reason }.
.DESCRIPTION
    Returns the expectations that matched nothing (stale ones) so a caller can report them.
#>
function Set-DeliberateDifference {
    param(
        [AllowEmptyCollection()][object[]]$Difference = @(),
        [AllowEmptyCollection()][object[]]$Expectation = @()
    )
    $unused = [System.Collections.Generic.List[object]]::new()
    foreach ($expected in $Expectation) {
        $matched = $false
        foreach ($candidate in $Difference) {
            if ($candidate.Area -eq $expected.area -and $candidate.Item -like $expected.item) {
                $candidate.Deliberate = $expected.id
                $matched = $true
            }
        }
        if (-not $matched) { $unused.Add($expected) }
    }
    $unused.ToArray()
}

# A readable report: one line per difference, the peer's value and ours, deliberate ones marked with their id.
function Format-ImageDifference {
    param([AllowEmptyCollection()][object[]]$Difference = @(), [string]$Title = 'differences')
    if (-not $Difference -or $Difference.Count -eq 0) { return "${Title}: none" }
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("${Title}: $($Difference.Count)")
    foreach ($d in $Difference) {
        $mark = if ($d.Deliberate) { " [deliberate: $($d.Deliberate)]" } else { '' }
        $lines.Add("  $($d.Area) $($d.Item)$mark")
        $lines.Add("      podman: $($d.Peer)")
        $lines.Add("      ours:   $($d.Ours)")
    }
    $lines -join "`n"
}

Export-ModuleMember -Function Read-ImageArchive, Remove-ImageArchive, Get-FlattenedFilesystem, Compare-BuiltImage,
    Set-DeliberateDifference, Format-ImageDifference, ConvertTo-CanonicalJson
