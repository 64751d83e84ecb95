# The network leak test: create/start/remove cycles on the default network from two pwsh processes at once
# (one storage root, so they share the bridge, the address store and the hosts files) leave no address, veth,
# network namespace, CNI cache entry, iptables rule or mount behind. $env:PSC_NETWORK_LEAK_CYCLES sets the
# cycles per process (default 100).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NetworkTestUtils.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name netleak
    $script:savedEnv = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    Import-Module $moduleDir -Force
    $script:cycles = if ($env:PSC_NETWORK_LEAK_CYCLES) { [int]$env:PSC_NETWORK_LEAK_CYCLES } else { 100 }
    $pwsh = [System.Environment]::ProcessPath
    $script:hostArgs = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
    $script:pwsh = $pwsh
}

AfterAll {
    Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -ErrorAction Continue
    $bridges = @(Get-ContainerNetwork -ErrorAction SilentlyContinue | ForEach-Object Bridge)
    Get-ContainerNetwork -ErrorAction SilentlyContinue | Remove-ContainerNetwork -ErrorAction Continue
    $bridgesLeft = @($bridges | Where-Object { Test-Path -LiteralPath "/sys/class/net/$_" })
    Remove-TestDirectory -Path $work
    $env:PSCONTAINERS_ROOT = $savedEnv.Root
    $env:PSCONTAINERS_RUNROOT = $savedEnv.RunRoot
    $bridgesLeft | Should -BeNullOrEmpty
}

Describe 'Network leak check' {
    It 'leaves nothing behind after create/start/remove cycles in two concurrent pwsh processes' {
        # One cycle first: the shared chains (CNI-HOSTPORT-*, the bridge's isolation rules) are made once and stay.
        $warm = New-Container $rootfs -Publish "127.0.0.1:$(Get-TestFreePort):80" -- true
        Start-Container $warm.Id | Out-Null
        Wait-Container $warm.Id | Out-Null
        Remove-Container $warm.Id
        $rulesBefore = Get-TestIptablesRule
        $linksBefore = @(Get-ChildItem /sys/class/net | ForEach-Object Name)

        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$moduleDir'
for (`$i = 0; `$i -lt $cycles; `$i++) {
    `$c = New-Container '$rootfs' -- sh -c 'ip -4 addr show eth0 | grep -q inet'
    Start-Container `$c.Id | Out-Null
    `$code = Wait-Container `$c.Id
    Remove-Container `$c.Id
    if (`$code.ExitCode -ne 0) { throw "cycle `${i}: the container had no address (exit `$(`$code.ExitCode))" }
}
'cycles done'
"@
        $jobs = foreach ($n in 1, 2) {
            $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
            foreach ($a in @($hostArgs) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $start.ArgumentList.Add($a) }
            $start.RedirectStandardOutput = $true
            $start.RedirectStandardError = $true
            $p = [System.Diagnostics.Process]::Start($start)
            [pscustomobject]@{ Process = $p; Out = $p.StandardOutput.ReadToEndAsync(); Err = $p.StandardError.ReadToEndAsync() }
        }
        foreach ($job in $jobs) {
            if (-not $job.Process.WaitForExit(1800 * 1000)) {
                $job.Process.Kill($true)
            }
        }
        foreach ($job in $jobs) {
            $job.Process.ExitCode | Should -Be 0 -Because $job.Err.Result
            $job.Out.Result | Should -Match 'cycles done'
        }

        @(Get-Container -All) | Should -BeNullOrEmpty
        Get-TestNetworkAddress -Root $env:PSCONTAINERS_ROOT | Should -BeNullOrEmpty
        @(Get-TestBridgePort -Root $env:PSCONTAINERS_ROOT) | Should -BeNullOrEmpty
        Get-TestNetnsFile -RunRoot $env:PSCONTAINERS_RUNROOT | Should -BeNullOrEmpty
        Get-TestCniCacheEntry -Root $env:PSCONTAINERS_ROOT | Should -BeNullOrEmpty
        @(Get-TestMountPoint -Path $work) | Should -BeNullOrEmpty
        @(Get-ChildItem /sys/class/net | ForEach-Object Name | Where-Object { $_ -notin $linksBefore }) | Should -BeNullOrEmpty
        $rulesAfter = Get-TestIptablesRule
        @($rulesAfter | Where-Object { $_ -notin $rulesBefore }) | Should -BeNullOrEmpty
        @($rulesBefore | Where-Object { $_ -notin $rulesAfter }) | Should -BeNullOrEmpty
    }
}
