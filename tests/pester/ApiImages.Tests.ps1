# Runbooks for the Docker Engine API's images, build, networks, volumes and system df endpoints, driven by the real
# docker CLI (28.2.2, DOCKER_HOST=unix://...) against our service on a socket under the test's own directory, and
# the same scripts against podman's API service (podman system service) as the peer, so the assertions are about
# what a docker client sees. Images come from real docker-registry instances on 127.0.0.1 (one anonymous, one with
# htpasswd auth). AfterAll stops both services and the registries by PID and removes everything.

BeforeDiscovery {
    $script:targets = @(@{ Target = 'pscontainers' }, @{ Target = 'podman' })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'RegistryTestUtils.psm1') -Force
    $script:engine = Enter-TestEngine -Name apiimg
    $script:work = $engine.Work
    $script:savedAuthFile = $env:REGISTRY_AUTH_FILE
    # Neither engine may fall back on a login of its own: credentials come from the client's X-Registry-Auth only.
    $env:REGISTRY_AUTH_FILE = Join-Path $work 'engine-auth.json'

    $script:anon = Start-TestRegistry -Directory (Join-Path $work 'anon')
    $script:user = 'psc-user'
    $script:password = 'psc-' + [guid]::NewGuid().ToString('N').Substring(0, 12)
    $script:secured = Start-TestRegistry -Directory (Join-Path $work 'secured') -User $user -Password $password
    $image = New-TestOciImage -Layout (Join-Path $work 'layout')
    $script:busybox = "$($anon.Address)/library/busybox:latest"
    $script:privateImage = "$($secured.Address)/private/busybox:v1"
    Invoke-TestSkopeo copy --dest-tls-verify=false "oci:$image" "docker://$busybox" | Assert-NativeSuccess | Out-Null
    Invoke-TestSkopeo copy --dest-tls-verify=false --dest-creds "${user}:$password" "oci:$image" "docker://$privateImage" | Assert-NativeSuccess | Out-Null
    # A base image no test pulls first: a build FROM it must pull it with the logins the CLI sends (X-Registry-Config).
    $script:privateBase = "$($secured.Address)/private/base:v1"
    Invoke-TestSkopeo copy --dest-tls-verify=false --dest-creds "${user}:$password" "oci:$image" "docker://$privateBase" | Assert-NativeSuccess | Out-Null

    # The docker CLI's own config: one without logins, one with a login for the secured registry (the CLI sends it
    # as X-Registry-Auth; no /auth call is involved).
    $script:noLogin = Join-Path $work 'docker-config/none'
    $script:withLogin = Join-Path $work 'docker-config/login'
    New-Item -ItemType Directory -Force -Path $noLogin, $withLogin | Out-Null
    Set-Content -LiteralPath (Join-Path $noLogin 'config.json') -Value '{}'
    $auth = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("${user}:$password"))
    Set-Content -LiteralPath (Join-Path $withLogin 'config.json') -Value (@{ auths = @{ $secured.Address = @{ auth = $auth } } } | ConvertTo-Json -Depth 4)

    $script:sockets = @{}
    $script:ours = Start-ContainerApiService -Socket (Join-Path $work 'psc-docker.sock') -PassThru
    $sockets['pscontainers'] = $ours.Socket

    # podman's API service over its own storage; it reaches the test registries over plain HTTP by its registries.conf.
    $script:podman = New-TestPodman -WorkDirectory $work -Runtime (Get-ReferenceRuntime)
    $registriesConf = Join-Path $work 'podman-registries.conf'
    Set-Content -LiteralPath $registriesConf -Value @"
