# Health checks on real containers: the monitor (pscmon) runs them on schedule through pscrun's health-check verb,
# and Get-Container / Wait-Container read the result. Every container lives under a temp storage and run root;
# AfterAll removes them and checks that no mount is left. Waits are bounded and poll what the user sees.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $engine = Enter-TestEngine -Name health
    $script:work = $engine.Work
    $script:savedEnv = $engine.Saved
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $script:loop = 'trap "exit 0" TERM; while true; do sleep 0.1; done'
    $script:fast = @{ HealthInterval = [TimeSpan]::FromMilliseconds(200) }

    function Wait-Until([scriptblock]$Condition, [int]$TimeoutSeconds = 60, [string]$Because = '') {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "timed out after ${TimeoutSeconds}s waiting for: $Condition $Because" }
            Start-Sleep -Milliseconds 100
        }
    }

    # A base image imported from an OCI layout, to build images with a HEALTHCHECK on.
    $layout = Join-Path $work 'layout'
    $ociRef = New-TestOciImage -Layout $layout -Tag v1
    $archive = Join-Path $work 'image.tar'
    Invoke-Native skopeo copy "oci:$ociRef" "oci-archive:${archive}:localhost/psc-health-base:v1" | Assert-NativeSuccess | Out-Null
    Import-ContainerImage $archive | Out-Null
    $context = Join-Path $work 'context'
    New-Item -ItemType Directory -Path $context | Out-Null
    Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value @'
FROM localhost/psc-health-base:v1
HEALTHCHECK --interval=300ms --timeout=5s --retries=2 CMD test -f /etc/passwd
'@
    Build-ContainerImage -Path $context -Tag localhost/psc-health:v1 -ErrorAction Stop | Out-Null
}

AfterAll {
    $left = Exit-TestEngine -Work $work -Saved $savedEnv
    $left | Should -BeNullOrEmpty
}

