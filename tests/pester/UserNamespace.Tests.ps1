# User namespaces (-UserNS, -UidMap, -GidMap) on real containers: root inside is an unprivileged host uid from the
# engine's pool, the image's files and volumes keep their owners inside, and a mapped root cannot do what the
# host's root can. The escape probe (escape-probe.c, built with clang) makes the raw system calls.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $engine = Enter-TestEngine -Name userns
    $script:work = $engine.Work
    $script:savedEnv = $engine.Saved
    $script:savedMethod = $env:PSCONTAINERS_USERNS_METHOD
    $env:PSCONTAINERS_USERNS_METHOD = $null
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    Install-TestProbe -RootFs $rootfs -Name escape-probe

    # A busybox image with the probe whose second layer adds /srv/content (owned 1000:1001) holding index.html.
    $layout = Join-Path $work 'layout'
    $ociRef = New-TestOciImage -Layout $layout -Tag v1
    $scratch = Join-Path $work 'scratch'
    Invoke-Native umoci unpack --image $ociRef $scratch | Assert-NativeSuccess | Out-Null
    $content = Join-Path $scratch 'rootfs/srv/content'
    New-Item -ItemType Directory -Path $content -Force | Out-Null
    Set-Content -LiteralPath (Join-Path $content 'index.html') -Value 'from the image'
    Copy-Item -LiteralPath (Join-Path $rootfs 'bin/escape-probe') -Destination (Join-Path $scratch 'rootfs/bin/escape-probe')
    Invoke-Native chown -R 1000:1001 $content | Assert-NativeSuccess | Out-Null
    Invoke-Native umoci repack --image $ociRef $scratch | Assert-NativeSuccess | Out-Null
    Remove-TestDirectory -Path $scratch
    Invoke-Native umoci config --image $ociRef --config.cmd sh | Assert-NativeSuccess | Out-Null
    $archive = Join-Path $work 'image.tar'
    Invoke-Native skopeo copy "oci:$ociRef" "oci-archive:${archive}:localhost/psc-userns:v1" | Assert-NativeSuccess | Out-Null
    Import-ContainerImage $archive | Out-Null
    $script:image = 'localhost/psc-userns:v1'
    $script:rangesFile = Join-Path $env:PSCONTAINERS_ROOT 'userns/ranges'

    # One-shot container: its output lines as one string.
    function Invoke-Probe {
        param([Parameter(Mandatory)][string]$Script, [hashtable]$With = @{})
        $lines = @(Invoke-Container $image -Remove -Network none @With -- sh -c $Script)
        ($lines | ForEach-Object Text) -join "`n"
    }

    # The ranges the allocator holds: container id -> @(host, size).
    function Get-HeldRange {
        $held = @{}
        if (Test-Path -LiteralPath $rangesFile) {
            foreach ($line in Get-Content -LiteralPath $rangesFile) {
                $f = $line -split ' '
                $held[$f[0]] = @([long]$f[1], [long]$f[2])
            }
        }
        $held
    }

    # The Uid: line of a host process's status: real, effective, saved, filesystem uid.
    function Get-HostUid([int]$ProcessId) {
        $line = Get-Content -LiteralPath "/proc/$ProcessId/status" | Where-Object { $_ -like 'Uid:*' }
        @(($line -replace '^Uid:\s*', '') -split '\s+' | ForEach-Object { [long]$_ })
    }
}

