"""Download planning: which published files and which comuni to fetch, and landing them.

``national`` fetches the whole files (demo.istat.it, MEF, code lists) one year at a time;
``territorial`` fetches the SDMX dataflows for the comuni a territory needs, in keys of at
most 35 codes through the shared rate-limited session. Every file is recognised and
accepted (``diagnosis.intake``) before it enters the store.
"""
