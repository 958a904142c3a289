"""disk.target_free, disk.target_size, rootvg.leftover_alt, rootvg.multibos."""

from __future__ import annotations

from dataclasses import replace

from cockpit.domain.preflight import Severity, Status
from cockpit.domain.preflight.checks import LeftoverAlt, Multibos, TargetFree, TargetSize
from tests.unit.preflight import samples as s
from tests.unit.preflight.fleet import CTX, Out, commands_of, evaluate, healthy

LSPV = ("client", "lspv")
BOOTINFO = ("client", "bootinfo -s hdisk2")
LSVG_L = ("client", "lsvg -l rootvg")


def test_free_target_disk_passes() -> None:
    [f] = evaluate(TargetFree(), healthy())
    assert (f.host, f.status, f.summary) == (
        "adachi-AIX7",
        Status.PASS,
        "target disk hdisk2 on adachi-AIX7 is in no volume group",
    )
    assert f.evidence[0].output == "hdisk2          00f6a07c1dc6f18a                    None"


def test_target_disk_in_a_volume_group_fails_and_names_the_free_disks() -> None:
    [f] = evaluate(TargetFree(), healthy() | {LSPV: Out(0, s.LSPV_TARGET_IN_DATAVG)})
    assert (f.status, f.severity) == (Status.FAIL, Severity.INHIBITOR)
    assert f.summary == "target disk hdisk2 on adachi-AIX7 belongs to volume group datavg"
    assert f.remediation.hint == "hdisk2 belongs to datavg: pick another disk. Free disks on adachi-AIX7: hdisk3."
    assert commands_of(f) == []


def test_target_disk_that_does_not_exist() -> None:
    ctx = replace(CTX, disks=("hdisk7",))
    answers = healthy() | {("client", "bootinfo -s hdisk7"): Out(0, "0\n")}
    [f] = evaluate(TargetFree(), answers, ctx)
    assert (f.status, f.summary) == (Status.FAIL, "target disk hdisk7 does not exist on adachi-AIX7 (not in lspv)")
    [size] = evaluate(TargetSize(), answers, ctx)
    assert (size.status, size.summary) == (
        Status.FAIL,
        "bootinfo -s gives no size for target disk hdisk7 on adachi-AIX7",
    )


def test_target_disk_of_the_running_rootvg() -> None:
    ctx = replace(CTX, disks=("hdisk0",))
    [f] = evaluate(TargetFree(), healthy() | {("client", "bootinfo -s hdisk0"): Out(0, "40960\n")}, ctx)
    assert f.summary == "target disk hdisk0 on adachi-AIX7 belongs to volume group rootvg"
    assert "never use it as target" in f.remediation.hint


def test_target_disk_holding_an_old_altinst_rootvg_points_at_the_leftover_check() -> None:
    [f] = evaluate(TargetFree(), healthy() | {LSPV: Out(0, s.LSPV_AFTER_NIMADM)})
    assert f.summary == "target disk hdisk2 on adachi-AIX7 belongs to volume group altinst_rootvg"
    assert "rootvg.leftover_alt" in f.remediation.hint and commands_of(f) == []


def test_disk_big_enough_for_rootvg_passes() -> None:
    [f] = evaluate(TargetSize(), healthy())
    assert (f.status, f.summary) == (
        Status.PASS,
        "target hdisk2 (40960 MB) on adachi-AIX7 can hold rootvg (40896 MB, 25856 MB used)",
    )
    assert [e.command for e in f.evidence] == ["lsvg rootvg", "bootinfo -s hdisk2"]


def test_disk_smaller_than_rootvg_used_fails() -> None:
    [f] = evaluate(TargetSize(), healthy() | {BOOTINFO: Out(0, "20480\n")})
    assert (f.status, f.severity) == (Status.FAIL, Severity.INHIBITOR)
    assert f.summary == (
        "target hdisk2 (20480 MB) on adachi-AIX7 is smaller than the 25856 MB rootvg uses (404 PPs x 64 MB)"
    )
    assert commands_of(f) == []
    assert "at least 25856 MB" in f.remediation.hint


def test_disk_between_used_and_total_warns() -> None:
    [f] = evaluate(TargetSize(), healthy() | {BOOTINFO: Out(0, "30720\n")})
    assert (f.status, f.severity) == (Status.WARN, Severity.MEDIUM)
    assert f.summary == (
        "target hdisk2 (30720 MB) on adachi-AIX7 holds the 25856 MB rootvg uses (404 PPs x 64 MB) but is smaller "
        "than rootvg (40896 MB)"
    )
    assert not f.blocking


