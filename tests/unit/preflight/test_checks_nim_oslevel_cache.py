"""nim.client_defined, nim.client_master, oslevel.master_not_below_target, cache_vg.space."""

from __future__ import annotations

from dataclasses import replace

from cockpit.domain.preflight import Severity, Status, plan_probes
from cockpit.domain.preflight.checks import CacheVgSpace, ClientDefined, ClientMaster, MasterNotBelowTarget
from tests.unit.preflight import samples as s
from tests.unit.preflight.fleet import CTX, Out, commands_of, evaluate, healthy

LSNIM = ("master", "lsnim -l adachi-AIX7")
NIMINFO = ("client", "cat /etc/niminfo")
OSLEVEL = ("master", "oslevel -s")
LPP = ("master", "nim -o showres -a installp_flags=L lpp_source_AIX72TL5")


def test_client_defined_passes() -> None:
    [f] = evaluate(ClientDefined(), healthy())
    assert (f.host, f.status, f.summary) == (
        "adachi-nim",
        Status.PASS,
        "client adachi-AIX7 is a NIM machine on adachi-nim",
    )


def test_client_unknown_to_nim_0042_053() -> None:
    [f] = evaluate(ClientDefined(), healthy() | {LSNIM: Out(53, "", s.LSNIM_MISSING)})
    assert (f.host, f.status, f.severity) == ("adachi-nim", Status.FAIL, Severity.INHIBITOR)
    assert f.summary == (
        "NIM master adachi-nim does not know client adachi-AIX7: "
        '0042-053 lsnim: there is no NIM object named "adachi-AIX7"'
    )
    assert commands_of(f) == []


def test_client_busy_with_another_nim_operation_warns() -> None:
    [f] = evaluate(ClientDefined(), healthy() | {LSNIM: Out(0, s.LSNIM_BUSY)})
    assert (f.status, f.severity) == (Status.WARN, Severity.MEDIUM)
    assert f.summary == (
        "client adachi-AIX7 is defined on adachi-nim but its Cstate is 'alt_disk_install operation is being performed'"
    )


def test_lsnim_failing_otherwise_is_an_error() -> None:
    [f] = evaluate(ClientDefined(), healthy() | {LSNIM: Out(1, "", "0042-008 nimclient: Request denied\n")})
    assert f.status is Status.ERROR
    assert "ended with exit status 1: 0042-008 nimclient: Request denied" in f.summary


def test_client_points_at_this_master() -> None:
    [f] = evaluate(ClientMaster(), healthy())
    assert (f.host, f.status, f.summary) == ("adachi-AIX7", Status.PASS, "adachi-AIX7 is a NIM client of adachi-nim")


def test_niminfo_naming_another_master() -> None:
    [f] = evaluate(ClientMaster(), healthy() | {NIMINFO: Out(0, s.NIMINFO_OTHER_MASTER)})
    assert (f.host, f.status, f.severity) == ("adachi-AIX7", Status.FAIL, Severity.INHIBITOR)
    assert f.summary == "/etc/niminfo on adachi-AIX7 names NIM master nim02.example.com, not adachi-nim"
    assert commands_of(f) == []
    assert "niminit -a name=adachi-AIX7 -a master=adachi-nim" in f.remediation.hint


def test_niminfo_with_the_masters_fqdn_or_its_own_hostname_passes() -> None:
    fqdn = s.NIMINFO.replace("=adachi-nim", "=adachi-nim.example.com")
    [f] = evaluate(ClientMaster(), healthy() | {NIMINFO: Out(0, fqdn)})
    assert f.status is Status.PASS
    # the cockpit reaches the master by another name; `hostname` on the master says what clients know
    ctx = replace(CTX, master="nim-admin")
    [f] = evaluate(ClientMaster(), healthy(), ctx)
    assert (f.status, f.summary) == (Status.PASS, "adachi-AIX7 is a NIM client of adachi-nim")


def test_missing_niminfo() -> None:
    [f] = evaluate(ClientMaster(), healthy() | {NIMINFO: Out(2, "", "cat: 0652-050 Cannot open /etc/niminfo.\n")})
    assert f.status is Status.FAIL
    assert f.summary == (
        "adachi-AIX7 has no readable /etc/niminfo (cat: 0652-050 Cannot open /etc/niminfo.): "
        "it is not a configured NIM client"
    )


