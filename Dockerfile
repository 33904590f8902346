FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango and fonts; nothing is fetched at run time.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# The application runs as an unprivileged user: code and static files are root's (read-only to it); only its
# data (/data: media, signing keys; a new volume mounted there takes this ownership) and /app/var are its own.
RUN groupadd --system --gid 10001 pkimm && useradd --system --uid 10001 --gid pkimm --home-dir /app --no-create-home pkimm
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e ".[s3]"
COPY . .
ENV STATIC_ROOT=/app/staticfiles
RUN SECRET_KEY=build-only PKIMM_VAR_DIR=/app/var python manage.py collectstatic --noinput \
    && mkdir -p /app/var /data/var /data/media && chown -R pkimm:pkimm /app/var /data
ENV PYTHONUNBUFFERED=1 PKIMM_VAR_DIR=/app/var
USER pkimm:pkimm
EXPOSE 8000
CMD ["gunicorn", "pkimm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "60"]
