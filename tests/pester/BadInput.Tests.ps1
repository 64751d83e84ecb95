# Bad input gets a clear error and leaves nothing behind: docker-style flags never become a container's command,
# limits the kernel would refuse are refused at create in docker's words, and every failure has a stable ErrorId
# and category (never a bare .NET exception type). Each table row is run for real against the built module under
# a temp storage root; after each one no container record, bundle, cgroup or mount may be left.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name badinput
    $script:savedEnv = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    Import-Module $moduleDir -Force

    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    $tar = Join-Path $work 'busybox.tar'
    Invoke-Native tar -C $rootfs -cf $tar . | Assert-NativeSuccess | Out-Null
    Import-ContainerImage $tar -Format RootFs -Tag psc-badinput:1 -Change 'CMD ["sh"]' | Out-Null
    $script:image = 'psc-badinput:1'

    # What a failed create may not leave: records, bundles, merged dirs, cgroups, mounts.
    function script:Get-Leftover {
        @(
            Get-ChildItem -LiteralPath (Join-Path $env:PSCONTAINERS_ROOT 'containers') -ErrorAction Ignore | ForEach-Object { "record $($_.Name)" }
            # The other suites running on this machine at the same time have cgroups too: theirs have a record in their root.
            Get-ChildItem -Path '/sys/fs/cgroup/*/pscontainers/*', '/sys/fs/cgroup/pscontainers/*' -Directory -ErrorAction Ignore |
                Where-Object { $_.Name -notin $script:knownCgroups } |
                Where-Object { -not (Get-ChildItem -Path "/tmp/psc-test-*/*/containers/$($_.Name)", "/tmp/psc-test-*/containers/$($_.Name)" -ErrorAction Ignore) } |
                Where-Object { Test-Path -LiteralPath $_.FullName } | ForEach-Object { "cgroup $($_.FullName)" }
            Get-TestMountPoint -Path $work | ForEach-Object { "mount $_" }
        )
    }
    # Other suites' containers (or a user's) may have cgroups here: only new ones count.
    $script:knownCgroups = @(Get-ChildItem -Path '/sys/fs/cgroup/*/pscontainers/*', '/sys/fs/cgroup/pscontainers/*' -Directory -ErrorAction Ignore | ForEach-Object Name)

    # Runs a script block that must fail; returns its ErrorRecord (terminating or not).
    function script:Get-Failure([scriptblock]$Script) {
        try {
            $errors = @(& $Script 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            if ($errors.Count -gt 0) { return $errors[0] }
        } catch {
            return $_
        }
        $null
    }
}

AfterAll {
    $left = @(Get-Leftover)
    $leftMounts = Exit-TestEngine -Work $work -Saved $savedEnv
    $left | Should -BeNullOrEmpty
    $leftMounts | Should -BeNullOrEmpty
}

