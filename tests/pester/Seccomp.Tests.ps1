# The seccomp filter as the kernel applies it: the default profile, -SecurityOpt, -CapAdd and -Privileged on the
# engine's containers, and podman with pscrun as its runtime applying podman's own profiles beside crun.
# A static probe (seccomp-probe.c, built here with clang) makes the raw system calls and prints NAME=ERRNO.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $engine = Enter-TestEngine -Name seccomp
    $script:work = $engine.Work
    $script:savedEnv = $engine.Saved
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    Install-TestProbe -RootFs $rootfs -Name seccomp-probe
    # The 32-bit probe: no libc, so it needs no i386 libraries to build or run.
    Invoke-Native -FilePath clang -ArgumentList @('-m32', '-static', '-nostdlib', '-ffreestanding', '-fno-stack-protector', '-O2',
        '-o', (Join-Path $rootfs 'bin/seccomp-probe32'), (Join-Path $PSScriptRoot 'seccomp-probe32.c')) | Assert-NativeSuccess | Out-Null

    # A profile in Docker's format that allows everything but mkdir.
    $script:denyMkdir = Join-Path $work 'deny-mkdir.json'
    Set-Content -LiteralPath $denyMkdir -Value '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }'

    # Runs the probe in a new container and returns NAME -> errno.
    function Invoke-Probe {
        param([string[]]$Probe, [hashtable]$Options = @{})
        $lines = @(Invoke-Container $rootfs -Remove -Network none @Options -- /bin/seccomp-probe @Probe)
        $LASTEXITCODE | Should -Be 0 -Because ($lines.Text -join "`n")
        ConvertFrom-ProbeOutput ($lines.Text)
    }

    function ConvertFrom-ProbeOutput([string[]]$Lines) {
        $result = @{}
        foreach ($line in $Lines) {
            if ($line -match '^([a-z0-9_-]+)=(\d+)$') { $result[$Matches[1]] = [int]$Matches[2] }
        }
        $result
    }

    function Get-StatusField([hashtable]$Options, [string]$Field) {
        $lines = @(Invoke-Container $rootfs -Remove -Network none @Options -- grep "^${Field}:" /proc/self/status)
        ($lines.Text -join '') -replace "^${Field}:\s*", ''
    }
}

