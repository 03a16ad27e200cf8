"""The embedded mode's broker: kombu's filesystem transport, each message published whole.

kombu's filesystem channel (5.7) creates a message's file under its final name and then
writes into it. A worker that lists the folder in between moves the file away and reads
it empty: ``loads("")`` raises out of the consumer loop, the message is lost, and the worker
stops ("Unrecoverable error"; kombu issue #1551, open). ``make run``'s worker died of it in
a test run. Here a message is written under a name the reader skips (it takes only names
ending ``.<queue>.msg``) and renamed into place; a rename within a folder is atomic, so a
reader only ever finds whole messages.

Not a speed-up: a correction of the library. ``LDN_FASTPATH=0`` does not turn it off (off
would be a worker that can stop). Private API: it overrides the channel's ``_put``.
Test: tests/diary/fastpath/test_broker_files.py (a publisher process racing a reader: the
library's channel loses messages, this one none).
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    # kombu's own two declarations name the second argument differently (message, payload).
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
