# Runbooks for the container cmdlets against the built module: what a user does, what they see.
# Every container lives under a temp storage root and run root; AfterAll removes them all and checks that no
# mount, cgroup or process is left. Set $env:PSCRUN to try another pscrun build (e.g. one with a test monitor).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name engine
    $script:savedEnv = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $script:rootfsListing = (Get-ChildItem -LiteralPath $rootfs -Recurse -Force | ForEach-Object FullName | Sort-Object) -join "`n"
    Import-Module $moduleDir -Force

    $pwsh = [System.Environment]::ProcessPath
    $script:hostArgs = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
    $script:pwsh = $pwsh

    # Runs a script in a separate pwsh process that imports the module (same storage roots: the environment is inherited).
    function Invoke-InOtherPwsh([string]$Script) {
        $full = "`$ErrorActionPreference = 'Stop'; Import-Module '$moduleDir'; $Script"
        $result = Invoke-Native -FilePath $script:pwsh -ArgumentList (@($script:hostArgs) + @('-NoProfile', '-NonInteractive', '-Command', $full)) -TimeoutSeconds 90
        $result.ExitCode | Should -Be 0 -Because $result.StdErr
        $result.StdOut
    }

    function Wait-Until([scriptblock]$Condition, [int]$TimeoutSeconds = 10) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "timed out waiting for: $Condition" }
            Start-Sleep -Milliseconds 50
        }
    }

    # A long-running container that exits 0 on SIGTERM, so a stop is quick and its exit code known.
    function New-Sleeper([string]$Name) {
        New-Container $rootfs -Name $Name -- sh -c 'trap "echo bye; exit 0" TERM; echo ready; while true; do sleep 0.1; done'
    }
}

AfterAll {
    Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -ErrorAction Continue
    $leftMounts = @(Get-TestMountPoint -Path $work)
    $leftCgroups = @(Get-ChildItem -Path '/sys/fs/cgroup/*/pscontainers/*', '/sys/fs/cgroup/pscontainers/*' -Directory -ErrorAction Ignore |
        Where-Object { Test-Path -LiteralPath (Join-Path $env:PSCONTAINERS_ROOT "containers/$($_.Name)") })
    Remove-TestDirectory -Path $work
    # The engine's cgroup parent goes when nothing else (a user's own containers) lives in it: rmdir refuses otherwise.
    Get-ChildItem -Path '/sys/fs/cgroup/*/pscontainers' -Directory -ErrorAction Ignore |
        ForEach-Object { try { [System.IO.Directory]::Delete($_.FullName) } catch { Write-Verbose "kept $($_.Exception.Message)" } }
    $env:PSCONTAINERS_ROOT = $savedEnv.Root
    $env:PSCONTAINERS_RUNROOT = $savedEnv.RunRoot
    $leftMounts | Should -BeNullOrEmpty
    $leftCgroups | Should -BeNullOrEmpty
}

