"""Exit statuses of the `cockpit` commands, and the operator's bad input.

0 success / go / valid, 1 a migration or check did not succeed, 2 bad usage or bad input (one line on
stderr, never a traceback), 3 an internal error (the traceback saved to a file; see cockpit.cli).
"""

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad input from the operator: reported as one line, exit 2."""
