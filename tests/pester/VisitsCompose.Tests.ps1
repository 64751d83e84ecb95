# The three-service application of docs/visits-app.md, run the docker-compose way: the real docker-compose 1.29
# (Debian's package) against our Docker Engine API socket with examples/visits/compose.yaml: build sections,
# depends_on with condition service_healthy, a named volume, a network, a published port. up -d --build, ps,
# logs, exec, down -v; the containers compose makes are the engine's own (Get-Container shows them).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'BuildFixtures.psm1') -Force
    $engine = Enter-TestEngine -Name visits-compose
    $script:work = $engine.Work
    $script:savedEnv = $engine.Saved
    $script:compose = Join-Path (Get-TestRepoRoot) 'examples/visits/compose.yaml'
    Import-ContainerImage (Get-DebianBaseTarball) -Tag localhost/psc-debian:bookworm | Out-Null
    $script:socket = Join-Path $work 'docker.sock'
    $script:service = Start-ContainerApiService -Socket $socket -PassThru -ErrorAction Stop
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $script:port = $probe.LocalEndpoint.Port; $probe.Stop()
    $script:composeEnv = @{ DOCKER_HOST = "unix://$socket"; VISITS_PORT = "$port"; COMPOSE_PROJECT_NAME = 'visits' }

    function Invoke-Compose([string[]]$Arguments, [int]$TimeoutSeconds = 120) {
        Invoke-Native -FilePath docker-compose -ArgumentList (@('-f', $compose) + $Arguments) -Environment $composeEnv -TimeoutSeconds $TimeoutSeconds
    }
}

AfterAll {
    Invoke-Compose down, -v, --timeout, 5 | Out-Null
    Stop-ContainerApiService -ErrorAction SilentlyContinue
    Get-Container -All | Remove-Container -Force -ErrorAction SilentlyContinue
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe 'The visits application, with docker-compose against our socket' {
    It 'up -d --build builds the three images and starts the app only after the stores are healthy' {
        $up = Invoke-Compose up, -d, --build -TimeoutSeconds 1200
        $up.ExitCode | Should -Be 0 -Because "$($up.StdOut)`n$($up.StdErr)"
        $containers = @(Get-Container)
        $containers.Name | Sort-Object | Should -Be @('visits_cache_1', 'visits_db_1', 'visits_web_1')
        (Get-Container visits_db_1).Health.Status | Should -Be 'healthy' -Because 'compose waited for service_healthy before it started web'
        (Get-Container visits_cache_1).Health.Status | Should -Be 'healthy'
        (Get-Container visits_web_1).StartedAt | Should -BeGreaterThan (Get-Container visits_db_1).StartedAt
    }

    It 'ps lists the three services as up' {
        $ps = Invoke-Compose ps
        $ps.ExitCode | Should -Be 0 -Because $ps.StdErr
        foreach ($name in 'visits_db_1', 'visits_cache_1', 'visits_web_1') { $ps.StdOut | Should -Match "$name\s.*Up" }
    }

    It 'serves the app on the published port, counting in Redis and recording in PostgreSQL' {
        $visit = $null
        foreach ($try in 1..60) {
            try { $visit = Invoke-RestMethod -Uri "http://127.0.0.1:$port/" -TimeoutSec 10; break } catch { Start-Sleep -Milliseconds 500 }
        }
        $visit.visits | Should -Be 1
        $visit.recorded | Should -Be 1
        (Invoke-RestMethod -Uri "http://127.0.0.1:$port/" -TimeoutSec 10).recorded | Should -Be 2
    }

    It 'logs shows the app''s output' {
        $logs = Invoke-Compose logs, --no-color, web
        $logs.ExitCode | Should -Be 0 -Because $logs.StdErr
        $logs.StdOut | Should -Match 'visits: listening on 8080'
    }

    # compose's exec -T attaches stdin without a tty: the service relays it to the process through a pipe.
    It 'exec runs a command in a service' {
        $exec = Invoke-Compose exec, -T, cache, redis-cli, get, visits
        $exec.ExitCode | Should -Be 0 -Because $exec.StdErr
        $exec.StdOut.Trim() | Should -Be '2'
    }

    It 'down -v removes the containers, the network and the volume' {
        $down = Invoke-Compose down, -v, --timeout, 10 -TimeoutSeconds 300
        $down.ExitCode | Should -Be 0 -Because "$($down.StdOut)`n$($down.StdErr)"
        @(Get-Container -All).Count | Should -Be 0
        @(Get-ContainerNetwork | Where-Object Name -like 'visits*').Count | Should -Be 0
        @(Get-ContainerVolume | Where-Object Name -like 'visits*').Count | Should -Be 0
    }
}