Describe 'Container lifecycle: create, start, stop, remove' {
    It 'creates a container that is Created, named, with a 64-hex id and a 12-character short id' {
        $c = New-Container $rootfs -Name life -Label @{ tier = 'test' } -- echo hi
        $c | Should -BeOfType 'PSContainers.Core.Containers.ContainerInfo'
        $c.Id | Should -Match '^[0-9a-f]{64}$'
        $c.ShortId | Should -Be $c.Id.Substring(0, 12)
        $c.Status | Should -Be 'Created'
        $c.Labels['tier'] | Should -Be 'test'
        (Get-Container -Name life).Id | Should -Be $c.Id
        (Get-Container -Id $c.Id.Substring(0, 8)).Name | Should -Be 'life'
        Remove-Container life
        Get-Container -All | Where-Object Name -EQ 'life' | Should -BeNullOrEmpty
    }

    It 'starts, shows Running with a live init, stops with the stop signal and removes without leftovers' {
        $c = New-Sleeper -Name runner
        $started = Start-Container runner -PassThru
        $started.Status | Should -Be 'Running'
        $started.Pid | Should -BeGreaterThan 0
        Test-Path "/proc/$($started.Pid)" | Should -BeTrue
        @(Get-Container | ForEach-Object Name) -contains 'runner' | Should -BeTrue
        Get-TestMountPoint -Path (Join-Path $env:PSCONTAINERS_ROOT "containers/$($c.Id)") | Should -Not -BeNullOrEmpty

        $stopped = Stop-Container runner -PassThru
        $stopped.Status | Should -Be 'Exited'
        $stopped.ExitCode | Should -Be 0
        $stopped.FinishedAt | Should -Not -BeNullOrEmpty
        # Get-Container may list nothing at all here: compare names as a (possibly empty) array.
        @(Get-Container | ForEach-Object Name) -contains 'runner' | Should -BeFalse
        (Get-Container -All).Name | Should -Contain 'runner'

        Remove-Container runner
        Get-TestMountPoint -Path (Join-Path $env:PSCONTAINERS_ROOT "containers/$($c.Id)") | Should -BeNullOrEmpty
        Join-Path $env:PSCONTAINERS_ROOT "containers/$($c.Id)" | Should -Not -Exist
        Join-Path $env:PSCONTAINERS_RUNROOT "containers/$($c.Id)" | Should -Not -Exist
    }

    It 'stops a container that ignores SIGTERM with SIGKILL after the timeout' {
        New-Container $rootfs -Name stubborn -- sh -c 'trap "" TERM; while true; do sleep 0.1; done' | Start-Container
        $elapsed = Measure-Command { $script:s = Stop-Container stubborn -Timeout 1 -PassThru }
        $s.Status | Should -Be 'Exited'
        $s.ExitCode | Should -Be 137
        $elapsed.TotalSeconds | Should -BeGreaterOrEqual 1
        $elapsed.TotalSeconds | Should -BeLessThan 10
        Remove-Container stubborn
    }

    It 'never modifies the root filesystem: writes land in the container''s own layer' {
        $c = New-Container $rootfs -- sh -c 'echo data > /written; rm /bin/ls'
        Start-Container $c.Id
        Wait-Container $c.Id | ForEach-Object ExitCode | Should -Be 0
        Join-Path $rootfs 'written' | Should -Not -Exist
        Join-Path $rootfs 'bin/ls' | Should -Exist
        Join-Path $env:PSCONTAINERS_ROOT "containers/$($c.Id)/upper/written" | Should -Exist
        ((Get-ChildItem -LiteralPath $rootfs -Recurse -Force | ForEach-Object FullName | Sort-Object) -join "`n") | Should -Be $rootfsListing
        $changes = Get-ContainerChange $c.Id
        ($changes | Where-Object Path -EQ '/written').Kind | Should -Be 'Added'
        ($changes | Where-Object Path -EQ '/bin/ls').Kind | Should -Be 'Deleted'
        ($changes | Where-Object Path -EQ '/bin').Kind | Should -Be 'Changed'
        Remove-Container $c.Id
    }

    It 'removes exited containers through the pipeline' {
        1..3 | ForEach-Object { New-Container $rootfs -Name "piped-$_" -- true | Start-Container -PassThru } | Wait-Container | Out-Null
        Get-Container -All -Name 'piped-*' | Where-Object Status -EQ Exited | Remove-Container
        Get-Container -Name 'piped-*' | Should -BeNullOrEmpty
    }

    It 'renames, suspends and resumes a running container' {
        New-Sleeper -Name before | Start-Container
        Rename-Container before after -PassThru | ForEach-Object Name | Should -Be 'after'
        (Suspend-Container after -PassThru).Status | Should -Be 'Paused'
        (Resume-Container after -PassThru).Status | Should -Be 'Running'
        Remove-Container after -Force
    }
}

