# The build corpus: every Dockerfile under build-corpus/<NN-name>/ is built by podman build and by
# Build-ContainerImage from the same context, and the two images are compared on config, history and the
# flattened filesystem (BuildCompare.psm1). A difference fails the case unless the case's expect.json names it
# (with an id that docs/builds.md, "Differences from docker build", explains).
#
# expect.json (all optional):
#   note        what the case proves beyond its Dockerfile's comment
#   file        the Dockerfile's name in the case directory (default Dockerfile)
#   peerFile    the Dockerfile podman builds instead, for a feature podman 4.3.1 lacks (heredocs, COPY --link and
#               --exclude, RUN --network): the same steps without it; the differences that causes are named deliberate
#   peerNetwork the --network of podman's build (default host)
#   labels      { NAME: value } for --label / -Label
#   serve       a directory of the case that the test serves over HTTP on 127.0.0.1 (busybox httpd) while both
#               build; its address goes to the build as the build arg URL_BASE (ADD of a URL)
#   fails       true when both builders must refuse the Dockerfile: neither may make an image
#   buildArgs   { NAME: value } for --build-arg / -BuildArg
#   target      the stage for --target / -Target
#   secrets     [ { id, src } ] for --secret / -Secret, src relative to the case directory
#   before      [ { file, tag } ] images each side builds first from the same context (ONBUILD bases); they are
#               compared too
#   differences [ { area, item, id, reason } ] deliberate differences; item is a wildcard on the report's item
#
# A case may hold setup.sh: it runs (sh, in the copy of the case that both builds use) to make what git cannot
# keep: archives, hard links, owners, setuid modes, empty directories.
#
# podman builds with its own storage under the test directory (removed at the end), --no-cache (nothing from an
# earlier run or case can stand in for a build), --format docker (the OCI config has no Healthcheck, OnBuild or
# Shell), --network host (no RUN here needs a network; our RUN uses the host's network too) and --pull=never.

