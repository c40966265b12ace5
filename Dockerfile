# issuebot: webhook server and queue workers in one image (see README "Run it in production").
# Base pinned to an exact tag; pin its digest too when your registry mirror records it.

FROM python:3.12.8-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /opt/issuebot/src
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY bot ./bot
COPY generators ./generators
COPY templates ./templates
COPY specs ./specs
# A wheel into its own venv: templates and specs travel inside the package (bot/_data), so
# the runtime stage needs no source tree.
RUN python -m venv /opt/issuebot/venv \
    && /opt/issuebot/venv/bin/pip install --no-cache-dir . \
    && /opt/issuebot/venv/bin/issuebot --version

FROM python:3.12.8-slim-bookworm
# git: clone, commit and push; bubblewrap: the sandbox the generated tests run in.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git=1:2.39.* bubblewrap=0.8.* \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/issuebot issuebot \
    && install -d -o issuebot -g issuebot /var/lib/issuebot
COPY --from=build /opt/issuebot/venv /opt/issuebot/venv
ENV PATH=/opt/issuebot/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    ISSUEBOT_WORK_DIR=/var/lib/issuebot/work \
    ISSUEBOT_LOG_JSON=true
USER 10001:10001
WORKDIR /var/lib/issuebot
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["issuebot", "serve", "--host", "0.0.0.0", "--port", "8000"]