Describe 'Invoke-Container' {
    It 'streams the container''s stdout and stderr as objects and sets $LASTEXITCODE' {
        $global:LASTEXITCODE = 0
        $lines = @(Invoke-Container $rootfs -Remove -- sh -c 'echo one; echo two >&2; exit 7')
        $LASTEXITCODE | Should -Be 7
        ($lines | Where-Object Stream -EQ stdout).Text | Should -Be 'one'
        ($lines | Where-Object Stream -EQ stderr).Text | Should -Be 'two'
        $lines[0].Time | Should -BeOfType [DateTimeOffset]
        Get-Container -All | Where-Object { $_.Command -contains 'echo one; echo two >&2; exit 7' } | Should -BeNullOrEmpty
    }

    It 'sets $LASTEXITCODE as docker run does when the container cannot start: 127 <Command> not found, 126 not runnable' -TestCases @(
        @{ Command = '/no-such-command'; Code = 127; Reason = 'executable file not found' }
        @{ Command = '/etc'; Code = 126; Reason = 'directory' }
    ) {
        param($Command, $Code, $Reason)
        $global:LASTEXITCODE = 0
        Invoke-Container $rootfs -Remove -Name cannotstart -ErrorVariable err -ErrorAction SilentlyContinue -- $Command | Should -BeNullOrEmpty
        $LASTEXITCODE | Should -Be $Code
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ContainerStartFailed,*'
        "$($err[0])" | Should -BeLike "*$Reason*"
        Get-Container -All | Where-Object Name -EQ cannotstart | Should -BeNullOrEmpty -Because '-Remove removes a container that failed to start'
    }

    It 'writes each line when the container writes it, not at the end' {
        $arrivals = Invoke-Container $rootfs -Remove -- sh -c 'echo first; sleep 2; echo second' |
            ForEach-Object { [pscustomobject]@{ Text = $_.Text; At = [DateTime]::UtcNow } }
        $arrivals.Text | Should -Be @('first', 'second')
        ($arrivals[1].At - $arrivals[0].At).TotalSeconds | Should -BeGreaterThan 1.2
    }

    It 'runs detached, returns the container, and -PassThru in the foreground gives the exit code on the object' {
        $c = Invoke-Container $rootfs -Detach -Name detached -- sh -c 'sleep 2; exit 4'
        $c.Status | Should -Be 'Running'
        (Wait-Container detached).ExitCode | Should -Be 4
        Remove-Container detached
        $last = Invoke-Container $rootfs -Remove -PassThru -- sh -c 'exit 3' | Select-Object -Last 1
        $last.ExitCode | Should -Be 3
    }

    It 'with -Init runs psc-init as PID 1, which reaps the orphans that any other PID 1 leaves as zombies' {
        # The subshell's sleep is orphaned at once and adopted by PID 1; after the exec, PID 1 of the control is
        # a plain sleep, which never waits for it, so it stays a zombie. psc-init is PID 1 of the other and reaps it.
        $probe = '(sleep 0.1 &); exec sleep 60'
        try {
            Invoke-Container $rootfs -Detach -Init -Name withinit -- sh -c $probe | Out-Null
            Invoke-Container $rootfs -Detach -Name noinit -- sh -c $probe | Out-Null
            Start-Sleep -Milliseconds 800
            (Invoke-ContainerCommand withinit -- cat /proc/1/cmdline).Text -replace "`0", ' ' | Should -Be '/dev/init -- sh -c (sleep 0.1 &); exec sleep 60 '
            (Invoke-ContainerCommand withinit -- ps -o 'stat=,comm=').Text | Where-Object { $_ -match '^Z' } | Should -BeNullOrEmpty
            (Invoke-ContainerCommand noinit -- ps -o 'stat=,comm=').Text | Where-Object { $_ -match '^Z' } | Should -HaveCount 1 -Because 'the control: a PID 1 that is not an init leaves the orphan a zombie'
        } finally {
            Get-Container -All -Name withinit, noinit | Remove-Container -Force
        }
    }

    It 'with -Init forwards the stop signal, so a command that would ignore it as PID 1 stops at once with its exit code' {
        # sleep as PID 1 has no SIGTERM handler, so the kernel drops the signal; as the init's child it dies of it.
        try {
            # Stopped right after the start: the engine waits for psc-init's handlers rather than lose the signal.
            Invoke-Container $rootfs -Detach -Init -Name initstop -- sleep 300 | Out-Null
            $elapsed = Measure-Command { $script:stopped = Stop-Container initstop -Timeout 20 -PassThru }
            $stopped.ExitCode | Should -Be 143 -Because 'psc-init exits with 128 + SIGTERM, as its child did'
            $elapsed.TotalSeconds | Should -BeLessThan 15
        } finally {
            Get-Container -All -Name initstop | Remove-Container -Force
        }
        $exit = Invoke-Container $rootfs -Remove -Init -PassThru -- sh -c 'exit 7' | Select-Object -Last 1
        $exit.ExitCode | Should -Be 7
        Invoke-Container $rootfs -Remove -Init -- no-such-command 2>$null | Out-Null
        $LASTEXITCODE | Should -Be 127
    }

    It 'with -Privileged gives every capability this host can grant (its bounding set), and a writable /sys' {
        $hostBounding = (Get-Content /proc/self/status | Where-Object { $_ -like 'CapBnd:*' }) -replace '^CapBnd:\s*', ''
        $out = @((Invoke-Container $rootfs -Remove -Privileged -- sh -c 'grep CapEff /proc/self/status; mount | grep " /sys " | head -1').Text)
        $LASTEXITCODE | Should -Be 0
        $out[0] | Should -Be "CapEff:`t$hostBounding"
        ($out -join "`n") | Should -Match '/sys type sysfs \(rw'
    }

    It 'applies hostname, environment, user and working directory' {
        $out = (Invoke-Container $rootfs -Remove -Hostname box -Environment @{ GREETING = 'hello' } -User 1000:1000 -WorkingDirectory /tmp -- `
                sh -c 'echo $(hostname) $GREETING $(id -u):$(id -g) $(pwd)').Text
        $out | Should -Be 'box hello 1000:1000 /tmp'
    }

    It 'enforces a memory limit and reports it in the statistics' {
        $c = Invoke-Container $rootfs -Detach -Memory 32MB -PidsLimit 20 -Name limited -- sh -c 'while true; do sleep 0.1; done'
        $stats = Get-ContainerStatistic limited
        $stats.MemoryLimit | Should -Be 32MB
        $stats.PidsLimit | Should -Be 20
        $stats.PidsCurrent | Should -BeGreaterThan 0
        Set-Container limited -Memory 48MB
        (Get-ContainerStatistic limited).MemoryLimit | Should -Be 48MB
        (Get-ContainerProcess limited).CommandLine | Should -Contain 'sh -c while true; do sleep 0.1; done'
        Remove-Container $c.Id -Force
    }
}

Describe 'Domain name, annotations, the OOM killer and the cgroup namespace' {
    It 'sets the domain name, records the annotations, disables the OOM killer in the memory cgroup and gives a private cgroup namespace' {
        $c = Invoke-Container $rootfs -Detach -Name identity -Domainname example.org -Annotation @{ 'org.test/a' = 'b' } -Label @{ tier = 'x' } `
            -OomKillDisable -Memory 64MB -CgroupNamespace private -- sleep 300
        try {
            (Invoke-ContainerCommand identity -- cat /proc/sys/kernel/domainname).Text | Should -Be 'example.org'
            # In its own cgroup namespace the container's cgroup is the root of every hierarchy.
            (Invoke-ContainerCommand identity -- cat /proc/self/cgroup).Text | Where-Object { $_ -match ':memory:' } | Should -Match ':memory:/$'
            Get-Content -LiteralPath "/sys/fs/cgroup/memory/pscontainers/$($c.Id)/memory.oom_control" | Should -Contain 'oom_kill_disable 1'
            $annotations = (Get-Content -Raw -LiteralPath (Join-Path $env:PSCONTAINERS_ROOT "containers/$($c.Id)/bundle/config.json") | ConvertFrom-Json).annotations
            $annotations.'org.test/a' | Should -Be 'b'
            $annotations.tier | Should -Be 'x'
        }
        finally {
            Remove-Container $c.Id -Force
        }
    }

    It 'shows the host''s cgroup paths with -CgroupNamespace host (the default on this cgroup v1 host)' {
        $c = Invoke-Container $rootfs -Detach -Name hostcgns -CgroupNamespace host -- sleep 300
        try {
            (Invoke-ContainerCommand hostcgns -- cat /proc/self/cgroup).Text | Where-Object { $_ -match ':memory:' } | Should -Match "/pscontainers/$($c.Id)$"
        }
        finally {
            Remove-Container $c.Id -Force
        }
    }
}

Describe 'Networks none and host' {
    It 'gives a -Network none container an up loopback where a server on 127.0.0.1 answers' {
        $out = Invoke-Container $rootfs -Remove -Network none -- sh -c '(echo pong | nc -l -p 7001 &); i=0; while [ $i -lt 50 ]; do r=$(nc 127.0.0.1 7001 </dev/null 2>/dev/null) && [ -n "$r" ] && break; i=$((i+1)); usleep 100000; done; echo "got:$r"; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
        $LASTEXITCODE | Should -Be 0
        @($out | ForEach-Object Text) | Should -Be @('got:pong', 'lo')
    }

    It 'puts a -Network host container in the host''s network namespace, with the host''s name and resolver files' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $accept = $listener.AcceptTcpClientAsync()
            $c = Invoke-Container $rootfs -Network host -Detach -- sh -c "echo hello | nc 127.0.0.1 $port; sleep 30"
            $accept.Wait(20000) | Should -BeTrue -Because 'the container reaches a server the host runs on 127.0.0.1'
            $client = $accept.Result
            try {
                $reader = [System.IO.StreamReader]::new($client.GetStream())
                $reader.ReadLine() | Should -Be 'hello'
            } finally { $client.Dispose() }
            $hostNs = (Get-Item -LiteralPath '/proc/self/ns/net').Target
            $containerNs = (Get-Item -LiteralPath "/proc/$($c.Pid)/ns/net").Target
            $containerNs | Should -Be $hostNs
            (Invoke-ContainerCommand $c.Id -- hostname | ForEach-Object Text) | Should -Be ([System.Net.Dns]::GetHostName())
            if (Test-Path /etc/resolv.conf) {
                (Invoke-ContainerCommand $c.Id -- cat /etc/resolv.conf | ForEach-Object Text) -join "`n" | Should -Be ((Get-Content /etc/resolv.conf) -join "`n")
            }
        } finally {
            $listener.Stop()
            if ($c) { Remove-Container $c.Id -Force }
        }
    }

    It 'refuses a network it does not know, naming it, and creates nothing' {
        $before = @(Get-Container -All).Count
        { New-Container $rootfs -Network nosuchnet -ErrorAction Stop -- true } | Should -Throw '*nosuchnet*'
        @(Get-Container -All).Count | Should -Be $before
    }
}

