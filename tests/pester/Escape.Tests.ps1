# The escape suite: attempts made from inside a container to reach the host (escape-probe.c, built here with clang,
# makes each one and prints NAME=0 when it got through, NAME=ERRNO when the kernel stopped it). With default
# settings every attempt must fail and the host must be untouched. The same attempts with -Privileged must mostly
# get through: that shows each attempt is one that can succeed, so its failure by default means something. No
# attempt writes to the host (see escape-probe.c).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $engine = Enter-TestEngine -Name escape
    $script:work = $engine.Work
    $script:savedEnv = $engine.Saved
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    Install-TestProbe -RootFs $rootfs -Name escape-probe

    # A file only the host has, for the attempts that walk out of the container's root.
    $script:marker = Join-Path $work ('host-only-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    Set-Content -LiteralPath $marker -Value 'host'
    # A host-only directory with a secret, for the symlinks swapped in during an operation.
    $script:hostDir = Join-Path $work 'host-dir'
    New-Item -ItemType Directory -Path $hostDir | Out-Null
    Set-Content -LiteralPath (Join-Path $hostDir 'secret') -Value 'host-secret'
    # An abstract unix socket on the host: its name lives in the host's network namespace.
    $script:abstractName = 'psc-escape-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:listener = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
    $listener.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new("`0$abstractName"))
    $listener.Listen(16)
    $rootDevice = (Get-Content /proc/self/mountinfo | Where-Object { ($_ -split ' ')[4] -eq '/' } | Select-Object -First 1) -split ' '
    $script:attempts = @(
        'mount-proc', 'mount-sysfs', 'mount-tmpfs', 'mount-cgroup-v1', 'unshare-then-mount-cgroup',
        'write-sysrq-trigger', 'write-core-pattern', 'write-sys', 'write-cgroup-procs',
        'read-kcore', 'read-timer-list', 'read-keys',
        'mknod-mem', "mknod-disk=$($rootDevice[2])", 'open-by-handle',
        'init-module', 'finit-module', 'kexec-load', 'reboot', 'set-clock', 'swapon', 'bpf', 'perf-event-open', 'userfaultfd',
        'host-keyring', 'syslog', "chroot-escape=$marker", "walk-fds-and-cwd=$marker", "ptrace-host=$PID", 'tiocsti',
        "abstract-socket=$abstractName")

    # Each attempt in a process of its own (an unshare or a chroot must not change the next one), in one container.
    function Invoke-Escape([hashtable]$Options, [string[]]$Only = $attempts) {
        $script = ($Only | ForEach-Object { "/bin/escape-probe '$_'" }) -join '; '
        if (-not $Options.ContainsKey('Network')) { $Options = $Options + @{ Network = 'none' } }
        $lines = @(Invoke-Container $rootfs -Remove @Options -- sh -c $script)
        $result = [ordered]@{}
        foreach ($line in $lines.Text) {
            if ($line -match '^([a-z0-9-]+)=(\d+)$') { $result[$Matches[1]] = [int]$Matches[2] }
        }
        $result
    }

    # What the host looks like where an attempt could leave a trace.
    function Get-HostState {
        [ordered]@{
            CorePattern = [System.IO.File]::ReadAllText('/proc/sys/kernel/core_pattern')
            Hugepage    = [System.IO.File]::ReadAllText('/sys/kernel/mm/transparent_hugepage/enabled')
            Swaps       = [System.IO.File]::ReadAllText('/proc/swaps')
            Marker      = [System.IO.File]::ReadAllText($marker)
            Mounts      = @(Get-Content /proc/self/mountinfo | ForEach-Object { ($_ -split ' ')[4] } | Sort-Object) -join "`n"
        }
    }
    $script:hostBefore = Get-HostState
}

