# The two commands a newcomer needs: `make demo` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint check sshd browser clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

## Open the cockpit on a simulated fleet (1 NIM master + 8 AIX clients on 127.0.0.1).
demo: $(STAMP)
	$(BIN)/cockpit demo

## Lint, layering rules, then the whole test suite (including a real OpenSSH sshd on loopback and
## the cockpit in headless Chromium).
test: $(STAMP) sshd browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --durations=10

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

## The end-to-end test needs OpenSSH's sshd; install it where we can (root with apt-get).
sshd:
	@sh tests/setup_sshd.sh

## The browser test needs Chromium; install it where we can (root with apt-get).
browser:
	@sh tests/setup_browser.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
