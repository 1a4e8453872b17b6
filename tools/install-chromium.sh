#!/usr/bin/env sh
# Install Debian's Chromium for the browser test, if it is missing.
# Needs root (or password-less sudo) and apt; otherwise it says so, and the
# browser test skips with that reason (it fails instead when CI is set).
set -e
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "Chromium is missing and installing it needs root: the browser test will skip." >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Chromium is missing and apt-get is not available: install it yourself." >&2
    exit 0
fi
echo "Installing Chromium (Debian package) for the browser test..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
