# Runbook for images: import what skopeo/umoci/podman make, run containers from images with the image's defaults,
# tag, history, export to what podman and skopeo read, reference-counted removal and a prune that leaves nothing.
# Everything lives under a temp storage root; AfterAll removes containers, mounts and the podman it made.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name images
    $script:savedEnv = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    Import-Module $moduleDir -Force

    # A two-layer busybox image made by umoci: the second layer adds a file and deletes one (a whiteout).
    $layout = Join-Path $work 'layout'
    $script:ociRef = New-TestOciImage -Layout $layout -Tag v1
    $scratch = Join-Path $work 'scratch'
    Invoke-Native umoci unpack --image $ociRef $scratch | Assert-NativeSuccess | Out-Null
    Set-Content -LiteralPath (Join-Path $scratch 'rootfs/etc/motd') -Value 'second layer'
    New-Item -ItemType Directory -Path (Join-Path $scratch 'rootfs/app') | Out-Null
    Remove-Item -LiteralPath (Join-Path $scratch 'rootfs/etc/hostname')
    Invoke-Native umoci repack --image $ociRef $scratch | Assert-NativeSuccess | Out-Null
    Remove-TestDirectory -Path $scratch
    Invoke-Native umoci config --image $ociRef --config.env 'GREETING=hello' --config.workingdir /app --config.stopsignal SIGQUIT `
        --config.exposedports 8080/tcp --config.label 'org.example=yes' --config.cmd sh --config.cmd '-c' --config.cmd 'echo $GREETING from $(pwd)' |
        Assert-NativeSuccess | Out-Null
    $script:ociArchive = Join-Path $work 'busybox-oci.tar'
    Invoke-Native skopeo copy "oci:$ociRef" "oci-archive:${ociArchive}:localhost/psc-busybox:v1" | Assert-NativeSuccess | Out-Null

    $script:podman = New-TestPodman -WorkDirectory $work -Runtime (Get-ReferenceRuntime)
}

AfterAll {
    Remove-TestPodman -Podman $podman
    Exit-TestEngine -Work $work -Saved $savedEnv | Should -BeNullOrEmpty
}

Describe 'Images: import, inspect, run' {
    It 'imports an oci-archive skopeo made, under the name its index gives and one more' {
        $image = Import-ContainerImage $ociArchive -Tag psc-busybox:extra
        $image.PSObject.TypeNames[0] | Should -Be 'PSContainers.ContainerImage'
        $image.RepoTags | Should -Contain 'localhost/psc-busybox:v1'
        $image.RepoTags | Should -Contain 'psc-busybox:extra'
        $image.Id | Should -Match '^sha256:[0-9a-f]{64}$'
        $image.ShortId | Should -Be $image.Id.Substring(7, 12)
        $image.Architecture | Should -Be 'amd64'
        $image.Os | Should -Be 'linux'
        $image.Layers.Count | Should -Be 2
        $image.Size | Should -BeGreaterThan 1MB
        $image.Config.Env | Should -Contain 'GREETING=hello'
        (Get-ContainerImage -Name 'localhost/psc-*').Id | Should -Be $image.Id
        (Get-ContainerImage $image.ShortId).Id | Should -Be $image.Id
        (Get-ContainerImage | Format-Table | Out-String) | Should -Match 'REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE'
    }

    It 'stores each layer once as a snapshot, with the whiteout in overlay form' {
        $snapshots = @(Get-ChildItem -Path (Join-Path $env:PSCONTAINERS_ROOT 'snapshots/sha256') -Directory)
        $snapshots.Count | Should -Be 2
        $whiteout = @($snapshots | ForEach-Object { Join-Path $_.FullName 'fs/etc/hostname' } | Where-Object { Test-Path -LiteralPath $_ })
        $whiteout | Where-Object { (Get-Item -LiteralPath $_ -Force).UnixFileMode -ne $null -and (& stat -c '%F %t:%T' $_) -eq 'character special file 0:0' } |
            Should -Not -BeNullOrEmpty
    }

    It 'runs a container from the image with its Cmd, Env and WorkingDir, and the whiteout hides the deleted file' {
        $global:LASTEXITCODE = 0
        (Invoke-Container psc-busybox:extra -Remove).Text | Should -Be 'hello from /app'
        $LASTEXITCODE | Should -Be 0
        (Invoke-Container psc-busybox:extra -Remove -- cat /etc/motd).Text | Should -Be 'second layer'
        # -Network none: on a network the engine mounts a generated /etc/hostname over the image's, as docker does.
        Invoke-Container psc-busybox:extra -Remove -Network none -- test -e /etc/hostname
        $LASTEXITCODE | Should -Be 1
    }

    It 'lets arguments replace Cmd, -Entrypoint, -Environment, -WorkingDirectory and -User override the image' {
        (Invoke-Container psc-busybox:extra -Remove -Environment @{ GREETING = 'bye' } -WorkingDirectory /tmp -User 1000 -- sh -c 'echo $GREETING $(pwd) $(id -u)').Text |
            Should -Be 'bye /tmp 1000'
        (Invoke-Container psc-busybox:extra -Remove -Entrypoint /bin/echo -- entry point).Text | Should -Be 'entry point'
    }

    It 'records the image, its stop signal and labels on the container; -RootFs still works' {
        $c = New-Container psc-busybox:extra -Name from-image
        $c.Image | Should -Be 'psc-busybox:extra'
        $c.ImageId | Should -Be (Get-ContainerImage psc-busybox:extra).Id
        $c.Config.StopSignal | Should -Be 'SIGQUIT'
        $c.Config.ExposedPorts | Should -Be @('8080/tcp')
        $c.Labels['org.example'] | Should -Be 'yes'
        Remove-Container from-image
        $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
        (Invoke-Container -RootFs $rootfs -Remove -- echo rootfs).Text | Should -Be 'rootfs'
    }

    It 'tags and shows the history newest first' {
        Add-ContainerImageTag psc-busybox:extra localhost:5000/psc/app:2 -PassThru | ForEach-Object RepoTags | Should -Contain 'localhost:5000/psc/app:2'
        $history = @(Get-ContainerImageHistory localhost:5000/psc/app:2)
        $history[0].Id | Should -Be (Get-ContainerImage psc-busybox:extra).Id
        @($history | Where-Object CreatedBy -Match 'umoci repack').Count | Should -Be 2
        @($history | Where-Object Size -GT 1MB).Count | Should -Be 1
    }

    It 'reports an unknown image with ImageNotFound' {
        Invoke-Container no-such-image:1 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -Match '^ImageNotFound'
        Get-ContainerImage no-such-image -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -Match '^ImageNotFound'
    }
}

Describe 'Images: export and import with the peers' {
    It 'exports a docker-archive that skopeo inspects and podman loads and runs' {
        $archive = Join-Path $work 'export-docker.tar'
        Export-ContainerImage psc-busybox:extra $archive
        $inspect = Invoke-Native skopeo inspect "docker-archive:$archive" | Assert-NativeSuccess
        ($inspect.StdOut | ConvertFrom-Json).Layers.Count | Should -Be 2
        Invoke-TestPodman $podman load --input $archive -TimeoutSeconds 120 | Assert-NativeSuccess | Out-Null
        $line = @((Invoke-TestPodman $podman images --format '{{.ID}} {{.Repository}}:{{.Tag}}' | Assert-NativeSuccess).StdOut -split "`n" | Where-Object { $_ -match 'psc-busybox:extra$' })
        $line.Count | Should -Be 1
        $script:podmanImageId = ($line[0] -split ' ')[0]
        # By id and --pull=never: nothing may try a registry on the network.
        (Invoke-TestPodman $podman run --rm --pull=never --network none --cgroup-parent $podman.CgroupParent $podmanImageId cat /etc/motd -TimeoutSeconds 120 | Assert-NativeSuccess).StdOut.Trim() |
            Should -Be 'second layer'
    }

    It 'exports an oci-archive that skopeo inspects with the image''s layer blobs' {
        $archive = Join-Path $work 'export-oci.tar'
        Export-ContainerImage psc-busybox:extra $archive -Format OciArchive
        $inspect = (Invoke-Native skopeo inspect "oci-archive:$archive" | Assert-NativeSuccess).StdOut | ConvertFrom-Json
        $inspect.Layers.Count | Should -Be 2
        $inspect.Env | Should -Contain 'GREETING=hello'
    }

    It 'imports the docker-archive podman saves' {
        $saved = Join-Path $work 'podman-save.tar'
        Invoke-TestPodman $podman tag $podmanImageId localhost/from-podman:1 | Assert-NativeSuccess | Out-Null
        Invoke-TestPodman $podman save --output $saved localhost/from-podman:1 -TimeoutSeconds 120 | Assert-NativeSuccess | Out-Null
        $image = Import-ContainerImage $saved
        $image.RepoTags | Should -Contain 'localhost/from-podman:1'
        (Invoke-Container localhost/from-podman:1 -Remove).Text | Should -Be 'hello from /app'
    }

    It 'keeps an image exported and imported again as one image (its id), listed once per name' {
        $id = (Get-ContainerImage psc-busybox:extra).Id
        $archive = Join-Path $work 'export-again.tar'
        $file = Export-ContainerImage psc-busybox:extra $archive -PassThru
        # The file as Get-Item shows it: mode and size in the file table, not empty columns.
        $file.PSPath | Should -Not -BeNullOrEmpty
        ($file | Format-Table | Out-String) | Should -Match ("-rw\S*\s.*\s{0}\s+export-again\.tar" -f (Get-Item -LiteralPath $archive).Length)
        # Uncompressed layers in the archive: another manifest, the same config.
        $again = Import-ContainerImage $archive -Tag reimported:1
        $again.Id | Should -Be $id
        @($again.Digests).Count | Should -BeGreaterThan 1
        @(Get-ContainerImage | Where-Object Id -EQ $id | Select-Object -ExpandProperty Id -Unique).Count | Should -Be 1
        $rows = @(Get-ContainerImage | Where-Object Id -EQ $id)
        $rows.Name | Should -Contain 'psc-busybox:extra'
        $rows.Name | Should -Contain 'localhost/psc-busybox:v1'
        $rows.Name | Should -Contain 'reimported:1'
        $rows.Count | Should -Be @($rows[0].RepoTags).Count
        $table = Get-ContainerImage | Format-Table | Out-String
        $table | Should -Match ('reimported\s+1\s+{0}' -f $rows[0].ShortId)
        $table | Should -Match ('psc-busybox\s+extra\s+{0}' -f $rows[0].ShortId)
        (Get-ContainerImage reimported:1).Tag | Should -Be '1'
    }

    It 'imports a root filesystem tarball as a one-layer image with -Change, as docker import does' {
        $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs-import')
        $tarball = Join-Path $work 'rootfs.tar.gz'
        Invoke-Native tar '-C' $rootfs '-czf' $tarball '.' | Assert-NativeSuccess | Out-Null
        $image = Import-ContainerImage $tarball -Tag imported:1 -Change 'CMD ["sh", "-c", "echo $A in $(pwd)"]', 'ENV A=changed', 'WORKDIR /tmp' -Message 'from a tarball'
        $image.Layers.Count | Should -Be 1
        (Get-ContainerImageHistory imported:1)[0].Comment | Should -Be 'from a tarball'
        (Invoke-Container imported:1 -Remove).Text | Should -Be 'changed in /tmp'
    }
}

