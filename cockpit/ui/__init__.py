"""cockpit.ui: the Textual cockpit (the only package that imports textual).

Entry point: cockpit.ui.app.CockpitApp. The bridge (cockpit.ui.bridge) and the presentation
helpers (cockpit.ui.present, cockpit.ui.logtail) are plain Python and import no Textual.
"""