[[registry]]
location = "$($anon.Address)"
insecure = true
[[registry]]
location = "$($secured.Address)"
insecure = true
"@
    $podman.Environment['CONTAINERS_REGISTRIES_CONF'] = $registriesConf
    $podmanSocket = Join-Path $work 'podman-docker.sock'
    $script:podmanService = Start-TestPodmanService -Podman $podman -Socket $podmanSocket
    $sockets['podman'] = $podmanSocket

    function Invoke-Docker {
        param(
            [Parameter(Mandatory, Position = 0)][string]$Target,
            [Parameter(Position = 1, ValueFromRemainingArguments)][string[]]$ArgumentList,
            [string]$Config = $noLogin,
            [string]$WorkingDirectory = $work,
            [int]$TimeoutSeconds = 300
        )
        Invoke-Native -FilePath /usr/local/bin/docker -ArgumentList $ArgumentList -TimeoutSeconds $TimeoutSeconds -WorkingDirectory $WorkingDirectory `
            -Environment @{ DOCKER_HOST = "unix://$($sockets[$Target])"; DOCKER_BUILDKIT = '0'; DOCKER_CONFIG = $Config }
    }

    # The registry's own record of a tag: the digest skopeo reads back.
    function Get-RegistryDigest([string]$Reference, [string]$Creds) {
        $arguments = @('inspect', '--tls-verify=false', '--format', '{{.Digest}}')
        if ($Creds) { $arguments += @('--creds', $Creds) }
        (Invoke-TestSkopeo @arguments "docker://$Reference" | Assert-NativeSuccess).StdOut.Trim()
    }
}

AfterAll {
    foreach ($target in 'pscontainers', 'podman') {
        if ($sockets -and $sockets[$target]) {
            Invoke-Docker $target rm '-f' apiimg-user apiimg-peer apiimg-holder -TimeoutSeconds 60 | Out-Null
            Invoke-Docker $target network rm apiimg-net -TimeoutSeconds 60 | Out-Null
            Invoke-Docker $target volume rm '-f' apiimg-vol -TimeoutSeconds 60 | Out-Null
        }
    }
    $servicePid = if ($ours) { $ours.Pid } else { 0 }
    Stop-ContainerApiService -ErrorAction Continue
    Stop-TestPodmanService -Process $podmanService
    Remove-TestPodman $podman
    Stop-TestRegistry $anon
    Stop-TestRegistry $secured
    $env:REGISTRY_AUTH_FILE = $savedAuthFile
    $leftMounts = Exit-TestEngine -Work $engine.Work -Saved $engine.Saved
    $leftMounts | Should -BeNullOrEmpty
    if ($servicePid) { Test-Path "/proc/$servicePid" | Should -BeFalse }
    if ($podmanService) { $podmanService.HasExited | Should -BeTrue }
}

Describe 'The Docker API for images, builds, networks and volumes, driven by the docker CLI (<Target>)' -ForEach $targets {
    BeforeAll {
        if ($Target -eq 'podman' -and $podmanService.HasExited) {
            throw "podman system service exited: $(Get-Content -Raw -LiteralPath (Join-Path $podman.Directory 'service.log') -ErrorAction Ignore)"
        }
    }

    It 'pulls from the local registry, lists the image and shows its inspect and history' {
        $pull = Invoke-Docker $Target pull $busybox | Assert-NativeSuccess
        $pull.StdOut | Should -Match '[0-9a-f]{12}: (Pull complete|Download complete)'
        $expectedDigest = Get-RegistryDigest $busybox
        (Invoke-Docker $Target images --format '{{.Repository}}:{{.Tag}}' | Assert-NativeSuccess).StdOut -split "`n" | Should -Contain $busybox
        $inspect = (Invoke-Docker $Target image inspect $busybox | Assert-NativeSuccess).StdOut | ConvertFrom-Json
        $inspect[0].Id | Should -Match '^sha256:[0-9a-f]{64}$'
        $inspect[0].Os | Should -Be 'linux'
        $inspect[0].RepoTags | Should -Contain $busybox
        @($inspect[0].Config.Cmd) | Should -Be @('sh')
        @($inspect[0].RootFS.Layers).Count | Should -Be 1
        $inspect[0].RepoDigests | Should -Contain ($busybox -replace ':latest$', "@$expectedDigest")
        $byReference = Invoke-Docker $Target images --filter "reference=*/library/busy*" --format '{{.Repository}}:{{.Tag}}' | Assert-NativeSuccess
        $byReference.StdOut -split "`n" | Should -Contain $busybox
        (Invoke-Docker $Target images --filter 'reference=*/nothing/here*' '-q' | Assert-NativeSuccess).StdOut.Trim() | Should -BeNullOrEmpty
        (Invoke-Docker $Target images --filter 'dangling=true' --format '{{.Repository}}:{{.Tag}}' | Assert-NativeSuccess).StdOut | Should -Not -Match ([regex]::Escape($busybox))
        $history = Invoke-Docker $Target history --no-trunc --format '{{.ID}}' $busybox | Assert-NativeSuccess
        # podman's history gives the bare hex id where docker's has the sha256: prefix.
        ($history.StdOut -split "`n")[0] -replace '^sha256:', '' | Should -Be ($inspect[0].Id -replace '^sha256:', '')
        # podman 4.3's compat pull stream ends after the layers, without docker's closing Digest and Status lines.
        if ($Target -eq 'pscontainers') {
            $pull.StdOut | Should -Match "Digest: $([regex]::Escape($expectedDigest))"
            $pull.StdOut | Should -Match "Status: Downloaded newer image for $([regex]::Escape($busybox))"
            # The same store as the cmdlets.
            (Get-ContainerImage -Name $busybox).Id | Should -Be $inspect[0].Id
            (Invoke-Docker $Target pull $busybox | Assert-NativeSuccess).StdOut | Should -Match 'Status: Image is up to date'
        }
    }

    It 'pulls from a registry that wants a login with the credentials the CLI sends, and is refused without them' {
        $denied = Invoke-Docker $Target pull $privateImage
        $denied.ExitCode | Should -Not -Be 0
        $denied.StdErr | Should -Match '(?i)auth|denied|credentials'
        Invoke-Docker $Target pull $privateImage -Config $withLogin | Assert-NativeSuccess | Out-Null
        (Invoke-Docker $Target image inspect --format '{{.Id}}' $privateImage | Assert-NativeSuccess).StdOut.Trim() | Should -Match '^sha256:'
    }

    It 'tags an image and pushes it back to the registry, which then holds it under the new name' {
        $pushed = "$($anon.Address)/pushed/$Target`:v2"
        Invoke-Docker $Target pull $busybox | Assert-NativeSuccess | Out-Null
        Invoke-Docker $Target tag $busybox $pushed | Assert-NativeSuccess | Out-Null
        $push = Invoke-Docker $Target push $pushed | Assert-NativeSuccess
        $registryDigest = Get-RegistryDigest $pushed
        $push.StdOut | Should -Match "v2: digest: $([regex]::Escape($registryDigest)) size: \d+"
        # Pushing with the login the CLI sends, to the registry that wants one.
        $securedTarget = "$($secured.Address)/pushed/$Target`:v3"
        Invoke-Docker $Target tag $busybox $securedTarget | Assert-NativeSuccess | Out-Null
        Invoke-Docker $Target push $securedTarget -Config $withLogin | Assert-NativeSuccess | Out-Null
        Get-RegistryDigest $securedTarget "${user}:$password" | Should -Match '^sha256:'
    }

    It 'saves images to a docker-archive, removes them with rmi and loads them back' {
        $name = "$($anon.Address)/saved/$Target`:1"
        Invoke-Docker $Target pull $busybox | Assert-NativeSuccess | Out-Null
        Invoke-Docker $Target tag $busybox $name | Assert-NativeSuccess | Out-Null
        $id = (Invoke-Docker $Target image inspect --format '{{.Id}}' $name | Assert-NativeSuccess).StdOut.Trim()
        $archive = Join-Path $work "saved-$Target.tar"
        Invoke-Docker $Target save '-o' $archive $name | Assert-NativeSuccess | Out-Null
        $members = (Invoke-Native tar -tf $archive | Assert-NativeSuccess).StdOut -split "`n"
        $members | Should -Contain 'manifest.json'
        $rmi = Invoke-Docker $Target rmi $name | Assert-NativeSuccess
        $rmi.StdOut | Should -Match "Untagged: $([regex]::Escape($name))"
        $gone = Invoke-Docker $Target image inspect $name
        $gone.ExitCode | Should -Not -Be 0
        $gone.StdErr | Should -Match 'No such image'
        $load = Invoke-Docker $Target load '-i' $archive | Assert-NativeSuccess
        $load.StdOut | Should -Match ([regex]::Escape($name))
        (Invoke-Docker $Target image inspect --format '{{.Id}}' $name | Assert-NativeSuccess).StdOut.Trim() | Should -Be $id
    }

    It 'imports a root filesystem tarball (docker import), plain and gzipped, with a tag, a message and changes' {
        $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work "import-rootfs-$Target")
        Set-Content -LiteralPath (Join-Path $rootfs 'marker') -Value "imported for $Target"
        $plain = Join-Path $work "import-$Target.tar"
        Invoke-Native tar '-C' $rootfs '-cf' $plain '.' | Assert-NativeSuccess | Out-Null
        $name = "imported/$Target`:1"
        $import = Invoke-Docker $Target import '-m' 'from a tarball' '-c' 'CMD ["cat", "/marker"]' '-c' 'ENV IMPORTED=yes' $plain $name | Assert-NativeSuccess
        # docker prints the new image's id (podman 4.3.1 prints it twice on one line).
        $import.StdOut.Trim() | Should -Match '^sha256:[0-9a-f]{64}'
        (Invoke-Docker $Target run --rm $name | Assert-NativeSuccess).StdOut.Trim() | Should -Be "imported for $Target"
        (Invoke-Docker $Target run --rm $name sh '-c' 'echo $IMPORTED' | Assert-NativeSuccess).StdOut.Trim() | Should -Be 'yes'
        (Invoke-Docker $Target history --format '{{.Comment}}' $name | Assert-NativeSuccess).StdOut | Should -Match 'from a tarball'

        $gzipped = Join-Path $work "import-$Target.tar.gz"
        Invoke-Native tar '-C' $rootfs '-czf' $gzipped '.' | Assert-NativeSuccess | Out-Null
        Invoke-Docker $Target import '-c' 'CMD ["cat", "/marker"]' $gzipped "imported/$Target`:gz" | Assert-NativeSuccess | Out-Null
        (Invoke-Docker $Target run --rm "imported/$Target`:gz" | Assert-NativeSuccess).StdOut.Trim() | Should -Be "imported for $Target"
        Invoke-Docker $Target rmi $name "imported/$Target`:gz" | Assert-NativeSuccess | Out-Null
    }

    It 'builds a Dockerfile with RUN and COPY with the classic builder and runs the result' {
        $context = Join-Path $work "context-$Target"
        New-Item -ItemType Directory -Force -Path $context | Out-Null
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value @"
FROM $busybox
ARG GREETING=unset
RUN echo "built with `$GREETING" > /built.txt && echo step-output-`$GREETING
COPY payload.txt /payload.txt
LABEL suite=apiimg
CMD ["cat", "/built.txt", "/payload.txt"]
"@
        Set-Content -LiteralPath (Join-Path $context 'payload.txt') -Value "payload for $Target"
        $tag = "$($anon.Address)/built/$Target`:1"
        $build = Invoke-Docker $Target build --build-arg GREETING=hello '-t' $tag . -WorkingDirectory $context | Assert-NativeSuccess
        $build.StdOut | Should -Match 'step-output-hello'
        $build.StdOut | Should -Match 'Successfully built [0-9a-f]{12}'
        $build.StdOut | Should -Match "Successfully tagged $([regex]::Escape($tag))"
        (Invoke-Docker $Target image inspect --format '{{index .Config.Labels "suite"}}' $tag | Assert-NativeSuccess).StdOut.Trim() | Should -Be 'apiimg'
        $run = Invoke-Docker $Target run --rm $tag | Assert-NativeSuccess
        $run.StdOut | Should -Match 'built with hello'
        $run.StdOut | Should -Match "payload for $Target"

        Set-Content -LiteralPath (Join-Path $context 'Dockerfile.fails') -Value "FROM $busybox`nRUN exit 3"
        $failed = Invoke-Docker $Target build '-f' Dockerfile.fails . -WorkingDirectory $context
        $failed.ExitCode | Should -Be 1
        $failed.StdErr + $failed.StdOut | Should -Match 'code:? 3|exit status 3'
    }

    It 'builds FROM an image of a registry that wants a login with the logins the CLI sends, and fails without them' {
        $context = Join-Path $work "private-context-$Target"
        New-Item -ItemType Directory -Force -Path $context | Out-Null
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value "FROM $privateBase`nRUN echo from-private"
        $tag = "$($anon.Address)/built/private-$Target`:1"
        $denied = Invoke-Docker $Target build '-t' $tag . -WorkingDirectory $context
        $denied.ExitCode | Should -Not -Be 0
        $build = Invoke-Docker $Target build '-t' $tag . -WorkingDirectory $context -Config $withLogin | Assert-NativeSuccess
        $build.StdOut | Should -Match 'from-private'
        (Invoke-Docker $Target image inspect --format '{{.Id}}' $tag | Assert-NativeSuccess).StdOut.Trim() | Should -Match '^sha256:'
    }

    It 'creates a network and a volume that containers use, connects and disconnects a container' {
        Invoke-Docker $Target pull $busybox | Assert-NativeSuccess | Out-Null
        # A subnet per target: the two engines' bridges live on the same host.
        $subnet = if ($Target -eq 'podman') { '10.231.8' } else { '10.231.7' }
        Invoke-Docker $Target network create --subnet "$subnet.0/24" --label suite=apiimg apiimg-net | Assert-NativeSuccess | Out-Null
        Invoke-Docker $Target volume create --label suite=apiimg apiimg-vol | Assert-NativeSuccess | Out-Null
        (Invoke-Docker $Target network ls --filter label=suite=apiimg --format '{{.Name}}' | Assert-NativeSuccess).StdOut.Trim() | Should -Be 'apiimg-net'
        (Invoke-Docker $Target volume ls --filter label=suite=apiimg --format '{{.Name}}' | Assert-NativeSuccess).StdOut.Trim() | Should -Be 'apiimg-vol'

        $write = Invoke-Docker $Target run --rm --network apiimg-net '-v' apiimg-vol:/data $busybox sh '-c' 'echo kept > /data/file; ip -4 addr show eth0' | Assert-NativeSuccess
        $write.StdOut | Should -Match "inet $([regex]::Escape($subnet))\.\d+/24"
        (Invoke-Docker $Target run --rm '-v' apiimg-vol:/data $busybox cat /data/file | Assert-NativeSuccess).StdOut.Trim() | Should -Be 'kept'

        Invoke-Docker $Target run '-d' --name apiimg-user --network apiimg-net $busybox sleep 300 | Assert-NativeSuccess | Out-Null
        Invoke-Docker $Target run '-d' --name apiimg-peer $busybox sh '-c' 'echo hi > /tmp/index.html && exec httpd -f -p 8080 -h /tmp' | Assert-NativeSuccess | Out-Null
        Invoke-Docker $Target network connect --alias peer-alias apiimg-net apiimg-peer | Assert-NativeSuccess | Out-Null
        $network = ((Invoke-Docker $Target network inspect apiimg-net | Assert-NativeSuccess).StdOut | ConvertFrom-Json)[0]
        $network.IPAM.Config[0].Subnet | Should -Be "$subnet.0/24"
        $names = @($network.Containers.PSObject.Properties.Value.Name)
        $names | Should -Contain 'apiimg-user'
        $names | Should -Contain 'apiimg-peer'
        $peerAddress = ($network.Containers.PSObject.Properties.Value | Where-Object Name -eq 'apiimg-peer').IPv4Address -replace '/\d+$', ''
        $peerAddress | Should -Match "^$([regex]::Escape($subnet))\.\d+$"
        # The peer answers on its new interface over HTTP (ping would need NET_RAW, which podman drops).
        $reply = Invoke-Docker $Target exec apiimg-user wget '-q' '-O' - "http://${peerAddress}:8080/index.html"
        $reply.StdOut.Trim() | Should -Be 'hi'

        Invoke-Docker $Target network disconnect apiimg-net apiimg-peer | Assert-NativeSuccess | Out-Null
        $after = ((Invoke-Docker $Target network inspect apiimg-net | Assert-NativeSuccess).StdOut | ConvertFrom-Json)[0]
        @($after.Containers.PSObject.Properties.Value.Name) | Should -Not -Contain 'apiimg-peer'
        Invoke-Docker $Target create --name apiimg-holder '-v' apiimg-vol:/data $busybox true | Assert-NativeSuccess | Out-Null
        $inUse = Invoke-Docker $Target volume rm apiimg-vol
        $inUse.ExitCode | Should -Not -Be 0
        $inUse.StdErr | Should -Match '(?i)in use|being used'
        Invoke-Docker $Target rm '-f' apiimg-user apiimg-peer apiimg-holder | Assert-NativeSuccess | Out-Null
        Invoke-Docker $Target network rm apiimg-net | Assert-NativeSuccess | Out-Null
        Invoke-Docker $Target volume rm apiimg-vol | Assert-NativeSuccess | Out-Null
        (Invoke-Docker $Target volume ls '-q' | Assert-NativeSuccess).StdOut | Should -Not -Match 'apiimg-vol'
    }

    It 'prunes networks and volumes that nothing uses' {
        Invoke-Docker $Target network create apiimg-unused | Assert-NativeSuccess | Out-Null
        Invoke-Docker $Target volume create apiimg-unused-vol | Assert-NativeSuccess | Out-Null
        $networks = Invoke-Docker $Target network prune '-f' | Assert-NativeSuccess
        $networks.StdOut | Should -Match 'apiimg-unused'
        (Invoke-Docker $Target network ls --format '{{.Name}}' | Assert-NativeSuccess).StdOut -split "`n" | Should -Not -Contain 'apiimg-unused'
        if ($Target -eq 'podman') {
            # podman 4.3 serves API 1.41, where a volume prune takes every unused volume and the CLI refuses --all.
            $volumes = Invoke-Docker $Target volume prune '-f' | Assert-NativeSuccess
        } else {
            # From API 1.42 a plain prune takes only anonymous volumes; --all takes named ones too.
            (Invoke-Docker $Target volume prune '-f' | Assert-NativeSuccess).StdOut | Should -Not -Match 'apiimg-unused-vol'
            (Invoke-Docker $Target volume ls '-q' | Assert-NativeSuccess).StdOut -split "`n" | Should -Contain 'apiimg-unused-vol'
            $volumes = Invoke-Docker $Target volume prune '-a' '-f' | Assert-NativeSuccess
        }
        $volumes.StdOut | Should -Match 'apiimg-unused-vol'
        (Invoke-Docker $Target volume ls '-q' | Assert-NativeSuccess).StdOut -split "`n" | Should -Not -Contain 'apiimg-unused-vol'
    }

    It 'shows disk usage (docker system df) and prunes dangling images' {
        $df = Invoke-Docker $Target system df | Assert-NativeSuccess
        $df.StdOut | Should -Match '(?m)^Images\s+\d+'
        $df.StdOut | Should -Match '(?m)^Local Volumes\s+\d+'
        $prune = Invoke-Docker $Target image prune '-f' | Assert-NativeSuccess
        $prune.StdOut | Should -Match 'Total reclaimed space'
    }
}

