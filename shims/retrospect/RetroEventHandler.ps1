# Hookline's RetroEventHandler for Retrospect on Windows (run by RetroEventHandler.bat).
# Same contract as the POSIX shim: forwards the event to Hookline; exit 0 and write nothing unless Hookline
# answers an intervention, then write its text into the interventionFile argument and exit 1.
# Fails open: Hookline unreachable, slow or answering an error means exit 0.
# Configuration: hookline.conf beside this file, else %ProgramData%\Hookline\hookline.conf (HOOKLINE_URL,
# HOOKLINE_TOKEN, HOOKLINE_TIMEOUT seconds, default 5), each overridden by the environment: the POSIX shims' rules. Log: hookline.log beside this file.
param([Parameter(ValueFromRemainingArguments = $true)][string[]] $Arguments)

$ErrorActionPreference = 'Stop'
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$logFile = if ($env:HOOKLINE_LOG) { $env:HOOKLINE_LOG } else { Join-Path $here 'hookline.log' }
$event = if ($Arguments -and $Arguments.Count -gt 0) { $Arguments[0] } else { '' }

function Write-HooklineLog([string] $message) {
    try {
        Add-Content -Path $logFile -Value ("{0} RetroEventHandler {1}: {2}" -f (Get-Date -Format 'yyyy-MM-dd HH:mm:ss'), $event, $message)
    } catch { }
}

try {
    $config = @{ HOOKLINE_URL = ''; HOOKLINE_TOKEN = ''; HOOKLINE_TIMEOUT = '5' }
    $confPaths = @((Join-Path $here 'hookline.conf'))
    if ($env:ProgramData) { $confPaths += (Join-Path $env:ProgramData 'Hookline\hookline.conf') }
    foreach ($confPath in $confPaths) {
        if (-not (Test-Path $confPath)) { continue }
        foreach ($line in Get-Content $confPath) {
            if ($line -match '^\s*(HOOKLINE_URL|HOOKLINE_TOKEN|HOOKLINE_TIMEOUT)\s*=\s*(.*)$') {
                $config[$Matches[1]] = $Matches[2].Trim().Trim('"').Trim("'")
            }
        }
        break
    }
    foreach ($name in @('HOOKLINE_URL', 'HOOKLINE_TOKEN', 'HOOKLINE_TIMEOUT')) {
        $value = [Environment]::GetEnvironmentVariable($name)
        if ($value) { $config[$name] = $value }
    }
    if ($config.HOOKLINE_TIMEOUT -notmatch '^[0-9]+$') { $config.HOOKLINE_TIMEOUT = '5' }
    if (-not $event) { Write-HooklineLog 'called without an event name; nothing sent'; exit 0 }
    if (-not $config.HOOKLINE_URL -or -not $config.HOOKLINE_TOKEN) {
        Write-HooklineLog 'HOOKLINE_URL or HOOKLINE_TOKEN is not set (hookline.conf beside this script); nothing sent'
        exit 0
    }

    $parts = @('event=' + [Uri]::EscapeDataString($event))
    for ($i = 1; $i -lt $Arguments.Count; $i++) {
        $parts += 'arg=' + [Uri]::EscapeDataString($Arguments[$i])
    }
    $parts += 'host=' + [Uri]::EscapeDataString($env:COMPUTERNAME)
    $body = $parts -join '&'
    $endpoint = $config.HOOKLINE_URL.TrimEnd('/') + '/hooks/retrospect'

    # One key per call, sent again with the retry, so that Hookline counts a retried call once and the same
    # EndScript on the next night as a new run.
    $headers = @{ Authorization = 'Bearer ' + $config.HOOKLINE_TOKEN; 'Idempotency-Key' = [guid]::NewGuid().ToString() }
    $response = $null
    for ($attempt = 1; $attempt -le 2 -and $null -eq $response; $attempt++) {
        try {
            $response = Invoke-WebRequest -UseBasicParsing -Method Post -Uri $endpoint -Body $body `
                -ContentType 'application/x-www-form-urlencoded' -TimeoutSec ([int] $config.HOOKLINE_TIMEOUT) `
                -Headers $headers
        } catch {
            if ($attempt -ge 2) { throw }
            Start-Sleep -Seconds 1
        }
    }
    $answer = [string] $response.Content
} catch {
    Write-HooklineLog ("Hookline not reached ({0}); carrying on" -f $_.Exception.Message)
    exit 0
}

$lines = $answer -split "`n"
if ($lines[0] -match '^intervene (\d+)') {
    $position = [int] $Matches[1]
    $text = (($lines | Select-Object -Skip 1) -join "`n").TrimEnd()
    if ($position -gt 0 -and $position -lt $Arguments.Count) {
        try { Set-Content -Path $Arguments[$position] -Value $text } catch { Write-HooklineLog "could not write the intervention to $($Arguments[$position])" }
    }
    Write-HooklineLog "intervention: $text"
    exit 1
}
exit 0
