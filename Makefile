# Trợ lý thủ tục hành chính — build, run and test.
#
#   make run    set up everything that is missing or out of date, then start all services
#   make test   set up what the tests need, then run lint + every test (CI runs this)
#
# Every step skips itself when its inputs did not change: the environments are
# stamped with a hash of their requirement files; `tthc model prepare`,
# `tthc text build`, `tthc index` and `bot/rasa_env/train.py` hash their own inputs.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PY311 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.11*/bin/python3.11) $(shell command -v python3.11))
PY310 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) $(shell command -v python3.10))
TORCH_VERSION := 2.13.0
PIP_VERSION := 24.2

APP_VENV := .venv
RASA_VENV := .venv-rasa
APP_HASH := $(shell cat requirements.txt requirements/app.lock.txt pyproject.toml setup.py common/text/_ngram.c | sha256sum | cut -c1-16)
RASA_HASH := $(shell cat requirements.txt requirements/rasa.lock.txt pyproject.toml setup.py common/text/_ngram.c | sha256sum | cut -c1-16)
APP_STAMP := $(APP_VENV)/.installed-$(APP_HASH)
RASA_STAMP := $(RASA_VENV)/.installed-$(RASA_HASH)

TTHC := $(APP_VENV)/bin/tthc

# Offline, quiet, loopback-only defaults for every process started from here.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export SANIC_HOST := 127.0.0.1
export PYTHONUNBUFFERED := 1

.PHONY: help
help:
	@echo "make run        set up (environments, model, index, Rasa model) and start the assistant"
	@echo "make test       set up what is needed and run lint + all tests"
	@echo "make setup      everything 'run' needs, without starting"
	@echo "make envs       create/update both Python environments"
	@echo "make lint       ruff check + format check"
	@echo "make audit      pip-audit of both lock files (allow-list in SECURITY.md)"
	@echo "make bench-load load benchmarks: 200 chat sessions × 60 s, /api/search with 50 clients"
	@echo "make nlu-report NLU cross-validation report into bot/results/"
	@echo "make lock       re-pin requirements/*.lock.txt from the current environments"
	@echo "make clean      remove built artefacts in var/ (keeps environments)"

# ---------------------------------------------------------------- environments
.PHONY: envs
envs: $(APP_STAMP) $(RASA_STAMP)

$(APP_STAMP):
	@test -n "$(PY311)" || { echo "Python 3.11 introuvable: cài bằng 'pyenv install 3.11.7' rồi chạy lại." >&2; exit 1; }
	@echo "==> Môi trường ứng dụng (Python 3.11) — $(APP_VENV)"
	test -x $(APP_VENV)/bin/python || $(PY311) -m venv $(APP_VENV)
	$(APP_VENV)/bin/pip install -q --disable-pip-version-check pip==$(PIP_VERSION)
	# torch first and pinned: an unpinned torch resolves to a multi-GB CUDA build.
	$(APP_VENV)/bin/pip install -q torch==$(TORCH_VERSION)
	$(APP_VENV)/bin/pip install -q -r requirements.txt -c requirements/app.lock.txt
	$(APP_VENV)/bin/pip install -q --no-deps -e .
	$(APP_VENV)/bin/pip check
	rm -f $(APP_VENV)/.installed-* && touch $@

