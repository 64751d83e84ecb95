# Get-Help for every command the built module exports, as build.ps1 generates it from docs/ (the format is in
# docs/cmdlets/README.md). The list comes from the module itself, so a cmdlet added without its doc fails
# here as well as in the build. Then the generator on broken docs: the build must stop and say why.

BeforeDiscovery {
    $module = Import-Module (Join-Path $PSScriptRoot '../../out/PSContainers') -PassThru -Force
    $commands = @($module.ExportedCommands.Values |
        Where-Object CommandType -In 'Cmdlet', 'Function' |
        Sort-Object Name |
        ForEach-Object { @{ Name = $_.Name } })
}

Describe 'Get-Help <Name>' -ForEach $commands {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
        Import-Module (Join-Path (Get-TestRepoRoot) 'out/PSContainers')
        $command = Get-Command -Name $Name -Module PSContainers
        $help = Get-Help -Name $Name -Full
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        $parameters = @($command.Parameters.Values | Where-Object Name -NotIn $common)
        # A cmdlet with only common parameters (Get-ContainerDiskUsage) has a parameters node with no parameter in it.
        $listed = if ($help.parameters -and $help.parameters.PSObject.Properties['parameter']) { $help.parameters.parameter }
        $helpParameters = @($listed | Where-Object { $_ })

        function Get-HelpText($Node) {
            (@($Node | Where-Object { $_ } | ForEach-Object Text) -join "`n").Trim()
        }
    }

    It 'has a synopsis of its own, not the syntax Get-Help makes up without help' {
        $synopsis = "$($help.Synopsis)".Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -BeLike "$Name*"
        $synopsis | Should -Not -Match '\[<CommonParameters>\]'
    }

    It 'has a description' {
        Get-HelpText $help.description | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code and an explanation' {
        $examples = @($help.examples.example | Where-Object { $_ })
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            "$($example.code)".Trim() | Should -Not -BeNullOrEmpty -Because "$($example.title) needs code"
            Get-HelpText $example.remarks | Should -Not -BeNullOrEmpty -Because "$($example.title) needs an explanation"
        }
    }

    It 'describes every parameter that is not a common parameter' {
        foreach ($parameter in $parameters) {
            $entry = $helpParameters | Where-Object name -EQ $parameter.Name
            $entry | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) must be in the help"
            Get-HelpText $entry.description | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) needs a description"
        }
    }

    It 'lists no parameter the command does not have' {
        foreach ($entry in $helpParameters) {
            $command.Parameters.ContainsKey($entry.name) | Should -BeTrue -Because "the help lists -$($entry.name)"
        }
    }

    It 'shows the parameter metadata of the command itself' {
        foreach ($parameter in $parameters) {
            $entry = $helpParameters | Where-Object name -EQ $parameter.Name
            $sets = @($parameter.ParameterSets.Values)
            $mandatory = @($sets | Where-Object { -not $_.IsMandatory }).Count -eq 0
            $entry.required | Should -Be ($mandatory.ToString().ToLowerInvariant()) -Because "-$($parameter.Name) Mandatory"
            $byValue = [bool]($sets | Where-Object ValueFromPipeline)
            $byName = [bool]($sets | Where-Object ValueFromPipelineByPropertyName)
            $entry.pipelineInput -like '*ByValue*' | Should -Be $byValue -Because "-$($parameter.Name) ValueFromPipeline"
            $entry.pipelineInput -like '*ByPropertyName*' | Should -Be $byName -Because "-$($parameter.Name) ValueFromPipelineByPropertyName"
            foreach ($alias in $parameter.Aliases) {
                $entry.aliases | Should -Match "\b$alias\b" -Because "-$($parameter.Name) has the alias $alias"
            }
            $position = @($sets | Where-Object { $_.Position -ge 0 } | ForEach-Object Position | Select-Object -First 1)
            $entry.position | Should -Be $(if ($position.Count -gt 0) { "$($position[0])" } else { 'named' }) -Because "-$($parameter.Name) Position"
        }
    }

    It 'has one syntax line per parameter set' {
        @($help.syntax.syntaxItem | Where-Object { $_ }).Count | Should -Be $command.ParameterSets.Count
    }
}

Describe 'Get-Help about_PSContainers' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
        Import-Module (Join-Path (Get-TestRepoRoot) 'out/PSContainers')
    }

    It 'returns the conceptual topic' {
        $text = Get-Help -Name about_PSContainers | Out-String
        $text | Should -Match '(?m)^TOPIC\s+about_PSContainers'
        $text | Should -Match '(?m)^SHORT DESCRIPTION'
        # The model: the runtime and monitor, the state roots, exit codes and errors.
        foreach ($word in 'pscrun', 'monitor', 'PSCONTAINERS_ROOT', 'PSCONTAINERS_RUNROOT', 'LASTEXITCODE', 'ContainerNotFound') {
            $text | Should -Match $word
        }
    }
}

