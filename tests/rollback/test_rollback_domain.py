"""Where a host stands and what its rollback is, from AIX's lspv and bootlist layouts."""

from __future__ import annotations

import pytest

from cockpit.domain.rollback import (
    Refused,
    Situation,
    StateError,
    StepKind,
    assess,
    bootlist_command,
    check_bootlist,
    check_target_disk,
    cleanup_steps,
    judge,
    parse_bootlist,
    plan,
    read_state,
    verify,
)

OLD, NEW = "7100-05-03-1838", "7200-05-06-2320"
HDISK0 = "hdisk0          00f6a07c1dc6aaaa                    "
HDISK1 = "hdisk1          00f6a07c1dc6bbbb                    "
HDISK2 = "hdisk2          00f6a07c1dc6f18a                    "
# lspv after nimadm, with a free hdisk1 and, where it matters, a data VG on it.
BEFORE = f"{HDISK0}rootvg          active\n{HDISK1}None\n{HDISK2}None\n"
AFTER_NIMADM = f"{HDISK0}rootvg          active\n{HDISK1}None\n{HDISK2}altinst_rootvg\n"
AFTER_REBOOT = f"{HDISK0}old_rootvg\n{HDISK1}None\n{HDISK2}rootvg          active\n"
WITH_DATAVG = f"{HDISK0}old_rootvg\n{HDISK1}datavg          active\n{HDISK2}rootvg          active\n"


def state(lspv: str, bootlist: str, level: str, booted: str, **kw):  # type: ignore[no-untyped-def]
    return read_state("lpar01", lspv=lspv, bootlist=bootlist, oslevel=level + "\n", bootinfo=booted + "\n", **kw)


def commands(steps) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    return [(s.command, s.optional) for s in steps]


def test_bootlist_lines_are_a_device_and_its_attributes() -> None:
    (entry,) = parse_bootlist("hdisk2 blv=hd5 pathid=0\n")
    assert entry.device == "hdisk2" and dict(entry.attrs) == {"blv": "hd5", "pathid": "0"}
    assert str(entry) == "hdisk2 blv=hd5 pathid=0"
    assert parse_bootlist("\n") == []


def test_not_rebooted_goes_back_by_the_bootlist_alone_and_offers_the_cleanup() -> None:
    a = assess(state(AFTER_NIMADM, "hdisk2 blv=hd5 pathid=0", OLD, "hdisk0"), OLD)
    assert a.situation is Situation.NOT_REBOOTED
    assert (a.old_vg, a.old_disk, a.new_disks) == ("rootvg", "hdisk0", ("hdisk2",))
    assert "bootlist points at the migrated disk hdisk2" in a.summary
    steps = plan(a, reboot=False)
    assert commands(steps) == [
        ("bootlist -m normal hdisk0", False),
        ("bootlist -m normal -o", False),
        ("alt_rootvg_op -X altinst_rootvg", True),
        ("chpv -C hdisk2", True),
    ]
    assert [s.destructive for s in steps] == [False, False, True, True]
    assert steps[1].kind is StepKind.CHECK and steps[1].expect_disk == "hdisk0"
    # A reboot is not needed, but the operator may ask for one to prove the disk boots.
    assert ("shutdown -Fr", False) in commands(plan(a, reboot=True))


def test_rebooted_needs_the_reboot_into_old_rootvg() -> None:
    a = assess(state(AFTER_REBOOT, "hdisk2 blv=hd5", NEW, "hdisk2"), OLD)
    assert a.situation is Situation.REBOOTED
    assert (a.old_vg, a.old_disk, a.new_disks) == ("old_rootvg", "hdisk0", ("hdisk2",))
    with_reboot = plan(a, reboot=True)
    assert commands(with_reboot)[:3] == [
        ("bootlist -m normal hdisk0", False),
        ("bootlist -m normal -o", False),
        ("shutdown -Fr", False),
    ]
    assert with_reboot[2].destructive and "7100-05-03-1838" in with_reboot[2].verify
    # Without --reboot the reboot is still shown, as what makes it take effect.
    assert ("shutdown -Fr", True) in commands(plan(a, reboot=False))


