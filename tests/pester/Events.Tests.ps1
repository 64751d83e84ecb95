# The engine's events on real containers: what Get-ContainerEvent reads back from the journal under the run root
# (written by the cmdlets and by the containers' monitors), its filters and times, and -Follow. Every container
# lives under a temp storage and run root; AfterAll removes them and checks that no mount is left.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $engine = Enter-TestEngine -Name events
    $script:work = $engine.Work
    $script:savedEnv = $engine.Saved
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
}

AfterAll {
    $left = Exit-TestEngine -Work $work -Saved $savedEnv
    $left | Should -BeNullOrEmpty
}

Describe 'Get-ContainerEvent' {
    It 'records a container that is created, starts and dies, with its exit code, then its removal' {
        $c = New-Container -RootFs $rootfs -Name ev-exit -Label @{ tier = 'batch' } -- sh -c 'exit 3'
        Start-Container ev-exit | Out-Null
        (Wait-Container ev-exit).ExitCode | Should -Be 3
        Remove-Container ev-exit
        $events = @(Get-ContainerEvent -Filter @{ container = $c.Id })
        $events.Action | Should -Be @('create', 'start', 'die', 'destroy')
        $events | ForEach-Object { $_ | Should -BeOfType 'PSContainers.Core.Events.ContainerEvent' }
        $die = $events | Where-Object Action -eq 'die'
        $die.Attributes['exitCode'] | Should -Be '3'
        $die.Attributes['name'] | Should -Be 'ev-exit'
        $die.Attributes['tier'] | Should -Be 'batch'
        $die.Name | Should -Be 'ev-exit'
        $die.Json | Should -Match '"status":"die","id":"[0-9a-f]{64}"'
        ($events.TimeNano | Sort-Object) | Should -Be $events.TimeNano
    }

    It 'records stop (with the kill and its signal), pause, unpause and rename' {
        $c = Invoke-Container -RootFs $rootfs -Detach -Name ev-life -- sh -c 'trap "exit 0" TERM; while true; do sleep 0.1; done'
        Suspend-Container ev-life | Out-Null
        Resume-Container ev-life | Out-Null
        Rename-Container ev-life ev-renamed | Out-Null
        Stop-Container ev-renamed -Timeout 5 | Out-Null
        $events = @(Get-ContainerEvent -Filter "container=$($c.Id)")
        $events.Action | Should -Be @('create', 'start', 'pause', 'unpause', 'rename', 'kill', 'die', 'stop')
        ($events | Where-Object Action -eq 'rename').Attributes['oldName'] | Should -Be 'ev-life'
        ($events | Where-Object Action -eq 'kill').Attributes['signal'] | Should -Be '15'
        # The monitor read the new name for its die event.
        ($events | Where-Object Action -eq 'die').Attributes['name'] | Should -Be 'ev-renamed'
    }

    It 'records an OOM kill from the monitor, before the die' {
        $c = Invoke-Container -RootFs $rootfs -Detach -Name ev-oom -Memory 32MB -- sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived'
        (Wait-Container ev-oom).ExitCode | Should -Be 137
        $actions = @(Get-ContainerEvent -Filter @{ container = 'ev-oom'; event = 'oom', 'die' }).Action
        $actions | Should -Be @('oom', 'die')
        (Get-Container ev-oom).OomKilled | Should -BeTrue
    }

    It 'records health status changes from the health checks' {
        $c = Invoke-Container -RootFs $rootfs -Detach -Name ev-health -HealthCommand 'true' -HealthInterval ([TimeSpan]::FromMilliseconds(200)) -- sh -c 'while true; do sleep 0.1; done'
        Wait-Container $c.Id -Condition Healthy -Timeout ([TimeSpan]::FromSeconds(60)) -ErrorAction Stop | Out-Null
        $health = @(Get-ContainerEvent -Filter 'event=health_status', "container=$($c.Id)")
        $health.Action | Should -Be @('health_status: healthy')
        $health[0].Attributes['name'] | Should -Be 'ev-health'
    }

    It 'selects by -Since and -Until (DateTime or docker strings) and by type' {
        $before = [DateTimeOffset]::Now
        Start-Sleep -Milliseconds 20
        New-ContainerVolume -Name ev-vol | Out-Null
        Remove-ContainerVolume ev-vol
        Start-Sleep -Milliseconds 20
        $after = [DateTimeOffset]::Now
        $volumes = @(Get-ContainerEvent -Since $before.DateTime -Until $after.DateTime -Filter 'type=volume')
        $volumes.Action | Should -Be @('create', 'destroy')
        $volumes.ActorId | Should -Be @('ev-vol', 'ev-vol')
        @(Get-ContainerEvent -Since ($after.ToUnixTimeMilliseconds() / 1000).ToString([cultureinfo]::InvariantCulture) -Filter 'type=volume').Count | Should -Be 0
        @(Get-ContainerEvent -Since 1h -Filter 'type=volume').Count | Should -Be 2
        @(Get-ContainerEvent -Until $before.UtcDateTime.ToString('yyyy-MM-ddTHH:mm:ss.fffffffZ') -Filter 'type=volume').Count | Should -Be 0
        { Get-ContainerEvent -Since 'last tuesday' } | Should -Throw '*-Since*'
        { Get-ContainerEvent -Filter 'colour=red' } | Should -Throw "*invalid filter 'colour'*"
    }

    It 'records image load, tag, untag and delete, and network create, connect, disconnect and destroy' {
        $layout = Join-Path $work 'layout'
        $ociRef = New-TestOciImage -Layout $layout -Tag v1
        $archive = Join-Path $work 'image.tar'
        Invoke-Native skopeo copy "oci:$ociRef" "oci-archive:${archive}:localhost/psc-events:v1" | Assert-NativeSuccess | Out-Null
        $since = [DateTimeOffset]::Now
        $image = Import-ContainerImage $archive | Select-Object -First 1
        Add-ContainerImageTag -Image localhost/psc-events:v1 -Tag localhost/psc-events:v2
        Remove-ContainerImage localhost/psc-events:v2 | Out-Null
        Remove-ContainerImage localhost/psc-events:v1 | Out-Null
        $images = @(Get-ContainerEvent -Since $since -Filter 'type=image')
        $images.Action | Should -Be @('load', 'tag', 'untag', 'untag', 'delete')
        $images.ActorId | Select-Object -Unique | Should -Be $image.Id
        ($images | Where-Object Action -eq 'tag').Attributes['name'] | Should -Be 'localhost/psc-events:v2'

        New-ContainerNetwork -Name ev-net1 | Out-Null
        New-ContainerNetwork -Name ev-net2 | Out-Null
        $c = New-Container -RootFs $rootfs -Name ev-netc -Network ev-net1 -- true
        Connect-ContainerNetwork -Network ev-net2 -Container ev-netc
        Disconnect-ContainerNetwork -Network ev-net2 -Container ev-netc
        Remove-Container ev-netc
        Remove-ContainerNetwork ev-net1, ev-net2
        $networks = @(Get-ContainerEvent -Since $since -Filter @{ type = 'network'; network = 'ev-net2' })
        $networks.Action | Should -Be @('create', 'connect', 'disconnect', 'destroy')
        ($networks | Where-Object Action -eq 'connect').Attributes['container'] | Should -Be $c.Id
        @(Get-ContainerEvent -Since $since -Filter 'network=ev-net1').Action | Should -Be @('create', 'destroy')
    }

    It '-Follow writes a start recorded while it runs, then stops with the pipeline' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($Module, $Since, $Until)
                Import-Module $Module
                Get-ContainerEvent -Follow -Since $Since -Until $Until -Filter 'event=start', 'container=ev-follow' | Select-Object -First 1
            }).AddArgument($moduleDir).AddArgument([DateTime]::Now).AddArgument([DateTime]::Now.AddSeconds(90))
            $async = $ps.BeginInvoke()
            # -Since now: the start is written whether the runspace follows by then or replays it first.
            Start-Sleep -Milliseconds 500
            $async.IsCompleted | Should -BeFalse -Because 'nothing matched yet'
            Invoke-Container -RootFs $rootfs -Name ev-follow -Remove -- true | Out-Null
            $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(60)) | Should -BeTrue
            $got = @($ps.EndInvoke($async))
            $ps.Streams.Error | Should -BeNullOrEmpty
            $got.Count | Should -Be 1
            $got[0].Action | Should -Be 'start'
            $got[0].Name | Should -Be 'ev-follow'
            # -Remove: the container is gone, and so recorded, as docker run --rm records it.
            @(Get-ContainerEvent -Filter 'container=ev-follow').Action | Should -Be @('create', 'start', 'die', 'destroy')
        } finally {
            $ps.Stop()
            $ps.Dispose()
        }
    }

    It 'without -Since, -Follow skips what was recorded before it began' {
        New-ContainerVolume -Name ev-old | Out-Null
        $until = [DateTime]::Now.AddSeconds(2)
        $got = @(Get-ContainerEvent -Follow -Until $until -Filter 'type=volume')
        $got.Count | Should -Be 0
        [DateTime]::Now | Should -BeGreaterOrEqual $until
        Remove-ContainerVolume ev-old
    }
}

