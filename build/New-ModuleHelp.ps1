#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Writes the module's help (MAML for Get-Help and about_ topics) from docs/ and the built module's own cmdlet metadata.

.DESCRIPTION
    Imports the built module, and for each exported cmdlet reads docs/cmdlets/<Verb-Noun>.md (the format is
    described in docs/cmdlets/README.md). Syntax, types, Mandatory, Position, pipeline input, aliases,
    wildcards and defaults come from the cmdlet itself; the text comes from the Markdown. Writes
    <OutputPath>/en-US/<RootModule>-Help.xml, and en-US/about_*.help.txt from each docs/about_*.md.

    Exits 1, listing every problem, when a cmdlet has no doc, a doc misses a parameter or describes one
    the cmdlet lacks, a doc has fewer than two examples, or a doc is malformed. build.ps1 runs it in a
    child pwsh so that the build's own session never loads the module.

.EXAMPLE
    dotnet pwsh -NoProfile -File build/New-ModuleHelp.ps1 -ModulePath out/PSContainers -DocsPath docs
#>
[CmdletBinding()]
param(
    # The assembled module folder (holds the manifest).
    [Parameter(Mandatory)][string]$ModulePath,
    # The docs folder: cmdlets/<Verb-Noun>.md and about_*.md.
    [Parameter(Mandatory)][string]$DocsPath,
    # Where the en-US folder goes; the module folder unless told otherwise (the tests write elsewhere).
    [string]$OutputPath = $ModulePath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$Culture = 'en-US'
$MinimumExamples = 2
$CmdletSections = @('SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS')
$RequiredSections = @('SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS')
# Text for the ShouldProcess parameters when a doc does not describe them itself: they mean the same everywhere.
$StandardParameterText = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}
$Namespaces = [ordered]@{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}
$script:Problems = [System.Collections.Generic.List[string]]::new()

function Add-Problem([string]$File, [string]$Message) {
    $script:Problems.Add("${File}: $Message")
}

#region Markdown

# Plain text from inline Markdown: link targets, ** and code backticks go; the words stay.
function ConvertFrom-InlineMarkdown([string]$Text) {
    $Text = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)]*)\)', '$1')
    $Text = [regex]::Replace($Text, '\*\*(.+?)\*\*', '$1')
    [regex]::Replace($Text, '`([^`]+)`', '$1')
}

# A Markdown table as aligned text columns: header, a rule of dashes, rows. '\|' is a pipe inside a cell.
function Format-HelpTable([string[]]$Lines) {
    $rows = [System.Collections.Generic.List[string[]]]::new()
    foreach ($line in $Lines) {
        if ($line -match '^\s*\|[\s:|-]+\|\s*$') { continue }
        $cells = $line.Trim() -replace '^\|', '' -replace '(?<!\\)\|$', '' -split '(?<!\\)\|'
        $rows.Add([string[]]@($cells | ForEach-Object { ConvertFrom-InlineMarkdown ($_.Trim() -replace '\\\|', '|') }))
    }
    $columns = ($rows | ForEach-Object { $_.Count } | Measure-Object -Maximum).Maximum
    $widths = foreach ($i in 0..($columns - 1)) {
        ($rows | ForEach-Object { if ($i -lt $_.Count) { $_[$i].Length } else { 0 } } | Measure-Object -Maximum).Maximum
    }
    $format = {
        param($cells)
        $padded = for ($i = 0; $i -lt $columns; $i++) {
            $text = if ($i -lt $cells.Count) { $cells[$i] } else { '' }
            if ($i -eq $columns - 1) { $text } else { $text.PadRight($widths[$i]) }
        }
        ($padded -join '  ').TrimEnd()
    }
    & $format $rows[0]
    (@($widths | ForEach-Object { '-' * [math]::Max($_, 1) }) -join '  ')
    foreach ($row in $rows | Select-Object -Skip 1) { & $format $row }
}

