<#
.SYNOPSIS
    The docker CLI through our API service against the same commands through podman's API service: docker pull of
    a busybox image from a local docker-registry, and DOCKER_BUILDKIT=0 docker build --no-cache of a
    Dockerfile with a RUN and a COPY.
.DESCRIPTION
    Both services run on sockets under a temp directory (ours: Start-ContainerApiService; podman: podman system
    service --time=0 on overlay storage of its own, crun). Each iteration, interleaved with the order rotating:
      pull    docker rmi (not timed), then docker pull REG/library/busybox:latest: download, verify, unpack (both)
      build   docker build --no-cache -t REG/bench/app:N . of FROM busybox / RUN / COPY / CMD: one RUN container
              and two layers (both; the base image is already stored on both sides)
    Whole docker CLI processes are timed. Prints medians and the ratios ours/podman. Not part of the test command.
.EXAMPLE
    ./tests/bench/apiimg-vs-podman.ps1 -Iterations 7
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 1000)][int]$Iterations = 5,
    [ValidateRange(0, 10)][int]$Warmup = 1
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'BenchUtils.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../pester/RegistryTestUtils.psm1') -Force -Global

$work = New-TestDirectory -Name 'bench-apiimg'
$saved = $null
$registry = $null
$podman = $null
$podmanService = $null
try {
    $saved = Enter-BenchEngine -Work $work
    $registry = Start-TestRegistry -Directory (Join-Path $work 'registry')
    $layout = New-TestOciImage -Layout (Join-Path $work 'layout')
    $busybox = "$($registry.Address)/library/busybox:latest"
    Invoke-TestSkopeo copy --dest-tls-verify=false "oci:$layout" "docker://$busybox" | Assert-NativeSuccess | Out-Null

    $ours = Start-ContainerApiService -Socket (Join-Path $work 'psc.sock') -PassThru
    $podman = New-TestPodman -WorkDirectory $work -Runtime (Get-ReferenceRuntime)
    $globalArgs = [System.Collections.Generic.List[string]]$podman.GlobalArgs
    $globalArgs[$globalArgs.IndexOf('--storage-driver') + 1] = 'overlay'
    $podman.GlobalArgs = $globalArgs.ToArray()
    $conf = Join-Path $work 'registries.conf'
    Set-Content -LiteralPath $conf -Value "[[registry]]`nlocation = `"$($registry.Address)`"`ninsecure = true"
    $podman.Environment['CONTAINERS_REGISTRIES_CONF'] = $conf
    $podmanSocket = Join-Path $work 'podman.sock'
    $podmanService = Start-TestPodmanService -Podman $podman -Socket $podmanSocket
    $config = Join-Path $work 'docker-config'
    New-Item -ItemType Directory -Force -Path $config | Out-Null
    Set-Content -LiteralPath (Join-Path $config 'config.json') -Value '{}'

    $context = Join-Path $work 'context'
    New-Item -ItemType Directory -Force -Path $context | Out-Null
    Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value "FROM $busybox`nRUN echo built > /built.txt`nCOPY payload.txt /payload.txt`nCMD [`"cat`", `"/payload.txt`"]"
    Set-Content -LiteralPath (Join-Path $context 'payload.txt') -Value 'payload'

    function Invoke-Docker([string]$Socket, [string[]]$Arguments) {
        Invoke-Native -FilePath /usr/local/bin/docker -ArgumentList $Arguments -TimeoutSeconds 300 -WorkingDirectory $context `
            -Environment @{ DOCKER_HOST = "unix://$Socket"; DOCKER_BUILDKIT = '0'; DOCKER_CONFIG = $config }
    }

    $script:buildNumber = 0
    $contenders = foreach ($side in @(@{ Name = 'pscontainers'; Socket = $ours.Socket }, @{ Name = 'podman'; Socket = $podmanSocket })) {
        foreach ($work_ in 'pull', 'build') {
            $socket = $side.Socket
            [pscustomobject]@{
                Name    = "$($side.Name) $work_"
                Measure = if ($work_ -eq 'pull') {
                    {
                        Invoke-Docker $socket @('rmi', '-f', $busybox) | Out-Null
                        $run = Invoke-Docker $socket @('pull', $busybox)
                        [pscustomobject]@{ Milliseconds = $run.Duration.TotalMilliseconds; Ok = $run.ExitCode -eq 0 }
                    }.GetNewClosure()
                } else {
                    {
                        Invoke-Docker $socket @('pull', $busybox) | Out-Null
                        $script:buildNumber++
                        $run = Invoke-Docker $socket @('build', '--no-cache', '-t', "$($registry.Address)/bench/app:$($script:buildNumber)", '.')
                        [pscustomobject]@{ Milliseconds = $run.Duration.TotalMilliseconds; Ok = $run.ExitCode -eq 0 }
                    }.GetNewClosure()
                }
            }
        }
    }

    Write-Host "load average before: $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3)"
    Invoke-BenchRound -Contenders @($contenders | Where-Object Name -Like '* pull') -Iterations $Iterations -Warmup $Warmup -Work $work
    Invoke-BenchRound -Contenders @($contenders | Where-Object Name -Like '* build') -Iterations $Iterations -Warmup $Warmup -Work $work
    Write-Host "load average after: $((Get-Content /proc/loadavg) -split ' ' | Select-Object -First 3)"
    $medians = Write-BenchSummary -Contenders $contenders
    foreach ($what in 'pull', 'build') {
        Write-Host ("{0,-8} ours/podman = {1:N2}" -f $what, ($medians["pscontainers $what"] / $medians["podman $what"]))
    }
} finally {
    Stop-ContainerApiService -ErrorAction Continue
    Stop-TestPodmanService -Process $podmanService
    Remove-TestPodman $podman
    Stop-TestRegistry $registry
    Exit-BenchEngine -Saved $saved
    Remove-TestDirectory -Path $work
}
