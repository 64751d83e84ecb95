# The module folder that build.ps1 assembles is what users import: check it is whole.

Describe 'The built module out/PSContainers' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
        $moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    }

    It 'has a valid manifest for PSContainers 0.1.0 on PowerShell Core' {
        $manifest = Test-ModuleManifest -Path (Join-Path $moduleDir 'PSContainers.psd1')
        $manifest.Version | Should -Be ([version]'0.1.0')
        $manifest.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'imports in a fresh pwsh as a binary module' {
        $pwsh = [System.Environment]::ProcessPath
        # 'dotnet pwsh' runs pwsh.dll inside the dotnet host; a standalone pwsh is its own host.
        $hostArgs = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
        $script = "Import-Module '$moduleDir' -ErrorAction Stop; (Get-Module PSContainers).ModuleType"
        $result = Invoke-Native -FilePath $pwsh -ArgumentList (@($hostArgs) + @('-NoProfile', '-NonInteractive', '-Command', $script)) -TimeoutSeconds 60
        $result.StdOut.Trim() | Should -Be 'Binary' -Because $result.StdErr
        $result.ExitCode | Should -Be 0
    }

    It 'ships pscrun as an executable and no compile-only System.Management.Automation.dll' {
        $pscrun = Get-Item -LiteralPath (Join-Path $moduleDir 'pscrun')
        $pscrun.UnixFileMode.HasFlag([System.IO.UnixFileMode]::UserExecute) | Should -BeTrue
        # pscmon, the monitor's waiting image, sits next to pscrun, which looks for it there.
        (Get-Item -LiteralPath (Join-Path $moduleDir 'pscmon')).UnixFileMode.HasFlag([System.IO.UnixFileMode]::UserExecute) | Should -BeTrue
        Join-Path $moduleDir 'System.Management.Automation.dll' | Should -Not -Exist
    }
}
