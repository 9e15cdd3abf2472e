FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
    && python -c "import polib; polib.pofile('locale/sv/LC_MESSAGES/django.po').save_as_mofile('locale/sv/LC_MESSAGES/django.mo')"
ENV PYTHONUNBUFFERED=1
USER nobody
EXPOSE 8000
