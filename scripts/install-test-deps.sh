#!/bin/sh
# Installs what the test suite drives besides Node packages: SIPp (Debian's sip-tester) and OpenSSL for test certificates.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq sip-tester openssl procps >/dev/null
