"""Helpers for FocalPoint's tests and benchmarks; never shipped (not in the wheel, not in the bundle).

- :mod:`tests.support.hub`: a real hub on loopback over HTTP (``start_hub``);
- :mod:`tests.support.hubkit`: fresh governments, signed-in users and valid documents on that hub;
- :mod:`tests.support.hub_fixtures`: the ``hub_server`` / ``hub_env`` fixtures (loaded by ``tests/conftest.py``);
- :mod:`tests.support.sync`: a fault-injecting HTTP proxy, test stations (database + sync engine), sample records;
- :mod:`tests.support.linkproxy`: a TCP link that counts, cuts, stalls or slows the bytes of file transfers;
- :mod:`tests.support.schemathesis_hooks`: the hooks of the hub's schema-driven test;
- :mod:`tests.support.ui`: a small real action plan, a ready database, typing any script into a widget;
- :mod:`tests.support.poppler`: reading PDFs back with poppler-utils (text, fonts, rendered pages);
- :mod:`tests.support.smoke`: start-up checks the packaged app runs from a file (``FOCALPOINT_UI_HOOK``).
"""