AfterAll {
    $env:PSCONTAINERS_USERNS_METHOD = $savedMethod
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe '-UserNS auto: root inside, an unprivileged uid on the host' {
    BeforeAll {
        $script:first = New-Container $image -Name userns-first -UserNS auto -Network none -- sleep 300
        Start-Container $first.Id | Out-Null
        $script:second = New-Container $image -Name userns-second -UserNS auto -- sleep 300
        Start-Container $second.Id | Out-Null
    }

    AfterAll {
        Remove-Container userns-first, userns-second -Force -ErrorAction SilentlyContinue
    }

    It 'runs as uid 0 inside while the host sees the range start the engine allocated' {
        $id = (Invoke-ContainerCommand userns-first -- id) | ForEach-Object Text
        "$id" | Should -Match '^uid=0\(root\) gid=0\(root\)'
        $held = Get-HeldRange
        $held.ContainsKey($first.Id) | Should -BeTrue
        $start = $held[$first.Id][0]
        $start | Should -BeGreaterOrEqual 2000000000
        $held[$first.Id][1] | Should -Be 65536
        $hostPid = (Get-Container -Id $first.Id).Pid
        Get-HostUid $hostPid | Should -Be @($start, $start, $start, $start)
        (Get-Content -LiteralPath "/proc/$hostPid/uid_map" -Raw).Trim() -split '\s+' | Should -Be @('0', "$start", '65536')
        (Get-Content -LiteralPath "/proc/$hostPid/gid_map" -Raw).Trim() -split '\s+' | Should -Be @('0', "$start", '65536')
    }

    It 'gives two auto containers disjoint ranges' {
        $held = Get-HeldRange
        $a = $held[$first.Id]; $b = $held[$second.Id]
        $b | Should -Not -BeNullOrEmpty
        ($a[0] + $a[1] -le $b[0]) -or ($b[0] + $b[1] -le $a[0]) | Should -BeTrue -Because "ranges $($a -join '+') and $($b -join '+')"
        $hostPid = (Get-Container -Id $second.Id).Pid
        (Get-HostUid $hostPid)[0] | Should -Be $b[0]
    }

    It 'shows the image''s files with their own owners inside and shifted owners from the host' {
        $inside = (Invoke-ContainerCommand userns-first -- stat -c '%u:%g' /srv/content/index.html /bin/busybox) | ForEach-Object Text
        $inside | Should -Be @('1000:1001', '0:0')
        $start = (Get-HeldRange)[$first.Id][0]
        $hostPid = (Get-Container -Id $first.Id).Pid
        Invoke-Native stat -c '%u:%g' "/proc/$hostPid/root/srv/content/index.html" | ForEach-Object { $_.StdOut.Trim() } |
            Should -Be "$($start + 1000):$($start + 1001)"
    }

    It 'lets exec in and stop work, and the container''s root writes its own files' {
        $out = (Invoke-ContainerCommand userns-first -- sh -c 'touch /tmp/mine && stat -c %u:%g /tmp/mine && echo x >> /srv/content/index.html && echo ok') |
            ForEach-Object Text
        $out | Should -Be @('0:0', 'ok')
        Stop-Container userns-first -Timeout 5 | Out-Null
        (Get-Container -Id $first.Id).Status | Should -Be 'Exited'
    }

    It 'reaches its CNI network through the engine''s network namespace, serves on port 80 and edits /etc/hosts' {
        $out = (Invoke-ContainerCommand userns-second -- sh -c 'ip -4 addr show eth0') | ForEach-Object Text
        ($out -join "`n") | Should -Match 'inet \d+\.\d+\.\d+\.\d+/'
        # A port below 1024 in a network namespace the host owns: the engine made it with unprivileged ports.
        $out = (Invoke-ContainerCommand userns-second -- sh -c '(nc -l -p 80 >/dev/null 2>&1 &); sleep 1; netstat -ltn | grep -c ":80 "') | ForEach-Object Text
        $out | Should -Be '1'
        $out = (Invoke-ContainerCommand userns-second -- sh -c 'stat -c %u:%g /etc/hosts; echo "10.9.9.9 extra" >> /etc/hosts && echo edited') | ForEach-Object Text
        $out | Should -Be @('0:0', 'edited')
    }

    It 'frees the ranges when the containers are removed' {
        Remove-Container userns-first, userns-second -Force
        $held = Get-HeldRange
        $held.ContainsKey($first.Id) | Should -BeFalse
        $held.ContainsKey($second.Id) | Should -BeFalse
    }
}

Describe 'Volumes, binds and files copied in' {
    It 'stores what the container''s root writes in a named volume as uid 0 on the host (idmapped), and 1000 as 1000' {
        $out = Invoke-Probe -With @{ UserNS = 'auto'; Volume = @('userns-vol:/data') } -Script 'echo hi > /data/root-file && touch /data/user-file && chown 1000:1001 /data/user-file && stat -c %u:%g /data/root-file /data/user-file'
        $out -split "`n" | Should -Be @('0:0', '1000:1001')
        $data = (Get-ContainerVolume userns-vol).Mountpoint
        Invoke-Native stat -c '%u:%g' (Join-Path $data 'root-file') | ForEach-Object { $_.StdOut.Trim() } | Should -Be '0:0'
        Invoke-Native stat -c '%u:%g' (Join-Path $data 'user-file') | ForEach-Object { $_.StdOut.Trim() } | Should -Be '1000:1001'
        # The same volume in a container without a user namespace: the same owners.
        Invoke-Probe -With @{ Volume = @('userns-vol:/data') } -Script 'stat -c %u:%g /data/root-file' | Should -Be '0:0'
        Remove-ContainerVolume userns-vol
    }

    It 'keeps a host bind unmapped: the mapped root cannot write the host root''s file, host root can' {
        $dir = Join-Path $work 'bind'
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $dir 'owned-by-root') -Value 'host'
        Invoke-Native chmod 0644 (Join-Path $dir 'owned-by-root') | Assert-NativeSuccess | Out-Null
        $mapped = Invoke-Probe -With @{ UserNS = 'auto'; Volume = @("${dir}:/b") } -Script 'stat -c %u /b/owned-by-root; (echo pwned >> /b/owned-by-root) 2>/dev/null && echo wrote || echo refused'
        $mapped -split "`n" | Should -Be @('65534', 'refused')
        $unmapped = Invoke-Probe -With @{ Volume = @("${dir}:/b") } -Script 'echo control >> /b/owned-by-root && echo wrote || echo refused'
        $unmapped | Should -Be 'wrote' -Because 'the control: without a user namespace root writes it'
        Get-Content -LiteralPath (Join-Path $dir 'owned-by-root') | Should -Be @('host', 'control')
    }

    It 'gives files copied in with Copy-ContainerItem the container root''s owner inside' {
        $c = Invoke-Container $image -Detach -Name userns-cp -UserNS auto -Network none -- sleep 300
        try {
            $file = Join-Path $work 'copied.txt'
            Set-Content -LiteralPath $file -Value 'copied'
            Copy-ContainerItem -Path $file -Destination 'userns-cp:/tmp/'
            (Invoke-ContainerCommand userns-cp -- stat -c '%u:%g' /tmp/copied.txt) | ForEach-Object Text | Should -Be '0:0'
        }
        finally {
            Remove-Container $c.Id -Force
        }
    }

    It 'exports the container''s own ids, for its image''s files and the files its root and users wrote' {
        $c = Invoke-Container $image -Detach -Name userns-export -UserNS auto -Network none -- sh -c 'touch /made-by-root && touch /made-by-user && chown 1000:1001 /made-by-user && exec sleep 300'
        try {
            $ready = $false
            foreach ($try in 1..100) {
                Invoke-ContainerCommand userns-export -- test -e /made-by-user | Out-Null
                if ($LASTEXITCODE -eq 0) { $ready = $true; break }
                Start-Sleep -Milliseconds 100
            }
            $ready | Should -BeTrue
            $tar = Join-Path $work 'userns-export.tar'
            Export-Container userns-export -Destination $tar
            $listing = (Invoke-Native tar '-tvf' $tar '--numeric-owner' | Assert-NativeSuccess).StdOut -split "`n"
            ($listing | Where-Object { $_ -match ' made-by-root$' }) | Should -Match ' 0/0 '
            ($listing | Where-Object { $_ -match ' made-by-user$' }) | Should -Match ' 1000/1001 '
            ($listing | Where-Object { $_ -match ' bin/busybox$' }) | Should -Match ' 0/0 '
            ($listing | Where-Object { $_ -match ' [0-9]{10}/' }) | Should -BeNullOrEmpty -Because 'no host id of the allocated range may leak into the archive'
        }
        finally {
            Remove-Container $c.Id -Force
        }
    }

    It 'commits a layer with the container''s own ids, not the host''s shifted ones' {
        $c = New-Container $image -Name userns-commit -UserNS auto -Network none -- sh -c 'touch /made-by-root && touch /made-by-user && chown 1000:1001 /made-by-user'
        Start-Container $c.Id | Out-Null
        Wait-Container $c.Id | Out-Null
        New-ContainerImage -Container userns-commit -Tag localhost/psc-userns:committed | Out-Null
        Remove-Container $c.Id
        $out = @(Invoke-Container localhost/psc-userns:committed -Remove -Network none -- stat -c '%u:%g' /made-by-root /made-by-user) | ForEach-Object Text
        $out | Should -Be @('0:0', '1000:1001')
        Remove-ContainerImage localhost/psc-userns:committed | Out-Null
    }
}

