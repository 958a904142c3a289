"""bosboot and mkboot (0301) messages, and the file-command line (0653-341) bosboot fails after.

A boot image is written onto the new disk during every migration (nimadm phase 8: "Creating client
boot image."), and `mkszfile`, the first step of alt_disk_copy, stops on the same boot-device check
(IBM APAR IV00794). Only codes a public source prints are here; SOURCES.md names what was not found.
"""

from __future__ import annotations

from cockpit.domain.messages.model import Entry, Step, value_pattern

_NO_REBOOT = (
    "Do not reboot the host until bosboot -ad completes without an error: a failed bosboot can leave a disk "
    "that does not boot."
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        code="0301-150",
        text="0301-150 bosboot: Invalid or no boot device specified!\nusage:  bosboot ....",
        text_status="partial",
        severity="fatal",
        meaning=(
            "bosboot could not tell which disk to build the boot image for: /dev/ipldevice is missing, or it "
            "still points to a disk that no longer holds the boot logical volume hd5 (after mirrorvg / "
            "unmirrorvg, migratepv or rmdev of the old boot disk). Every command that asks for the boot "
            "device fails the same way, mkszfile included: alt_disk_copy (nimadm phase 1) stops at its first "
            "step. The usage text follows the message."
        ),
        fix=(
            "Find the disk that holds hd5 and the disk the host last booted from, relink /dev/ipldevice to "
            "the raw device of the disk holding hd5, rebuild its boot image and check the bootlist; then run "
            f"the migration again. {_NO_REBOOT}"
        ),
        steps=(
            Step("host", "lslv -m hd5"),
            Step("host", "bootinfo -b"),
            Step("host", "ls -l /dev/ipldevice"),
            Step("host", "ln -f /dev/r<bootdisk> /dev/ipldevice"),
            Step("host", "bosboot -ad /dev/<bootdisk>"),
            Step("host", "bootlist -m normal -o"),
        ),
        sources=("ibm-apar-iv00794", "ibm-bosboot-clone-420", "tansley-bosboot"),
    ),
    Entry(
        code="0301-154",
        text="0301-154 bosboot: missing proto file: <file>",
        text_status="exact",
        severity="fatal",
        meaning=(
            "bosboot builds the boot image's RAM file system from the lists in /usr/lib/boot/protoext; one "
            "of them names a file that is gone, usually a driver in /usr/lib/drivers whose fileset was "
            "removed while its protoext list stayed behind. IBM: an AIX upgrade, a migration, a mksysb or an "
            "alternate rootvg creation fails with it."
        ),
        fix=(
            "Find the protoext list that names the missing file and check that no fileset owns it (lslpp -w "
            "prints nothing); remove that leftover list and run bosboot again. Several stale lists may come "
            f"up one after another. {_NO_REBOOT}"
        ),
        steps=(
            Step("host", "grep -l <file> /usr/lib/boot/protoext/*"),
            Step("host", "lslpp -w /usr/lib/boot/protoext/<protoext-file>"),
            Step("host", "rm /usr/lib/boot/protoext/<protoext-file>"),
            Step("host", "bosboot -ad /dev/ipldevice"),
        ),
        sources=("ibm-bosboot-proto",),
        values=value_pattern(r"0301-154 bosboot: missing proto file: (?P<file>\S+)"),
    ),
    Entry(
        code="0301-101",
        text="0301-101 mkboot_rs6k: device open failure <device>",
        text_status="exact",
        severity="fatal",
        meaning=(
            "mkboot, which bosboot calls to assemble the boot image, could not open the device the image is "
            "made for, and bosboot then reports that mkboot failed to create the image. In the IBM report a "
            "stale /dev entry for a network adapter (/dev/tok0, AIX 4.1 / 4.2) made mkboot open it while "
            "building a network boot image."
        ),
        fix=(
            "Check that the device exists and is configured; remove a /dev special file that no configured "
            "device owns, then build the boot image again."
        ),
        steps=(
            Step("host", "ls -l <device>"),
            Step("host", "lsdev -C | grep <name>"),
        ),
        sources=("ibm-techlib-bp0306l",),
        values=value_pattern(r"0301-101 mkboot_rs6k: device open failure (?P<device>\S+)"),
    ),
    Entry(
        code="0653-341",
        text="0653-341 the file <file> does not exist",
        text_status="exact",
        severity="error",
        meaning=(
            "A file command (ls, among others) did not find the file named. Before a boot image is built it "
            "means /dev/ipldevice, the link to the boot disk, is gone; bosboot then fails with 0301-150."
        ),
        fix=(
            "If the file is /dev/ipldevice: relink it to the raw device of the disk that holds hd5 and rebuild "
            "the boot image (as for 0301-150). Otherwise check the path the command was given."
        ),
        steps=(
            Step("host", "lslv -m hd5"),
            Step("host", "ln -f /dev/r<bootdisk> /dev/ipldevice"),
            Step("host", "bosboot -ad /dev/<bootdisk>"),
        ),
        sources=("ibm-bosboot-clone-420",),
        when=(
            "Harmless when a script merely tests for a file that may be absent; an error when the file is "
            "/dev/ipldevice or anything the migration needs."
        ),
        values=value_pattern(r"0653-341 [Tt]he file (?P<file>\S+) does not exist"),
    ),
)
