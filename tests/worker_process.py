"""A batch worker in a process of its own (``python -m tests.worker_process OFFSET VISIBILITY
SIZE``): the local poller and app.batch_worker on the test stack's environment, its clock the
wall clock plus OFFSET seconds (the test clock's), taking SIZE messages at a time for
VISIBILITY seconds. The process tests/integration/test_batches.py kills mid-batch."""

from __future__ import annotations

import datetime as dt
import sys


def main() -> None:
    offset, visibility, size = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    import app as hoso_app
    from cloud.bootstrap import build_services
    from infra.poller import serve

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=offset)

    hoso_app.reset(build_services(clock=clock))
    serve(visibility, size)


if __name__ == "__main__":
    main()
