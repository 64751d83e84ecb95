# Get-ContainerRuntimeInfo from the built module, in a fresh pwsh: the object it returns and the
# engine log that -Verbose brings to the Verbose stream.

Describe 'Get-ContainerRuntimeInfo' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
        $moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
        $pwsh = [System.Environment]::ProcessPath
        # 'dotnet pwsh' runs pwsh.dll inside the dotnet host; a standalone pwsh is its own host.
        $hostArgs = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }

        # Runs the script after importing the module; the script writes one JSON document.
        function Invoke-ModuleScript([string]$Script) {
            $full = "`$ErrorActionPreference = 'Stop'; Import-Module '$moduleDir'; $Script"
            $result = Invoke-Native -FilePath $pwsh -ArgumentList (@($hostArgs) + @('-NoProfile', '-NonInteractive', '-Command', $full)) -TimeoutSeconds 60
            $result.ExitCode | Should -Be 0 -Because $result.StdErr
            $result.StdOut | ConvertFrom-Json
        }

        $summarize = @'
function Split-Streams($records) {
    $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    $info = $records | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
    [pscustomobject]@{
        Type          = $info.GetType().FullName
        Path          = $info.Path
        Version       = $info.Version
        SpecVersion   = $info.SpecVersion
        OciVersionMax = $info.Features.OciVersionMax
        Namespaces    = @($info.Features.Linux.Namespaces)
        Verbose       = $verbose
    } | ConvertTo-Json -Compress
}
'@
    }

    It 'returns the module''s pscrun, its version and its parsed features document' {
        $r = Invoke-ModuleScript "$summarize; Split-Streams (Get-ContainerRuntimeInfo)"
        $r.Type | Should -Be 'PSContainers.Core.OciRuntime.RuntimeInfo'
        $r.Path | Should -Be (Join-Path $moduleDir 'pscrun')
        $r.Version | Should -Be '0.1.0'
        $r.SpecVersion | Should -Be '1.3.0'
        $r.OciVersionMax | Should -Match '^1\.\d+\.\d+'
        $r.Namespaces | Should -Contain 'pid'
        $r.Verbose | Should -BeNullOrEmpty
    }

    It 'shows the engine''s log line in the Verbose stream with -Verbose' {
        $r = Invoke-ModuleScript "$summarize; Split-Streams (Get-ContainerRuntimeInfo -Verbose 4>&1)"
        $r.Verbose | Should -Contain "locating pscrun at $(Join-Path $moduleDir 'pscrun')"
        $r.Version | Should -Be '0.1.0'
    }

    It 'asks the runtime the engine uses: $env:PSCRUN when it is set' {
        # runc, as crun 1.8 has no 'features' command.
        $runc = (Get-Command -Name runc -CommandType Application | Select-Object -First 1).Source
        $r = Invoke-ModuleScript "$summarize; `$env:PSCRUN = '$runc'; Split-Streams (Get-ContainerRuntimeInfo)"
        $r.Path | Should -Be $runc
        $r.Namespaces | Should -Contain 'pid'
    }

    It 'writes a RuntimeInfoUnavailable error for a runtime that does not exist' {
        $r = Invoke-ModuleScript @'
$null = Get-ContainerRuntimeInfo -Path /nonexistent/pscrun -ErrorAction SilentlyContinue -ErrorVariable failures
[pscustomobject]@{ Id = $failures[0].FullyQualifiedErrorId; Category = "$($failures[0].CategoryInfo.Category)" } | ConvertTo-Json -Compress
'@
        $r.Id | Should -BeLike 'RuntimeInfoUnavailable,*'
        $r.Category | Should -Be 'ObjectNotFound'
    }
}