Describe 'What the API service cannot do is refused with a message that names it' {
    It 'refuses <Case>' -ForEach @(
        @{ Case = 'a build option the builder cannot honour'; Arguments = @('build', '--memory', '64m', 'CONTEXT'); Named = 'memory' }
        @{ Case = 'a network driver other than bridge'; Arguments = @('network', 'create', '-d', 'macvlan', 'apiimg-macvlan'); Named = 'macvlan' }
        @{ Case = 'an IPv6 network'; Arguments = @('network', 'create', '--ipv6', 'apiimg-v6'); Named = 'IPv6' }
        @{ Case = 'a volume driver other than local'; Arguments = @('volume', 'create', '-d', 'nfs-plugin', 'apiimg-nfs'); Named = 'nfs-plugin' }
        @{ Case = 'an image that does not exist'; Arguments = @('image', 'inspect', 'no-such-image:1'); Named = 'No such image: no-such-image:1' }
        @{ Case = 'docker import from a URL'; Arguments = @('import', 'http://127.0.0.1:9/rootfs.tar', 'apiimg-url:1'); Named = 'importing from a URL is not supported' }
    ) {
        $context = Join-Path $work 'refused-context'
        New-Item -ItemType Directory -Force -Path $context | Out-Null
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value "FROM $busybox"
        $result = Invoke-Docker pscontainers @($Arguments | ForEach-Object { $_ -replace '^CONTEXT$', $context })
        $result.ExitCode | Should -Not -Be 0
        $result.StdErr | Should -Match ([regex]::Escape($Named))
        (Invoke-Docker pscontainers network ls --format '{{.Name}}' | Assert-NativeSuccess).StdOut | Should -Not -Match 'apiimg-(macvlan|v6)'
    }
}
