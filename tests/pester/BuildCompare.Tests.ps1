# Proves the comparison harness (BuildCompare.psm1) before it judges anyone: layer tars written here flatten
# as the OCI rules say; two podman builds of one Dockerfile compare equal; a changed Dockerfile shows each of
# its changes, and only those, in a readable report.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'BuildCompare.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'BuildFixtures.psm1') -Force
    $script:work = New-TestDirectory -Name bcmp

    # A layer tar from entries: @{ Name; Type (file, dir, symlink, hardlink); Mode; Uid; Gid; Text; Link }.
    function script:New-LayerTar([string]$Path, [object[]]$Entries) {
        $stream = [System.IO.File]::Create($Path)
        $writer = [System.Formats.Tar.TarWriter]::new($stream, [System.Formats.Tar.TarEntryFormat]::Pax, $false)
        try {
            foreach ($e in $Entries) {
                $type = switch ($e['Type']) {
                    'dir' { [System.Formats.Tar.TarEntryType]::Directory }
                    'symlink' { [System.Formats.Tar.TarEntryType]::SymbolicLink }
                    'hardlink' { [System.Formats.Tar.TarEntryType]::HardLink }
                    default { [System.Formats.Tar.TarEntryType]::RegularFile }
                }
                $entry = [System.Formats.Tar.PaxTarEntry]::new($type, $e.Name)
                $entry.Mode = [System.IO.UnixFileMode]$(if ($e.ContainsKey('Mode')) { $e.Mode } elseif ($e['Type'] -eq 'dir') { 493 } else { 420 })
                if ($e.ContainsKey('Uid')) { $entry.Uid = $e.Uid }
                if ($e.ContainsKey('Gid')) { $entry.Gid = $e.Gid }
                if ($e.ContainsKey('Link')) { $entry.LinkName = $e.Link }
                if ($e.ContainsKey('Text')) { $entry.DataStream = [System.IO.MemoryStream]::new([System.Text.Encoding]::UTF8.GetBytes($e.Text)) }
                $writer.WriteEntry($entry)
            }
        } finally {
            $writer.Dispose()
            $stream.Dispose()
        }
        $Path
    }
}

AfterAll {
    Remove-TestDirectory -Path $work
}

Describe 'BuildCompare: flattening layers' {
    It 'applies whiteouts and opaque directories to lower layers only, and replaces a directory by a file' {
        $lower = New-LayerTar (Join-Path $work 'l1.tar') @(
            @{ Name = 'etc/'; Type = 'dir' }, @{ Name = 'etc/gone'; Text = 'x' }, @{ Name = 'etc/kept'; Text = 'k' },
            @{ Name = 'opq/'; Type = 'dir'; Mode = 448 }, @{ Name = 'opq/old'; Text = 'o' }, @{ Name = 'opq/sub/'; Type = 'dir' },
            @{ Name = 'tree/'; Type = 'dir' }, @{ Name = 'tree/leaf'; Text = 'l' })
        $upper = New-LayerTar (Join-Path $work 'l2.tar') @(
            @{ Name = 'etc/.wh.gone' }, @{ Name = 'opq/'; Type = 'dir'; Mode = 448 }, @{ Name = 'opq/.wh..wh..opq' },
            @{ Name = 'opq/new'; Text = 'n' }, @{ Name = 'tree'; Text = 'now a file' },
            # The same layer's whiteout never hides the same layer's file.
            @{ Name = 'etc/.wh.fresh' }, @{ Name = 'etc/fresh'; Text = 'f' })
        $tree = Get-FlattenedFilesystem -Layers $lower, $upper
        @($tree.Keys | Sort-Object) | Should -Be @('etc', 'etc/fresh', 'etc/kept', 'opq', 'opq/new', 'tree')
        $tree['tree'].Type | Should -Be 'file'
        $tree['opq'].Mode | Should -Be '0700'
    }

    It 'keeps modes with setuid bits, owners, symlink targets, and hard-link groups that a later change breaks' {
        $one = New-LayerTar (Join-Path $work 'h1.tar') @(
            @{ Name = 'bin/'; Type = 'dir' }, @{ Name = 'bin/tool'; Text = 'same'; Mode = 2541; Uid = 1000; Gid = 50 },
            @{ Name = 'bin/alias'; Type = 'hardlink'; Link = 'bin/tool' }, @{ Name = 'bin/third'; Type = 'hardlink'; Link = './bin/tool' },
            @{ Name = 'bin/sl'; Type = 'symlink'; Link = '../etc/x' })
        $two = New-LayerTar (Join-Path $work 'h2.tar') @(@{ Name = 'bin/third'; Text = 'changed' })
        $tree = Get-FlattenedFilesystem -Layers $one, $two
        $tree['bin/tool'].Mode | Should -Be '4755'
        $tree['bin/tool'].Uid | Should -Be 1000
        $tree['bin/alias'].Sha256 | Should -Be $tree['bin/tool'].Sha256
        $tree['bin/sl'].LinkTarget | Should -Be '../etc/x'
        $tree['bin/third'].Sha256 | Should -Not -Be $tree['bin/tool'].Sha256
        $tree['bin/alias'].Inode | Should -Be $tree['bin/tool'].Inode
        $tree['bin/third'].Inode | Should -Not -Be $tree['bin/tool'].Inode
    }
}

