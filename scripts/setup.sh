#!/usr/bin/env bash
# Installs what IvtGen's build and tests need on a fresh Debian machine with the .NET 10 SDK:
# GNU binutils for IA-64 (the oracle every encoding test compares against).
set -euo pipefail
if ! command -v ia64-linux-gnu-as >/dev/null 2>&1 || ! command -v ia64-linux-gnu-objdump >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  echo "installing binutils-ia64-linux-gnu ..." >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq binutils-ia64-linux-gnu >/dev/null
fi
ia64-linux-gnu-as --version | head -n 1 >&2
