"""NIM (0042) messages: nimadm, nim, lsnim and nimclient all report through them.

All NIM error codes are 0042 plus three digits, and NIM commands exit with those three digits when a
fatal error stops them (IBM's NIM error message pages).
"""

from __future__ import annotations

from cockpit.domain.messages.model import Entry, Step, value_pattern

_NIM_MSGS = ("ibm-nim-msgs", "ibm-nim-msgs-43")

ENTRIES: tuple[Entry, ...] = (
    Entry(
        code="0042-001",
        text='0042-001 nim: processing error encountered on "<host>":\n   <the error>',
        text_status="exact",
        severity="fatal",
        meaning=(
            "A NIM method failed on the machine named; the message that follows (indented) is the real "
            "error. In the known nimadm pre-check case it is '/usr/bin/lslpp: Fileset "
            "bos.alt_disk_install.rte not installed.' (see 0505-204)."
        ),
        fix="Fix the error on the following lines (they are shown with it).",
        steps=(),
        sources=("qiita-nimadm", "ans-issue-510", *_NIM_MSGS),
        wrapper=True,
        values=value_pattern(r'0042-001 \S+: processing error encountered on "(?P<host>[^"]+)"'),
    ),
    Entry(
        code="0042-002",
        text="0042-002 ...",
        text_status="partial",
        severity="fatal",
        meaning="The NIM operation received an interrupt signal (for example Ctrl-C) and stopped.",
        fix="Check the NIM object's state (lsnim -l), reset it if it is stuck, and start the operation again.",
        steps=(Step("master", "lsnim -l <client>"), Step("master", "nim -Fo reset <client>")),
        sources=_NIM_MSGS,
    ),
    Entry(
        code="0042-006",
        text="0042-006 <method>: (exec_nimsh_cmd) exec_cmd Connection refused",
        text_status="exact",
        severity="fatal",
        meaning=(
            "The master could not run a command on the client: the remote-execution channel refused the "
            "connection (nimsh not running on the client, or rsh disabled for a connect=shell client)."
        ),
        fix=(
            "Start nimsh on the client and check ports 3901/3902, or make the NIM object's connect method "
            "match what the client offers (nimsh or shell)."
        ),
        steps=(
            Step("client", "lssrc -s nimsh"),
            Step("client", "startsrc -s nimsh"),
            Step("master", "lsnim -l <client>"),
            Step("master", "/usr/lpp/bos.sysmgt/nim/methods/c_rsh <client> /usr/bin/hostname"),
        ),
        sources=("ans-issue-642", *_NIM_MSGS),
    ),
    Entry(
        code="0042-008",
        text="0042-008 nimsh: Request denied - <host>",
        text_status="partial",
        severity="fatal",
        meaning=(
            "The client's nimsh refused the master's request: it does not recognise the master that asks "
            "(NIM_MASTER_HOSTNAME or the master's address in /etc/niminfo differ from the caller)."
        ),
        fix="Check /etc/niminfo on the client and name resolution both ways; restart nimsh after fixing it.",
        steps=(
            Step("client", "grep NIM_MASTER /etc/niminfo"),
            Step("client", "stopsrc -s nimsh"),
            Step("client", "startsrc -s nimsh"),
        ),
        sources=_NIM_MSGS,
    ),
    Entry(
        code="0042-032",
        text="0042-032 ...",
        text_status="partial",
        severity="error",
        meaning="A NIM object name must be unique: an object with that name already exists.",
        fix="Use another name, or remove the existing object if it is stale (nim -o remove).",
        steps=(Step("master", "lsnim | grep <name>"),),
        sources=("ans-nim-resource", *_NIM_MSGS),
    ),
    Entry(
        code="0042-052",
        text='0042-052 m_rmmac: unable to remove "<client>" because resources\nhave been allocated to it',
        text_status="exact",
        severity="error",
        meaning="Removing the NIM client failed: resources are still allocated to it.",
        fix="Deallocate all of the client's resources, then remove it again.",
        steps=(
            Step("master", "lsnim -c resources <client>"),
            Step("master", "nim -o deallocate -a subclass=all <client>"),
        ),
        sources=("powercampus-rmclient",),
        values=value_pattern(r'0042-052 m_rmmac: unable to remove "(?P<client>[^"]+)"'),
    ),
    Entry(
        code="0042-053",
        text='0042-053 lsnim: there is no NIM object named "<client>"',
        text_status="exact",
        severity="fatal",
        meaning="The NIM client (object) is not defined on this NIM master.",
        fix=(
            "Check the name given to nimadm -c (the NIM object name, not necessarily the hostname); define the "
            "client on the master if it is missing."
        ),
        steps=(Step("master", "lsnim -c machines"), Step("master", "lsnim -l <client>")),
        sources=("ans-validate-conn",),
        values=value_pattern(r'0042-053 \S+: there is no NIM object named "(?P<client>[^"]+)"'),
    ),
    Entry(
        code="0042-081",
        text='0042-081 m_mkspot: a resource already exists on "<host>" at location ...',
        text_status="partial",
        severity="error",
        meaning="Creating a SPOT failed: another NIM resource already occupies that location.",
        fix="Create the SPOT at another location, or remove the resource defined there first.",
        steps=(Step("master", "lsnim -t spot"),),
        sources=("ans-create-spot", "ans-nim-resource"),
    ),
    Entry(
        code="0042-137",
        text="0042-137 nimclient: the /etc/niminfo file is missing some required environment variables",
        text_status="partial",
        severity="fatal",
        meaning=(
            "The client's /etc/niminfo is incomplete, so the client cannot work with its NIM master (it may "
            "have been registered with another master)."
        ),
        fix=(
            "Check that NIM_MASTER_HOSTNAME names this master; restart nimsh; if it still fails, move "
            "/etc/niminfo aside and register the client again with niminit."
        ),
        steps=(
            Step("client", "grep NIM_MASTER_HOSTNAME /etc/niminfo"),
            Step("client", "stopsrc -s nimsh"),
            Step("client", "startsrc -s nimsh"),
            Step("client", "mv /etc/niminfo /etc/niminfo.old"),
            Step("client", "niminit -a name=<client> -a master=<master>"),
        ),
        sources=_NIM_MSGS,
    ),
    Entry(
        code="0042-175",
        text='0042-175 <method>: An unexpected result was returned by the "<command>" command:',
        text_status="exact",
        severity="fatal",
        meaning=(
            "A command NIM ran (installp, a customization script ...) failed; its own output follows. In the "
            "public report it was 'Input device or directory does not exist.': the lpp_source was not reachable."
        ),
        fix="Read the lines after it; for installp, check the lpp_source (lsnim -l <lpp>) and that NFS to it works.",
        steps=(Step("master", "lsnim -l <lpp>"), Step("master", "nim -Fo check <lpp>")),
        sources=("ans-issue-510", *_NIM_MSGS),
    ),
    Entry(
        code="0042-207",
        text="0042-207 m_showres: Unable to allocate the <spot> resource to master.",
        text_status="exact",
        severity="error",
        meaning="The SPOT is busy (allocated by another NIM operation); transient.",
        fix="Retry after a few seconds (IBM's own code retries up to 10 times).",
        steps=(Step("master", "nim -o showres -a lslpp_flags=Lc <spot>"),),
        sources=("ans-nim-resource",),
        values=value_pattern(r"0042-207 m_showres: Unable to allocate the (?P<spot>\S+) resource"),
    ),
)
