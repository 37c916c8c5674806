# syntax=docker/dockerfile:1
# Production image of the OMS: gunicorn by default; the same image runs the Celery worker and
# beat (see docker-compose.yml). Settings come from the environment, see oms/settings.py.

# --- Front-end assets: installed from npm, served by whitenoise from node_modules ----------
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- Application -----------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

# PYTHONPATH=/app: the apps are imported from the source tree (with their templates, static
# files and locale), never from the copy that `pip install .` puts into site-packages.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    OMS_VAR_DIR=/app/var

# WeasyPrint's runtime libraries, CJK fonts for the PDFs, gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-noto-cjk \
        gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system oms \
    && useradd --system --gid oms --home-dir /app --no-create-home --shell /usr/sbin/nologin oms

WORKDIR /app

# Dependencies first, exactly as locked (versions and hashes, see `make upgrade`), so that this
# layer is rebuilt only when the lock changes; then the project itself. No test extras.
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt
COPY . .
RUN pip install --no-cache-dir --no-deps . && rm -rf build *.egg-info

COPY --from=assets /app/node_modules /app/node_modules

# Translations and static files at build time. The values below only let the settings load:
# neither command connects to the database.
RUN DEBUG=0 \
    SECRET_KEY=build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost/build \
    sh -c "python manage.py compilemessages -v 0 --ignore 'node_modules/*' \
        && python manage.py collectstatic --noinput -v 0" \
    && mkdir -p /app/var \
    && chown -R oms:oms /app/var

USER oms

EXPOSE 8000

# Healthy when gunicorn answers at all (any status below 500, e.g. 400 for a Host header that
# is not in ALLOWED_HOSTS); no redirects are followed. Disabled for worker and beat in compose.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import http.client, sys; c = http.client.HTTPConnection('127.0.0.1', 8000, timeout=4); c.request('GET', '/login/', headers={'Host': 'localhost'}); sys.exit(0 if c.getresponse().status < 500 else 1)"]

ENV OMS_BIND=0.0.0.0:8000
CMD ["gunicorn", "oms.wsgi", "--config", "/app/gunicorn.conf.py"]
