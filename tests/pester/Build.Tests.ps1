# Runbook for Dockerfile builds: Build-ContainerImage on a busybox base imported into a temp store, the build
# cache (a rebuild starts no container and writes no layer; a touched file or a changed build arg invalidates only
# from the step that uses it), multi-stage builds, failures and Ctrl+C that leave nothing behind, and
# New-ContainerImage (commit). Everything lives under one temp directory that AfterAll removes.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'NetworkTestUtils.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name build
    $script:savedEnv = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    Import-Module $moduleDir -Force

    # The base image: busybox with a user and a group to resolve by name.
    $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    Add-Content -LiteralPath (Join-Path $rootfs 'etc/passwd') -Value 'app:x:1000:1000:app:/home/app:/bin/sh'
    Add-Content -LiteralPath (Join-Path $rootfs 'etc/group') -Value 'app:x:1000:', 'staff:x:50:'
    Set-Content -LiteralPath (Join-Path $rootfs 'etc/motd') -Value 'welcome'
    $tar = Join-Path $work 'busybox.tar'
    Invoke-Native tar -C $rootfs -cf $tar . | Assert-NativeSuccess | Out-Null
    Import-ContainerImage $tar -Format RootFs -Tag psc-build-base:1 -Change 'CMD ["sh"]' | Out-Null

    # A context directory per test: a Dockerfile and files.
    function script:New-Context {
        param([string]$Dockerfile, [hashtable]$Files = @{})
        $dir = Join-Path $work ('ctx-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $dir | Out-Null
        Set-Content -LiteralPath (Join-Path $dir 'Dockerfile') -Value $Dockerfile
        foreach ($name in $Files.Keys) {
            $path = Join-Path $dir $name
            New-Item -ItemType Directory -Force -Path (Split-Path $path) | Out-Null
            Set-Content -LiteralPath $path -Value $Files[$name] -NoNewline
        }
        $dir
    }

    # Builds and returns the image plus the Information stream's lines.
    function script:Invoke-Build {
        param([string]$Context, [hashtable]$Parameters = @{})
        $info = $null
        $image = Build-ContainerImage -Path $Context @Parameters -InformationVariable info -ErrorAction Stop
        [pscustomobject]@{ Image = $image; Lines = @($info | ForEach-Object { "$($_.MessageData)" }) }
    }

    function script:Get-LayerCount { @(Get-ChildItem -Path (Join-Path $env:PSCONTAINERS_ROOT 'snapshots/sha256') -Directory -ErrorAction Ignore).Count }
    function script:Get-BlobCount { @(Get-ChildItem -Path (Join-Path $env:PSCONTAINERS_ROOT 'blobs/sha256') -File -ErrorAction Ignore).Count }

    # What a build may leave behind: containers, mounts and processes under the test directory, temporary
    # snapshots and overlays, and the cgroups of the given build containers.
    function script:Get-BuildLeftover {
        param([string[]]$ContainerIds = @())
        foreach ($c in @(Get-Container -All)) { "container $($c.Name)" }
        foreach ($m in @(Get-TestMountPoint -Path $work)) { "mount $m" }
        foreach ($t in @(Get-ChildItem -Path (Join-Path $env:PSCONTAINERS_ROOT 'snapshots/tmp') -ErrorAction Ignore)) { "temporary snapshot $($t.Name)" }
        foreach ($t in @(Get-ChildItem -Path (Join-Path $env:PSCONTAINERS_RUNROOT 'build') -ErrorAction Ignore)) { "build overlay $($t.Name)" }
        foreach ($id in $ContainerIds) {
            foreach ($cg in @(Get-ChildItem -Path "/sys/fs/cgroup/*/pscontainers/$id*" -Directory -ErrorAction Ignore)) { "cgroup $($cg.FullName)" }
        }
        foreach ($procDir in Get-ChildItem -Path '/proc' -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$') {
            $cmdline = try { [System.IO.File]::ReadAllText((Join-Path $procDir.FullName 'cmdline')) } catch { '' }
            if ($cmdline.Contains($work) -and [int]$procDir.Name -ne $PID) { "process $($procDir.Name)" }
        }
    }
}

