"""Finding migrations in a process table and reading NIM's view of them (pure)."""

from __future__ import annotations

from cockpit.domain.alt_disk import AltDiskTracker
from cockpit.domain.attach import Found, NimState, find_migrations, parse_elapsed, parse_lsnim, parse_ps

# An AIX master: an operator's login shell ran nimadm (a ksh script: its subshells repeat its command
# line); an Ansible task ran another; a clean-up of a third client; the NIM daemon.
AIX_PS = """\
     PID     PPID     USER     ELAPSED COMMAND
       1        0     root 12-01:02:03 /etc/init
    4100        1     root    01:12:00 /usr/sbin/sshd
    4200     4100     root       42:10 sshd: root@pts/0
    4210     4200     root       42:09 -ksh
    4300     4210     root    31:05 /usr/bin/ksh /usr/sbin/nimadm -c lpar01 -l lpp_7300 -s spot_7300 -d hdisk2 hdisk3 -Y
    4301     4300     root    31:04 /usr/bin/ksh /usr/sbin/nimadm -c lpar01 -l lpp_7300 -s spot_7300 -d hdisk2 hdisk3 -Y
    4302     4301     root       02:01 /usr/sbin/installp -acgXYd /lpp -f /tmp/list
    5100     4100     root       10:00 sshd: ansible@notty
    5110     5100  ansible       09:59 /bin/sh -c sudo -H -S -n -u root /bin/sh -c 'python3 AnsiballZ_command.py'
    5120     5110     root       09:58 python3 /home/ansible/.ansible/tmp/AnsiballZ_command.py
    5130     5120     root       09:57 /usr/sbin/nimadm -c lpar02 -l lpp_7300 -s spot_7300 -d hdisk1 -Y -P7
    6000     4210     root       00:03 /usr/sbin/nimadm -C -c lpar03 -s spot_7300
    7000        1     root  3-00:00:00 /usr/sbin/nimesis -s
"""

# BusyBox's ps has no etime: the second form of PS_COMMAND.
BUSYBOX_PS = """\
PID   PPID  USER     COMMAND
    1     0 root     init
  900     1 root     /bin/sh -c alt_disk_copy -d hdisk1; :
  901   900 root     alt_disk_copy -d hdisk1
"""


def test_elapsed_times() -> None:
    assert parse_elapsed("00:03") == 3
    assert parse_elapsed("42:10") == 42 * 60 + 10
    assert parse_elapsed("01:12:00") == 72 * 60
    assert parse_elapsed("12-01:02:03") == 12 * 86400 + 3723
    assert parse_elapsed("x") is None and parse_elapsed("1:2:3:4") is None


def test_the_topmost_nimadm_of_each_client_with_who_started_it() -> None:
    procs = parse_ps(AIX_PS)
    assert procs[4300].elapsed == 31 * 60 + 5 and procs[4300].user == "root"
    found = find_migrations(procs, "nim01", ["nimadm"])
    assert [(f.client, f.pid) for f in found] == [("lpar01", 4300), ("lpar02", 5130)]  # no subshell, no -C
    by_hand, ansible = found
    assert by_hand.options["-d"] == "hdisk2 hdisk3" and by_hand.options["-s"] == "spot_7300"
    assert [p.pid for p in by_hand.chain] == [4210, 4200, 4100]
    owner = by_hand.owner()
    assert owner.startswith("root (pid 4300 on nim01, running 31m05s) via: -ksh (pid 4210, root) < sshd: root@pts/0")
    assert "AnsiballZ_command.py" in ansible.owner("02:31:05") and "started 02:31:05" in ansible.owner("02:31:05")
    assert ansible.first_phase == 7 and by_hand.first_phase == 1
    assert by_hand.log == "/var/adm/ras/alt_mig/lpar01_alt_mig.log"
    assert by_hand.cleanup == "nimadm -C -c lpar01 -s spot_7300"


def test_an_alt_disk_copy_on_a_client_without_elapsed_times() -> None:
    procs = parse_ps(BUSYBOX_PS)
    assert procs[901].elapsed is None and procs[901].args == "alt_disk_copy -d hdisk1"
    found = find_migrations(procs, "lpar04", ["alt_disk_copy", "alt_disk_mksysb"])
    assert [(f.kind, f.client, f.pid) for f in found] == [("alt_disk_copy", "lpar04", 901)]  # not its `sh -c`
    assert found[0].log == "/var/adm/ras/alt_disk_inst.log" and found[0].phases_total == 3
    assert found[0].cleanup == "alt_rootvg_op -X altinst_rootvg"
    assert found[0].started_at(1000.0) is None and "running" not in found[0].owner()


def test_commands_that_only_mention_nimadm_are_not_migrations() -> None:
    text = "PID PPID USER ELAPSED COMMAND\n 10 1 root 00:01 grep nimadm\n 11 1 root 00:01 vi /usr/sbin/nimadm\n"
    text += " 12 1 root 00:01 tail -f /var/adm/ras/alt_mig/lpar01_alt_mig.log\n"
    assert find_migrations(parse_ps(text), "nim01", ["nimadm"]) == []


def test_a_nimadm_without_a_safe_spot_has_no_cleanup_line() -> None:
    text = "PID PPID USER ELAPSED COMMAND\n 10 1 root 00:01 nimadm -c lpar01 -s spot;reboot -l l -d hdisk1\n"
    (found,) = find_migrations(parse_ps(text), "nim01", ["nimadm"])
    assert isinstance(found, Found) and found.cleanup is None


LSNIM = """\
lpar01:
   class          = machines
   type           = standalone
   Cstate         = alt_disk_install operation is being performed
   prev_state     = ready for a NIM operation
   Cstate_result  = success
   info           = Backing-up the rootvg files and restoring them to the alternate file system...
lpar02:
   class          = machines
   Cstate         = ready for a NIM operation
   Cstate_result  = failure
   info           = 0505-126 alt_disk_install- target disk hdisk2 has a volume group assigned to it.
lpar03:
   Cstate         = a client is being prepared for alt_disk_install
"""


def test_nim_states() -> None:
    states = parse_lsnim(LSNIM)
    assert states["lpar01"].busy and states["lpar03"].busy and not states["lpar02"].busy
    assert states["lpar02"].result == "failure" and states["lpar02"].info.startswith("0505-126")
    assert NimState("ready for a NIM operation", "", "success").describe() == (
        "Cstate: ready for a NIM operation; result: success"
    )


def test_alt_disk_tracker_phases_and_end() -> None:
    ok = AltDiskTracker()
    for line in ["Calling mkszfile to create new /image.data file.", "## Phase 2 ###################"]:
        ok.feed(line)
    assert ok.phase == 2 and not ok.done
    assert ok.feed("## Phase 3 ###################") and ok.phase == 3
    ok.feed("Bootlist is set to the boot disk: hdisk1 blv=hd5")
    assert ok.done and not ok.errors
    bad = AltDiskTracker(phase=2)
    bad.feed("## Phase 3 ###################")
    bad.feed("0516-082 /usr/sbin/lchangelv: Unable to access a special device file")
    bad.feed("Bootlist is set to the boot disk: hdisk0 blv=hd5")
    assert not bad.done and bad.failed_in_phase == 3 and bad.error_line is not None
