# Runbooks for pull, push and logins against REAL docker-registry instances on 127.0.0.1, with skopeo, umoci, crun
# and podman as peers. One registry is anonymous, the other wants htpasswd basic auth. Both, and every storage root
# and auth file, live under the test's directory; AfterAll stops the registries by PID and removes everything.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'RegistryTestUtils.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name registry
    $script:savedEnv = @{
        Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT; AuthFile = $env:REGISTRY_AUTH_FILE
        RegistriesConf = $env:PSCONTAINERS_REGISTRIES_CONF
    }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    $env:REGISTRY_AUTH_FILE = Join-Path $work 'auth/auth.json'
    $env:PSCONTAINERS_REGISTRIES_CONF = Join-Path $work 'registries.conf'
    Import-Module $moduleDir -Force

    $script:anon = Start-TestRegistry -Directory (Join-Path $work 'anon')
    $script:user = 'psc-user'
    $script:password = 'psc-' + [guid]::NewGuid().ToString('N').Substring(0, 12)
    $script:secured = Start-TestRegistry -Directory (Join-Path $work 'secured') -User $user -Password $password
    $script:goodCredential = [pscredential]::new($user, (ConvertTo-SecureString $password -AsPlainText -Force))
    $script:badCredential = [pscredential]::new($user, (ConvertTo-SecureString 'wrong-password' -AsPlainText -Force))

    # An image with three layers (busybox, 1 MB of random bytes, a text file) and an Env, as skopeo pushes it.
    $script:layout = Join-Path $work 'layout'
    $script:skopeoImage = New-TestLayeredOciImage -Layout $layout -Tag v1 -Env 'GREETING=from-the-config' `
        -Layers @(@{ 'data/random.bin' = 1MB }, @{ 'etc/motd' = 'pulled by PSContainers' })
    Invoke-TestSkopeo copy --dest-tls-verify=false "oci:$skopeoImage" "docker://$($anon.Address)/peers/skopeo:v1" | Assert-NativeSuccess | Out-Null
    $script:skopeoDigest = (Invoke-TestSkopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$($anon.Address)/peers/skopeo:v1" | Assert-NativeSuccess).StdOut.Trim()

    # Uses another storage root for the script block, so a pull there starts from nothing.
    function Use-Root([string]$Name, [scriptblock]$Script) {
        $saved = $env:PSCONTAINERS_ROOT
        $env:PSCONTAINERS_ROOT = Join-Path $work "roots/$Name"
        try { & $Script } finally { $env:PSCONTAINERS_ROOT = $saved }
    }

    function Get-StoredBlobs([string]$Root) {
        @(Get-ChildItem -LiteralPath (Join-Path $Root 'blobs') -Recurse -File -ErrorAction Ignore | ForEach-Object { "$($_.Directory.Name):$($_.Name)" })
    }
}

AfterAll {
    Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -ErrorAction Continue
    Stop-TestRegistry $anon
    Stop-TestRegistry $secured
    $leftMounts = @(Get-TestMountPoint -Path $work)
    Remove-TestDirectory -Path $work
    Get-ChildItem -Path '/sys/fs/cgroup/*/pscontainers' -Directory -ErrorAction Ignore |
        ForEach-Object { try { [System.IO.Directory]::Delete($_.FullName) } catch { Write-Verbose "kept $($_.Exception.Message)" } }
    $env:PSCONTAINERS_ROOT = $savedEnv.Root
    $env:PSCONTAINERS_RUNROOT = $savedEnv.RunRoot
    $env:REGISTRY_AUTH_FILE = $savedEnv.AuthFile
    $env:PSCONTAINERS_REGISTRIES_CONF = $savedEnv.RegistriesConf
    $leftMounts | Should -BeNullOrEmpty
    foreach ($registry in @($anon, $secured) | Where-Object { $_ }) {
        Test-Path "/proc/$($registry.Pid)" | Should -BeFalse
    }
}

Describe 'Receive-ContainerImage from a registry skopeo pushed to' {
    It 'pulls the image with its digest, layers and config, and it runs' {
        $image = Receive-ContainerImage "$($anon.Address)/peers/skopeo:v1"
        $image | Should -BeOfType 'PSContainers.Core.Images.ContainerImage'
        $image.ManifestDigest | Should -Be $skopeoDigest
        $image.RepoTags | Should -Contain "$($anon.Address)/peers/skopeo:v1"
        $image.RepoDigests | Should -Contain "$($anon.Address)/peers/skopeo@$skopeoDigest"
        $image.Layers.Count | Should -Be 3
        $image.Config.Env | Should -Contain 'GREETING=from-the-config'

        $out = @(Invoke-Container "$($anon.Address)/peers/skopeo:v1" -Remove -- sh -c 'cat /etc/motd; echo; echo $GREETING; wc -c < /data/random.bin')
        $out | Should -Be @('pulled by PSContainers', 'from-the-config', '1048576')
    }

    It 'pulls by digest, without a tag' {
        Use-Root bydigest {
            $image = Receive-ContainerImage "$($anon.Address)/peers/skopeo@$skopeoDigest"
            $image.ManifestDigest | Should -Be $skopeoDigest
            $image.RepoTags | Should -BeNullOrEmpty
            $image.RepoDigests | Should -Contain "$($anon.Address)/peers/skopeo@$skopeoDigest"
        }
    }

    It 'reports Write-Progress per layer with bytes, under one record for the pull' {
        Use-Root progress {
            # A runspace of its own collects the progress records that a console would draw.
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddCommand('Import-Module').AddArgument($moduleDir).AddStatement().
                    AddCommand('Receive-ContainerImage').AddArgument("$($anon.Address)/peers/skopeo:v1")
                $pulled = $ps.Invoke()
                $ps.Streams.Error | Should -BeNullOrEmpty
                $pulled[0].ManifestDigest | Should -Be $skopeoDigest
                $records = @($ps.Streams.Progress)
            } finally {
                $ps.Dispose()
            }
            $overall = @($records | Where-Object { $_.ParentActivityId -eq -1 -and $_.Activity -like 'Pulling *' })
            $overall | Should -Not -BeNullOrEmpty
            $overall[-1].StatusDescription | Should -Match '^4 of 4 blobs, [\d.]+ MB of [\d.]+ MB$' -Because 'three layers and the config'
            $layers = @($records | Where-Object { $_.ParentActivityId -eq $overall[0].ActivityId })
            $layers | Where-Object { $_.Activity -match '^(Downloading|Verifying|Complete) [0-9a-f]{12}$' -and $_.StatusDescription -match '^[\d.]+ MB of [\d.]+ MB$' } |
                Should -Not -BeNullOrEmpty
            # The 1 MB layer shows its own size.
            $layers | Where-Object { $_.StatusDescription -like '* of 1.0 MB' } | Should -Not -BeNullOrEmpty
        }
    }

    It 'fails with ImageNotFound for a missing tag and InvalidReference for a bad name, storing nothing' {
        Use-Root missing {
            Receive-ContainerImage "$($anon.Address)/peers/skopeo:no-such-tag" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].Exception.Message | Should -BeLike '*no-such-tag*'

            Receive-ContainerImage 'Bad/Name:x' -ErrorVariable bad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $bad[0].FullyQualifiedErrorId | Should -BeLike 'InvalidReference,*'
            $bad[0].Exception.Message | Should -BeLike '*lower-case*'
            Get-StoredBlobs $env:PSCONTAINERS_ROOT | Should -BeNullOrEmpty
        }
    }

    It 'says RegistryUnavailable when nothing listens' {
        $port = Get-TestFreePort
        Receive-ContainerImage "127.0.0.1:$port/x:1" -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RegistryUnavailable,*'
        $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }
}

Describe 'Publish-ContainerImage' {
    It 'pushes, and a pull back into an empty store gives identical digests' {
        $pushed = Publish-ContainerImage "$($anon.Address)/peers/skopeo:v1" -Destination "$($anon.Address)/ours/copy:v2"
        $pushed.Digest | Should -Be $skopeoDigest
        $pushed.Reference | Should -Be "$($anon.Address)/ours/copy:v2"
        # Same registry: every blob is mounted from the repository the image came from, none uploaded.
        $pushed.BlobsMounted | Should -Be 4
        $pushed.BlobsUploaded | Should -Be 0
        $registryDigest = (Invoke-TestSkopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$($anon.Address)/ours/copy:v2" | Assert-NativeSuccess).StdOut.Trim()
        $registryDigest | Should -Be $skopeoDigest

        $id = (Get-ContainerImage "$($anon.Address)/peers/skopeo:v1").Id
        Use-Root pullback {
            $back = Receive-ContainerImage "$($anon.Address)/ours/copy:v2"
            $back.ManifestDigest | Should -Be $pushed.Digest
            $back.Id | Should -Be $id -Because 'the config digest is the image id'
        }
    }

    It 'uploads to another registry; skopeo copies it to an OCI layout that runs under crun after umoci unpack' {
        $pushed = Publish-ContainerImage "$($anon.Address)/peers/skopeo:v1" -Destination "$($secured.Address)/ours/runme:1" -Credential $goodCredential
        $pushed.BlobsUploaded | Should -Be 4
        $pushed.Digest | Should -Be $skopeoDigest

        $ociDir = Join-Path $work 'skopeo-pulled'
        Invoke-TestSkopeo copy --src-tls-verify=false --src-creds "${user}:$password" "docker://$($secured.Address)/ours/runme:1" "oci:${ociDir}:runme" |
            Assert-NativeSuccess | Out-Null
        $bundle = Join-Path $work 'umoci-bundle'
        Invoke-Native umoci unpack --image "${ociDir}:runme" $bundle | Assert-NativeSuccess | Out-Null
        Set-TestBundleConfig -Bundle $bundle -Arguments @('sh', '-c', 'cat /etc/motd; echo; echo $GREETING')
        $id = New-TestContainerId
        $state = Join-Path $work 'crun-state'
        $run = Invoke-TestBundleRun -Runtime (Get-ReferenceRuntime) -StateRoot $state -Bundle $bundle -Id $id
        try {
            $run.ExitCode | Should -Be 0 -Because $run.StdErr
            ($run.StdOut -split "`n" | Where-Object { $_ }) | Should -Be @('pulled by PSContainers', 'from-the-config')
        } finally {
            Invoke-Native (Get-ReferenceRuntime) --root $state delete --force $id | Out-Null
        }
    }

    It 'refuses an image that does not exist and a push without a target name' {
        Publish-ContainerImage 'localhost:1/none:1' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImageNotFound,*'
        $id = (Get-ContainerImage "$($anon.Address)/peers/skopeo:v1").Id
        Add-ContainerImageTag "$($anon.Address)/peers/skopeo:v1" "$($anon.Address)/second/name:v1"
        Publish-ContainerImage $id -ErrorVariable noName -ErrorAction SilentlyContinue
        $noName[0].FullyQualifiedErrorId | Should -BeLike 'InvalidReference,*'
        $noName[0].Exception.Message | Should -BeLike '*-Destination*'
    }
}