def test_niminfo_calling_the_client_by_another_name_warns() -> None:
    [f] = evaluate(
        ClientMaster(), healthy() | {NIMINFO: Out(0, s.NIMINFO.replace("NIM_NAME=adachi-AIX7", "NIM_NAME=adachi7"))}
    )
    assert (f.status, f.summary) == (
        Status.WARN,
        "/etc/niminfo on adachi-AIX7 calls the client adachi7, the plan calls it adachi-AIX7",
    )


def test_master_at_the_target_level_passes() -> None:
    [f] = evaluate(MasterNotBelowTarget(), healthy())
    assert (f.host, f.status, f.summary) == (
        "adachi-nim",
        Status.PASS,
        "NIM master adachi-nim is at 7200-05-06-2320, not below the plan's target 7200-05-06",
    )


def test_master_below_the_target_fails() -> None:
    [f] = evaluate(MasterNotBelowTarget(), healthy() | {OSLEVEL: Out(0, "7200-04-02-2016\n")})
    assert (f.host, f.status, f.severity) == ("adachi-nim", Status.FAIL, Severity.INHIBITOR)
    assert f.summary == "NIM master adachi-nim is at 7200-04-02-2016, below the plan's target 7200-05-06"
    assert commands_of(f) == []


def test_without_a_plan_target_the_lpp_source_level_counts() -> None:
    ctx = replace(CTX, target_level=None)
    assert ("master", LPP[1]) in [(p.on, p.command) for p in MasterNotBelowTarget().probes(ctx)]
    [f] = evaluate(MasterNotBelowTarget(), healthy(), ctx)
    assert f.summary == (
        "NIM master adachi-nim is at 7200-05-06-2320, not below lpp_source lpp_source_AIX72TL5 (bos.rte 7.2.5.101) "
        "7200-05"
    )
    [f] = evaluate(MasterNotBelowTarget(), healthy() | {LPP: Out(0, s.LPP_L_73)}, ctx)
    assert (f.status, f.summary) == (
        Status.FAIL,
        "NIM master adachi-nim is at 7200-05-06-2320, below lpp_source lpp_source_AIX72TL5 (bos.rte 7.3.1.101) 7300-01",
    )


def test_unreadable_oslevel_is_an_error() -> None:
    [f] = evaluate(MasterNotBelowTarget(), healthy() | {OSLEVEL: Out(0, "7.2.0.0\n")})
    assert f.status is Status.ERROR


def test_cache_vg_is_checked_only_when_the_plan_names_one() -> None:
    assert CacheVgSpace().probes(CTX) == [] and CacheVgSpace().evaluate(CTX, {}) == []


def test_cache_vg_with_room_passes_and_too_small_or_missing_fails() -> None:
    ctx = replace(CTX, cache_vg="nimvg")
    assert [p.command for p in plan_probes(ctx)][-1] == "lsvg nimvg"
    answers = healthy() | {("master", "lsvg nimvg"): Out(0, s.LSVG_NIMVG)}
    [f] = evaluate(CacheVgSpace(), answers, ctx)
    assert (f.host, f.status) == ("adachi-nim", Status.PASS)
    small = s.LSVG_NIMVG.replace("FREE PPs:       2550 (40800 megabytes)", "FREE PPs:       100 (1600 megabytes)")
    [f] = evaluate(CacheVgSpace(), answers | {("master", "lsvg nimvg"): Out(0, small)}, ctx)
    assert (f.status, f.severity, f.summary) == (
        Status.FAIL,
        Severity.HIGH,
        "cache volume group nimvg on adachi-nim has 1600 MB free, less than the 25856 MB rootvg of adachi-AIX7 uses",
    )
    [f] = evaluate(CacheVgSpace(), answers | {("master", "lsvg nimvg"): Out(1, "", s.LSVG_NOT_FOUND)}, ctx)
    assert (f.status, f.summary) == (Status.FAIL, "cache volume group nimvg does not exist on adachi-nim")
