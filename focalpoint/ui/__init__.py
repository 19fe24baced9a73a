"""The desktop app (PySide6): windows, dialogs, Qt models and the background task runner.

Only this package imports Qt. One concern per module:

- ``app``              start-up: QApplication, fonts, language, database, main window
- ``compat``           guards against known defects of the Qt binding
- ``tasks``            ``TaskRunner``: one database worker, one network worker, results by signal
- ``language``         run-time language switching (Qt translators, layout direction, digits)
- ``locale``           the QLocale chosen for each language (Latin digits everywhere)
- ``fonts``            bundled fonts and the fallback list for Arabic and Chinese
- ``settings``         QSettings kept in the data folder
- ``main_window``      the main window: menus, tabs, status bar
- ``status``           the status bar: database location, counts, sync state
- ``catalog_*``        the action-plan browser (data, models, filters, detail pane)
- ``needs_links``      which national needs name an action-plan activity
- ``records_*``        record lists over a lazy model, and the Records tab
- ``editor``           the form-driven record editor and its autosave
- ``sync_controller``  "Sync now", sign-in and sync progress
"""
