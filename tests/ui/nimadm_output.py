"""Real nimadm output (the field report's run; SOURCES.md `qiita-nimadm`), per phase, for a given client and disk.

Phase 11 can instead fail the way the field report describes (0516-082, a ghost device major number),
with the failure tail of a published phase-11 failure (SOURCES.md `gibson-multibos`): the 0505-187 error,
the two cleanup lines, the client cleanup command and a bootlist pointing back at the original disk.
"""

from __future__ import annotations

RULE = "+" + "-" * 77 + "+"
GHOST_DEVICE_ERROR = "0516-082 /usr/sbin/lchangelv: Unable to access a special device file"

_FILESYSTEMS = ("", "/admin", "/home", "/opt", "/tmp", "/usr", "/var", "/var/adm/ras/livedump")


def prologue(client: str) -> list[str]:
    return [
        "Initializing the NIM master.",
        f"Initializing NIM client {client}.",
        "Verifying alt_disk_migration eligibility.",
        f"Initializing log: /var/adm/ras/alt_mig/{client}_alt_mig.log",
        "Starting Alternate Disk Migration.",
    ]


def banner(phase: int) -> list[str]:
    return ["", RULE, f"Executing nimadm phase {phase}.", RULE]


def _body(client: str, phase: int, disk: str) -> list[str]:
    if phase == 1:
        lvs = ("hd5", "hd6", "hd8", "hd4", "hd2", "hd9var", "hd3", "hd1", "hd10opt", "hd11admin")
        return [
            "Cloning altinst_rootvg on client, Phase 1.",
            f'Client alt_disk_install command: alt_disk_copy -M 7.2 -P1 -d "{disk}"',
            "Calling mkszfile to create new /image.data file.",
            "Checking disk sizes.",
            "LOGICAL_VOLUME= hd11admin",
            "FS_LV= /dev/hd11admin",
            "Creating cloned rootvg volume group and associated logical volumes.",
            *(f"Creating logical volume alt_{lv}." for lv in lvs),
            "Creating /alt_inst/ file system.",
            *(f"Creating /alt_inst{fs} file system." for fs in _FILESYSTEMS[1:]),
            "Generating a list of files",
            "for backup and restore into the alternate file system...",
            "Backing-up the rootvg files and restoring them to the alternate file system...",
            "Phase 1 complete.",
        ]
    if phase == 2:
        return [
            f"Exporting alt_inst filesystems from client {client}",
            "to NIM master nim01:",
            *(f"Exporting /alt_inst{fs} from client." for fs in _FILESYSTEMS),
        ]
    if phase == 3:
        return [
            "NFS mounting client's alt_inst filesystems on the NIM master:",
            *(f"Mounting {client}:/alt_inst{fs}." for fs in _FILESYSTEMS),
        ]
    if phase in (4, 7):
        return ["nimadm: There is no user customization script specified for this phase."]
    if phase == 5:
        return [
            "Saving system configuration files.",
            "0505-161 nimadm: WARNING, client nfs mounts may be out of sync.",
            "Checking for initial required migration space.",
            "Setting up for base operating system restore.",
            "/tmp",
            "Restoring base operating system.",
            "Merging system configuration files.",
            "Can not remove the glbd subsystem",
            'WARNING: rmitab failed! Unable to remove "mkatmpvc" entry from /etc/inittab.',
            "/lpp/devices.common.IBM.atm/deinstl/devices.common.IBM.atm.rte.unconfig[76]: /etc/atm.defs: cannot open",
            "sum: Can't open /usr/lib/hal_hfi.o",
            "Running migration merge method: ODM_merge Config_Rules.",
            "Running migration merge method: ODM_merge SRCsubsys.",
            "Running migration merge method: passwd_mig.",
            "Running migration merge method: SysckMerge.",
            "Running migration merge method: nscontrol_mig.",
        ]
    if phase == 6:
        return [
            "Installing and migrating software.",
            "0505-161 nimadm: WARNING, client nfs mounts may be out of sync.",
            "Expanding /alt_inst/opt client filesystem.",
            "Filesystem size changed to 262144",
            "Checking space requirements for installp install.",
            "Expanding /alt_inst/usr client filesystem.",
            "Filesystem size changed to 6029312",
            "Installing software with the installp installer.",
        ]
    if phase == 8:
        return [
            "Creating client boot image.",
            "bosboot: Boot image is 61441 512 byte blocks.",
            f"Writing boot image to client's alternate boot disk {disk}.",
        ]
    if phase == 9:
        return [
            "Unmounting client mounts on the NIM master.",
            *(f"forced unmount of /{client}_alt/alt_inst{fs}" for fs in reversed(_FILESYSTEMS)),
        ]
    if phase == 10:
        return [f"Unexporting alt_inst filesystems on client {client}:"]
    if phase == 11:
        return [
            "Cloning altinst_rootvg on client, Phase 3.",
            f'Client alt_disk_install command: alt_disk_copy -M 7.2 -P3 -d "{disk}"',
            "## Phase 3 ###################",
            "Verifying altinst_rootvg...",
            "Modifying ODM on cloned disk.",
            *(f"forced unmount of /alt_inst{fs}" for fs in reversed(_FILESYSTEMS) for _ in (1, 2)),
            "Changing logical volume names in volume group descriptor area.",
            "Fixing LV control blocks...",
            "Fixing file system superblocks...",
            f"Bootlist is set to the boot disk: {disk} blv=hd5",
        ]
    if phase == 12:
        return [
            "Cleaning up alt_disk_migration on the NIM master.",
            f"Cleaning up alt_disk_migration on client {client}.",
        ]
    raise ValueError(f"nimadm has no phase {phase}")


def phase(client: str, number: int, disk: str = "hdisk2") -> list[str]:
    """Banner plus body of one phase of a successful run."""
    return banner(number) + _body(client, number, disk)


def phase11_ghost_device_failure(client: str, disk: str = "hdisk2", old_disk: str = "hdisk0") -> list[str]:
    """Phase 11 failing on a ghost device major number (0516-082), then nimadm's cleanup."""
    return [
        *banner(11),
        "Cloning altinst_rootvg on client, Phase 3.",
        f'Client alt_disk_install command: alt_disk_copy -M 7.2 -P3 -d "{disk}"',
        "## Phase 3 ###################",
        "Verifying altinst_rootvg...",
        "Modifying ODM on cloned disk.",
        *(f"forced unmount of /alt_inst{fs}" for fs in reversed(_FILESYSTEMS) for _ in (1, 2)),
        "Changing logical volume names in volume group descriptor area.",
        GHOST_DEVICE_ERROR,
        "0505-187 nimadm: Error cloning altinst_rootvg on client.",
        "Cleaning up alt_disk_migration on the NIM master.",
        f"Cleaning up alt_disk_migration on client {client}.",
        "Client alt_disk_install command: alt_disk_install -M 7.2 -X",
        f"Bootlist is set to the boot disk: {old_disk} blv=hd5",
    ]
