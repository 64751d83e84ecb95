# docker run's host options on the real kernel: -Device (a host node in the container's /dev, opened through the
# device cgroup with the permissions given), -DeviceCgroupRule, -Sysctl (namespaced only), -GroupAdd (also for
# execs) and -OomScoreAdj, read from inside a busybox container; then the same through the Docker Engine API with
# the docker CLI. /dev/net/tun (c 10:200) is the device: opening it needs no capability, it is in no default rule,
# and an open file of it does nothing until an ioctl, so the tests can open it for reading and writing freely.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $script:engine = Enter-TestEngine -Name hostopts
    $script:work = $engine.Work
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    # Groups to resolve by name: audio for -GroupAdd, staff (which lists app) for an exec as that user.
    Set-Content -LiteralPath (Join-Path $rootfs 'etc/group') -Value 'root:x:0:', 'audio:x:29:', 'staff:x:50:app', 'app:x:1000:'
    Add-Content -LiteralPath (Join-Path $rootfs 'etc/passwd') -Value 'app:x:1000:1000:app:/tmp:/bin/sh'

    # Lines a container printed, as strings.
    function script:Invoke-Probe {
        param([Parameter(Mandatory)][hashtable]$Options, [Parameter(Mandatory)][string]$Script)
        @((Invoke-Container $rootfs -Remove -Network none @Options -- sh -c $Script).Text)
    }

    # Containers of the suite on this host, so a refused create is seen to leave none.
    function script:Get-ContainerCount { @(Get-Container -All).Count }

    # The probe that opens the device for reading, then for reading and writing; each prints ok or the error.
    $script:openTun = 'ls -l /dev/net/tun | cut -c1; (exec 3</dev/net/tun) 2>/dev/null && echo read-ok || echo read-denied; (exec 3<>/dev/net/tun) 2>/dev/null && echo rw-ok || echo rw-denied'
}

AfterAll {
    $left = Exit-TestEngine -Work $engine.Work -Saved $engine.Saved
    $left | Should -BeNullOrEmpty
}

Describe '-Device and -DeviceCgroupRule' {
    It 'makes the host node in /dev with its type, numbers and mode, and opens it read-write by default' {
        $out = Invoke-Probe @{ Device = '/dev/net/tun' } "ls -ln /dev/net/tun | tr -s ' ' | cut -d' ' -f1,5,6; $openTun"
        $out[0] | Should -Be 'crw------- 10, 200'
        $out[1..3] | Should -Be @('c', 'read-ok', 'rw-ok')
    }

    It 'puts it at another path and gives only the permissions asked for (r)' {
        $out = Invoke-Probe @{ Device = '/dev/net/tun:/dev/mytun:r' } 'ls -l /dev/mytun | cut -c1; (exec 3</dev/mytun) 2>/dev/null && echo read-ok || echo read-denied; (exec 3<>/dev/mytun) 2>/dev/null && echo rw-ok || echo rw-denied; test -e /dev/net/tun && echo has-tun || echo no-tun'
        $out | Should -Be @('c', 'read-ok', 'rw-denied', 'no-tun')
    }

    It 'takes /dev/net/tun:rw as the same path with permissions rw' {
        $c = New-Container $rootfs -Network none -Device '/dev/net/tun:rw' -- true
        try {
            $spec = Get-Content -Raw -LiteralPath (Join-Path $env:PSCONTAINERS_ROOT "containers/$($c.Id)/bundle/config.json")
            $json = $spec | ConvertFrom-Json
            ($json.linux.devices | Where-Object path -EQ '/dev/net/tun').major | Should -Be 10
            # The default deny-all rule has no major or minor: only rules that name them are compared.
            ($json.linux.resources.devices | Where-Object { $_.PSObject.Properties['major'] -and $_.major -eq 10 -and $_.minor -eq 200 }).access | Should -Be 'rw'
        }
        finally {
            Remove-Container $c -Force
        }
    }

    It 'denies a node the container makes itself unless -DeviceCgroupRule allows it' {
        $mk = 'mknod /dev/t c 10 200; (exec 3<>/dev/t) 2>/dev/null && echo rw-ok || echo rw-denied'
        Invoke-Probe @{} $mk | Should -Be 'rw-denied'
        Invoke-Probe @{ DeviceCgroupRule = 'c 10:200 rwm' } $mk | Should -Be 'rw-ok'
        Invoke-Probe @{ DeviceCgroupRule = 'c 10:* r' } ('mknod /dev/t c 10 200; (exec 3</dev/t) 2>/dev/null && echo read-ok || echo read-denied; ' + $mk.Split(';')[1]) |
            Should -Be @('read-ok', 'rw-denied')
    }

    It 'refuses <Value> naming it, and creates nothing' -ForEach @(
        @{ Parameter = 'Device'; Value = '/dev/no-such-device'; Why = 'does not exist' }
        @{ Parameter = 'Device'; Value = '/etc/passwd'; Why = 'not a character or block device' }
        @{ Parameter = 'Device'; Value = '/dev/net/tun:/dev/tun:rwx'; Why = 'combination of r, w and m' }
        @{ Parameter = 'Device'; Value = '/dev/net/tun:dev/tun'; Why = 'must be an absolute path' }
        @{ Parameter = 'Device'; Value = 'dev/net/tun'; Why = 'must be absolute' }
        @{ Parameter = 'DeviceCgroupRule'; Value = 'x 1:3 rwm'; Why = 'is not a, b or c' }
        @{ Parameter = 'DeviceCgroupRule'; Value = 'c 1-3 rwm'; Why = 'is not MAJOR:MINOR' }
        @{ Parameter = 'DeviceCgroupRule'; Value = 'c 1:3 rwq'; Why = 'combination of r, w and m' }
    ) {
        $before = Get-ContainerCount
        $options = @{ $Parameter = $Value }
        { New-Container $rootfs @options -ErrorAction Stop -- true } | Should -Throw -ExpectedMessage "*$Value*$Why*"
        Get-ContainerCount | Should -Be $before
    }
}

