#!/bin/sh
# The image's entrypoint: with MIGRATE=1 apply migrations first, then run the
# command (gunicorn by default, celery for the worker).
set -eu

case "${MIGRATE:-0}" in
  1) python manage.py migrate --noinput ;;
  0) ;;
  *)
    echo "docker-entrypoint: MIGRATE='${MIGRATE}' must be 1 or 0." >&2
    exit 1
    ;;
esac

exec "$@"