Describe 'Multi-platform images' {
    BeforeAll {
        $multi = Join-Path $work 'multi'
        New-TestLayeredOciImage -Layout $multi -Tag amd -Layers @(@{ 'etc/arch' = 'amd64' }) -Architecture amd64 | Out-Null
        New-TestLayeredOciImage -Layout $multi -Tag arm -Layers @(@{ 'etc/arch' = 'arm64' }) -Architecture arm64 | Out-Null
        $script:indexDigest = New-TestOciIndex -Layout $multi -Tag both -Platforms @{ amd = 'linux/amd64'; arm = 'linux/arm64/v8' }
        Invoke-TestSkopeo copy --all --dest-tls-verify=false "oci:${multi}:both" "docker://$($anon.Address)/peers/multi:1" | Assert-NativeSuccess | Out-Null
        $raw = (Invoke-TestSkopeo inspect --tls-verify=false --raw "docker://$($anon.Address)/peers/multi:1" | Assert-NativeSuccess).StdOut | ConvertFrom-Json
        $script:amdDigest = ($raw.manifests | Where-Object { $_.platform.architecture -eq 'amd64' }).digest
        $script:armDigest = ($raw.manifests | Where-Object { $_.platform.architecture -eq 'arm64' }).digest
    }

    It 'selects linux/amd64 by default and the asked platform with -Platform' {
        Use-Root platforms {
            $default = Receive-ContainerImage "$($anon.Address)/peers/multi:1"
            $default.Architecture | Should -Be 'amd64'
            $default.ManifestDigest | Should -Be $amdDigest
            $default.IndexDigest | Should -Be $indexDigest
            $default.RepoDigests | Should -Contain "$($anon.Address)/peers/multi@$indexDigest"

            $arm = Receive-ContainerImage "$($anon.Address)/peers/multi:1" -Platform linux/arm64
            $arm.Architecture | Should -Be 'arm64'
            $arm.ManifestDigest | Should -Be $armDigest

            Receive-ContainerImage "$($anon.Address)/peers/multi:1" -Platform linux/s390x -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'PlatformNotFound,*'
            $err[0].Exception.Message | Should -BeLike '*has no image for linux/s390x*'
            $err[0].Exception.Message | Should -BeLike '*linux/amd64*'
            $err[0].Exception.Message | Should -BeLike '*linux/arm64*'
        }
    }

    It 'pushes the whole index after a pull with -AllPlatforms; skopeo sees the same index digest' {
        Use-Root allplatforms {
            $image = Receive-ContainerImage "$($anon.Address)/peers/multi:1" -AllPlatforms
            $image.Architecture | Should -Be 'amd64'
            $pushed = Publish-ContainerImage "$($anon.Address)/peers/multi:1" -Destination "$($secured.Address)/ours/multi:1" -Credential $goodCredential
            $pushed.Manifests | Should -Be 2
            $pushed.Digest | Should -Be $indexDigest
            $raw = (Invoke-TestSkopeo inspect --tls-verify=false --creds "${user}:$password" --raw "docker://$($secured.Address)/ours/multi:1" | Assert-NativeSuccess).StdOut | ConvertFrom-Json
            @($raw.manifests.digest) | Should -Be @($amdDigest, $armDigest)
        }
    }
}

