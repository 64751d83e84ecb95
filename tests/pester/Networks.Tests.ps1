# Runbooks for container networks (CNI bridge, firewall, portmap through Debian's plugins): the default network,
# published ports, names and aliases, isolation, container:NAME, -Internal, Connect/Disconnect, and teardown.
# Every container lives under a temp storage root and run root; AfterAll removes them and their networks and
# checks that no address, veth, network namespace, iptables rule or mount is left.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NetworkTestUtils.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name network
    $script:savedEnv = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    New-Item -ItemType Directory -Path (Join-Path $rootfs 'www') | Out-Null
    Set-Content -LiteralPath (Join-Path $rootfs 'www/index.html') -Value 'served by busybox' -NoNewline
    Import-Module $moduleDir -Force
    $script:rulesBefore = Get-TestIptablesRule

    # A web server that answers with /www/index.html and its own name.
    function Start-WebServer([string]$Name, [hashtable]$More = @{}) {
        Invoke-Container $rootfs -Detach -Name $Name @More -- sh -c "echo $Name > /www/name; httpd -f -p 80 -h /www"
    }

    # Runs a one-off container and returns its output as text; its exit code is in $LASTEXITCODE.
    function Invoke-Probe([hashtable]$Options, [string]$Script) {
        ((Invoke-Container $rootfs -Remove @Options -- sh -c $Script) | ForEach-Object Text) -join "`n"
    }
}

AfterAll {
    Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -ErrorAction Continue
    $addresses = Get-TestNetworkAddress -Root $env:PSCONTAINERS_ROOT
    $ports = @(Get-TestBridgePort -Root $env:PSCONTAINERS_ROOT)
    $netns = Get-TestNetnsFile -RunRoot $env:PSCONTAINERS_RUNROOT
    $cache = Get-TestCniCacheEntry -Root $env:PSCONTAINERS_ROOT
    $bridges = @(Get-ContainerNetwork -ErrorAction SilentlyContinue | ForEach-Object Bridge)
    Get-ContainerNetwork -ErrorAction SilentlyContinue | Remove-ContainerNetwork -ErrorAction Continue
    $bridgesLeft = @(Get-ChildItem -Path (Join-Path $env:PSCONTAINERS_ROOT 'networks/*.json') -ErrorAction Ignore) +
        @($bridges | Where-Object { Test-Path -LiteralPath "/sys/class/net/$_" })
    $rulesAfter = Get-TestIptablesRule
    $leftMounts = @(Get-TestMountPoint -Path $work)
    Remove-TestDirectory -Path $work
    $env:PSCONTAINERS_ROOT = $savedEnv.Root
    $env:PSCONTAINERS_RUNROOT = $savedEnv.RunRoot
    $addresses | Should -BeNullOrEmpty
    $ports | Should -BeNullOrEmpty
    $netns | Should -BeNullOrEmpty
    $cache | Should -BeNullOrEmpty
    $bridgesLeft | Should -BeNullOrEmpty
    $leftMounts | Should -BeNullOrEmpty
    # Per-container rules name the container's address or id; the shared chains (CNI-HOSTPORT-*, the firewall's
    # isolation of each bridge) stay as the plugins leave them.
    $new = @($rulesAfter | Where-Object { $_ -notin $rulesBefore -and $_ -notmatch 'CNI-ISOLATION|CNI-HOSTPORT-(MASQ|SETMARK)|CNI-FORWARD -m comment --comment "CNI firewall plugin admin|HOSTPORT-DNAT$' })
    $new | Should -BeNullOrEmpty
}