def test_rolled_back_and_nothing_to_do() -> None:
    back = assess(state(AFTER_NIMADM, "hdisk0 blv=hd5", OLD, "hdisk0"), OLD)
    assert back.situation is Situation.ROLLED_BACK
    assert commands(plan(back, reboot=True)) == [("alt_rootvg_op -X altinst_rootvg", True), ("chpv -C hdisk2", True)]
    untouched = assess(state(BEFORE, "hdisk0 blv=hd5", OLD, "hdisk0"), OLD)
    assert untouched.situation is Situation.NOTHING_TO_DO and plan(untouched, reboot=True) == []


def test_a_host_whose_previous_system_is_gone_is_refused() -> None:
    gone = assess(state(f"{HDISK0}None\n{HDISK2}rootvg          active\n", "hdisk2 blv=hd5", NEW, "hdisk2"), OLD)
    assert gone.situation is Situation.UNSAFE and "mksysb" in gone.reason
    with pytest.raises(Refused, match="no disk holds old_rootvg"):
        plan(gone, reboot=True)
    odd = assess(state(AFTER_REBOOT, "hdisk2 blv=hd5", NEW, "hdisk0"), OLD)
    assert odd.refused and "bootinfo -b says the system booted from hdisk0" in odd.reason


def test_a_target_without_a_boot_image_of_the_old_system_is_refused_with_the_reason() -> None:
    rebooted = assess(state(WITH_DATAVG, "hdisk2 blv=hd5", NEW, "hdisk2"), OLD)
    assert check_target_disk(rebooted, "hdisk0") is None
    assert check_target_disk(rebooted, "hdisk1") == (
        "hdisk1 belongs to datavg, a data volume group: no boot image of the previous system is on it"
    )
    assert "running rootvg" in (check_target_disk(rebooted, "hdisk2") or "")
    assert "lspv does not list it" in (check_target_disk(rebooted, "hdisk9") or "")
    assert "not a disk name" in (check_target_disk(rebooted, "hdisk0;reboot") or "")
    not_rebooted = assess(state(AFTER_NIMADM, "hdisk2 blv=hd5", OLD, "hdisk0"), OLD)
    assert "holds no volume group" in (check_target_disk(not_rebooted, "hdisk1") or "")
    assert "the migrated system" in (check_target_disk(not_rebooted, "hdisk2") or "")
    # The operator's own choice goes through the same check; a refusal keeps what was read.
    chosen = assess(state(WITH_DATAVG, "hdisk2 blv=hd5", NEW, "hdisk2"), OLD, disk="hdisk1")
    assert chosen.refused and chosen.summary.startswith("rebooted:") and "datavg" in chosen.reason
    assert not assess(state(WITH_DATAVG, "hdisk2 blv=hd5", NEW, "hdisk2"), OLD, disk="hdisk0").refused


def test_an_empty_bootlist_is_refused() -> None:
    a = assess(state(AFTER_REBOOT, "hdisk0 blv=hd5", NEW, "hdisk2"), OLD)
    assert check_bootlist(a, []) == "the bootlist is empty: the host would not boot"
    assert check_bootlist(a, parse_bootlist("hdisk0 blv=hd5")) is None
    assert "not hdisk0" in (check_bootlist(a, parse_bootlist("hdisk1 blv=hd5")) or "")
    with pytest.raises(ValueError, match="empty bootlist"):
        bootlist_command([])
    check = plan(a, reboot=True)[1]
    assert judge(check, 0, "", "") == "bootlist -m normal -o printed nothing: an empty bootlist does not boot"
    assert judge(check, 0, "hdisk2 blv=hd5\n", "") == "the bootlist starts with hdisk2 blv=hd5, not hdisk0"
    assert judge(check, 0, "hdisk0 blv=hd5\n", "") is None
    assert judge(plan(a, reboot=True)[0], 1, "", "0514-218 bootlist: Invalid device name\n") == (
        "exit status 1: 0514-218 bootlist: Invalid device name"
    )


