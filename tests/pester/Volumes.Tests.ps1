# Runbooks for volumes and mounts against the built module and the real kernel: named and anonymous volumes,
# copy-up from an image, binds (ro gives EROFS), tmpfs sizes, -VolumesFrom, removal and pruning. Every container
# and volume lives under a temp storage root and run root; AfterAll removes them and checks that no mount is left.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name volumes
    $script:savedEnv = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    Import-Module $moduleDir -Force

    # A two-layer busybox image whose second layer adds /srv/content (owned 1000:1000, mode 0750) holding
    # index.html (mode 0640), declared a VOLUME, so copy-up reads through the layers' overlay.
    $layout = Join-Path $work 'layout'
    $ociRef = New-TestOciImage -Layout $layout -Tag v1
    $scratch = Join-Path $work 'scratch'
    Invoke-Native umoci unpack --image $ociRef $scratch | Assert-NativeSuccess | Out-Null
    $content = Join-Path $scratch 'rootfs/srv/content'
    New-Item -ItemType Directory -Path $content -Force | Out-Null
    Set-Content -LiteralPath (Join-Path $content 'index.html') -Value 'from the image'
    Invoke-Native chown -R 1000:1000 $content | Assert-NativeSuccess | Out-Null
    Invoke-Native chmod 0750 $content | Assert-NativeSuccess | Out-Null
    Invoke-Native chmod 0640 (Join-Path $content 'index.html') | Assert-NativeSuccess | Out-Null
    Invoke-Native umoci repack --image $ociRef $scratch | Assert-NativeSuccess | Out-Null
    Remove-TestDirectory -Path $scratch
    Invoke-Native umoci config --image $ociRef --config.volume /srv/content --config.cmd sh | Assert-NativeSuccess | Out-Null
    $script:archive = Join-Path $work 'image.tar'
    Invoke-Native skopeo copy "oci:$ociRef" "oci-archive:${archive}:localhost/psc-volumes:v1" | Assert-NativeSuccess | Out-Null
    Import-ContainerImage $archive | Out-Null
    $script:image = 'localhost/psc-volumes:v1'

    # Runs a command in a new container that removes itself; returns its stdout and stderr lines as one string.
    function Invoke-Probe {
        param([Parameter(Mandatory)][string]$Script, [string]$On = $rootfs, [hashtable]$With = @{})
        $lines = @(Invoke-Container $On -Remove @With -- sh -c $Script)
        ($lines | ForEach-Object Text) -join "`n"
    }

    function Get-VolumeDir([string]$Name) { Join-Path $env:PSCONTAINERS_ROOT "volumes/$Name" }
}