Describe 'BuildCompare: proved against podman build' {
    BeforeAll {
        $podman = New-TestPodman -WorkDirectory $work -Runtime (Get-ReferenceRuntime)
        $baseArchive = New-CorpusBaseArchive -Work $work
        Invoke-TestPodman $podman load --input $baseArchive -TimeoutSeconds 120 | Assert-NativeSuccess | Out-Null
        $context = Join-Path $work 'context'
        New-Item -ItemType Directory -Path (Join-Path $context 'dir/sub') -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $context 'dir/a.txt') -Value 'a'
        Set-Content -LiteralPath (Join-Path $context 'dir/sub/b.txt') -Value 'b'
        $dockerfile = @'
FROM localhost/psc-corpus-busybox:1
ENV GREETING=hello MODE=one
LABEL purpose=harness
RUN mkdir -p /data/old && echo x > /data/old/x && echo keep > /data/keep && echo h > /h1 && ln /h1 /h2 && ln -s /h1 /sl \
    && chmod 4750 /h1 && rm /etc/motd
COPY --chown=bob:staff dir /copied/
RUN rm -rf /data/old && echo gone > /data/gone
HEALTHCHECK --interval=7s CMD true
EXPOSE 8080/udp
CMD ["sh"]
'@
        $changed = $dockerfile.Replace('MODE=one', 'MODE=two').Replace('echo keep', 'echo KEEP').Replace('chmod 4750', 'chmod 0750').
            Replace('ln /h1 /h2', 'cp /h1 /h2').Replace('ln -s /h1 /sl', 'ln -s h1 /sl').Replace('--interval=7s', '--interval=8s').
            Replace(' && rm /etc/motd', '')
        $archives = @{}
        foreach ($build in @{ Name = 'first'; Text = $dockerfile }, @{ Name = 'second'; Text = $dockerfile }, @{ Name = 'changed'; Text = $changed }) {
            $file = Join-Path $work "Dockerfile.$($build.Name)"
            [System.IO.File]::WriteAllText($file, $build.Text)
            Invoke-TestPodman $podman build --format docker --no-cache --network host --pull=never --cgroup-parent $podman.CgroupParent `
                --file $file --tag "localhost/harness:$($build.Name)" $context -TimeoutSeconds 300 | Assert-NativeSuccess | Out-Null
            $archives[$build.Name] = Join-Path $work "$($build.Name).tar"
            Invoke-TestPodman $podman save --format docker-archive --output $archives[$build.Name] "localhost/harness:$($build.Name)" -TimeoutSeconds 120 |
                Assert-NativeSuccess | Out-Null
        }
        $images = @{}
        foreach ($name in $archives.Keys) { $images[$name] = Read-ImageArchive -Path $archives[$name] }
    }

    AfterAll {
        foreach ($image in $images.Values) { Remove-ImageArchive $image }
        Remove-TestPodman -Podman $podman
    }

    It 'finds no difference between two podman builds of one Dockerfile' {
        $differences = @(Compare-BuiltImage -Peer $images['first'] -Ours $images['second'])
        $differences.Count | Should -Be 0 -Because (Format-ImageDifference $differences)
        # The comparison is not empty: the flattened tree holds what the Dockerfile made.
        $tree = Get-FlattenedFilesystem -Layers $images['first'].Layers
        $tree['h2'].Inode | Should -Be $tree['h1'].Inode
        $tree['h1'].Mode | Should -Be '4750'
        $tree['copied/sub/b.txt'].Uid | Should -Be 1000
        $tree['copied/sub/b.txt'].Gid | Should -Be 50
        $tree.ContainsKey('data/old') | Should -BeFalse
        $tree.ContainsKey('etc/motd') | Should -BeFalse
    }

    It 'reports each change of a changed Dockerfile, and only those, readably' {
        $differences = @(Compare-BuiltImage -Peer $images['first'] -Ours $images['changed'])
        $items = @($differences | Where-Object Area -NE 'history' | ForEach-Object { "$($_.Area) $($_.Item)" } | Sort-Object)
        $items | Should -Be @(
            'config Env', 'config Healthcheck',
            'filesystem /data/keep sha256', 'filesystem /etc/motd', 'filesystem /h1 hardlinks', 'filesystem /h1 mode',
            'filesystem /h2 hardlinks', 'filesystem /h2 mode', 'filesystem /sl linktarget')
        $history = @($differences | Where-Object Area -EQ 'history')
        $history.Count | Should -Be 3
        $history | ForEach-Object { $_.Item | Should -Match '^\[\d+\] created_by$' }
        $history[0].Peer | Should -Match 'ENV GREETING=hello MODE=one'
        $history[0].Ours | Should -Match 'MODE=two'
        $history[1].Peer | Should -Match 'echo keep'
        $history[1].Ours | Should -Match 'echo KEEP'
        $history[2].Peer | Should -Match 'HEALTHCHECK --interval=7s'
        $env = $differences | Where-Object Item -EQ 'Env'
        $env.Peer | Should -Match 'MODE=one'
        $env.Ours | Should -Match 'MODE=two'
        ($differences | Where-Object Item -EQ '/etc/motd').Peer | Should -Be '<absent>'
        $report = Format-ImageDifference -Difference $differences -Title 'changed'
        $report | Should -Match "(?m)^changed: $($differences.Count)`$"
        $report | Should -Match '(?m)^  filesystem /h1 mode\s*\n\s+podman: 4750\s*\n\s+ours:\s+0750'
        $report | Should -Match '(?m)^  config Healthcheck\s*\n\s+podman: \{"Interval":7000000000'
    }

    It 'marks differences a case names as deliberate and returns the expectations that matched nothing' {
        $differences = @(Compare-BuiltImage -Peer $images['first'] -Ours $images['changed'])
        $stale = @(Set-DeliberateDifference -Difference $differences -Expectation @(
                [pscustomobject]@{ area = 'filesystem'; item = '/h? hardlinks'; id = 'links' },
                [pscustomobject]@{ area = 'config'; item = 'Volumes'; id = 'never' }))
        @($differences | Where-Object Deliberate -EQ 'links').Count | Should -Be 2
        $stale.id | Should -Be 'never'
        (Format-ImageDifference -Difference $differences) | Should -Match '/h1 hardlinks \[deliberate: links\]'
    }
}
