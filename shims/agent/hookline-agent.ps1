# hookline-agent.ps1: the Windows host agent (Windows PowerShell 5.1 or PowerShell 7). It does what
# shims/agent/hookline-agent does on POSIX hosts, with the same protocol, journal and configuration format:
#
#   powershell -NoProfile -ExecutionPolicy Bypass -File hookline-agent.ps1 [-Once] [-Config FILE]
#
# It connects out only (a long poll on the gateway), runs only the actions its own configuration lists, and
# hands the parameters of a command to the action as environment variables ($env:HOOKLINE_JOB,
# $env:HOOKLINE_RUN_ID, $env:HOOKLINE_RESTORE_POINT, ...). Actions run in PowerShell, which never runs the value
# of a variable as code: "restic -r $env:HOOKLINE_REPO copy" is safe whatever the value holds.
#
# Configuration: hookline-agent.conf beside this file, else %ProgramData%\Hookline\agent.conf:
#   HOOKLINE_URL=https://hookline.example.org:8080
#   HOOKLINE_AGENT_TOKEN=<the token of this agent's source (kind agent) in the gateway>
#   HOOKLINE_AGENT_STATE=C:\ProgramData\Hookline\agent-state
#   HOOKLINE_AGENT_WAIT=30
#   action restic-copy = restic -r $env:HOOKLINE_REPO copy --tag $env:HOOKLINE_JOB latest
# Run it at boot as a scheduled task (see the README: "Installing the agent on Windows").
param([switch]$Once, [string]$Config)

$ErrorActionPreference = 'Stop'
$Version = '1.0.0'
$here = Split-Path -Parent $MyInvocation.MyCommand.Path

function Write-Log([string]$text) {
    $line = "$(Get-Date -Format 'yyyy-MM-dd HH:mm:ss') hookline-agent: $text"
    if ($env:HOOKLINE_AGENT_LOG) { Add-Content -Path $env:HOOKLINE_AGENT_LOG -Value $line } else { [Console]::Error.WriteLine($line) }
}

# --- configuration ---
$settings = @{ HOOKLINE_URL = ''; HOOKLINE_AGENT_TOKEN = ''; HOOKLINE_AGENT_STATE = (Join-Path $env:ProgramData 'Hookline\agent-state'); HOOKLINE_AGENT_WAIT = '30' }
$actions = [ordered]@{}
if (-not $Config) {
    foreach ($candidate in @((Join-Path $here 'hookline-agent.conf'), (Join-Path $env:ProgramData 'Hookline\agent.conf'))) {
        if (Test-Path $candidate) { $Config = $candidate; break }
    }
}
if ($Config) {
    foreach ($raw in Get-Content -Path $Config) {
        $line = $raw.TrimEnd("`r")
        if ($line -match '^\s*(#|$)') { continue }
        if ($line -match '^action\s+([A-Za-z0-9._-]+)\s*=\s*(.*)$') { $actions[$Matches[1]] = $Matches[2].Trim(); continue }
        if ($line -match '^\s*([A-Z_]+)\s*=\s*(.*)$') {
            $value = $Matches[2].Trim().Trim('"').Trim("'")
            if ($settings.ContainsKey($Matches[1])) { $settings[$Matches[1]] = $value }
        }
    }
}
foreach ($key in @($settings.Keys)) {
    $fromEnvironment = [Environment]::GetEnvironmentVariable($key)
    if ($fromEnvironment) { $settings[$key] = $fromEnvironment }
}
if (-not $settings.HOOKLINE_URL -or -not $settings.HOOKLINE_AGENT_TOKEN) {
    Write-Log "HOOKLINE_URL or HOOKLINE_AGENT_TOKEN is not set (configuration: $Config); not started"
    exit 2
}
$wait = 30
[void][int]::TryParse($settings.HOOKLINE_AGENT_WAIT, [ref]$wait)
$state = $settings.HOOKLINE_AGENT_STATE
New-Item -ItemType Directory -Force -Path $state | Out-Null
# One agent per state folder: a second one (the task started again while the first still runs an action) would take
# the first's running command for an interrupted one. The lock file stays open, unshared, while this agent runs;
# the system closes it when the process ends, however it ends, so a killed agent leaves no lock behind.
$lockPath = Join-Path $state 'lock'
try {
    $script:Lock = [System.IO.File]::Open($lockPath, [System.IO.FileMode]::OpenOrCreate, [System.IO.FileAccess]::ReadWrite, [System.IO.FileShare]::None)
} catch {
    $cause = $_.Exception
    if ($cause.InnerException) { $cause = $cause.InnerException }
    if ($cause -is [System.UnauthorizedAccessException]) {
        Write-Log "cannot write the state folder ${state} ($($cause.Message)); not started"
        exit 2
    }
    $holder = Get-Content -Path (Join-Path $state 'lock.pid') -ErrorAction SilentlyContinue | Select-Object -First 1
    Write-Log "another hookline-agent (pid $holder) uses the state folder $state; not started"
    exit 3
}
Set-Content -Path (Join-Path $state 'lock.pid') -Value $PID
$journal = Join-Path $state 'journal'
if (-not (Test-Path $journal)) { New-Item -ItemType File -Path $journal | Out-Null }
$base = $settings.HOOKLINE_URL.TrimEnd('/') + '/agent/v1'
$offered = ($actions.Keys | Sort-Object) -join ','
$headers = @{
    'Authorization' = "Bearer $($settings.HOOKLINE_AGENT_TOKEN)"
    'Hookline-Agent-Version' = $Version
    'Hookline-Agent-Actions' = $offered
    'Hookline-Agent-Host' = $env:COMPUTERNAME
}