AfterAll {
    $listener.Dispose()
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe 'Escape attempts from a container with default settings' {
    BeforeAll { $script:defaults = Invoke-Escape @{} }

    It 'ran every attempt' {
        @($defaults.Keys) | Should -Be @($attempts | ForEach-Object { ($_ -split '=')[0] })
    }

    It 'stops <Name>' -TestCases @(
        'mount-proc', 'mount-sysfs', 'mount-tmpfs', 'mount-cgroup-v1', 'unshare-then-mount-cgroup',
        'write-sysrq-trigger', 'write-core-pattern', 'write-sys', 'write-cgroup-procs',
        'read-kcore', 'read-timer-list', 'read-keys', 'mknod-mem', 'mknod-disk', 'open-by-handle',
        'init-module', 'finit-module', 'kexec-load', 'reboot', 'set-clock', 'swapon', 'bpf', 'perf-event-open', 'userfaultfd',
        'host-keyring', 'syslog', 'chroot-escape', 'walk-fds-and-cwd', 'ptrace-host', 'tiocsti', 'abstract-socket' | ForEach-Object { @{ Name = $_ } }) {
        $defaults[$Name] | Should -Not -Be 0 -Because "$Name must fail in a default container"
    }

    It 'holds a fork bomb with the pids limit and a memory bomb with the memory limit' {
        # 200 background processes against a limit of 32: the forks past it are refused.
        $forks = @(Invoke-Container $rootfs -Remove -Network none -PidsLimit 32 -- sh -c 'i=0; while [ $i -lt 200 ]; do sleep 5 & i=$((i+1)); done')
        @($forks | Where-Object { "$_" -match "can't fork|Resource temporarily unavailable" }).Count | Should -BeGreaterThan 0
        # dd with a 64 MiB block fills its buffer: more than the 16 MiB the cgroup allows.
        Invoke-Container $rootfs -Remove -Network none -Memory 16MB -MemorySwap 16MB -- dd if=/dev/zero of=/dev/null bs=64M count=1 | Out-Null
        $LASTEXITCODE | Should -Be 137 -Because 'the memory bomb is killed by the cgroup'
    }

    It 'left the host as it was' {
        $after = Get-HostState
        foreach ($key in $hostBefore.Keys) { $after[$key] | Should -Be $hostBefore[$key] -Because $key }
    }
}

Describe 'The same attempts with -Privileged (dangerous: the control that shows the attempts can succeed)' {
    It 'lets most of them through, and says which' {
        $privileged = Invoke-Escape @{ Privileged = $true }
        $through = @($privileged.Keys | Where-Object { $privileged[$_] -eq 0 })
        $stopped = @($privileged.Keys | Where-Object { $privileged[$_] -ne 0 })
        Write-Host "escape suite: default settings stopped $(@($defaults.Keys | Where-Object { $defaults[$_] -ne 0 }).Count) of $($defaults.Count); -Privileged let $($through.Count) of $($privileged.Count) through; still stopped with -Privileged: $($stopped -join ', ')"
        $through.Count | Should -BeGreaterThan ($privileged.Count / 2)
        # What the namespaces alone hold, privileged or not: the root, the host's processes, a terminal.
        foreach ($name in 'chroot-escape', 'walk-fds-and-cwd', 'ptrace-host', 'tiocsti', 'abstract-socket') { $privileged[$name] | Should -Not -Be 0 -Because $name }
        $after = Get-HostState
        foreach ($key in $hostBefore.Keys) { $after[$key] | Should -Be $hostBefore[$key] -Because $key }
    }
}

Describe 'The abstract socket attempt can succeed' {
    It 'reaches the host socket with -Network host, so its failure by default is the network namespace at work' {
        $hostNet = Invoke-Escape @{ Network = 'host' } -Only "abstract-socket=$abstractName"
        $hostNet['abstract-socket'] | Should -Be 0
    }
}

Describe 'A symlink swapped in during an operation (the CVE-2021-30465 class)' {
    BeforeAll {
        $script:hostEntries = { @(Get-ChildItem -LiteralPath $hostDir -Force | ForEach-Object Name | Sort-Object) -join ',' }
        $script:hostListing = & $hostEntries
        New-ContainerVolume -Name escape-shared | Out-Null
        New-ContainerVolume -Name escape-payload | Out-Null
        Invoke-Container $rootfs -Remove -Network none -Volume escape-payload:/p -- sh -c 'echo payload > /p/payload' | Out-Null
    }

    AfterAll {
        Get-Container -All | Where-Object Name -like 'escape-*' | Remove-Container -Force
        Remove-ContainerVolume -Name escape-shared, escape-payload -Force -ErrorAction Ignore
    }

    It 'never mounts a volume over a host path named by a symlink at its destination, placed there or swapped in' {
        # Placed before the start: /shared/escape in the shared volume leads to a host-only path.
        Invoke-Container $rootfs -Remove -Network none -Volume escape-shared:/v -- ln -s "$hostDir/created" /v/escape | Out-Null
        $inside = try { @(Invoke-Container $rootfs -Remove -Network none -Volume 'escape-shared:/shared', 'escape-payload:/shared/escape' -ErrorAction Stop -- cat "$hostDir/created/payload") -join '' } catch { "refused ($($_.FullyQualifiedErrorId)): $_" }
        Write-Host "mount destination through a placed symlink: $inside"
        # Either the mount lands inside the container's root (where the link leads when / is the container's) or the
        # start is refused because that in-root path does not exist; never the host's directory.
        $inside | Should -Match '^(payload|refused \(.+\): .*/shared/escape.*)$'
        & $hostEntries | Should -Be $hostListing

        # Swapped while containers start: another container exchanges the destination with the link (renameat2 RENAME_EXCHANGE).
        $flip = "rm -f /v/escape; mkdir /v/escape; ln -s '$hostDir/created' /v/escape-link; /bin/escape-probe swap-loop=/v/escape:/v/escape-link:60"
        Invoke-Container $rootfs -Detach -Name escape-flipper -Network none -Volume escape-shared:/v -- sh -c $flip | Out-Null
        $started = 0
        foreach ($i in 1..8) {
            try { Invoke-Container $rootfs -Remove -Network none -Volume 'escape-shared:/shared', 'escape-payload:/shared/escape' -ErrorAction Stop -- true | Out-Null; $started++ } catch { Write-Verbose "start $i refused: $_" }
        }
        Remove-Container escape-flipper -Force
        Write-Host "mount destination swapped during start: $started of 8 containers started"
        & $hostEntries | Should -Be $hostListing
        (Get-Content /proc/self/mountinfo | ForEach-Object { ($_ -split ' ')[4] }) | Should -Not -Contain "$hostDir/created"
    }

    It 'never lets Copy-ContainerItem or Export-Container read or write a host path through a placed or swapped symlink' {
        $out = Join-Path $work 'copied-out'
        New-Item -ItemType Directory -Path $out -Force | Out-Null
        $payloadFile = Join-Path $work 'dropped'
        Set-Content -LiteralPath $payloadFile -Value 'dropped'
        # /tmp/link leads to the host-only directory's path; /tmp/d is exchanged with such a link as fast as the kernel allows.
        $flip = "ln -s '$hostDir' /tmp/link; mkdir /tmp/d; echo in-container > /tmp/d/secret; ln -s '$hostDir' /tmp/s; /bin/escape-probe swap-loop=/tmp/d:/tmp/s:60; sleep 1000"
        Invoke-Container $rootfs -Detach -Name escape-copy -Network none -- sh -c $flip | Out-Null

        { Copy-ContainerItem $payloadFile 'escape-copy:/tmp/link/dropped' -ErrorAction Stop } | Should -Throw
        { Copy-ContainerItem 'escape-copy:/tmp/link/secret' (Join-Path $out 'placed') -ErrorAction Stop } | Should -Throw

        $in = 0; $outCount = 0
        foreach ($i in 1..40) {
            Copy-ContainerItem $payloadFile 'escape-copy:/tmp/d/dropped' -ErrorAction SilentlyContinue -ErrorVariable failedIn
            if (-not $failedIn) { $in++ }
            Copy-ContainerItem 'escape-copy:/tmp/d/secret' (Join-Path $out "secret-$i") -ErrorAction SilentlyContinue -ErrorVariable failedOut
            if (-not $failedOut) { $outCount++ }
        }
        # Export-Container walks the same tree while /tmp/d keeps changing: no tar may hold the host's secret.
        foreach ($i in 1..5) { Export-Container escape-copy (Join-Path $out "export-$i.tar") }
        Remove-Container escape-copy -Force
        Write-Host "Copy-ContainerItem during the swap: $in of 40 copies in and $outCount of 40 copies out went through, all inside the container"
        & $hostEntries | Should -Be $hostListing
        @(Get-ChildItem -LiteralPath $out -File | Where-Object { [System.IO.File]::ReadAllText($_.FullName) -match 'host-secret' }).Count | Should -Be 0
        @(Get-ChildItem -LiteralPath $out -Filter 'export-*.tar').Count | Should -Be 5
        ($in + $outCount) | Should -BeGreaterThan 0 -Because 'some copies run while /tmp/d is a directory, so the race was really run'
    }
}