Describe 'Get-ContainerLog' {
    BeforeAll {
        $script:logged = New-Container $rootfs -Name logged -- sh -c 'echo oops >&2; sleep 0.3; for i in 1 2 3 4 5; do echo line$i; done'
        Start-Container logged
        Wait-Container logged | Out-Null
    }
    AfterAll { Remove-Container logged -Force -ErrorAction SilentlyContinue }

    It 'returns one object per line with Time, Stream and Text' {
        $log = Get-ContainerLog logged
        # Lines of one stream keep their order; across stdout and stderr only time orders them.
        $log.Text | Should -Be @('oops', 'line1', 'line2', 'line3', 'line4', 'line5')
        ($log | Where-Object Text -EQ oops).Stream | Should -Be 'stderr'
    }

    It 'returns the last lines with -Tail and the recent ones with -Since' {
        (Get-ContainerLog logged -Tail 2).Text | Should -Be @('line4', 'line5')
        Get-ContainerLog logged -Since ([DateTime]::UtcNow.AddMinutes(1)) | Should -BeNullOrEmpty
        @(Get-ContainerLog logged -Since ([DateTime]::UtcNow.AddMinutes(-5))).Count | Should -Be 6
    }

    It 'follows a running container until it exits' {
        New-Container $rootfs -Name follower -- sh -c 'echo a; sleep 1; echo b' | Start-Container
        (Get-ContainerLog follower -Follow).Text | Should -Be @('a', 'b')
        Remove-Container follower
    }
}