# After the application's environment (order only): both install this project in editable mode,
# which writes the same metadata folder in the working tree.
$(RASA_STAMP): | $(APP_STAMP)
	@test -n "$(PY310)" || { echo "Python 3.10 introuvable: cài bằng 'pyenv install 3.10.13' rồi chạy lại." >&2; exit 1; }
	@echo "==> Môi trường Rasa (Python 3.10) — $(RASA_VENV)"
	test -x $(RASA_VENV)/bin/python || $(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install -q --disable-pip-version-check pip==$(PIP_VERSION)
	# The lock pins every package, so pip never resolves torch/sentence-transformers here.
	$(RASA_VENV)/bin/pip install -q -r requirements.txt -c requirements/rasa.lock.txt
	$(RASA_VENV)/bin/pip install -q --no-deps -e .
	$(RASA_VENV)/bin/pip check
	rm -f $(RASA_VENV)/.installed-* && touch $@

.PHONY: lock
lock:
	$(RASA_VENV)/bin/pip freeze --exclude-editable > requirements/rasa.lock.txt
	$(APP_VENV)/bin/pip freeze --exclude-editable | sed 's/^torch==$(TORCH_VERSION)+cpu/torch==$(TORCH_VERSION)/' > requirements/app.lock.txt

# ---------------------------------------------------------------- build steps
.PHONY: model text-model index rasa-model setup
model: $(APP_STAMP)
	$(TTHC) model prepare

text-model: $(APP_STAMP)
	$(TTHC) text build

index: model text-model
	$(TTHC) index

rasa-model: $(RASA_STAMP) text-model model
	$(RASA_VENV)/bin/python -m bot.rasa_env.train

# Two jobs at a time: the Rasa environment installs while the model is converted and the index
# built, and Rasa trains while the index encodes (`make run` on a fresh clone: see README).
.PHONY: setup-steps
setup:
	@$(MAKE) --no-print-directory -j2 setup-steps

setup-steps: envs model text-model index rasa-model widget

# Web widget: api/widget/src → api/static/widget.js (esbuild). The bundle is committed and
# carries the hash of its inputs, so an unchanged widget needs neither node nor npm.
WIDGET_HASH := $(shell cd api/widget && cat package.json package-lock.json build.mjs $$(find src -type f | sort) 2>/dev/null | sha256sum | cut -c1-16)
.PHONY: widget
widget:
	@if head -c 200 api/static/widget.js 2>/dev/null | grep -q "inputs:$(WIDGET_HASH)"; then \
	  echo "==> widget.js up to date ($(WIDGET_HASH))"; \
	else \
	  echo "==> Building api/static/widget.js ($(WIDGET_HASH))"; \
	  cd api/widget && npm ci --no-audit --no-fund --loglevel=error && WIDGET_HASH=$(WIDGET_HASH) node build.mjs; \
	fi

# ---------------------------------------------------------------- run
.PHONY: run
run: setup
	@echo "==> Khởi động: Rasa :5005, API + web chat + actions :8000 (Ctrl-C để dừng)"
	$(APP_VENV)/bin/honcho start -f Procfile

# ---------------------------------------------------------------- quality
.PHONY: lint
lint: $(APP_STAMP)
	$(APP_VENV)/bin/ruff check .
	$(APP_VENV)/bin/ruff format --check .

.PHONY: test
test: setup lint browser poppler audit
	# Rasa environment: the tests of bot/rasa_env and those of common/ marked rasa_env (shared code);
	# --confcutdir: the shared conftest of tests/ imports app-env packages (httpx)
	$(RASA_VENV)/bin/python -m pytest tests/bot/rasa_env tests/common -m rasa_env --confcutdir=tests/bot/rasa_env -q
	$(APP_VENV)/bin/python -m pytest tests --ignore=tests/bot/rasa_env -q

# Dependency audit of both lock files (pip-audit); known findings are allow-listed in SECURITY.md.
# Fails on a new finding; reports "NOT AUDITED" and does not fail when the vulnerability
# service cannot be reached (offline build machine).
.PHONY: audit
audit: $(APP_STAMP)
	$(APP_VENV)/bin/python -m tests.reliability.audit

# Load benchmarks (bench/, not part of `make test`): 200 chat sessions × 60 s through Rasa's
# REST webhook + step search for the highest rate with p95 ≤ 500 ms; /api/search with 50 clients.
.PHONY: bench-load
bench-load: setup
	$(APP_VENV)/bin/python bench/load_chat.py --rasa-instances 2 --step-search
	$(APP_VENV)/bin/python bench/load_search.py --step-search

# Headless Chromium + chromedriver from Debian for the browser tests (CI starts on a clean machine).
.PHONY: browser
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || { \
	  echo "==> Installing chromium + chromium-driver + emoji font (apt)"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium chromium-driver fonts-noto-color-emoji >/dev/null; }

# pdftotext (poppler-utils, Debian) reads the portal's official PDF exports (tthc kb import).
.PHONY: poppler
poppler:
	@command -v pdftotext >/dev/null || { \
	  echo "==> Installing poppler-utils (apt)"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq poppler-utils >/dev/null; }

.PHONY: nlu-report
nlu-report: rasa-model
	$(RASA_VENV)/bin/python -m bot.rasa_env.nlu_report

.PHONY: clean
clean:
	rm -rf var/index var/rasa/models var/text