Describe 'Docker-style flags are errors that name the parameter to use, never the command' {
    It '<Text> is refused naming <Names>' -TestCases @(
        @{ Text = 'Invoke-Container IMG -v /data:/data sh'; Script = { Invoke-Container $image -v /data:/data sh }; Names = '-v', '-Volume' }
        @{ Text = 'Invoke-Container -v /data:/data IMG sh'; Script = { Invoke-Container -v /data:/data $image sh }; Names = '-v', '-Volume' }
        @{ Text = 'Invoke-Container IMG --rm sh'; Script = { Invoke-Container $image --rm sh }; Names = '--rm', '-Remove' }
        @{ Text = 'Invoke-Container --rm IMG sh'; Script = { Invoke-Container --rm $image sh }; Names = '--rm', '-Remove' }
        @{ Text = 'Invoke-Container IMG -e X=1 sh'; Script = { Invoke-Container $image -e X=1 sh }; Names = '-e', '-Environment' }
        @{ Text = 'Invoke-Container IMG -p 80:80 sh'; Script = { Invoke-Container $image -p 80:80 sh }; Names = '-p', '-Publish' }
        @{ Text = 'Invoke-Container IMG --name x sh'; Script = { Invoke-Container $image --name x sh }; Names = '--name', '-Name' }
        @{ Text = 'Invoke-Container IMG -d sh'; Script = { Invoke-Container $image -d sh }; Names = '-d', '-Detach' }
        @{ Text = 'Invoke-Container IMG -t sh'; Script = { Invoke-Container $image -t sh }; Names = '-t', '-Interactive' }
        @{ Text = 'Invoke-Container IMG -w /tmp sh'; Script = { Invoke-Container $image -w /tmp sh }; Names = '-w', '-WorkingDirectory' }
        @{ Text = 'Invoke-Container IMG -m 64m sh'; Script = { Invoke-Container $image -m 64m sh }; Names = '-m', '-Memory' }
        @{ Text = 'Invoke-Container IMG --cpus=1 --memory-swap 1 sh'; Script = { Invoke-Container $image --cpus=1 --memory-swap 1 sh }; Names = '--cpus=1', '-Cpus', '--memory-swap', '-MemorySwap' }
        @{ Text = 'Invoke-Container IMG --privileged sh'; Script = { Invoke-Container $image --privileged sh }; Names = '--privileged', '-Privileged' }
        @{ Text = 'Invoke-Container IMG --frobnicate sh'; Script = { Invoke-Container $image --frobnicate sh }; Names = '--frobnicate', 'Get-Help Invoke-Container' }
        @{ Text = 'splatted -v'; Script = { $a = @('-v', '/x:/y'); Invoke-Container $image @a sh }; Names = '-v', '-Volume' }
        @{ Text = 'New-Container IMG -it sh'; Script = { New-Container $image -it sh }; Names = '-it' }
        @{ Text = 'New-Container IMG -d sh'; Script = { New-Container $image -d sh }; Names = '-d', 'Invoke-Container -Detach' }
        @{ Text = 'New-Container IMG -u 1000 sh'; Script = { New-Container $image -u 1000 sh }; Names = '-u', '-User' }
        @{ Text = 'Invoke-ContainerCommand C -e A=1 sh'; Script = { Invoke-ContainerCommand nosuch -e A=1 sh }; Names = '-e', '-Environment' }
        @{ Text = 'Invoke-ContainerCommand C -it sh'; Script = { Invoke-ContainerCommand nosuch -it sh }; Names = '-it', 'Enter-Container' }
        @{ Text = 'Invoke-ContainerCommand C -i cat'; Script = { Invoke-ContainerCommand nosuch -i cat }; Names = '-i', 'piped in' }
        @{ Text = 'Enter-Container C -it sh'; Script = { Enter-Container nosuch -it sh }; Names = '-it', 'always runs on a terminal' }
        @{ Text = 'Enter-Container C -e A=1 sh'; Script = { Enter-Container nosuch -e A=1 sh }; Names = '-e', '-Environment' }
        @{ Text = 'Enter-Container C --user 1 sh'; Script = { Enter-Container nosuch --user 1 sh }; Names = '--user', '-User' }
        @{ Text = 'Invoke-ContainerCommand C --workdir /x sh'; Script = { Invoke-ContainerCommand nosuch --workdir /x sh }; Names = '--workdir', '-WorkingDirectory' }
    ) {
        param($Text, $Script, $Names)
        $before = @(Get-Container -All).Count
        $failure = Get-Failure $Script
        $failure | Should -Not -BeNullOrEmpty -Because "$Text must fail"
        $failure.FullyQualifiedErrorId | Should -BeLike 'DockerStyleFlag,*'
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        foreach ($name in $Names) {
            $failure.Exception.Message | Should -BeLike "*$name*"
        }
        @(Get-Container -All).Count | Should -Be $before
        Get-Leftover | Should -BeNullOrEmpty
    }

    It 'runs a command that starts with - when it follows --, and the words after the command as its arguments' {
        $out = Invoke-Container $image -Remove -Network none -- sh -c 'echo "$0 $1"' -x --rm
        $out.Text | Should -Be '-x --rm'
        $LASTEXITCODE | Should -Be 0
    }

    It 'still takes -it as -Interactive and the command after the image' {
        $c = Invoke-Container $image -it -Detach -Network none -Name itworks -- sleep 30
        try {
            $c.Config.OpenStdin | Should -BeTrue
            $c.Command | Should -Be @('sleep', '30')
        } finally {
            Remove-Container itworks -Force
        }
    }
}

