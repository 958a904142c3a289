#!/bin/sh
# Every bench of the README table, one after the other (they must not overlap: they share the cores).
# Output: bench/results/*.txt (and .json). About an hour on 2 cores; the 500-host runs are last.
set -e
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p bench/results
$PY bench/startup.py --runs 10 --cold                            > bench/results/startup.txt 2>&1
$PY bench/diagnose_bench.py                                      > bench/results/diagnose.txt 2>&1
$PY bench/memory.py                                              > bench/results/memory-plain.txt 2>&1
$PY bench/memory.py --app                                        > bench/results/memory-app.txt 2>&1
$PY bench/ui_lag.py --json bench/results/ui-headless-events.json > bench/results/ui-headless-events.txt 2>&1
$PY bench/ui_lag.py --no-person --json bench/results/ui-streaming-only.json > bench/results/ui-streaming-only.txt 2>&1
$PY bench/ui_lag.py --feed engine --json bench/results/ui-headless-engine.json > bench/results/ui-headless-engine.txt 2>&1
$PY bench/ui_lag.py --mode pty --json bench/results/ui-pty-events.json > bench/results/ui-pty-events.txt 2>&1
$PY bench/ui_lag.py --mode pty --feed engine --json bench/results/ui-pty-engine.json > bench/results/ui-pty-engine.txt 2>&1
$PY bench/ui_lag.py --mode pty --feed engine --rates 50000 --freeze-gc --json bench/results/ui-pty-engine-freezegc.json \
    > bench/results/ui-pty-engine-freezegc.txt 2>&1
$PY bench/fanout.py --hosts 10,50,200 --runs 3 --json bench/results/fanout.json > bench/results/fanout.txt 2>&1
$PY bench/sshd_startups.py --clients 200                         > bench/results/sshd-startups.txt 2>&1
$PY bench/faults.py --hosts 500 --json bench/results/faults-500.json > bench/results/faults-500.txt 2>&1
$PY bench/fanout.py --hosts 500 --runs 1 --tools floor,cockpit@1,ansible --json bench/results/fanout-500.json \
    > bench/results/fanout-500.txt 2>&1
