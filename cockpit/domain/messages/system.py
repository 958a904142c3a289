"""Messages from around a migration: SRC subsystems (0513), installp (0503), interim fixes (0645),
Live Update (1430), mount (0506), devices (0514), file commands (0652/0653) and the loader (0509)."""

from __future__ import annotations

from cockpit.domain.messages.model import Entry, Step, value_pattern

_LIVE_UPDATE_FIX = (
    "Live Update checks its prerequisites first and stops before changing anything; fix what the message "
    "names and run the preview again (geninstall -k -p)."
)

ENTRIES: tuple[Entry, ...] = (
    # --- SRC (0513) -----------------------------------------------------------------------------------
    Entry(
        code="0513-059",
        text="0513-059 The <subsystem> Subsystem has been started. Subsystem PID is <pid>.",
        text_status="exact",
        severity="info",
        meaning="startsrc started the subsystem (nimsh, or the NFS daemons nimadm starts on the master).",
        fix="",
        steps=(),
        sources=("qiita-nimadm", "jvb-nimadm"),
        values=value_pattern(r"0513-059 The (?P<subsystem>\S+) Subsystem has been started"),
    ),
    Entry(
        code="0513-029",
        text="0513-029 The <subsystem> Subsystem is already active.\nMultiple instances are not supported.",
        text_status="exact",
        severity="info",
        meaning="startsrc was asked to start a subsystem that already runs; nothing changed.",
        fix="",
        steps=(),
        sources=("jvb-nimadm",),
        when=(
            "Benign when nimadm starts the NFS daemons it needs on the master (biod is usually running "
            "already). Look closer only if the subsystem is one you expected to be stopped."
        ),
        values=value_pattern(r"0513-029 The (?P<subsystem>\S+) Subsystem is already active"),
    ),
    Entry(
        code="0513-085",
        text="0513-085 The <subsystem> Subsystem is not on file.",
        text_status="exact",
        severity="error",
        meaning=(
            "The subsystem is not defined to SRC on this host (never installed, or its definition was removed). "
            "For nimsh: the NIM client fileset is not configured."
        ),
        fix="Check the subsystem name (lssrc -a); define it (mkssys) or reinstall/configure the product that owns it.",
        steps=(Step("host", "lssrc -a"),),
        sources=("ncpa-428",),
        values=value_pattern(r"0513-085 The (?P<subsystem>\S+) Subsystem is not on file"),
    ),
    # --- installp / geninstall (0503) ---------------------------------------------------------------
    Entry(
        code="0503-008",
        text=(
            "0503-008 installp: There is not enough free disk space in file system <fs> (<n> more 512 byte "
            "blocks are required.) An attempt to extend this file system was unsuccessful. Make more space "
            "available, then retry this operation."
        ),
        text_status="exact",
        severity="fatal",
        meaning=(
            "installp could not grow a file system for the software it installs; in nimadm phase 6 this is "
            "the client's /alt_inst file system mounted on the master, limited by the target disk."
        ),
        fix="Free space in the volume group or use a larger target disk; with nimadm, nimadm -C and run again.",
        steps=(Step("client", "lsvg rootvg"), Step("master", "nimadm -C -c <client> -s <spot>")),
        sources=("ibm-install-msgs",),
    ),
    Entry(
        code="0503-105",
        text="0503-105 geninstall: The device or directory: <device> does not exist.",
        text_status="exact",
        severity="fatal",
        meaning="The install source named (a device, a directory, an NFS-mounted lpp_source) is not there.",
        fix="Check the path and that its NFS mount is up; for NIM, check the lpp_source's location (lsnim -l).",
        steps=(Step("host", "ls -ld <device>"),),
        sources=("ans-geninstall",),
    ),
    Entry(
        code="0503-438",
        text="0503-438 installp:  This function of installp requires a list of\ninstallable filesets to be provided.",
        text_status="exact",
        severity="error",
        meaning="installp was run without naming what to install (a fileset list, or 'all').",
        fix="Name the filesets, or all: installp -acgXd <device> all.",
        steps=(),
        sources=("node-exporter-aix-40",),
    ),
    Entry(
        code="0503-439",
        text="0503-439 ...",
        text_status="partial",
        severity="info",
        meaning="Treated by IBM's installp module like 'Already Installed' / 'Nothing to Commit': nothing changed.",
        fix="",
        steps=(),
        sources=("ans-installp",),
    ),
    # --- interim fixes (0645) -----------------------------------------------------------------------
    Entry(
        code="0645-065",
        text="0645-065 ...",
        text_status="partial",
        severity="info",
        meaning="emgr: the interim fix is already installed.",
        fix="",
        steps=(),
        sources=("ans-emgr",),
    ),
    Entry(
        code="0645-066",
        text="0645-066 ...",
        text_status="partial",
        severity="info",
        meaning="emgr: no interim fix with that label is installed (nothing to remove).",
        fix="",
        steps=(),
        sources=("ans-emgr",),
    ),
    Entry(
        code="0645-081",
        text="0645-081 ...",
        text_status="partial",
        severity="info",
        meaning="emgr: no interim fix with that ID number is installed (nothing to remove).",
        fix="",
        steps=(),
        sources=("ans-emgr",),
    ),
    Entry(
        code="0645-082",
        text="0645-082 ...",
        text_status="partial",
        severity="info",
        meaning="emgr: no interim fix with that VUID is installed (nothing to remove).",
        fix="",
        steps=(),
        sources=("ans-emgr",),
    ),
    Entry(
        code="0645-007",
        text="<command>: 0645-007 ATTENTION: set_time_token() returned an unexpected result.",
        text_status="exact",
        severity="warning",
        meaning=(
            "An install-utilities routine returned an unexpected result; reported next to a locked package "
            "database. Look at the lines around it."
        ),
        fix="Check that no other installp, emgr or rpm runs at the same time, then run the operation again.",
        steps=(Step("host", "ps -ef | grep -E 'installp|emgr|rpm'"),),
        sources=("wazuh-871",),
    ),
    # --- Live Update (1430) -------------------------------------------------------------------------
    Entry(
        code="1430-143",
        text="1430-143 FAILED: Audit in stream mode is not supported.",
        text_status="exact",
        severity="fatal",
        meaning="Live Update refuses to run while the audit subsystem runs in stream mode.",
        fix=_LIVE_UPDATE_FIX + " Stop stream-mode auditing (audit shutdown) for the update.",
        steps=(Step("host", "audit query"),),
        sources=("powercampus-liveupdate",),
    ),
    Entry(
        code="1430-237",
        text="1430-237 FAILED: No management console specified.",
        text_status="exact",
        severity="fatal",
        meaning="Live Update needs an HMC (or PowerVC) to create the surrogate partition, and none is configured.",
        fix=_LIVE_UPDATE_FIX + " Name the HMC in /var/adm/ras/liveupdate/lvupdate.data and authenticate (hmcauth).",
        steps=(Step("host", "hmcauth -l"),),
        sources=("powercampus-liveupdate", "ibm-lvupdate-limits"),
    ),
    Entry(
        code="1430-244",
        text="1430-244 FAILED: file system(s) of unsupported type are mounted",
        text_status="exact",
        severity="fatal",
        meaning="Only JFS2, NFS and AutoFS-managed NFS may be mounted during Live Update.",
        fix=_LIVE_UPDATE_FIX + " Unmount the other file systems (CacheFS, AHAFS ...) for the update.",
        steps=(Step("host", "mount"),),
        sources=("powercampus-liveupdate", "ibm-lvupdate-limits"),
    ),
    Entry(
        code="1430-246",
        text="1430-246 FAILED: No valid authentication with an HMC console.",
        text_status="exact",
        severity="fatal",
        meaning="Live Update has no valid session with the HMC that manages the partition.",
        fix=_LIVE_UPDATE_FIX + " Authenticate to the HMC with hmcauth (a user with the hmcclientliveupdate role).",
        steps=(Step("host", "hmcauth -a <hmc> -u <user>"),),
        sources=("powercampus-liveupdate", "ibm-lvupdate-limits"),
    ),
    Entry(
        code="1430-187",
        text="1430-187 WARNING: Couldn't release the unreturned mobile CoD resources generated on CEC '<cec>'.",
        text_status="exact",
        severity="warning",
        meaning="After the update, Capacity on Demand resources activated for it could not be released.",
        fix="Check the Enterprise Pool configuration on the HMC and release the resources there.",
        steps=(),
        sources=("ibm-lvupdate-config",),
    ),
    # --- mount, devices, files, loader --------------------------------------------------------------
    Entry(
        code="0506-347",
        text="umount: 0506-347 Cannot find anything to unmount.",
        text_status="exact",
        severity="info",
        meaning="Nothing of that kind was mounted; IBM's mount module treats it as 'already unmounted'.",
        fix="",
        steps=(),
        sources=("ans-mount",),
        when="Benign in a cleanup (the file system was already unmounted); look closer if you expected it mounted.",
    ),
    Entry(
        code="0514-546",
        text="lspath: 0514-546 Invalid parameter - <value>.",
        text_status="exact",
        severity="error",
        meaning="lspath was given a device or parameter it does not know.",
        fix="Check the disk name (lsdev -Cc disk) and the flags.",
        steps=(Step("host", "lsdev -Cc disk"),),
        sources=("ans-mpio",),
    ),
    Entry(
        code="0653-609",
        text="rm: 0653-609 Cannot remove <file>.\nThe file system has read permission only.",
        text_status="exact",
        severity="error",
        meaning="The file lives on a read-only file system (in the public report, a WPAR's shared /opt).",
        fix="Run the change where the file system is writable (the global environment), or remount it read-write.",
        steps=(Step("host", "mount"),),
        sources=("chef-aix-30",),
    ),
    Entry(
        code="0653-420",
        text="ln: 0653-420 Cannot unlink <file>.",
        text_status="exact",
        severity="error",
        meaning="ln could not replace an existing file, usually for the same read-only reason as 0653-609.",
        fix="As for 0653-609.",
        steps=(),
        sources=("chef-aix-30",),
    ),
    Entry(
        code="0509-022",
        text="0509-022 Cannot load module <module>.",
        text_status="partial",
        severity="error",
        meaning=(
            "A program could not load a shared library it needs. After a migration: a fileset the application "
            "depends on is missing or at another level on the new AIX."
        ),
        fix="The lines after it name the library; install the fileset that provides it (lslpp -w <library>).",
        steps=(Step("host", "lslpp -w <library>"),),
        sources=("datadog-50391",),
    ),
    Entry(
        code="0403-065",
        text="<script>: 0403-065 An incomplete or invalid multibyte character encountered.",
        text_status="exact",
        severity="error",
        meaning=(
            "ksh read bytes that are not valid characters in the session's locale: a script with UTF-8 text "
            "run under another LANG (common over SSH, where the locale comes from the caller)."
        ),
        fix="Run the script with the locale it was written in (LANG=en_US.UTF-8 / LC_ALL), or keep it ASCII.",
        steps=(Step("host", "locale"),),
        sources=("bitbucket-ibmi-147",),
    ),
)