# --- talking to the gateway: the HTTP status, and the body in $script:Answer ---
function Invoke-Gateway([string]$method, [string]$path, [hashtable]$form) {
    $script:Answer = ''
    try {
        $arguments = @{ Uri = $base + $path; Method = $method; Headers = $headers; UseBasicParsing = $true; TimeoutSec = ($wait + 30) }
        if ($form) {
            $arguments.Body = ($form.GetEnumerator() | ForEach-Object { [uri]::EscapeDataString($_.Key) + '=' + [uri]::EscapeDataString([string]$_.Value) }) -join '&'
            $arguments.ContentType = 'application/x-www-form-urlencoded'
        } elseif ($method -eq 'POST') {
            $arguments.Body = ''
        }
        $response = Invoke-WebRequest @arguments
        $script:Answer = [string]$response.Content
        return [int]$response.StatusCode
    } catch {
        $response = $_.Exception.Response
        if ($response) {
            try { $script:Answer = (New-Object IO.StreamReader($response.GetResponseStream())).ReadToEnd() } catch { }
            return [int]$response.StatusCode
        }
        $script:Answer = $_.Exception.Message
        return 0
    }
}

function Send-Report([string]$id, [string]$kind, [hashtable]$form) {
    for ($try = 1; $try -le 5; $try++) {
        $status = Invoke-Gateway 'POST' "/commands/$id/$kind" $form
        if ($status -ge 200 -and $status -lt 300) { return $true }
        if (@(400, 403, 404, 409) -contains $status) { Write-Log "$kind of $id refused by Hookline ($status): $script:Answer"; return $false }
        Start-Sleep -Seconds $try
    }
    Write-Log "$kind of $id not reported: $script:Answer"
    return $false
}

function Test-Journal([string]$id, [string]$word) {
    return [bool](Select-String -Path $journal -Pattern "^$word $id( |$)" -Quiet)
}

function Add-Journal([string]$line) { Add-Content -Path $journal -Value $line }

function Send-Finish([string]$id) {
    $line = (Select-String -Path $journal -Pattern "^end $id " | Select-Object -Last 1).Line
    $parts = $line -split ' '
    $output = Join-Path $state "output.$id"
    $text = if (Test-Path $output) { (Get-Content -Path $output -Tail 20) -join "`n" } else { '' }
    $form = if ($parts[2] -eq 'interrupted') { @{ interrupted = 'true'; output = $text } } else { @{ exit = $parts[2]; 'duration-ms' = $parts[3]; output = $text } }
    if (Send-Report $id 'finished' $form) {
        Add-Journal "reported $id"
        Remove-Item -Force -ErrorAction SilentlyContinue $output
    }
}