Describe 'A corrupt blob in the registry' {
    It 'fails the pull with DigestMismatch naming the blob, and nothing is stored' {
        $corruptLayout = Join-Path $work 'corrupt'
        $image = New-TestLayeredOciImage -Layout $corruptLayout -Tag c -Layers @(@{ 'data/victim.bin' = 300KB })
        Invoke-TestSkopeo copy --dest-tls-verify=false "oci:$image" "docker://$($anon.Address)/peers/corrupt:1" | Assert-NativeSuccess | Out-Null
        $manifest = (Invoke-TestSkopeo inspect --tls-verify=false --raw "docker://$($anon.Address)/peers/corrupt:1" | Assert-NativeSuccess).StdOut | ConvertFrom-Json
        $victim = $manifest.layers[-1].digest
        $blob = Get-TestRegistryBlobPath -Registry $anon -Digest $victim
        # Same size, other bytes: only the digest check can tell.
        $bytes = [System.IO.File]::ReadAllBytes($blob)
        $bytes[$bytes.Length / 2] = $bytes[$bytes.Length / 2] -bxor 0xff
        [System.IO.File]::WriteAllBytes($blob, $bytes)

        Use-Root corrupt {
            Receive-ContainerImage "$($anon.Address)/peers/corrupt:1" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DigestMismatch,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].Exception.Message | Should -BeLike "*$victim*corrupt*"
            # Not the corrupt blob, nor the good ones and layers fetched beside it, nor temporary files.
            Get-StoredBlobs $env:PSCONTAINERS_ROOT | Should -BeNullOrEmpty
            @(Get-ChildItem -LiteralPath (Join-Path $env:PSCONTAINERS_ROOT 'ingest') -File -ErrorAction Ignore) | Should -BeNullOrEmpty
            @(Get-ChildItem -LiteralPath (Join-Path $env:PSCONTAINERS_ROOT 'snapshots/sha256') -Directory -ErrorAction Ignore) | Should -BeNullOrEmpty
            Get-ContainerImage -ErrorAction Ignore | Should -BeNullOrEmpty
        }
    }
}

