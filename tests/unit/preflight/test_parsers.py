"""Every parser on the real outputs of reference/ and public captures, plus locale / layout variants."""

from __future__ import annotations

import pytest

from cockpit.domain.preflight.parsers.common import ParseError, lines, number
from cockpit.domain.preflight.parsers.devices import parse_ls_dev, parse_odmget
from cockpit.domain.preflight.parsers.lpp import (
    highest_level,
    level_key,
    not_installed_line,
    parse_fileset_listing,
)
from cockpit.domain.preflight.parsers.lvm import (
    parse_bootinfo_size,
    parse_lspv,
    parse_lsvg,
    parse_lsvg_lvs,
    parse_lvlstmajor,
)
from cockpit.domain.preflight.parsers.net import listeners, parse_netstat, parse_rmsock
from cockpit.domain.preflight.parsers.nim import no_such_object_line, parse_lsnim, parse_niminfo
from cockpit.domain.preflight.parsers.oslevel import OsLevel, from_fileset_level, parse_oslevel
from cockpit.domain.preflight.parsers.src import parse_lssrc
from tests.unit.preflight import samples as s

ALT = "bos.alt_disk_install.rte"


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


# --- common ---------------------------------------------------------------------------------------


def test_lines_survive_crlf_and_cr() -> None:
    assert lines("a\r\nb  \rc\n") == ["a", "b", "c", ""]


@pytest.mark.parametrize("token,value", [("64", 64.0), ("64.5", 64.5), ("64,5", 64.5), (" 7 ", 7.0)])
def test_numbers_accept_both_decimal_separators(token: str, value: float) -> None:
    assert number(token) == value


def test_a_word_is_not_a_number() -> None:
    with pytest.raises(ParseError):
        number("megabytes")


# --- lssrc ----------------------------------------------------------------------------------------


def test_lssrc_active_row_of_the_reference() -> None:
    row = parse_lssrc(s.LSSRC_ACTIVE, "nimsh")
    assert row is not None
    assert (row.group, row.pid, row.status, row.active) == ("nimclient", 5571004, "active", True)


def test_lssrc_inoperative_row_has_no_pid() -> None:
    row = parse_lssrc(s.LSSRC_INOPERATIVE, "nimsh")
    assert row is not None
    assert (row.pid, row.status, row.active) == (None, "inoperative", False)


@pytest.mark.parametrize(
    "text,active",
    [
        (s.LSSRC_FRENCH_ACTIVE, True),
        (s.LSSRC_FRENCH_INOPERATIVE, False),
        (crlf(s.LSSRC_ACTIVE), True),
        ("Subsystem  Group  PID  Status\n\tnimsh    nimclient   5571004     active   \n", True),
        (" nimsh            nimclient                     inoperative\n", False),  # no header at all
    ],
)
def test_lssrc_keys_on_the_row_not_the_header(text: str, active: bool) -> None:
    row = parse_lssrc(text, "nimsh")
    assert row is not None and row.active is active


def test_lssrc_for_an_undefined_subsystem_has_no_row() -> None:
    assert parse_lssrc(s.LSSRC_NOT_ON_FILE, "nimsh") is None


def test_lssrc_does_not_mistake_another_subsystem_for_nimsh() -> None:
    assert parse_lssrc("Subsystem Group PID Status\n sshd  ssh  4063588  active\n", "nimsh") is None


# --- netstat / rmsock -----------------------------------------------------------------------------


def test_netstat_aan_capture_from_aix73() -> None:
    sockets = parse_netstat(s.NETSTAT_AAN_AIX73)
    assert len(sockets) == 11  # the UNIX domain sockets are not internet sockets
    ssh = listeners(sockets, 22)
    assert [(x.pcb, x.proto) for x in ssh] == [("f1000f000017e3c0", "tcp6"), ("f1000f0000287bc0", "tcp4")]
    assert listeners(sockets, 6010)[0].local == "::1.6010"
    assert listeners(sockets, 111) == []  # UDP does not listen
    established = [x for x in sockets if x.state == "ESTABLISHED"]
    assert established[0].local_port == 22 and not established[0].listening


def test_netstat_finds_the_nimsh_ports_and_not_the_established_session() -> None:
    sockets = parse_netstat(s.NETSTAT_NIMSH)
    assert [x.pcb for x in listeners(sockets, 3901)] == [s.NIMSH_PCB_3901]
    assert [x.pcb for x in listeners(sockets, 3902)] == [s.NIMSH_PCB_3902]