Describe 'The API service''s /events, read by the docker CLI' {
    BeforeAll {
        $script:socket = Join-Path $work 'docker.sock'
        Start-ContainerApiService -Socket $socket | Out-Null
        $script:dockerHost = "unix://$socket"
    }

    AfterAll {
        Stop-ContainerApiService -ErrorAction Continue | Out-Null
    }

    It 'serves the recorded events between --since and --until with --filter, as docker events prints them' {
        $c = Invoke-Container -RootFs $rootfs -Name ev-api -- sh -c 'exit 5'
        $since = [DateTimeOffset]::Now.AddMinutes(-5).ToUnixTimeSeconds()
        # The monitor records die as the container's last act, and until=0s is the client's now: ask again (bounded)
        # until the three are in, so a die written just after the query is not taken for a missing one.
        $messages = @()
        foreach ($try in 1..20) {
            $result = Invoke-Native -FilePath docker -ArgumentList @('--host', $dockerHost, 'events', '--since', "$since", '--until', '0s', '--filter', 'container=ev-api', '--format', '{{json .}}') -TimeoutSeconds 60
            $result.ExitCode | Should -Be 0 -Because $result.StdErr
            $messages = @($result.StdOut -split "`n" | Where-Object { $_ } | ConvertFrom-Json)
            if ($messages.Count -ge 3) { break }
            Start-Sleep -Milliseconds 250
        }
        @($messages | ForEach-Object { $_.Action }) | Should -Be @('create', 'start', 'die')
        $die = $messages | Where-Object Action -eq 'die'
        $die.Actor.Attributes.exitCode | Should -Be '5'
        $die.Actor.Attributes.name | Should -Be 'ev-api'
        $die.Type | Should -Be 'container'
        $die.status | Should -Be 'die'
    }

    It 'streams a new event to docker events while it runs' {
        # --since just before: the create is served whether it comes before or after the stream is set up.
        $since = [DateTimeOffset]::Now.AddSeconds(-1).ToUnixTimeSeconds()
        $info = [System.Diagnostics.ProcessStartInfo]::new('docker')
        foreach ($a in @('--host', $dockerHost, 'events', '--since', "$since", '--filter', 'type=volume', '--filter', 'volume=ev-api-vol', '--format', '{{.Action}} {{.Actor.ID}}')) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        $proc = [System.Diagnostics.Process]::Start($info)
        $reader = $proc.StandardOutput
        try {
            New-ContainerVolume -Name ev-api-vol | Out-Null
            # One line is all this waits for, with a bound: ReadLineAsync and a 30 s wait.
            $next = $reader.ReadLineAsync()
            $next.Wait([TimeSpan]::FromSeconds(30)) | Should -BeTrue -Because 'docker events printed the volume''s create'
            $next.Result | Should -Be 'create ev-api-vol'
            $proc.HasExited | Should -BeFalse -Because 'without --until the stream stays open'
        } finally {
            $proc.Kill()
            $proc.WaitForExit(10000) | Out-Null
            $proc.Dispose()
            Remove-ContainerVolume ev-api-vol -ErrorAction Continue
        }
    }
}
