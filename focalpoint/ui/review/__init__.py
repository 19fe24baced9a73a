"""Review of publication requests in the desktop app (issue 6).

- ``queue_model`` / ``queue_view``  pending requests with filters, sorting and an overdue badge
- ``screen``                         one request: the record, its changes, the QA checklist, the decision
- ``checklist``                      the ``qaRecordReview`` checklist built from its form definition
- ``record_view``                    a record read-only and its field-by-field changes
- ``history``                        a record's audit trail, exportable to CSV / JSON
- ``values`` / ``labels``            values and names as words (no Qt)
- ``data``                           what these screens read, run on the DB worker
"""

from __future__ import annotations
