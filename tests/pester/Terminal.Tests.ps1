# Runbooks for the terminal cmdlets: a pwsh on a real pty (tmux) runs Invoke-Container -Interactive and
# Enter-Container as a user would, and the test reads the screen. Storage and run roots are the test's own;
# AfterAll removes the containers and the tmux server and checks nothing is left mounted.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestUtils.psm1') -Force
    $script:moduleDir = Join-Path (Get-TestRepoRoot) 'out/PSContainers'
    $script:work = New-TestDirectory -Name terminal
    $script:savedEnv = @{ Root = $env:PSCONTAINERS_ROOT; RunRoot = $env:PSCONTAINERS_RUNROOT }
    $env:PSCONTAINERS_ROOT = Join-Path $work 'root'
    $env:PSCONTAINERS_RUNROOT = Join-Path $work 'run'
    $script:rootfs = New-TestBusyboxRootfs -Path (Join-Path $work 'rootfs')
    Import-Module $moduleDir -Force
    $script:setup = "`$ErrorActionPreference = 'Stop'; `$env:PSCONTAINERS_ROOT = '$env:PSCONTAINERS_ROOT'; " +
        "`$env:PSCONTAINERS_RUNROOT = '$env:PSCONTAINERS_RUNROOT'; Import-Module '$moduleDir'"
    $script:terminal = New-TestTerminal -Directory $work -Setup $setup -Width 100 -Height 30
    Wait-TestTerminalPrompt $terminal -TimeoutSeconds 60

    # The modes raw mode changes and pwsh itself leaves alone (it switches echo, canonical input and flow control
    # as it reads): output processing, CR/NL translation of input, character size. Read from outside the terminal.
    function Get-OutputModes([string]$Device) {
        $fields = (Invoke-Native stty '-F' $Device '-g' | Assert-NativeSuccess).StdOut.Trim() -split ':'
        $iflag = [Convert]::ToInt32($fields[0], 16) -band -bnot 0x1400
        'iflag={0:x} oflag={1} cflag={2}' -f $iflag, $fields[1], $fields[2]
    }

    # Runs one line at the pwsh prompt and waits for the prompt to come back after a marker it prints.
    function Invoke-AtPrompt([string]$Line) {
        $marker = "done-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        Send-TestTerminal $terminal -Text "$Line; '$marker'.ToUpper()" -Enter
        Wait-TestTerminalText $terminal "(?m)^$($marker.ToUpper())\s*\r?\n" | Out-Null
    }
}

AfterAll {
    Remove-TestTerminal $terminal
    Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -ErrorAction Continue
    $leftMounts = @(Get-TestMountPoint -Path $work)
    Remove-TestDirectory -Path $work
    Get-ChildItem -Path '/sys/fs/cgroup/*/pscontainers' -Directory -ErrorAction Ignore |
        ForEach-Object { try { [System.IO.Directory]::Delete($_.FullName) } catch { Write-Verbose "kept $($_.Exception.Message)" } }
    $env:PSCONTAINERS_ROOT = $savedEnv.Root
    $env:PSCONTAINERS_RUNROOT = $savedEnv.RunRoot
    $leftMounts | Should -BeNullOrEmpty
}

Describe 'Invoke-Container -Interactive in a terminal (docker run -it)' {
    It 'gives the container a pty that follows the window, passes Ctrl+C in, sets $LASTEXITCODE and gives pwsh its terminal back' {
        Send-TestTerminal $terminal -Text 'clear' -Enter
        Wait-TestTerminalPrompt $terminal
        $device = Get-TestTerminalDevice $terminal
        $before = Get-OutputModes $device

        Send-TestTerminal $terminal -Text "Invoke-Container '$rootfs' -Interactive -Remove -Name term-run -- sh" -Enter
        Wait-TestTerminalPrompt $terminal -Line '/ #'
        Send-TestTerminal $terminal -Text 'tty; stty size; echo "term=$TERM"' -Enter
        $screen = Wait-TestTerminalText $terminal '(?m)^term=xterm'
        $screen | Should -Match '(?m)^/dev/pts/\d+\s*$'
        $screen | Should -Match '(?m)^30 100\s*$'

        Invoke-TestTerminalCommand $terminal resize-window '-t' $terminal.Target '-x' 120 '-y' 40 | Out-Null
        Send-TestTerminal $terminal -Text 'stty size' -Enter
        Wait-TestTerminalText $terminal '(?m)^40 120\s*$' | Out-Null

        # Ctrl+C reaches the container as 0x03; its pty makes it SIGINT for sleep, and the shell lives on.
        Send-TestTerminal $terminal -Text 'sleep 300' -Enter
        Start-Sleep -Milliseconds 500
        Send-TestTerminal $terminal -Key 'C-c'
        Send-TestTerminal $terminal -Text 'echo "alive-$((40 + 2)) $$"' -Enter
        Wait-TestTerminalText $terminal '(?m)^alive-42 1\s*$' -TimeoutSeconds 10 | Out-Null

        Send-TestTerminal $terminal -Text 'exit 5' -Enter
        Wait-TestTerminalPrompt $terminal
        Invoke-AtPrompt '"code=$LASTEXITCODE"'
        Get-TestTerminalText $terminal | Should -Match '(?m)^code=5\s*$'
        Get-Container -All -Name term-run -ErrorAction SilentlyContinue | Should -BeNullOrEmpty -Because '-Remove'

        Invoke-TestTerminalCommand $terminal resize-window '-t' $terminal.Target '-x' 100 '-y' 30 | Out-Null
        Wait-TestTerminalPrompt $terminal
        Get-OutputModes $device | Should -Be $before -Because 'raw mode ends with the session'
    }
}