Describe 'Resource limits the kernel would refuse are refused at create, in docker''s words' {
    It '<Text> gives <Expected>' -TestCases @(
        @{ Text = '-Memory 10'; Params = @{ Memory = 10 }; Expected = 'Minimum memory limit allowed is 6MB*10*' }
        @{ Text = '-Memory 6291455'; Params = @{ Memory = 6291455 }; Expected = 'Minimum memory limit allowed is 6MB*' }
        @{ Text = '-MemorySwap below -Memory'; Params = @{ Memory = 64MB; MemorySwap = 32MB }; Expected = 'Minimum memoryswap limit should be larger than memory limit*' }
        @{ Text = '-MemorySwap 0'; Params = @{ Memory = 64MB; MemorySwap = 0 }; Expected = '-MemorySwap 0 is invalid*' }
        @{ Text = '-MemorySwap without -Memory'; Params = @{ MemorySwap = 64MB }; Expected = 'You should always set the Memory limit when using Memoryswap limit*' }
        @{ Text = '-Cpus 1000'; Params = @{ Cpus = 1000 }; Expected = 'Range of CPUs is from 0.01 to*1000*' }
        @{ Text = '-Cpus 0.001'; Params = @{ Cpus = 0.001 }; Expected = 'Range of CPUs is from 0.01 to*' }
        @{ Text = '-CpuShares 1'; Params = @{ CpuShares = 1 }; Expected = '-CpuShares 1 is out of range*2 to 262144*' }
        @{ Text = '-CpuShares 300000'; Params = @{ CpuShares = 300000 }; Expected = '-CpuShares 300000 is out of range*' }
        @{ Text = '-CpusetCpus 4095'; Params = @{ CpusetCpus = '4095' }; Expected = 'Requested CPUs are not available - requested 4095*' }
        @{ Text = '-CpusetCpus x'; Params = @{ CpusetCpus = 'x' }; Expected = 'Invalid value x for cpuset cpus*' }
        @{ Text = '-BlkioWeight 5'; Params = @{ BlkioWeight = 5 }; Expected = 'Range of blkio weight is from 10 to 1000*' }
    ) {
        param($Text, $Params, $Expected)
        foreach ($cmdlet in 'New-Container', 'Invoke-Container') {
            $failure = Get-Failure { & $cmdlet $image @Params -Name badlimit -- true }
            $failure | Should -Not -BeNullOrEmpty -Because "$cmdlet $Text must fail"
            $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
            $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $failure.Exception.Message | Should -BeLike $Expected
            Get-Container -All | Where-Object Name -EQ badlimit | Should -BeNullOrEmpty
            Get-Leftover | Should -BeNullOrEmpty
        }
    }

    It 'refuses the same limits on a live update with Set-Container' {
        $c = New-Container $image -Name liveupdate -Network none -- true
        try {
            $failure = Get-Failure { Set-Container liveupdate -Memory 4MB }
            $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidArgument,*'
            $failure.Exception.Message | Should -BeLike 'Minimum memory limit allowed is 6MB*'
            (Get-Container liveupdate).Config.Resources.Memory | Should -BeNullOrEmpty
        } finally {
            Remove-Container $c.Id -Force
        }
    }

    It 'runs with 6 MB, the smallest limit docker allows' {
        Invoke-Container $image -Memory 6MB -Remove -Network none -- echo small | ForEach-Object Text | Should -Be 'small'
        $LASTEXITCODE | Should -Be 0
    }
}