Describe 'Invoke-ContainerCommand' {
    BeforeAll { New-Sleeper -Name execbox | Start-Container }
    AfterAll { Remove-Container execbox -Force -ErrorAction SilentlyContinue }

    It 'streams the output and sets the exit code' {
        $out = Invoke-ContainerCommand execbox -- sh -c 'echo inside; exit 5'
        $out.Text | Should -Be 'inside'
        $LASTEXITCODE | Should -Be 5
        (Invoke-ContainerCommand execbox -PassThru -- true | Select-Object -Last 1).ExitCode | Should -Be 0
    }

    It 'feeds piped text and bytes to the process''s standard input, and keeps containers from the pipeline on -Id' {
        ('one', 'two', 'three' | Invoke-ContainerCommand execbox -- wc -l).Text.Trim() | Should -Be '3'
        $bytes = [byte[]](0..255)
        , $bytes | Invoke-ContainerCommand execbox -- sh -c 'cat > /tmp/bytes'
        $LASTEXITCODE | Should -Be 0
        (Invoke-ContainerCommand execbox -- sh -c 'od -An -v -tx1 /tmp/bytes | tr -d " \n"').Text |
            Should -Be (($bytes | ForEach-Object { '{0:x2}' -f $_ }) -join '')
        # Without input the process reads end-of-file at once, so cat ends.
        Invoke-ContainerCommand execbox -- cat | Should -BeNullOrEmpty
        # A container piped in is still the target, not the input.
        (Get-Container execbox | Invoke-ContainerCommand -Command 'sh', '-c', 'cat; echo done').Text | Should -Be 'done'
    }

    It 'runs with the given environment, user and working directory' {
        (Invoke-ContainerCommand execbox -Environment @{ X = 'y' } -User 1000 -WorkingDirectory /tmp -- sh -c 'echo $X $(id -u) $(pwd)').Text |
            Should -Be 'y 1000 /tmp'
    }
}