def test_netstat_without_a_pcb_column_and_with_crlf() -> None:
    sockets = parse_netstat(crlf(s.NETSTAT_AN))
    assert [(x.pcb, x.local_port) for x in listeners(sockets, 3901) + listeners(sockets, 3902)] == [
        (None, 3901),
        (None, 3902),
    ]


def test_netstat_listener_with_a_translated_state_word() -> None:
    text = "f1000f0000311bc0 tcp4       0      0  *.3901       *.*       ECOUTE\n"
    assert listeners(parse_netstat(text), 3901)[0].pcb == "f1000f0000311bc0"


@pytest.mark.parametrize(
    "text,pid,process",
    [
        (s.RMSOCK_ABC, 10551550, "abc"),
        (s.RMSOCK_JAVAW, 4325554, "javaw"),
        (s.RMSOCK_NIMSH, 5571004, "nimsh"),
        ("The socket 0xf1000f00002d8808 is being held by process 14287304 (sshd).", 14287304, "sshd"),
        ("La socket 0xf1000f00002d8808 est tenue par le processus 4718730 (msg_server).\r\n", 4718730, "msg_server"),
    ],
)
def test_rmsock_names_the_holder_in_either_spelling(text: str, pid: int, process: str) -> None:
    holder = parse_rmsock(text)
    assert holder is not None and (holder.pid, holder.process) == (pid, process)


@pytest.mark.parametrize(
    "text",
    [
        s.RMSOCK_NOT_A_SOCKET,
        "Wait for exiting processes to be cleaned up before removing the socket",
        "rmsock : Unable to read kernel address f1000f0000140600, errno = 22",
        "",
    ],
)
def test_rmsock_without_a_holder(text: str) -> None:
    assert parse_rmsock(text) is None


# --- lslpp / showres / installp -L ----------------------------------------------------------------


def test_lslpp_lcq_record() -> None:
    [record] = parse_fileset_listing(s.LSLPP_LCQ, ALT)
    assert (record.level, record.state, record.broken) == ("7.2.5.101", "COMMITTED", False)


def test_lslpp_lcq_broken_state_and_crlf() -> None:
    [record] = parse_fileset_listing(crlf(s.LSLPP_LCQ.replace("COMMITTED", "BROKEN")), ALT)
    assert record.broken


@pytest.mark.parametrize("text", [s.LSLPP_NOT_INSTALLED, s.LSLPP_NOT_INSTALLED_VIA_NIM])
def test_not_installed_line(text: str) -> None:
    assert parse_fileset_listing(text, ALT) == []
    assert not_installed_line(text, ALT) == text.strip()


def test_not_installed_line_of_another_fileset_is_not_ours() -> None:
    assert not_installed_line("lslpp: Fileset bos.rte.foo not installed.", ALT) is None


def test_spot_listing_lslpp_Lc_skips_the_hash_header() -> None:
    assert [r.level for r in parse_fileset_listing(s.SPOT_LC, ALT)] == ["7.2.5.101"]
    assert parse_fileset_listing(s.SPOT_LC, "Fileset") == []  # the header is never a record
    assert parse_fileset_listing(s.SPOT_LC_WITHOUT_FILESET, ALT) == []


def test_lpp_source_listing_installp_L_takes_the_highest_level() -> None:
    records = parse_fileset_listing(s.LPP_L, ALT)
    assert [r.level for r in records] == ["7.2.5.0", "7.2.5.101"]
    assert highest_level(records) == "7.2.5.101"


def test_fileset_levels_order_numerically() -> None:
    assert level_key("7.2.5.101") > level_key("7.2.5.99")
    assert level_key("7.2.5") == level_key("7.2.5.0")
    with pytest.raises(ParseError):
        level_key("7.2.x")


def test_the_seed_precheck_transcript_shows_the_not_installed_line() -> None:
    assert not_installed_line(s.PRECHECK_0505_204_205, ALT) == (
        "/usr/bin/lslpp: Fileset bos.alt_disk_install.rte not installed."
    )


# --- oslevel --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,level",
    [
        (s.OSLEVEL_MASTER, OsLevel(7, 2, 5, 6, 2320)),
        (s.OSLEVEL_GIBSON_53, OsLevel(5, 3, 12, 4, 1119)),
        (crlf(s.OSLEVEL_GIBSON_71), OsLevel(7, 1, 1, 1, 1141)),
        ("7200-05-06", OsLevel(7, 2, 5, 6)),
        ("7300-01", OsLevel(7, 3, 1)),
    ],
)
def test_oslevel_forms(text: str, level: OsLevel) -> None:
    assert parse_oslevel(text) == level