Describe 'The default network' {
    It 'is made on first use with a subnet that overlaps no route and not podman''s 10.88.0.0/16' {
        $text = Invoke-Probe @{} 'ip -4 addr show eth0; ip route; cat /etc/hosts /etc/hostname'
        $LASTEXITCODE | Should -Be 0
        $network = Get-ContainerNetwork bridge
        $network.IsDefault | Should -BeTrue
        $network.Subnet | Should -Match '^10\.\d+\.\d+\.0/24$'
        $network.Subnet | Should -Not -Match '^10\.88\.'
        Test-Path -LiteralPath $network.ConfigFile | Should -BeTrue
        (Get-Content -Raw $network.ConfigFile | ConvertFrom-Json).plugins.type | Should -Contain 'bridge'
        $prefix = $network.Subnet -replace '0/24$', ''
        $text | Should -Match ([regex]::Escape($prefix) + '\d+/24')
        $text | Should -Match "default via $([regex]::Escape($network.Gateway))"
        $text | Should -Match '127\.0\.0\.1\s+localhost'
    }

    It 'gives the container a loopback interface that is up' {
        $text = Invoke-Probe @{} 'httpd -p 127.0.0.1:8080 -h /www && wget -q -O - http://127.0.0.1:8080/'
        $text | Should -Be 'served by busybox'
    }

    It 'shows the address, gateway and MAC on the container object while it runs, and nothing after a stop' {
        $c = Start-WebServer -Name shown
        try {
            $net = @($c.Networks)
            $net.Count | Should -Be 1
            $net[0].Network | Should -Be 'bridge'
            $net[0].Interface | Should -Be 'eth0'
            $net[0].IPAddress | Should -Match '^10\.'
            $net[0].Gateway | Should -Be (Get-ContainerNetwork bridge).Gateway
            $net[0].MacAddress | Should -Match '^([0-9a-f]{2}:){5}[0-9a-f]{2}$'
            (Invoke-ContainerCommand shown -- cat /sys/class/net/eth0/address).Text | Should -Be $net[0].MacAddress
            $stopped = Stop-Container shown -Timeout 1 -PassThru
            $stopped.Networks | Should -BeNullOrEmpty
            Get-TestNetnsFile -RunRoot $env:PSCONTAINERS_RUNROOT | Should -Not -Contain $c.Id
        } finally {
            Remove-Container shown -Force
        }
    }

    It 'reaches the outside through NAT (a TCP connect to the apt mirror''s host)' {
        $mirror = Get-TestAptMirrorHost
        $address = [System.Net.Dns]::GetHostAddresses($mirror) | Where-Object AddressFamily -EQ 'InterNetwork' | Select-Object -First 1
        $address | Should -Not -BeNullOrEmpty -Because "the apt mirror $mirror resolves on the host"
        # busybox nc stops reading the answer when its stdin ends: the sleep keeps it open.
        $text = Invoke-Probe @{} "(printf 'HEAD / HTTP/1.0\r\nHost: $mirror\r\n\r\n'; sleep 5) | nc -w 10 $address 80 | head -1"
        $text | Should -Match '^HTTP/1\.[01] '
    }

    It 'keeps NAT and isolation as rules of the network, written again when a reboot took them and the run root' {
        $subnet = (Get-ContainerNetwork bridge).Subnet
        $engineRules = { @(Get-TestEngineRule -Root $env:PSCONTAINERS_ROOT) }
        $before = & $engineRules
        $before | Should -Contain "-A PSC-NAT -s $subnet ! -o $((Get-ContainerNetwork bridge).Bridge) -j MASQUERADE"
        # No rule names a container: a start and a stop write none and remove none.
        Invoke-Probe @{} 'true' | Out-Null
        & $engineRules | Should -Be $before
        # What a reboot does to them: the rules go, and the run root comes back empty.
        Remove-TestEngineRule -Root $env:PSCONTAINERS_ROOT
        Remove-Item -LiteralPath (Join-Path $env:PSCONTAINERS_RUNROOT 'networks/firewall.rules')
        & $engineRules | Should -BeNullOrEmpty
        $mirror = Get-TestAptMirrorHost
        $address = [System.Net.Dns]::GetHostAddresses($mirror) | Where-Object AddressFamily -EQ 'InterNetwork' | Select-Object -First 1
        $text = Invoke-Probe @{} "(printf 'HEAD / HTTP/1.0\r\nHost: $mirror\r\n\r\n'; sleep 5) | nc -w 10 $address 80 | head -1"
        $text | Should -Match '^HTTP/1\.[01] ' -Because 'the next start wrote the NAT rule again'
        & $engineRules | Should -Be $before
    }

    It 'refuses network options for -Network none and keeps its namespace with lo only' {
        { New-Container $rootfs -Network none -Publish 8080:80 -ErrorAction Stop -- true } | Should -Throw '*-Publish need a container network*'
        $text = Invoke-Probe @{ Network = 'none' } 'ls /sys/class/net'
        $text | Should -Be 'lo'
    }
}

