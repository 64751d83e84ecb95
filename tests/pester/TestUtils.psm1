# Helpers shared by the Pester suites and the benchmarks: busybox root filesystems, OCI bundles
# and images, the runtimes under test, native commands with a timeout, and clean-up that also
# runs when a test fails.

Set-StrictMode -Version Latest

$script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))

function Get-TestRepoRoot {
    $script:RepoRoot
}

# The pscrun binary of the built module; $env:PSCRUN points elsewhere (e.g. a debug build).
function Get-PscrunPath {
    if ($env:PSCRUN) {
        return [System.IO.Path]::GetFullPath($env:PSCRUN)
    }
    Join-Path $script:RepoRoot 'out/PSContainers/pscrun'
}

# The runtime the peer tests judge: pscrun unless $env:PSC_PEER_RUNTIME_UNDER_TEST names another
# (set it to /usr/bin/crun or runc's path to prove the tests themselves).
function Get-PeerRuntimeUnderTest {
    $path = if ($env:PSC_PEER_RUNTIME_UNDER_TEST) { $env:PSC_PEER_RUNTIME_UNDER_TEST } else { Get-PscrunPath }
    if (-not [System.IO.Path]::IsPathRooted($path)) {
        $command = Get-Command -Name $path -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        $path = if ($command) { $command.Source } else { [System.IO.Path]::GetFullPath($path) }
    }
    $path
}

# The runtime the peer tests compare against.
function Get-ReferenceRuntime {
    (Get-Command -Name crun -CommandType Application | Select-Object -First 1).Source
}

<#
.SYNOPSIS
    Runs a native command and returns its stdout, stderr and exit code; never hangs longer than the timeout.
.DESCRIPTION
    Stdin is closed at once. On timeout the whole process tree is killed (a runtime's container
    processes are its children) and TimedOut is set; ExitCode is then -1.
    Arguments after the command bind as its arguments, including ones like --root; a short option
    that abbreviates one of this function's parameters (-t, -w, -e) must be quoted ('-t').
#>
function Invoke-Native {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)][string]$FilePath,
        [Parameter(Position = 1, ValueFromRemainingArguments)][string[]]$ArgumentList = @(),
        [int]$TimeoutSeconds = 60,
        [string]$WorkingDirectory,
        [hashtable]$Environment = @{}
    )
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $ArgumentList) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    if ($WorkingDirectory) {
        $startInfo.WorkingDirectory = $WorkingDirectory
    }
    foreach ($name in $Environment.Keys) {
        $startInfo.Environment[$name] = [string]$Environment[$name]
    }

    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $timedOut = -not $process.WaitForExit($TimeoutSeconds * 1000)
        if ($timedOut) {
            try { $process.Kill($true) } catch { Write-Verbose "kill: $_" }
            [void]$process.WaitForExit(5000)
        }
        $elapsed = $stopwatch.Elapsed
        # A daemon that escaped the tree may still hold the pipes: wait for them a bounded time.
        [void][System.Threading.Tasks.Task]::WaitAll([System.Threading.Tasks.Task[]]@($stdout, $stderr), 5000)
        [pscustomobject]@{
            PSTypeName = 'PSContainers.Tests.NativeResult'
            Command    = (@($FilePath) + $ArgumentList) -join ' '
            ExitCode   = if ($timedOut) { -1 } else { $process.ExitCode }
            StdOut     = if ($stdout.IsCompletedSuccessfully) { $stdout.Result } else { '' }
            # stderr only explains failures; NUL bytes in it (podman quotes conmon's) break reports.
            StdErr     = if ($stderr.IsCompletedSuccessfully) { $stderr.Result.Replace([char]0, [char]0x2400) } else { '' }
            TimedOut   = $timedOut
            Duration   = $elapsed
        }
    } finally {
        $process.Dispose()
    }
}

