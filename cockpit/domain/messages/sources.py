"""Where each catalogue entry comes from: public pages anyone can open to check the message and its meaning.

SOURCES.md (top of the repository) lists the same keys with what each source shows; a test keeps the
two in step. A GitHub file is named with the repository and its path (IBM/ansible-power-aix at the
commit the catalogue was checked against, c68b0b7).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    title: str
    url: str


_ANS = "https://github.com/IBM/ansible-power-aix/blob/c68b0b7"

SOURCES: dict[str, Source] = {
    # --- IBM documentation and support pages ---------------------------------------------------------
    "ibm-install-msgs": Source(
        "IBM AIX 7.2 docs: Interpreting installation-related system and error messages",
        "https://www.ibm.com/support/knowledgecenter/ssw_aix_72/install/bos_system_and_error_msgs.html",
    ),
    "ibm-nim-msgs": Source(
        "IBM AIX 7.1 docs: NIM error and warning messages (every 0042 code, explanation and user action)",
        "https://ibm.com/docs/ssw_aix_71/com.ibm.aix.install/nim_error_messages.htm",
    ),
    "ibm-nim-msgs-43": Source(
        "IBM AIX 4.3 NIM Guide: Error and warning messages (0042 codes; the code is the exit status)",
        "http://ps-2.kev009.com/tl/techlib/manuals/adoclib/aixins/aixnimgd/errormes.htm",
    ),
    "ibm-nimadm-qa": Source(
        "IBM Support: Using NIM Alternate Disk Migration (NIMADM) - logs and debug techniques",
        "https://www.ibm.com/support/pages/using-nim-alternate-disk-migration-nimadm",
    ),
    "ibm-nimadm-cmd": Source(
        "IBM AIX 7.3 docs: nimadm command", "https://www.ibm.com/docs/en/aix/7.3?topic=n-nimadm-command"
    ),
    "ibm-adm-prep": Source(
        "IBM AIX 7.2 docs: Preparing for an alternate disk migration (requirements)",
        "https://www.ibm.com/docs/en/aix/7.2?topic=installation-preparing-alternate-disk-migration",
    ),
    "ibm-alt-disk-copy": Source(
        "IBM AIX 7.2 docs: alt_disk_copy command", "https://www.ibm.com/docs/en/aix/7.2?topic=alt-disk-copy-command"
    ),
    "ibm-alt-rootvg-op": Source(
        "IBM AIX 7.1 docs: alt_rootvg_op command",
        "https://www.ibm.com/support/knowledgecenter/en/ssw_aix_71/com.ibm.aix.cmds1/alt_rootvg_op.htm",
    ),
    "ibm-apar-iv88407": Source(
        "IBM APAR IV88407: multibos fails when non-critical backup errors are encountered (full multibos output)",
        "https://www.ibm.com/support/pages/apar/IV88407",
    ),
    "ibm-apar-iv00794": Source(
        "IBM APAR IV00794: unmirrorvg doesn't link ipldevice to the new boot disk (mkszfile fails with 0301-150)",
        "http://www-01.ibm.com/support/docview.wss?uid=isg1IV00794",
    ),
    "ibm-bosboot-proto": Source(
        'IBM Support: bosboot fails with "missing proto file" error (0301-154)',
        "https://www.ibm.com/support/pages/bosboot-fails-missing-proto-file-error",
    ),
    "ibm-bosboot-clone-420": Source(
        "IBM AIX technical document: bosboot Fails When Trying to Clone at 4.2.0.0 (0653-341, 0301-150)",
        "http://kalwin.fr/unix/add_hoc/techdocs/95383819320274.html",
    ),
    "ibm-techlib-bp0306l": Source(
        "IBM AIX technical library Q&A BP0306L: 0301-101 mkboot_rs6k: device open failure /dev/tok0",
        "http://ps-2.kev009.com/tl/techlib/qna/sfam/html/BP/BP0306L.htm",
    ),
    "ibm-lvupdate-config": Source(
        "IBM AIX 7.2 docs: Configuring resources for Live Update (1430-187)",
        "https://www.ibm.com/support/knowledgecenter/en//ssw_aix_72/com.ibm.aix.install/lvupdate_configuration.htm",
    ),
    "ibm-lvupdate-limits": Source(
        "IBM AIX 7.2 docs: LPAR requirements for Live Update",
        "https://www.ibm.com/support/knowledgecenter/ssw_aix_72/install/lvupdate_limitations.html",
    ),
    "ibm-ifix-qa": Source(
        "IBM Support: Managing Interim Fixes on AIX", "http://www-01.ibm.com/support/docview.wss?uid=isg3T1012104"
    ),
    "ibm-g5146l": Source(
        "IBM AIX technical library Q&A G5146L: Problems with creating a mksysb (0512-005)",
        "http://ps-2.kev009.com/tl/techlib/qna/sfam/html/G/G5146L.htm",
    ),
    # --- public runs and write-ups -------------------------------------------------------------------
    "qiita-nimadm": Source(
        "Qiita (2023-12-13): NIMを利用した代替ディスクへのAIX移行インストール - a complete nimadm run, "
        "the bos.alt_disk_install.rte pre-check failure and the phase-11 ghost-device failure, verbatim",
        "https://qiita.com (search the title)",
    ),
    "tansley-bosboot": Source(
        "IBM developerWorks, David Tansley (2014): Getting bosboot errors, don't reboot just yet (the checks: "
        "bootlist, bootinfo -b, hd5 on the boot disk, /dev/ipldevice, savebase)",
        "http://www.ibm.com/developerworks/aix/library/au-aix-getting-bosboot-errors-dont-reboot/index.html",
    ),
    "gibson-multibos": Source(
        "Chris Gibson's AIX blog: nimadm - multibos error! (a phase-11 failure, verbatim)",
        "http://gibsonnet.net/blog/cgaix/html/nimadm%20%20-%20multibos%20error!.html",
    ),
    "rhdisk0-nimadm": Source(
        "rhdisk0 notes: nimadm (durations, common failures)", "https://sites.google.com/site/rhdisk0/unix/aix/nimadm"
    ),
    "jvb-nimadm": Source(
        "jvb-share: 12 Phases of nimadm Migration (the SRC lines nimadm prints when it starts)",
        "https://jvb-share.blogspot.com/2012/07/12-phases-of-nimadm-migration-nimadm.html",
    ),
    "powercampus-rmclient": Source(
        "PowerCampus: Removing a NIM client (0042-052)",
        "https://powercampus.de/en/documentation/working-with-aix/network-installation-manager/nim-clients/removing-a-nim-client/",
    ),
    "powercampus-liveupdate": Source(
        "PowerCampus: AIX Live Update (1430 messages)",
        "https://powercampus.de/dokumentation/arbeiten-mit-aix/fortgeschrittene-administration/aix-live-update/",
    ),
    "powercampus-ifix-update": Source(
        "PowerCampus: Performing the update (EFIX MANAGER LOCKS)",
        "https://powercampus.de/en/documentation/working-with-aix/advanced-administration/interim-fixes/"
        "automatic-ifix-removal/performing-the-update/",
    ),
    # --- public bug reports --------------------------------------------------------------------------
    "ans-issue-278": Source(
        "IBM/ansible-power-aix issue 278: alt_disk_copy fails with 0516-404 on a disk too small",
        "https://github.com/IBM/ansible-power-aix/issues/278",
    ),
    "ans-issue-510": Source(
        "IBM/ansible-power-aix issue 510: NIM update fails (0042-001, 0042-175)",
        "https://github.com/IBM/ansible-power-aix/issues/510",
    ),
    "ans-issue-642": Source(
        "IBM/ansible-power-aix issue 642: 0042-006 c_rsh ... Connection refused",
        "https://github.com/IBM/ansible-power-aix/issues/642",
    ),
    "ans-issue-131": Source(
        "IBM/ansible-power-aix issue 131: 0516-1616 / 0516-732 from chvg",
        "https://github.com/IBM/ansible-power-aix/issues/131",
    ),
    "ans-issue-768": Source(
        "IBM/ansible-power-aix issue 768: 0516-306 Unable to find volume group",
        "https://github.com/IBM/ansible-power-aix/issues/768",
    ),
    "ansible-pr-30381": Source(
        "ansible/ansible pull request 30381 (aix_lvg): 0516-1782 / 0516-884 from reducevg",
        "https://github.com/ansible/ansible/pull/30381",
    ),
    "ncpa-428": Source(
        "NagiosEnterprises/ncpa issue 428: 0513-085 The ... Subsystem is not on file",
        "https://github.com/NagiosEnterprises/ncpa/issues/428",
    ),
    "node-exporter-aix-40": Source(
        "thorhs/node_exporter_aix issue 40: 0503-438 from installp",
        "https://github.com/thorhs/node_exporter_aix/issues/40",
    ),
    "wazuh-871": Source(
        "wazuh/wazuh-packages issue 871: 0645-007 from rpm_share",
        "https://github.com/wazuh/wazuh-packages/issues/871",
    ),
    "chef-aix-30": Source(
        "chef-cookbooks/aix pull request 30: installp output with 0653-609 / 0653-420",
        "https://github.com/chef-cookbooks/aix/pull/30",
    ),
    "datadog-50391": Source(
        "DataDog/datadog-agent pull request 50391: 0509-022 Cannot load module",
        "https://github.com/DataDog/datadog-agent/pull/50391",
    ),
    "bitbucket-ibmi-147": Source(
        "ibmi/opensource issue 147 (Bitbucket): 0403-065 from ksh running bootstrap.sh",
        "https://bitbucket.org/ibmi/opensource/issues/147/how-to-install-bootstrap-if-error-says-it",
    ),
    # --- IBM/ansible-power-aix source files (IBM's own code quoting the messages) --------------------
    "ans-validate-pv": Source(
        "IBM/ansible-power-aix roles/nim_alt_disk_migration/tasks/validate_pv.yml",
        f"{_ANS}/roles/nim_alt_disk_migration/tasks/validate_pv.yml",
    ),
    "ans-validate-conn": Source(
        "IBM/ansible-power-aix roles/nim_alt_disk_migration/tasks/validate_nim_connection.yml",
        f"{_ANS}/roles/nim_alt_disk_migration/tasks/validate_nim_connection.yml",
    ),
    "ans-create-spot": Source(
        "IBM/ansible-power-aix roles/nim_alt_disk_migration/tasks/create_spot.yml",
        f"{_ANS}/roles/nim_alt_disk_migration/tasks/create_spot.yml",
    ),
    "ans-role-vars": Source(
        "IBM/ansible-power-aix roles/nim_alt_disk_migration/vars/main.yml (nimadm timeout: 4 hours) and "
        'tasks/main.yml ("nimadm takes 2-3 hours")',
        f"{_ANS}/roles/nim_alt_disk_migration/vars/main.yml",
    ),
    "ans-select-disk": Source(
        "IBM/ansible-power-aix plugins/modules/internal/nim_select_target_disk.py",
        f"{_ANS}/plugins/modules/internal/nim_select_target_disk.py",
    ),
    "ans-nim-resource": Source(
        "IBM/ansible-power-aix plugins/modules/nim_resource.py", f"{_ANS}/plugins/modules/nim_resource.py"
    ),
    "ans-vios-alt-disk": Source(
        "IBM/ansible-power-aix plugins/modules/nim_vios_alt_disk.py", f"{_ANS}/plugins/modules/nim_vios_alt_disk.py"
    ),
    "ans-lvm-facts": Source(
        "IBM/ansible-power-aix plugins/modules/lvm_facts.py", f"{_ANS}/plugins/modules/lvm_facts.py"
    ),
    "ans-lvg": Source("IBM/ansible-power-aix plugins/modules/lvg.py", f"{_ANS}/plugins/modules/lvg.py"),
    "ans-backup": Source("IBM/ansible-power-aix plugins/modules/backup.py", f"{_ANS}/plugins/modules/backup.py"),
    "ans-geninstall": Source(
        "IBM/ansible-power-aix plugins/modules/geninstall.py", f"{_ANS}/plugins/modules/geninstall.py"
    ),
    "ans-installp": Source("IBM/ansible-power-aix plugins/modules/installp.py", f"{_ANS}/plugins/modules/installp.py"),
    "ans-emgr": Source("IBM/ansible-power-aix plugins/modules/emgr.py", f"{_ANS}/plugins/modules/emgr.py"),
    "ans-mount": Source(
        "IBM/ansible-power-aix plugins/modules/mount.py and tests/unit/plugins/modules/test_mount.py",
        f"{_ANS}/tests/unit/plugins/modules/test_mount.py",
    ),
    "ans-mpio": Source("IBM/ansible-power-aix plugins/modules/mpio.py", f"{_ANS}/plugins/modules/mpio.py"),
}
