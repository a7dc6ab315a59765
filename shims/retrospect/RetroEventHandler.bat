@echo off
rem Hookline's RetroEventHandler for Retrospect on Windows: runs RetroEventHandler.ps1 beside it.
rem Fails open: if PowerShell itself cannot run, Retrospect carries on (exit 0).
powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "%~dp0RetroEventHandler.ps1" %*
if errorlevel 2 exit /b 0
exit /b %errorlevel%
