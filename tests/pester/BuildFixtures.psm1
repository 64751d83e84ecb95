# Base images for the build tests and the build benchmark: a busybox image with users, groups and the files a
# RUN container expects (made fresh, small), and a Debian bookworm minbase root filesystem made by debootstrap
# from this machine's apt mirror (slow to make, so cached outside the checkout and shared by runs).

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1')

$script:CorpusBaseName = 'localhost/psc-corpus-busybox:1'

function Get-CorpusBaseImageName { $script:CorpusBaseName }

<#
.SYNOPSIS
    The corpus's busybox base as an oci-archive named localhost/psc-corpus-busybox:1; returns the archive path.
.DESCRIPTION
    Busybox plus the users the corpus names (bob 1000 with group staff, alice 1001, nobody), their home
    directories, /etc/hosts, /etc/resolv.conf, /etc/hostname and /run. With those present neither builder has
    to create RUN mount points, so what a RUN leaves in a layer is what its command did. Both sides import this
    same archive, so the base layer and its history are byte-identical on both.
#>
function New-CorpusBaseArchive {
    param([Parameter(Mandatory)][string]$Work)
    $layout = Join-Path $Work 'corpus-base-layout'
    $scratch = Join-Path $Work 'corpus-base-scratch'
    $archive = Join-Path $Work 'corpus-base.tar'
    try {
        Invoke-Native umoci init --layout $layout | Assert-NativeSuccess | Out-Null
        Invoke-Native umoci new --image "${layout}:1" | Assert-NativeSuccess | Out-Null
        Invoke-Native umoci unpack --image "${layout}:1" $scratch | Assert-NativeSuccess | Out-Null
        $rootfs = Join-Path $scratch 'rootfs'
        New-TestBusyboxRootfs -Path $rootfs -Hostname 'corpus' | Out-Null
        Set-Content -LiteralPath (Join-Path $rootfs 'etc/passwd') -Value @(
            'root:x:0:0:root:/root:/bin/sh'
            'bob:x:1000:1000:Bob:/home/bob:/bin/sh'
            'alice:x:1001:1001:Alice:/home/alice:/bin/sh'
            'nobody:x:65534:65534:nobody:/nonexistent:/bin/false')
        Set-Content -LiteralPath (Join-Path $rootfs 'etc/group') -Value @(
            'root:x:0:', 'staff:x:50:bob', 'bob:x:1000:', 'alice:x:1001:', 'nogroup:x:65534:')
        Set-Content -LiteralPath (Join-Path $rootfs 'etc/hosts') -Value '127.0.0.1 localhost'
        Set-Content -LiteralPath (Join-Path $rootfs 'etc/motd') -Value 'corpus base image'
        Set-Content -LiteralPath (Join-Path $rootfs 'etc/resolv.conf') -Value 'nameserver 127.0.0.1'
        foreach ($dir in 'run', 'home/bob', 'home/alice', 'var/cache') {
            New-Item -ItemType Directory -Force -Path (Join-Path $rootfs $dir) | Out-Null
        }
        Invoke-Native chown 1000:1000 (Join-Path $rootfs 'home/bob') | Assert-NativeSuccess | Out-Null
        Invoke-Native chown 1001:1001 (Join-Path $rootfs 'home/alice') | Assert-NativeSuccess | Out-Null
        Invoke-Native chmod 0700 (Join-Path $rootfs 'home/alice') | Assert-NativeSuccess | Out-Null
        Invoke-Native chmod 1777 (Join-Path $rootfs 'tmp') | Assert-NativeSuccess | Out-Null
        Invoke-Native umoci repack --image "${layout}:1" $scratch | Assert-NativeSuccess | Out-Null
        Invoke-Native umoci config --image "${layout}:1" --config.env 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --config.cmd sh |
            Assert-NativeSuccess | Out-Null
        Invoke-Native skopeo copy "oci:${layout}:1" "oci-archive:${archive}:$script:CorpusBaseName" | Assert-NativeSuccess | Out-Null
    } finally {
        Remove-TestDirectory -Path $scratch
        Remove-TestDirectory -Path $layout
    }
    $archive
}

# The first URI of this machine's Debian apt sources (deb822 .sources files or the one-line sources.list).
function Get-AptMirror {
    $files = @(Get-ChildItem -Path '/etc/apt/sources.list.d/*.sources' -ErrorAction Ignore) + @(Get-Item '/etc/apt/sources.list' -ErrorAction Ignore)
    foreach ($file in $files) {
        $text = [System.IO.File]::ReadAllText($file.FullName)
        # The Debian archive itself, not a security or third-party source.
        foreach ($match in [regex]::Matches($text, '(?m)^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)')) {
            $uri = $match.Groups[1].Value.TrimEnd('/')
            if ($uri -match '/debian$') { return $uri }
        }
    }
    throw 'No Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list.'
}

<#
.SYNOPSIS
    A Debian bookworm minbase root filesystem as a tar, made once per mirror and month and cached outside the checkout.
.DESCRIPTION
    debootstrap --variant=minbase bookworm from the machine's mirror (about 40 s to 2 min), then trimmed: no
    .debs, apt lists or *.bin caches (apt-get update in a build fetches fresh lists). The tar goes to CacheDir
    under a name that holds the mirror and the month, written to a temporary name and renamed, so a run that
    is killed leaves no half tar that a later run would take. Returns the tar's path.
#>
function Get-DebianBaseTarball {
    param([string]$CacheDir = '/var/cache/pscontainers-tests')
    $mirror = Get-AptMirror
    $mirrorKey = ([uri]$mirror).Host -replace '[^A-Za-z0-9.-]', '_'
    $tarball = Join-Path $CacheDir ("bookworm-minbase-{0}-{1}.tar" -f $mirrorKey, [DateTime]::UtcNow.ToString('yyyy-MM'))
    if (Test-Path -LiteralPath $tarball) { return $tarball }

    New-Item -ItemType Directory -Force -Path $CacheDir | Out-Null
    $rootfs = New-TestDirectory -Name 'debootstrap'
    $partial = "$tarball.partial-$PID"
    try {
        $result = Invoke-Native debootstrap '--variant=minbase' bookworm $rootfs $mirror -TimeoutSeconds 900
        if ($result.ExitCode -ne 0) {
            throw "debootstrap from $mirror failed ($($result.ExitCode)): $($result.StdErr)$(($result.StdOut -split "`n" | Select-Object -Last 20) -join "`n")"
        }
        Remove-Item -Path (Join-Path $rootfs 'var/cache/apt/archives/*.deb'), (Join-Path $rootfs 'var/cache/apt/*.bin') -Force -ErrorAction Ignore
        Get-ChildItem -LiteralPath (Join-Path $rootfs 'var/lib/apt/lists') -File -ErrorAction Ignore |
            Where-Object Name -NE 'lock' | Remove-Item -Force
        Invoke-Native tar '--numeric-owner' '--xattrs' '-C' $rootfs '-cf' $partial '.' -TimeoutSeconds 300 | Assert-NativeSuccess | Out-Null
        Move-Item -LiteralPath $partial -Destination $tarball -Force
    } finally {
        Remove-Item -LiteralPath $partial -Force -ErrorAction Ignore
        Remove-TestDirectory -Path $rootfs
    }
    $tarball
}

Export-ModuleMember -Function Get-CorpusBaseImageName, New-CorpusBaseArchive, Get-AptMirror, Get-DebianBaseTarball