# Throws with the command's output when it failed; returns the result otherwise.
function Assert-NativeSuccess {
    param([Parameter(Mandatory, ValueFromPipeline)]$Result)
    process {
        if ($Result.ExitCode -ne 0) {
            throw "'$($Result.Command)' exited with $($Result.ExitCode)$(if ($Result.TimedOut) { ' (timed out)' }).`nstdout: $($Result.StdOut)`nstderr: $($Result.StdErr)"
        }
        $Result
    }
}

# Every test directory this pwsh process made. Kept on the AppDomain because the suites re-import
# this module with -Force, which would reset a module variable.
function Get-TestDirectoryHistory {
    $key = 'PSContainers.Tests.Directories'
    $history = [System.AppDomain]::CurrentDomain.GetData($key)
    if ($null -eq $history) {
        $history = [System.Collections.Generic.List[string]]::new()
        [System.AppDomain]::CurrentDomain.SetData($key, $history)
    }
    , $history
}

# A fresh directory under /tmp named psc-test-*, so a leak is easy to find (grep psc /proc/self/mountinfo).
function New-TestDirectory {
    param([string]$Name = 'work')
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ("psc-test-{0}-{1}" -f $Name, [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $path | Out-Null
    (Get-TestDirectoryHistory).Add($path)
    $path
}

# What a test directory left behind: the directory, mounts below it, cgroups and processes named after it.
function Get-TestLeftover {
    param([Parameter(Mandatory)][string]$Path)
    $name = Split-Path -Leaf $Path
    if (Test-Path -LiteralPath $Path) {
        [pscustomobject]@{ Kind = 'directory'; What = $Path }
    }
    foreach ($mountPoint in Get-TestMountPoint -Path $Path) {
        [pscustomobject]@{ Kind = 'mount'; What = $mountPoint }
    }
    foreach ($hierarchy in @(Get-ChildItem -Path '/sys/fs/cgroup' -Directory -ErrorAction Ignore) + @(Get-Item '/sys/fs/cgroup')) {
        $cgroup = Join-Path $hierarchy.FullName $name
        if (Test-Path -LiteralPath $cgroup) {
            [pscustomobject]@{ Kind = 'cgroup'; What = $cgroup }
        }
    }
    foreach ($procDir in Get-ChildItem -Path '/proc' -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$') {
        $cmdline = try { [System.IO.File]::ReadAllText((Join-Path $procDir.FullName 'cmdline')) } catch { '' }
        if ($cmdline.Contains($Path) -and [int]$procDir.Name -ne $PID) {
            [pscustomobject]@{ Kind = 'process'; What = "$($procDir.Name): $($cmdline.Replace([char]0, ' '))" }
        }
    }
}

# Mount points at or below a directory, deepest first.
function Get-TestMountPoint {
    param([Parameter(Mandatory)][string]$Path)
    $prefix = $Path.TrimEnd('/')
    [System.IO.File]::ReadAllLines('/proc/self/mountinfo') |
        ForEach-Object { ($_ -split ' ')[4] -replace '\\040', ' ' } |
        Where-Object { $_ -eq $prefix -or $_.StartsWith("$prefix/") } |
        Sort-Object -Property Length -Descending
}

# The bridges of the engine's networks under a test directory go with it (containers default to a bridge
# network now), and so do the engine's rules for them (and those the CNI firewall plugin kept per bridge for
# networks made before the engine wrote its own).
function Remove-TestNetworkBridge {
    param([Parameter(Mandatory)][string]$Path)
    # The engine's per-root chains (NAT and isolation of its networks) of every root under the directory.
    Remove-TestEngineRule -Root $Path -Under
    $bridges = @(Get-ChildItem -Path (Join-Path $Path '*/networks/*.json'), (Join-Path $Path 'networks/*.json') -ErrorAction Ignore |
        ForEach-Object { try { (Get-Content -Raw -LiteralPath $_.FullName | ConvertFrom-Json).Bridge } catch { $null } } |
        Where-Object { $_ -match '^psc[0-9a-f]{10}$' })
    foreach ($bridge in $bridges) {
        if (Test-Path -LiteralPath "/sys/class/net/$bridge") {
            Invoke-Native ip link delete $bridge -TimeoutSeconds 20 | Out-Null
        }
    }
    # Rules for engine bridges that no longer exist (the test removed their networks) are garbage too.
    $rules = (Invoke-Native -FilePath iptables-save -ArgumentList @('--table=filter') -TimeoutSeconds 30).StdOut -split "`n" |
        Where-Object { $_ -match '^-A .*-[io] (psc[0-9a-f]{10})( |$)' -and -not (Test-Path -LiteralPath "/sys/class/net/$($Matches[1])") }
    foreach ($rule in $rules) {
        $words = @([regex]::Matches($rule.Substring(3), '"[^"]*"|\S+') | ForEach-Object { $_.Value.Trim('"') })
        Invoke-Native -FilePath iptables -ArgumentList (@('--table=filter', '-D') + $words) -TimeoutSeconds 20 | Out-Null
    }
}

# Takes away the engine's network rules (its PSC-FWD/PSC-NAT chains and their jumps) of one storage root, or of
# every root under a directory with -Under: found by the comment on the jumps, which names the root.
function Remove-TestEngineRule {
    param([Parameter(Mandatory)][string]$Root, [switch]$Under)
    $prefix = $Root.TrimEnd('/')
    foreach ($table in 'filter', 'nat') {
        $lines = (Invoke-Native -FilePath iptables-save -ArgumentList @("--table=$table") -TimeoutSeconds 30).StdOut -split "`n"
        $jumps = @($lines | Where-Object {
                $_ -match '^-A (FORWARD|POSTROUTING) .*--comment "pscontainers (.+)" -j PSC-(FWD|NAT)-[0-9A-F]{10}$' -and
                ($Matches[2] -eq $prefix -or ($Under -and $Matches[2].StartsWith("$prefix/")))
            })
        foreach ($jump in $jumps) {
            $null = $jump -match '-j (PSC-(FWD|NAT)-[0-9A-F]{10})$'
            $chain = $Matches[1]
            $words = @([regex]::Matches($jump.Substring(3), '"[^"]*"|\S+') | ForEach-Object { $_.Value.Trim('"') })
            Invoke-Native -FilePath iptables -ArgumentList (@("--table=$table", '-D') + $words) -TimeoutSeconds 20 | Assert-NativeSuccess | Out-Null
            Invoke-Native -FilePath iptables -ArgumentList @("--table=$table", '-F', $chain) -TimeoutSeconds 20 | Assert-NativeSuccess | Out-Null
            Invoke-Native -FilePath iptables -ArgumentList @("--table=$table", '-X', $chain) -TimeoutSeconds 20 | Assert-NativeSuccess | Out-Null
        }
    }
}

<#
.SYNOPSIS
    Starts a suite that runs the engine under a test directory of its own: makes the directory, points the engine's
    storage and run roots into it, and imports the built module. Returns Work and Saved (the environment before, for
    Exit-TestEngine).
#>
function Enter-TestEngine {
    param([Parameter(Mandatory)][string]$Name)
    $work = New-TestDirectory -Name $Name
    $saved = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    Import-Module (Join-Path $script:RepoRoot 'out/PSContainers') -Global -Force
    [pscustomobject]@{ Work = $work; Saved = $saved }
}

# A static probe of the tests (a C file beside them, built with clang) put into a rootfs's /bin.
function Install-TestProbe {
    param([Parameter(Mandatory)][string]$RootFs, [Parameter(Mandatory)][string]$Name)
    Invoke-Native -FilePath clang -ArgumentList @('-static', '-O2', '-o', (Join-Path $RootFs "bin/$Name"), (Join-Path $PSScriptRoot "$Name.c")) |
        Assert-NativeSuccess | Out-Null
}

<#
.SYNOPSIS
    Ends a suite that ran the engine under a test directory: removes its containers and networks while the
    environment still names the suite's roots, deletes the directory, lets the engine's cgroup parent go when
    nothing else lives in it, and restores the environment. Returns the mounts that were left below the directory
    (the suite asserts there are none).
#>
function Exit-TestEngine {
    param([Parameter(Mandatory)][string]$Work, [Parameter(Mandatory)]$Saved)
    if (Get-Command -Name Get-Container -ErrorAction Ignore) {
        Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -ErrorAction Continue
        Get-ContainerNetwork -ErrorAction SilentlyContinue | Remove-ContainerNetwork -ErrorAction Continue
    }
    $leftMounts = @(Get-TestMountPoint -Path $Work)
    Remove-TestDirectory -Path $Work
    Get-ChildItem -Path '/sys/fs/cgroup/*/pscontainers' -Directory -ErrorAction Ignore |
        ForEach-Object { try { [System.IO.Directory]::Delete($_.FullName) } catch { Write-Verbose "kept $($_.Exception.Message)" } }
    $env:PSCONTAINERS_ROOT = $Saved.Root
    $env:PSCONTAINERS_RUNROOT = $Saved.RunRoot
    $leftMounts
}

# Unmounts whatever is left below a test directory, then deletes it.
function Remove-TestDirectory {
    param([Parameter(Mandatory)][AllowEmptyString()][string]$Path)
    if (-not $Path -or -not (Test-Path -LiteralPath $Path)) {
        return
    }
    Remove-TestNetworkBridge -Path $Path
    foreach ($mountPoint in Get-TestMountPoint -Path $Path) {
        $result = Invoke-Native umount $mountPoint -TimeoutSeconds 20
        if ($result.ExitCode -ne 0) {
            Invoke-Native umount '-l' $mountPoint -TimeoutSeconds 20 | Out-Null
        }
    }
    Remove-Item -LiteralPath $Path -Recurse -Force
}

<#
.SYNOPSIS
    The engine's busybox:latest (CMD sh), imported from a tarball of RootFs (a new busybox rootfs under Work when
    not given), as the docker-CLI suites and benches use it. Returns the rootfs and the tarball, which the same
    suites import into podman too.
#>
function Import-TestBusyboxImage {
    param([Parameter(Mandatory)][string]$Work, [string]$RootFs)
    if (-not $RootFs) { $RootFs = New-TestBusyboxRootfs -Path (Join-Path $Work 'rootfs') }
    $tarball = Join-Path $Work 'busybox.tar'
    Invoke-Native tar '-C' $RootFs '-cf' $tarball '.' | Assert-NativeSuccess | Out-Null
    Import-ContainerImage $tarball -Format RootFs -Tag busybox:latest -Change 'CMD ["sh"]' | Out-Null
    [pscustomobject]@{ RootFs = $RootFs; Tarball = $tarball }
}

<#
.SYNOPSIS
    A busybox root filesystem: Debian's static busybox plus its applet symlinks, /etc/passwd and /etc/group.
#>
function New-TestBusyboxRootfs {
    param(
        [Parameter(Mandatory)][string]$Path,
        [string]$Hostname = 'psc-image'
    )
    foreach ($dir in 'bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'root') {
        New-Item -ItemType Directory -Force -Path (Join-Path $Path $dir) | Out-Null
    }
    Copy-Item -LiteralPath '/bin/busybox' -Destination (Join-Path $Path 'bin/busybox')
    # --install -s links every applet to /bin/busybox and leaves busybox itself alone.
    Invoke-Native chroot $Path '/bin/busybox' '--install' '-s' '/bin' | Assert-NativeSuccess | Out-Null
    Set-Content -LiteralPath (Join-Path $Path 'etc/passwd') -Value 'root:x:0:0:root:/root:/bin/sh'
    Set-Content -LiteralPath (Join-Path $Path 'etc/group') -Value 'root:x:0:'
    Set-Content -LiteralPath (Join-Path $Path 'etc/hostname') -Value $Hostname
    $Path
}

<#
.SYNOPSIS
    Rewrites a bundle's config.json: no terminal, the given arguments and hostname, other edits by script block.
#>
function Set-TestBundleConfig {
    param(
        [Parameter(Mandatory)][string]$Bundle,
        [Alias('Args')][string[]]$Arguments,
        [string]$Hostname,
        [scriptblock]$Edit
    )
    $configPath = Join-Path $Bundle 'config.json'
    $config = Get-Content -LiteralPath $configPath -Raw | ConvertFrom-Json
    $config.process.terminal = $false
    if ($Arguments) {
        $config.process.args = $Arguments
    }
    if ($Hostname) {
        $config | Add-Member -NotePropertyName hostname -NotePropertyValue $Hostname -Force
    }
    if ($Edit) {
        & $Edit $config
    }
    $config | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath $configPath
}

<#
.SYNOPSIS
    A bundle (busybox rootfs + config.json) whose config comes from '<runtime> spec'.
#>
function New-TestBundle {
    param(
        [Parameter(Mandatory)][string]$Path,
        [Alias('Args')][string[]]$Arguments = @('/bin/true'),
        [string]$Runtime = (Get-PeerRuntimeUnderTest),
        [string]$Hostname = 'psc-test'
    )
    New-Item -ItemType Directory -Force -Path $Path | Out-Null
    New-TestBusyboxRootfs -Path (Join-Path $Path 'rootfs') | Out-Null
    $configPath = Join-Path $Path 'config.json'
    Remove-Item -LiteralPath $configPath -Force -ErrorAction Ignore
    Invoke-Native $Runtime 'spec' -WorkingDirectory $Path -TimeoutSeconds 20 | Assert-NativeSuccess | Out-Null
    if (-not (Test-Path -LiteralPath $configPath)) {
        throw "'$Runtime spec' exited 0 but wrote no config.json in $Path."
    }
    Set-TestBundleConfig -Bundle $Path -Arguments $Arguments -Hostname $Hostname
    $Path
}

<#
.SYNOPSIS
    A busybox OCI image layout made with umoci; returns the image reference 'LAYOUT:TAG'.
#>
function New-TestOciImage {
    param(
        [Parameter(Mandatory)][string]$Layout,
        [string]$Tag = 'latest'
    )
    $image = "${Layout}:$Tag"
    $scratch = "$Layout.build"
    try {
        Invoke-Native umoci init --layout $Layout | Assert-NativeSuccess | Out-Null
        Invoke-Native umoci new --image $image | Assert-NativeSuccess | Out-Null
        Invoke-Native umoci unpack --image $image $scratch | Assert-NativeSuccess | Out-Null
        New-TestBusyboxRootfs -Path (Join-Path $scratch 'rootfs') | Out-Null
        Invoke-Native umoci repack --image $image $scratch | Assert-NativeSuccess | Out-Null
        Invoke-Native umoci config --image $image --config.cmd sh | Assert-NativeSuccess | Out-Null
    } finally {
        Remove-TestDirectory -Path $scratch
    }
    $image
}

# Runs a bundle to completion with '<runtime> --root ROOT run --bundle BUNDLE ID'.
function Invoke-TestBundleRun {
    param(
        [Parameter(Mandatory)][string]$Runtime,
        [Parameter(Mandatory)][string]$StateRoot,
        [Parameter(Mandatory)][string]$Bundle,
        [Parameter(Mandatory)][string]$Id,
        [int]$TimeoutSeconds = 30
    )
    Invoke-Native $Runtime --root $StateRoot run --bundle $Bundle $Id -TimeoutSeconds $TimeoutSeconds
}

# A container id nobody else uses.
function New-TestContainerId {
    param([string]$Prefix = 'psc-test')
    '{0}-{1}' -f $Prefix, [guid]::NewGuid().ToString('N').Substring(0, 12)
}

# 'delete --force' that never throws: for AfterEach/AfterAll.
function Remove-TestContainer {
    param(
        [Parameter(Mandatory)][string]$Runtime,
        [Parameter(Mandatory)][string]$StateRoot,
        [Parameter(Mandatory)][string[]]$Id
    )
    foreach ($containerId in $Id) {
        Invoke-Native $Runtime --root $StateRoot delete --force $containerId -TimeoutSeconds 20 | Out-Null
    }
}

<#
.SYNOPSIS
    A podman whose storage, run and temp state live in a test directory, with its own cgroup parent.
.DESCRIPTION
    The machine's default podman storage is never touched. Pass the result to Invoke-TestPodman
    and Remove-TestPodman.
#>
function New-TestPodman {
    param(
        [Parameter(Mandatory)][string]$WorkDirectory,
        [Parameter(Mandatory)][string]$Runtime
    )
    $containersConf = Join-Path $script:RepoRoot 'out/test-config/containers.conf'
    if (-not (Test-Path -LiteralPath $containersConf)) {
        throw "$containersConf is missing: run './build.ps1 Bootstrap' first."
    }
    $base = Join-Path $WorkDirectory 'podman'
    [pscustomobject]@{
        PSTypeName   = 'PSContainers.Tests.Podman'
        Directory    = $base
        Runtime      = $Runtime
        CgroupParent = '/' + (Split-Path -Leaf $WorkDirectory)
        Environment  = @{ CONTAINERS_CONF = $containersConf }
        GlobalArgs   = @(
            '--root', (Join-Path $base 'root'), '--runroot', (Join-Path $base 'runroot'),
            '--tmpdir', (Join-Path $base 'tmp'), '--storage-driver', 'vfs', '--runtime', $Runtime)
    }
}

function Invoke-TestPodman {
    param(
        [Parameter(Mandatory, Position = 0)]$Podman,
        [Parameter(Position = 1, ValueFromRemainingArguments)][string[]]$ArgumentList,
        [int]$TimeoutSeconds = 60
    )
    # conmon writes files (an empty 'oom' after an OOM kill) into its working directory: a scratch one, never the repo.
    $scratch = Join-Path $Podman.Directory 'cwd'
    [void][System.IO.Directory]::CreateDirectory($scratch)
    Invoke-Native -FilePath podman -ArgumentList (@($Podman.GlobalArgs) + $ArgumentList) `
        -Environment $Podman.Environment -TimeoutSeconds $TimeoutSeconds -WorkingDirectory $scratch
}

# podman's Docker-compatible API service (podman system service) on a unix socket, for the API suites and benches.
# Started through sh's exec, so the process is podman itself (ended by its pid), with its log in a file rather than
# in a pipe nobody reads. Returns the process once the socket is there; a caller checks HasExited or the socket.
function Start-TestPodmanService {
    param(
        [Parameter(Mandatory)]$Podman,
        [Parameter(Mandatory)][string]$Socket,
        [string[]]$ExtraArgs = @(),
        [int]$TimeoutSeconds = 60
    )
    $scratch = Join-Path $Podman.Directory 'cwd'
    [void][System.IO.Directory]::CreateDirectory($scratch)
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $shellArgs = @('-c', 'log=$1; shift; exec podman "$@" >>"$log" 2>&1 </dev/null', 'sh', (Join-Path $Podman.Directory 'service.log'))
    foreach ($a in $shellArgs + @($Podman.GlobalArgs) + $ExtraArgs + @('system', 'service', '--time=0', "unix://$Socket")) { $startInfo.ArgumentList.Add($a) }
    foreach ($name in $Podman.Environment.Keys) { $startInfo.Environment[$name] = $Podman.Environment[$name] }
    $startInfo.UseShellExecute = $false
    $startInfo.WorkingDirectory = $scratch
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Test-Path -LiteralPath $Socket) -and [DateTime]::UtcNow -lt $deadline -and -not $process.HasExited) {
        Start-Sleep -Milliseconds 100
    }
    $process
}

# Ends a podman service that Start-TestPodmanService started, by its pid.
function Stop-TestPodmanService {
    param([AllowNull()][System.Diagnostics.Process]$Process)
    if ($null -eq $Process) { return }
    if (-not $Process.HasExited) { $Process.Kill() }
    [void]$Process.WaitForExit(20000)
}

# Removes the test podman's containers and images, anything it left mounted or running, and its cgroups.
function Remove-TestPodman {
    param([Parameter(Mandatory)][AllowNull()]$Podman)
    if ($null -eq $Podman -or -not (Test-Path -LiteralPath $Podman.Directory)) {
        return
    }
    Invoke-TestPodman $Podman rm --all --force --time 0 -TimeoutSeconds 60 | Out-Null
    Invoke-TestPodman $Podman rmi --all --force -TimeoutSeconds 60 | Out-Null
    # conmon runs detached from us; one whose command line names our directory is ours.
    foreach ($procDir in Get-ChildItem -Path '/proc' -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$') {
        $cmdline = try { [System.IO.File]::ReadAllText((Join-Path $procDir.FullName 'cmdline')) } catch { '' }
        if ($cmdline.Contains($Podman.Directory) -and [int]$procDir.Name -ne $PID) {
            Stop-Process -Id ([int]$procDir.Name) -Force -ErrorAction Ignore
        }
    }
    Remove-TestDirectory -Path $Podman.Directory
    Remove-TestCgroup -Name $Podman.CgroupParent
}

# Removes a cgroup (and its empty children) from every v1 controller and from a v2 hierarchy.
function Remove-TestCgroup {
    param([Parameter(Mandatory)][string]$Name)
    $relative = $Name.TrimStart('/')
    if (-not $relative) {
        return
    }
    $hierarchies = @(Get-ChildItem -Path '/sys/fs/cgroup' -Directory -ErrorAction Ignore) + @(Get-Item '/sys/fs/cgroup')
    foreach ($hierarchy in $hierarchies) {
        $path = Join-Path $hierarchy.FullName $relative
        if (Test-Path -LiteralPath $path) {
            # cgroup directories are removed with rmdir, deepest first; their files cannot be deleted.
            Get-ChildItem -LiteralPath $path -Directory -Recurse |
                Sort-Object { $_.FullName.Length } -Descending |
                ForEach-Object { [System.IO.Directory]::Delete($_.FullName) }
            [System.IO.Directory]::Delete($path)
        }
    }
}

function ConvertTo-ShellWord([string]$Text) { "'" + ($Text -replace "'", "'\''") + "'" }

# The command line (for sh) that starts this same pwsh: 'dotnet pwsh' runs pwsh.dll inside the dotnet host.
function Get-TestPwshCommandLine {
    $pwsh = [System.Environment]::ProcessPath
    $hostArgs = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
    (@($pwsh) + $hostArgs | ForEach-Object { ConvertTo-ShellWord $_ }) -join ' '
}

<#
.SYNOPSIS
    A pwsh running on a real pty: a private tmux server (its own socket in Directory) with one window.
.DESCRIPTION
    Setup is a script the pwsh runs first (with -NoExit, so it then waits at the prompt 'PS> '). Drive it with
    Send-TestTerminal, read it with Get-TestTerminalText / Wait-TestTerminalText, end it with Remove-TestTerminal.
#>
function New-TestTerminal {
    param(
        [Parameter(Mandatory)][string]$Directory,
        [string]$Setup = '',
        [int]$Width = 100,
        [int]$Height = 30,
        # Another program for the window (a plain /bin/sh), instead of pwsh.
        [string]$Command
    )
    if (-not $Command) {
        $script = Join-Path $Directory 'terminal-setup.ps1'
        [System.IO.File]::WriteAllText($script, "$Setup`nfunction prompt { 'PS> ' }`n")
        $Command = (Get-TestPwshCommandLine) + ' -NoProfile -NoExit -File ' + (ConvertTo-ShellWord $script)
    }
    $terminal = [pscustomobject]@{ PSTypeName = 'PSContainers.Tests.Terminal'; Socket = (Join-Path $Directory ('tmux-' + [guid]::NewGuid().ToString('N').Substring(0, 6) + '.sock')); Target = 't' }
    $command = $Command
    Invoke-Native tmux '-S' $terminal.Socket new-session '-d' '-s' 't' '-x' $Width '-y' $Height $command -TimeoutSeconds 20 | Assert-NativeSuccess | Out-Null
    $terminal
}

function Invoke-TestTerminalCommand {
    param([Parameter(Mandatory)]$Terminal, [Parameter(ValueFromRemainingArguments)][string[]]$ArgumentList)
    Invoke-Native tmux (@('-S', $Terminal.Socket) + $ArgumentList) -TimeoutSeconds 20 | Assert-NativeSuccess
}

# Types text (literally) and, with -Enter, presses Enter; -Key sends tmux key names such as C-c.
function Send-TestTerminal {
    param([Parameter(Mandatory)]$Terminal, [string]$Text, [switch]$Enter, [string[]]$Key)
    if ($Text) { Invoke-TestTerminalCommand $Terminal send-keys '-t' $Terminal.Target '-l' $Text | Out-Null }
    if ($Enter) {
        if ($Text) {
            # Seen under load: an Enter that reached pwsh while PSReadLine was still drawing the typed line was
            # lost. Wait (bounded) until the line's end is on the screen before pressing it.
            $tail = $Text.Substring([Math]::Max(0, $Text.Length - 12))
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while (-not (Get-TestTerminalText $Terminal).Contains($tail) -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
        }
        Invoke-TestTerminalCommand $Terminal send-keys '-t' $Terminal.Target Enter | Out-Null
    }
    foreach ($k in $Key) { Invoke-TestTerminalCommand $Terminal send-keys '-t' $Terminal.Target $k | Out-Null }
}

function Get-TestTerminalText {
    param([Parameter(Mandatory)]$Terminal)
    (Invoke-TestTerminalCommand $Terminal capture-pane '-p' '-J' '-S' '-500' '-t' $Terminal.Target).StdOut
}

# Waits (bounded) until the screen matches a regex; fails with the screen's text.
function Wait-TestTerminalText {
    param([Parameter(Mandatory)]$Terminal, [Parameter(Mandatory)][string]$Pattern, [int]$TimeoutSeconds = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $text = Get-TestTerminalText $Terminal
        if ($text -match $Pattern) { return $text }
        if ([DateTime]::UtcNow -gt $deadline) { throw "The terminal did not show /$Pattern/ in $TimeoutSeconds s. Screen:`n$text" }
        Start-Sleep -Milliseconds 100
    }
}

