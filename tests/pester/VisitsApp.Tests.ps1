# The three-service application of docs/visits-app.md, run the cmdlet way: PostgreSQL with its data in a named
# volume, Redis, and a Node.js app that counts visits in Redis and records them in PostgreSQL, each built from
# examples/visits/* FROM the debootstrapped bookworm base (cached outside the checkout) with Debian's packages,
# all on one user network, only the app published (on 127.0.0.1). The images' HEALTHCHECKs gate each step.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'BuildFixtures.psm1') -Force
    $engine = Enter-TestEngine -Name visits
    $script:work = $engine.Work
    $script:savedEnv = $engine.Saved
    $script:app = Join-Path (Get-TestRepoRoot) 'examples/visits'
    Import-ContainerImage (Get-DebianBaseTarball) -Tag localhost/psc-debian:bookworm | Out-Null
    # A free port on 127.0.0.1 for the app.
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $script:port = $probe.LocalEndpoint.Port; $probe.Stop()
    $script:url = "http://127.0.0.1:$port/"

    function Get-Visit { Invoke-RestMethod -Uri $url -TimeoutSec 20 }
}

AfterAll {
    Get-Container -All | Remove-Container -Force -ErrorAction SilentlyContinue
    Remove-ContainerNetwork -Name visits -ErrorAction SilentlyContinue
    Remove-ContainerVolume -Name visits-data -Force -ErrorAction SilentlyContinue
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe 'The visits application, with cmdlets' {
    It 'builds the three images from their Dockerfiles, with their health checks' {
        foreach ($name in 'db', 'cache', 'web') {
            $image = Build-ContainerImage -Path (Join-Path $app $name) -Tag "localhost/visits-${name}:1" -ErrorAction Stop
            $image.Config.Healthcheck.Test | Should -Not -BeNullOrEmpty -Because "$name's Dockerfile has a HEALTHCHECK"
        }
    }

    It 'starts PostgreSQL and Redis on a user network, unpublished, and waits until both are healthy' {
        New-ContainerNetwork -Name visits | Out-Null
        New-ContainerVolume -Name visits-data | Out-Null
        Invoke-Container localhost/visits-db:1 -Detach -Name db -Network visits -Volume visits-data:/var/lib/postgresql/data `
            -Environment @{ POSTGRES_PASSWORD = 'secret' } | Out-Null
        Invoke-Container localhost/visits-cache:1 -Detach -Name cache -Network visits | Out-Null
        Wait-Container db, cache -Condition Healthy -Timeout ([TimeSpan]::FromMinutes(3)) -ErrorAction Stop
        (Get-Container db).Health.Status | Should -Be 'healthy'
        (Get-Container cache).Health.Status | Should -Be 'healthy'
        @(Get-ContainerPort db).Count + @(Get-ContainerPort cache).Count | Should -Be 0 -Because 'only the app is published'
    }

    It 'starts the app published on 127.0.0.1, with a health check given on the command line, and counts visits' {
        Invoke-Container localhost/visits-web:1 -Detach -Name web -Network visits -Publish "127.0.0.1:${port}:8080" `
            -Environment @{ DATABASE_URL = 'postgres://postgres:secret@db:5432/postgres'; REDIS_URL = 'redis://cache:6379' } `
            -HealthCommand 'node', '/app/health.js' -HealthInterval ([TimeSpan]::FromSeconds(1)) -HealthRetries 60 | Out-Null
        Wait-Container web -Condition Healthy -Timeout ([TimeSpan]::FromMinutes(2)) -ErrorAction Stop
        $counts = 1..3 | ForEach-Object { Get-Visit }
        $counts.visits | Should -Be @(1, 2, 3)
        $counts.recorded | Should -Be @(1, 2, 3)
    }

    It 'keeps the recorded visits across a restart of the database container (its data is in the volume)' {
        Restart-Container db | Out-Null
        Wait-Container db -Condition Healthy -Timeout ([TimeSpan]::FromMinutes(2)) -ErrorAction Stop
        # The app's pooled connections to the old server are gone; its next queries open new ones (bounded retries).
        $visit = $null
        foreach ($try in 1..30) {
            try { $visit = Get-Visit; break } catch { Start-Sleep -Milliseconds 500 }
        }
        $visit.recorded | Should -Be 4 -Because 'the three earlier visits survived the restart'
        $visit.visits | Should -Be 4
    }

    It 'tears everything down and leaves nothing behind' {
        Remove-Container web, cache, db -Force
        Remove-ContainerNetwork -Name visits
        Remove-ContainerVolume -Name visits-data
        @(Get-Container -All).Count | Should -Be 0
        Get-ContainerNetwork -Name visits -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-ContainerVolume -Name visits-data -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        { Invoke-RestMethod -Uri $url -TimeoutSec 2 } | Should -Throw -Because 'the published port is closed'
        @(Invoke-Native iptables-save | ForEach-Object { $_.StdOut -split "`n" } | Where-Object { $_ -match "dport $port\b" }).Count | Should -Be 0
    }
}