<#
  Markdown block text to blocks: Kind prose (one line: its lines joined, the reader's console wraps it),
  list (one line per item), table (one line per row, the |---| rule dropped) or code (its lines verbatim).
#>
function ConvertTo-HelpBlock([string[]]$Lines) {
    $blocks = [System.Collections.Generic.List[object]]::new()
    $block = [System.Collections.Generic.List[string]]::new()
    $code = $null
    $flush = {
        if ($block.Count -eq 0) { return }
        $first = $block[0]
        if ($first -match '^\s*\|') {
            $blocks.Add([pscustomobject]@{ Kind = 'table'; Lines = @(Format-HelpTable $block) })
        } elseif ($first -match '^\s*([-*+]|\d+\.)\s') {
            $items = [System.Collections.Generic.List[string]]::new()
            foreach ($line in $block) {
                if ($line -match '^\s*([-*+]|\d+\.)\s+(.*)$') {
                    # Read both groups first: the -match that tells the marker's kind replaces $Matches.
                    $text = $Matches[2].Trim()
                    $marker = $Matches[1]
                    if ($marker -notmatch '\d') { $marker = '-' }
                    $items.Add("$marker $text")
                } else {
                    $items[$items.Count - 1] += ' ' + $line.Trim()
                }
            }
            $blocks.Add([pscustomobject]@{ Kind = 'list'; Lines = @($items | ForEach-Object { ConvertFrom-InlineMarkdown $_ }) })
        } else {
            $blocks.Add([pscustomobject]@{ Kind = 'prose'; Lines = @(ConvertFrom-InlineMarkdown (($block | ForEach-Object Trim) -join ' ')) })
        }
        $block.Clear()
    }
    foreach ($line in $Lines) {
        if ($null -ne $code) {
            if ($line -match '^\s*```') {
                $blocks.Add([pscustomobject]@{ Kind = 'code'; Lines = @($code) })
                $code = $null
            } else {
                $code.Add($line)
            }
        } elseif ($line -match '^\s*```') {
            & $flush
            $code = [System.Collections.Generic.List[string]]::new()
        } elseif ($line.Trim() -eq '') {
            & $flush
        } else {
            $block.Add($line)
        }
    }
    & $flush
    if ($null -ne $code) {
        throw 'a code block is not closed with ```'
    }
    , $blocks.ToArray()
}

# Help paragraphs (one <maml:para> each) from Markdown. Get-Help trims a paragraph's leading blanks, so code is not indented.
function ConvertTo-HelpParagraph([string[]]$Lines) {
    $blocks = ConvertTo-HelpBlock $Lines
    , @($blocks | ForEach-Object { $_.Lines -join "`n" })
}

# Splits lines at Markdown headings of one level (## or ###), ignoring headings inside fenced code.
function Split-MarkdownHeading([string[]]$Lines, [int]$Level) {
    $prefix = '#' * $Level
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = [pscustomobject]@{ Heading = $null; Lines = [System.Collections.Generic.List[string]]::new() }
    $inCode = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') {
            $inCode = -not $inCode
        }
        if (-not $inCode -and $line -match "^$prefix\s+(.+?)\s*#*\s*$" -and $line -notmatch "^$prefix#") {
            $sections.Add($current)
            $current = [pscustomobject]@{ Heading = $Matches[1]; Lines = [System.Collections.Generic.List[string]]::new() }
        } else {
            $current.Lines.Add($line)
        }
    }
    $sections.Add($current)
    , $sections.ToArray()
}

function Test-Blank([System.Collections.Generic.List[string]]$Lines) {
    -not ($Lines | Where-Object { $_.Trim() -ne '' })
}

<#
  One cmdlet's doc: Title, Synopsis, Description, Examples (Title, Code, Remarks), Parameters (name ->
  Paragraphs, DefaultValue), Inputs/Outputs (Type, Paragraphs) or $null when absent, Notes, Links.
  Problems go to Add-Problem; the result is $null when the doc cannot be used at all.
