# syntax=docker/dockerfile:1
# Chợ OCOP. One image runs the web nodes (gunicorn, the default command), the Celery
# worker and beat, and the migrations (compose.yaml gives their commands):
#   docker build -t ocop-shop .                  # the app: the last stage, "runtime"
#   docker build --target edge -t ocop-edge .    # nginx with the static files and site
# Stages: deps (a virtualenv with pyproject.toml's dependencies, rebuilt only when they
# change), build (the code and its compiled translations), edge, runtime (slim,
# non-root, a health check on /healthz).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NGINX_IMAGE=nginx:1.27-bookworm

FROM ${PYTHON_IMAGE} AS deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml /tmp/pyproject.toml
# The dependencies only: the code runs from /app, beside its templates, static files
# and migrations (create_app finds them next to the package, not inside it).
RUN python -c "import tomllib; \
print('\n'.join(tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

FROM deps AS build
WORKDIR /app
COPY config.py wsgi.py babel.cfg ./
COPY shop ./shop
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY deploy ./deploy
RUN pybabel -q compile -d shop/translations \
    && find . -name __pycache__ -prune -exec rm -rf {} +

# nginx in front of the web nodes: the static files of this very release and the site
# template, rendered at start by the image's envsubst (only the ${OCOP_*} names).
FROM ${NGINX_IMAGE} AS edge
COPY --from=build /app/static /srv/ocop/static
COPY deploy/nginx/ocop.conf /etc/nginx/templates/default.conf.template
ENV OCOP_LISTEN=80 \
    OCOP_WEB_1=web1:8000 \
    OCOP_WEB_2=web2:8000 \
    OCOP_STATIC_ROOT=/srv/ocop/static \
    OCOP_CACHE_DIR=/var/cache/nginx/ocop \
    OCOP_ACCESS_LOG=/dev/stdout \
    NGINX_ENVSUBST_FILTER=^OCOP_
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1/static/img/favicon.svg"]

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    SHOP_ENV=production \
    FLASK_APP=wsgi \
    INSTANCE_PATH=/app/instance \
    GUNICORN_BIND=0.0.0.0:8000
RUN groupadd --system --gid 10001 ocop \
    && useradd --system --uid 10001 --gid ocop --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin ocop
COPY --from=deps /opt/venv /opt/venv
WORKDIR /app
# The code belongs to root and is read-only for the shop; only instance/ is its own.
COPY --from=build /app /app
RUN mkdir -p /app/instance && chown ocop:ocop /app/instance
USER ocop
EXPOSE 8000
# Liveness: the process answers and reaches its database. (/readyz names each
# dependency for a load balancer or a person.)
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py"]