Describe '-Sysctl' {
    It 'sets IPC, UTS and network sysctls from a hashtable and from name=value strings' {
        $out = Invoke-Probe @{ Sysctl = @{ 'kernel.shmmax' = 123456789; 'net.ipv4.ip_forward' = '1' }, 'kernel.domainname=psc.example', 'fs.mqueue.msg_max=20' } `
            'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/domainname /proc/sys/fs/mqueue/msg_max'
        $out | Should -Be @('123456789', '1', 'psc.example', '20')
        # The host's values are untouched: these live in the container's own namespaces.
        (Get-Content /proc/sys/kernel/shmmax) | Should -Not -Be '123456789'
    }

    It 'refuses a sysctl that is not namespaced, naming the key' {
        $before = Get-ContainerCount
        { New-Container $rootfs -Sysctl 'kernel.pid_max=4096' -ErrorAction Stop -- true } | Should -Throw -ExpectedMessage '*kernel.pid_max*not namespaced*'
        { New-Container $rootfs -Sysctl @{ 'vm.swappiness' = 1 } -ErrorAction Stop -- true } | Should -Throw -ExpectedMessage '*vm.swappiness*'
        Get-ContainerCount | Should -Be $before
    }

    It 'refuses net.* with -Network host, naming the key' {
        { New-Container $rootfs -Network host -Sysctl 'net.ipv4.ip_forward=1' -ErrorAction Stop -- true } |
            Should -Throw -ExpectedMessage '*net.ipv4.ip_forward*-Network host*'
    }

    It 'refuses a string that is not name=value' {
        { New-Container $rootfs -Sysctl 'kernel.shmmax' -ErrorAction Stop -- true } | Should -Throw -ExpectedMessage '*kernel.shmmax*name=value*'
    }

    It 'fails the start with the key in the message when the kernel refuses the value, and leaves nothing running' {
        $c = New-Container $rootfs -Network none -Name badsysctl -Sysctl 'kernel.shmmni=not-a-number' -- sleep 60
        try {
            { Start-Container $c -ErrorAction Stop } | Should -Throw -ExpectedMessage '*kernel.shmmni*'
            (Get-Container -Id $c.Id).Status | Should -Not -Be 'Running'
            Get-TestLeftover -Path $work | Where-Object Kind -EQ 'process' | Should -BeNullOrEmpty
        }
        finally {
            Remove-Container $c -Force
        }
    }
}

Describe '-GroupAdd and -OomScoreAdj' {
    It 'adds groups by name and number to the process, and to execs (also as another user)' {
        $c = Invoke-Container $rootfs -Detach -Network none -GroupAdd audio, 1234 -- sleep 300
        try {
            $groups = (@((Invoke-ContainerCommand $c -- id -G).Text) -join ' ') -split ' '
            $groups | Should -Be @('0', '29', '1234')
            $asApp = (@((Invoke-ContainerCommand $c -User app -- id -G).Text) -join ' ') -split ' '
            # id -G prints the primary group, then the kernel's sorted list.
            $asApp | Should -Be @('1000', '29', '50', '1234')
        }
        finally {
            Remove-Container $c -Force
        }
    }

    It 'keeps the user''s own groups and adds the extra ones for the container''s process' {
        $groups = (Invoke-Probe @{ User = 'app'; GroupAdd = 'audio' } 'id -G') -split ' '
        $groups | Should -Be @('1000', '29', '50')
    }

    It 'refuses a group the image does not have, naming it' {
        $before = Get-ContainerCount
        { New-Container $rootfs -GroupAdd no-such-group -ErrorAction Stop -- true } | Should -Throw -ExpectedMessage '*no-such-group*/etc/group*'
        Get-ContainerCount | Should -Be $before
    }

    It 'sets the OOM score adjustment of the process and of execs' {
        Invoke-Probe @{ OomScoreAdj = 345 } 'cat /proc/self/oom_score_adj' | Should -Be '345'
        $c = Invoke-Container $rootfs -Detach -Network none -OomScoreAdj 678 -- sleep 300
        try {
            (Invoke-ContainerCommand $c -- cat /proc/self/oom_score_adj).Text | Should -Be '678'
        }
        finally {
            Remove-Container $c -Force
        }
    }

    It 'refuses a value outside -1000..1000' {
        { New-Container $rootfs -OomScoreAdj 1001 -ErrorAction Stop -- true } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }
}

Describe '-Pid, -Ipc and -Uts: the host''s namespaces or another container''s' {
    BeforeAll {
        # A namespace's identity as the kernel names it (pid:[4026531836]), here on the host.
        function script:Get-HostNamespace([string]$Type) { (Invoke-Native readlink "/proc/self/ns/$Type" | Assert-NativeSuccess).StdOut.Trim() }
    }

    It 'shares the host''s PID, IPC and UTS namespaces (host modes) and its hostname' {
        $out = Invoke-Probe @{ Pid = 'host'; Ipc = 'host'; Uts = 'host' } 'for t in pid ipc uts; do readlink /proc/self/ns/$t; done; hostname'
        $out | Should -Be @((Get-HostNamespace pid), (Get-HostNamespace ipc), (Get-HostNamespace uts), [System.Net.Dns]::GetHostName())
        # The default is the container's own.
        $own = Invoke-Probe @{} 'for t in pid ipc uts; do readlink /proc/self/ns/$t; done'
        $own[0] | Should -Not -Be (Get-HostNamespace pid)
        $own[1] | Should -Not -Be (Get-HostNamespace ipc)
        $own[2] | Should -Not -Be (Get-HostNamespace uts)
    }

    It 'joins a running container''s PID namespace and sees its processes' {
        $target = Invoke-Container $rootfs -Detach -Network none -Name pidtarget -- sleep 301
        try {
            $out = Invoke-Probe @{ Pid = 'container:pidtarget' } 'readlink /proc/self/ns/pid; tr "\0" " " < /proc/1/cmdline'
            $out[0] | Should -Be (Invoke-ContainerCommand $target -- readlink /proc/self/ns/pid).Text
            $out[1].Trim() | Should -Be 'sleep 301'
        }
        finally {
            Remove-Container $target -Force
        }
    }

    It 'joins a shareable container''s IPC namespace and its /dev/shm, and refuses a private one by name' {
        $target = Invoke-Container $rootfs -Detach -Network none -Name ipctarget -Ipc shareable -- sh -c 'echo shared > /dev/shm/note; sleep 300'
        $private = Invoke-Container $rootfs -Detach -Network none -Name ipcprivate -- sleep 300
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not ((Invoke-ContainerCommand $target -- cat /dev/shm/note).Text -eq 'shared') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $out = Invoke-Probe @{ Ipc = 'container:ipctarget' } 'readlink /proc/self/ns/ipc; cat /dev/shm/note'
            $out[0] | Should -Be (Invoke-ContainerCommand $target -- readlink /proc/self/ns/ipc).Text
            $out[1] | Should -Be 'shared'
            $before = Get-ContainerCount
            { New-Container $rootfs -Ipc container:ipcprivate -ErrorAction Stop -- true } | Should -Throw -ExpectedMessage '*ipcprivate*-Ipc shareable*'
            Get-ContainerCount | Should -Be $before
        }
        finally {
            Remove-Container $target, $private -Force
        }
    }

    It 'fails the start when the container it shares with is not running, naming it' {
        $target = New-Container $rootfs -Network none -Name notrunning -- sleep 300
        $c = New-Container $rootfs -Network none -Pid container:notrunning -- true
        try {
            { Start-Container $c -ErrorAction Stop } | Should -Throw -ExpectedMessage '*notrunning is not running*'
            (Get-Container -Id $c.Id).Status | Should -Not -Be 'Running'
        }
        finally {
            Remove-Container $c, $target -Force
        }
    }

    It 'refuses <What>, naming it' -ForEach @(
        @{ What = 'an unknown PID mode'; Options = @{ Pid = 'private' }; Message = '*-Pid "private"*' }
        @{ What = '-Ipc none'; Options = @{ Ipc = 'none' }; Message = '*-Ipc none*not supported*' }
        @{ What = 'an unknown UTS mode'; Options = @{ Uts = 'private' }; Message = '*-Uts "private"*' }
        @{ What = '-Hostname with -Uts host'; Options = @{ Uts = 'host'; Hostname = 'box' }; Message = '*-Hostname*-Uts host*' }
        @{ What = '-Domainname with -Uts host'; Options = @{ Uts = 'host'; Domainname = 'example.org' }; Message = '*-Domainname*-Uts host*' }
        @{ What = 'an IPC sysctl with -Ipc host'; Options = @{ Ipc = 'host'; Sysctl = 'kernel.shmmax=1000000' }; Message = '*kernel.shmmax*-Ipc host*' }
        @{ What = 'kernel.hostname with -Uts host'; Options = @{ Uts = 'host'; Sysctl = 'kernel.hostname=x' }; Message = '*kernel.hostname*-Uts host*' }
        @{ What = '-ShmSize with -Ipc host'; Options = @{ Ipc = 'host'; ShmSize = 1MB }; Message = '*-ShmSize*' }
        @{ What = 'a container that does not exist'; Options = @{ Pid = 'container:no-such-container' }; Message = '*no-such-container*' }
    ) {
        $before = Get-ContainerCount
        { New-Container $rootfs @Options -ErrorAction Stop -- true } | Should -Throw -ExpectedMessage $Message
        Get-ContainerCount | Should -Be $before
    }
}

Describe 'The host options through the Docker Engine API and the docker CLI' {
    BeforeAll {
        $script:dockerConfig = Join-Path $work 'docker-config'
        New-Item -ItemType Directory -Path $dockerConfig | Out-Null
        Import-TestBusyboxImage -Work $work -RootFs $rootfs | Out-Null
        $script:socket = Join-Path $work 'docker.sock'
        $script:service = Start-ContainerApiService -Socket $socket -PassThru

        # A plain function: docker's flags in $args must not bind as PowerShell parameters.
        function script:Invoke-Docker {
            Invoke-Native docker -ArgumentList ([string[]]$args) -TimeoutSeconds 120 `
                -Environment @{ DOCKER_HOST = "unix://$script:socket"; DOCKER_CONFIG = $script:dockerConfig }
        }
    }

    AfterAll {
        Invoke-Docker rm -f api-host api-ipc | Out-Null
        if ($script:service) {
            Stop-ContainerApiService -ErrorAction Continue
        }
    }

    It 'docker run --device --device-cgroup-rule --sysctl --group-add --oom-score-adj takes effect inside' {
        $probe = "ls -l /dev/mytun | cut -c1; (exec 3<>/dev/mytun) 2>/dev/null && echo rw-ok || echo rw-denied; mknod /dev/f c 10 229; (exec 3<>/dev/f) 2>/dev/null && echo fuse-ok || echo fuse-denied; cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward /proc/self/oom_score_adj; id -G"
        $r = Invoke-Docker run --rm --network none --device /dev/net/tun:/dev/mytun:rw --device-cgroup-rule 'c 10:229 rwm' `
            --sysctl kernel.shmmax=98765432 --sysctl net.ipv4.ip_forward=1 --group-add audio --group-add 4321 --oom-score-adj 250 busybox sh -c $probe
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        ($r.StdOut.Trim() -split "`n") | Should -Be @('c', 'rw-ok', 'fuse-ok', '98765432', '1', '250', '0 29 4321')
    }

    It 'docker inspect shows them in HostConfig, and docker exec keeps the groups' {
        Invoke-Docker run -d --name api-host --network none --device /dev/net/tun:/dev/mytun:r --sysctl kernel.msgmax=4096 `
            --group-add 4321 --oom-score-adj 123 busybox sleep 300 | Assert-NativeSuccess | Out-Null
        $hc = (Invoke-Docker inspect api-host | Assert-NativeSuccess).StdOut | ConvertFrom-Json | Select-Object -ExpandProperty HostConfig
        $hc.Devices[0].PathOnHost | Should -Be '/dev/net/tun'
        $hc.Devices[0].PathInContainer | Should -Be '/dev/mytun'
        $hc.Devices[0].CgroupPermissions | Should -Be 'r'
        $hc.Sysctls.'kernel.msgmax' | Should -Be '4096'
        $hc.GroupAdd | Should -Be @('4321')
        $hc.OomScoreAdj | Should -Be 123
        (Invoke-Docker exec api-host id -G | Assert-NativeSuccess).StdOut.Trim() | Should -Be '0 4321'
        (Invoke-Docker exec api-host sh -c '(exec 3<>/dev/mytun) 2>/dev/null && echo rw-ok || echo rw-denied').StdOut.Trim() | Should -Be 'rw-denied'
    }

    It 'docker run --pid host --ipc host --uts host shares the host''s namespaces, and docker inspect shows the modes' {
        $r = Invoke-Docker run --rm --network none --pid host --ipc host --uts host busybox sh -c 'for t in pid ipc uts; do readlink /proc/self/ns/$t; done'
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $hostNs = foreach ($type in 'pid', 'ipc', 'uts') { (Invoke-Native readlink "/proc/self/ns/$type" | Assert-NativeSuccess).StdOut.Trim() }
        ($r.StdOut.Trim() -split "`n") | Should -Be $hostNs
        Invoke-Docker run -d --name api-ipc --network none --ipc shareable busybox sleep 300 | Assert-NativeSuccess | Out-Null
        $r = Invoke-Docker run --rm --network none --ipc container:api-ipc --pid container:api-ipc busybox sh -c 'readlink /proc/self/ns/ipc; tr "\0" " " < /proc/1/cmdline'
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $lines = $r.StdOut.Trim() -split "`n"
        $lines[0] | Should -Be (Invoke-Docker exec api-ipc readlink /proc/self/ns/ipc).StdOut.Trim()
        $lines[1].Trim() | Should -Be 'sleep 300'
        $hc = (Invoke-Docker inspect api-ipc | Assert-NativeSuccess).StdOut | ConvertFrom-Json | Select-Object -ExpandProperty HostConfig
        $hc.IpcMode | Should -Be 'shareable'
        $hc.PidMode | Should -Be ''
    }

    It 'refuses a non-namespaced sysctl and a missing device with docker''s 400, naming them' {
        $before = @((Invoke-Docker ps -a -q).StdOut.Trim() -split "`n" | Where-Object { $_ }).Count
        $r = Invoke-Docker run --rm --sysctl kernel.pid_max=4096 busybox true
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match 'kernel\.pid_max'
        $r = Invoke-Docker run --rm --device /dev/no-such-device busybox true
        $r.ExitCode | Should -Not -Be 0
        $r.StdErr | Should -Match '/dev/no-such-device'
        @((Invoke-Docker ps -a -q).StdOut.Trim() -split "`n" | Where-Object { $_ }).Count | Should -Be $before
    }
}