# Waits (bounded) until the last non-blank line on the screen is exactly Line (a prompt waiting for input).
function Wait-TestTerminalPrompt {
    param([Parameter(Mandatory)]$Terminal, [string]$Line = 'PS>', [int]$TimeoutSeconds = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $visible = (Invoke-TestTerminalCommand $Terminal capture-pane '-p' '-t' $Terminal.Target).StdOut
        $lines = @($visible -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ })
        $last = if ($lines.Count) { $lines[-1] } else { '' }
        if ($last -eq $Line) { return }
        if ([DateTime]::UtcNow -gt $deadline) { throw "The terminal did not come back to '$Line' in $TimeoutSeconds s. Screen:`n$visible" }
        Start-Sleep -Milliseconds 100
    }
}

# The terminal device of the window (e.g. /dev/pts/3), for reading its modes from outside.
function Get-TestTerminalDevice {
    param([Parameter(Mandatory)]$Terminal)
    (Invoke-TestTerminalCommand $Terminal display-message '-p' '-t' $Terminal.Target '#{pane_tty}').StdOut.Trim()
}

function Remove-TestTerminal {
    param([AllowNull()]$Terminal)
    if ($Terminal -and (Test-Path -LiteralPath $Terminal.Socket)) {
        # The server was started for this test; ending it hangs up the pwsh in its window.
        Invoke-Native tmux '-S' $Terminal.Socket kill-server -TimeoutSeconds 20 | Out-Null
    }
}

Export-ModuleMember -Function *-*
