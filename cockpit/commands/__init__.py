"""Headless subcommands of `cockpit`, one module each; none of them imports Textual."""