AfterAll {
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe 'Build-ContainerImage: a single-stage build' {
    BeforeAll {
        $script:simple = New-Context -Dockerfile @'
FROM psc-build-base:1
ARG GREETING=hello
ENV APP_HOME=/srv/app MODE=test
WORKDIR $APP_HOME
RUN echo "$GREETING from $(pwd) as $(id -u)" > built.txt && rm /etc/motd
COPY config.txt ./
COPY --chown=app:staff --chmod=0640 data/ /data/
COPY *.md /docs/
USER app
EXPOSE 8080 53/udp
LABEL org.example.team=build version=1
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=5s --retries=2 CMD test -f /srv/app/built.txt
ONBUILD RUN echo child
CMD ["cat", "built.txt", "config.txt"]
'@ -Files @{ 'config.txt' = "config`n"; 'data/one.txt' = '1'; 'data/sub/two.txt' = '2'; 'README.md' = 'readme'; 'NOTES.md' = 'notes' }
        $script:first = Invoke-Build $simple @{ Tag = 'psc-simple:1', 'psc-simple:alias' }
    }

    It 'returns the image with its tags and runs what it built' {
        $first.Image.RepoTags | Should -Contain 'psc-simple:1'
        $first.Image.RepoTags | Should -Contain 'psc-simple:alias'
        (Invoke-Container psc-simple:1 -Remove).Text | Should -Be 'hello from /srv/app as 0', 'config'
    }

    It 'records the configuration as docker does' {
        $config = (Get-ContainerImage psc-simple:1).Config
        $config.Env | Should -Contain 'APP_HOME=/srv/app'
        $config.Env | Should -Contain 'MODE=test'
        $config.Env | Should -Not -Contain 'GREETING=hello'
        $config.WorkingDir | Should -Be '/srv/app'
        $config.User | Should -Be 'app'
        $config.ExposedPorts.Keys | Sort-Object | Should -Be '53/udp', '8080/tcp'
        $config.Labels['org.example.team'] | Should -Be 'build'
        $config.StopSignal | Should -Be 'SIGQUIT'
        $config.Cmd | Should -Be 'cat', 'built.txt', 'config.txt'
        $config.Healthcheck.Test | Should -Be 'CMD-SHELL', 'test -f /srv/app/built.txt'
        $config.Healthcheck.Interval | Should -Be 5000000000
        $config.Healthcheck.Retries | Should -Be 2
        $config.OnBuild | Should -Be 'RUN echo child'
    }

    It 'writes one layer per RUN and COPY and history entries as podman writes them' {
        $history = @(Get-ContainerImageHistory psc-simple:1)
        # Newest first: 14 steps, then the base image's one entry.
        $history.Count | Should -Be 15
        $run = $history | Where-Object CreatedBy -Like '|1 GREETING=hello /bin/sh -c echo*'
        $run.EmptyLayer | Should -BeFalse
        ($history | Where-Object CreatedBy -Like '/bin/sh -c #(nop) COPY file:* in ./ ').EmptyLayer | Should -BeFalse
        ($history | Where-Object CreatedBy -Like '/bin/sh -c #(nop) COPY dir:* in /data/ ').EmptyLayer | Should -BeFalse
        ($history | Where-Object CreatedBy -Like '/bin/sh -c #(nop) COPY multi:* in /docs/ ').EmptyLayer | Should -BeFalse
        ($history | Where-Object CreatedBy -Eq '/bin/sh -c #(nop) ENV APP_HOME=/srv/app MODE=test').EmptyLayer | Should -BeTrue
        ($history | Where-Object CreatedBy -Eq '/bin/sh -c #(nop) WORKDIR $APP_HOME').EmptyLayer | Should -BeTrue
        (Get-ContainerImage psc-simple:1).Layers.Count | Should -Be 5
    }

    It 'copies with owners, modes, globs and directory contents, and keeps the deletion as a whiteout' {
        $out = (Invoke-Container psc-simple:1 -Remove -Network none -User root -- sh -c 'stat -c "%n %u:%g %a" /data/one.txt /data/sub/two.txt; ls /docs; test -e /etc/motd && echo present || echo deleted').Text
        $out | Should -Be '/data/one.txt 1000:50 640', '/data/sub/two.txt 1000:50 640', 'NOTES.md', 'README.md', 'deleted'
    }

    It 'rebuilds from the cache without a container or a layer, and returns the same image' {
        $layers = Get-LayerCount
        $blobs = Get-BlobCount
        $again = Invoke-Build $simple @{ Tag = 'psc-simple:2' }
        $again.Image.Id | Should -Be $first.Image.Id
        @($again.Lines | Where-Object { $_ -like '--> Using cache*' }).Count | Should -Be 14
        Get-LayerCount | Should -Be $layers
        Get-BlobCount | Should -Be $blobs
        @(Get-Container -All).Count | Should -Be 0
    }

    It 'uses the cache for the same inputs in another context directory' {
        $copy = Join-Path $work 'ctx-copy'
        Copy-Item -LiteralPath $simple -Destination $copy -Recurse
        (Invoke-Build $copy).Image.Id | Should -Be $first.Image.Id
    }

    It 'rebuilds from the COPY of a changed file on, and keeps the steps before it' {
        Set-Content -LiteralPath (Join-Path $simple 'config.txt') -Value "changed" -NoNewline
        try {
            $changed = Invoke-Build $simple
            $cachedSteps = @($changed.Lines | Where-Object { $_ -like '--> Using cache*' }).Count
            # ARG, ENV, WORKDIR, RUN stay cached; COPY config.txt and everything after it run again.
            $cachedSteps | Should -Be 4
            (Invoke-Container $changed.Image.Id -Remove).Text | Should -Be 'hello from /srv/app as 0', 'changed'
        } finally {
            Set-Content -LiteralPath (Join-Path $simple 'config.txt') -Value "config`n" -NoNewline
        }
    }

    It 'invalidates only the steps that use a changed build arg' {
        $argCtx = New-Context -Dockerfile @'
FROM psc-build-base:1
COPY config.txt /config.txt
ARG FLAVOR=plain
RUN echo "$FLAVOR" > /flavor
CMD ["cat", "/flavor"]
'@ -Files @{ 'config.txt' = 'c' }
        Invoke-Build $argCtx | Out-Null
        $other = Invoke-Build $argCtx @{ BuildArg = @{ FLAVOR = 'spicy' } }
        # COPY and ARG come from the cache; the RUN that sees FLAVOR and the CMD after it do not.
        @($other.Lines | Where-Object { $_ -like '--> Using cache*' }).Count | Should -Be 2
        (Invoke-Container $other.Image.Id -Remove).Text | Should -Be 'spicy'
    }

    It 'runs every step with -NoCache' {
        $fresh = Invoke-Build $simple @{ NoCache = $true }
        @($fresh.Lines | Where-Object { $_ -like '--> Using cache*' }).Count | Should -Be 0
        (Invoke-Container $fresh.Image.Id -Remove).Text | Should -Be 'hello from /srv/app as 0', 'config'
    }
}

Describe 'Build-ContainerImage: the network of RUN steps' {
    It 'runs RUN on the default bridge with generated name files that stay out of the layer' {
        $ctx = New-Context -Dockerfile @'
FROM psc-build-base:1
RUN ip -4 -o addr show eth0 | awk '{print $4}' > /addr.txt; cat /etc/hostname > /seen-hostname.txt; grep -c nameserver /etc/resolv.conf > /nameservers.txt
RUN --network=none sh -c 'ip -o link | grep -c -v " lo:" > /links-none.txt || true'
'@
        $built = Invoke-Build $ctx
        $out = (Invoke-Container $built.Image.Id -Remove -Network none -- sh -c 'cat /addr.txt /links-none.txt; cat /etc/hostname; test -e /etc/hosts && echo hosts || echo no-hosts; test -e /etc/resolv.conf && echo resolv || echo no-resolv').Text
        $subnet = (Get-ContainerNetwork bridge).Subnet
        $address = ($out[0] -split '/')[0]
        $prefix = [int]($subnet -split '/')[1]
        $mask = [uint32]([uint64][uint32]::MaxValue -shl (32 - $prefix) -band [uint32]::MaxValue)
        $toInt = { param($ip) $b = ([System.Net.IPAddress]::Parse($ip)).GetAddressBytes(); [uint32](([uint32]$b[0] -shl 24) -bor ([uint32]$b[1] -shl 16) -bor ([uint32]$b[2] -shl 8) -bor [uint32]$b[3]) }
        ((& $toInt $address) -band $mask) | Should -Be ((& $toInt ($subnet -split '/')[0]) -band $mask) -Because "the RUN step's eth0 ($($out[0])) is on the default network $subnet"
        # With --network=none the step has only lo.
        $out[1] | Should -Be '0'
        # The image's own /etc/hostname is kept; the generated hosts and resolv.conf did not land in a layer.
        $out[2] | Should -Be 'psc-image'
        $out[3] | Should -Be 'no-hosts'
        $out[4] | Should -Be 'no-resolv'
        Get-BuildLeftover | Should -BeNullOrEmpty
        Get-TestNetnsFile -RunRoot $env:PSCONTAINERS_RUNROOT | Should -BeNullOrEmpty
        Get-TestNetworkAddress -Root $env:PSCONTAINERS_ROOT | Should -BeNullOrEmpty
    }

    It 'runs RUN on a named network, where it reaches a container by name' {
        New-ContainerNetwork -Name buildnet | Out-Null
        try {
            Invoke-Container psc-build-base:1 -Detach -Name pkgcache -Network buildnet -- sh -c 'mkdir /www; echo cached-package > /www/pkg.txt; httpd -f -p 8080 -h /www' | Out-Null
            $ctx = New-Context -Dockerfile @'
FROM psc-build-base:1
RUN for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O /pkg.txt http://pkgcache:8080/pkg.txt && break; sleep 0.5; done; cat /pkg.txt
'@
            $built = Invoke-Build $ctx @{ Network = 'buildnet'; NoCache = $true }
            $built.Lines | Should -Contain 'cached-package'
            (Invoke-Container $built.Image.Id -Remove -Network none -- cat /pkg.txt).Text | Should -Be 'cached-package'
        }
        finally {
            Remove-Container pkgcache -Force -ErrorAction SilentlyContinue
            Remove-ContainerNetwork buildnet -ErrorAction SilentlyContinue
        }
        Get-BuildLeftover | Should -BeNullOrEmpty
    }

    It 'refuses a missing network and container:NAME before anything runs' {
        $ctx = New-Context -Dockerfile "FROM psc-build-base:1`nRUN true"
        { Build-ContainerImage -Path $ctx -Network nosuchnet -ErrorAction Stop } | Should -Throw '*nosuchnet*'
        $e = { Build-ContainerImage -Path $ctx -Network container:web -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'BuildNetworkNotSupported*'
        Get-BuildLeftover | Should -BeNullOrEmpty
    }
}

Describe 'Build-ContainerImage: warnings' {
    It 'writes the parser''s warnings and unused build args to the Warning stream, not to the Information stream' {
        $ctx = New-Context -Dockerfile "FROM psc-build-base:1`nMAINTAINER someone`nRUN echo one \`n`n    two"
        $warnings = $null
        $info = $null
        Build-ContainerImage -Path $ctx -BuildArg @{ UNUSED_ARG = 'x' } -NoCache -WarningVariable warnings -WarningAction SilentlyContinue -InformationVariable info -ErrorAction Stop | Out-Null
        $built = [pscustomobject]@{ Lines = @($info | ForEach-Object { "$($_.MessageData)" }) }
        $text = @($warnings | ForEach-Object Message)
        $text | Where-Object { $_ -like '*:2: MAINTAINER is deprecated*' } | Should -Not -BeNullOrEmpty
        $text | Where-Object { $_ -like '*: empty continuation line*' } | Should -Not -BeNullOrEmpty
        $text | Where-Object { $_ -like '*not consumed*UNUSED_ARG*' } | Should -Not -BeNullOrEmpty
        $built.Lines | Where-Object { $_ -like '*MAINTAINER is deprecated*' -or $_ -like '*not consumed*' } | Should -BeNullOrEmpty
        $built.Lines | Should -Contain 'one two'
    }
}

Describe 'Build-ContainerImage: stages, ONBUILD, ADD, heredocs and .dockerignore' {
    It 'builds only the stages the target needs, and copies between stages' {
        $ctx = New-Context -Dockerfile @'
FROM psc-build-base:1 AS tools
RUN echo tool > /tool.txt

FROM psc-build-base:1 AS broken
RUN exit 1

FROM psc-build-base:1 AS final
COPY --from=tools /tool.txt /from-tools.txt
COPY --from=0 /tool.txt /from-index.txt
CMD ["cat", "/from-tools.txt", "/from-index.txt"]
'@
        $result = Invoke-Build $ctx @{ Target = 'final' }
        (Invoke-Container $result.Image.Id -Remove).Text | Should -Be 'tool', 'tool'
        $result.Lines | Should -Not -Contain 'RUN exit 1'
    }

    It 'runs the ONBUILD triggers of a base image' {
        $parent = New-Context -Dockerfile "FROM psc-build-base:1`nONBUILD RUN echo triggered > /onbuild.txt"
        Invoke-Build $parent @{ Tag = 'psc-onbuild:1' } | Out-Null
        $child = New-Context -Dockerfile "FROM psc-onbuild:1`nCMD [`"cat`", `"/onbuild.txt`"]"
        $image = (Invoke-Build $child).Image
        (Invoke-Container $image.Id -Remove).Text | Should -Be 'triggered'
        (Get-ContainerImage $image.Id).Config.OnBuild | Should -BeNullOrEmpty
    }

    It 'extracts a local gzip tar with ADD and copies a plain file as it is' {
        $ctx = New-Context -Dockerfile "FROM psc-build-base:1`nADD bundle.tar.gz /opt/`nADD plain.txt /opt/plain.txt"
        $payload = Join-Path $work 'payload'
        New-Item -ItemType Directory -Force -Path (Join-Path $payload 'pkg') | Out-Null
        Set-Content -LiteralPath (Join-Path $payload 'pkg/file.txt') -Value 'from tar'
        Invoke-Native tar -C $payload -czf (Join-Path $ctx 'bundle.tar.gz') pkg | Assert-NativeSuccess | Out-Null
        Set-Content -LiteralPath (Join-Path $ctx 'plain.txt') -Value 'plain'
        $image = (Invoke-Build $ctx).Image
        (Invoke-Container $image.Id -Remove -- cat /opt/pkg/file.txt /opt/plain.txt).Text | Should -Be 'from tar', 'plain'
    }

    It 'runs a heredoc RUN and writes a heredoc COPY' {
        $ctx = New-Context -Dockerfile @'
FROM psc-build-base:1
ARG WHO=heredoc
RUN <<EOF
echo "script by $WHO" > /script.txt
EOF
COPY <<NOTE /note.txt
note for ${WHO}
NOTE
CMD ["cat", "/script.txt", "/note.txt"]
'@
        $image = (Invoke-Build $ctx).Image
        (Invoke-Container $image.Id -Remove).Text | Should -Be 'script by heredoc', 'note for heredoc'
    }

    It 'runs a heredoc that starts with #! as a program through its interpreter, as BuildKit does' {
        $ctx = New-Context -Dockerfile @'
FROM psc-build-base:1
USER app
RUN <<EOF
#!/bin/awk -f
BEGIN { print "awk ran me"; exit 0 }
EOF
USER root
RUN <<EOF
#!/bin/sh -e
test -z "$NOT_SET" && echo "sh -e ran $0" > /shebang.txt
EOF
CMD ["cat", "/shebang.txt"]
'@
        $built = Invoke-Build $ctx @{ NoCache = $true }
        $built.Lines | Should -Contain 'awk ran me'
        # The script is the program ($0), not text given to sh -c; and its mount point stays out of the layer.
        (Invoke-Container $built.Image.Id -Remove -Network none).Text | Should -Be 'sh -e ran /dev/pipes/EOF'
        Get-BuildLeftover | Should -BeNullOrEmpty
    }

    It 'leaves out what .dockerignore excludes, and refuses sources outside the context' {
        $ctx = New-Context -Dockerfile "FROM psc-build-base:1`nCOPY . /ctx/`nCMD [`"find`", `"/ctx`", `"-type`", `"f`"]" -Files @{
            '.dockerignore' = "*.log`n**/secret*`n!keep.log"; 'a.log' = 'x'; 'keep.log' = 'k'; 'deep/dir/secret.txt' = 's'; 'deep/dir/ok.txt' = 'o'
        }
        $image = (Invoke-Build $ctx).Image
        (Invoke-Container $image.Id -Remove).Text | Sort-Object | Should -Be ('/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/deep/dir/ok.txt', '/ctx/keep.log' | Sort-Object)

        $outside = New-Context -Dockerfile "FROM psc-build-base:1`nCOPY ../secret /x"
        { Build-ContainerImage -Path $outside -ErrorAction Stop } | Should -Throw -ErrorId 'BuildContextPathOutside,PSContainers.Cmdlets.BuildContainerImageCommand'
    }

    It 'takes Dockerfile text from the pipeline and refuses another platform' {
        $empty = New-Context -Dockerfile ''
        $image = "FROM psc-build-base:1", "RUN echo piped > /p", "CMD [`"cat`", `"/p`"]" | Build-ContainerImage -Path $empty -ErrorAction Stop
        (Invoke-Container $image.Id -Remove).Text | Should -Be 'piped'
        { "FROM psc-build-base:1" | Build-ContainerImage -Path $empty -Platform linux/s390x -ErrorAction Stop } |
            Should -Throw -ErrorId 'PlatformNotSupported,PSContainers.Cmdlets.BuildContainerImageCommand'
    }

    It 'writes an OCI archive with -Output that imports as the same image' {
        $ctx = New-Context -Dockerfile "FROM psc-build-base:1`nRUN echo archived > /a`nCMD [`"cat`", `"/a`"]"
        $archive = Join-Path $work 'built-oci.tar'
        $image = Build-ContainerImage -Path $ctx -Output "type=oci,dest=$archive" -Quiet -ErrorAction Stop
        Test-Path -LiteralPath $archive | Should -BeTrue
        # The archive is the result: the store has no record of the image.
        Get-ContainerImage $image.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $imported = Import-ContainerImage $archive -Tag psc-from-archive:1
        $imported.Id | Should -Be $image.Id
        (Invoke-Container psc-from-archive:1 -Remove).Text | Should -Be 'archived'
    }
}

