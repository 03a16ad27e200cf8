# One image for web, worker and beat (see docker-compose.yml).

# The PWA, built with Node; only its output goes into the image.
FROM node:20-bookworm-slim AS frontend
WORKDIR /frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend ./
RUN npm run build

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LDN_ENV=production LDN_VAR_DIR=/var/lib/ldn-diary
WORKDIR /app

RUN useradd --system --create-home --home-dir /var/lib/ldn-diary ldn
# Pango, HarfBuzz and a font for WeasyPrint (the PDF visit report)
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core >/dev/null \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml requirements.lock ./
COPY config ./config
COPY diary ./diary
COPY api ./api
COPY manage.py ./
COPY --from=frontend /frontend/dist ./frontend/dist
RUN pip install --no-cache-dir -c requirements.lock . \
    && python -m whitenoise.compress -q frontend/dist \
    && SECRET_KEY=build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))') \
       MFA_ENCRYPTION_KEY=$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
       DATABASE_URL=postgres://build@localhost/build ALLOWED_HOSTS=build \
       python manage.py collectstatic --no-input -v 0

USER ldn
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-c", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