#>
function Read-CmdletDoc([string]$Path, [string]$DisplayPath) {
    $lines = [System.IO.File]::ReadAllLines($Path)
    $sections = Split-MarkdownHeading $lines 2
    $doc = [pscustomobject]@{
        Title = $null; Synopsis = @(); Description = @(); Examples = @(); Parameters = [ordered]@{}
        Inputs = $null; Outputs = $null; Notes = @(); Links = @()
    }
    $head = @($sections[0].Lines | Where-Object { $_.Trim() -ne '' })
    if ($head.Count -ne 1 -or $head[0] -notmatch '^#\s+(\S+)\s*$') {
        Add-Problem $DisplayPath "the file must begin with one '# Verb-Noun' title line before the first '## SECTION' (found: $(if ($head) { "'$($head[0])'" } else { 'nothing' }))."
        return $null
    }
    $doc.Title = $Matches[1]
    $seen = @{}
    foreach ($section in $sections | Select-Object -Skip 1) {
        $name = $section.Heading.ToUpperInvariant()
        if ($name -notin $CmdletSections) {
            Add-Problem $DisplayPath "unknown section '## $($section.Heading)'; the sections are: $($CmdletSections -join ', ')."
            continue
        }
        if ($seen.ContainsKey($name)) {
            Add-Problem $DisplayPath "section '## $name' appears twice."
            continue
        }
        $seen[$name] = $true
        try {
            switch ($name) {
                'SYNOPSIS' { $doc.Synopsis = ConvertTo-HelpParagraph $section.Lines }
                'DESCRIPTION' { $doc.Description = ConvertTo-HelpParagraph $section.Lines }
                'NOTES' { $doc.Notes = ConvertTo-HelpParagraph $section.Lines }
                'EXAMPLES' { $doc.Examples = @(Read-ExampleSection $section.Lines $DisplayPath) }
                'PARAMETERS' { Read-ParameterSection $section.Lines $DisplayPath $doc.Parameters }
                'INPUTS' { $doc.Inputs = @(Read-TypeSection $section.Lines $DisplayPath 'INPUTS') }
                'OUTPUTS' { $doc.Outputs = @(Read-TypeSection $section.Lines $DisplayPath 'OUTPUTS') }
                'RELATED LINKS' { $doc.Links = @(Read-LinkSection $section.Lines $DisplayPath) }
            }
        } catch {
            Add-Problem $DisplayPath "section '## $name': $($_.Exception.Message)."
        }
    }
    foreach ($required in $RequiredSections) {
        if (-not $seen.ContainsKey($required)) {
            Add-Problem $DisplayPath "the required section '## $required' is missing."
        }
    }
    if ($seen.ContainsKey('SYNOPSIS') -and $doc.Synopsis.Count -eq 0) {
        Add-Problem $DisplayPath 'the SYNOPSIS is empty.'
    }
    if ($seen.ContainsKey('DESCRIPTION') -and $doc.Description.Count -eq 0) {
        Add-Problem $DisplayPath 'the DESCRIPTION is empty.'
    }
    $doc
}

function Read-ExampleSection([string[]]$Lines, [string]$DisplayPath) {
    $parts = Split-MarkdownHeading $Lines 3
    if (-not (Test-Blank $parts[0].Lines)) {
        throw "text before the first '### Example 1: title' heading"
    }
    $number = 0
    foreach ($part in $parts | Select-Object -Skip 1) {
        $number++
        if ($part.Heading -notmatch '^Example\s+(\d+)\s*:\s*(\S.*)$') {
            Add-Problem $DisplayPath "example heading '### $($part.Heading)' must read '### Example ${number}: title'."
            continue
        }
        if ([int]$Matches[1] -ne $number) {
            Add-Problem $DisplayPath "example '### $($part.Heading)' should be number $number (examples are numbered 1, 2, 3, ...)."
        }
        $title = $Matches[2].Trim()
        $body = @($part.Lines)
        $start = 0
        while ($start -lt $body.Count -and $body[$start].Trim() -eq '') { $start++ }
        if ($start -ge $body.Count -or $body[$start] -notmatch '^```(powershell)?\s*$') {
            Add-Problem $DisplayPath "example $number ('$title') must start with a ``````powershell code block."
            continue
        }
        $end = $start + 1
        while ($end -lt $body.Count -and $body[$end] -notmatch '^```\s*$') { $end++ }
        if ($end -ge $body.Count) {
            Add-Problem $DisplayPath "example $number ('$title'): the code block is not closed with ``````."
            continue
        }
        $code = ($body[($start + 1)..($end - 1)] -join "`n").Trim("`n")
        if ($end -eq $start + 1 -or $code.Trim() -eq '') {
            Add-Problem $DisplayPath "example $number ('$title') has an empty code block."
            continue
        }
        $remarks = if ($end + 1 -lt $body.Count) { ConvertTo-HelpParagraph $body[($end + 1)..($body.Count - 1)] } else { @() }
        if ($remarks.Count -eq 0) {
            Add-Problem $DisplayPath "example $number ('$title') needs a sentence after its code that says what it does."
        }
        [pscustomobject]@{ Number = $number; Title = $title; Code = $code; Remarks = $remarks }
    }
}

function Read-ParameterSection([string[]]$Lines, [string]$DisplayPath, [System.Collections.Specialized.OrderedDictionary]$Into) {
    $parts = Split-MarkdownHeading $Lines 3
    if (-not (Test-Blank $parts[0].Lines)) {
        throw "text before the first '### -Name' heading"
    }
    foreach ($part in $parts | Select-Object -Skip 1) {
        if ($part.Heading -notmatch '^-(\w+)$') {
            Add-Problem $DisplayPath "parameter heading '### $($part.Heading)' must be '### -ParameterName'."
            continue
        }
        $name = $Matches[1]
        if ($Into.Contains($name)) {
            Add-Problem $DisplayPath "parameter -$name is described twice."
            continue
        }
        # 'Default value: TEXT' on a line of its own says what the cmdlet does when the parameter is not given.
        $default = $null
        $text = foreach ($line in $part.Lines) {
            if ($line -match '^\s*Default value:\s*(.+?)\s*$') { $default = ConvertFrom-InlineMarkdown $Matches[1] } else { $line }
        }
        $Into[$name] = [pscustomobject]@{ Name = $name; Paragraphs = @(ConvertTo-HelpParagraph @($text)); DefaultValue = $default }
    }
}

