"""fileset.alt_disk_install: the 0505-204 / 0505-205 pre-check of the field report, and the lpp_source level."""

from __future__ import annotations

from cockpit.domain.preflight import Severity, Status
from cockpit.domain.preflight.checks import AltDiskFileset
from tests.unit.preflight import samples as s
from tests.unit.preflight.fleet import Out, commands_of, evaluate, healthy

LSLPP = ("master", "lslpp -lcq bos.alt_disk_install.rte")
SPOT = ("master", "nim -o showres -a lslpp_flags=Lc spot_AIX72TL5")
LPP = ("master", "nim -o showres -a installp_flags=L lpp_source_AIX72TL5")
CUST = (
    "adachi-nim",
    "nim -o cust -a lpp_source=lpp_source_AIX72TL5 -a filesets=bos.alt_disk_install.rte spot_AIX72TL5",
)


def test_same_level_everywhere_passes() -> None:
    [f] = evaluate(AltDiskFileset(), healthy())
    assert (f.host, f.status) == ("adachi-nim", Status.PASS)
    assert f.summary == (
        "bos.alt_disk_install.rte 7.2.5.101 on the NIM master, in SPOT spot_AIX72TL5 and in lpp_source "
        "lpp_source_AIX72TL5"
    )
    assert [e.command for e in f.evidence] == [LSLPP[1], SPOT[1], LPP[1]]
    # big listings are cut to the lines that name the fileset
    assert f.evidence[1].output.splitlines()[0].startswith("bos.alt_disk_install:bos.alt_disk_install.rte:7.2.5.101")
    assert f.evidence[1].output.endswith("(1 of 4 lines shown)")


def test_spot_without_the_fileset_predicts_0505_204_and_installs_it_from_the_lpp_source() -> None:
    [f] = evaluate(AltDiskFileset(), healthy() | {SPOT: Out(0, s.SPOT_LC_WITHOUT_FILESET)})
    assert (f.host, f.status, f.severity) == ("adachi-nim", Status.FAIL, Severity.INHIBITOR)
    assert f.summary == (
        "nimadm would stop with: 0505-204 nimadm: SPOT spot_AIX72TL5 does not have bos.alt_disk_install.rte installed."
    )
    assert commands_of(f) == [CUST]
    assert f.remediation.destructive is False


def test_spot_at_another_level_predicts_0505_205_with_both_levels() -> None:
    [f] = evaluate(AltDiskFileset(), healthy() | {SPOT: Out(0, s.SPOT_LC_OLDER)})
    assert (f.status, f.severity) == (Status.FAIL, Severity.INHIBITOR)
    assert f.summary == (
        "nimadm would stop with: 0505-205 nimadm: The level of bos.alt_disk_install.rte installed in SPOT "
        "spot_AIX72TL5 (7.2.5.100) does not match the NIM master's level (7.2.5.101)."
    )
    assert commands_of(f) == [CUST]


def test_spot_above_the_master_is_not_fixed_by_nim_cust() -> None:
    older_master = Out(0, s.LSLPP_LCQ.replace("7.2.5.101", "7.2.5.100"))
    spot_level, lpp_above = evaluate(AltDiskFileset(), healthy() | {LSLPP: older_master})
    assert spot_level.summary.endswith("spot_AIX72TL5 (7.2.5.101) does not match the NIM master's level (7.2.5.100).")
    assert commands_of(spot_level) == []
    assert "update bos.alt_disk_install.rte on the NIM master" in spot_level.remediation.hint
    assert (lpp_above.status, lpp_above.severity) == (Status.FAIL, Severity.HIGH)


def test_lpp_source_above_the_master_fails() -> None:
    [f] = evaluate(AltDiskFileset(), healthy() | {LPP: Out(0, s.LPP_L_73)})
    assert (f.host, f.status, f.severity) == ("adachi-nim", Status.FAIL, Severity.HIGH)
    assert f.summary == (
        "lpp_source lpp_source_AIX72TL5 carries bos.alt_disk_install.rte 7.3.1.101, above the NIM master's "
        "7.2.5.101: the master must be at or above the level it migrates to"
    )
    assert commands_of(f) == []
    assert f.blocking


def test_fileset_missing_on_the_master() -> None:
    [f] = evaluate(AltDiskFileset(), healthy() | {LSLPP: Out(1, "", s.LSLPP_NOT_INSTALLED)})
    assert (f.status, f.severity) == (Status.FAIL, Severity.INHIBITOR)
    assert f.summary == (
        "bos.alt_disk_install.rte is not installed on the NIM master adachi-nim "
        "(lslpp: Fileset bos.alt_disk_install.rte not installed.)"
    )
    assert commands_of(f) == []


def test_broken_fileset_on_the_master() -> None:
    [f] = evaluate(AltDiskFileset(), healthy() | {LSLPP: Out(0, s.LSLPP_LCQ.replace("COMMITTED", "BROKEN"))})
    assert f.summary == "bos.alt_disk_install.rte 7.2.5.101 is BROKEN on the NIM master adachi-nim"


def test_lpp_source_without_the_fileset_warns_and_spot_fix_has_no_command() -> None:
    answers = healthy() | {LPP: Out(0, s.LPP_L_WITHOUT_FILESET), SPOT: Out(0, s.SPOT_LC_WITHOUT_FILESET)}
    spot, lpp = evaluate(AltDiskFileset(), answers)
    assert spot.summary.startswith("nimadm would stop with: 0505-204")
    assert commands_of(spot) == []
    assert (lpp.status, lpp.severity) == (Status.WARN, Severity.MEDIUM)
    assert lpp.summary == (
        "lpp_source lpp_source_AIX72TL5 has no bos.alt_disk_install.rte: the SPOT cannot be fixed from it"
    )


def test_busy_spot_is_an_error_with_a_retry_hint() -> None:
    busy = Out(
        1,
        "",
        '0042-001 nim: processing error encountered on "master":\n'
        "   0042-207 m_showres: Unable to allocate the spot_AIX72TL5 resource to master.\n",
    )
    [f] = evaluate(AltDiskFileset(), healthy() | {SPOT: busy})
    assert (f.status, f.severity) == (Status.ERROR, Severity.INHIBITOR)
    assert f.summary == (
        "bos.alt_disk_install.rte: `nim -o showres -a lslpp_flags=Lc spot_AIX72TL5` on adachi-nim ended with exit "
        'status 1: 0042-001 nim: processing error encountered on "master":'
    )
    assert "0042-207" in f.remediation.hint and "again" in f.remediation.hint
