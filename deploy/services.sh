#!/bin/sh
# The commands of the production services, in one place. docker-compose.yml runs them in the
# containers (the image's ENTRYPOINT) and `make production-smoke` runs them natively, so the two
# cannot drift apart. POSIX sh: the proxy image has no bash and no Python.
#
#   deploy/services.sh build        at image build: compile the Swedish catalogue, collect static
#   deploy/services.sh release      once per deployment, before new web processes: check, migrate
#   deploy/services.sh web          gunicorn
#   deploy/services.sh worker       a Celery worker
#   deploy/services.sh beat         Celery beat (the periodic sweeper)
#   deploy/services.sh proxy        nginx in front of the web processes, serving static and media
#   deploy/services.sh check NAME   the healthcheck of a service (exit 0 when healthy)
set -eu

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"

# The public address's host: the Host header of the health checks.
site_host() {
  printf '%s' "${SITE_URL:-http://localhost}" | sed -e 's#^[a-z]*://##' -e 's#[/:].*$##'
}

# The port gunicorn listens on (WEB_BIND is host:port).
web_port() {
  bind="${WEB_BIND:-0.0.0.0:8000}"
  printf '%s' "${bind##*:}"
}

service="${1:-}"
[ "$#" -gt 0 ] && shift

case "$service" in
  build)
    "$PYTHON" -c "import polib; polib.pofile('locale/sv/LC_MESSAGES/django.po').save_as_mofile('locale/sv/LC_MESSAGES/django.mo')"
    exec "$PYTHON" manage.py collectstatic --noinput --verbosity 1
    ;;
  release)
    # A configuration `check --deploy` warns about is refused before anything changes.
    "$PYTHON" manage.py check --deploy --fail-level WARNING
    exec "$PYTHON" manage.py migrate --noinput
    ;;
  web)
    exec gunicorn delmos.wsgi:application \
      --bind "${WEB_BIND:-0.0.0.0:8000}" \
      --workers "${WEB_CONCURRENCY:-3}" \
      --timeout "${WEB_TIMEOUT:-60}" \
      --graceful-timeout 30 \
      --max-requests "${WEB_MAX_REQUESTS:-2000}" \
      --max-requests-jitter 200 \
      --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
      --access-logfile - \
      --error-logfile - \
      "$@"
    ;;
  worker)
    exec celery -A delmos worker \
      --loglevel "${LOG_LEVEL:-INFO}" \
      --hostname "${CELERY_WORKER_NAME:-worker}@%h" \
      --concurrency "${CELERY_CONCURRENCY:-2}" \
      --max-tasks-per-child "${CELERY_WORKER_MAX_TASKS_PER_CHILD:-50}" \
      "$@"
    ;;
  beat)
    # The schedule file lives in a directory the service's user owns (a volume in compose).
    exec celery -A delmos beat \
      --loglevel "${LOG_LEVEL:-INFO}" \
      --schedule "${CELERY_BEAT_SCHEDULE_FILE:?set CELERY_BEAT_SCHEDULE_FILE}" \
      "$@"
    ;;
  proxy)
    run_dir="${NGINX_RUN_DIR:-/tmp/nginx}"
    mkdir -p "$run_dir"
    servers=""
    for upstream in ${WEB_UPSTREAMS:-web:8000}; do
      servers="${servers}server ${upstream} max_fails=3 fail_timeout=10s; "
    done
    NGINX_UPSTREAM_SERVERS="$servers" NGINX_RUN_DIR="$run_dir" \
      PROXY_PORT="${PROXY_PORT:-8443}" PROXY_HTTP_PORT="${PROXY_HTTP_PORT:-8080}" \
      NGINX_WORKERS="${NGINX_WORKERS:-auto}" NGINX_MIME_TYPES="${NGINX_MIME_TYPES:-/etc/nginx/mime.types}" \
      STATIC_ROOT="${STATIC_ROOT:-/srv/static}" MEDIA_ROOT="${MEDIA_ROOT:-/data/media}" \
      TLS_CERT="${TLS_CERT:-/etc/delmos/tls/fullchain.pem}" TLS_KEY="${TLS_KEY:-/etc/delmos/tls/privkey.pem}" \
      SITE_URL="${SITE_URL:?set SITE_URL}" \
      envsubst '${NGINX_UPSTREAM_SERVERS} ${NGINX_RUN_DIR} ${PROXY_PORT} ${PROXY_HTTP_PORT} ${NGINX_WORKERS} ${NGINX_MIME_TYPES} ${STATIC_ROOT} ${MEDIA_ROOT} ${TLS_CERT} ${TLS_KEY} ${SITE_URL}' \
      < deploy/nginx.conf.template > "$run_dir/nginx.conf"
    nginx -t -q -c "$run_dir/nginx.conf"
    exec nginx -c "$run_dir/nginx.conf" -g 'daemon off;'
    ;;
  check)
    case "${1:-}" in
      web)
        exec "$PYTHON" -c "import sys, urllib.request as u; r = u.urlopen(u.Request('http://127.0.0.1:' + sys.argv[1] + '/healthz', headers={'Host': sys.argv[2]}), timeout=5); sys.exit(r.status != 200)" \
          "$(web_port)" "$(site_host)"
        ;;
      ready)
        exec "$PYTHON" -c "import sys, urllib.request as u; r = u.urlopen(u.Request('http://127.0.0.1:' + sys.argv[1] + '/readyz', headers={'Host': sys.argv[2]}), timeout=10); sys.exit(r.status != 200)" \
          "$(web_port)" "$(site_host)"
        ;;
      worker)
        exec celery -A delmos inspect ping --timeout 5 \
          --destination "${CELERY_WORKER_NAME:-worker}@$(hostname)"
        ;;
      beat)
        # Beat rewrites its schedule file as it runs the periodic tasks (every few minutes).
        schedule="${CELERY_BEAT_SCHEDULE_FILE:?set CELERY_BEAT_SCHEDULE_FILE}"
        [ -n "$(find "$(dirname "$schedule")" -maxdepth 1 -name "$(basename "$schedule")*" -mmin -10 2>/dev/null)" ]
        ;;
      proxy)
        exec curl -fsS -o /dev/null --max-time 5 --insecure \
          --resolve "$(site_host):${PROXY_PORT:-8443}:127.0.0.1" \
          "https://$(site_host):${PROXY_PORT:-8443}/healthz"
        ;;
      *)
        echo "usage: $0 check web|ready|worker|beat|proxy" >&2
        exit 64
        ;;
    esac
    ;;
  *)
    echo "usage: $0 build|release|web|worker|beat|proxy|check NAME" >&2
    exit 64
    ;;
esac
