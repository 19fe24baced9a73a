"""The desktop app (PySide6): windows, dialogs, Qt models and the background task runner.

Only this package imports Qt. Layout, one concern per module:

- ``app``            start-up: QApplication, fonts, language, database, main window
- ``tasks``          ``TaskRunner``: one database worker, one network worker, results by signal
- ``language``       run-time language switching (Qt translators, layout direction, digits)
- ``locale``         the QLocale chosen for each language (Latin digits everywhere)
- ``fonts``          bundled fonts and the fallback list for Arabic and Chinese
- ``settings``       QSettings kept in the data folder
- ``main_window``    the main window: menus, tabs, status bar
- ``catalog_*``      the action-plan browser (models, filters, detail pane)
- ``records_*``      record lists over a lazy model
- ``editor``         the form-driven record editor and its autosave
"""
