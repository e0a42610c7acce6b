#!/bin/bash
# A real S3-compatible server for tests and local trials: single-node Ceph RADOS Gateway with an in-memory
# OSD, SigV4 authentication on, listening on 127.0.0.1 only (path-style addressing). Not `s3rver`: it checks
# no signatures, so presigned-URL and credential bugs would pass unseen.
#
# Install once (Debian/Ubuntu):
#   DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd
# Usage:
#   scripts/s3-ceph-rgw.sh [start] [DIR] [PORT]   start (or find already running) and print `export ...` lines
#   scripts/s3-ceph-rgw.sh stop [DIR]             stop the daemons started from DIR
#   eval "$(scripts/s3-ceph-rgw.sh)"               start and export DATAPORT_TEST_S3_* into this shell
# Idempotent: a gateway already answering on PORT is reused (its keys are the fixed test keys below), so CI
# steps and developers can call it twice.
# Seen on a 2-core machine: cold start ~12 s. Bucket names need >= 3 characters. radosgw runs with -f
# (foreground, backgrounded here) because its daemon mode can block the shell for minutes.
set -euo pipefail
cmd=start
if [[ "${1:-}" == start || "${1:-}" == stop ]]; then cmd=$1; shift; fi
D=${1:-${TMPDIR:-/tmp}/dataport-rgw}; PORT=${2:-7480}
ACCESS_KEY=dataport-test; SECRET_KEY=dataport-test-secret-key

stop_daemons() {
  local pids=()
  for p in rgw osd.0 mon.a; do
    if [[ -f "$D/run/$p.pid" ]]; then pids+=("$(cat "$D/run/$p.pid")"); fi
  done
  [[ ${#pids[@]} -eq 0 ]] && return 0
  kill "${pids[@]}" 2>/dev/null || true
  # ceph-osd can take a while over SIGTERM; do not leave it holding the monitor's port for the next start.
  for _ in $(seq 1 20); do
    local alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [[ ${#alive[@]} -eq 0 ]] && return 0
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

print_env() {
  echo "export DATAPORT_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT"
  echo "export DATAPORT_TEST_S3_ACCESS_KEY=$ACCESS_KEY"
  echo "export DATAPORT_TEST_S3_SECRET_KEY=$SECRET_KEY"
  echo "# stop: $0 stop $D" 
}

if [[ $cmd == stop ]]; then stop_daemons; exit 0; fi

for bin in ceph-authtool ceph-mon ceph-osd radosgw radosgw-admin monmaptool uuidgen curl; do
  command -v "$bin" >/dev/null || { echo "s3-ceph-rgw: $bin not found; install radosgw ceph-mon ceph-osd (see the header of $0)" >&2; exit 1; }
done

# A gateway already answering on PORT (started by this script, from this or another folder): reuse it.
# The monitor's port (3300) is fixed, so a second cluster beside it could not start anyway.
if curl -sf "http://127.0.0.1:$PORT/" >/dev/null; then
  print_env; exit 0
fi

stop_daemons
rm -rf "$D"; mkdir -p "$D"/{mon,osd0,run,log,rgw}; cd "$D"
fsid=$(uuidgen)
cat > ceph.conf <<CONF
[global]
fsid = $fsid
mon initial members = a
mon host = v2:127.0.0.1:3300
public addr = 127.0.0.1
keyring = $D/\$name.keyring
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
pid file = $D/run/\$name.pid
ms bind ipv6 = false
[mon.a]
mon data = $D/mon/ceph-a
[osd.0]
osd data = $D/osd0
osd objectstore = memstore
memstore device bytes = 4294967296
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $D/rgw
CONF
export CEPH_CONF=$D/ceph.conf
ceph-authtool --create-keyring mon.keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool --create-keyring client.admin.keyring --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
ceph-authtool --create-keyring osd.0.keyring --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
ceph-authtool --create-keyring client.rgw.a.keyring --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
cp mon.keyring mon.a.keyring
for k in client.admin osd.0 client.rgw.a; do ceph-authtool mon.a.keyring --import-keyring $k.keyring >/dev/null; done
monmaptool --create --addv a '[v2:127.0.0.1:3300]' --fsid "$fsid" monmap >/dev/null
ceph-mon --mkfs -i a --monmap monmap --keyring mon.a.keyring
ceph-mon -i a                      # daemonizes; pid in run/mon.a.pid
timeout 30 ceph osd create >/dev/null
ceph-osd -i 0 --mkfs --osd-uuid "$(uuidgen)" >/dev/null 2>&1
ceph-osd -i 0 2>/dev/null          # daemonizes; pid in run/osd.0.pid
nohup radosgw -f -n client.rgw.a > log/rgw-fg.log 2>&1 &   # -f: foreground, so it never blocks the shell
echo $! > run/rgw.pid
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$PORT/" >/dev/null || { echo "s3-ceph-rgw: radosgw did not answer; see $D/log" >&2; exit 1; }
timeout 30 radosgw-admin user create --uid=dataport-test --display-name=dataport-test --access-key=$ACCESS_KEY --secret-key=$SECRET_KEY >/dev/null
print_env