def test_oslevel_prints_back_in_its_own_form() -> None:
    assert str(parse_oslevel(s.OSLEVEL_MASTER)) == "7200-05-06-2320"
    assert str(OsLevel(7, 2, 5)) == "7200-05"


def test_oslevel_ordering_compares_what_both_sides_know() -> None:
    master = parse_oslevel("7200-05-06-2320")
    assert master.at_least(parse_oslevel("7200-05-06"))
    assert master.at_least(parse_oslevel("7200-05"))
    assert master.at_least(parse_oslevel("7100-05-10-2220"))
    assert not master.at_least(parse_oslevel("7200-05-07"))
    assert not master.at_least(parse_oslevel("7300-00"))
    assert not parse_oslevel("7200-04-02-2016").at_least(parse_oslevel("7200-05-06"))
    assert from_fileset_level("7.2.5.101") == OsLevel(7, 2, 5)


def test_oslevel_refuses_other_text() -> None:
    with pytest.raises(ParseError):
        parse_oslevel("7.2.0.0\n")


# --- lspv -----------------------------------------------------------------------------------------


def test_lspv_line_of_ibm_parser() -> None:
    [pv] = parse_lspv(s.LSPV_ANS)
    assert (pv.name, pv.pvid, pv.vg, pv.state) == ("hdisk0", "000018fa3b12f5cb", "rootvg", "active")


def test_lspv_free_disk_and_missing_state_column() -> None:
    pvs = {pv.name: pv for pv in parse_lspv(s.LSPV_BEFORE)}
    assert (pvs["hdisk2"].vg, pvs["hdisk2"].state) == (None, None)
    after = {pv.name: pv for pv in parse_lspv(crlf(s.LSPV_AFTER_NIMADM))}
    assert (after["hdisk2"].vg, after["hdisk2"].state) == ("altinst_rootvg", None)
    rebooted = {pv.name: pv.vg for pv in parse_lspv(s.LSPV_AFTER_REBOOT)}
    assert rebooted == {"hdisk0": "old_rootvg", "hdisk2": "rootvg"}


def test_lspv_without_disks_is_not_lspv() -> None:
    with pytest.raises(ParseError):
        parse_lspv("ksh: lspv: not found\n")


# --- lsvg -----------------------------------------------------------------------------------------


def test_lsvg_sample_of_ibm_ansible_tests() -> None:
    vg = parse_lsvg(s.LSVG_ANS_TESTVG)
    assert (vg.pp_size_mb, vg.total_pps, vg.free_pps, vg.used_pps) == (16, 2550, 2550, 0)
    assert (vg.total_mb, vg.free_mb, vg.used_mb) == (40800, 40800, 0)


def test_lsvg_rootvg_figures_of_the_reference() -> None:
    vg = parse_lsvg(crlf(s.LSVG_ROOTVG))
    assert (vg.pp_size_mb, vg.total_pps, vg.used_pps, vg.used_mb, vg.total_mb) == (64, 639, 404, 25856, 40896)


def test_lsvg_in_another_language_reads_by_position() -> None:
    vg = parse_lsvg(s.LSVG_ROOTVG_GERMAN)
    assert (vg.total_pps, vg.free_pps, vg.used_pps, vg.used_mb) == (639, 235, 404, 25856)
    assert vg.pp_size_mb == 64  # TOTAL MB / TOTAL PPs, the PP SIZE label being translated


def test_lsvg_with_comma_decimals() -> None:
    vg = parse_lsvg(s.LSVG_ROOTVG_GERMAN.replace("(25856 Megabyte)", "(25856,0 Megabyte)"))
    assert vg.used_mb == 25856.0


def test_lsvg_error_text_is_not_lsvg() -> None:
    with pytest.raises(ParseError):
        parse_lsvg(s.LSVG_NOT_FOUND)


def test_lsvg_l_rows_and_multibos() -> None:
    lvs = parse_lsvg_lvs(s.LSVG_L_ROOTVG)
    assert [lv.name for lv in lvs][:3] == ["hd5", "hd6", "hd8"] and len(lvs) == 12
    assert lvs[-1].mount == "/var/adm/ras/livedump"
    names = [lv.name for lv in parse_lsvg_lvs(crlf(s.LSVG_L_MULTIBOS))]
    assert "bos_hd5" in names and "bos_hd2" in names


