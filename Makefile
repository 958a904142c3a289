# The two commands a newcomer needs: `make demo` and `make test`. Both build .venv from nothing,
# from the pinned dependency set in constraints.txt (see its header for why).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PIN_PIP := $(shell sed -n 's/^pip==//p' constraints.txt)
# Four pytest workers on two cores: most of a test is spent waiting for simulated hosts (SSH round
# trips, simulated nimadm phases), not computing: at 2 workers the suite used 413 s of CPU in 651 s
# of wall time; at 4 the same CPU fits in 369 s. `make test TEST_WORKERS=2` for a loaded machine.
TEST_WORKERS ?= 4

.PHONY: demo test lint check sshd browser shells clean lock test-latest

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	@echo "installing the pinned dependency set (constraints.txt) into $(VENV) (log: $(VENV)/install.log)"
	@# pip and the build backend print their own deprecation notices: kept in the log, shown only on failure.
	@{ $(BIN)/pip install --quiet --disable-pip-version-check 'pip==$(PIN_PIP)' && \
	   $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'; \
	 } > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; echo "make: installing into $(VENV) failed"; exit 1; }
	@touch $(STAMP)

## Open the cockpit on a simulated fleet (1 NIM master + 8 AIX clients on 127.0.0.1).
demo: $(STAMP)
	$(BIN)/cockpit demo

## Lint, layering rules, static types (mypy), then the whole test suite (including a real OpenSSH sshd
## on loopback, the cockpit in headless Chromium, and the remote-step protocol under ksh93, mksh and busybox).
test: $(STAMP) sshd browser shells
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=10

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports && $(BIN)/mypy

## The suite against the newest release of every dependency (in .venv-latest, constraints.txt
## ignored): drift shows here before it reaches a fresh clone. Not part of `make test`.
test-latest: sshd browser shells
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/pip install --quiet --upgrade pip
	.venv-latest/bin/pip install --quiet --upgrade -e '.[test]'
	.venv-latest/bin/pip freeze --exclude-editable | diff constraints.txt - | grep '^[<>] [A-Za-z]' || true
	.venv-latest/bin/pytest -n $(TEST_WORKERS) -p no:cacheprovider

## Rewrite constraints.txt from a fresh resolve of pyproject.toml (then review, `make test`, commit).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e '.[test]'
	{ grep '^#' constraints.txt; .venv-lock/bin/pip freeze --exclude-editable | grep -v '^#'; \
	  .venv-lock/bin/pip --version | awk '{print "pip==" $$2}'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .venv-lock
	@echo "constraints.txt rewritten; the build backend is pinned apart, in pyproject.toml [build-system]"

## The end-to-end test needs OpenSSH's sshd; install it where we can (root with apt-get).
sshd:
	@sh tests/setup_sshd.sh

## The shell tests need ksh93, mksh, busybox and shellcheck; install them where we can (root with apt-get).
shells:
	@sh tests/setup_shells.sh

## The browser test needs Chromium; install it where we can (root with apt-get).
browser:
	@sh tests/setup_browser.sh

clean:
	rm -rf $(VENV) .venv-latest .venv-lock .pytest_cache .ruff_cache build *.egg-info
