FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango and fonts; nothing is fetched at run time.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e ".[s3]"
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
CMD ["gunicorn", "pkimm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
