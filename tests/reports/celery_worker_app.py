"""The project's Celery app for the real-worker tests, with every broker key under the test process's prefix.

Test runs that share one Redis (the xdist processes of one run, or runs in other checkouts) then never take
each other's tasks nor restore each other's unacknowledged messages.
"""

import os

from pkimm.celery import app

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "global_keyprefix": os.environ["PKIMM_TEST_BROKER_PREFIX"],
    # A worker killed while it sweeps for lost messages leaves the sweep's lock behind; it expires after this
    # (default 300 s, longer than the tests wait for the redelivery).
    "unacked_mutex_expire": 5,
}