Describe 'Images: removal and prune' {
    It 'refuses to remove an image a container uses, untags names one by one, then removes it with its layers' {
        $c = New-Container imported:1 -Name holder
        Remove-ContainerImage imported:1 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^ImageInUse'
        (Get-ContainerImage imported:1) | Should -Not -BeNullOrEmpty
        Remove-Container holder
        $result = Remove-ContainerImage imported:1 -PassThru
        $result.Action | Should -Contain 'Deleted'
        Get-ContainerImage imported:1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'untags one of several names and keeps the image; by id it needs -Force; piped rows untag their own names' {
        $id = (Get-ContainerImage psc-busybox:extra).Id
        Add-ContainerImageTag psc-busybox:extra rmtest:1, rmtest:2
        $result = @(Remove-ContainerImage rmtest:1 -PassThru)
        $result.Count | Should -Be 1
        $result[0].Action | Should -Be 'Untagged'
        $result[0].Target | Should -Be 'rmtest:1'
        (Get-ContainerImage $id).RepoTags | Should -Not -Contain 'rmtest:1'

        Remove-ContainerImage $id.Substring(7, 12) -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Match '^ImageReferencedByMultipleNames'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        (Get-ContainerImage $id).RepoTags | Should -Contain 'rmtest:2'

        # A row stands for its name: piping it untags that name only.
        $piped = @(Get-ContainerImage rmtest:2 | Remove-ContainerImage -PassThru)
        ($piped | ForEach-Object { "$($_.Action) $($_.Target)" }) | Should -Be 'Untagged rmtest:2'
        (Get-ContainerImage $id).Id | Should -Be $id
    }

    It 'keeps nothing of an import killed with -9 but temporary files, which the next prune deletes' {
        $big = Join-Path $work 'big'
        New-Item -ItemType Directory -Path $big | Out-Null
        $data = [byte[]]::new(4MB)
        foreach ($i in 1..64) {
            [System.Security.Cryptography.RandomNumberGenerator]::Fill($data)
            [System.IO.File]::WriteAllBytes((Join-Path $big "f$i"), $data)
        }
        $tarball = Join-Path $work 'big.tar'
        Invoke-Native tar '-C' $big '-cf' $tarball '.' -TimeoutSeconds 120 | Assert-NativeSuccess | Out-Null
        Remove-Item -LiteralPath $big -Recurse -Force
        $pwsh = [System.Environment]::ProcessPath
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
        if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { $start.ArgumentList.Add([System.Reflection.Assembly]::GetEntryAssembly().Location) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$moduleDir'; Import-ContainerImage '$tarball' -Tag killed:1") { $start.ArgumentList.Add($a) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        try {
            $ingest = Join-Path $env:PSCONTAINERS_ROOT 'ingest'
            $unpacking = Join-Path $env:PSCONTAINERS_ROOT 'snapshots/tmp'
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not $process.HasExited -and [DateTime]::UtcNow -lt $deadline -and
                -not (Get-ChildItem -LiteralPath $ingest, $unpacking -Force -ErrorAction Ignore)) {
                Start-Sleep -Milliseconds 5
            }
            $process.HasExited | Should -BeFalse -Because 'the import must be killed while it writes'
            $process.Kill()
            $process.WaitForExit()
        } finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            $process.Dispose()
        }
        Get-ContainerImage killed:1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        @(Get-ChildItem -LiteralPath $ingest, $unpacking -Force -ErrorAction Ignore).Count | Should -BeGreaterThan 0
        $result = Clear-ContainerResource -Confirm:$false
        $result.TemporaryDeleted | Should -BeGreaterThan 0
        Get-ChildItem -LiteralPath $ingest, $unpacking -Force -ErrorAction Ignore | Should -BeNullOrEmpty
        Remove-Item -LiteralPath $tarball
    }

    It 'removes the remaining images and a prune leaves no blob, snapshot or temporary file' {
        Get-ContainerImage | Remove-ContainerImage -Force
        Get-ContainerImage | Should -BeNullOrEmpty
        $result = Clear-ContainerResource -All -Confirm:$false
        $result | Should -Not -BeNullOrEmpty
        $left = @(Get-ChildItem -LiteralPath (Join-Path $env:PSCONTAINERS_ROOT 'blobs'), (Join-Path $env:PSCONTAINERS_ROOT 'snapshots'), (Join-Path $env:PSCONTAINERS_ROOT 'ingest') -Recurse -File -Force -ErrorAction Ignore)
        $left | Should -BeNullOrEmpty
        (Get-ContainerDiskUsage | Where-Object Type -EQ Images).Total | Should -Be 0
    }
}