BeforeDiscovery {
    $script:corpusRoot = Join-Path $PSScriptRoot 'build-corpus'
    $script:cases = @(Get-ChildItem -LiteralPath $corpusRoot -Directory | Sort-Object Name | ForEach-Object {
            $expectPath = Join-Path $_.FullName 'expect.json'
            $expect = if (Test-Path -LiteralPath $expectPath) { Get-Content -LiteralPath $expectPath -Raw | ConvertFrom-Json } else { [pscustomobject]@{} }
            $fails = $expect.PSObject.Properties['fails'] -and $expect.fails
            @{
                Name = $_.Name; Source = $_.FullName; Expect = $expect
                PeerTitle = if ($fails) { 'podman refuses it' } else { 'podman builds it' }
                OurTitle = if ($fails) { 'Build-ContainerImage refuses it, names the cause and makes no image' } else { 'Build-ContainerImage builds the same image' }
            }
        })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'BuildCompare.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'BuildFixtures.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name corpus
    $script:savedEnv = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    Import-Module $moduleDir -Force

    # Overlay storage: each RUN and COPY commits a layer, and vfs would copy the whole tree for each.
    $script:podman = New-TestPodman -WorkDirectory $work -Runtime (Get-ReferenceRuntime)
    $globalArgs = [System.Collections.Generic.List[string]]$podman.GlobalArgs
    $globalArgs[$globalArgs.IndexOf('--storage-driver') + 1] = 'overlay'
    $podman.GlobalArgs = $globalArgs.ToArray()

    $script:baseArchive = New-CorpusBaseArchive -Work $work
    Invoke-TestPodman $podman load --input $baseArchive -TimeoutSeconds 120 | Assert-NativeSuccess | Out-Null
    Import-ContainerImage $baseArchive | Out-Null

    # The case directories are copied here (and set up) once; both builders read the same copy.
    $script:contexts = Join-Path $work 'contexts'
    $script:outputs = Join-Path $work 'outputs'
    New-Item -ItemType Directory -Path $contexts, $outputs | Out-Null

    function script:Get-Option($Expect, [string]$Name) {
        $property = $Expect.PSObject.Properties[$Name]
        if ($property) { $property.Value } else { $null }
    }

    # Each builder gets its own copy of the case (set up by its setup.sh): podman 4.3.1's RUN --mount=type=bind,rw
    # writes through to the context, which would change what the second builder sees.
    function script:Initialize-CaseContext([string]$Name, [string]$Source, [string]$Side) {
        $sideDir = Join-Path $contexts $Side
        New-Item -ItemType Directory -Force -Path $sideDir | Out-Null
        $context = Join-Path $sideDir $Name
        Copy-Item -LiteralPath $Source -Destination $context -Recurse
        $setup = Join-Path $context 'setup.sh'
        if (Test-Path -LiteralPath $setup) {
            Invoke-Native sh $setup -WorkingDirectory $context | Assert-NativeSuccess | Out-Null
        }
        $context
    }

    # podman build of one Dockerfile of a case, saved as a docker-archive (its config keeps docker's fields).
    function script:Invoke-PeerBuild([string]$Context, [string]$File, [string]$Tag, $Expect, [string]$Archive, [switch]$Main) {
        $network = Get-Option $Expect 'peerNetwork'
        if (-not $network) { $network = 'host' }
        $arguments = @('build', '--format', 'docker', '--no-cache', '--network', $network, '--pull=never',
            '--cgroup-parent', $podman.CgroupParent, '--file', (Join-Path $Context $File), '--tag', $Tag)
        $buildArgs = Get-Option $Expect 'buildArgs'
        if ($buildArgs) { foreach ($p in $buildArgs.PSObject.Properties) { $arguments += @('--build-arg', "$($p.Name)=$($p.Value)") } }
        $target = Get-Option $Expect 'target'
        if ($target -and $Main) { $arguments += @('--target', $target) }
        foreach ($secret in @(Get-Option $Expect 'secrets')) {
            if ($secret) { $arguments += @('--secret', "id=$($secret.id),src=$(Join-Path $Context $secret.src)") }
        }
        $labels = Get-Option $Expect 'labels'
        if ($labels) { foreach ($p in $labels.PSObject.Properties) { $arguments += @('--label', "$($p.Name)=$($p.Value)") } }
        $result = Invoke-TestPodman $podman @arguments $Context -TimeoutSeconds 300
        if ($result.ExitCode -ne 0) {
            throw "podman build of $File failed ($($result.ExitCode)):`n$($result.StdOut)`n$($result.StdErr)"
        }
        Invoke-TestPodman $podman save --format docker-archive --output $Archive $Tag -TimeoutSeconds 120 | Assert-NativeSuccess | Out-Null
        $Archive
    }

    # Build-ContainerImage of the same Dockerfile and context, exported as an oci-archive.
    function script:Invoke-OurBuild([string]$Context, [string]$File, [string]$Tag, $Expect, [string]$Archive, [switch]$Main) {
        $parameters = @{ Path = $Context; File = (Join-Path $Context $File); Tag = $Tag; NoCache = $true; ErrorAction = 'Stop' }
        $buildArgs = Get-Option $Expect 'buildArgs'
        if ($buildArgs) {
            $table = @{}
            foreach ($p in $buildArgs.PSObject.Properties) { $table[$p.Name] = [string]$p.Value }
            $parameters.BuildArg = $table
        }
        $target = Get-Option $Expect 'target'
        if ($target -and $Main) { $parameters.Target = $target }
        $secrets = @(Get-Option $Expect 'secrets' | Where-Object { $_ } | ForEach-Object { "id=$($_.id),src=$(Join-Path $Context $_.src)" })
        if ($secrets.Count) { $parameters.Secret = $secrets }
        $labels = Get-Option $Expect 'labels'
        if ($labels) {
            $table = @{}
            foreach ($p in $labels.PSObject.Properties) { $table[$p.Name] = [string]$p.Value }
            $parameters.Label = $table
        }
        Build-ContainerImage @parameters | Out-Null
        Export-ContainerImage $Tag $Archive -Format OciArchive -ErrorAction Stop
        $Archive
    }

    function script:Get-CaseFile($Expect) {
        $file = Get-Option $Expect 'file'
        if ($file) { $file } else { 'Dockerfile' }
    }

    # Compares the peer's and our archives; returns the report and the differences that are not deliberate.
    function script:Compare-CaseImage([string]$PeerArchive, [string]$OurArchive, $Expect, [string]$Title) {
        $peer = $null
        $ours = $null
        try {
            $peer = Read-ImageArchive -Path $PeerArchive
            $ours = Read-ImageArchive -Path $OurArchive
            $differences = @(Compare-BuiltImage -Peer $peer -Ours $ours)
            $expected = @(Get-Option $Expect 'differences' | Where-Object { $_ })
            $stale = @(Set-DeliberateDifference -Difference $differences -Expectation $expected)
            [pscustomobject]@{
                Report     = Format-ImageDifference -Difference $differences -Title $Title
                Unexpected = @($differences | Where-Object { -not $_.Deliberate })
                Stale      = $stale
            }
        } finally {
            Remove-ImageArchive $peer
            Remove-ImageArchive $ours
        }
    }
}

