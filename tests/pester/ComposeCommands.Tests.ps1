# docker-compose 1.29 (Debian's package) against our Docker Engine API socket, beyond the visits app: the commands a
# compose user types day to day on a running project (top, port, exec -T, run --rm with its exit code, pause,
# restart, stop/start, kill, rm, scale, a second up that must find the network unchanged, up --force-recreate)
# on a compose file with the service options people write (healthcheck with durations left out, ulimits, tmpfs,
# cap_drop, init, hostname, working_dir, stop_grace_period, restart). Images: a local busybox, so nothing is pulled.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $engine = Enter-TestEngine -Name compose-cmds
    $script:work = $engine.Work
    $script:savedEnv = $engine.Saved
    Import-TestBusyboxImage -Work $work | Out-Null
    $script:socket = Join-Path $work 'docker.sock'
    $script:service = Start-ContainerApiService -Socket $socket -PassThru -ErrorAction Stop
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $script:port = $probe.LocalEndpoint.Port; $probe.Stop()

    $script:project = Join-Path $work 'project'
    New-Item -ItemType Directory -Path $project | Out-Null
    # The healthcheck gives only test and interval: compose sends the other durations as null.
    Set-Content -LiteralPath (Join-Path $project 'docker-compose.yml') -Value @"
version: "3.8"
services:
  web:
    image: busybox:latest
    command: ["sh", "-c", "echo web up; exec httpd -f -p 8080 -h /"]
    ports: ["127.0.0.1:${port}:8080"]
    environment:
      A: "1"
    healthcheck:
      test: ["CMD", "true"]
      interval: 2s
    volumes: ["data:/data"]
    networks: [back]
    restart: unless-stopped
    stop_grace_period: 2s
    ulimits:
      nofile: {soft: 1024, hard: 2048}
    tmpfs: [/scratch]
    cap_drop: [NET_RAW]
    init: true
    hostname: webhost
    working_dir: /tmp
  worker:
    image: busybox:latest
    command: ["sh", "-c", "while true; do sleep 1; done"]
    depends_on: [web]
    networks: [back]
    stop_signal: SIGKILL
volumes:
  data: {}
networks:
  back: {}
"@
    $script:composeEnv = @{ DOCKER_HOST = "unix://$socket"; COMPOSE_PROJECT_NAME = 'cmds' }

    function Invoke-Compose([string[]]$Arguments, [int]$TimeoutSeconds = 120) {
        $r = Invoke-Native -FilePath docker-compose -ArgumentList $Arguments -Environment $composeEnv -TimeoutSeconds $TimeoutSeconds -WorkingDirectory $project
        $r | Add-Member -NotePropertyName Text -NotePropertyValue "$($r.StdOut)`n$($r.StdErr)" -PassThru
    }
}

AfterAll {
    Invoke-Compose down, -v, --timeout, 2 | Out-Null
    Stop-ContainerApiService -ErrorAction SilentlyContinue
    Get-Container -All | Remove-Container -Force -ErrorAction SilentlyContinue
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe 'docker-compose 1.29 commands on a running project' {
    It 'up -d starts both services with the options of the file' {
        $up = Invoke-Compose up, -d
        $up.ExitCode | Should -Be 0 -Because $up.Text
        (Get-Container cmds_web_1).Status | Should -Be 'Running'
        (Get-Container cmds_worker_1).Status | Should -Be 'Running'
        $web = Get-Container cmds_web_1
        $web.Config.Init | Should -BeTrue
        $web.Config.CapDrop | Should -Contain 'NET_RAW'
        $web.Config.Healthcheck.Interval | Should -Be 2000000000
    }

    It 'top, port and exec -T reach the service' {
        $top = Invoke-Compose top, web
        $top.ExitCode | Should -Be 0 -Because $top.Text
        $top.StdOut | Should -Match 'httpd'
        (Invoke-Compose port, web, 8080).StdOut.Trim() | Should -Be "127.0.0.1:$port"
        $exec = Invoke-Compose exec, -T, web, sh, -c, 'echo $A; hostname; pwd; ulimit -n'
        $exec.ExitCode | Should -Be 0 -Because $exec.Text
        ($exec.StdOut.Trim() -split "`n") | Should -Be @('1', 'webhost', '/tmp', '1024')
    }

    It 'run --rm makes a one-off container linked to the running ones and returns its exit code' {
        $run = Invoke-Compose run, --rm, worker, sh, -c, 'grep -c cmds_worker_1 /etc/hosts; exit 3'
        $run.ExitCode | Should -Be 3 -Because $run.Text
        $run.StdOut | Should -Match '(?m)^[1-9]'
        @(Get-Container -All | Where-Object Name -like 'cmds_worker_run*') | Should -BeNullOrEmpty -Because 'run --rm removes its container'
    }

    It 'pause, unpause, restart, stop, start, kill and rm act on the service''s containers' {
        foreach ($step in @(@('pause'), @('unpause'), @('restart', '-t', '1', 'web'), @('stop', '-t', '1', 'worker'))) {
            $r = Invoke-Compose $step
            $r.ExitCode | Should -Be 0 -Because "$($step -join ' '): $($r.Text)"
        }
        (Get-Container cmds_worker_1).Status | Should -Be 'Exited'
        (Get-Container cmds_web_1).Status | Should -Be 'Running'
        (Invoke-Compose start, worker).ExitCode | Should -Be 0
        (Get-Container cmds_worker_1).Status | Should -Be 'Running'
        (Invoke-Compose kill, -s, SIGKILL, worker).ExitCode | Should -Be 0
        (Invoke-Compose rm, -f, worker).ExitCode | Should -Be 0
        @(Get-Container -All | Where-Object Name -eq 'cmds_worker_1') | Should -BeNullOrEmpty
    }

    It 'a second up finds the network unchanged and scales a service' {
        $up = Invoke-Compose up, -d, --scale, worker=2
        $up.ExitCode | Should -Be 0 -Because $up.Text
        $up.Text | Should -Not -Match 'needs to be recreated'
        @(Get-Container | Where-Object Name -like 'cmds_worker_*').Count | Should -Be 2
    }

    It 'up --force-recreate replaces the web container and keeps its named volume' {
        (Invoke-Compose exec, -T, web, sh, -c, 'echo kept > /data/mark').ExitCode | Should -Be 0
        $before = (Get-Container cmds_web_1).Id
        $up = Invoke-Compose up, -d, --force-recreate, --no-deps, web
        $up.ExitCode | Should -Be 0 -Because $up.Text
        (Get-Container cmds_web_1).Id | Should -Not -Be $before
        (Invoke-Compose exec, -T, web, cat, /data/mark).StdOut.Trim() | Should -Be 'kept'
    }

    It 'down -v removes the containers, the network and the volume' {
        $down = Invoke-Compose down, -v, --timeout, 2
        $down.ExitCode | Should -Be 0 -Because $down.Text
        @(Get-Container -All).Count | Should -Be 0
        @(Get-ContainerNetwork | Where-Object Name -like 'cmds*').Count | Should -Be 0
        @(Get-ContainerVolume | Where-Object Name -like 'cmds*').Count | Should -Be 0
    }
}