Describe 'Build-ContainerImage: RUN --mount' {
    It 'keeps a cache mount across builds, gives a secret only to its step, and leaves no mount point in the layer' {
        $secretFile = Join-Path $work 'token.txt'
        Set-Content -LiteralPath $secretFile -Value 's3cret' -NoNewline
        $ctx = New-Context -Dockerfile @'
FROM psc-build-base:1
ARG ROUND=1
RUN --mount=type=cache,target=/var/cache/psc,id=psc-test-cache echo "round $ROUND" >> /var/cache/psc/log && cat /var/cache/psc/log > /rounds.txt
RUN --mount=type=secret,id=token stat -c '%a %u' /run/secrets/token > /secret-meta.txt && cat /run/secrets/token > /dev/null
RUN --mount=type=secret,id=token,env=TOKEN test "$TOKEN" = s3cret && echo env-ok > /secret-env.txt
RUN --mount=type=tmpfs,target=/scratch,size=1048576 df -k /scratch | tail -1 | awk '{print $2}' > /tmpfs-size.txt
RUN --mount=type=bind,source=data,target=/in cat /in/input.txt > /copied.txt
RUN --mount=type=bind,source=data,target=/in,rw echo scribble > /in/input.txt && cat /in/input.txt > /rw.txt
CMD ["sh", "-c", "cat /rounds.txt /secret-meta.txt /secret-env.txt /tmpfs-size.txt /copied.txt /rw.txt; ls /run/secrets /scratch /in 2>&1 | wc -l"]
'@ -Files @{ 'data/input.txt' = "from context`n" }
        Invoke-Build $ctx @{ Secret = "id=token,src=$secretFile"; BuildArg = @{ ROUND = '1' } } | Out-Null
        $second = Invoke-Build $ctx @{ Secret = "id=token,src=$secretFile"; BuildArg = @{ ROUND = '2' } }
        $out = (Invoke-Container $second.Image.Id -Remove).Text
        $out[0..1] | Should -Be 'round 1', 'round 2'
        $out[2..6] | Should -Be '400 0', 'env-ok', '1024', 'from context', 'scribble'
        # ls of three missing paths writes three errors: no mount point stayed in a layer.
        $out[7] | Should -Be '3'
        # The context is never written through an rw bind.
        Get-Content -LiteralPath (Join-Path $ctx 'data/input.txt') | Should -Be 'from context'
        Get-BuildLeftover | Should -BeNullOrEmpty
    }

    It 'expands ARG and ENV in --mount values, as BuildKit does' {
        $ctx = New-Context -Dockerfile @'
FROM psc-build-base:1
ARG WHERE=/scratch-arg
ENV SIZE=2097152
RUN --mount=type=tmpfs,target=$WHERE,size=${SIZE} df -k $WHERE | tail -1 | awk '{print $2}' > /expanded.txt
CMD ["cat", "/expanded.txt"]
'@
        $built = Invoke-Build $ctx @{}
        (Invoke-Container $built.Image.Id -Remove).Text | Should -Be '2048'
        Get-BuildLeftover | Should -BeNullOrEmpty
    }

    It 'fails a step whose required secret was not given' {
        $ctx = New-Context -Dockerfile "FROM psc-build-base:1`nRUN --mount=type=secret,id=missing,required=true true"
        { Build-ContainerImage -Path $ctx -ErrorAction Stop } | Should -Throw -ErrorId 'BuildSecretNotFound,PSContainers.Cmdlets.BuildContainerImageCommand'
        Get-BuildLeftover | Should -BeNullOrEmpty
    }
}