AfterAll {
    Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -ErrorAction Continue
    Get-ContainerVolume -ErrorAction SilentlyContinue | Remove-ContainerVolume -Force -ErrorAction Continue
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe 'Named volumes' {
    It 'keeps the data of two containers after both are removed, for the containers created again' {
        New-ContainerVolume -Name shared -Label @{ team = 'web' } | Should -Not -BeNullOrEmpty
        $one = New-Container $rootfs -Name writer1 -Volume shared:/data -- sh -c 'echo one >> /data/log'
        $two = New-Container $rootfs -Name writer2 -Volume shared:/data -- sh -c 'echo two >> /data/log'
        (Get-ContainerVolume shared).UsedBy | Should -Be @('writer1', 'writer2')
        Start-Container writer1; Wait-Container writer1 | Out-Null
        Start-Container writer2; Wait-Container writer2 | Out-Null
        Remove-Container writer1, writer2
        (Get-ContainerVolume shared).UsedBy | Should -BeNullOrEmpty

        New-Container $rootfs -Name reader -Volume shared:/data -- cat /data/log | Out-Null
        Start-Container reader; (Wait-Container reader).ExitCode | Should -Be 0
        (Get-ContainerLog reader).Text | Should -Be @('one', 'two')
        Remove-Container reader
        (Get-ContainerVolume shared).Labels['team'] | Should -Be 'web'
        Remove-ContainerVolume shared
        Test-Path (Get-VolumeDir shared) | Should -BeFalse
    }

    It 'creates a named volume on first use and lists it with docker''s fields' {
        Invoke-Probe 'echo hi > /v/f' -With @{ Volume = 'firstuse:/v' } | Out-Null
        $v = Get-ContainerVolume first*
        $v.Name | Should -Be 'firstuse'
        $v.Driver | Should -Be 'local'
        $v.Scope | Should -Be 'local'
        $v.Anonymous | Should -BeFalse
        $v.Mountpoint | Should -Be (Join-Path (Get-VolumeDir firstuse) '_data')
        Get-Content (Join-Path $v.Mountpoint 'f') | Should -Be 'hi'
        Remove-ContainerVolume firstuse
    }

    It 'refuses to remove a volume in use; -Force takes it from stopped users but never from running ones' {
        New-Container $rootfs -Name holder -Volume held:/h -- sh -c 'trap "exit 0" TERM; while true; do sleep 0.1; done' | Out-Null
        Remove-ContainerVolume held -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -BeLike 'VolumeInUse,*'
        $err[0].Exception.Message | Should -Match 'holder'
        Start-Container holder
        Remove-ContainerVolume held -Force -ErrorAction SilentlyContinue -ErrorVariable err2
        $err2[0].Exception.Message | Should -Match 'running'
        Stop-Container holder -Timeout 5
        Remove-ContainerVolume held -Force
        Get-ContainerVolume held -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        # The stopped user gets an empty volume of that name at its next start.
        Start-Container holder
        Test-Path (Join-Path (Get-VolumeDir held) '_data') | Should -BeTrue
        Remove-Container holder -Force
        Remove-ContainerVolume held
    }

    It 'makes one volume when two pwsh processes create containers on a new name at once' {
        $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$moduleDir'; 1..3 | ForEach-Object { New-Container '$rootfs' -Volume race:/d -- true | Out-Null }"
        $pwsh = [System.Environment]::ProcessPath
        $hostArgs = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
        $processes = foreach ($n in 1..2) {
            $startInfo = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
            foreach ($a in @($hostArgs) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $startInfo.ArgumentList.Add($a) }
            $startInfo.UseShellExecute = $false
            $startInfo.RedirectStandardInput = $true
            $startInfo.RedirectStandardOutput = $true
            $startInfo.RedirectStandardError = $true
            $p = [System.Diagnostics.Process]::Start($startInfo)
            $p.StandardInput.Close()
            [pscustomobject]@{ Process = $p; StdErr = $p.StandardError.ReadToEndAsync(); StdOut = $p.StandardOutput.ReadToEndAsync() }
        }
        try {
            foreach ($p in $processes) {
                $p.Process.WaitForExit(120000) | Should -BeTrue
                $p.Process.ExitCode | Should -Be 0 -Because $p.StdErr.Result
            }
        } finally {
            $processes | Where-Object { -not $_.Process.HasExited } | ForEach-Object { $_.Process.Kill($true) }
        }
        @(Get-ContainerVolume race*).Count | Should -Be 1
        @((Get-ContainerVolume race).UsedBy).Count | Should -Be 6
        Get-Container -All | Where-Object { $_.Mounts.Name -contains 'race' } | Remove-Container
        Remove-ContainerVolume race
    }

    It 'mounts a volume-subpath, and never follows a symlink in the volume out to the host' {
        $v = New-ContainerVolume subvol
        New-Item -ItemType Directory -Path (Join-Path $v.Mountpoint 'sub') | Out-Null
        Set-Content -LiteralPath (Join-Path $v.Mountpoint 'sub/f') -Value 'in the subpath'
        # What a container could leave in a volume it writes: a link to a host directory.
        New-Item -ItemType SymbolicLink -Path (Join-Path $v.Mountpoint 'evil') -Target '/etc' | Out-Null
        Invoke-Probe 'cat /s/f' -With @{ Mount = 'type=volume,source=subvol,target=/s,volume-subpath=sub' } | Should -Be 'in the subpath'
        New-Container $rootfs -Mount 'type=volume,source=subvol,target=/s,volume-subpath=evil' -ErrorAction SilentlyContinue -ErrorVariable err -- ls /s |
            Should -BeNullOrEmpty
        $err[0].Exception.Message | Should -Match 'volume-subpath evil does not exist in volume subvol'
        Remove-ContainerVolume subvol
    }

    It 'gives VolumeNotFound for a missing name and completes volume names' {
        Get-ContainerVolume nosuchvolume -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'VolumeNotFound,*'
        New-ContainerVolume completeme | Out-Null
        $completion = TabExpansion2 -inputScript 'Remove-ContainerVolume comp' -cursorColumn 'Remove-ContainerVolume comp'.Length
        $completion.CompletionMatches.CompletionText | Should -Contain 'completeme'
        Remove-ContainerVolume completeme
    }

    It 'backs a volume with a size-limited tmpfs from driver options, and unmounts it when the volume goes' {
        New-ContainerVolume small -Option @{ type = 'tmpfs'; device = 'tmpfs'; o = 'size=1m' } | Out-Null
        $out = Invoke-Probe 'dd if=/dev/zero of=/s/big bs=1024 count=2048 2>&1; echo rc=$?' -With @{ Volume = 'small:/s' }
        $out | Should -Match 'No space left on device'
        $data = Join-Path (Get-VolumeDir small) '_data'
        Get-TestMountPoint -Path $data | Should -Be $data
        Remove-ContainerVolume small
        Get-TestMountPoint -Path (Get-VolumeDir small) | Should -BeNullOrEmpty
    }
}

Describe 'Copy-up from the image and anonymous volumes' {
    It 'starts a volume over an image path with the image''s files, owners and modes' {
        $out = Invoke-Probe -On $image 'stat -c "%u:%g %a" /srv/content /srv/content/index.html; cat /srv/content/index.html' -With @{ Volume = 'site:/srv/content' }
        $out | Should -Be "1000:1000 750`n1000:1000 640`nfrom the image"
        # The volume has the files now; a second container sees the volume's content, not the image's.
        Set-Content -LiteralPath (Join-Path (Get-VolumeDir site) '_data/index.html') -Value 'changed'
        Invoke-Probe -On $image 'cat /srv/content/index.html' -With @{ Volume = 'site:/srv/content' } | Should -Be 'changed'
        Remove-ContainerVolume site
    }

    It 'leaves an empty volume empty with nocopy' {
        Invoke-Probe -On $image 'ls -A /srv/content | wc -l' -With @{ Volume = 'bare:/srv/content:nocopy' } | Should -Be '0'
        Invoke-Probe -On $image 'ls -A /srv/content | wc -l' -With @{ Mount = 'type=volume,source=bare2,target=/srv/content,volume-nocopy' } | Should -Be '0'
        Remove-ContainerVolume bare, bare2
    }

    It 'gives an image VOLUME an anonymous volume that Remove-Container -Volumes deletes' {
        $c = New-Container $image -Name anon -- cat /srv/content/index.html
        $mount = $c.Mounts | Where-Object Destination -EQ '/srv/content'
        $mount.Type | Should -Be 'volume'
        $mount.Name | Should -Match '^[0-9a-f]{64}$'
        $mount.Anonymous | Should -BeTrue
        (Get-ContainerVolume $mount.Name).Anonymous | Should -BeTrue
        Start-Container anon; (Wait-Container anon).ExitCode | Should -Be 0
        (Get-ContainerLog anon).Text | Should -Be 'from the image'
        Remove-Container anon -Volumes
        Get-ContainerVolume $mount.Name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Test-Path (Get-VolumeDir $mount.Name) | Should -BeFalse
    }

    It 'removes the anonymous volumes of a -Remove container when it exits, and keeps named ones' {
        $before = @(Get-ContainerVolume | ForEach-Object Name)
        $out = Invoke-Probe -On $image 'echo x > /a/f; cat /srv/content/index.html' -With @{ Volume = @('/a', 'kept:/k') }
        # The image's VOLUME got an anonymous volume filled from the image; it went with the container too.
        $out | Should -Be 'from the image'
        $after = @(Get-ContainerVolume | ForEach-Object Name)
        @($after | Where-Object { $_ -notin $before }) | Should -Be @('kept')
        Remove-ContainerVolume kept
    }

    It 'prunes unused anonymous volumes, and every unused one with -AllVolumes; disk usage counts them' {
        # From a clean slate, so what earlier tests left cannot change the counts.
        Get-Container -All | Remove-Container -Force -Volumes
        Get-ContainerVolume | Remove-ContainerVolume -Force
        $c = New-Container $image -Name pruner -- true
        Remove-Container pruner
        New-ContainerVolume unusednamed | Out-Null
        $row = Get-ContainerDiskUsage | Where-Object Type -EQ Volumes
        $row.Total | Should -Be 2
        $row.Active | Should -Be 0
        $row.Size | Should -BeGreaterThan 0
        $result = Clear-ContainerResource -Volume -Confirm:$false | Where-Object { $_ -is [PSContainers.Core.Volumes.VolumePruneResult] }
        $result.VolumesDeleted.Count | Should -Be 1
        (Get-ContainerVolume).Name | Should -Be 'unusednamed'
        $all = Clear-ContainerResource -AllVolumes -Confirm:$false | Where-Object { $_ -is [PSContainers.Core.Volumes.VolumePruneResult] }
        $all.VolumesDeleted | Should -Be @('unusednamed')
        Get-ContainerVolume | Should -BeNullOrEmpty
    }
}

Describe 'Bind mounts' {
    BeforeAll {
        $script:hostDir = Join-Path $work 'hostdir'
        New-Item -ItemType Directory -Path $hostDir -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $hostDir 'hello.txt') -Value 'from the host'
    }

    It 'refuses writes to a read-only bind with EROFS from the kernel' {
        $out = Invoke-Probe 'cat /h/hello.txt; echo x > /h/new 2>&1; echo rc=$?' -With @{ Volume = "${hostDir}:/h:ro" }
        $out | Should -Match 'from the host'
        $out | Should -Match 'Read-only file system'
        $out | Should -Match 'rc=1'
        Test-Path (Join-Path $hostDir 'new') | Should -BeFalse
        Invoke-Probe 'touch /h/x 2>&1; echo rc=$?' -With @{ Mount = "type=bind,source=$hostDir,target=/h,readonly" } | Should -Match 'Read-only file system'
    }

    It 'writes through a read-write bind, and resolves ./relative sources against the current location' {
        Push-Location $hostDir
        try {
            Invoke-Probe 'echo written > /h/rw.txt' -With @{ Volume = './:/h' } | Out-Null
        } finally {
            Pop-Location
        }
        Get-Content (Join-Path $hostDir 'rw.txt') | Should -Be 'written'
    }

    It 'binds a single file over a path the image does not have, and mounts parents before children' {
        $out = Invoke-Probe 'cat /new/dir/file.txt; cat /data/conf/hello.txt' -With @{
            Volume = @("$hostDir/hello.txt:/new/dir/file.txt", "${hostDir}:/data/conf", 'parent:/data')
        }
        $out | Should -Be "from the host`nfrom the host"
        Test-Path (Join-Path (Get-VolumeDir parent) '_data/conf') | Should -BeTrue
        Remove-ContainerVolume parent
    }

    It 'keeps a mount destination inside the root when the image has a symlink pointing out of it' {
        $outside = Join-Path $work 'outside'
        New-Item -ItemType Directory -Path $outside | Out-Null
        $evilRoot = Join-Path $work 'evilroot'
        New-TestBusyboxRootfs -Path $evilRoot | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $evilRoot 'escape') -Target $outside | Out-Null
        Invoke-Probe -On $evilRoot 'echo inside > /escape/x/f; cat /escape/x/f' -With @{ Volume = 'trapped:/escape/x' } | Should -Be 'inside'
        # The mount point was made inside the container's own layer, where the link resolves within the root.
        Get-ChildItem -LiteralPath $outside | Should -BeNullOrEmpty
        Remove-ContainerVolume trapped
    }

    It 'refuses a directory over a file of the image and a file over a directory, at create' -TestCases @(
        @{ Params = @{ Volume = 'overfile:/etc/passwd' }; Pattern = 'volume overfile on /etc/passwd: the image has a file there' }
        @{ Params = @{ Volume = "/tmp:/etc/hostname" }; Pattern = 'the image has a file there' }
        @{ Params = @{ Volume = '/etc/hostname:/etc' }; Pattern = 'the image has a directory there' }
        @{ Params = @{ Tmpfs = '/etc/passwd' }; Pattern = 'a tmpfs on /etc/passwd' }
    ) {
        param($Params, $Pattern)
        $before = @(Get-Container -All).Count
        New-Container $rootfs @Params -ErrorAction SilentlyContinue -ErrorVariable err -- true | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MountTargetMismatch,*' -Because $err[0].Exception.Message
        $err[0].Exception.Message | Should -Match $Pattern
        @(Get-Container -All).Count | Should -Be $before
        Get-ContainerVolume overfile -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'fails with BindSourceNotFound for a missing host path and leaves no container or volume' {
        $before = @(Get-Container -All).Count
        New-Container $rootfs -Name nobind -Volume "$work/missing:/m", 'notmade:/n' -ErrorAction SilentlyContinue -ErrorVariable err -- true | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BindSourceNotFound,*'
        $err[0].Exception.Message | Should -Match 'missing'
        @(Get-Container -All).Count | Should -Be $before
        Get-ContainerVolume notmade -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'names the bad part of a -Mount, -Volume or -Tmpfs and creates nothing' -TestCases @(
        @{ Params = @{ Mount = 'type=bind,source=/tmp,target=/t,colour=red' }; Pattern = "Unexpected key 'colour'" }
        @{ Params = @{ Mount = 'type=volume,target=/t,tmpfs-size=1m' }; Pattern = "Cannot mix 'tmpfs-\*'" }
        @{ Params = @{ Volume = 'vol:/v:rx' }; Pattern = 'unknown option "rx"' }
        @{ Params = @{ Volume = @('a1:/same', 'a2:/same') }; Pattern = 'Duplicate mount point: /same' }
        @{ Params = @{ Tmpfs = '/t:colour=blue' }; Pattern = 'Unknown tmpfs option "colour=blue"' }
        @{ Params = @{ VolumesFrom = 'nosuchcontainer' }; Pattern = 'nosuchcontainer' }
    ) {
        param($Params, $Pattern)
        $before = @(Get-Container -All).Count
        New-Container $rootfs @Params -ErrorAction SilentlyContinue -ErrorVariable err -- true | Should -BeNullOrEmpty
        $err[0].Exception.Message | Should -Match $Pattern
        @(Get-Container -All).Count | Should -Be $before
        Get-ContainerVolume -ErrorAction SilentlyContinue | Where-Object Name -In 'vol', 'a1', 'a2' | Should -BeNullOrEmpty
    }
}

Describe 'tmpfs, /dev/shm and -VolumesFrom' {
    It 'enforces a tmpfs size' -TestCases @(
        @{ Params = @{ Tmpfs = '/t:size=1m' } }
        @{ Params = @{ Mount = 'type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777' } }
    ) {
        param($Params)
        $out = Invoke-Probe 'stat -c %a /t; dd if=/dev/zero of=/t/big bs=1024 count=2048 2>&1; echo rc=$?' -With $Params
        $out | Should -Match 'No space left on device'
        $out | Should -Match 'rc=1'
    }

    It 'mounts tmpfs noexec unless asked, as docker' {
        $probe = 'cp /bin/busybox /t/true && /t/true 2>&1; echo rc=$?'
        Invoke-Probe $probe -With @{ Tmpfs = '/t' } | Should -Match 'rc=126'
        Invoke-Probe $probe -With @{ Tmpfs = '/t:exec' } | Should -Match 'rc=0'
    }

    It 'sizes /dev/shm with -ShmSize' {
        Invoke-Probe 'df -k /dev/shm | tail -1' -With @{ ShmSize = 8MB } | Should -Match '\s8192\s'
    }

    It 'mounts another container''s volumes with -VolumesFrom, read-only with :ro, and shows the mounts' {
        $src = New-Container $rootfs -Name source -Volume 'fromvol:/shared' -- true
        $src.Mounts[0].Name | Should -Be 'fromvol'
        $src.Mounts[0].Destination | Should -Be '/shared'
        $src.Mounts[0].RW | Should -BeTrue
        Invoke-Probe 'echo data > /shared/f; cat /shared/f' -With @{ VolumesFrom = 'source' } | Should -Be 'data'
        $c = New-Container $rootfs -Name consumer -VolumesFrom 'source:ro' -- sh -c 'cat /shared/f; echo y > /shared/g 2>&1; echo rc=$?'
        $m = (Get-Container consumer).Mounts | Where-Object Destination -EQ '/shared'
        $m.RW | Should -BeFalse
        $m.Name | Should -Be 'fromvol'
        Start-Container consumer; Wait-Container consumer | Out-Null
        ((Get-ContainerLog consumer).Text -join "`n") | Should -Match 'Read-only file system'
        Remove-Container consumer -Volumes
        Get-ContainerVolume fromvol | Should -Not -BeNullOrEmpty
        Remove-Container source
        Remove-ContainerVolume fromvol
    }
}

Describe 'The same results as podman' {
    BeforeAll {
        # podman (with crun) runs the same image from the same archive: what a container sees must be the same.
        $script:podman = New-TestPodman -WorkDirectory $work -Runtime (Get-ReferenceRuntime)
        Invoke-TestPodman $podman load --input $archive -TimeoutSeconds 120 | Assert-NativeSuccess | Out-Null
        $script:peerHost = Join-Path $work 'peerhost'
        New-Item -ItemType Directory -Path $peerHost -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $peerHost 'in.txt') -Value 'host file'

        function Invoke-Peer([string[]]$MountArgs, [string]$Script) {
            $runArgs = @('run', '--rm', '--pull=never', '--network', 'none', '--cgroup-parent', $podman.CgroupParent) + $MountArgs + @($image, 'sh', '-c', $Script)
            $result = Invoke-TestPodman $podman @runArgs -TimeoutSeconds 120
            ($result.StdOut + $result.StdErr).Trim() -replace "`r", ''
        }
    }

    AfterAll {
        Remove-TestPodman -Podman $podman
    }

    It 'agrees on <Case>' -TestCases @(
        @{ Case = 'copy-up of the image''s files into a new named volume'; Ours = @{ Volume = 'peercopy:/srv/content' }; Theirs = @('-v', 'peercopy:/srv/content')
            Script = 'stat -c "%u:%g %a %s %n" /srv/content /srv/content/index.html; cat /srv/content/index.html' }
        @{ Case = 'an anonymous volume at the image''s VOLUME'; Ours = @{}; Theirs = @()
            Script = 'stat -c "%u:%g %a %n" /srv/content /srv/content/index.html; grep -c srv/content /proc/self/mountinfo' }
        @{ Case = 'nocopy'; Ours = @{ Volume = 'peerbare:/srv/content:nocopy' }; Theirs = @('-v', 'peerbare:/srv/content:nocopy')
            Script = 'ls -A /srv/content | wc -l' }
        @{ Case = 'a write to a read-only bind'; Ours = @{ Volume = '/PEERHOST:/h:ro' }; Theirs = @('-v', '/PEERHOST:/h:ro')
            Script = 'cat /h/in.txt; touch /h/new 2>&1 | sed "s/^.*: //"; echo rc=$?' }
        # Only the size: podman 4 mounts --tmpfs without noexec, docker (and this engine) with it; see docs/volumes.md.
        @{ Case = 'a tmpfs size'; Ours = @{ Tmpfs = '/t:size=1m' }; Theirs = @('--tmpfs', '/t:size=1m'); Script = 'df -k /t | tail -1 | tr -s " " | cut -d" " -f2' }
        @{ Case = '-Mount tmpfs-size and tmpfs-mode'; Ours = @{ Mount = 'type=tmpfs,target=/t,tmpfs-size=2m,tmpfs-mode=1770' }; Theirs = @('--mount', 'type=tmpfs,target=/t,tmpfs-size=2m,tmpfs-mode=1770')
            Script = 'df -k /t | tail -1 | tr -s " " | cut -d" " -f2; stat -c %a /t' }
        @{ Case = 'a file bound where the image has nothing'; Ours = @{ Volume = '/PEERHOST/in.txt:/a/b/c.txt:ro' }; Theirs = @('-v', '/PEERHOST/in.txt:/a/b/c.txt:ro')
            Script = 'cat /a/b/c.txt; stat -c %F /a/b /a/b/c.txt' }
    ) {
        param($Case, $Ours, $Theirs, $Script)
        # PowerShell names are case-insensitive: $Ours is the parameter, the resolved copies need other names.
        $engineParams = @{}
        foreach ($key in $Ours.Keys) { $engineParams[$key] = $Ours[$key] -replace '/PEERHOST', $peerHost }
        $podmanArgs = @($Theirs | ForEach-Object { $_ -replace '/PEERHOST', $peerHost })
        $expected = Invoke-Peer -MountArgs $podmanArgs -Script $Script
        $actual = Invoke-Probe -On $image $Script -With $engineParams
        $actual | Should -Be $expected
        Get-ContainerVolume -ErrorAction SilentlyContinue | Where-Object Name -Like 'peer*' | Remove-ContainerVolume
    }
}
