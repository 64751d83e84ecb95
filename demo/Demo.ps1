<#
.SYNOPSIS
    The README's main job: containers doing real work through the PSContainers cmdlets.
.DESCRIPTION
    Imports the built module, makes (or reuses) a busybox root filesystem, imports it as an image, and shows isolation, a memory limit
    that is hit, a detached container with its logs, exec, processes and statistics, a live limit change, -Init,
    and the clean-up. State lives under -Work (its own storage and run roots), so the demo leaves the machine's
    default /var/lib/pscontainers alone; every container it starts is removed at the end, also on failure.
.EXAMPLE
    ./demo/Demo.ps1 -ModulePath ./out/PSContainers -Work ./out/demo
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$Work
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Show([string]$Title, [string]$Command) {
    Write-Host ''
    Write-Host "### $Title" -ForegroundColor Cyan
    Write-Host "PS> $Command" -ForegroundColor Yellow
}

$Work = [System.IO.Path]::GetFullPath($Work)
$rootfs = Join-Path $Work 'rootfs'
if (-not (Test-Path -LiteralPath (Join-Path $rootfs 'bin/busybox'))) {
    foreach ($dir in 'bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'root') {
        New-Item -ItemType Directory -Force -Path (Join-Path $rootfs $dir) | Out-Null
    }
    Copy-Item -LiteralPath '/bin/busybox' -Destination (Join-Path $rootfs 'bin/busybox')
    & chroot $rootfs /bin/busybox --install -s /bin
    if ($LASTEXITCODE -ne 0) { throw "busybox --install failed in $rootfs" }
}
# Written every time: a root left by an older demo may lack the user the exec step uses.
Set-Content -LiteralPath (Join-Path $rootfs 'etc/passwd') -Value "root:x:0:0:root:/root:/bin/sh`nnobody:x:65534:65534:nobody:/:/bin/sh"
Set-Content -LiteralPath (Join-Path $rootfs 'etc/group') -Value "root:x:0:`nnogroup:x:65534:"

$env:PSCONTAINERS_ROOT = Join-Path $Work 'storage'
$env:PSCONTAINERS_RUNROOT = Join-Path $Work 'run'
Import-Module ([System.IO.Path]::GetFullPath($ModulePath)) -Force