function Read-TypeSection([string[]]$Lines, [string]$DisplayPath, [string]$Section) {
    $parts = Split-MarkdownHeading $Lines 3
    if (-not (Test-Blank $parts[0].Lines)) {
        throw "text before the first '### TypeName' heading"
    }
    if ($parts.Count -eq 1) {
        throw "no '### TypeName' heading (write '### None' when there is nothing)"
    }
    foreach ($part in $parts | Select-Object -Skip 1) {
        [pscustomobject]@{ Type = ConvertFrom-InlineMarkdown $part.Heading; Paragraphs = @(ConvertTo-HelpParagraph $part.Lines) }
    }
}

function Read-LinkSection([string[]]$Lines, [string]$DisplayPath) {
    foreach ($line in $Lines) {
        if ($line.Trim() -eq '') { continue }
        if ($line -match '^\s*[-*]\s+\[([^\]]+)\]\(([^)]*)\)\s*$') {
            $uri = if ($Matches[2] -match '^https?://') { $Matches[2] } else { '' }
            [pscustomobject]@{ Text = $Matches[1]; Uri = $uri }
        } elseif ($line -match '^\s*[-*]\s+(.+?)\s*$') {
            [pscustomobject]@{ Text = ConvertFrom-InlineMarkdown $Matches[1]; Uri = '' }
        } else {
            Add-Problem $DisplayPath "RELATED LINKS holds list items only ('- [Get-Container](Get-Container.md)'), not '$($line.Trim())'."
        }
    }
}

#endregion

#region Cmdlet metadata

# What Get-Help shows for a type: String[], Int32, SwitchParameter; Nullable<T> as T.
function Get-TypeDisplayName([type]$Type) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    if ($Type.IsArray) { return (Get-TypeDisplayName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) {
        $name = $Type.Name -replace '`\d+$', ''
        return "$name[$(($Type.GetGenericArguments() | ForEach-Object { Get-TypeDisplayName $_ }) -join ', ')]"
    }
    $Type.Name
}

function Get-TypeFullName([type]$Type) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    if ($Type.IsArray) { return (Get-TypeFullName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) {
        $name = $Type.FullName -replace '`\d+\[.*$', ''
        return "$name[$(($Type.GetGenericArguments() | ForEach-Object { Get-TypeFullName $_ }) -join ', ')]"
    }
    $Type.FullName
}

# The values a parameter accepts when they are a closed set: [ValidateSet] or an enum type.
function Get-ParameterValueSet($Parameter) {
    $set = $Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($set) { return @($set.ValidValues) }
    $type = $Parameter.ParameterType
    if ($type.IsArray) { $type = $type.GetElementType() }
    $underlying = [Nullable]::GetUnderlyingType($type)
    if ($underlying) { $type = $underlying }
    if ($type.IsEnum) { return @([enum]::GetNames($type)) }
    @()
}

<#
  A parameter's default as the cmdlet object holds it before binding. Values that mean "not given"
  (null, empty, zero) show as None; a doc's 'Default value:' line says what the cmdlet does then.
#>
function Get-ParameterDefault($Instance, $Parameter) {
    if ($Parameter.SwitchParameter) { return 'False' }
    if ($null -eq $Instance) { return 'None' }
    $property = $Instance.GetType().GetProperty($Parameter.Name)
    if ($null -eq $property) { return 'None' }
    $value = $property.GetValue($Instance)
    if ($null -eq $value) { return 'None' }
    if ($value -is [string]) { return $(if ($value) { $value } else { 'None' }) }
    if ($value -is [System.Collections.IEnumerable]) {
        $items = @($value)
        return $(if ($items.Count) { $items -join ', ' } else { 'None' })
    }
    if ($value.GetType().IsValueType -and $value.Equals([Activator]::CreateInstance($value.GetType()))) { return 'None' }
    [System.Convert]::ToString($value, [cultureinfo]::InvariantCulture)
}

