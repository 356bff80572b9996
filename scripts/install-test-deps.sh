#!/bin/sh
# Installs what the test suite drives besides Node packages: SIPp (Debian's sip-tester), baresip as a real
# softphone, OpenSSL for test certificates, and the MariaDB and PostgreSQL servers (with their command-line
# clients) that the subscriber database tests start themselves, and dnsmasq-base (the dnsmasq binary without the
# dnsmasq package's system service) as the DNS server of the RFC 3263 and ENUM tests. The packages' own services
# are not needed.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq sip-tester openssl procps baresip-core \
  mariadb-server mariadb-client postgresql postgresql-client dnsmasq-base >/dev/null