try {
    # The root filesystem becomes an image, as `docker import` makes one; every container below runs from it.
    $tarball = Join-Path $Work 'rootfs.tar'
    & tar -C $rootfs -cf $tarball .
    if ($LASTEXITCODE -ne 0) { throw "tar of $rootfs failed" }
    Show 'An image from a root filesystem tarball (docker import), listed like docker images' `
        "Import-ContainerImage $tarball -Tag demo/busybox:1 -Change 'CMD [""sh""]', 'ENV DEMO=1'; Get-ContainerImage"
    Import-ContainerImage $tarball -Tag demo/busybox:1 -Change 'CMD ["sh"]', 'ENV DEMO=1' | Out-Null
    Get-ContainerImage | Out-Host

    Show 'Isolation: own hostname, PID namespace (the shell is PID 1), network namespace with only lo, root user' `
        "Invoke-Container demo/busybox:1 -Remove -Network none -Hostname demo -- sh -c 'hostname; ps -o pid,comm; cat /proc/net/dev | tail -n +3; id'"
    Invoke-Container demo/busybox:1 -Remove -Network none -Hostname demo -- sh -c 'hostname; ps -o pid,comm; cat /proc/net/dev | tail -n +3; id' | Out-Host

    Show 'A memory limit that is hit: 64 MiB in a 32 MiB container is OOM-killed (exit code 137)' `
        "Invoke-Container demo/busybox:1 -Memory 32MB -Name hog -- sh -c 'x=`$(head -c 67108864 /dev/zero | tr ''\0'' a); echo survived'"
    Invoke-Container demo/busybox:1 -Memory 32MB -Name hog -- sh -c 'x=$(head -c 67108864 /dev/zero | tr ''\0'' a); echo survived' | Out-Host
    "`$LASTEXITCODE = $LASTEXITCODE" | Out-Host
    Get-Container -Name hog | Format-List Name, Status, ExitCode, OomKilled | Out-Host
    Remove-Container hog

    Show 'A detached container that logs, and its logs' `
        "Invoke-Container demo/busybox:1 -Detach -Name ticker -Memory 64MB -Cpus 0.5 -PidsLimit 50 -- sh -c 'i=0; while true; do i=`$((i+1)); echo tick `$i; sleep 0.2; done'"
    Invoke-Container demo/busybox:1 -Detach -Name ticker -Memory 64MB -Cpus 0.5 -PidsLimit 50 -- sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done' | Out-Host
    Start-Sleep -Seconds 1
    Show 'docker ps' 'Get-Container'
    Get-Container | Out-Host
    Show 'docker logs --tail 3, as objects' 'Get-ContainerLog ticker -Tail 3 | Format-Table Time, Stream, Text'
    Get-ContainerLog ticker -Tail 3 | Format-Table Time, Stream, Text | Out-Host

    Show 'docker exec: a command inside the running container, with its own environment and user' `
        "Invoke-ContainerCommand ticker -User nobody -Environment @{ WHO = 'exec' } -- sh -c 'echo `$WHO as `$(id -un) sees:; ps -o pid,user,comm'"
    Invoke-ContainerCommand ticker -User nobody -Environment @{ WHO = 'exec' } -- sh -c 'echo $WHO as $(id -un) sees:; ps -o pid,user,comm' | Out-Host

    Show 'docker top' 'Get-ContainerProcess ticker'
    Get-ContainerProcess ticker | Out-Host
    Show 'docker stats --no-stream (from the cgroups)' 'Get-ContainerStatistic ticker | Format-List'
    Get-ContainerStatistic ticker | Format-List | Out-Host
    Show 'docker update: a limit changed while it runs' 'Set-Container ticker -Memory 128MB; (Get-ContainerStatistic ticker).MemoryLimit'
    Set-Container ticker -Memory 128MB
    (Get-ContainerStatistic ticker).MemoryLimit | Out-Host

    Show 'The pipeline: stop every running container named tick*, then remove it (sh as PID 1 ignores SIGTERM: SIGKILL after 2 s, 137)' `
        "Get-Container -Name tick* | Stop-Container -Timeout 2 -PassThru | Tee-Object -Variable stopped | Remove-Container; `$stopped"
    Get-Container -Name tick* | Stop-Container -Timeout 2 -PassThru | Tee-Object -Variable stopped | Remove-Container
    $stopped | Format-Table Name, Status, ExitCode, FinishedAt | Out-Host

    Show '-Init: a reaper as PID 1 forwards SIGTERM, so a plain sleep stops at once (exit 143, not a SIGKILL after 10 s)' `
        "Invoke-Container demo/busybox:1 -Detach -Init -Name sleeper -- sleep 600; Measure-Command { Stop-Container sleeper }"
    Invoke-Container demo/busybox:1 -Detach -Init -Name sleeper -- sleep 600 | Out-Null
    $elapsed = Measure-Command { $stopped = Stop-Container sleeper -PassThru }
    "stopped in {0:N2} s with exit code {1}" -f $elapsed.TotalSeconds, $stopped.ExitCode | Out-Host
    Remove-Container sleeper

    # A Dockerfile build, a published port on the default bridge network, and a named volume.
    $context = Join-Path $Work 'web'
    New-Item -ItemType Directory -Force -Path $context | Out-Null
    Set-Content -LiteralPath (Join-Path $context 'index.html') -Value 'hello from a PSContainers build'
    Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value @(
        'FROM demo/busybox:1', 'ENV SITE=/www', 'RUN mkdir -p $SITE && echo "built by RUN" > $SITE/built.txt',
        'COPY index.html $SITE/', 'EXPOSE 80', 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]')
    Show 'Build-ContainerImage (docker build); the second build comes from the cache' `
        "Build-ContainerImage $context -Tag demo/web:1 -InformationAction Continue; Measure-Command { Build-ContainerImage $context -Tag demo/web:1 }"
    Build-ContainerImage $context -Tag demo/web:1 -InformationAction Continue | Out-Host
    $cached = Measure-Command { Build-ContainerImage $context -Tag demo/web:1 | Out-Null }
    "cached rebuild in {0:N0} ms" -f $cached.TotalMilliseconds | Out-Host

    Show 'Its httpd on the default bridge network, the EXPOSEd port published on a free host port (docker run -P)' `
        "Invoke-Container demo/web:1 -Detach -Name web -PublishAll; Get-ContainerPort web; Invoke-WebRequest http://127.0.0.1:PORT/index.html"
    Invoke-Container demo/web:1 -Detach -Name web -PublishAll | Out-Null
    $port = (Get-ContainerPort web | Select-Object -First 1).HostPort
    Get-ContainerPort web | Out-Host
    $page = $null
    for ($i = 0; $i -lt 50 -and -not $page; $i++) {
        try { $page = (Invoke-WebRequest -Uri "http://127.0.0.1:$port/index.html" -UseBasicParsing -TimeoutSec 5).Content } catch { Start-Sleep -Milliseconds 100 }
    }
    "GET http://127.0.0.1:$port/index.html -> $page" | Out-Host
    Remove-Container web -Force

    Show 'A named volume keeps data across containers (docker run -v)' `
        "Invoke-Container demo/busybox:1 -Remove -Network none -Volume demo-data:/data -- sh -c 'date > /data/first-run'; Invoke-Container demo/busybox:1 -Remove -Network none -Volume demo-data:/data:ro -- cat /data/first-run; Get-ContainerVolume"
    Invoke-Container demo/busybox:1 -Remove -Network none -Volume demo-data:/data -- sh -c 'date > /data/first-run' | Out-Host
    Invoke-Container demo/busybox:1 -Remove -Network none -Volume demo-data:/data:ro -- cat /data/first-run | Out-Host
    Get-ContainerVolume | Out-Host

    Show 'What is left' 'Get-Container -All'
    @(Get-Container -All).Count | ForEach-Object { "$_ container(s)" } | Out-Host
} finally {
    Get-Container -All -ErrorAction SilentlyContinue | Remove-Container -Force -ErrorAction Continue
    # The demo's default bridge and its NAT rules go too: a demo leaves no interface or rule on the host.
    Get-ContainerNetwork -ErrorAction SilentlyContinue | Remove-ContainerNetwork -ErrorAction Continue
}