Describe 'The terminal after an interactive session' {
    It 'is in the modes it was in before, as the shell that ran pwsh sees it' {
        # pwsh's own prompt would set its modes again anyway; a plain shell shows what the session left.
        $shell = New-TestTerminal -Directory $work -Command '/bin/sh'
        try {
            $before = Join-Path $work 'modes-before'
            $after = Join-Path $work 'modes-after'
            $inner = "$setup; Invoke-Container '$rootfs' -Interactive -Remove -- sh -c 'stty size; exit 4'; exit `$LASTEXITCODE"
            $line = "stty -g > '$before'; " + (Get-TestPwshCommandLine) + ' -NoProfile -NonInteractive -Command ' + (ConvertTo-ShellWord $inner) +
                "; echo ""code=`$?""; stty -g > '$after'; echo modes-`$((6 * 7))"
            Send-TestTerminal $shell -Text $line -Enter
            $screen = Wait-TestTerminalText $shell 'modes-42' -TimeoutSeconds 90
            Get-Content -LiteralPath $after | Should -Be (Get-Content -LiteralPath $before)
            $screen | Should -Match '(?m)^30 100\s*$'
            $screen | Should -Match '(?m)^code=4\s*$'
        } finally {
            Remove-TestTerminal $shell
        }
    }
}

Describe 'Enter-Container (docker exec -it, docker attach)' {
    BeforeAll {
        Invoke-Container $rootfs -Detach -Interactive -Name term-box -- sh | Out-Null
    }

    It 'runs a shell on a pty of its own in the running container and returns its exit code' {
        Send-TestTerminal $terminal -Text 'clear; Enter-Container term-box' -Enter
        Wait-TestTerminalPrompt $terminal -Line '/ #'
        Send-TestTerminal $terminal -Text 'tty; ps -o pid,comm | grep -c sh; echo "inside-$((1 + 1))"' -Enter
        $screen = Wait-TestTerminalText $terminal '(?m)^inside-2\s*$'
        $screen | Should -Match '(?m)^/dev/pts/\d+\s*$'
        Send-TestTerminal $terminal -Text 'exit 3' -Enter
        Wait-TestTerminalPrompt $terminal
        Invoke-AtPrompt '"code=$LASTEXITCODE"'
        Get-TestTerminalText $terminal | Should -Match '(?m)^code=3\s*$'
        (Get-Container term-box).Status | Should -Be 'Running'
    }

    It 'attaches to the container''s own terminal and detaches with Ctrl+P Ctrl+Q, leaving it running' {
        Send-TestTerminal $terminal -Text 'clear; Enter-Container term-box -Attach' -Enter
        Start-Sleep -Milliseconds 500
        Send-TestTerminal $terminal -Text 'echo "attached-$((2 + 2))"' -Enter
        Wait-TestTerminalText $terminal '(?m)^attached-4\s*$' | Out-Null
        Send-TestTerminal $terminal -Key 'C-p', 'C-q'
        Wait-TestTerminalPrompt $terminal
        (Get-Container term-box).Status | Should -Be 'Running'
        (Get-ContainerLog term-box).Text | Should -Contain 'attached-4'
    }

    It 'refuses to run without a terminal with the NotATerminal error id' {
        Enter-Container term-box -ErrorAction SilentlyContinue -ErrorVariable failure
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'NotATerminal,*'
        "$($failure[0].CategoryInfo.Category)" | Should -Be 'DeviceError'
    }
}

Describe 'Invoke-Container -Interactive without a terminal (docker run -i)' {
    It 'pipes its stdin to the container and ends the container''s stdin with it' {
        $pwsh = [System.Environment]::ProcessPath
        $hostArgs = if ((Split-Path -Leaf $pwsh) -eq 'dotnet') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
        $inner = "$setup; Invoke-Container '$rootfs' -Interactive -Remove -- sh -c 'wc -l; exit 6' | ForEach-Object Text; `"code=`$LASTEXITCODE`""
        $quoted = (@($pwsh) + $hostArgs + @('-NoProfile', '-NonInteractive', '-Command', $inner) | ForEach-Object { "'" + ($_ -replace "'", "'\''") + "'" }) -join ' '
        $result = Invoke-Native bash '-c' "printf 'a\nb\nc\n' | $quoted" -TimeoutSeconds 90
        $result.ExitCode | Should -Be 0 -Because $result.StdErr
        ($result.StdOut -split "`n" | ForEach-Object Trim | Where-Object { $_ }) | Should -Be @('3', 'code=6')
    }
}
