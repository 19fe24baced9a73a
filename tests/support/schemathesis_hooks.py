"""Schemathesis hooks for ``tests/test_hub_schemathesis.py`` (loaded through ``SCHEMATHESIS_HOOKS``).

One failure is not the hub's and is dropped, explicitly and narrowly: a request whose request line
is longer than uvicorn's HTTP parser takes in one event (``h11_max_incomplete_event_size``, 16 KiB)
is answered by that parser, ``400 text/plain`` "Invalid HTTP request received.", before any route
(or the hub's error envelope) is involved. Schemathesis reaches it with ``have`` values of thousands
of non-ASCII characters (96 KB once percent-encoded); the hub itself refuses such values with 400 and
its envelope whenever the line does reach it. Any other failure, and this one on a shorter line,
fails the run.
"""

from __future__ import annotations

from typing import Any

import schemathesis

PARSER_LIMIT = 16 * 1024
PARSER_REFUSAL = b"Invalid HTTP request received."


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but the HTTP parser's refusal of an over-long request line."""
    url = str(response.request.url or "")
    transport = (response.status_code == 400 and response.content.strip() == PARSER_REFUSAL
                 and len(url.encode()) > PARSER_LIMIT)
    return not transport
