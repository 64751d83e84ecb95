# A real-world build: redis-server installed with apt-get from this machine's Debian mirror, on a bookworm
# minbase image made by debootstrap (cached under /var/cache/pscontainers-tests, made here when missing), then
# run detached; redis-cli ping in the same container answers PONG. podman builds and runs the same Dockerfile
# first, which proves the Dockerfile and the base. RUN reaches the mirror through the host's network.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'BuildFixtures.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name realworld
    $script:savedEnv = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    Import-Module $moduleDir -Force

    $script:context = Join-Path $PSScriptRoot 'build-realworld/redis'
    $script:baseTarball = Get-DebianBaseTarball
    $script:podman = New-TestPodman -WorkDirectory $work -Runtime (Get-ReferenceRuntime)
    $globalArgs = [System.Collections.Generic.List[string]]$podman.GlobalArgs
    $globalArgs[$globalArgs.IndexOf('--storage-driver') + 1] = 'overlay'
    $podman.GlobalArgs = $globalArgs.ToArray()

    # Asks redis in the container until it answers (it needs a moment to start listening); bounded.
    function script:Wait-RedisPong([scriptblock]$Ping, [int]$TimeoutSeconds = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        $last = ''
        do {
            $last = "$(& $Ping)".Trim()
            if ($last -eq 'PONG') { return $last }
            Start-Sleep -Milliseconds 250
        } while ([DateTime]::UtcNow -lt $deadline)
        $last
    }
}

AfterAll {
    Remove-TestPodman -Podman $podman
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe 'Real-world build: redis on Debian bookworm' {
    It 'podman builds the Dockerfile on the debootstrap base, and its redis answers PONG' {
        Invoke-TestPodman $podman import $baseTarball localhost/psc-debian:bookworm -TimeoutSeconds 300 | Assert-NativeSuccess | Out-Null
        Invoke-TestPodman $podman build --network host --format docker --pull=never --cgroup-parent $podman.CgroupParent `
            --tag localhost/psc-redis:peer $context -TimeoutSeconds 900 | Assert-NativeSuccess | Out-Null
        Invoke-TestPodman $podman run --detach --name redis-peer --network none --cgroup-parent $podman.CgroupParent localhost/psc-redis:peer |
            Assert-NativeSuccess | Out-Null
        Wait-RedisPong { (Invoke-TestPodman $podman exec redis-peer redis-cli ping).StdOut } | Should -Be 'PONG'
        Invoke-TestPodman $podman rm --force --time 0 redis-peer | Assert-NativeSuccess | Out-Null
    }

    It 'Build-ContainerImage builds it, and redis-cli ping in the running container answers PONG' {
        $base = Import-ContainerImage $baseTarball -Tag localhost/psc-debian:bookworm
        $base.Layers.Count | Should -Be 1
        $image = Build-ContainerImage -Path $context -Tag localhost/psc-redis:1 -ErrorAction Stop
        $image.RepoTags | Should -Contain 'localhost/psc-redis:1'
        $image.Config.Cmd | Should -Be @('redis-server', '--bind', '127.0.0.1', '--protected-mode', 'yes')
        $image.Layers.Count | Should -Be 2

        Invoke-Container localhost/psc-redis:1 -Detach -Name redis | Out-Null
        (Get-Container redis).Status | Should -Be 'Running'
        Wait-RedisPong { (Invoke-ContainerCommand redis -- redis-cli ping).Text } | Should -Be 'PONG'
        (Invoke-ContainerCommand redis -- redis-cli set corpus works).Text | Should -Be 'OK'
        (Invoke-ContainerCommand redis -- redis-cli get corpus).Text | Should -Be 'works'
        Remove-Container redis -Force
    }
}
