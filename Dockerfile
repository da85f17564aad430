# The platform's image: gunicorn by default; the worker runs the same image with
# `celery -A backend worker`. Settings come from the environment (backend/settings.py).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# WeasyPrint's runtime: pango renders text; libharfbuzz-subset0 lets it embed only
# the glyphs it uses (a Chinese scorecard takes ~14 s without it); fonts-noto-cjk
# gives the Chinese glyphs. Installing the fonts also builds the fontconfig cache.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, from pyproject.toml alone, so a code change does not
# reinstall them. The project installs no packages ([tool.setuptools]
# packages = []): the code runs from /app.
COPY pyproject.toml /tmp/project/pyproject.toml
RUN cd /tmp/project && pip install . && rm -rf /tmp/project

WORKDIR /app
COPY . .
RUN chmod 0755 scripts/docker-entrypoint.sh

# Static files are part of the image; WhiteNoise serves them from var/static.
RUN python manage.py collectstatic --noinput -v0

# Run as a user that can write only var/ (SQLite and uploads when no DATABASE_URL
# or bucket is configured), not the code.
RUN useradd --create-home --uid 10001 app \
    && mkdir -p var/media \
    && chown app:app var var/media
USER app

EXPOSE 8000
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["gunicorn", "backend.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
