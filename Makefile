PY ?= .venv/bin/python

.PHONY: run test translations translations-check bench build dist

run:
	bash scripts/run-app.sh

test:
	bash scripts/test.sh

translations:
	$(PY) -m focalpoint.tools.i18n_build update
	$(PY) -m focalpoint.tools.i18n_build compile

translations-check:
	$(PY) -m focalpoint.tools.i18n_build check

bench:
	$(PY) bench/run.py --output bench/results.json

build:
	$(PY) -m PyInstaller --noconfirm --clean build.spec

dist:
	bash scripts/dist.sh
