"""The record editor, generated from the form definitions of ``focalpoint.forms``.

- ``context``         what every field widget may use (languages, pickers' data, task runner)
- ``base``            ``FieldWidget``: value(), set_value(), changed, per-field errors
- ``fields_basic``    text, localized text (a tab per language), dates, numbers, money, yes/no
- ``fields_choice``   terms and codes from vocabularies, action-plan activities, record references
- ``fields_compound`` links, attachments, groups, repeatable lists with add/remove
- ``form_view``       a whole form: sections, rows, labels, errors beside the fields
- ``autosave``        2-second debounced saves on the DB worker
- ``window``          the editor window: toolbar, languages, status, validation, possible support
"""