Describe 'Build-ContainerImage: failures and Ctrl+C leave nothing behind' {
    It 'names the step, the command, its exit code and its last lines, and cleans up' {
        $ctx = New-Context -Dockerfile "FROM psc-build-base:1`nRUN echo first-line; hostname; echo last words >&2; exit 3"
        $errors = $null
        $info = $null
        Build-ContainerImage -Path $ctx -Network none -ErrorAction SilentlyContinue -ErrorVariable errors -InformationVariable info | Out-Null
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'BuildStepFailed,PSContainers.Cmdlets.BuildContainerImageCommand'
        $message = $errors[0].Exception.Message
        $message | Should -BeLike '*STEP 2/2: RUN echo first-line*'
        $message | Should -BeLike '*exited with code 3*'
        $message | Should -BeLike '*last words*'
        $errors[0].Exception.ExitCode | Should -Be 3
        # The step's output reached the Information stream: with no network, the hostname is the container's short id.
        $shortId = $info | ForEach-Object { "$($_.MessageData)" } | Where-Object { $_ -match '^[0-9a-f]{12}$' } | Select-Object -First 1
        $shortId | Should -Not -BeNullOrEmpty
        Get-BuildLeftover -ContainerIds $shortId | Should -BeNullOrEmpty
    }

    It 'stops the running step on Ctrl+C and cleans up' {
        $ctx = New-Context -Dockerfile "FROM psc-build-base:1`nRUN sleep 600"
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($module, $context)
                    Import-Module $module
                    Build-ContainerImage -Path $context -Network none
                }).AddArgument($moduleDir).AddArgument($ctx)
            $async = $ps.BeginInvoke()
            # The build container appears in the store once the RUN starts (bounded wait).
            $running = $null
            for ($i = 0; $i -lt 600 -and -not $running; $i++) {
                # Select-Object, not [0]: indexing an empty array throws under the test command's strict mode.
                $running = Get-Container -All | Where-Object { $_.Status -eq 'Running' } | Select-Object -First 1
                if (-not $running) { Start-Sleep -Milliseconds 100 }
            }
            $running | Should -Not -BeNullOrEmpty
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
            Get-BuildLeftover -ContainerIds $running.Id | Should -BeNullOrEmpty
        } finally {
            $ps.Dispose()
        }
    }
}