def test_two_target_disks_add_up() -> None:
    ctx = replace(CTX, disks=("hdisk2", "hdisk3"))
    answers = healthy() | {BOOTINFO: Out(0, "20480\n"), ("client", "bootinfo -s hdisk3"): Out(0, "20480\n")}
    [f] = evaluate(TargetSize(), answers, ctx)
    assert (
        f.summary
        == "target hdisk2 (20480 MB) + hdisk3 (20480 MB) on adachi-AIX7 can hold rootvg (40896 MB, 25856 MB used)"
    )
    [free] = evaluate(TargetFree(), answers, ctx)
    assert free.summary == "target disk hdisk2 hdisk3 on adachi-AIX7 is in no volume group"


def test_no_leftover_passes() -> None:
    [f] = evaluate(LeftoverAlt(), healthy())
    assert (f.status, f.summary) == (Status.PASS, "no altinst_rootvg or old_rootvg on adachi-AIX7")


def test_altinst_rootvg_left_over() -> None:
    [f] = evaluate(LeftoverAlt(), healthy() | {LSPV: Out(0, s.LSPV_AFTER_NIMADM)})
    assert (f.status, f.severity) == (Status.FAIL, Severity.HIGH)
    assert f.summary == "altinst_rootvg is left over on adachi-AIX7 (hdisk2)"
    assert commands_of(f) == [("adachi-AIX7", "alt_rootvg_op -X altinst_rootvg"), ("adachi-AIX7", "chpv -C hdisk2")]
    assert f.remediation.destructive is True
    assert "`nimadm -C -c adachi-AIX7 -s spot_AIX72TL5` on adachi-nim" in f.remediation.hint


def test_without_the_runbooks_cleanup_line_the_hint_still_names_nimadm_c() -> None:
    [f] = evaluate(LeftoverAlt(), healthy() | {LSPV: Out(0, s.LSPV_AFTER_NIMADM)}, replace(CTX, cleanup=""))
    assert "run `nimadm -C` for adachi-AIX7 on adachi-nim instead." in f.remediation.hint


def test_old_rootvg_left_over_warns_that_it_is_the_rollback() -> None:
    [f] = evaluate(LeftoverAlt(), healthy() | {LSPV: Out(0, s.LSPV_AFTER_REBOOT)})
    assert f.summary == "old_rootvg is left over on adachi-AIX7 (hdisk0)"
    assert commands_of(f) == [("adachi-AIX7", "alt_rootvg_op -X old_rootvg"), ("adachi-AIX7", "chpv -C hdisk0")]
    assert "rollback" in f.remediation.hint


def test_no_multibos_passes() -> None:
    [f] = evaluate(Multibos(), healthy())
    assert (f.status, f.summary) == (Status.PASS, "no multibos standby instance on adachi-AIX7")


def test_bos_hd5_is_a_multibos_standby_instance() -> None:
    [f] = evaluate(Multibos(), healthy() | {LSVG_L: Out(0, s.LSVG_L_MULTIBOS)})
    assert (f.status, f.severity) == (Status.FAIL, Severity.INHIBITOR)
    assert f.summary == (
        "rootvg on adachi-AIX7 holds a multibos standby instance (bos_hd5, bos_hd4, bos_hd2, bos_hd9var, "
        "bos_hd10opt): phase 11 would fail with 0505-218 and 0505-187"
    )
    assert commands_of(f) == [("adachi-AIX7", "multibos -R")]
    assert f.remediation.destructive is True
    assert f.evidence[0].output.splitlines()[0].startswith("bos_hd5 ")


def test_bos_lvs_without_bos_hd5_only_warn() -> None:
    text = s.LSVG_L_MULTIBOS.replace("bos_hd5  ", "bos_hd5x ")
    [f] = evaluate(Multibos(), healthy() | {LSVG_L: Out(0, text)})
    assert (f.status, f.severity) == (Status.WARN, Severity.LOW)


def test_unreadable_lspv_is_an_error() -> None:
    [f] = evaluate(LeftoverAlt(), healthy() | {LSPV: Out(0, "\n")})
    assert f.status is Status.ERROR
    assert f.summary == (
        "leftover alternate rootvg: `lspv` on adachi-AIX7 printed something unexpected: "
        "no hdisk row in this lspv output"
    )
