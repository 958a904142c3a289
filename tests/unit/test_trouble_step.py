"""Reading the process probe's answer: AIX and busybox ps listings, zombie wrappers, and what the host
says of the step (running, ended, gone without an exit status, never started there)."""

from __future__ import annotations

from cockpit.domain.troubleshoot import StepWhere, defunct, parse_ps, read_step_probe

WHERE = StepWhere("nimadm-r1", "/var/tmp/cockpit/r1/lpar01.nimadm-r1", "nim01", "running")
AIX = """     PID    PPID     ELAPSED COMMAND
       1       0 12-01:02:03 /etc/init
    4242       1       22:16 /bin/sh ./run
    4250    4242       22:16 /bin/sh ./cmd
    4251    4250       22:15 /usr/sbin/nimadm -c lpar01 -l lpp72 -s spot72 -d hdisk2 -Y
    5000       1       01:00 /usr/sbin/syslogd
"""
BUSYBOX = """PID   PPID  COMMAND
    1     0 init
 4242     1 [sh]
 4251     1 sleep 30
"""


def test_ps_listings_of_aix_and_busybox_are_read_by_their_header() -> None:
    aix = parse_ps(AIX)
    assert [(p.pid, p.ppid, p.etime) for p in aix][:2] == [(1, 0, "12-01:02:03"), (4242, 1, "22:16")]
    assert aix[3].args == "/usr/sbin/nimadm -c lpar01 -l lpp72 -s spot72 -d hdisk2 -Y"
    box = parse_ps(BUSYBOX)
    assert [(p.pid, p.ppid, p.etime, p.args) for p in box] == [
        (1, 0, "", "init"),
        (4242, 1, "", "[sh]"),
        (4251, 1, "", "sleep 30"),
    ]
    assert defunct(box[1]) and not defunct(box[2])
    assert defunct(parse_ps("PID PPID ELAPSED COMMAND\n 7 1 00:01 [sh] <defunct>\n")[0])


def test_what_the_host_says_of_the_step() -> None:
    running = read_step_probe(WHERE, "cockpit-step: started pid=4242 rc=-\n" + AIX).splitlines()
    assert running[0] == "step nimadm-r1 · running · pid 4242:"
    assert [line.split()[0] for line in running[1:]] == ["4242", "4250", "4251"]  # not syslogd

    ended = read_step_probe(WHERE, "cockpit-step: started pid=4242 rc=0\nPID PPID ELAPSED COMMAND\n").splitlines()
    assert ended == [
        "step nimadm-r1 · ended, exit status 0",
        "no process of it left (its wrapper was pid 4242)",
    ]
    # A zombie wrapper with no rc: killed (its child was reparented to init and is not shown as the step's).
    gone = read_step_probe(WHERE, "cockpit-step: started pid=4242 rc=-\n" + BUSYBOX)
    assert gone.splitlines()[1].startswith("its wrapper (pid 4242) is gone and wrote no exit status")
    absent = read_step_probe(WHERE, "cockpit-step: absent pid=- rc=-\n" + AIX)
    assert absent.splitlines()[1] == "its step directory is not on nim01: it never started there"