Describe 'New-ContainerImage: commit' {
    It 'makes an image of a container''s changes and run settings, with -Change, -Message and -Author' {
        # With no network the container's /etc/hostname is the image's file, not a generated bind mount, so rm works.
        New-Container psc-build-base:1 -Name commit-src -Network none -Environment @{ STAGE = 'committed' } -- sh -c 'echo data > /data.txt; rm /etc/hostname' | Out-Null
        Start-Container commit-src | Out-Null
        Wait-Container commit-src | Out-Null
        $image = New-ContainerImage -Container commit-src -Tag psc-committed:1 -Change 'LABEL stage=done', 'EXPOSE 9000' -Message 'data step' -Author 'tester'
        $image.RepoTags | Should -Contain 'psc-committed:1'
        $image.Author | Should -Be 'tester'
        $image.Config.Labels['stage'] | Should -Be 'done'
        $image.Config.Env | Should -Contain 'STAGE=committed'
        (Get-ContainerImageHistory psc-committed:1)[0].Comment | Should -Be 'data step'
        (Invoke-Container psc-committed:1 -Remove -Network none -- sh -c 'cat /data.txt; test -e /etc/hostname || echo gone').Text | Should -Be 'data', 'gone'
        Remove-Container commit-src
    }

    It 'commits a running container, pausing it, and leaves it running' {
        New-Container psc-build-base:1 -Name commit-live -- sh -c 'echo live > /live.txt; sleep 600' | Out-Null
        Start-Container commit-live | Out-Null
        try {
            $image = New-ContainerImage commit-live -Tag psc-live:1
            $image.RepoTags | Should -Contain 'psc-live:1'
            (Get-Container commit-live).Status | Should -Be 'Running'
            (Invoke-Container psc-live:1 -Remove -- cat /live.txt).Text | Should -Be 'live'
        } finally {
            Remove-Container commit-live -Force
        }
    }
}

