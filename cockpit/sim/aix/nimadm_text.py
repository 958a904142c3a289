"""The text nimadm prints, phase by phase: the field report's run verbatim, names substituted.

Each builder returns paced lines (common.Line). Where the real run has no text for a case (cache
mode -j, the -B flag, a refused -P), the lines are assumed and marked so.
"""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.sim.aix.common import Line, error_line, line

RULE = "+" + "-" * 77 + "+"

# Typical real minutes of each phase (a run takes about an hour, installp about 30 minutes); 0 = the
# pre-phase checks. Scaled by the fleet's time scale and the host's slow factor.
PHASE_MINUTES = {
    0: 1.0,
    1: 8.0,
    2: 1.0,
    3: 1.0,
    4: 0.2,
    5: 6.0,
    6: 30.0,
    7: 0.2,
    8: 2.0,
    9: 0.5,
    10: 0.5,
    11: 4.0,
    12: 1.0,
}
# The /alt_inst file systems of a default AIX 7.1 rootvg, in the order the real run lists them.
FILE_SYSTEMS = (
    "/alt_inst",
    "/alt_inst/admin",
    "/alt_inst/home",
    "/alt_inst/opt",
    "/alt_inst/tmp",
    "/alt_inst/usr",
    "/alt_inst/var",
    "/alt_inst/var/adm/ras/livedump",
)
LOGICAL_VOLUMES = (
    "hd5",
    "hd6",
    "hd8",
    "hd4",
    "hd2",
    "hd9var",
    "hd3",
    "hd1",
    "hd10opt",
    "hd11admin",
    "lg_dumplv",
    "livedump",
)


@dataclass(frozen=True, slots=True)
class Run:
    """What the text of one nimadm run depends on."""

    client: str
    master: str
    disks: tuple[str, ...]
    target_vr: str
    """V.R of the SPOT, e.g. 7.2 (alt_disk_copy -M)."""
    cache_vg: str | None = None
    keep_bootlist: bool = False
    """-B: phase 11 leaves the bootlist alone."""

    @property
    def disk_arg(self) -> str:
        return '"' + " ".join(self.disks) + '"'

    @property
    def log(self) -> str:
        return f"/var/adm/ras/alt_mig/{self.client}_alt_mig.log"

    def client_command(self, phase: int) -> str:
        cache = "-j " if self.cache_vg else ""
        no_boot = "-B " if self.keep_bootlist and phase == 3 else ""  # Assumed placement of -B
        flags = f"{cache}-M {self.target_vr} -P{phase} {no_boot}-d {self.disk_arg}"
        return f"Client alt_disk_install command: alt_disk_copy {flags}"


def banner(phase: int) -> list[Line]:
    # Phase 7 follows the installp output of phase 6 without a blank line in the real run.
    lead = [] if phase == 7 else [line("")]
    return [*lead, line(RULE), line(f"Executing nimadm phase {phase}."), line(RULE)]


def pre(run: Run) -> tuple[list[Line], list[Line]]:
    """The start, split where the client is contacted (nimsh / level checks go in between)."""
    return (
        [line("Initializing the NIM master."), line(f"Initializing NIM client {run.client}.")],
        [
            line("Verifying alt_disk_migration eligibility."),
            line(f"Initializing log: {run.log}"),
            line("Starting Alternate Disk Migration."),
        ],
    )


def phase1(run: Run) -> list[Line]:
    return [
        line("Cloning altinst_rootvg on client, Phase 1."),
        line(run.client_command(1)),
        *clone_sizing(),
        *clone_copy(),
        line("Phase 1 complete."),
    ]


def clone_sizing() -> list[Line]:
    """alt_disk_copy phase 1 up to the size check (a target too small fails right after it)."""
    return [line("Calling mkszfile to create new /image.data file."), line("Checking disk sizes.")]