AfterAll {
    Remove-TestPodman -Podman $podman
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe 'Build corpus: the corpus itself' {
    It 'has at least 45 cases, each with a Dockerfile' {
        $cases.Count | Should -BeGreaterOrEqual 45
        foreach ($case in $cases) {
            Join-Path $case.Source (Get-CaseFile $case.Expect) | Should -Exist -Because $case.Name
        }
    }

    It 'explains every deliberate difference in docs/builds.md under "Differences from docker build"' {
        $docs = Join-Path (Get-TestRepoRoot) 'docs/builds.md'
        $docs | Should -Exist
        $text = [System.IO.File]::ReadAllText($docs)
        $text | Should -Match '(?m)^#+ Differences from docker build'
        $section = ($text -split '(?m)^#+ Differences from docker build', 2)[1] -split '(?m)^## ', 2 | Select-Object -First 1
        foreach ($case in $cases) {
            foreach ($difference in @(Get-Option $case.Expect 'differences' | Where-Object { $_ })) {
                $difference.id | Should -Not -BeNullOrEmpty -Because "$($case.Name) names a difference without an id"
                $difference.reason | Should -Not -BeNullOrEmpty -Because "$($case.Name): $($difference.id) needs a reason"
                $section | Should -Match ([regex]::Escape("``$($difference.id)``")) -Because "$($case.Name) names $($difference.id)"
            }
        }
    }
}

Describe 'Build corpus: <Name>' -ForEach $cases {
    BeforeAll {
        $peerContext = Initialize-CaseContext -Name $Name -Source $Source -Side peer
        $context = Initialize-CaseContext -Name $Name -Source $Source -Side ours
        $fails = [bool](Get-Option $Expect 'fails')
        $server = $null
        $serve = Get-Option $Expect 'serve'
        if ($serve) {
            # A free port on 127.0.0.1 for busybox httpd; the server is ours and stopped by its PID in AfterAll.
            $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $probe.Start()
            $port = $probe.LocalEndpoint.Port
            $probe.Stop()
            $start = [System.Diagnostics.ProcessStartInfo]::new('/bin/busybox')
            foreach ($a in 'httpd', '-f', '-p', "127.0.0.1:$port", '-h', (Join-Path $peerContext $serve)) { $start.ArgumentList.Add($a) }
            $server = [System.Diagnostics.Process]::Start($start)
            $buildArgs = [ordered]@{ URL_BASE = "http://127.0.0.1:$port" }
            $Expect | Add-Member -NotePropertyName buildArgs -NotePropertyValue ([pscustomobject]$buildArgs) -Force
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            do {
                $client = [System.Net.Sockets.TcpClient]::new()
                $up = try { $client.Connect([System.Net.IPAddress]::Loopback, $port); $true } catch { $false } finally { $client.Dispose() }
                if (-not $up) { Start-Sleep -Milliseconds 100 }
            } while (-not $up -and [DateTime]::UtcNow -lt $deadline)
        }
        $peerArchives = @{}
        $peerError = $null
        try {
            foreach ($before in @(Get-Option $Expect 'before' | Where-Object { $_ })) {
                $peerArchives[$before.tag] = Invoke-PeerBuild $peerContext $before.file $before.tag $Expect (Join-Path $outputs "$Name-before-peer.tar")
            }
            $peerFile = Get-Option $Expect 'peerFile'
            if (-not $peerFile) { $peerFile = Get-CaseFile $Expect }
            $peerArchives[''] = Invoke-PeerBuild $peerContext $peerFile "localhost/psc-corpus/${Name}:peer" $Expect (Join-Path $outputs "$Name-peer.tar") -Main
        } catch {
            $peerError = $_
        }
    }

    AfterAll {
        if ($server) {
            if (-not $server.HasExited) { $server.Kill() ; [void]$server.WaitForExit(5000) }
            $server.Dispose()
        }
    }

    It '<PeerTitle>' {
        if ($fails) {
            $peerError | Should -Not -BeNullOrEmpty -Because 'podman must refuse this Dockerfile'
            (Invoke-TestPodman $podman image exists "localhost/psc-corpus/${Name}:peer").ExitCode | Should -Be 1
            return
        }
        if ($peerError) { throw $peerError }
        $peerArchives[''] | Should -Exist
    }

    It '<OurTitle>' {
        if ($fails) {
            $ourError = $null
            try {
                Invoke-OurBuild $context (Get-CaseFile $Expect) "localhost/psc-corpus/${Name}:ours" $Expect (Join-Path $outputs "$Name-ours.oci.tar") -Main | Out-Null
            } catch {
                $ourError = $_
            }
            $ourError | Should -Not -BeNullOrEmpty -Because 'Build-ContainerImage must refuse this Dockerfile'
            "$ourError" | Should -Match 'outside' -Because 'the error names the cause'
            Get-ContainerImage "localhost/psc-corpus/${Name}:ours" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            return
        }
        if ($peerError) { throw "podman could not build the case, so there is nothing to compare with: $peerError" }
        $reports = [System.Collections.Generic.List[string]]::new()
        $unexpected = 0
        foreach ($before in @(Get-Option $Expect 'before' | Where-Object { $_ })) {
            $ourBefore = Invoke-OurBuild $context $before.file $before.tag $Expect (Join-Path $outputs "$Name-before-ours.oci.tar")
            $comparison = Compare-CaseImage $peerArchives[$before.tag] $ourBefore $Expect "$Name, $($before.file)"
            $reports.Add($comparison.Report)
            $unexpected += $comparison.Unexpected.Count
        }
        $ours = Invoke-OurBuild $context (Get-CaseFile $Expect) "localhost/psc-corpus/${Name}:ours" $Expect (Join-Path $outputs "$Name-ours.oci.tar") -Main
        $comparison = Compare-CaseImage $peerArchives[''] $ours $Expect $Name
        $reports.Add($comparison.Report)
        $unexpected += $comparison.Unexpected.Count
        foreach ($stale in $comparison.Stale) {
            Write-Warning "${Name}: the deliberate difference '$($stale.id)' ($($stale.area) $($stale.item)) did not occur."
        }
        $unexpected | Should -Be 0 -Because ($reports -join "`n")
    }
}
