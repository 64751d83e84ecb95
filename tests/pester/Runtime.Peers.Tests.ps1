# Side-by-side runbooks: what a user does with an OCI runtime, done with the runtime under test
# and checked against crun. The runtime under test is pscrun unless PSC_PEER_RUNTIME_UNDER_TEST
# names another; run this file with crun's or runc's path there to prove the tests themselves.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $runtimeUnderTest = Get-PeerRuntimeUnderTest
    $peerCases = @(@{ Runtime = $runtimeUnderTest; RuntimeName = Split-Path -Leaf $runtimeUnderTest })
}

Describe 'Runbook: an OCI image unpacked by umoci runs under <RuntimeName> exactly as under crun' -Tag 'Peers' -ForEach $peerCases {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
        $reference = Get-ReferenceRuntime
        $work = New-TestDirectory -Name 'umoci'
        $containers = [System.Collections.Generic.List[object]]::new()

        # 1. Build a busybox image in an OCI layout with umoci.
        $image = New-TestOciImage -Layout (Join-Path $work 'image')
        # 2. Unpack it twice: one bundle for crun, one for the runtime under test.
        $referenceBundle = Join-Path $work 'bundle-crun'
        $bundleUnderTest = Join-Path $work 'bundle-under-test'
        Invoke-Native umoci unpack --image $image $referenceBundle | Assert-NativeSuccess | Out-Null
        Invoke-Native umoci unpack --image $image $bundleUnderTest | Assert-NativeSuccess | Out-Null

        # 3. Run one shell command in a bundle with a runtime and a fresh container id.
        function Invoke-ShellInBundle([string]$RuntimePath, [string]$Bundle, [string]$Command) {
            Set-TestBundleConfig -Bundle $Bundle -Arguments @('sh', '-c', $Command) -Hostname 'psc-peer'
            $stateRoot = Join-Path $work "state-$(Split-Path -Leaf $Bundle)"
            $id = New-TestContainerId -Prefix 'psc-peer'
            $containers.Add([pscustomobject]@{ Runtime = $RuntimePath; StateRoot = $stateRoot; Id = $id })
            Invoke-TestBundleRun -Runtime $RuntimePath -StateRoot $stateRoot -Bundle $Bundle -Id $id
        }
    }

    AfterEach {
        foreach ($container in $containers) {
            Remove-TestContainer -Runtime $container.Runtime -StateRoot $container.StateRoot -Id $container.Id
        }
        $containers.Clear()
    }

    AfterAll {
        Remove-TestDirectory -Path $work
    }

    It 'runs "<Command>": same stdout and exit code <ExitCode> as crun' -ForEach @(
        @{ Command = 'echo hello; hostname; cat /etc/hostname; echo $$'; ExitCode = 0; Expected = "hello`npsc-peer`npsc-image`n1`n" }
        @{ Command = 'echo before; exit 3'; ExitCode = 3; Expected = "before`n" }
        @{ Command = 'id; pwd; echo "$PATH"'; ExitCode = 0; Expected = "uid=0(root) gid=0(root)`n/`n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`n" }
        @{ Command = 'ls /; test -d /proc/1 && echo proc mounted'; ExitCode = 0; Expected = $null }
        @{ Command = 'echo to stderr >&2; sleep 10 & kill -TERM $!; wait $!'; ExitCode = 143; Expected = '' }
    ) {
        $fromCrun = Invoke-ShellInBundle $reference $referenceBundle $Command
        $underTest = Invoke-ShellInBundle $Runtime $bundleUnderTest $Command

        # crun sets the expectation; a case crun does not meet is a broken test, not a broken runtime.
        $fromCrun.ExitCode | Should -Be $ExitCode -Because "crun ran it: $($fromCrun.StdErr)"
        if ($null -ne $Expected) {
            $fromCrun.StdOut | Should -BeExactly $Expected
        }

        $underTest.TimedOut | Should -BeFalse
        $underTest.StdOut | Should -BeExactly $fromCrun.StdOut -Because "stderr of $RuntimeName was: $($underTest.StdErr)"
        $underTest.ExitCode | Should -Be $fromCrun.ExitCode
    }

    It 'leaves no container behind after "run" ends' {
        $result = Invoke-ShellInBundle $Runtime $bundleUnderTest 'echo ran'
        $result.StdOut | Should -BeExactly "ran`n" -Because $result.StdErr
        $result.ExitCode | Should -Be 0
        $last = $containers[-1]
        $list = Invoke-Native $Runtime --root $last.StateRoot list --quiet
        $list.StdOut | Should -Not -Match ([regex]::Escape($last.Id))
    }
}

