#!/bin/sh
# Installs what the test suite drives besides Node packages: SIPp (Debian's sip-tester), OpenSSL for test
# certificates, and the baresip softphone (baresip-core holds the binary and every module the tests load:
# g711, ausine, menu, ctrl_tcp; the baresip metapackage would pull GTK, FFmpeg and GStreamer too).
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq sip-tester openssl procps baresip-core >/dev/null
