"""Rolling a client back after an alternate-disk migration: where it stands, what to do, what proves it.

Pure: the engine runs the read commands (host.py) and hands their output here. The two situations a
rollback starts from (as IBM's nimadm and alt_disk_install documentation describe them):

* not rebooted: the host still runs the original rootvg; nimadm left the migrated system as
  `altinst_rootvg` (varied off) on the target disk and pointed the bootlist at it. Rolling back is
  `bootlist -m normal <original disk>`; no reboot is needed.
* rebooted: the host runs the migrated system (now `rootvg`); the previous one is `old_rootvg`. Rolling
  back is `bootlist -m normal <old_rootvg's boot disk>` and `shutdown -Fr`.

After a rollback the migrated system stays on its disk (as `altinst_rootvg` when the original rootvg
boots again) until it is cleaned up with `alt_rootvg_op -X` and `chpv -C`.

A target disk that holds no boot image of the previous system (a free disk, a data VG, the migrated
system) is refused with the reason, and so is a bootlist that ends up empty: either one would leave
the host down at its next boot.

host.py reads the host, assess.py says where it stands, steps.py what to do, verify.py what proves it.
"""

from cockpit.domain.rollback.assess import (
    Assessment,
    Situation,
    assess,
    check_bootlist,
    check_target_disk,
    refuse,
    with_target,
)
from cockpit.domain.rollback.host import (
    ALTINST_ROOTVG,
    OLD_ROOTVG,
    READ_COMMANDS,
    REBOOT_COMMAND,
    ROOT_VGS,
    ROOTVG,
    BootEntry,
    HostState,
    StateError,
    boot_disk_query,
    bootlist_command,
    multi_disk_root_vgs,
    oslevel_of,
    parse_bootlist,
    read_state,
)
from cockpit.domain.rollback.steps import (
    Refused,
    RollbackStep,
    StepKind,
    check_cleanup,
    cleanup_steps,
    judge,
    plan,
)
from cockpit.domain.rollback.verify import (
    Verification,
    VerifyCheck,
    verify,
)

__all__ = [
    "ALTINST_ROOTVG",
    "OLD_ROOTVG",
    "READ_COMMANDS",
    "REBOOT_COMMAND",
    "ROOTVG",
    "ROOT_VGS",
    "Assessment",
    "BootEntry",
    "HostState",
    "Refused",
    "RollbackStep",
    "Situation",
    "StateError",
    "StepKind",
    "Verification",
    "VerifyCheck",
    "assess",
    "boot_disk_query",
    "bootlist_command",
    "check_bootlist",
    "check_cleanup",
    "check_target_disk",
    "cleanup_steps",
    "judge",
    "multi_disk_root_vgs",
    "oslevel_of",
    "parse_bootlist",
    "plan",
    "read_state",
    "refuse",
    "verify",
    "with_target",
]