Describe 'Copy-ContainerItem and Export-Container' {
    BeforeAll {
        New-Container $rootfs -Name files -- sh -c 'ln -s /etc /esc; trap "exit 0" TERM; while true; do sleep 0.1; done' | Start-Container
        Wait-Until { (Invoke-ContainerCommand files -- ls /esc).Count -gt 0 }
        $script:hostDir = New-TestDirectory -Name copy
    }
    AfterAll {
        Remove-Container files -Force -ErrorAction SilentlyContinue
        Remove-TestDirectory -Path $hostDir
    }

    It 'copies a file in and out, resolving container symlinks inside the container' {
        Set-Content -LiteralPath (Join-Path $hostDir 'note.txt') -Value 'from host'
        Copy-ContainerItem (Join-Path $hostDir 'note.txt') 'files:/esc/note.txt'
        (Invoke-ContainerCommand files -- cat /etc/note.txt).Text | Should -Be 'from host'
        '/etc/note.txt' | Should -Not -Exist -Because 'the link /esc -> /etc is the container''s, not the host''s'
        Copy-ContainerItem 'files:/esc/passwd' (Join-Path $hostDir 'passwd')
        Get-Content (Join-Path $hostDir 'passwd') | Should -Be 'root:x:0:0:root:/root:/bin/sh'
    }

    It 'copies a directory tree in and out with its modes and symlinks, into an existing directory or to a new name' {
        $tree = Join-Path $hostDir 'tree'
        New-Item -ItemType Directory -Path (Join-Path $tree 'sub') -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $tree 'sub/a.txt') -Value 'a'
        [System.IO.File]::SetUnixFileMode((Join-Path $tree 'sub/a.txt'), [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead')
        New-Item -ItemType SymbolicLink -Path (Join-Path $tree 'link') -Target 'sub/a.txt' | Out-Null
        Copy-ContainerItem $tree 'files:/tmp' -ErrorAction Stop
        (Invoke-ContainerCommand files -- sh -c 'cat /tmp/tree/sub/a.txt; stat -c %a /tmp/tree/sub/a.txt; readlink /tmp/tree/link').Text | Should -Be @('a', '740', 'sub/a.txt')
        Copy-ContainerItem $tree 'files:/tmp/renamed' -ErrorAction Stop
        (Invoke-ContainerCommand files -- cat /tmp/renamed/sub/a.txt).Text | Should -Be 'a'

        $back = Join-Path $hostDir 'back'
        Copy-ContainerItem 'files:/tmp/tree' $back -ErrorAction Stop
        Get-Content (Join-Path $back 'sub/a.txt') | Should -Be 'a'
        [System.IO.File]::GetUnixFileMode((Join-Path $back 'sub/a.txt')) | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead')
        (Get-Item (Join-Path $back 'link')).LinkTarget | Should -Be 'sub/a.txt'
        # Into an existing host directory: the tree lands under its own name, replacing the files and links there.
        Copy-ContainerItem 'files:/tmp/tree' $hostDir -ErrorAction Stop
        Get-Content (Join-Path $hostDir 'tree/sub/a.txt') | Should -Be 'a'
        { Copy-ContainerItem 'files:/tmp/nothing/here' $back -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerPathNotFound*'
    }

    It 'exports the filesystem as a tar with the container''s changes' {
        $tar = Join-Path $hostDir 'files.tar'
        Export-Container files $tar
        $names = @(Invoke-Native tar -tf $tar | Assert-NativeSuccess | ForEach-Object { $_.StdOut -split "`n" })
        $names | Should -Contain 'bin/busybox'
        $names | Should -Contain 'etc/note.txt'
    }
}

Describe '-WhatIf changes nothing' {
    It 'creates, starts, stops and removes nothing' {
        New-Container $rootfs -Name whatif-new -WhatIf -- true
        Get-Container -All -Name whatif-new -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        New-Sleeper -Name whatif | Out-Null
        Start-Container whatif -WhatIf
        (Get-Container -Name whatif).Status | Should -Be 'Created'
        Start-Container whatif
        Stop-Container whatif -WhatIf
        (Get-Container -Name whatif).Status | Should -Be 'Running'
        Remove-Container whatif -Force -WhatIf
        (Get-Container -Name whatif).Status | Should -Be 'Running'
        Invoke-Container $rootfs -Name whatif-run -WhatIf -- true
        Get-Container -All -Name whatif-run -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Remove-Container whatif -Force
    }
}

Describe 'Errors carry stable ErrorIds' {
    It '<Case>' -TestCases @(
        @{ Case = 'an unknown container is ContainerNotFound'; Script = { Stop-Container no-such-container }; Id = 'ContainerNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'a missing root filesystem is RootFsNotFound'; Script = { New-Container '/nonexistent/rootfs' -- true }; Id = 'RootFsNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'an unknown capability is InvalidArgument'; Script = { New-Container $rootfs -CapAdd FLY -- true }; Id = 'InvalidArgument'; Category = 'InvalidArgument' }
        @{ Case = 'a bad restart policy is InvalidArgument'; Script = { New-Container $rootfs -Restart sometimes -- true }; Id = 'InvalidArgument'; Category = 'InvalidArgument' }
        @{ Case = 'an exec in a stopped container is ContainerNotRunning'; Script = { New-Container $rootfs -Name idle -- true | Out-Null; Invoke-ContainerCommand idle -- true }; Id = 'ContainerNotRunning'; Category = 'ResourceUnavailable' }
    ) {
        param($Case, $Script, $Id, $Category)
        $before = @(Get-Container -All).Count
        $Error.Clear()
        & { $ErrorActionPreference = 'SilentlyContinue'; & $Script }
        $failures = @($Error | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Select-Object -Last 1)
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        "$($failures[0].CategoryInfo.Category)" | Should -Be $Category
        if ($Id -ne 'ContainerNotRunning') {
            @(Get-Container -All).Count | Should -Be $before -Because 'bad input leaves nothing behind'
        }
        Remove-Container idle -ErrorAction SilentlyContinue
    }

    It 'refuses to remove a running container without -Force (ContainerRunning) and a taken name (ContainerNameInUse)' {
        New-Sleeper -Name busy | Start-Container
        Remove-Container busy -ErrorAction SilentlyContinue -ErrorVariable e1
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'ContainerRunning,*'
        "$($e1[0].CategoryInfo.Category)" | Should -Be 'ResourceUnavailable'
        $e1[0].TargetObject | Should -Be 'busy'
        (Get-Container -Name busy).Status | Should -Be 'Running'
        New-Container $rootfs -Name busy -ErrorAction SilentlyContinue -ErrorVariable e2 -- true
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'ContainerNameInUse,*'
        Remove-Container busy -Force
        Get-Container -All -Name busy -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Containers outlive the pwsh that started them' {
    It 'keeps running after the starting pwsh exits and is stopped from another pwsh' {
        Invoke-InOtherPwsh "Invoke-Container '$rootfs' -Detach -Name survivor -- sh -c 'trap ""exit 0"" TERM; while true; do sleep 0.1; done' | Out-Null"
        $c = Get-Container -Name survivor
        $c.Status | Should -Be 'Running'
        Test-Path "/proc/$($c.Pid)" | Should -BeTrue
        Invoke-InOtherPwsh "Stop-Container survivor"
        (Get-Container -All -Name survivor).Status | Should -Be 'Exited'
        Remove-Container survivor
    }

    It 'tells the truth after its monitor is killed with SIGKILL, and Remove-Container -Force cleans up' {
        $c = Invoke-Container $rootfs -Detach -Name orphan -- sh -c 'while true; do sleep 0.1; done'
        $monitorPid = [int](Get-Content (Join-Path $env:PSCONTAINERS_RUNROOT "containers/$($c.Id)/monitor.pid"))
        # The engine started this monitor for this test; killing it by pid is the crash under test.
        Stop-Process -Id $monitorPid -Force
        Wait-Until { -not (Test-Path "/proc/$monitorPid") }
        $after = Get-Container -Name orphan
        $after.Status | Should -Be 'Running' -Because 'its init still runs'
        $after.Error | Should -Not -BeNullOrEmpty
        Stop-Process -Id $after.Pid -Force
        Wait-Until { (Get-Container -All -Name orphan).Status -eq 'Exited' }
        (Get-Container -All -Name orphan).ExitCode | Should -BeNullOrEmpty -Because 'nobody recorded it'
        Remove-Container orphan -Force
        Get-TestMountPoint -Path (Join-Path $env:PSCONTAINERS_ROOT "containers/$($c.Id)") | Should -BeNullOrEmpty
        Get-ChildItem -Path "/sys/fs/cgroup/*/pscontainers/$($c.Id)" -ErrorAction Ignore | Should -BeNullOrEmpty
        # Its parent (the monitor) is gone, so the host's init reaps it, in its own time: a zombie is dead too.
        $alive = { (Test-Path "/proc/$($after.Pid)/stat") -and ((Get-Content "/proc/$($after.Pid)/stat" -ErrorAction Ignore) -notmatch '\) Z ') }
        Wait-Until { -not (& $alive) }
        & $alive | Should -BeFalse
    }
}

Describe 'A foreground Invoke-Container -Remove whose pwsh is killed' {
    It 'still removes the container when it exits, leaving no record, mount or process' {
        $body = "`$ErrorActionPreference = 'Stop'; Import-Module '$moduleDir'; Invoke-Container '$rootfs' -Remove -Name fg-killed -- sh -c 'echo started; sleep 3; echo done'"
        $start = [System.Diagnostics.ProcessStartInfo]::new($script:pwsh)
        foreach ($a in @($script:hostArgs) + @('-NoProfile', '-NonInteractive', '-Command', $body)) { $start.ArgumentList.Add($a) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        try {
            # Get-Container lists nothing until the container exists: no .Status on an empty result (strict mode).
            Wait-Until { @(Get-Container -Name fg-killed -ErrorAction SilentlyContinue | Where-Object Status -EQ 'Running').Count -gt 0 } -TimeoutSeconds 60
            $c = Get-Container -Name fg-killed
            # The pwsh this test started, killed the hard way while it streams the container's output.
            $process.Kill()
            $process.WaitForExit(10000) | Should -BeTrue
            (Get-Container -Name fg-killed).Status | Should -Be 'Running' -Because 'the container outlives the pwsh attached to it'
            Wait-Until { -not (Get-Container -All -Name fg-killed -ErrorAction SilentlyContinue) } -TimeoutSeconds 20
            Test-Path -LiteralPath (Join-Path $env:PSCONTAINERS_ROOT "containers/$($c.Id)") | Should -BeFalse
            Get-TestMountPoint -Path (Join-Path $env:PSCONTAINERS_ROOT 'containers') | Should -BeNullOrEmpty
            Test-Path "/proc/$($c.Pid)/cmdline" | Should -BeFalse
        } finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            $process.Dispose()
        }
    }
}

Describe 'Concurrency' {
    It '4 pwsh processes each create, start and remove 25 containers at the same time, with no failure and no leak' {
        $before = @(Get-ChildItem -Path (Join-Path $env:PSCONTAINERS_ROOT 'containers') -Directory -ErrorAction Ignore).Count
        $workers = foreach ($p in 1..4) {
            $body = "`$ErrorActionPreference = 'Stop'; Import-Module '$moduleDir'; " +
                "foreach (`$i in 1..25) { `$c = Invoke-Container '$rootfs' -Detach -Name ""conc-$p-`$i"" -- sleep 30; Remove-Container `$c.Id -Force }; 'done'"
            $start = [System.Diagnostics.ProcessStartInfo]::new($script:pwsh)
            foreach ($a in @($script:hostArgs) + @('-NoProfile', '-NonInteractive', '-Command', $body)) { $start.ArgumentList.Add($a) }
            $start.RedirectStandardOutput = $true
            $start.RedirectStandardError = $true
            $process = [System.Diagnostics.Process]::Start($start)
            [pscustomobject]@{ Process = $process; Out = $process.StandardOutput.ReadToEndAsync(); Err = $process.StandardError.ReadToEndAsync() }
        }
        try {
            foreach ($w in $workers) {
                $w.Process.WaitForExit(300000) | Should -BeTrue -Because 'each worker finishes within 5 minutes'
                [void]$w.Out.Wait(5000)
                $w.Process.ExitCode | Should -Be 0 -Because $w.Err.Result
                $w.Out.Result.Trim() | Should -Be 'done' -Because $w.Err.Result
            }
        } finally {
            foreach ($w in $workers) { if (-not $w.Process.HasExited) { $w.Process.Kill($true) } }
        }
        Get-Container -All -Name 'conc-*' | Should -BeNullOrEmpty
        @(Get-ChildItem -Path (Join-Path $env:PSCONTAINERS_ROOT 'containers') -Directory -ErrorAction Ignore).Count | Should -Be $before
        @(Get-ChildItem -Path (Join-Path $env:PSCONTAINERS_ROOT 'names') -File -ErrorAction Ignore | Where-Object Name -Like 'conc-*') | Should -BeNullOrEmpty
        @(Get-ChildItem -Path (Join-Path $env:PSCONTAINERS_RUNROOT 'pscrun') -Directory -ErrorAction Ignore) | Should -BeNullOrEmpty
        Get-TestMountPoint -Path (Join-Path $env:PSCONTAINERS_ROOT 'containers') | Should -BeNullOrEmpty
        $monitors = foreach ($procDir in Get-ChildItem -Path '/proc' -Directory | Where-Object Name -Match '^\d+$') {
            $cmdline = try { [System.IO.File]::ReadAllText((Join-Path $procDir.FullName 'cmdline')) } catch { '' }
            if ($cmdline.Contains('monitor') -and $cmdline.Contains($env:PSCONTAINERS_RUNROOT)) { $procDir.Name }
        }
        $monitors | Should -BeNullOrEmpty
    }
}