def clone_copy() -> list[Line]:
    """alt_disk_copy phase 1 after the size check: the clone's LVs and file systems, then the copy."""
    fs_lines = [f"Creating {'/alt_inst/' if fs == '/alt_inst' else fs} file system." for fs in FILE_SYSTEMS]
    return [
        line("LOGICAL_VOLUME= hd11admin"),
        line("FS_LV= /dev/hd11admin"),
        line("Creating cloned rootvg volume group and associated logical volumes."),
        *(line(f"Creating logical volume alt_{lv}.") for lv in LOGICAL_VOLUMES),
        *(line(t) for t in fs_lines),
        line("Generating a list of files"),
        line("for backup and restore into the alternate file system..."),
        # The copy of rootvg is most of phase 1.
        line("Backing-up the rootvg files and restoring them to the alternate file system...", 40),
    ]


def clone_too_small() -> list[Line]:
    """alt_disk_copy on a target disk too small for rootvg, as published (IBM/ansible-power-aix issue 278):
    LVM cannot allocate the first of the clone's logical volumes. AIX prints it on stdout."""
    return [
        line("Creating cloned rootvg volume group and associated logical volumes."),
        line("Creating logical volume alt_hd5."),
        line("0516-404 allocp: This system cannot fulfill the allocation request."),
        line("\tThere are not enough free partitions or not enough physical volumes "),
        line("\tto keep strictness and satisfy allocation requests.  The command"),
        line("\tshould be retried with different allocation characteristics."),
    ]


def phase2(run: Run) -> list[Line]:
    if run.cache_vg:  # Assumed: the real text of cache mode is not in the sources
        return [
            line(f"Creating nimadm cache file systems on volume group {run.cache_vg}."),
            *(line(f"Creating cache file system /{run.client}_alt{fs}") for fs in FILE_SYSTEMS),
        ]
    return [
        line(f"Exporting alt_inst filesystems from client {run.client}"),
        line(f"to NIM master {run.master}:"),
        *(line(f"Exporting {fs} from client.") for fs in FILE_SYSTEMS),
    ]


def phase3(run: Run) -> list[Line]:
    if run.cache_vg:  # Assumed, as phase 2
        return [line("Syncing client data to cache ...", 5)]
    return [
        line("NFS mounting client's alt_inst filesystems on the NIM master:"),
        *(line(f"Mounting {run.client}:{fs}.") for fs in FILE_SYSTEMS),
    ]


def no_script() -> list[Line]:
    return [line("nimadm: There is no user customization script specified for this phase.")]


NFS_WARNING = "0505-161 nimadm: WARNING, client nfs mounts may be out of sync."

MERGE_METHODS = (
    "ODM_merge Config_Rules",
    "ODM_merge SRCextmeth",
    "ODM_merge SRCsubsys",
    "ODM_merge SWservAt",
    "ODM_merge pse.conf",
    "privcmds_mig",
    "privdevs_mig",
    "ODM_merge vfs",
    "ODM_merge xtiso.conf",
    "ODM_merge PdAtXtd",
    "ODM_merge PdDv",
    "convert_errnotify",
    "passwd_mig",
    "login_mig",
    "user_mrg",
    "secur_mig",
    "RoleMerge",
    "methods_mig",
    "mkusr_mig",
    "methods_mig",
    "mkusr_mig",
    "group_mig",
    "ldapcfg_mig",
    "ldapmap_mig",
    "secvarscfg_mig",
    "convert_errlog",
    "ODM_merge GAI",
    "ODM_merge PdAt",
    "merge_smit_db",
    "ODM_merge fix",
    "merge_swvpds",
    "SysckMerge",
    "nscontrol_mig",
)


def phase5() -> list[Line]:
    # The warning and the noise lines below occur in a SUCCESSFUL run.
    return [
        line("Saving system configuration files."),
        line(NFS_WARNING),
        line("Checking for initial required migration space."),
        line("Setting up for base operating system restore."),
        line("/tmp"),
        line("Restoring base operating system.", 15),
        line("Merging system configuration files."),
        line("Can not remove the glbd subsystem"),
        line('WARNING: rmitab failed! Unable to remove "mkatmpvc" entry from /etc/inittab.'),
        line('WARNING: rmitab failed! Unable to remove "atmsvcd" entry from /etc/inittab.'),
        line("No such file or directory"),
        line("/lpp/devices.common.IBM.atm/deinstl/devices.common.IBM.atm.rte.unconfig[76]: /etc/atm.defs: cannot open"),
        line("sum: Can't open /usr/lib/hal_hfi.o"),
        line("sum: Can't open /usr/hfi/hal/lib/hal_hfi.o"),
        line("sum: Can't open /usr/lib/hal_hfi64.o"),
        line("sum: Can't open /usr/hfi/hal/lib/hal_hfi64.o"),
        *(line(f"Running migration merge method: {m}.") for m in MERGE_METHODS),
    ]