Describe 'build/New-ModuleHelp.ps1' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
        $repo = Get-TestRepoRoot
        $generator = Join-Path $repo 'build/New-ModuleHelp.ps1'
        $moduleDir = Join-Path $repo 'out/PSContainers'
        $pwsh = [System.Environment]::ProcessPath
        # 'dotnet pwsh' runs pwsh.dll inside the dotnet host; a standalone pwsh is its own host.
        $hostArgs = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
        $exported = @((Import-Module $moduleDir -PassThru).ExportedCmdlets.Keys)
        $script:HelpWork = [System.Collections.Generic.List[string]]::new()

        # Copies docs/ to a scratch folder, lets Break change it, and runs the generator there into an output folder.
        function Invoke-Generator([scriptblock]$Break) {
            $work = New-TestDirectory -Name help
            $script:HelpWork.Add($work)
            $docs = Join-Path $work 'docs'
            Copy-Item -LiteralPath (Join-Path $repo 'docs') -Destination $docs -Recurse
            if ($Break) { & $Break $docs }
            $out = Join-Path $work 'out'
            $result = Invoke-Native -FilePath $pwsh -ArgumentList (@($hostArgs) + @(
                    '-NoProfile', '-NonInteractive', '-File', $generator, '-ModulePath', $moduleDir, '-DocsPath', $docs, '-OutputPath', $out)) -TimeoutSeconds 120
            [pscustomobject]@{ Result = $result; Out = $out; Work = $work }
        }

        # Removes the '### -Name' section (up to the next heading) from a doc.
        function Remove-DocSection([string]$Path, [string]$Heading) {
            $text = [System.IO.File]::ReadAllText($Path)
            $pattern = '(?ms)^' + [regex]::Escape($Heading) + '\s*$.*?(?=^#)'
            if ($text -notmatch $pattern) { throw "$Heading is not in $Path" }
            [System.IO.File]::WriteAllText($Path, ($text -replace $pattern, ''))
        }
    }

    AfterAll {
        foreach ($work in $script:HelpWork) { Remove-TestDirectory -Path $work }
    }

    It 'keeps numbered and bulleted list items with their marker and text' {
        $run = Invoke-Generator -Break {
            param($docs)
            $doc = Join-Path $docs 'cmdlets/Get-Container.md'
            $text = [System.IO.File]::ReadAllText($doc) -replace '(?m)^## EXAMPLES', "1. first step,`n   continued`n2. second step`n`n- a bullet`n`n## EXAMPLES"
            [System.IO.File]::WriteAllText($doc, $text)
        }
        $run.Result.ExitCode | Should -Be 0 -Because $run.Result.StdErr
        [xml]$maml = Get-Content -LiteralPath (Join-Path $run.Out 'en-US/PSContainers.dll-Help.xml') -Raw
        $command = $maml.helpItems.command | Where-Object { $_.details.name -eq 'Get-Container' }
        $paragraphs = @($command.description.para)
        $paragraphs | Should -Contain "1. first step, continued`n2. second step"
        $paragraphs | Should -Contain '- a bullet'
    }

    It 'writes MAML with every exported cmdlet and the about topic from the real docs' {
        $run = Invoke-Generator
        $run.Result.ExitCode | Should -Be 0 -Because $run.Result.StdErr
        [xml]$maml = Get-Content -LiteralPath (Join-Path $run.Out 'en-US/PSContainers.dll-Help.xml') -Raw
        $names = @($maml.helpItems.command | ForEach-Object { $_.details.name })
        $names | Sort-Object | Should -Be ($exported | Sort-Object)
        Join-Path $run.Out 'en-US/about_PSContainers.help.txt' | Should -Exist
    }

    Context 'on docs broken in seven ways at once' {
        BeforeAll {
            # One run (a child pwsh takes seconds) with every kind of mistake, each in its own file.
            $broken = Invoke-Generator {
                param($docs)
                $cmdlets = Join-Path $docs 'cmdlets'
                Remove-Item -LiteralPath (Join-Path $cmdlets 'Wait-Container.md')
                Remove-DocSection (Join-Path $cmdlets 'Stop-Container.md') '### -Timeout'
                $restart = Join-Path $cmdlets 'Restart-Container.md'
                [System.IO.File]::WriteAllText($restart, ([System.IO.File]::ReadAllText($restart) -replace '### -PassThru', "### -Bogus`nNot a parameter.`n`n### -PassThru"))
                $suspend = Join-Path $cmdlets 'Suspend-Container.md'
                [System.IO.File]::WriteAllText($suspend, ([System.IO.File]::ReadAllText($suspend) -replace '### -PassThru', "### -Name`nThe name.`n`n### -PassThru"))
                Remove-DocSection (Join-Path $cmdlets 'Resume-Container.md') '### Example 2: Resume every paused container'
                Copy-Item -LiteralPath (Join-Path $cmdlets 'Start-Container.md') -Destination (Join-Path $cmdlets 'Start-Nothing.md')
                Remove-Item -LiteralPath (Join-Path $docs 'about_PSContainers.md')
            }
        }

        It 'exits 1 and writes no help at all' {
            $broken.Result.ExitCode | Should -Be 1 -Because $broken.Result.StdOut
            $broken.Result.StdErr | Should -Match 'Help for PSContainers was not generated: 7 problem\(s\)'
            Join-Path $broken.Out 'en-US' | Should -Not -Exist
        }

        It 'says so when <Case>' -TestCases @(
            @{ Case = 'an exported cmdlet has no doc'; Expect = 'Wait-Container.md: Wait-Container is exported but has no help' }
            @{ Case = 'a parameter is not described'; Expect = 'Stop-Container.md: parameter -Timeout of Stop-Container is not described' }
            @{ Case = 'a described parameter does not exist'; Expect = 'Restart-Container.md: parameter -Bogus is described but Restart-Container has no such parameter' }
            @{ Case = 'an alias is described as a parameter'; Expect = 'Suspend-Container.md: parameter -Name is described but it is an alias of -Id' }
            @{ Case = 'a doc has one example'; Expect = 'Resume-Container.md: Resume-Container has 1 example(s); at least 2 are needed' }
            @{ Case = 'a doc names no exported cmdlet'; Expect = 'Start-Nothing.md: no exported cmdlet is named Start-Nothing' }
            @{ Case = 'about_PSContainers is missing'; Expect = "about_PSContainers.md: the module's conceptual topic is missing" }
        ) {
            $broken.Result.StdErr | Should -Match ([regex]::Escape($Expect))
        }
    }
}
