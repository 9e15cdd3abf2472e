#!/usr/bin/env bash
# The production stack, natively, as an unprivileged user: what docker-compose.yml runs, started
# from the same commands (deploy/services.sh) with the compose file's environment (only the
# host-specific addresses differ). A fresh PostgreSQL cluster, Redis with its append-only file,
# the release step, collectstatic with the manifest storage, two gunicorn instances behind nginx
# (TLS, static and media, gzip), two Celery workers and beat. Then a client walks it
# (deploy/smoke_client.py), everything is stopped, and any failure exits non-zero.
#
#   make production-smoke            (ports: proxy 8110/8119, web 8111/8112, PostgreSQL 5440,
#                                     Redis 6390; override with SMOKE_* variables)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

PROXY_PORT="${SMOKE_PROXY_PORT:-8110}"
PROXY_HTTP_PORT="${SMOKE_PROXY_HTTP_PORT:-8119}"
WEB_PORTS=("${SMOKE_WEB1_PORT:-8111}" "${SMOKE_WEB2_PORT:-8112}")
PG_PORT="${SMOKE_PG_PORT:-5440}"
REDIS_PORT="${SMOKE_REDIS_PORT:-6390}"
SMOKE_USER="${SMOKE_USER:-delmos-smoke}"
VENV="${VENV:-$ROOT/.venv}"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}"
STARTED=$(date +%s)

step_started=$STARTED
step() {
  local now; now=$(date +%s)
  printf '\n== [%3ss] %s ==\n' "$((now - STARTED))" "$*"
  step_started=$now
}
ok() { printf '  ok   %s\n' "$*"; }
fail() { printf '  FAIL %s\n' "$*" >&2; exit 1; }

TMP="$(mktemp -d /tmp/delmos-smoke.XXXXXX)"
chmod 755 "$TMP"
PIDS=()
NAMES=()

# -- the unprivileged user ----------------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
  if ! id -u "$SMOKE_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir "$TMP/home" --shell /usr/sbin/nologin "$SMOKE_USER"
  fi
  AS_USER=(setpriv --reuid="$SMOKE_USER" --regid="$SMOKE_USER" --init-groups --)
else
  SMOKE_USER="$(id -un)"
  AS_USER=()
fi
as_user() { "${AS_USER[@]}" "$@"; }
mkdir -p "$TMP"/{home,pg,run,redis,log,static,media,private,beat,tls,nginx}
chown -R "$SMOKE_USER" "$TMP" 2>/dev/null || true
# Logs are opened by the services themselves (nginx reopens /dev/stdout), so the user owns them.
log_file() { local f="$TMP/log/$1.log"; : >"$f"; chown "$SMOKE_USER" "$f" 2>/dev/null || true; echo "$f"; }

