"""Helpers for FocalPoint's tests and benchmarks; never shipped (not in the wheel, not in the bundle).

- :mod:`tests.support.hub`: a real hub on loopback over HTTP (``start_hub``);
- :mod:`tests.support.hubkit`: fresh governments, signed-in users and valid documents on that hub;
- :mod:`tests.support.hub_fixtures`: the ``hub_server`` / ``hub_env`` / ``reference_records`` fixtures (loaded by
  ``tests/conftest.py``);
- :mod:`tests.support.sync`: a fault-injecting HTTP proxy, test stations (database + sync engine) and the
  computers of one government (``Office``), sample records;
- :mod:`tests.support.linkproxy`: a TCP link that counts, cuts, stalls or slows the bytes of file transfers;
- :mod:`tests.support.schemathesis_hooks`: the hooks of the hub's schema-driven test;
- :mod:`tests.support.ui`: a small real action plan, a ready database, the main window, typing any script
  into a widget, the 1024x600 laptop screen;
- :mod:`tests.support.review`: review data as sync leaves it (a pulled request, a signed-in account);
- :mod:`tests.support.pdf_forms`: filling fillable PDFs as a reader saves them;
- :mod:`tests.support.poppler`: reading PDFs back with poppler-utils (text, fonts, rendered pages);
- :mod:`tests.support.smoke`: start-up checks the packaged app runs from a file (``FOCALPOINT_UI_HOOK``).
"""