def phase6(installp_body: list[str]) -> list[Line]:
    return [
        line("Installing and migrating software."),
        line(NFS_WARNING),
        line("Expanding /alt_inst/opt client filesystem."),
        line("Filesystem size changed to 262144"),
        line("Checking space requirements for installp install."),
        line("Expanding /alt_inst/usr client filesystem."),
        line("Filesystem size changed to 6029312"),
        line("Expanding /alt_inst/var client filesystem."),
        line("Filesystem size changed to 458752"),
        line("Installing software with the installp installer.", 2),
        *(line(t) for t in installp_body),
    ]


def phase8(run: Run) -> list[Line]:
    return [
        line("Creating client boot image.", 4),
        line("bosboot: Boot image is 61441 512 byte blocks."),
        line(f"Writing boot image to client's alternate boot disk {run.disks[0]}."),
    ]


def phase9(run: Run) -> list[Line]:
    return [
        line("Unmounting client mounts on the NIM master."),
        *(line(f"forced unmount of /{run.client}_alt{fs}") for fs in reversed(FILE_SYSTEMS)),
    ]


def phase10(run: Run) -> list[Line]:
    return [line(f"Unexporting alt_inst filesystems on client {run.client}:")]


def phase11_start(run: Run) -> list[Line]:
    return [
        line("Cloning altinst_rootvg on client, Phase 3."),
        line(run.client_command(3)),
        line("## Phase 3 ###################"),
    ]


VERIFYING = "Verifying altinst_rootvg..."


def unmounts_twice() -> list[Line]:
    return [line(f"forced unmount of {fs}") for fs in reversed(FILE_SYSTEMS) for _ in (1, 2)]


def phase11_ok(run: Run) -> list[Line]:
    done = [
        line("Modifying ODM on cloned disk."),
        *unmounts_twice(),
        line("Changing logical volume names in volume group descriptor area.", 4),
        line("Fixing LV control blocks..."),
        line("Fixing file system superblocks..."),
    ]
    if not run.keep_bootlist:
        done.append(line(f"Bootlist is set to the boot disk: {run.disks[0]} blv=hd5"))
    return done


def phase11_ghost_major() -> list[Line]:
    """A ghost device holds the major number the clone's VG needs."""
    return [
        line("Modifying ODM on cloned disk."),
        *unmounts_twice(),
        line("Changing logical volume names in volume group descriptor area."),
        error_line("0516-082 /usr/sbin/lchangelv: Unable to access a special device file"),
    ]


def phase11_multibos() -> list[Line]:
    """A multibos standby BOS on the client (as a public blog post on nimadm and multibos shows)."""
    return [
        error_line("alt_disk_copy: 0505-218 ATTENTION: init_multibos() returned an unexpected result."),
        *unmounts_twice(),
    ]


def cleanup_lines(run: Run) -> list[Line]:
    return [
        line("Cleaning up alt_disk_migration on the NIM master."),
        line(f"Cleaning up alt_disk_migration on client {run.client}."),
    ]


def failure(run: Run, boot_disk: str) -> list[Line]:
    """The error, automatic cleanup, and the bootlist pointed back at the ORIGINAL disk."""
    return [
        error_line("0505-187 nimadm: Error cloning altinst_rootvg on client."),
        *cleanup_lines(run),
        line(f"Client alt_disk_install command: alt_disk_install -M {run.target_vr} -X"),
        line(f"Bootlist is set to the boot disk: {boot_disk} blv=hd5"),
    ]