AfterAll {
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe 'The default seccomp profile, as the kernel applies it' {
    It 'is loaded in filter mode (Seccomp: 2), without no_new_privs' {
        Get-StatusField @{} 'Seccomp' | Should -Be '2'
        Get-StatusField @{} 'NoNewPrivs' | Should -Be '0'
    }

    It 'denies the keyring syscalls with EPERM and answers clone3 with ENOSYS' {
        $r = Invoke-Probe keyctl, add_key, request_key, clone3, getpid
        $r.keyctl | Should -Be 1
        $r.add_key | Should -Be 1
        $r.request_key | Should -Be 1
        $r.clone3 | Should -Be 38
        $r.getpid | Should -Be 0 -Because 'the control: an allowed call still works'
    }

    It 'denies new user and mount namespaces (unshare -U, unshare -m) and personality(ADDR_NO_RANDOMIZE)' {
        $r = Invoke-Probe unshare-user, unshare-mount, personality-noaslr
        $r.'unshare-user' | Should -Be 1
        $r.'unshare-mount' | Should -Be 1
        $r.'personality-noaslr' | Should -Be 1
        $out = @(Invoke-Container $rootfs -Remove -Network none -- sh -c 'unshare -U true 2>&1; echo "exit=$?"').Text
        $out[-1] | Should -Not -Be 'exit=0' -Because ($out -join "`n")
    }

    It 'lets a busybox shell do ordinary work: files, processes, pipes, threads of ps and sleep' {
        $out = @(Invoke-Container $rootfs -Remove -Network none -- sh -c 'mkdir -p /tmp/a/b && echo data > /tmp/a/b/f && cat /tmp/a/b/f | tr a-z A-Z && ln -s f /tmp/a/b/l && chmod 600 /tmp/a/b/f && (sleep 0.1 & wait) && ps >/dev/null && id -u && rm -r /tmp/a && echo ok').Text
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Be @('DATA', '0', 'ok')
    }

    It 'binds commands run with Invoke-ContainerCommand in the container too' {
        $c = Invoke-Container $rootfs -Detach -Network none -Name execfilter -- sleep 60
        try {
            $r = ConvertFrom-ProbeOutput (Invoke-ContainerCommand execfilter -- /bin/seccomp-probe keyctl getpid).Text
            $r.keyctl | Should -Be 1
            $r.getpid | Should -Be 0
        }
        finally {
            Remove-Container $c.Id -Force
        }
    }
}

Describe '32-bit (i386) programs' {
    It 'run under the default profile with its rules under i386''s numbers: mkdir works, keyctl, unshare -U and personality are denied' {
        $lines = @(Invoke-Container $rootfs -Remove -Network none -- /bin/seccomp-probe32)
        $LASTEXITCODE | Should -Be 0 -Because 'a 32-bit program is not killed (Docker''s profile lists SCMP_ARCH_X86 too)'
        $r = ConvertFrom-ProbeOutput ($lines.Text)
        $r.write | Should -Be 0
        $r.mkdir | Should -Be 0
        $r.keyctl | Should -Be 1
        $r.'unshare-user' | Should -Be 1
        $r.'personality-noaslr' | Should -Be 1
    }

    It 'are killed by a profile that lists no i386 architecture, and run with all calls open when unconfined' {
        Invoke-Container $rootfs -Remove -Network none -SecurityOpt "seccomp=$denyMkdir" -- /bin/seccomp-probe32 | Out-Null
        $LASTEXITCODE | Should -Be (128 + 31) -Because 'SIGSYS: the filter kills an architecture it has no rules for'
        $r = ConvertFrom-ProbeOutput (@(Invoke-Container $rootfs -Remove -Network none -SecurityOpt seccomp=unconfined -- /bin/seccomp-probe32).Text)
        $r.keyctl | Should -Be 0
        $r.mkdir | Should -Be 0
    }
}

Describe '-SecurityOpt, -CapAdd and -Privileged' {
    It 'seccomp=unconfined runs without a filter: keyctl goes through' {
        $options = @{ SecurityOpt = 'seccomp=unconfined' }
        Get-StatusField $options 'Seccomp' | Should -Be '0'
        $r = Invoke-Probe keyctl, clone3 -Options $options
        $r.keyctl | Should -Be 0
        $r.clone3 | Should -Be 22 -Because 'the kernel itself answers clone3(NULL, 0) with EINVAL'
    }

    It 'seccomp=PATH applies a Docker-format profile: one that denies mkdir gives EPERM, and nothing else changes' {
        $options = @{ SecurityOpt = "seccomp=$denyMkdir" }
        $r = Invoke-Probe mkdir, keyctl -Options $options
        $r.mkdir | Should -Be 1
        $r.keyctl | Should -Be 0 -Because 'the profile allows everything else'
        $out = @(Invoke-Container $rootfs -Remove -Network none @options -- sh -c 'mkdir /tmp/x 2>&1; echo "exit=$?"').Text
        $out[-1] | Should -Be 'exit=1'
        $out[0] | Should -Match 'Operation not permitted'
    }

    It 'no-new-privileges sets the no_new_privs bit (NoNewPrivs: 1) with the filter still on' {
        $options = @{ SecurityOpt = 'no-new-privileges' }
        Get-StatusField $options 'NoNewPrivs' | Should -Be '1'
        Get-StatusField $options 'Seccomp' | Should -Be '2'
        (Invoke-Probe keyctl -Options $options).keyctl | Should -Be 1
    }

    It '-CapAdd SYS_ADMIN opens unshare -m and clone3, as Docker''s profile does; the keyring stays closed' {
        $r = Invoke-Probe unshare-mount, clone3, keyctl -Options @{ CapAdd = 'SYS_ADMIN' }
        $r.'unshare-mount' | Should -Be 0
        $r.clone3 | Should -Be 22
        $r.keyctl | Should -Be 1
    }

    It '-Privileged runs unconfined' {
        Get-StatusField @{ Privileged = $true } 'Seccomp' | Should -Be '0'
        (Invoke-Probe keyctl -Options @{ Privileged = $true }).keyctl | Should -Be 0
    }

    It '-Privileged has the host''s devices in /dev and a writable cgroup hierarchy, as docker run --privileged' {
        $hostDevices = @((Invoke-Native -FilePath find -ArgumentList @('/dev', '-maxdepth', '1', '(', '-type', 'c', '-o', '-type', 'b', ')', '-printf', '%f\n') | Assert-NativeSuccess).StdOut -split "`n" | Where-Object { $_ })
        $hostDevices.Count | Should -BeGreaterThan 5
        $inside = @(Invoke-Container $rootfs -Remove -Network none -Privileged -- sh -c 'for f in /dev/*; do [ -c "$f" -o -b "$f" ] && echo "${f#/dev/}"; done; grep " /sys/fs/cgroup " /proc/self/mountinfo').Text
        foreach ($name in $hostDevices | Where-Object { $_ -notin 'console' }) { $inside | Should -Contain $name }
        ($inside | Select-Object -Last 1) | Should -Match ' /sys/fs/cgroup rw,'
        # Without -Privileged: the runtime's few devices only, and the hierarchy read-only.
        $plain = @(Invoke-Container $rootfs -Remove -Network none -- sh -c 'ls /dev; grep " /sys/fs/cgroup " /proc/self/mountinfo').Text
        $plain | Should -Not -Contain 'loop-control'
        ($plain | Select-Object -Last 1) | Should -Match ' /sys/fs/cgroup ro,'
    }

    It 'refuses <Option> with an error that names it, and creates nothing' -TestCases @(
        @{ Option = 'bogus=1'; Named = 'bogus' }
        @{ Option = 'apparmor=docker-default'; Named = 'apparmor' }
        @{ Option = 'seccomp=/nonexistent/profile.json'; Named = '/nonexistent/profile.json' }
    ) {
        $before = @(Get-Container -All).Count
        Invoke-Container $rootfs -Remove -Network none -SecurityOpt $Option -ErrorVariable err -ErrorAction SilentlyContinue -- true | Out-Null
        $err | Should -Not -BeNullOrEmpty
        "$($err[0])" | Should -Match ([regex]::Escape($Named))
        $err[0].FullyQualifiedErrorId | Should -Match '^InvalidArgument'
        @(Get-Container -All).Count | Should -Be $before
    }
}

Describe 'podman applies its seccomp profiles through pscrun as through crun' -Tag 'Peers', 'Podman' {
    BeforeAll {
        $tarball = Join-Path $work 'rootfs.tar'
        Invoke-Native tar -C $rootfs -cf $tarball . | Assert-NativeSuccess | Out-Null
        $image = 'localhost/psc-seccomp-probe:latest'
        # One podman store per runtime, so each side pulls nothing from the other (short names: podman wants a
        # runroot under 50 characters).
        $podmen = [ordered]@{}
        $podDirs = @()
        foreach ($runtime in @{ pscrun = Get-PscrunPath; crun = Get-ReferenceRuntime }.GetEnumerator()) {
            $dir = New-TestDirectory -Name "sc$($runtime.Key)"
            $podDirs += $dir
            $podmen[$runtime.Key] = New-TestPodman -WorkDirectory $dir -Runtime $runtime.Value
            Invoke-TestPodman $podmen[$runtime.Key] import $tarball $image | Assert-NativeSuccess | Out-Null
        }

        function Invoke-PodmanRun([string]$Name, [string[]]$Arguments) {
            $p = $podmen[$Name]
            Invoke-TestPodman $p run --rm --network none --cgroup-parent $p.CgroupParent @Arguments
        }
    }

    AfterAll {
        foreach ($p in $podmen.Values) { Remove-TestPodman -Podman $p }
        foreach ($dir in $podDirs) { Remove-TestDirectory -Path $dir }
    }

    It '--security-opt seccomp=PROFILE that denies mkdir gives EPERM under <Name>' -TestCases @(@{ Name = 'pscrun' }, @{ Name = 'crun' }) {
        $result = Invoke-PodmanRun $Name @('--security-opt', "seccomp=$denyMkdir", $image, 'sh', '-c', 'mkdir /tmp/x 2>&1; echo "exit=$?"')
        $result.ExitCode | Should -Be 0 -Because $result.StdErr
        $result.StdOut | Should -Match 'Operation not permitted'
        $result.StdOut | Should -Match 'exit=1'
        $control = Invoke-PodmanRun $Name @($image, 'sh', '-c', 'mkdir /tmp/x && echo made')
        $control.StdOut | Should -BeExactly "made`n" -Because $control.StdErr
    }

    It 'podman''s default profile gives the same verdicts under pscrun as under crun' {
        $probes = @('keyctl', 'add_key', 'request_key', 'clone3', 'unshare-user', 'unshare-mount', 'personality-noaslr', 'getpid', 'mkdir')
        $verdicts = @{}
        foreach ($name in 'crun', 'pscrun') {
            $result = Invoke-PodmanRun $name (@($image, '/bin/seccomp-probe') + $probes)
            $result.ExitCode | Should -Be 0 -Because $result.StdErr
            $verdicts[$name] = ConvertFrom-ProbeOutput ($result.StdOut -split "`n")
        }

        $verdicts.crun.Count | Should -Be $probes.Count
        # podman's profile allows keyctl and unshare (it leaves them to the capabilities) but not every personality.
        $verdicts.crun.'personality-noaslr' | Should -Not -Be 0 -Because 'crun, the reference, runs with podman''s filter on'
        foreach ($probe in $probes) {
            $verdicts.pscrun[$probe] | Should -Be $verdicts.crun[$probe] -Because "$probe under crun gave $($verdicts.crun[$probe])"
        }
    }
}
