# syntax=docker/dockerfile:1
# Two images from one build: `app` (web, worker, beat and the release step) and `proxy` (nginx
# with the collected static files). Both run as unprivileged users; the app user owns exactly the
# writable paths: /data/media, /data/private and /data/beat. The service commands are in
# deploy/services.sh, which `make production-smoke` runs natively too.

FROM python:3.11-slim-bookworm AS app
# WeasyPrint's libraries and a font; Debian's security updates decide the versions.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles \
    STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    WHITENOISE_USE_FINDERS=0 \
    MEDIA_ROOT=/data/media \
    PRIVATE_MEDIA_ROOT=/data/private \
    CELERY_BEAT_SCHEDULE_FILE=/data/beat/celerybeat-schedule
RUN groupadd --system --gid 10001 delmos \
    && useradd --system --uid 10001 --gid delmos --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin delmos
WORKDIR /app
# The dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
# The Swedish catalogue and the static files (manifest storage) are part of the image, owned by
# root and read-only for the service user.
RUN deploy/services.sh build \
    && mkdir -p /data/media /data/private /data/beat \
    && chown delmos:delmos /data/media /data/private /data/beat
USER delmos:delmos
EXPOSE 8000
ENTRYPOINT ["/app/deploy/services.sh"]
CMD ["web"]

FROM nginx:1.27-bookworm AS proxy
COPY --from=app /app/staticfiles /srv/static
COPY deploy/services.sh deploy/nginx.conf.template /app/deploy/
# nginx's own unprivileged user; the configuration, pid and temporary files go to /tmp/nginx.
USER nginx
EXPOSE 8080 8443
ENTRYPOINT ["/app/deploy/services.sh"]
CMD ["proxy"]