Describe 'Runbook: podman uses <RuntimeName> as its OCI runtime' -Tag 'Peers', 'Podman' -ForEach $peerCases {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
        $work = New-TestDirectory -Name 'podman'
        # podman keeps its storage, state and cgroups under this test's own names.
        $podman = New-TestPodman -WorkDirectory $work -Runtime $Runtime
        $isolation = @('--network', 'none', '--cgroup-parent', $podman.CgroupParent)

        # 1. Import a busybox root filesystem as the image.
        $image = 'localhost/psc-test-busybox:latest'
        $rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
        $tarball = Join-Path $work 'rootfs.tar'
        Invoke-Native tar -C $rootfs -cf $tarball . | Assert-NativeSuccess | Out-Null
        Invoke-TestPodman $podman import $tarball $image | Assert-NativeSuccess | Out-Null
    }

    AfterAll {
        Remove-TestPodman -Podman $podman
        Remove-TestDirectory -Path $work
    }

    It 'run --rm IMG echo hi prints hi' {
        $result = Invoke-TestPodman $podman run --rm @isolation $image echo hi
        $result.StdOut | Should -BeExactly "hi`n" -Because $result.StdErr
        $result.ExitCode | Should -Be 0
    }

    It 'run --rm propagates the exit code 3 of the container' {
        $result = Invoke-TestPodman $podman run --rm @isolation $image sh -c 'exit 3'
        $result.ExitCode | Should -Be 3 -Because $result.StdErr
    }

    Context 'a detached container: run --detach, exec, stop, rm' {
        BeforeAll {
            $detached = @{ Id = $null }
        }

        It 'run --detach IMG sleep 100 starts it' {
            $result = Invoke-TestPodman $podman run --detach @isolation $image sleep 100
            $result.ExitCode | Should -Be 0 -Because $result.StdErr
            $detached.Id = $result.StdOut.Trim()
            $detached.Id | Should -Match '^[0-9a-f]{64}$'
            $state = Invoke-TestPodman $podman inspect --format '{{.State.Status}}' $detached.Id
            $state.StdOut.Trim() | Should -Be 'running' -Because $state.StdErr
        }

        It 'exec ID echo x prints x' {
            $result = Invoke-TestPodman $podman exec $detached.Id echo x
            $result.StdOut | Should -BeExactly "x`n" -Because $result.StdErr
            $result.ExitCode | Should -Be 0
        }

        It 'stop --time 2 ID stops it (sleep ignores SIGTERM as PID 1, so SIGKILL follows)' {
            $result = Invoke-TestPodman $podman stop --time 2 $detached.Id
            $result.ExitCode | Should -Be 0 -Because $result.StdErr
            $state = Invoke-TestPodman $podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' $detached.Id
            $state.StdOut.Trim() | Should -Be 'exited 137' -Because $state.StdErr
        }

        It 'rm ID removes it' {
            $result = Invoke-TestPodman $podman rm $detached.Id
            $result.ExitCode | Should -Be 0 -Because $result.StdErr
            $list = Invoke-TestPodman $podman ps --all --quiet --no-trunc
            $list.StdOut | Should -Not -Match $detached.Id
        }
    }

    Context 'resource limits' {
        BeforeAll {
            # The shell holds 64 MB of 'a's in a variable: busybox really allocates it.
            $allocate64MB = 'x=$(head -c 64000000 /dev/zero | tr "\0" a); echo "survived ${#x}"'
        }

        It 'without a memory limit the 64 MB allocation survives (control)' {
            $result = Invoke-TestPodman $podman run --rm @isolation $image sh -c $allocate64MB
            $result.StdOut | Should -BeExactly "survived 64000000`n" -Because $result.StdErr
            $result.ExitCode | Should -Be 0
        }

        It '--memory 32m: the 64 MB allocation is OOM-killed with exit code 137' {
            $result = Invoke-TestPodman $podman run --rm @isolation --memory 32m $image sh -c $allocate64MB
            $result.ExitCode | Should -Be 137 -Because "stdout: $($result.StdOut) stderr: $($result.StdErr)"
            $result.StdOut | Should -Not -Match 'survived'
        }

        It '--pids-limit 10: a loop of 20 background sleeps cannot fork' {
            $forkLoop = 'for i in $(seq 20); do sleep 2 & done; wait; echo all forked'
            $result = Invoke-TestPodman $podman run --rm @isolation --pids-limit 10 $image sh -c $forkLoop
            $result.StdErr | Should -Match "can't fork"
            $result.StdOut | Should -Not -Match 'all forked'
            $result.ExitCode | Should -Not -Be 0
        }

        It 'without --pids-limit the same loop forks all 20 (control)' {
            $forkLoop = 'for i in $(seq 20); do sleep 1 & done; wait; echo all forked'
            $result = Invoke-TestPodman $podman run --rm @isolation $image sh -c $forkLoop
            $result.StdOut | Should -BeExactly "all forked`n" -Because $result.StdErr
            $result.ExitCode | Should -Be 0
        }
    }

    Context 'configs that need tmpcopyup, a realtime budget, a FIFO device and hooks, side by side with crun' {
        BeforeAll {
            # The same podman store, one container with crun and one with the runtime under test: podman's
            # last --runtime wins, so the reference runs with the very same image, flags and storage.
            $withCrun = @('--runtime', (Get-ReferenceRuntime))
            $fifo = Join-Path $work 'host-fifo'
            Invoke-Native mkfifo $fifo | Assert-NativeSuccess | Out-Null
            $hooksDir = Join-Path $work 'hooks'
            $hookLog = Join-Path $work 'hook-log'
            New-Item -ItemType Directory -Path $hooksDir | Out-Null
            # An OCI hooks.d entry (podman's --hooks-dir): each stage appends the status it reads on stdin (crun's state
            # has no final newline, so one is added).
            $hook = @{
                version = '1.0.0'
                hook = @{ path = '/bin/sh'; args = @('sh', '-c', "{ cat; echo; } | sed -n 's/.*`"status`": *`"\([a-z]*\)`".*/\1/p' >> $hookLog") }
                when = @{ always = $true }
                stages = @('prestart', 'poststop')
            }
            $hook | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath (Join-Path $hooksDir 'status.json')

            function Invoke-SideBySide([string[]]$RunArguments) {
                $arguments = @($RunArguments | ForEach-Object { if ($_ -eq 'IMAGE') { $image } else { $_ } })
                [pscustomobject]@{
                    Crun      = Invoke-TestPodman $podman @withCrun run --rm @isolation @arguments
                    UnderTest = Invoke-TestPodman $podman run --rm @isolation @arguments
                }
            }
        }

        It '<Name>: <Expected> as with crun' -ForEach @(
            @{ Name = '--read-only (tmpfs /tmp, /var/tmp, /run with tmpcopyup)'; Expected = "root-ro`ntmp-rw`nrun-rw`n"
               Arguments = @('--read-only', 'IMAGE', 'sh', '-c', 'touch /x 2>/dev/null || echo root-ro; touch /tmp/y && echo tmp-rw; touch /run/z && echo run-rw') }
            @{ Name = '--tmpfs /etc (copied up from the image)'; Expected = $null
               Arguments = @('--tmpfs', '/etc', 'IMAGE', 'sh', '-c', 'ls /etc; grep -c " /etc tmpfs" /proc/mounts; touch /etc/new && echo etc-rw') }
        ) {
            $result = Invoke-SideBySide $Arguments
            $result.Crun.ExitCode | Should -Be 0 -Because "crun ran it: $($result.Crun.StdErr)"
            if ($null -ne $Expected) {
                $result.Crun.StdOut | Should -BeExactly $Expected
            }
            $result.UnderTest.StdOut | Should -BeExactly $result.Crun.StdOut -Because "stderr: $($result.UnderTest.StdErr)"
            $result.UnderTest.ExitCode | Should -Be 0
        }

        It '--cpu-rt-runtime 10000 --cpu-rt-period 1000000: the container cgroup gets the realtime budget, as with crun' {
            # A child's realtime budget comes out of its parent's, and a new cgroup has none: the test's parent gets some.
            $parentCpu = Join-Path '/sys/fs/cgroup/cpu' $podman.CgroupParent.TrimStart('/')
            [void][System.IO.Directory]::CreateDirectory($parentCpu)
            Set-Content -LiteralPath (Join-Path $parentCpu 'cpu.rt_runtime_us') -Value '20000'
            $budgets = foreach ($runtimeArgs in @(, $withCrun) + @(, @())) {
                $run = Invoke-TestPodman $podman @runtimeArgs run --detach @isolation --cpu-rt-period 1000000 --cpu-rt-runtime 10000 $image sleep 30
                $run.ExitCode | Should -Be 0 -Because $run.StdErr
                $cgroup = Join-Path $parentCpu "libpod-$($run.StdOut.Trim())"
                '{0} {1}' -f (Get-Content -LiteralPath (Join-Path $cgroup 'cpu.rt_runtime_us')), (Get-Content -LiteralPath (Join-Path $cgroup 'cpu.rt_period_us'))
                Invoke-TestPodman $podman rm --force --time 0 $run.StdOut.Trim() | Assert-NativeSuccess | Out-Null
            }
            $budgets | Should -Be @('10000 1000000', '10000 1000000')
        }

        It '--device HOSTFIFO:/dev/myfifo creates a FIFO in the container (crun 1.8 and runc 1.1 refuse the config)' {
            $result = Invoke-SideBySide @('--device', "${fifo}:/dev/myfifo", 'IMAGE', 'sh', '-c', 'test -p /dev/myfifo && echo fifo')
            $result.UnderTest.StdOut | Should -BeExactly "fifo`n" -Because $result.UnderTest.StdErr
            $result.UnderTest.ExitCode | Should -Be 0
            if ($result.Crun.ExitCode -eq 0) {
                $result.Crun.StdOut | Should -BeExactly $result.UnderTest.StdOut
            }
            else {
                # podman adds a 'p' device cgroup rule, which the kernel rejects in devices.allow: crun fails there.
                $result.Crun.StdErr | Should -Match 'devices\.allow'
            }
        }

        It '--hooks-dir: the prestart hook reads status created, as under crun; podman runs poststop itself' {
            $logs = foreach ($runtimeArgs in @(, $withCrun) + @(, @())) {
                Remove-Item -LiteralPath $hookLog -ErrorAction Ignore
                $run = Invoke-TestPodman $podman @runtimeArgs --hooks-dir $hooksDir run --rm @isolation $image true
                $run.ExitCode | Should -Be 0 -Because $run.StdErr
                (Get-Content -LiteralPath $hookLog) -join ','
            }
            $logs[0] | Should -Be 'created,stopped'
            $logs[1] | Should -Be $logs[0]
        }
    }
}

Describe 'Runbook: the peer runbooks leave the machine as they found it' -Tag 'Peers' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
        # Every directory the runbooks above made, in this pwsh process.
        $testDirectories = @((Get-TestDirectoryHistory).Where({ $_ -match 'psc-test-(umoci|podman)-' }))
    }

    It 'the runbooks above made test directories (else this check proves nothing)' {
        $testDirectories.Count | Should -BeGreaterOrEqual 2
    }

    It 'no directory, mount, cgroup or process of theirs is left' {
        $leftovers = @($testDirectories | ForEach-Object { Get-TestLeftover -Path $_ })
        $leftovers | ForEach-Object { "$($_.Kind) $($_.What)" } | Should -BeNullOrEmpty
    }
}