Describe 'Health checks run by the monitor' {
    It 'a check that passes makes the container healthy; Wait-Container -Condition Healthy returns it' {
        $c = Invoke-Container -RootFs $rootfs -Detach -Name h-pass -HealthCommand 'echo ok' @fast -- sh -c $loop
        $c.Health.Status | Should -Be 'starting'
        $healthy = Wait-Container $c.Id -Condition Healthy -Timeout ([TimeSpan]::FromSeconds(60)) -ErrorAction Stop
        $healthy.Health.Status | Should -Be 'healthy'
        $healthy.StatusText | Should -Match '\(healthy\)$'
        $entry = (Get-Container h-pass).Health.Log[-1]
        $entry.ExitCode | Should -Be 0
        $entry.Output | Should -Be "ok`n"
        $entry.End | Should -BeGreaterOrEqual $entry.Start
    }

    It 'an argv check (CMD form) runs without a shell' {
        $c = Invoke-Container -RootFs $rootfs -Detach -Name h-argv -HealthCommand @('echo', 'argv', '$HOME') @fast -- sh -c $loop
        # No shell: $HOME reaches echo as it is.
        (Wait-Container $c.Id -Condition Healthy -Timeout ([TimeSpan]::FromSeconds(60)) -ErrorAction Stop).Health.Log[-1].Output |
            Should -BeExactly "argv `$HOME`n"
    }

    It 'a check that fails turns unhealthy after the retries, and Wait-Container -Condition Healthy says so' {
        $c = Invoke-Container -RootFs $rootfs -Detach -Name h-fail -HealthCommand 'echo broken; exit 1' -HealthRetries 2 @fast -- sh -c $loop
        Wait-Until { (Get-Container h-fail).Health.Status -eq 'unhealthy' }
        $h = (Get-Container h-fail).Health
        $h.FailingStreak | Should -BeGreaterOrEqual 2
        $h.Log[-1].ExitCode | Should -Be 1
        $h.Log[-1].Output | Should -Be "broken`n"
        $h.Log.Count | Should -BeLessOrEqual 5
        (Get-Container h-fail).StatusText | Should -Match '\(unhealthy\)$'
        Wait-Container h-fail -Condition Healthy -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Match '^ContainerUnhealthy'
    }

    It 'failures within the start period do not count; a success then makes it healthy' {
        $c = Invoke-Container -RootFs $rootfs -Detach -Name h-start -HealthCommand 'test -f /tmp/ready' -HealthRetries 1 `
            -HealthStartPeriod ([TimeSpan]::FromMinutes(5)) -HealthStartInterval ([TimeSpan]::FromMilliseconds(200)) -- sh -c $loop
        Wait-Until { (Get-Container h-start).Health.Log.Count -ge 3 }
        $h = (Get-Container h-start).Health
        $h.Status | Should -Be 'starting'
        $h.FailingStreak | Should -Be 0
        @($h.Log | Where-Object ExitCode -ne 1).Count | Should -Be 0
        Invoke-ContainerCommand h-start -- touch /tmp/ready | Out-Null
        (Wait-Container h-start -Condition Healthy -Timeout ([TimeSpan]::FromSeconds(60)) -ErrorAction Stop).Health.Status | Should -Be 'healthy'
    }

    It 'a check that hangs is killed at its timeout and counts as a failure' {
        $c = Invoke-Container -RootFs $rootfs -Detach -Name h-hang -HealthCommand 'sleep 3600' -HealthTimeout ([TimeSpan]::FromMilliseconds(500)) `
            -HealthRetries 1 @fast -- sh -c $loop
        Wait-Until { (Get-Container h-hang).Health.Status -eq 'unhealthy' }
        $last = (Get-Container h-hang).Health.Log[-1]
        $last.ExitCode | Should -Be -1
        $last.Output | Should -Be 'Health check exceeded timeout (500ms)'
        # The timed-out sleep was killed: at most the one of a check running right now is there.
        Start-Sleep -Milliseconds 300
        @(Get-ContainerProcess h-hang | Where-Object Command -Match 'sleep 3600').Count | Should -BeLessOrEqual 1
    }

    It 'the image HEALTHCHECK runs; -HealthCommand replaces its test; -NoHealthcheck turns it off' {
        $fromImage = Invoke-Container localhost/psc-health:v1 -Detach -Name h-image -- sh -c $loop
        (Wait-Container $fromImage.Id -Condition Healthy -Timeout ([TimeSpan]::FromSeconds(60)) -ErrorAction Stop).Health.Status | Should -Be 'healthy'
        # HEALTHCHECK CMD in shell form is stored as CMD-SHELL, as docker's builder stores it.
        $fromImage.Config.Healthcheck.Test | Should -Be @('CMD-SHELL', 'test -f /etc/passwd')

        # The run's test with the image's interval and retries (2): fails twice, then unhealthy.
        $override = Invoke-Container localhost/psc-health:v1 -Detach -Name h-override -HealthCommand 'exit 1' -- sh -c $loop
        $override.Config.Healthcheck.Test | Should -Be @('CMD-SHELL', 'exit 1')
        $override.Config.Healthcheck.Retries | Should -Be 2
        Wait-Until { (Get-Container h-override).Health.Status -eq 'unhealthy' }

        $none = Invoke-Container localhost/psc-health:v1 -Detach -Name h-none -NoHealthcheck -- sh -c $loop
        $none.Health | Should -BeNullOrEmpty
        Start-Sleep -Milliseconds 800
        (Get-Container h-none).Health | Should -BeNullOrEmpty
        Test-Path (Join-Path $env:PSCONTAINERS_RUNROOT "containers/$($none.Id)/health.json") | Should -BeFalse
        Wait-Container h-none -Condition Healthy -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -Match '^NoHealthcheck'
    }

    It 'a restart starts the health over at starting' {
        $c = Invoke-Container -RootFs $rootfs -Detach -Name h-restart -HealthCommand 'true' -HealthInterval ([TimeSpan]::FromSeconds(30)) `
            -HealthStartPeriod ([TimeSpan]::FromMinutes(1)) -HealthStartInterval ([TimeSpan]::FromMilliseconds(200)) -- sh -c $loop
        Wait-Container $c.Id -Condition Healthy -Timeout ([TimeSpan]::FromSeconds(60)) -ErrorAction Stop | Out-Null
        Restart-Container h-restart -Timeout 5 | Out-Null
        $after = Get-Container h-restart
        $after.Health.Status | Should -BeIn @('starting', 'healthy')
        $after.Health.Log.Count | Should -BeGreaterOrEqual 1 -Because 'the results of the earlier run are kept'
        (Wait-Container h-restart -Condition Healthy -Timeout ([TimeSpan]::FromSeconds(60)) -ErrorAction Stop).Health.Status | Should -Be 'healthy'
    }

    It 'Wait-Container -Timeout gives up with WaitTimeout and leaves the container running' {
        Invoke-Container -RootFs $rootfs -Detach -Name h-slow -HealthCommand 'exit 1' -HealthStartPeriod ([TimeSpan]::FromMinutes(5)) -- sh -c $loop | Out-Null
        Wait-Container h-slow -Condition Healthy -Timeout ([TimeSpan]::FromMilliseconds(300)) -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Match '^WaitTimeout'
        (Get-Container h-slow).Status | Should -Be 'Running'
    }
}

Describe 'Health options are checked before anything is made' {
    It 'refuses <Case> with a message that names it, and creates nothing' -TestCases @(
        @{ Case = 'a negative interval'; Options = @{ HealthCommand = 'true'; HealthInterval = [TimeSpan]::FromSeconds(-1) }; Message = '-HealthInterval cannot be negative' }
        @{ Case = 'an interval under 1ms'; Options = @{ HealthCommand = 'true'; HealthInterval = [TimeSpan]::FromTicks(5000) }; Message = 'Interval in Healthcheck cannot be less than 1ms' }
        @{ Case = 'negative retries'; Options = @{ HealthCommand = 'true'; HealthRetries = -1 }; Message = '-HealthRetries cannot be negative' }
        @{ Case = '-NoHealthcheck with a command'; Options = @{ HealthCommand = 'true'; NoHealthcheck = $true }; Message = '-NoHealthcheck conflicts' }
        @{ Case = 'an empty command'; Options = @{ HealthCommand = '  ' }; Message = '-HealthCommand needs a command' }
    ) {
        param($Case, $Options, $Message)
        $before = @(Get-Container -All).Count
        { New-Container -RootFs $rootfs -Name h-bad @Options -- true } | Should -Throw "*$Message*"
        @(Get-Container -All).Count | Should -Be $before
    }
}