Describe 'Build cache: disk usage and pruning' {
    It 'counts the build cache and prunes it with Clear-ContainerResource -BuildCache' {
        $row = Get-ContainerDiskUsage | Where-Object Type -eq 'Build Cache'
        $row.Total | Should -BeGreaterThan 0
        # The RUN --mount=type=cache directories of the earlier test count too (docker system df counts them).
        $mountsDir = Join-Path $env:PSCONTAINERS_ROOT 'buildcache-mounts'
        $mountFiles = @(Get-ChildItem -LiteralPath $mountsDir -Recurse -File -Force -ErrorAction Ignore)
        $mountFiles.Count | Should -BeGreaterThan 0
        $row.Size | Should -BeGreaterOrEqual ($mountFiles | Measure-Object -Property Length -Sum).Sum
        Clear-ContainerResource -BuildCache -Confirm:$false | Out-Null
        (Get-ContainerDiskUsage | Where-Object Type -eq 'Build Cache').Total | Should -Be 0
        @(Get-ChildItem -LiteralPath $mountsDir -Force -ErrorAction Ignore) | Should -BeNullOrEmpty
        # Images keep their layers: a built image still runs.
        (Invoke-Container psc-simple:1 -Remove).Text | Should -Be 'hello from /srv/app as 0', 'config'
    }
}