stop_all() {
  local status=$?
  set +e
  if [ "${#PIDS[@]}" -gt 0 ]; then
    for i in "${!PIDS[@]}"; do kill -TERM "${PIDS[$i]}" 2>/dev/null; done
    for i in "${!PIDS[@]}"; do
      for _ in $(seq 1 40); do kill -0 "${PIDS[$i]}" 2>/dev/null || break; sleep 0.25; done
      if kill -0 "${PIDS[$i]}" 2>/dev/null; then
        echo "  ${NAMES[$i]} did not stop on TERM; killing it" >&2
        kill -KILL "${PIDS[$i]}" 2>/dev/null
        status=1
      fi
    done
  fi
  if [ -f "$TMP/run/redis.pid" ]; then
    as_user "$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1
  fi
  if [ -f "$TMP/pg/postmaster.pid" ]; then
    as_user "$PG_BIN/pg_ctl" -D "$TMP/pg" -m fast -w stop >/dev/null 2>&1
  fi
  if [ "$status" -ne 0 ]; then
    echo "== production smoke FAILED (exit $status); the last lines of each log: ==" >&2
    for f in "$TMP"/log/*.log; do echo "--- $f" >&2; tail -n 25 "$f" >&2; done
  fi
  rm -rf "$TMP"
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Start a long-running service in the background as the user; remember its pid.
start() {
  local name=$1; shift
  local log; log=$(log_file "$name")
  # Not through the function: $! must be the service's own process (setpriv and env exec it).
  "${AS_USER[@]}" env "$@" >>"$log" 2>&1 &
  PIDS+=($!)
  NAMES+=("$name")
}

wait_for() {  # wait_for DESCRIPTION SECONDS COMMAND...
  local what=$1 seconds=$2; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "$what did not come up within ${seconds}s"
    sleep 0.3
  done
  ok "$what"
}

REDIS_CLI="$(command -v redis-cli)"

# -- The runtime: the production dependencies, executable by the user ---------------------------
# The dev venv's interpreter may live where the user cannot reach it (e.g. under /root); then,
# like the image's `pip install .`, a runtime venv from the system's Python 3.11, kept between
# runs in .venv-smoke while pyproject.toml is unchanged.
step "runtime for $SMOKE_USER"
RUNTIME="$VENV"
# (Through sh, as the services start: setpriv itself may exec what a child process cannot.)
if ! as_user sh -c '"$1" -c "import django, gunicorn, celery"' - "$VENV/bin/python" >/dev/null 2>&1; then
  RUNTIME="$ROOT/.venv-smoke"
  stamp="$(sha256sum pyproject.toml | cut -c1-16)"
  if [ "$(cat "$RUNTIME/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$RUNTIME"
    "${SMOKE_PYTHON:-/usr/bin/python3.11}" -m venv "$RUNTIME"
    "$RUNTIME/bin/pip" install --quiet --disable-pip-version-check . >"$(log_file pip)" 2>&1 \
      || fail "pip install . into $RUNTIME"
    echo "$stamp" >"$RUNTIME/.stamp"
  fi
fi
as_user sh -c '"$1" -c "import django, gunicorn, celery, weasyprint"' - "$RUNTIME/bin/python" \
  || fail "$SMOKE_USER cannot run $RUNTIME"
ok "$RUNTIME ($("$RUNTIME/bin/python" --version))"

# -- PostgreSQL: a fresh cluster -----------------------------------------------------------------
step "PostgreSQL: a fresh cluster on port $PG_PORT (user $SMOKE_USER)"
as_user "$PG_BIN/initdb" -D "$TMP/pg" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
  --no-sync >"$(log_file initdb)" 2>&1 || fail "initdb"
as_user "$PG_BIN/pg_ctl" -D "$TMP/pg" -l "$(log_file postgres)" -w -t 60 \
  -o "-p $PG_PORT -k $TMP/run -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
  start >/dev/null || fail "pg_ctl start"
as_user "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres delmos || fail "createdb"
ok "cluster initialised and database delmos created"

# -- Redis with its append-only file ----------------------------------------------------------
step "Redis on port $REDIS_PORT with appendonly yes"
as_user redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$TMP/redis" \
  --appendonly yes --appendfsync everysec --save "" --daemonize yes \
  --pidfile "$TMP/run/redis.pid" --logfile "$(log_file redis)" || fail "redis-server"
wait_for "redis answers" 20 "$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" ping
[ "$("$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" config get appendonly | tail -n1)" = yes ] \
  || fail "appendonly is not on"
ok "appendonly yes"

# -- The environment: the compose file's, with this host's addresses ----------------------------
step "environment from docker-compose.yml"
SITE_URL="https://localhost:$PROXY_PORT"
export SECRET_KEY="smoke-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export SITE_URL ALLOWED_HOSTS="localhost,127.0.0.1" POSTGRES_PASSWORD=unused
eval "$("$VENV/bin/python" deploy/compose_env.py web)"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/delmos"
export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
export CACHE_URL="redis://127.0.0.1:$REDIS_PORT/1"
export EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
export STATIC_ROOT="$TMP/static" MEDIA_ROOT="$TMP/media" PRIVATE_MEDIA_ROOT="$TMP/private"
export CELERY_BEAT_SCHEDULE_FILE="$TMP/beat/celerybeat-schedule"
export PATH="$RUNTIME/bin:$PATH" HOME="$TMP/home" PYTHONDONTWRITEBYTECODE=1
export PUBLICATION_SWEEP_SECONDS=10
unset WEB_BIND
[ "$DEBUG" = 0 ] || fail "DEBUG is not off"
ok "DEBUG=$DEBUG SECURE_SSL_REDIRECT=$SECURE_SSL_REDIRECT SECURE_HSTS_SECONDS=$SECURE_HSTS_SECONDS SITE_URL=$SITE_URL"

# -- Build and release --------------------------------------------------------------------------
step "build: the Swedish catalogue and collectstatic (manifest storage), as at image build"
# Like the image's RUN step: by the building user (root in CI), read-only for the services.
mkdir -p "$STATIC_ROOT"
deploy/services.sh build >"$(log_file build)" 2>&1 || fail "services.sh build"
[ -s "$STATIC_ROOT/staticfiles.json" ] || fail "no staticfiles.json manifest"
ok "$(find "$STATIC_ROOT" -type f | wc -l) static files with staticfiles.json"

step "release: check --deploy (fail level WARNING) and migrate, once, before the web starts"
as_user env deploy/services.sh release >"$(log_file release)" 2>&1 || fail "services.sh release"
grep -q "System check identified no issues" "$TMP/log/release.log" || fail "check --deploy not clean"
ok "check --deploy: $(grep -m1 'System check' "$TMP/log/release.log")"
ok "migrate: $(grep -c '  Applying' "$TMP/log/release.log") migrations applied"

# -- The services -------------------------------------------------------------------------------
step "services: 2 x gunicorn (3 workers each), 2 x Celery worker, beat, nginx"
start web1 WEB_BIND="127.0.0.1:${WEB_PORTS[0]}" WEB_CONCURRENCY=3 deploy/services.sh web
start web2 WEB_BIND="127.0.0.1:${WEB_PORTS[1]}" WEB_CONCURRENCY=3 deploy/services.sh web
start worker1 CELERY_WORKER_NAME=worker1 CELERY_CONCURRENCY=1 deploy/services.sh worker
start worker2 CELERY_WORKER_NAME=worker2 CELERY_CONCURRENCY=1 deploy/services.sh worker
start beat deploy/services.sh beat
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" -keyout "$TMP/tls/privkey.pem" \
  -out "$TMP/tls/fullchain.pem" >/dev/null 2>&1 || fail "openssl"
chown -R "$SMOKE_USER" "$TMP/tls" 2>/dev/null || true
start proxy PROXY_PORT="$PROXY_PORT" PROXY_HTTP_PORT="$PROXY_HTTP_PORT" NGINX_WORKERS=2 \
  NGINX_RUN_DIR="$TMP/nginx" WEB_UPSTREAMS="127.0.0.1:${WEB_PORTS[0]} 127.0.0.1:${WEB_PORTS[1]}" \
  TLS_CERT="$TMP/tls/fullchain.pem" TLS_KEY="$TMP/tls/privkey.pem" deploy/services.sh proxy
wait_for "web1 healthy (services.sh check web)" 60 as_user env WEB_BIND="127.0.0.1:${WEB_PORTS[0]}" deploy/services.sh check web
wait_for "web2 healthy (services.sh check web)" 60 as_user env WEB_BIND="127.0.0.1:${WEB_PORTS[1]}" deploy/services.sh check web
wait_for "proxy healthy (services.sh check proxy)" 30 as_user env PROXY_PORT="$PROXY_PORT" deploy/services.sh check proxy
wait_for "worker1 answers ping (services.sh check worker)" 60 as_user env CELERY_WORKER_NAME=worker1 deploy/services.sh check worker
wait_for "worker2 answers ping (services.sh check worker)" 60 as_user env CELERY_WORKER_NAME=worker2 deploy/services.sh check worker
wait_for "beat wrote its schedule (services.sh check beat)" 30 as_user env deploy/services.sh check beat
for i in "${!PIDS[@]}"; do
  owner=$(ps -o uid= -p "${PIDS[$i]}" | tr -d ' ')
  [ "$owner" = "$(id -u "$SMOKE_USER")" ] || fail "${NAMES[$i]} runs as uid $owner, not $SMOKE_USER"
  # and its children (gunicorn and Celery pool processes, nginx workers)
  if ps -o uid= --ppid "${PIDS[$i]}" | tr -d ' ' | grep -qvx "$(id -u "$SMOKE_USER")"; then
    fail "a child of ${NAMES[$i]} runs as another user"
  fi
done
ok "every service process runs as $SMOKE_USER ($(id -u "$SMOKE_USER")), none as root"
wait_for "readyz on both instances" 30 as_user env WEB_BIND="127.0.0.1:${WEB_PORTS[1]}" deploy/services.sh check ready

# -- The demo, then the walk -------------------------------------------------------------------
step "load the demo (a one-off like the release step; its PDFs go to the workers)"
as_user env python manage.py load_demo >"$(log_file load_demo)" 2>&1 || fail "load_demo"
ok "$(grep -m1 'Rounds:' "$TMP/log/load_demo.log")"
queue_empty() { as_user env python manage.py status | grep -q "^publications: 0 pending"; }
wait_for "the workers rendered the demo's published lists (manage.py status: 0 pending)" 180 queue_empty

step "the walk (deploy/smoke_client.py)"
"$VENV/bin/python" deploy/smoke_client.py \
  --site "$SITE_URL" --cafile "$TMP/tls/fullchain.pem" --http-port "$PROXY_HTTP_PORT" \
  --instance "http://127.0.0.1:${WEB_PORTS[0]}" --instance "http://127.0.0.1:${WEB_PORTS[1]}" \
  --media-root "$MEDIA_ROOT" || fail "the walk"

step "manage.py status"
as_user env python manage.py status | tee "$TMP/log/status.txt" | sed 's/^/  /'
[ "${PIPESTATUS[0]}" = 0 ] || fail "manage.py status reports a problem"
grep -q "^publications: 0 pending" "$TMP/log/status.txt" || fail "publications still pending"
ok "no pending or stuck job"

step "logs"
grep -q '"GET /healthz' "$TMP/log/web1.log" && grep -q '"GET /healthz' "$TMP/log/web2.log" \
  || fail "no access log lines on stdout"
ok "gunicorn access lines on stdout: web1 $(grep -c '" [0-9][0-9][0-9] ' "$TMP/log/web1.log"), web2 $(grep -c '" [0-9][0-9][0-9] ' "$TMP/log/web2.log")"
tasks1=$(grep -c 'succeeded in' "$TMP/log/worker1.log" || true)
tasks2=$(grep -c 'succeeded in' "$TMP/log/worker2.log" || true)
[ $((tasks1 + tasks2)) -gt 0 ] || fail "the workers ran no task"
ok "Celery tasks succeeded: worker1 $tasks1, worker2 $tasks2 (with durations in the log)"
if grep -E '^(Traceback|.*\] ERROR)' "$TMP"/log/{web1,web2,worker1,worker2,beat}.log; then
  fail "errors in the service logs"
fi
ok "no errors in the service logs"

step "stop everything"
for i in "${!PIDS[@]}"; do kill -TERM "${PIDS[$i]}"; done
for i in "${!PIDS[@]}"; do
  wait "${PIDS[$i]}" 2>/dev/null && code=0 || code=$?
  # gunicorn, celery and nginx exit 0 on TERM (a warm shutdown); 143 means killed by the signal.
  { [ "$code" = 0 ] || [ "$code" = 143 ]; } || fail "${NAMES[$i]} exited with $code"
done
ok "${#PIDS[@]} services stopped: ${NAMES[*]}"
PIDS=()
aof=$(find "$TMP/redis" -name '*.aof' -size +0 | head -n1)
[ -n "$aof" ] || fail "no append-only file written"
ok "Redis wrote its append-only file ($(basename "$aof"), $(stat -c %s "$aof") bytes)"
as_user "$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
rm -f "$TMP/run/redis.pid"
as_user "$PG_BIN/pg_ctl" -D "$TMP/pg" -m fast -w stop >/dev/null || fail "pg_ctl stop"
ok "Redis and PostgreSQL stopped"

printf '\n== production smoke passed in %ss ==\n' "$(( $(date +%s) - STARTED ))"
