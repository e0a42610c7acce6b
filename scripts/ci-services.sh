# Sourced by .ci/run: the services the scaled-stack tests need (PostgreSQL + pg-boss + S3), exported as the
# DATAPORT_TEST_* variables that test/helpers/scaled-stack.ts reads. Each test makes its own database and
# bucket and removes them. Without these variables the scaled tests are skipped, so CI must set them.

# PostgreSQL: the server on 127.0.0.1:5432 (trust auth); tests CREATE DATABASE dataport_test_<random> from it.
export DATAPORT_TEST_POSTGRES_URL="${DATAPORT_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if command -v pg_isready >/dev/null && ! pg_isready -q -d "$DATAPORT_TEST_POSTGRES_URL"; then
  echo "ci-services: PostgreSQL is not answering at $DATAPORT_TEST_POSTGRES_URL" >&2
  exit 1
fi

# S3: Ceph's RADOS Gateway from Debian packages (real SigV4 checks, presigned URLs, multipart uploads).
# uuidgen (uuid-runtime) and curl are used by scripts/s3-ceph-rgw.sh; a bare machine may lack them.
if ! command -v radosgw >/dev/null || ! command -v uuidgen >/dev/null || ! command -v curl >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd uuid-runtime curl >/dev/null
fi
DATAPORT_RGW_DIR="${TMPDIR:-/tmp}/dataport-ci-rgw"
eval "$(scripts/s3-ceph-rgw.sh start "$DATAPORT_RGW_DIR" 7480)"
trap 'scripts/s3-ceph-rgw.sh stop "$DATAPORT_RGW_DIR"' EXIT