Describe 'Every failure has a stable ErrorId and category and names its input' {
    It '<Cmdlet> <Text> gives <ErrorId> (<Category>)' -TestCases @(
        @{ Cmdlet = 'New-Container'; Text = '-EnvFile of a missing file'; Script = { New-Container $image -EnvFile /nonexistent/dir/env -Name badenv -- true }; ErrorId = 'EnvFileNotFound'; Category = 'ObjectNotFound'; Names = '/nonexistent/dir/env' }
        @{ Cmdlet = 'Invoke-Container'; Text = '-EnvFile of a directory'; Script = { Invoke-Container $image -EnvFile / -Name badenv -- true }; ErrorId = 'EnvFileNotReadable'; Category = 'ReadError'; Names = '-EnvFile /' }
        @{ Cmdlet = 'Invoke-Container'; Text = 'an image that does not exist'; Script = { Invoke-Container psc-no-such-image:1 -Name badimg -- true }; ErrorId = 'ImageNotFound'; Category = 'ObjectNotFound'; Names = 'psc-no-such-image' }
        @{ Cmdlet = 'Invoke-Container'; Text = 'an invalid image reference'; Script = { Invoke-Container 'Bad Image!!' -Name badimg -- true }; ErrorId = 'InvalidReference'; Category = 'InvalidArgument'; Names = 'Bad Image!!' }
        @{ Cmdlet = 'New-Container'; Text = 'a -RootFs that does not exist'; Script = { New-Container -RootFs /nonexistent/rootfs -Name badroot -- true }; ErrorId = '*'; Category = '*'; Names = '/nonexistent/rootfs' }
        @{ Cmdlet = 'New-Container'; Text = 'a bad -Volume'; Script = { New-Container $image -Volume 'a:b:c:d' -Name badvol -- true }; ErrorId = 'InvalidArgument'; Category = 'InvalidArgument'; Names = 'a:b:c:d' }
        @{ Cmdlet = 'New-Container'; Text = 'a bad -ULimit'; Script = { New-Container $image -ULimit 'nofile=x' -Name badul -- true }; ErrorId = 'InvalidArgument'; Category = 'InvalidArgument'; Names = 'nofile=x' }
        @{ Cmdlet = 'New-Container'; Text = 'an unknown -CapAdd'; Script = { New-Container $image -CapAdd NOT_A_CAP -Name badcap -- true }; ErrorId = 'InvalidArgument'; Category = 'InvalidArgument'; Names = 'NOT_A_CAP' }
        @{ Cmdlet = 'New-Container'; Text = 'a bad -StopSignal'; Script = { New-Container $image -StopSignal SIGNOPE -Name badsig -- true }; ErrorId = '*'; Category = 'InvalidArgument'; Names = 'SIGNOPE' }
        @{ Cmdlet = 'New-Container'; Text = 'a bad -Restart'; Script = { New-Container $image -Restart sometimes -Name badrestart -- true }; ErrorId = '*'; Category = 'InvalidArgument'; Names = 'sometimes' }
        @{ Cmdlet = 'New-Container'; Text = 'a bad -Publish'; Script = { New-Container $image -Publish 'x:y:z:w' -Name badpub -- true }; ErrorId = '*'; Category = 'InvalidArgument'; Names = 'x:y:z:w' }
        @{ Cmdlet = 'New-Container'; Text = 'a bad -Tmpfs'; Script = { New-Container $image -Tmpfs 'relative' -Name badtmpfs -- true }; ErrorId = '*'; Category = 'InvalidArgument'; Names = 'relative' }
        @{ Cmdlet = 'New-Container'; Text = 'a bad -Mount'; Script = { New-Container $image -Mount 'type=nope,target=/x' -Name badmount -- true }; ErrorId = '*'; Category = 'InvalidArgument'; Names = 'nope' }
        @{ Cmdlet = 'New-Container'; Text = 'a network that does not exist'; Script = { New-Container $image -Network psc-no-such-net -Name badnet -- true }; ErrorId = '*'; Category = '*'; Names = 'psc-no-such-net' }
        @{ Cmdlet = 'Start-Container'; Text = 'a container that does not exist'; Script = { Start-Container psc-nosuch }; ErrorId = 'ContainerNotFound'; Category = 'ObjectNotFound'; Names = 'psc-nosuch' }
        @{ Cmdlet = 'Invoke-ContainerCommand'; Text = 'a container that does not exist'; Script = { Invoke-ContainerCommand psc-nosuch -- true }; ErrorId = 'ContainerNotFound'; Category = 'ObjectNotFound'; Names = 'psc-nosuch' }
        @{ Cmdlet = 'Copy-ContainerItem'; Text = 'a container that does not exist'; Script = { Copy-ContainerItem -Path 'psc-nosuch:/etc/passwd' -Destination (Join-Path $work 'x') }; ErrorId = '*'; Category = '*'; Names = 'psc-nosuch' }
        @{ Cmdlet = 'Import-ContainerImage'; Text = 'a file that does not exist'; Script = { Import-ContainerImage /nonexistent/image.tar }; ErrorId = '*'; Category = '*'; Names = '/nonexistent/image.tar' }
        @{ Cmdlet = 'Import-ContainerImage'; Text = 'a file that is not a tar'; Script = { Import-ContainerImage $PSCommandPath }; ErrorId = '*'; Category = '*'; Names = '' }
        @{ Cmdlet = 'Receive-ContainerImage'; Text = 'an invalid reference'; Script = { Receive-ContainerImage 'UPPER/Case::x' }; ErrorId = '*'; Category = 'InvalidArgument'; Names = 'UPPER/Case::x' }
        @{ Cmdlet = 'Remove-ContainerImage'; Text = 'an image that does not exist'; Script = { Remove-ContainerImage psc-nosuch-image:9 }; ErrorId = 'ImageNotFound'; Category = 'ObjectNotFound'; Names = 'psc-nosuch-image' }
        @{ Cmdlet = 'Set-Container'; Text = 'a container that does not exist'; Script = { Set-Container psc-nosuch -Memory 64MB }; ErrorId = 'ContainerNotFound'; Category = 'ObjectNotFound'; Names = 'psc-nosuch' }
    ) {
        param($Cmdlet, $Text, $Script, $ErrorId, $Category, $Names)
        $failure = Get-Failure $Script
        $failure | Should -Not -BeNullOrEmpty -Because "$Cmdlet $Text must fail"
        $id = ($failure.FullyQualifiedErrorId -split ',')[0]
        $id | Should -BeLike $ErrorId
        # Never a bare .NET exception type as the id (System.IO.DirectoryNotFoundException,...).
        $id | Should -Not -Match '^System\.|Exception$'
        $failure.CategoryInfo.Category | Should -BeLike $Category
        $failure.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
        if ($Names) { $failure.Exception.Message | Should -BeLike "*$Names*" }
        Get-Container -All | Where-Object Name -Like 'bad*' | Should -BeNullOrEmpty
        Get-Leftover | Should -BeNullOrEmpty
    }
}

Describe '-PassThru on a -Remove container' {
    It 'returns the full object: image, image id, start and finish times, exit code' {
        $result = @(Invoke-Container $image -Remove -PassThru -Network none -Name passthru -- sh -c 'echo out; exit 4')
        $info = $result | Where-Object { $_ -is [PSContainers.Core.Containers.ContainerInfo] }
        $info | Should -Not -BeNullOrEmpty
        $info.Image | Should -BeLike '*psc-badinput:1'
        $info.ImageId | Should -Match '^[0-9a-f]{64}$|^sha256:[0-9a-f]{64}$'
        $info.StartedAt | Should -Not -BeNullOrEmpty
        $info.FinishedAt | Should -BeGreaterOrEqual $info.StartedAt
        $info.ExitCode | Should -Be 4
        $info.Status | Should -Be 'Exited'
        Get-Container -All | Where-Object Name -EQ passthru | Should -BeNullOrEmpty
    }
}