function Get-PipelineInputText([object[]]$SetMetadata) {
    $ways = @()
    if ($SetMetadata | Where-Object ValueFromPipeline) { $ways += 'ByValue' }
    if ($SetMetadata | Where-Object ValueFromPipelineByPropertyName) { $ways += 'ByPropertyName' }
    if ($ways) { "True ($($ways -join ', '))" } else { 'False' }
}

#endregion

#region MAML

function Write-Element($Writer, [string]$Name, [string]$Text, [hashtable]$Attributes = @{}) {
    $prefix, $local = $Name -split ':', 2
    $Writer.WriteStartElement($prefix, $local, $Namespaces[$prefix])
    foreach ($key in $Attributes.Keys | Sort-Object) {
        $Writer.WriteAttributeString($key, [string]$Attributes[$key])
    }
    if ($Text) { $Writer.WriteString($Text) }
    $Writer.WriteEndElement()
}

function Start-Element($Writer, [string]$Name, [hashtable]$Attributes = @{}) {
    $prefix, $local = $Name -split ':', 2
    $Writer.WriteStartElement($prefix, $local, $Namespaces[$prefix])
    foreach ($key in $Attributes.Keys | Sort-Object) {
        $Writer.WriteAttributeString($key, [string]$Attributes[$key])
    }
}

function Write-Description($Writer, [string]$Name, [string[]]$Paragraphs) {
    Start-Element $Writer $Name
    foreach ($paragraph in $Paragraphs) {
        Write-Element $Writer 'maml:para' $paragraph
    }
    $Writer.WriteEndElement()
}

function Write-TypeElement($Writer, [string]$TypeName) {
    Start-Element $Writer 'dev:type'
    Write-Element $Writer 'maml:name' $TypeName
    Write-Element $Writer 'maml:uri' ''
    $Writer.WriteEndElement()
}

<#
  One <command:parameter>. In a syntax item the flags are those of that parameter set; in the
  parameters list Required is true only when every set that has the parameter requires it.
#>
function Write-ParameterElement($Writer, $Parameter, [object[]]$SetMetadata, [string[]]$Paragraphs, [string]$Default, [switch]$InSyntax) {
    $positions = @($SetMetadata | Where-Object { $_.Position -ge 0 } | ForEach-Object Position | Select-Object -Unique)
    $attributes = @{
        required       = if (@($SetMetadata | Where-Object { -not $_.IsMandatory }).Count -eq 0) { 'true' } else { 'false' }
        variableLength = if ($Parameter.ParameterType.IsArray) { 'true' } else { 'false' }
        globbing       = if ($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) { 'true' } else { 'false' }
        pipelineInput  = Get-PipelineInputText $SetMetadata
        position       = if ($positions.Count -gt 0) { [string]$positions[0] } else { 'named' }
        aliases        = if ($Parameter.Aliases.Count -gt 0) { $Parameter.Aliases -join ', ' } else { 'none' }
    }
    Start-Element $Writer 'command:parameter' $attributes
    Write-Element $Writer 'maml:name' $Parameter.Name
    if (-not $InSyntax) {
        Write-Description $Writer 'maml:description' $Paragraphs
    }
    $values = @(Get-ParameterValueSet $Parameter)
    $typeName = Get-TypeDisplayName $Parameter.ParameterType
    if ($values.Count -gt 0) {
        Start-Element $Writer 'command:parameterValueGroup'
        foreach ($value in $values) {
            Write-Element $Writer 'command:parameterValue' $value @{ required = 'false'; variableLength = 'false' }
        }
        $Writer.WriteEndElement()
    }
    # A switch takes no value: syntax shows [-PassThru], the parameter list [<SwitchParameter>].
    if (-not ($InSyntax -and $Parameter.SwitchParameter)) {
        Write-Element $Writer 'command:parameterValue' $typeName @{ required = $(if ($Parameter.SwitchParameter) { 'false' } else { 'true' }); variableLength = $attributes.variableLength }
    }
    Write-TypeElement $Writer (Get-TypeFullName $Parameter.ParameterType)
    Write-Element $Writer 'dev:defaultValue' $Default
    $Writer.WriteEndElement()
}

# The parameters of one set as Get-Help lists them: by position, then mandatory ones, then the rest.
function Get-SyntaxParameterOrder($SetParameters) {
    $SetParameters | Sort-Object @(
        @{ Expression = { if ($_.Position -ge 0) { 0 } elseif ($_.IsMandatory) { 1 } else { 2 } } },
        @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { 0 } } }
    ) -Stable
}

