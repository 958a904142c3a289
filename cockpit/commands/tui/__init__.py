"""The commands that open the cockpit (Textual): `cockpit run` without --headless, `watch`, `replay`.

The only part of cockpit.commands that imports cockpit.ui. Headless command modules import these
inside the function that opens the cockpit, never at module level (tests/unit/test_import_hygiene.py
checks it at run time; pyproject.toml's import contract says why the edge is allowed).
"""
