"""Structured logs: one JSON line per record on stdout, each with the request id of the request
(or Celery task) that wrote it; one line per request and one per task."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import time
import traceback

from celery import signals

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

REQUEST_LOGGER = logging.getLogger("delmos.request")
TASK_LOGGER = logging.getLogger("delmos.task")

# Attributes every LogRecord has; anything else given through `extra` goes into the line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request id (empty outside a request or task)."""

    def filter(self, record):
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line; a traceback goes into `exc` on the same line."""

    def format(self, record):
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line and not key.startswith("_"):
                if key == "request":  # django.request passes the request object itself
                    continue
                line[key] = value
        if record.exc_info:
            line["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
            line["exc"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


# -- Celery: one line per task with its name, id, state and duration ---------------------------

_task_started: dict[str, tuple[float, contextvars.Token]] = {}


def _task_prerun(task_id=None, task=None, **kwargs):
    token = request_id_var.set(f"task-{task_id}")
    _task_started[task_id] = (time.monotonic(), token)


def _task_postrun(task_id=None, task=None, state=None, **kwargs):
    started, token = _task_started.pop(task_id, (None, None))
    duration = round((time.monotonic() - started) * 1000, 1) if started is not None else None
    TASK_LOGGER.info(
        "task %s %s",
        getattr(task, "name", "?"),
        state,
        extra={
            "task": getattr(task, "name", "?"),
            "task_id": task_id,
            "state": state,
            "duration_ms": duration,
        },
    )
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (eager tasks inside a request)
            request_id_var.set("")


def _task_failure(task_id=None, exception=None, sender=None, einfo=None, **kwargs):
    TASK_LOGGER.error(
        "task %s raised %s",
        getattr(sender, "name", "?"),
        type(exception).__name__,
        exc_info=(type(exception), exception, exception.__traceback__) if exception else None,
        extra={"task": getattr(sender, "name", "?"), "task_id": task_id, "state": "FAILURE"},
    )


def connect_celery_signals() -> None:
    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="delmos-task-prerun")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="delmos-task-postrun")
    signals.task_failure.connect(_task_failure, weak=False, dispatch_uid="delmos-task-failure")