Describe 'What a mapped root cannot do' {
    It 'cannot write core_pattern or /sys, swapon or read the kernel log even with -Privileged, which without a user namespace can (the control)' {
        # Not module loading: this kernel has no module support (init_module says ENOSYS even to the host's root).
        # The probe opens the files for writing but never writes them, and swapon names a file that does not exist.
        $names = 'write-core-pattern', 'write-sys', 'swapon', 'syslog'
        $attempts = ($names | ForEach-Object { "/bin/escape-probe $_" }) -join '; '
        Invoke-Probe -With @{ Privileged = $true } -Script $attempts |
            Should -Be (($names | ForEach-Object { "$_=0" }) -join "`n") -Because 'the control: the host''s root gets through'
        $mapped = (Invoke-Probe -With @{ UserNS = 'auto'; Privileged = $true } -Script $attempts) -split "`n"
        $mapped | Should -HaveCount $names.Count
        foreach ($name in $names) { $mapped | Should -Not -Contain "$name=0" -Because "$name must be stopped for a mapped root" }
    }
}

Describe '-UidMap and -GidMap' {
    It 'maps exactly the ranges given, gid ranges following uid ranges when left out' {
        $out = Invoke-Probe -With @{ UidMap = @('0:3500000000:65536') } -Script 'cat /proc/self/uid_map /proc/self/gid_map; stat -c %u:%g /srv/content/index.html'
        ($out -split "`n" | ForEach-Object { ($_.Trim() -split '\s+') -join ' ' }) | Should -Be @('0 3500000000 65536', '0 3500000000 65536', '1000:1001')
    }
}