function Resume-Journal {
    foreach ($match in Select-String -Path $journal -Pattern '^start (cmd_[0-9a-f]+)') {
        $id = $match.Matches[0].Groups[1].Value
        if (Test-Journal $id 'skipped') { continue }
        if (-not (Test-Journal $id 'end')) {
            Write-Log "command $id was running when the agent stopped: reported as interrupted, not run again"
            Add-Journal "end $id interrupted 0"
        }
        if (-not (Test-Journal $id 'reported')) { Send-Finish $id }
    }
}

function Start-AgentCommand([string]$id, [string]$action, [hashtable]$parameters) {
    if ((Test-Journal $id 'start') -or (Test-Journal $id 'refused') -or (Test-Journal $id 'skipped')) {
        Write-Log "command $id was delivered again: it has been handled once and is not run again"
        if ((Test-Journal $id 'end') -and -not (Test-Journal $id 'reported')) { Send-Finish $id }
        elseif ((Test-Journal $id 'reported') -or (Test-Journal $id 'refused') -or (Test-Journal $id 'skipped')) {
            # Reported to a gateway that has restarted since: said again, so that it is not delivered again.
            [void](Send-Report $id 'handled' $null)
        }
        return
    }
    if (-not $actions.Contains($action)) {
        Write-Log "command $id asks for action '$action', which this agent's configuration does not list: refused"
        Add-Journal "refused $id"
        [void](Send-Report $id 'refused' @{ reason = "action '$action' is not in this agent's configuration ($Config); it offers: $offered" })
        return
    }
    Add-Journal "start $id"
    if (-not (Send-Report $id 'started' $null)) { Write-Log "command $id not started: Hookline did not confirm the start"; Add-Journal "skipped $id"; return }
    Write-Log "command $id: running action $action"
    foreach ($name in $parameters.Keys) {
        [Environment]::SetEnvironmentVariable('HOOKLINE_' + ($name.ToUpperInvariant() -replace '-', '_'), $parameters[$name], 'Process')
    }
    $env:HOOKLINE_COMMAND_ID = $id
    $env:HOOKLINE_ACTION = $action
    $output = Join-Path $state "output.$id"
    $began = Get-Date
    $process = Start-Process -FilePath 'powershell.exe' -ArgumentList @('-NoProfile', '-NonInteractive', '-Command', $actions[$action]) `
        -RedirectStandardOutput $output -RedirectStandardError "$output.err" -NoNewWindow -Wait -PassThru
    if (Test-Path "$output.err") { Get-Content "$output.err" | Add-Content $output; Remove-Item -Force "$output.err" }
    $milliseconds = [int]((Get-Date) - $began).TotalMilliseconds
    foreach ($name in $parameters.Keys) {
        [Environment]::SetEnvironmentVariable('HOOKLINE_' + ($name.ToUpperInvariant() -replace '-', '_'), $null, 'Process')
    }
    Add-Journal "end $id $($process.ExitCode) $milliseconds"
    Write-Log "command ${id}: action $action exited with $($process.ExitCode)"
    Send-Finish $id
}

function Invoke-Answer([string]$text) {
    $id = $null; $action = $null; $parameters = @{}
    foreach ($line in $text -split "`n") {
        if ($line -match '^command (cmd_[0-9a-f]{32})$') { $id = $Matches[1]; $action = $null; $parameters = @{} }
        elseif ($line -match '^action (.+)$') { $action = $Matches[1] }
        elseif ($line -match '^param ([a-z][a-z0-9-]*) ?(.*)$') { $parameters[$Matches[1]] = $Matches[2] }
        elseif ($line -eq 'end' -and $id) { Start-AgentCommand $id $action $parameters; $id = $null }
    }
}

Write-Log "started (version $Version, actions: $offered, gateway $base)"
Resume-Journal
$backoff = 1
while ($true) {
    $status = Invoke-Gateway 'GET' "/commands?wait=$wait" $null
    if ($status -eq 200) { $backoff = 1; Invoke-Answer $script:Answer }
    elseif ($status -eq 204) { $backoff = 1 }
    elseif ($status -eq 401 -or $status -eq 403) { Write-Log "the gateway refused this agent's token ($status): $script:Answer"; $backoff = 60 }
    else { Write-Log "the gateway did not answer the poll ($status): $script:Answer; again in $backoff s" }
    if ($Once) { break }
    if ($status -ne 200 -and $status -ne 204) { Start-Sleep -Seconds $backoff; $backoff = [Math]::Min($backoff * 2, 60) }
    Resume-Journal
}
exit 0