Describe 'Published ports' {
    It 'serves a busybox httpd on 127.0.0.1 to Invoke-WebRequest' {
        $port = Get-TestFreePort
        Start-WebServer -Name web -More @{ Publish = "127.0.0.1:${port}:80" } | Out-Null
        try {
            (Get-ContainerPort web) | Should -Be @([PSContainers.Core.Network.ContainerPortMapping]::new('127.0.0.1', $port, 80, 'tcp'))
            $response = Invoke-WebRequest -Uri "http://127.0.0.1:$port/" -UseBasicParsing -TimeoutSec 20
            $response.Content | Should -Be 'served by busybox'
        } finally {
            Remove-Container web -Force
        }
    }

    It 'is reachable from another container through the host port' {
        $port = Get-TestFreePort
        Start-WebServer -Name hostport -More @{ Publish = "${port}:80" } | Out-Null
        try {
            $gateway = (Get-ContainerNetwork bridge).Gateway
            Invoke-Probe @{} "wget -q -O - http://${gateway}:$port/name" | Should -Be 'hostport'
        } finally {
            Remove-Container hostport -Force
        }
    }

    It 'picks free host ports for -PublishAll that Get-ContainerPort reports' {
        $layout = Join-Path $work 'exposing'
        $image = New-TestOciImage -Layout $layout
        Invoke-Native umoci config --image $image --config.exposedports 80/tcp | Assert-NativeSuccess | Out-Null
        $tar = Join-Path $work 'exposing.tar'
        Invoke-Native tar -C $layout -cf $tar . | Assert-NativeSuccess | Out-Null
        Import-ContainerImage $tar -Tag psc-exposing:1 | Out-Null
        Invoke-Container psc-exposing:1 -Detach -Name all -PublishAll -- sh -c 'echo everything > /tmp/index.html; httpd -f -p 80 -h /tmp' | Out-Null
        try {
            $ports = @(Get-ContainerPort all)
            $ports.Count | Should -Be 1
            $ports[0].ContainerPort | Should -Be 80
            $ports[0].HostPort | Should -BeGreaterThan 0
            (Get-ContainerPort all 80/tcp).HostPort | Should -Be $ports[0].HostPort
            (Invoke-WebRequest -Uri "http://127.0.0.1:$($ports[0].HostPort)/index.html" -UseBasicParsing -TimeoutSec 20).Content.Trim() | Should -Be 'everything'
        } finally {
            Remove-Container all -Force
        }
    }

    It 'refuses a host port in use before the container starts and leaves nothing behind' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $before = @(Get-Container -All).Count
            Invoke-Container $rootfs -Remove -Publish "127.0.0.1:${port}:80" -ErrorVariable err -ErrorAction SilentlyContinue -- true
            $err[0].FullyQualifiedErrorId | Should -BeLike 'HostPortInUse*'
            "$($err[0])" | Should -BeLike "*host port 127.0.0.1:$port/tcp is already in use*"
            @(Get-Container -All).Count | Should -Be $before
            Get-TestNetnsFile -RunRoot $env:PSCONTAINERS_RUNROOT | Should -BeNullOrEmpty
        } finally {
            $listener.Stop()
        }
    }

    It 'refuses a malformed -Publish with a message that names it' {
        { New-Container $rootfs -Publish '80:tcp' -ErrorAction Stop -- true } | Should -Throw '*-Publish "80:tcp"*'
    }
}

