"""The AIX simulator: a fleet of simulated AIX hosts (a NIM master and its clients) on 127.0.0.1.

    server.SimFleet                  the SSH front end (asyncssh; one server per host)
    serve.serve                      `cockpit sim`: serve a fleet until stopped, leave nothing behind
    scenario.load_scenario           scenario files (scenarios/*.yaml): hosts, faults, timing
    seed, state                      per-host JSON state (disks, bootlist, levels, NIM database)
    layout, faults                   what a fresh host holds (LVM, ODM, /dev) and what each fault changes
    aixcmd, aix/, bin/               the fake AIX commands a session's shell finds first on PATH

Keep this file free of imports: every fake command imports the package and must start fast.
"""