Describe 'The chowned-copy method ($PSCONTAINERS_USERNS_METHOD = copy)' {
    BeforeAll { $env:PSCONTAINERS_USERNS_METHOD = 'copy' }
    AfterAll { $env:PSCONTAINERS_USERNS_METHOD = $null }

    It 'shows the image''s owners inside from a cached chowned copy, made once per mapping and removed with its last container' {
        $cache = Join-Path $env:PSCONTAINERS_ROOT 'userns-layers'
        $map = @{ UidMap = @('0:3600000000:65536') }
        # A container that keeps the mapping's copies in use while the probes come and go.
        $holder = Invoke-Container $image -Detach -Name userns-copy-holder -Network none @map -- sleep 300
        try {
            $copies = @(Get-ChildItem -LiteralPath $cache -Directory)
            $copies.Count | Should -BeGreaterThan 0
            Invoke-Native stat -c '%u' (Join-Path $copies[0].FullName '.') | ForEach-Object { $_.StdOut.Trim() } | Should -BeGreaterOrEqual 3600000000
            $out = Invoke-Probe -With $map -Script 'stat -c %u:%g /srv/content/index.html /bin/busybox'
            $out -split "`n" | Should -Be @('1000:1001', '0:0')
            $after = @(Get-ChildItem -LiteralPath $cache -Directory)
            $after.Count | Should -Be $copies.Count -Because 'the probe reused the copies, and its removal kept them for the holder'
            $after[0].CreationTimeUtc | Should -Be $copies[0].CreationTimeUtc
        }
        finally {
            Remove-Container $holder.Id -Force
        }
        @(Get-ChildItem -LiteralPath $cache -Directory -ErrorAction Ignore) | Should -BeNullOrEmpty -Because 'the last container with the mapping is gone'
    }
}

Describe 'Bad user namespace input is refused by name and leaves nothing behind' {
    It 'refuses <Case>' -TestCases @(
        @{ Case = 'size 0'; With = @{ UidMap = @('0:100000:0') }; Pattern = 'size 0' }
        @{ Case = 'overlapping -UidMap ranges'; With = @{ UidMap = @('0:100000:65536', '1000:300000:10') }; Pattern = 'overlap' }
        @{ Case = 'a malformed -GidMap'; With = @{ GidMap = @('0:100000') }; Pattern = '0:100000' }
        @{ Case = 'no range for container root'; With = @{ UidMap = @('1:100000:65536') }; Pattern = 'container id 0' }
        @{ Case = '-UserNS junk'; With = @{ UserNS = 'junk' }; Pattern = 'junk' }
        @{ Case = 'an auto option that does not exist'; With = @{ UserNS = 'auto:uidmapping=0:1:2' }; Pattern = 'uidmapping' }
        @{ Case = '-UserNS auto with -UidMap'; With = @{ UserNS = 'auto'; UidMap = @('0:100000:65536') }; Pattern = '-UserNS auto' }
    ) {
        $before = @(Get-Container -All).Count
        $held = (Get-HeldRange).Count
        $err = $null
        New-Container $image -Network none @With -ErrorVariable err -ErrorAction SilentlyContinue -- true | Out-Null
        $err | Should -Not -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidArgument*'
        $err[0].Exception.Message | Should -Match ([regex]::Escape($Pattern))
        @(Get-Container -All).Count | Should -Be $before
        (Get-HeldRange).Count | Should -Be $held
    }
}