Describe 'User networks: names, aliases, isolation' {
    BeforeAll {
        New-ContainerNetwork app -Label @{ purpose = 'test' } | Out-Null
        New-ContainerNetwork other | Out-Null
        Start-WebServer -Name alpha -More @{ Network = 'app' } | Out-Null
        Start-WebServer -Name beta -More @{ Network = 'app'; NetworkAlias = @('web', 'www') } | Out-Null
    }

    AfterAll {
        Remove-Container alpha, beta -Force -ErrorAction SilentlyContinue
        Remove-ContainerNetwork app, other -ErrorAction SilentlyContinue
    }

    It 'lists networks with wildcards and the containers on them' {
        $app = Get-ContainerNetwork ap*
        $app.Name | Should -Be 'app'
        $app.Labels['purpose'] | Should -Be 'test'
        $app.Containers | Sort-Object | Should -Be @('alpha', 'beta')
        (Get-ContainerNetwork app).Subnet | Should -Not -Be (Get-ContainerNetwork other).Subnet
        Get-ContainerNetwork nosuch -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NetworkNotFound*'
    }

    It 'lets containers on one network reach each other by name and by alias' {
        Invoke-Probe @{ Network = 'app' } 'wget -q -O - http://alpha/name; wget -q -O - http://beta/name; wget -q -O - http://web/name' |
            Should -Be "alpha`nbeta`nbeta"
        (Invoke-ContainerCommand alpha -- wget -q -O - http://www/name).Text | Should -Be 'beta'
    }

    It 'names a linked container by its -Link alias in this container only' {
        Invoke-Probe @{ Network = 'app'; Link = @('alpha:site', 'beta') } 'wget -q -O - http://site/name; wget -q -O - http://beta/name' |
            Should -Be "alpha`nbeta"
        ((Invoke-ContainerCommand alpha -- cat /etc/hosts).Text -join "`n") | Should -Not -Match '\bsite\b' -Because 'links go one way'
        { Invoke-Container $rootfs -Remove -Network app -Link 'nosuch:x' -ErrorAction Stop -- true } | Should -Throw '*nosuch*'
        { Invoke-Container $rootfs -Remove -Network none -Link 'alpha' -ErrorAction Stop -- true } | Should -Throw '*-Link*'
    }

    It 'keeps a container on another network from reaching them' {
        $ip = (Get-Container alpha).Networks[0].IPAddress
        Invoke-Probe @{ Network = 'other' } "nc -w 3 $ip 80 </dev/null 2>/dev/null && echo reached || echo blocked; grep -c alpha /etc/hosts" |
            Should -Be "blocked`n0"
    }

    It 'updates the names as containers come and go' {
        Start-WebServer -Name gamma -More @{ Network = 'app' } | Out-Null
        (Invoke-ContainerCommand alpha -- wget -q -O - http://gamma/name).Text | Should -Be 'gamma'
        Remove-Container gamma -Force
        ((Invoke-ContainerCommand alpha -- cat /etc/hosts).Text -join "`n") | Should -Not -Match 'gamma'
    }

    It 'refuses to remove a network in use' {
        Remove-ContainerNetwork app -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NetworkInUse*'
        "$($err[0])" | Should -Match 'alpha'
        Get-ContainerNetwork app | Should -Not -BeNullOrEmpty
    }

    It 'shares a running container''s namespace with -Network container:NAME' {
        $ip = (Get-Container alpha).Networks[0].IPAddress
        Invoke-Probe @{ Network = 'container:alpha' } 'wget -q -O - http://127.0.0.1/name; ip -4 addr show eth0' | Should -Match "^alpha`n(.|\n)*inet $([regex]::Escape($ip))/"
    }

    It 'connects and disconnects a running container at once' {
        Start-WebServer -Name delta -More @{ Network = 'other' } | Out-Null
        try {
            (Invoke-ContainerCommand delta -- sh -c 'nc -w 3 alpha 80 </dev/null 2>/dev/null && echo reached || echo blocked').Text | Should -Be 'blocked'
            $connected = Connect-ContainerNetwork app delta -Alias dee -PassThru
            @($connected.Networks.Network) | Should -Be @('other', 'app')
            (Invoke-ContainerCommand delta -- wget -q -O - http://alpha/name).Text | Should -Be 'alpha'
            (Invoke-ContainerCommand alpha -- wget -q -O - http://dee/name).Text | Should -Be 'delta'
            (Get-ContainerNetwork app).Containers | Should -Contain 'delta'

            Disconnect-ContainerNetwork app delta
            ((Invoke-ContainerCommand delta -- ls /sys/class/net).Text -join ' ').Trim() -split '\s+' | Sort-Object | Should -Be @('eth0', 'lo')
            ((Invoke-ContainerCommand alpha -- cat /etc/hosts).Text -join "`n") | Should -Not -Match 'dee'
            @((Get-Container delta).Networks.Network) | Should -Be @('other')
        } finally {
            Remove-Container delta -Force
        }
    }
}

Describe 'Internal networks' {
    It 'have no route out while the containers on them reach each other' {
        New-ContainerNetwork closed -Internal -Subnet 10.126.77.0/24 -Gateway 10.126.77.254 -IPRange 10.126.77.128/25 | Out-Null
        try {
            $net = Get-ContainerNetwork closed
            $net.Internal | Should -BeTrue
            Start-WebServer -Name inside -More @{ Network = 'closed' } | Out-Null
            $ip = (Get-Container inside).Networks[0].IPAddress
            [int]($ip -split '\.')[3] | Should -BeGreaterOrEqual 128
            $mirror = Get-TestAptMirrorHost
            $address = [System.Net.Dns]::GetHostAddresses($mirror) | Where-Object AddressFamily -EQ 'InterNetwork' | Select-Object -First 1
            Invoke-Probe @{ Network = 'closed' } "ip route | grep -c default; nc -w 3 $address 80 </dev/null 2>/dev/null && echo out || echo no-way-out; wget -q -O - http://inside/name" |
                Should -Be "0`nno-way-out`ninside"
        } finally {
            Remove-Container inside -Force -ErrorAction SilentlyContinue
            Remove-ContainerNetwork closed
        }
    }

    It 'refuses a subnet that overlaps another network' {
        New-ContainerNetwork first -Subnet 10.126.80.0/24 | Out-Null
        try {
            New-ContainerNetwork second -Subnet 10.126.80.128/25 -ErrorVariable err -ErrorAction SilentlyContinue
            "$($err[0])" | Should -BeLike '*overlaps the subnet 10.126.80.0/24*'
            Get-ContainerNetwork second -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        } finally {
            Remove-ContainerNetwork first
        }
    }
}

Describe 'Pruning' {
    It 'removes unused networks but keeps the default one and those in use' {
        New-ContainerNetwork unused1 | Out-Null
        New-ContainerNetwork kept1 | Out-Null
        New-Container $rootfs -Name holder -Network kept1 -- true | Out-Null
        try {
            $results = @(Clear-ContainerResource -Confirm:$false)
            $pruned = $results | Where-Object { $_ -is [PSContainers.Core.Network.NetworkPruneResult] }
            $pruned.NetworksDeleted | Should -Contain 'unused1'
            $pruned.NetworksDeleted | Should -Not -Contain 'kept1'
            (Get-ContainerNetwork).Name | Should -Contain 'bridge'
            (Get-ContainerNetwork).Name | Should -Contain 'kept1'
            (Get-ContainerNetwork).Name | Should -Not -Contain 'unused1'
        } finally {
            Remove-Container holder -Force
            Remove-ContainerNetwork kept1, unused1 -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Teardown on every path' {
    It 'releases the network of a container whose monitor was killed with -9 at the next Remove-Container -Force' {
        $c = Start-WebServer -Name killed -More @{ Publish = "127.0.0.1:$(Get-TestFreePort):80" }
        $ip = $c.Networks[0].IPAddress
        Get-TestNetworkAddress -Root $env:PSCONTAINERS_ROOT | Should -Contain $ip
        $monitorPid = [int](Get-Content (Join-Path $env:PSCONTAINERS_RUNROOT "containers/$($c.Id)/monitor.pid"))
        Stop-Process -Id $monitorPid -Force
        Wait-Process -Id $monitorPid -Timeout 10 -ErrorAction SilentlyContinue
        Remove-Container killed -Force
        Get-TestNetworkAddress -Root $env:PSCONTAINERS_ROOT | Should -Not -Contain $ip
        Get-TestNetnsFile -RunRoot $env:PSCONTAINERS_RUNROOT | Should -Not -Contain $c.Id
        Get-TestCniCacheEntry -Root $env:PSCONTAINERS_ROOT | Where-Object { $_ -like "*$($c.Id)*" } | Should -BeNullOrEmpty
        @(Get-TestIptablesRule | Where-Object { $_ -match [regex]::Escape($ip) + '\b' -or $_ -match $c.Id }) | Should -BeNullOrEmpty
    }

    It 'releases the address of a -Remove container when it exits' {
        Invoke-Probe @{} 'true' | Out-Null
        Get-TestNetworkAddress -Root $env:PSCONTAINERS_ROOT | Should -BeNullOrEmpty
        Get-TestNetnsFile -RunRoot $env:PSCONTAINERS_RUNROOT | Should -BeNullOrEmpty
    }

    It 'releases the address after a reboot-like loss of the run root' {
        # An internal network: the bridge plugin removes a NAT rule only from inside the namespace, which a reboot
        # takes away, together with every iptables rule; without NAT the simulation below is what a reboot leaves.
        New-ContainerNetwork rebootnet -Internal | Out-Null
        try {
            $c = Start-WebServer -Name rebooted -More @{ Network = 'rebootnet' }
            $ip = $c.Networks[0].IPAddress
            $monitorPid = [int](Get-Content (Join-Path $env:PSCONTAINERS_RUNROOT "containers/$($c.Id)/monitor.pid"))
            # What a reboot does: every process ends, and the run root (a tmpfs) comes back empty.
            Stop-Process -Id $monitorPid -Force
            Stop-Process -Id $c.Pid -Force
            Wait-Process -Id $c.Pid -Timeout 10 -ErrorAction SilentlyContinue
            # Only this container's run state goes: other containers of the suite may still run.
            $runState = @('containers', 'pscrun', 'netns') | ForEach-Object { Join-Path $env:PSCONTAINERS_RUNROOT "$_/$($c.Id)" }
            foreach ($mount in @($runState | ForEach-Object { Get-TestMountPoint -Path $_ }) + @(Get-TestMountPoint -Path (Join-Path $env:PSCONTAINERS_ROOT "containers/$($c.Id)"))) {
                Invoke-Native umount '-l' $mount | Out-Null
            }
            $runState | Where-Object { Test-Path -LiteralPath $_ } | Remove-Item -Recurse -Force
            # The container's cgroups are still there (a real reboot would empty the hierarchies; the engine must not
            # rely on it): Remove-Container removes them although the runtime has no state for the container.
            @(Get-ChildItem -Path "/sys/fs/cgroup/*/pscontainers/$($c.Id)" -Directory -ErrorAction Ignore).Count | Should -BeGreaterThan 0
            Get-TestNetworkAddress -Root $env:PSCONTAINERS_ROOT | Should -Contain $ip
            Remove-Container rebooted -Force
            @(Get-ChildItem -Path "/sys/fs/cgroup/*/pscontainers/$($c.Id)" -Directory -ErrorAction Ignore) | Should -BeNullOrEmpty
            Get-TestNetworkAddress -Root $env:PSCONTAINERS_ROOT | Should -Not -Contain $ip
            Get-TestCniCacheEntry -Root $env:PSCONTAINERS_ROOT | Where-Object { $_ -like "*$($c.Id)*" } | Should -BeNullOrEmpty
            @(Get-TestIptablesRule | Where-Object { $_ -match ([regex]::Escape($ip) + '/32') }) | Should -BeNullOrEmpty
        } finally {
            Remove-Container rebooted -Force -ErrorAction SilentlyContinue
            Remove-ContainerNetwork rebootnet -ErrorAction SilentlyContinue
        }
    }
}
