#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The project's entry point: set up the machine, build the module, run the tests, the demo and the benchmarks.

.DESCRIPTION
    Tasks run in the order given; each runs the tasks it depends on first, and each task runs once.

      Bootstrap  apt packages, dotnet tools, Pester, cgroup hugetlb hierarchy, the peers' containers.conf
      Build      solution, NativeAOT pscrun, the importable module folder out/PSContainers
      Test       every tests/*.Tests project, then Pester on tests/pester; prints 'N passed, N failed, N skipped'
      Demo       containers doing real work through the cmdlets (demo/Demo.ps1)
      Bench      every tests/bench/*.ps1 (not part of Test)

    Several tasks: ./build.ps1 Build Demo, or ./build.ps1 Build,Demo.

.EXAMPLE
    dotnet tool restore && dotnet pwsh -NoProfile -File ./build.ps1 Test
#>
[CmdletBinding()]
param(
    # From 'pwsh -File' tasks arrive as separate words or one comma-separated word: both work.
    [Parameter(Position = 0, ValueFromRemainingArguments)]
    [string[]]$Task = 'Build'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
# Native exit codes are checked explicitly (Invoke-BuildCommand), so stderr text alone never fails a task.
$PSNativeCommandUseErrorActionPreference = $false
if ([Console]::IsOutputRedirected) {
    # CI reads this output as text: no ANSI colour sequences in errors and tables.
    $PSStyle.OutputRendering = 'PlainText'
}

$RepoRoot = $PSScriptRoot
$OutDir = Join-Path $RepoRoot 'out'
$ModuleOutDir = Join-Path $OutDir 'PSContainers'
$PscrunPublishDir = Join-Path $OutDir 'pscrun-publish'
$InitPublishDir = Join-Path $OutDir 'init-publish'
$MonPublishDir = Join-Path $OutDir 'pscmon-publish'
$ApiPublishDir = Join-Path $OutDir 'api-publish'
$TestConfigDir = Join-Path $OutDir 'test-config'
$TestResultsDir = Join-Path $OutDir 'test-results'
$PackagesDir = Join-Path $RepoRoot '.packages'
$PesterVersion = '6.2.0'
$PesterManifest = Join-Path $PackagesDir "pester/$PesterVersion/tools/Pester.psd1"

$NoRecommends = @('docker-compose')
$AptPackages = @(
    'clang', 'binutils', 'zlib1g-dev', 'busybox-static', 'crun', 'runc', 'podman', 'skopeo', 'umoci',
    'docker-registry', 'apache2-utils', 'containernetworking-plugins', 'iptables', 'hyperfine',
    # The terminal tests (Invoke-Container -Interactive, Enter-Container) drive pwsh on a real pty.
    'tmux',
    # The build tests: a Debian base made from the apt mirror, and ADD of bzip2/xz archives made by setup.sh.
    'debootstrap', 'bzip2', 'xz-utils',
    # The Docker Engine API tests drive our socket with docker-compose (the docker CLI comes with the machine).
    'docker-compose'
)

$TaskDependencies = @{
    Bootstrap = @()
    Build     = @('Bootstrap')
    Test      = @('Bootstrap', 'Build')
    Demo      = @('Bootstrap', 'Build')
    Bench     = @('Bootstrap', 'Build')
}
$script:CompletedTasks = [System.Collections.Generic.HashSet[string]]::new()
$script:TestTotals = $null

function Write-Step([string]$Message) {
    Write-Host "==> $Message"
}

# Runs a native command with the console as its output and fails the build when it exits non-zero.
function Invoke-BuildCommand {
    param(
        [Parameter(Mandatory)][string]$FilePath,
        [string[]]$ArgumentList = @()
    )
    Write-Host "> $FilePath $($ArgumentList -join ' ')"
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

# One object per line of /proc/self/mountinfo (mount point and filesystem type are what the tasks need).
function Get-MountInfo {
    foreach ($line in [System.IO.File]::ReadAllLines('/proc/self/mountinfo')) {
        $halves = $line -split ' - ', 2
        $fields = $halves[0] -split ' '
        $tail = $halves[1] -split ' '
        [pscustomobject]@{
            MountPoint   = $fields[4] -replace '\\040', ' '
            FsType       = $tail[0]
            Source       = $tail[1]
            SuperOptions = $tail[2]
        }
    }
}

# Writes a file only when its content changes, so repeated runs leave timestamps alone.
function Set-FileContentIfChanged([string]$Path, [string]$Content) {
    if ((Test-Path -LiteralPath $Path) -and ([System.IO.File]::ReadAllText($Path) -ceq $Content)) {
        return $false
    }
    New-Item -ItemType Directory -Force -Path (Split-Path -Parent $Path) | Out-Null
    [System.IO.File]::WriteAllText($Path, $Content)
    return $true
}

function Invoke-BootstrapTask {
    if ((& id -u) -ne '0') {
        throw 'Bootstrap installs apt packages and mounts cgroup hierarchies: run it as root.'
    }

    Write-Step 'apt packages'
    $installed = & dpkg-query -W -f '${Package} ${db:Status-Status}\n' @AptPackages 2>$null |
        Where-Object { $_ -match '^(\S+) installed$' } |
        ForEach-Object { $Matches[1] }
    $missing = @($AptPackages | Where-Object { $_ -notin $installed })
    if ($missing.Count -gt 0) {
        Write-Host "Missing: $($missing -join ' ')"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        # docker-registry's package would start a registry on all interfaces; tests start their own
        # on 127.0.0.1. policy-rc.d exit 101 tells maintainer scripts not to start services.
        $policy = '/usr/sbin/policy-rc.d'
        $ownPolicy = -not (Test-Path -LiteralPath $policy)
        if ($ownPolicy) {
            [System.IO.File]::WriteAllText($policy, "#!/bin/sh`n# build.ps1 Bootstrap: no service starts during its apt-get install.`nexit 101`n")
            [System.IO.File]::SetUnixFileMode($policy, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
        }
        try {
            Invoke-BuildCommand apt-get @('update')
            # Without recommends for these: docker-compose recommends docker.io, a second engine and daemon.
            $plain = @($missing | Where-Object { $_ -notin $NoRecommends })
            $bare = @($missing | Where-Object { $_ -in $NoRecommends })
            if ($plain.Count -gt 0) { Invoke-BuildCommand apt-get (@('install', '-y') + $plain) }
            if ($bare.Count -gt 0) { Invoke-BuildCommand apt-get (@('install', '-y', '--no-install-recommends') + $bare) }
        } finally {
            if ($ownPolicy) {
                Remove-Item -LiteralPath $policy -Force
            }
        }
    } else {
        Write-Host 'All present.'
    }

    Write-Step 'dotnet tools'
    Invoke-BuildCommand dotnet @('tool', 'restore')

    Write-Step "Pester $PesterVersion"
    if (-not (Test-Path -LiteralPath $PesterManifest)) {
        Invoke-BuildCommand dotnet @('restore', (Join-Path $RepoRoot 'build/tools/tools.csproj'), '--packages', $PackagesDir)
    }
    if (-not (Test-Path -LiteralPath $PesterManifest)) {
        throw "Pester was restored but $PesterManifest is missing."
    }
    Write-Host $PesterManifest

    Write-Step 'cgroup hugetlb hierarchy'
    $mounts = @(Get-MountInfo)
    $cgroupRoot = $mounts | Where-Object MountPoint -EQ '/sys/fs/cgroup' | Select-Object -Last 1
    $hugetlbV1 = $mounts | Where-Object { $_.FsType -eq 'cgroup' -and ($_.SuperOptions -split ',') -contains 'hugetlb' }
    if ($null -eq $cgroupRoot -or $cgroupRoot.FsType -ne 'tmpfs') {
        # A unified (cgroup v2) host has no v1 hierarchies to complete; mkdir there would create a cgroup.
        Write-Host 'Not a cgroup v1/hybrid host: nothing to mount.'
    } elseif ($hugetlbV1) {
        Write-Host "Mounted at $(@($hugetlbV1)[0].MountPoint)."
    } else {
        # crun joins every v1 controller it finds; on these hosts hugetlb sits unused on cgroup2.
        Invoke-BuildCommand mkdir @('-p', '/sys/fs/cgroup/hugetlb')
        Invoke-BuildCommand mount @('-t', 'cgroup', '-o', 'hugetlb', 'cgroup', '/sys/fs/cgroup/hugetlb')
    }

    Write-Step 'containers.conf for the peer tests'
    $containersConf = @'
# Written by build.ps1 Bootstrap. The peer tests point CONTAINERS_CONF here;
# the machine's own /etc/containers files are left alone.
[containers]
# Root on these machines lacks CAP_SYS_RESOURCE and its hard RLIMIT_NOFILE is 20000.
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
'@
    $path = Join-Path $TestConfigDir 'containers.conf'
    if (Set-FileContentIfChanged $path $containersConf) { Write-Host "Wrote $path" } else { Write-Host "Up to date: $path" }
}

function Invoke-BuildTask {
    Write-Step 'Build the solution'
    Invoke-BuildCommand dotnet @('build', (Join-Path $RepoRoot 'PSContainers.sln'), '-c', 'Release', '-maxcpucount:1', '-nologo')

    Write-Step 'Publish pscrun (NativeAOT)'
    Invoke-BuildCommand dotnet @(
        'publish', (Join-Path $RepoRoot 'src/pscrun/pscrun.csproj'), '-c', 'Release', '-r', 'linux-x64',
        # Directory.Build.props says SelfContained=false for the module; a NativeAOT binary is self-contained.
        '-p:PublishAot=true', '--self-contained', '-o', $PscrunPublishDir, '-maxcpucount:1', '-nologo')

    Write-Step 'Publish psc-init (NativeAOT, static: it runs inside containers for -Init)'
    Invoke-BuildCommand dotnet @(
        'publish', (Join-Path $RepoRoot 'src/psc-init/psc-init.csproj'), '-c', 'Release', '-r', 'linux-x64',
        '-p:PublishAot=true', '--self-contained', '-o', $InitPublishDir, '-maxcpucount:1', '-nologo')

    Write-Step 'Publish pscmon (NativeAOT on its own core library: the monitor while it waits)'
    Invoke-BuildCommand dotnet @(
        'publish', (Join-Path $RepoRoot 'src/pscmon/pscmon.csproj'), '-c', 'Release', '-r', 'linux-x64',
        '-p:PublishAot=true', '--self-contained', '-o', $MonPublishDir, '-maxcpucount:1', '-nologo')

    Write-Step 'Publish psc-api (the Docker Engine API service: framework-dependent, on the installed ASP.NET Core)'
    if (Test-Path -LiteralPath $ApiPublishDir) {
        Remove-Item -LiteralPath $ApiPublishDir -Recurse -Force
    }
    Invoke-BuildCommand dotnet @(
        'publish', (Join-Path $RepoRoot 'src/PSContainers.Api/PSContainers.Api.csproj'), '-c', 'Release', '--no-build',
        '-o', $ApiPublishDir, '-maxcpucount:1', '-nologo')

    Write-Step "Assemble $ModuleOutDir"
    if (Test-Path -LiteralPath $ModuleOutDir) {
        Remove-Item -LiteralPath $ModuleOutDir -Recurse -Force
    }
    New-Item -ItemType Directory -Path $ModuleOutDir | Out-Null
    $binDir = Join-Path $RepoRoot 'src/PSContainers/bin/Release/net10.0/linux-x64'
    Copy-Item -LiteralPath (Join-Path $RepoRoot 'PSContainers.psd1') -Destination $ModuleOutDir
    # PowerShellStandard.Library is compile-only; its reference System.Management.Automation.dll is
    # copied to bin by CopyLocalLockFileAssemblies but must never ship: pwsh brings the real one.
    Get-ChildItem -Path (Join-Path $binDir '*.dll') |
        Where-Object Name -NE 'System.Management.Automation.dll' |
        Copy-Item -Destination $ModuleOutDir
    Copy-Item -LiteralPath (Join-Path $RepoRoot 'module') -Destination $ModuleOutDir -Recurse
    foreach ($binary in @{ pscrun = $PscrunPublishDir; 'psc-init' = $InitPublishDir; pscmon = $MonPublishDir }.GetEnumerator()) {
        $target = Join-Path $ModuleOutDir $binary.Key
        # Static non-PIE executables: the SDK cannot split their symbols off, so binutils' strip drops them.
        Invoke-BuildCommand strip @('--strip-all', '-o', $target, (Join-Path $binary.Value $binary.Key))
        [System.IO.File]::SetUnixFileMode($target, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
    }
    # The service is a process of its own with its own dependency graph: it gets a folder, api/, next to pscrun.
    $apiOutDir = Join-Path $ModuleOutDir 'api'
    New-Item -ItemType Directory -Path $apiOutDir | Out-Null
    Get-ChildItem -LiteralPath $ApiPublishDir -File |
        Where-Object { $_.Extension -ne '.pdb' -and $_.Name -notlike '*.staticwebassets.*' } |
        Copy-Item -Destination $apiOutDir
    if (-not (Test-Path -LiteralPath (Join-Path $apiOutDir 'psc-api'))) {
        throw "psc-api was not found in $ApiPublishDir."
    }
    if (-not (Test-Path -LiteralPath (Join-Path $ModuleOutDir 'PSContainers.dll'))) {
        throw "PSContainers.dll was not found in $binDir."
    }

    Write-Step 'Help from docs/ (en-US)'
    # A child pwsh imports the built module, so this session never loads (and locks in) a half-built one.
    $pwsh = [System.Environment]::ProcessPath
    # 'dotnet pwsh' runs pwsh.dll inside the dotnet host; a standalone pwsh is its own host.
    $hostArgs = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
    Invoke-BuildCommand $pwsh (@($hostArgs) + @(
        '-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'build/New-ModuleHelp.ps1'),
        '-ModulePath', $ModuleOutDir, '-DocsPath', (Join-Path $RepoRoot 'docs')))
    Get-ChildItem -LiteralPath $ModuleOutDir -Recurse -File |
        ForEach-Object { '  {0,10:N0}  {1}' -f $_.Length, [System.IO.Path]::GetRelativePath($ModuleOutDir, $_.FullName) } |
        Write-Host
}

# Counts of one .trx file. VSTest leaves xunit's skipped tests out of the Counters element
# (total counts them, executed and notExecuted do not), so skipped = total - executed.
function Read-TrxCounters([string]$Path) {
    [xml]$trx = Get-Content -LiteralPath $Path -Raw
    $counters = $trx.TestRun.ResultSummary.Counters
    $count = { param($name) if ($counters.HasAttribute($name)) { [int]$counters.GetAttribute($name) } else { 0 } }
    $total = & $count 'total'
    $notRun = [math]::Max($total - (& $count 'executed'), (& $count 'notExecuted'))
    [pscustomobject]@{
        Total   = $total
        Passed  = & $count 'passed'
        Failed  = (& $count 'failed') + (& $count 'error') + (& $count 'timeout') + (& $count 'aborted')
        Skipped = $notRun
        Outcome = $trx.TestRun.ResultSummary.outcome
        # Name and first message line of each failed test, repeated at the end of the run where CI's tail shows it.
        FailedTests = @($trx.TestRun.Results.UnitTestResult | Where-Object { $_.outcome -ne 'Passed' -and $_.outcome -ne 'NotExecuted' } |
            ForEach-Object {
                $message = "$($_.Output.ErrorInfo.Message)".Trim() -split "`n" | Select-Object -First 1
                "$($_.testName): $message"
            })
    }
}

function Invoke-TestTask {
    if (Test-Path -LiteralPath $TestResultsDir) {
        Remove-Item -LiteralPath $TestResultsDir -Recurse -Force
    }
    New-Item -ItemType Directory -Path $TestResultsDir | Out-Null
    $suites = [System.Collections.Generic.List[object]]::new()

    foreach ($project in Get-ChildItem -Path (Join-Path $RepoRoot 'tests/*.Tests/*.csproj')) {
        $name = $project.BaseName
        $resultsDir = Join-Path $TestResultsDir $name
        Write-Step "xunit: $name"
        & dotnet test $project.FullName -c Release -maxcpucount:1 -nologo `
            --logger "trx;LogFileName=$name.trx" --logger 'console;verbosity=normal' --results-directory $resultsDir
        $exitCode = $LASTEXITCODE
        $trxPath = Join-Path $resultsDir "$name.trx"
        $suite = [pscustomobject]@{ Suite = "xunit $name"; Passed = 0; Failed = 0; Skipped = 0; Note = ''; FailedTests = @() }
        if (Test-Path -LiteralPath $trxPath) {
            $counters = Read-TrxCounters $trxPath
            $suite.FailedTests = $counters.FailedTests
            $suite.Passed = $counters.Passed
            $suite.Failed = $counters.Failed
            $suite.Skipped = $counters.Skipped
            if ($counters.Total -eq 0) {
                $suite.Note = 'the project has no tests yet'
            }
        }
        if ($exitCode -ne 0 -and $suite.Failed -eq 0) {
            # A build error or a crashed test host fails no single test; it still fails the run.
            $suite.Failed = 1
            $suite.Note = "dotnet test exited with $exitCode without a failed test: build error or crashed test host"
        } elseif ($exitCode -eq 0 -and -not (Test-Path -LiteralPath $trxPath)) {
            $suite.Note = 'no test results written (no tests?)'
        }
        $suites.Add($suite)
    }

    Write-Step 'Pester: tests/pester'
    Get-Module Pester | Remove-Module -Force
    Import-Module $PesterManifest -Force
    $configuration = New-PesterConfiguration
    $configuration.Run.Path = Join-Path $RepoRoot 'tests/pester'
    $configuration.Run.PassThru = $true
    $configuration.Run.Exit = $false
    $configuration.Output.Verbosity = 'Detailed'
    $pester = [pscustomobject]@{ Suite = 'pester tests/pester'; Passed = 0; Failed = 0; Skipped = 0; Note = ''; FailedTests = @() }
    try {
        $run = Invoke-Pester -Configuration $configuration
        $pester.Passed = $run.PassedCount
        $pester.Failed = $run.FailedCount
        $pester.Skipped = $run.SkippedCount + $run.NotRunCount
        $pester.FailedTests = @($run.Failed | ForEach-Object {
                $message = "$($_.ErrorRecord | Select-Object -First 1)".Trim() -split "`n" | Select-Object -First 1
                "$($_.ExpandedPath): $message"
            })
        # A file that fails to load or a failing BeforeAll/AfterAll is a failure even when no test says so.
        $broken = $run.FailedContainersCount + $run.FailedBlocksCount
        if ($broken -gt 0) {
            $pester.Failed += $broken
            $pester.Note = "$($run.FailedContainersCount) test file(s) and $($run.FailedBlocksCount) block(s) failed outside tests"
        }
    } catch {
        $pester.Failed += 1
        $pester.Note = "Pester itself failed: $_"
    }
    $suites.Add($pester)

    Write-Host ''
    foreach ($suite in $suites) {
        $line = "Suite {0}: passed {1}, failed {2}, skipped {3}" -f $suite.Suite, $suite.Passed, $suite.Failed, $suite.Skipped
        if ($suite.Note) { $line += " ($($suite.Note))" }
        Write-Host $line
        foreach ($failure in $suite.FailedTests) {
            Write-Host "  failed: $failure"
        }
    }
    $passed = ($suites | Measure-Object -Property Passed -Sum).Sum
    $failed = ($suites | Measure-Object -Property Failed -Sum).Sum
    $skipped = ($suites | Measure-Object -Property Skipped -Sum).Sum
    # Printed by the script as its very last line, after any later task.
    $script:TestTotals = [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped }
}

# The README's main job: demo/Demo.ps1 runs containers through the cmdlets of the freshly built module, in a
# separate pwsh so that the module is loaded once and fresh. State and the busybox root live under out/demo.
function Invoke-DemoTask {
    $demoDir = Join-Path $OutDir 'demo'
    Write-Step "demo/Demo.ps1 (state under $demoDir)"
    $pwsh = [System.Environment]::ProcessPath
    # An if's output is a scalar for one item; splatting a string would pass its characters, so keep an array.
    $hostArgs = @(if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { [System.Reflection.Assembly]::GetEntryAssembly().Location })
    & $pwsh @hostArgs -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'demo/Demo.ps1') -ModulePath $ModuleOutDir -Work $demoDir
    if ($LASTEXITCODE -ne 0) {
        throw "The demo failed (exit code $LASTEXITCODE)."
    }
}

function Invoke-BenchTask {
    $benchmarks = @(Get-ChildItem -Path (Join-Path $RepoRoot 'tests/bench/*.ps1') | Sort-Object Name)
    if ($benchmarks.Count -eq 0) {
        Write-Host 'No benchmarks in tests/bench.'
    }
    foreach ($benchmark in $benchmarks) {
        Write-Step "bench: $($benchmark.Name)"
        & $benchmark.FullName
    }
}

function Invoke-Task([string]$Name) {
    if ($script:CompletedTasks.Contains($Name)) {
        return
    }
    foreach ($dependency in $TaskDependencies[$Name]) {
        Invoke-Task $dependency
    }
    Write-Host ''
    Write-Host "#### $Name"
    $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
    & "Invoke-${Name}Task"
    Write-Host "#### $Name done in $([math]::Round($stopwatch.Elapsed.TotalSeconds, 1)) s"
    [void]$script:CompletedTasks.Add($Name)
}

Set-Location $RepoRoot
$Task = @($Task | ForEach-Object { $_ -split ',' } | ForEach-Object Trim | Where-Object { $_ })
foreach ($name in $Task) {
    if (-not $TaskDependencies.ContainsKey($name)) {
        throw "Unknown task '$name'. Tasks: $($TaskDependencies.Keys -join ', ')."
    }
}
try {
    foreach ($name in $Task) {
        Invoke-Task $name
    }
} catch {
    if ($Task -contains 'Test' -and -not $script:TestTotals) {
        # The build (or set-up) broke before any test ran: say so on the line CI reads.
        Write-Host "Error: $_"
        Write-Host ($_.ScriptStackTrace)
        Write-Host ''
        Write-Host "0 passed, 1 failed, 0 skipped"
        exit 1
    }
    throw
}
if ($script:TestTotals) {
    Write-Host ''
    Write-Host ('{0} passed, {1} failed, {2} skipped' -f $script:TestTotals.Passed, $script:TestTotals.Failed, $script:TestTotals.Skipped)
    if ($script:TestTotals.Failed -gt 0) {
        exit 1
    }
}
