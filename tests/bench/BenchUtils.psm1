# Helpers shared by the engine benchmarks: the built module under temp storage roots, a podman with its own
# storage that runs the same busybox rootfs as an image, medians and Pss. Build.ps1 Bench runs only *.ps1.

Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../pester/TestUtils.psm1') -Force -Global

function Get-Median([double[]]$Values) {
    if ($Values.Count -eq 0) { return [double]::NaN }
    $sorted = @($Values | Sort-Object)
    $middle = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

# Pss, Rss and Anonymous of one process in kB (smaps_rollup), or $null when it is gone.
function Get-ProcessMemoryKb([int]$ProcessId) {
    $text = try { [System.IO.File]::ReadAllText("/proc/$ProcessId/smaps_rollup") } catch { return $null }
    $values = @{}
    foreach ($name in 'Pss', 'Rss', 'Anonymous') {
        if ($text -notmatch "(?m)^${name}:\s+(\d+) kB") { return $null }
        $values[$name] = [long]$Matches[1]
    }
    [pscustomobject]$values
}

<#
.SYNOPSIS
    Points the engine at storage and run roots under $Work and imports the built module once (global scope).
    Returns the previous environment for Exit-BenchEngine.
#>
function Enter-BenchEngine {
    param([Parameter(Mandatory)][string]$Work)
    $moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    if (-not (Test-Path -LiteralPath (Join-Path $moduleDir 'pscrun'))) {
        throw "$moduleDir is not built: run 'dotnet pwsh -NoProfile -File ./build.ps1 Build' first."
    }
    $saved = [pscustomobject]@{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $Work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $Work 'run'
    Import-Module $moduleDir -Global -Force
    $saved
}

# Removes every container of the bench roots, then the engine's cgroup parent if nothing else lives in it.
function Exit-BenchEngine {
    param([AllowNull()]$Saved)
    if (Get-Command -Name Get-Container -ErrorAction Ignore) {
        Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -ErrorAction Continue
        # The bench's networks (the default bridge made on first use included) go with its roots.
        Get-ContainerNetwork -ErrorAction SilentlyContinue | Remove-ContainerNetwork -ErrorAction Continue
    }
    # rmdir refuses a cgroup parent that still holds a user's own containers: that one is kept.
    Get-ChildItem -Path '/sys/fs/cgroup/*/pscontainers', '/sys/fs/cgroup/pscontainers' -Directory -ErrorAction Ignore |
        ForEach-Object { try { [System.IO.Directory]::Delete($_.FullName) } catch { Write-Verbose "kept $($_.Exception.Message)" } }
    if ($Saved) {
        $env:PSCONTAINERS_ROOT = $Saved.Root
        $env:PSCONTAINERS_RUNROOT = $Saved.RunRoot
    }
}

<#
.SYNOPSIS
    A podman (crun by default) with its own storage under $Work, the peers' containers.conf and the busybox
    rootfs imported as $Image. Overlay storage by default, like the engine's containers (the peer tests use vfs).
#>
function New-BenchPodman {
    param(
        [Parameter(Mandatory)][string]$Work,
        [Parameter(Mandatory)][string]$RootFs,
        [string]$Image = 'localhost/psc-bench-busybox',
        [string]$Runtime = (Get-ReferenceRuntime),
        [string]$StorageDriver = 'overlay'
    )
    $podman = New-TestPodman -WorkDirectory $Work -Runtime $Runtime
    $globalArgs = [System.Collections.Generic.List[string]]$podman.GlobalArgs
    $globalArgs[$globalArgs.IndexOf('--storage-driver') + 1] = $StorageDriver
    $podman.GlobalArgs = $globalArgs.ToArray()
    $podman | Add-Member -NotePropertyName Image -NotePropertyValue $Image
    # tar -C rootfs -c . | podman import - IMAGE, through a file so no pipe joins two native commands.
    $tarball = Join-Path $Work 'rootfs.tar'
    Invoke-Native tar '-C' $RootFs '-cf' $tarball '.' | Assert-NativeSuccess | Out-Null
    Invoke-TestPodman $podman import $tarball $Image | Assert-NativeSuccess | Out-Null
    Remove-Item -LiteralPath $tarball
    $podman
}

# Waits (bounded) until no process whose command line mentions Pattern is left, then a short pause: a contender's
# work that goes on after its command returned (podman's conmon and 'container cleanup') would otherwise land on
# the next contender's clock.
<#
.SYNOPSIS
    Runs the contenders' Measure blocks interleaved: warm-ups first (not counted), the order rotating every round so
    that none always gets the warmest caches, each run waiting until the previous one's processes are gone. Each
    contender gets Samples (ms) and Failures; Measure takes the arguments and returns Milliseconds and Ok.
#>
function Invoke-BenchRound {
    param(
        [Parameter(Mandatory)][object[]]$Contenders,
        [Parameter(Mandatory)][int]$Iterations,
        [int]$Warmup = 0,
        [Parameter(Mandatory)][string]$Work,
        [object[]]$Arguments = @(),
        [int[]]$ExceptPid = @()
    )
    foreach ($entry in $Contenders) {
        $entry | Add-Member -NotePropertyName Samples -NotePropertyValue ([System.Collections.Generic.List[double]]::new()) -Force
        $entry | Add-Member -NotePropertyName Failures -NotePropertyValue 0 -Force
    }
    for ($i = -$Warmup; $i -lt $Iterations; $i++) {
        $shift = [math]::Abs($i) % $Contenders.Count
        $order = @($Contenders[$shift..($Contenders.Count - 1)]) + @(if ($shift) { $Contenders[0..($shift - 1)] })
        foreach ($entry in $order) {
            $run = & $entry.Measure @Arguments
            Wait-BenchQuiet -Pattern $Work -ExceptPid $ExceptPid
            if ($i -lt 0) { continue }
            if (-not $run.Ok) { $entry.Failures++ }
            $entry.Samples.Add($run.Milliseconds)
        }
    }
}

# One line per contender: median, minimum, count and failed runs. Returns a table of the medians by name.
function Write-BenchSummary {
    param([Parameter(Mandatory)][object[]]$Contenders, [int]$NameWidth = 28)
    $medians = @{}
    foreach ($entry in $Contenders) {
        $note = if ($entry.Failures) { "  ($($entry.Failures) runs failed)" } else { '' }
        $medians[$entry.Name] = Get-Median $entry.Samples
        Write-Host ("{0,-$NameWidth} median {1,8:N1} ms   min {2,8:N1} ms   n={3}{4}" -f $entry.Name, $medians[$entry.Name], ($entry.Samples | Measure-Object -Minimum).Minimum, $entry.Samples.Count, $note)
    }
    $medians
}

function Wait-BenchQuiet {
    param([Parameter(Mandatory)][string]$Pattern, [double]$TimeoutSeconds = 3, [int]$PauseMilliseconds = 50, [int[]]$ExceptPid = @())
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    do {
        $busy = $false
        foreach ($dir in [System.IO.Directory]::EnumerateDirectories('/proc')) {
            $name = [System.IO.Path]::GetFileName($dir)
            if ($name -notmatch '^\d+$' -or [int]$name -eq $PID -or [int]$name -in $ExceptPid) { continue }
            try { $cmdline = [System.IO.File]::ReadAllText("$dir/cmdline") } catch { continue }
            if ($cmdline.Contains($Pattern)) { $busy = $true; break }
        }
        if ($busy) { Start-Sleep -Milliseconds 10 }
    } while ($busy -and [datetime]::UtcNow -lt $deadline)
    Start-Sleep -Milliseconds $PauseMilliseconds
}

<#
.SYNOPSIS
    The two Docker Engine API services the docker CLI benches compare, over their own state under Work: ours
    (psc-api) and podman's (podman system service), each with the same busybox rootfs imported as busybox:latest.
    Returns the sockets, the services' pids (their command lines name Work too, so quiet waits leave them out),
    the docker CLI's own config directory (no user's settings apply) and what Stop-BenchDockerServices undoes.
#>
function Start-BenchDockerServices {
    param([Parameter(Mandatory)][string]$Work)
    $pair = [pscustomobject]@{
        Work = $Work; RootFs = $null; Saved = $null; Podman = $null; PodmanProcess = $null
        OurSocket = Join-Path $Work 'psc.sock'; PodmanSocket = Join-Path $Work 'podman.sock'
        DockerConfig = Join-Path $Work 'docker-config'; ServicePids = @()
    }
    try {
        New-Item -ItemType Directory -Path $pair.DockerConfig | Out-Null
        $pair.Saved = Enter-BenchEngine -Work $Work
        $pair.RootFs = (Import-TestBusyboxImage -Work $Work).RootFs
        $service = Start-ContainerApiService -Socket $pair.OurSocket -PassThru
        $pair.Podman = New-BenchPodman -Work $Work -RootFs $pair.RootFs -Image 'localhost/busybox:latest' -Runtime (Get-ReferenceRuntime)
        $pair.PodmanProcess = Start-TestPodmanService -Podman $pair.Podman -Socket $pair.PodmanSocket
        $pair.ServicePids = @($service.Pid, $pair.PodmanProcess.Id)
        $pair
    }
    catch {
        Stop-BenchDockerServices -Pair $pair
        throw
    }
}

# Stops both services by pid, restores the engine's roots and removes podman's state and the work directory.
function Stop-BenchDockerServices {
    param([Parameter(Mandatory)][AllowNull()]$Pair)
    if ($null -eq $Pair) { return }
    if (Get-Command Stop-ContainerApiService -ErrorAction Ignore) {
        Stop-ContainerApiService -ErrorAction SilentlyContinue | Out-Null
    }
    Stop-TestPodmanService -Process $Pair.PodmanProcess
    Exit-BenchEngine -Saved $Pair.Saved
    Remove-TestPodman -Podman $Pair.Podman
    Remove-TestDirectory -Path $Pair.Work
}

# A contender that runs the docker CLI through one socket: Measure takes the CLI's arguments (one array) and returns
# Milliseconds (the whole process), Ok, StdOut and StdErr.
function New-BenchDockerContender {
    param([Parameter(Mandatory)][string]$Name, [Parameter(Mandatory)][string]$Socket, [Parameter(Mandatory)][string]$DockerConfig)
    [pscustomobject]@{
        Name    = $Name
        Socket  = $Socket
        Measure = {
            param([string[]]$Arguments)
            $r = Invoke-Native docker -ArgumentList $Arguments -TimeoutSeconds 120 -Environment @{ DOCKER_HOST = "unix://$Socket"; DOCKER_CONFIG = $DockerConfig }
            [pscustomobject]@{ Milliseconds = $r.Duration.TotalMilliseconds; Ok = $r.ExitCode -eq 0; StdOut = $r.StdOut; StdErr = $r.StdErr }
        }.GetNewClosure()
    }
}

Export-ModuleMember -Function *-*