def test_a_multi_disk_old_rootvg_boots_from_the_disk_alt_rootvg_op_names() -> None:
    lspv = f"{HDISK0}old_rootvg\n{HDISK1}old_rootvg\n{HDISK2}rootvg          active\n"
    unknown = assess(state(lspv, "hdisk2 blv=hd5", NEW, "hdisk2"), OLD)
    assert unknown.refused and "alt_rootvg_op -q -d" in unknown.reason
    known = assess(state(lspv, "hdisk2", NEW, "hdisk2", boot_disk_answers={"old_rootvg": "hdisk1\n"}), OLD)
    assert known.situation is Situation.REBOOTED and known.old_disk == "hdisk1"
    assert "does not hold its boot image" in (check_target_disk(known, "hdisk0") or "")


def test_an_aix_that_calls_the_migrated_disk_old_rootvg_after_going_back() -> None:
    # Booted back into hdisk0: if this AIX names the migrated disk old_rootvg, the recorded level and
    # the plan's target disk say which system is which; without them the cockpit does not guess.
    lspv = f"{HDISK0}rootvg          active\n{HDISK2}old_rootvg\n"
    back = assess(state(lspv, "hdisk0 blv=hd5", OLD, "hdisk0"), OLD, planned_disks=("hdisk2",))
    assert back.situation is Situation.ROLLED_BACK and back.new_disks == ("hdisk2",)
    assert commands(plan(back, reboot=False))[0] == ("alt_rootvg_op -X old_rootvg", True)
    assert assess(state(lspv, "hdisk0 blv=hd5", OLD, "hdisk0"), OLD, planned_disks=("hdisk1",)).refused


def test_verification_after_the_rollback() -> None:
    before = assess(state(AFTER_REBOOT, "hdisk2 blv=hd5", NEW, "hdisk2"), OLD)
    back = state(AFTER_NIMADM, "hdisk0 blv=hd5", OLD, "hdisk0")
    assert verify(before, back, rebooted=True).ok
    pending = verify(before, state(AFTER_REBOOT, "hdisk0 blv=hd5", NEW, "hdisk2"), rebooted=False)
    assert pending.pending_reboot and not pending.ok and [c.name for c in pending.checks] == ["bootlist"]
    wrong = verify(before, state(AFTER_NIMADM, "hdisk0 blv=hd5", "7100-05-02-1810", "hdisk0"), rebooted=True)
    assert [c.name for c in wrong.failed] == ["level"]
    # Without a recorded level: weaker, the level must at least have changed back.
    unrecorded = assess(state(AFTER_REBOOT, "hdisk2 blv=hd5", NEW, "hdisk2"), None)
    assert "weaker" in unrecorded.notes[0]
    assert verify(unrecorded, back, rebooted=True).ok
    assert not verify(unrecorded, state(AFTER_REBOOT, "hdisk0", NEW, "hdisk2"), rebooted=True).ok


def test_cleanup_is_read_from_the_host_as_it_is_now() -> None:
    back = state(AFTER_NIMADM, "hdisk0 blv=hd5", OLD, "hdisk0")
    assert [s.command for s in cleanup_steps(back, ("hdisk2",))] == [
        "alt_rootvg_op -X altinst_rootvg",
        "chpv -C hdisk2",
    ]
    assert cleanup_steps(state(BEFORE, "hdisk0", OLD, "hdisk0"), ("hdisk2",)) == []
    with pytest.raises(Refused, match="still hold the running rootvg"):
        cleanup_steps(state(AFTER_REBOOT, "hdisk0", NEW, "hdisk2"), ("hdisk2",))


def test_answers_that_are_not_a_state_are_an_error() -> None:
    with pytest.raises(StateError, match="oslevel -s printed no level"):
        read_state("lpar01", lspv=BEFORE, bootlist="", oslevel="ksh: oslevel: not found", bootinfo="")
    with pytest.raises(StateError, match="lspv"):
        read_state("lpar01", lspv="", bootlist="", oslevel=OLD, bootinfo="")