def test_lsvg_l_with_a_translated_header() -> None:
    text = "rootvg:\nNOM VL   TYPE   PLs   PPs   VPs  ETAT VL   POINT MONTAGE\nhd5  boot  1  1  1  closed/syncd  N/A\n"
    assert [lv.name for lv in parse_lsvg_lvs(text)] == ["hd5"]


def test_bootinfo_size() -> None:
    assert parse_bootinfo_size("40960\n") == 40960
    assert parse_bootinfo_size("40960\r\n") == 40960
    assert parse_bootinfo_size("0\n") is None
    assert parse_bootinfo_size("") is None


# --- lvlstmajor -----------------------------------------------------------------------------------


def test_lvlstmajor_singles_ranges_and_open_end() -> None:
    free = parse_lvlstmajor(s.LVLSTMAJOR)
    assert free.lowest == 43
    assert 43 in free and 44 not in free and 45 in free and 50 in free and 51 not in free
    assert 60 in free and 4000 in free and 59 not in free


def test_lvlstmajor_in_the_form_its_source_prints() -> None:
    free = parse_lvlstmajor(s.LVLSTMAJOR_FROM_SOURCE)
    assert free.lowest == 0
    assert 12 not in free and 13 in free and 14 in free and 42 in free and 43 not in free and 44 in free


def test_lvlstmajor_only_open_end_and_crlf() -> None:
    free = parse_lvlstmajor("47...\r\n")
    assert free.lowest == 47 and 46 not in free


@pytest.mark.parametrize("text", ["", "lvlstmajor: not found", "50..45"])
def test_lvlstmajor_refuses_other_text(text: str) -> None:
    with pytest.raises(ParseError):
        parse_lvlstmajor(text)


# --- ls -al /dev, odmget --------------------------------------------------------------------------


def test_ls_dev_special_files() -> None:
    files = parse_ls_dev(s.LS_DEV_GHOST)
    assert [(f.kind, f.major, f.minor, f.name) for f in files if f.major == 43] == [("c", 43, 0, "hdisk9")]
    assert {f.name for f in files} == {"IPL_rootvg", "hd5", "hdisk0", "rhdisk0", "null", "hdisk9"}


@pytest.mark.parametrize(
    "line",
    [
        "crw-rw----    1 root     system       43,  0 Nov 20 10:00 hdisk9",
        "crw-rw----+   1 root     system       43,0 20 nov.  10:00 hdisk9",
        "crw-rw----    1 0        0            43,  0 11月 20日 10:00 hdisk9\r",
        "brw-rw----    1 root     system       43,  0 Nov 20  2023 hdisk9",
    ],
)
def test_ls_dev_variants(line: str) -> None:
    [f] = parse_ls_dev(line + "\n")
    assert (f.major, f.minor, f.name) == (43, 0, "hdisk9")


def test_odmget_stanza() -> None:
    [stanza] = parse_odmget(s.ODMGET_GHOST)
    assert stanza.object_class == "CuDvDr"
    assert stanza.attributes == {"resource": "devno", "value1": "43", "value2": "0", "value3": "hdisk9"}
    assert parse_odmget("") == []
    assert len(parse_odmget(crlf(s.ODMGET_GHOST * 2))) == 2


# --- lsnim, niminfo -------------------------------------------------------------------------------


def test_lsnim_stanza() -> None:
    obj = parse_lsnim(s.LSNIM_CLIENT)
    assert obj is not None and obj.name == "adachi-AIX7"
    assert obj.attributes["class"] == "machines"
    assert obj.attributes["Cstate"] == "ready for a NIM operation"
    assert obj.attributes["if1"] == "master_net adachi-AIX7.example.com AED8E7E90202 ent0"
    assert parse_lsnim(crlf(s.LSNIM_CLIENT)) == obj


def test_lsnim_missing_object() -> None:
    assert parse_lsnim(s.LSNIM_MISSING) is None
    assert no_such_object_line(s.LSNIM_MISSING) == s.LSNIM_MISSING.strip()


def test_niminfo_exports() -> None:
    info = parse_niminfo(s.NIMINFO)
    assert info["NIM_MASTER_HOSTNAME"] == "adachi-nim"
    assert info["NIM_NAME"] == "adachi-AIX7"
    assert info["NIM_SHELL"] == "nimsh"
    assert parse_niminfo(crlf("export NIM_MASTER_HOSTNAME='nim01'\n"))["NIM_MASTER_HOSTNAME"] == "nim01"
    assert parse_niminfo("NIM_MASTER_HOSTNAME=nim01\n") == {"NIM_MASTER_HOSTNAME": "nim01"}