Describe 'Registry logins' {
    It 'fails with RegistryAuthenticationFailed without a login and with a wrong password' {
        Use-Root auth {
            Receive-ContainerImage "$($secured.Address)/ours/runme:1" -ErrorVariable anonymous -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $anonymous[0].FullyQualifiedErrorId | Should -BeLike 'RegistryAuthenticationFailed,*'
            $anonymous[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
            $anonymous[0].Exception.Message | Should -BeLike '*Connect-ContainerRegistry*'

            Receive-ContainerImage "$($secured.Address)/ours/runme:1" -Credential $badCredential -ErrorVariable wrong -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $wrong[0].FullyQualifiedErrorId | Should -BeLike 'RegistryAuthenticationFailed,*'
            $wrong[0].Exception.Message | Should -BeLike "*refused the login of $user*"

            (Receive-ContainerImage "$($secured.Address)/ours/runme:1" -Credential $goodCredential).ManifestDigest | Should -Be $skopeoDigest
        }
    }

    It 'Connect-ContainerRegistry checks the password and stores nothing when it is wrong' {
        Connect-ContainerRegistry $secured.Address -Credential $badCredential -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RegistryAuthenticationFailed,*'
        Test-Path -LiteralPath $env:REGISTRY_AUTH_FILE | Should -BeFalse
    }

    It 'stores a login that skopeo and podman read, and pulls with it' {
        $login = Connect-ContainerRegistry $secured.Address -Credential $goodCredential -PassThru
        $login.Registry | Should -Be $secured.Address
        $login.AuthFile | Should -Be $env:REGISTRY_AUTH_FILE
        $auth = Get-Content -Raw -LiteralPath $env:REGISTRY_AUTH_FILE | ConvertFrom-Json -AsHashtable
        $auth.auths[$secured.Address].auth | Should -Be ([Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes("${user}:$password")))
        ([System.IO.File]::GetUnixFileMode($env:REGISTRY_AUTH_FILE)) | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')

        Invoke-TestSkopeo inspect --tls-verify=false --authfile $env:REGISTRY_AUTH_FILE --format '{{.Digest}}' "docker://$($secured.Address)/ours/runme:1" |
            Assert-NativeSuccess | ForEach-Object { $_.StdOut.Trim() } | Should -Be $skopeoDigest
        $podman = New-TestPodman -WorkDirectory $work -Runtime (Get-ReferenceRuntime)
        (Invoke-TestPodman $podman login --get-login --authfile $env:REGISTRY_AUTH_FILE $secured.Address | Assert-NativeSuccess).StdOut.Trim() | Should -Be $user

        Use-Root withlogin {
            (Receive-ContainerImage "$($secured.Address)/ours/runme:1").ManifestDigest | Should -Be $skopeoDigest
        }
    }

    It 'reads a login skopeo stored' {
        $theirs = Join-Path $work 'skopeo-auth/auth.json'
        Invoke-TestSkopeo login --tls-verify=false --authfile $theirs "--username=$user" "--password=$password" $secured.Address | Assert-NativeSuccess | Out-Null
        $saved = $env:REGISTRY_AUTH_FILE
        $env:REGISTRY_AUTH_FILE = $theirs
        try {
            Use-Root skopeologin {
                (Receive-ContainerImage "$($secured.Address)/ours/runme:1").ManifestDigest | Should -Be $skopeoDigest
            }
        } finally {
            $env:REGISTRY_AUTH_FILE = $saved
        }
    }

    It 'Disconnect-ContainerRegistry removes the login, and pulls need one again' {
        Disconnect-ContainerRegistry $secured.Address -PassThru | Should -Be $secured.Address
        $auth = Get-Content -Raw -LiteralPath $env:REGISTRY_AUTH_FILE | ConvertFrom-Json -AsHashtable
        $auth.auths.Keys | Should -Not -Contain $secured.Address
        (Invoke-TestSkopeo inspect --tls-verify=false --authfile $env:REGISTRY_AUTH_FILE "docker://$($secured.Address)/ours/runme:1").ExitCode | Should -Not -Be 0
        Use-Root afterlogout {
            Receive-ContainerImage "$($secured.Address)/ours/runme:1" -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'RegistryAuthenticationFailed,*'
        }
        Disconnect-ContainerRegistry $secured.Address -ErrorVariable again -ErrorAction SilentlyContinue
        $again[0].FullyQualifiedErrorId | Should -BeLike 'RegistryLoginNotFound,*'
    }
}

Describe 'The registries file' {
    It 'resolves short names through unqualified-search-registries and pulls from a mirror first' {
        Set-Content -LiteralPath $env:PSCONTAINERS_REGISTRIES_CONF -Value @"
unqualified-search-registries = ["$($anon.Address)"]

[[registry]]
prefix = "mirrored.example"
location = "mirrored.example"

[[registry.mirror]]
location = "$($anon.Address)/peers"
"@
        try {
            Use-Root search {
                $image = Receive-ContainerImage 'peers/skopeo:v1'
                $image.ManifestDigest | Should -Be $skopeoDigest
                $image.RepoTags | Should -Contain "$($anon.Address)/peers/skopeo:v1"
                # mirrored.example does not resolve: only the mirror can have served it.
                $mirrored = Receive-ContainerImage 'mirrored.example/skopeo:v1'
                $mirrored.ManifestDigest | Should -Be $skopeoDigest
                $mirrored.RepoTags | Should -Contain 'mirrored.example/skopeo:v1'
            }
        } finally {
            Remove-Item -LiteralPath $env:PSCONTAINERS_REGISTRIES_CONF
        }
    }

    It 'reports an invalid file by name' {
        Set-Content -LiteralPath $env:PSCONTAINERS_REGISTRIES_CONF -Value 'unqualified-search-registries = "not-a-list"'
        try {
            Receive-ContainerImage "$($anon.Address)/peers/skopeo:v1" -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidRegistriesConfig,*'
            $err[0].Exception.Message | Should -BeLike "*$($env:PSCONTAINERS_REGISTRIES_CONF)*array of strings*"
        } finally {
            Remove-Item -LiteralPath $env:PSCONTAINERS_REGISTRIES_CONF
        }
    }
}