function Write-CommandHelp($Writer, $Command, $Doc, [string[]]$Documented) {
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters
    $instance = try { [Activator]::CreateInstance($Command.ImplementingType) } catch { $null }

    Start-Element $Writer 'command:command'
    foreach ($prefix in $Namespaces.Keys) {
        $Writer.WriteAttributeString('xmlns', $prefix, $null, $Namespaces[$prefix])
    }
    Start-Element $Writer 'command:details'
    Write-Element $Writer 'command:name' $Command.Name
    Write-Element $Writer 'command:verb' $Command.Verb
    Write-Element $Writer 'command:noun' $Command.Noun
    Write-Description $Writer 'maml:description' $Doc.Synopsis
    $Writer.WriteEndElement()
    Write-Description $Writer 'maml:description' $Doc.Description

    Start-Element $Writer 'command:syntax'
    $sets = $Command.ParameterSets | Sort-Object @{ Expression = { -not $_.IsDefault } }, Name
    foreach ($set in $sets) {
        Start-Element $Writer 'command:syntaxItem'
        Write-Element $Writer 'maml:name' $Command.Name
        foreach ($setParameter in Get-SyntaxParameterOrder @($set.Parameters | Where-Object Name -NotIn $common)) {
            $parameter = $Command.Parameters[$setParameter.Name]
            $metadata = @($parameter.ParameterSets[$set.Name]) + @($parameter.ParameterSets['__AllParameterSets']) | Where-Object { $_ } | Select-Object -First 1
            Write-ParameterElement $Writer $parameter @($metadata) @() (Get-ParameterDefault $instance $parameter) -InSyntax
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    Start-Element $Writer 'command:parameters'
    foreach ($name in $Documented) {
        $parameter = $Command.Parameters[$name]
        $described = if ($Doc.Parameters.Contains($name)) { $Doc.Parameters[$name] } else { $null }
        $paragraphs = if ($described) { $described.Paragraphs } else { @($StandardParameterText[$name]) }
        $default = if ($described -and $described.DefaultValue) { $described.DefaultValue } else { Get-ParameterDefault $instance $parameter }
        Write-ParameterElement $Writer $parameter @($parameter.ParameterSets.Values) $paragraphs $default
    }
    $Writer.WriteEndElement()

    # INPUTS and OUTPUTS fall back to what the cmdlet declares: its pipeline parameters and [OutputType].
    $inputs = $Doc.Inputs
    if ($null -eq $inputs) {
        $inputs = @($Documented | ForEach-Object { $Command.Parameters[$_] } |
            Where-Object { $_.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } } |
            ForEach-Object { [pscustomobject]@{ Type = Get-TypeFullName $_.ParameterType; Paragraphs = @("Binds to -$($_.Name).") } })
        if ($inputs.Count -eq 0) { $inputs = @([pscustomobject]@{ Type = 'None'; Paragraphs = @() }) }
    }
    Start-Element $Writer 'command:inputTypes'
    foreach ($item in $inputs) {
        Start-Element $Writer 'command:inputType'
        Write-TypeElement $Writer $item.Type
        Write-Description $Writer 'maml:description' $item.Paragraphs
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $outputs = $Doc.Outputs
    if ($null -eq $outputs) {
        $outputs = @($Command.OutputType | ForEach-Object { [pscustomobject]@{ Type = $_.Name; Paragraphs = @() } })
        if ($outputs.Count -eq 0) { $outputs = @([pscustomobject]@{ Type = 'None'; Paragraphs = @() }) }
    }
    Start-Element $Writer 'command:returnValues'
    foreach ($item in $outputs) {
        Start-Element $Writer 'command:returnValue'
        Write-TypeElement $Writer $item.Type
        Write-Description $Writer 'maml:description' $item.Paragraphs
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    if ($Doc.Notes.Count -gt 0) {
        Start-Element $Writer 'maml:alertSet'
        Write-Description $Writer 'maml:alert' $Doc.Notes
        $Writer.WriteEndElement()
    }

    Start-Element $Writer 'command:examples'
    foreach ($example in $Doc.Examples) {
        Start-Element $Writer 'command:example'
        Write-Element $Writer 'maml:title' ("---------- Example {0}: {1} ----------" -f $example.Number, $example.Title)
        Write-Element $Writer 'dev:code' $example.Code
        Write-Description $Writer 'dev:remarks' $example.Remarks
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    Start-Element $Writer 'command:relatedLinks'
    foreach ($link in $Doc.Links) {
        Start-Element $Writer 'maml:navigationLink'
        Write-Element $Writer 'maml:linkText' $link.Text
        Write-Element $Writer 'maml:uri' $link.Uri
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

#endregion

#region about_ topics

function Format-AboutParagraph([string]$Text, [int]$Indent, [int]$Width = 80) {
    $pad = ' ' * $Indent
    $line = ''
    foreach ($word in $Text -split '\s+' | Where-Object { $_ }) {
        if ($line -and ($pad.Length + $line.Length + 1 + $word.Length) -gt $Width) {
            "$pad$line"
            $line = $word
        } else {
            $line = if ($line) { "$line $word" } else { $word }
        }
    }
    if ($line) { "$pad$line" }
}

<#
  about_X.md to the classic about_X.help.txt layout: TOPIC, then each '## ' heading in capitals at the left
  margin and its text indented by four spaces; '### ' headings indented by four, their text too. Prose is
  wrapped at 80 columns; lists, tables and code keep their lines.
#>
function ConvertTo-AboutText([string]$Path, [string]$DisplayPath) {
    $topic = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    $lines = [System.IO.File]::ReadAllLines($Path)
    $sections = Split-MarkdownHeading $lines 2
    $head = @($sections[0].Lines | Where-Object { $_.Trim() -ne '' })
    if ($head.Count -ne 1 -or $head[0] -ne "# $topic") {
        Add-Problem $DisplayPath "the file must begin with the title line '# $topic'."
        return $null
    }
    $names = @($sections | Select-Object -Skip 1 | ForEach-Object { $_.Heading.ToUpperInvariant() })
    if ($names.Count -lt 2 -or $names[0] -ne 'SHORT DESCRIPTION' -or $names[1] -ne 'LONG DESCRIPTION') {
        Add-Problem $DisplayPath "an about topic starts with '## Short description' and then '## Long description' (Get-Help shows the short one in lists)."
        return $null
    }
    $out = [System.Collections.Generic.List[string]]::new()
    $out.Add('TOPIC')
    $out.Add("    $topic")
    foreach ($section in $sections | Select-Object -Skip 1) {
        $out.Add('')
        $out.Add($section.Heading.ToUpperInvariant())
        $subsections = Split-MarkdownHeading @($section.Lines) 3
        foreach ($sub in $subsections) {
            $indent = 4
            $afterHeading = $true
            if ($sub.Heading) {
                $out.Add('')
                $out.Add("    $(ConvertFrom-InlineMarkdown $sub.Heading)")
                $indent = 8
            }
            try {
                $blocks = ConvertTo-HelpBlock @($sub.Lines)
            } catch {
                Add-Problem $DisplayPath "$($_.Exception.Message)."
                return $null
            }
            foreach ($block in $blocks) {
                # Text starts on the line after its heading; blocks are separated by a blank line.
                if (-not $afterHeading) { $out.Add('') }
                $afterHeading = $false
                switch ($block.Kind) {
                    'prose' { foreach ($line in Format-AboutParagraph $block.Lines[0] $indent) { $out.Add($line) } }
                    'list' {
                        foreach ($item in $block.Lines) {
                            # A hanging indent under the item's text, past its '- ' or '1. '.
                            $marker = ($item -split ' ', 2)[0]
                            $wrapped = @(Format-AboutParagraph ($item.Substring($marker.Length + 1)) ($indent + $marker.Length + 1))
                            $wrapped[0] = (' ' * $indent) + $marker + ' ' + $wrapped[0].TrimStart()
                            foreach ($line in $wrapped) { $out.Add($line) }
                        }
                    }
                    'table' { foreach ($line in $block.Lines) { $out.Add((' ' * $indent) + $line) } }
                    'code' { foreach ($line in $block.Lines) { $out.Add((' ' * ($indent + 4)) + $line) } }
                }
            }
        }
    }
    ($out -join "`n") + "`n"
}

#endregion

$ModulePath = [System.IO.Path]::GetFullPath($ModulePath)
$DocsPath = [System.IO.Path]::GetFullPath($DocsPath)
$OutputPath = [System.IO.Path]::GetFullPath($OutputPath)
$cmdletDocs = Join-Path $DocsPath 'cmdlets'
$shownRoot = Split-Path -Parent $DocsPath
function Get-DisplayPath([string]$Path) { [System.IO.Path]::GetRelativePath($shownRoot, $Path) }

$module = Import-Module $ModulePath -PassThru -Force -ErrorAction Stop
$commands = @($module.ExportedCmdlets.Values | Sort-Object Name)
$common = @([System.Management.Automation.PSCmdlet]::CommonParameters) + @('UseTransaction')

$docs = [ordered]@{}
foreach ($command in $commands) {
    $path = Join-Path $cmdletDocs "$($command.Name).md"
    $shown = Get-DisplayPath $path
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
        Add-Problem $shown "$($command.Name) is exported but has no help: write this file (see docs/cmdlets/README.md)."
        continue
    }
    $doc = Read-CmdletDoc $path $shown
    if ($null -eq $doc) { continue }
    if ($doc.Title -cne $command.Name) {
        Add-Problem $shown "the title '# $($doc.Title)' must be the cmdlet's name, '# $($command.Name)'."
    }
    if ($doc.Examples.Count -lt $MinimumExamples) {
        Add-Problem $shown "$($command.Name) has $($doc.Examples.Count) example(s); at least $MinimumExamples are needed."
    }
    $real = @($command.Parameters.Keys | Where-Object { $_ -notin $common })
    foreach ($name in $real) {
        if (-not $doc.Parameters.Contains($name) -and -not $StandardParameterText.ContainsKey($name)) {
            Add-Problem $shown "parameter -$name of $($command.Name) is not described: add a '### -$name' section under '## PARAMETERS'."
        }
    }
    foreach ($name in @($doc.Parameters.Keys)) {
        $match = $real | Where-Object { $_ -eq $name }
        if (-not $match) {
            $owner = $command.Parameters.Values | Where-Object { $_.Aliases -contains $name } | Select-Object -First 1
            $why = if ($name -in $common) { 'it is a common parameter, which Get-Help explains itself' }
                elseif ($owner) { "it is an alias of -$($owner.Name); describe -$($owner.Name)" }
                else { "$($command.Name) has no such parameter (its parameters: $(($real | ForEach-Object { "-$_" }) -join ', '))" }
            Add-Problem $shown "parameter -$name is described but $why."
        } elseif ($match -cne $name) {
            Add-Problem $shown "parameter -$name is spelled -$match by the cmdlet: use that spelling."
        }
    }
    # Get-Help lists the parameters in the doc's order; -WhatIf and -Confirm with their standard text come last.
    $ordered = @($doc.Parameters.Keys | ForEach-Object { $name = $_; $real | Where-Object { $_ -eq $name } }) +
        @($real | Where-Object { -not $doc.Parameters.Contains($_) })
    $docs[$command.Name] = [pscustomobject]@{ Command = $command; Doc = $doc; Parameters = $ordered }
}
foreach ($file in Get-ChildItem -LiteralPath $cmdletDocs -Filter '*.md' -File -ErrorAction Ignore) {
    $name = $file.BaseName
    if ($name -ne 'README' -and -not ($commands | Where-Object Name -EQ $name)) {
        Add-Problem (Get-DisplayPath $file.FullName) "no exported cmdlet is named ${name}: rename or remove the file (exported: $(($commands.Name) -join ', '))."
    }
}

$abouts = [ordered]@{}
$mainAbout = Join-Path $DocsPath "about_$($module.Name).md"
if (-not (Test-Path -LiteralPath $mainAbout)) {
    Add-Problem (Get-DisplayPath $mainAbout) "the module's conceptual topic is missing: write this file."
}
foreach ($file in Get-ChildItem -LiteralPath $DocsPath -Filter 'about_*.md' -File) {
    $text = ConvertTo-AboutText $file.FullName (Get-DisplayPath $file.FullName)
    if ($null -ne $text) { $abouts[$file.BaseName] = $text }
}

if ($script:Problems.Count -gt 0) {
    [Console]::Error.WriteLine("Help for $($module.Name) was not generated: $($script:Problems.Count) problem(s) in $(Get-DisplayPath $DocsPath):")
    foreach ($problem in $script:Problems) {
        [Console]::Error.WriteLine("  $problem")
    }
    exit 1
}

$cultureDir = Join-Path $OutputPath $Culture
New-Item -ItemType Directory -Force -Path $cultureDir | Out-Null
$helpFile = Join-Path $cultureDir "$([System.IO.Path]::GetFileName($module.Path))-Help.xml"
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$settings.NewLineChars = "`n"
$writer = [System.Xml.XmlWriter]::Create($helpFile, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($entry in $docs.Values) {
        Write-CommandHelp $writer $entry.Command $entry.Doc $entry.Parameters
    }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
} finally {
    $writer.Dispose()
}
Write-Host "Wrote $helpFile ($($docs.Count) cmdlets)"
foreach ($topic in $abouts.Keys) {
    $path = Join-Path $cultureDir "$topic.help.txt"
    [System.IO.File]::WriteAllText($path, $abouts[$topic])
    Write-Host "Wrote $path"
}
