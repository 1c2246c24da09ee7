"""Prometheus metrics without personal data (docs/operations.md, "Metrics").

Labels are route names, methods, status classes and outcomes: never a path, an id,
an address or a pseudonym. The endpoint `/metrics` answers only a bearer token
(`METRICS_TOKEN`) or a direct connection from `METRICS_ALLOWED_NETWORKS`; with
neither set, or to anyone else, it does not exist (404).

Several worker processes: set `PROMETHEUS_MULTIPROC_DIR` to an empty folder shared
by the processes of one machine (prometheus_client's multiprocess mode); the
endpoint then adds up every process's values. The queue figures are read from the
database at scrape time, so they are the same whichever process answers.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from sorority.core.access import Access, access

MULTIPROC = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUEST_LATENCY = Histogram(
    "sorority_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
WEBSOCKETS = Gauge(
    "sorority_websocket_connections",
    "Open WebSocket connections.",
    multiprocess_mode="livesum",
)
NOTIFICATIONS = Counter(
    "sorority_notifications_total",
    "Notification e-mails by outcome.",
    ["channel", "outcome"],
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(
        method if method in _METHODS else "other", route, f"{status // 100}xx"
    ).observe(seconds)


def websocket_opened() -> None:
    WEBSOCKETS.inc()


def websocket_closed() -> None:
    WEBSOCKETS.dec()


def notification_outcome(outcome: str, channel: str = "email") -> None:
    NOTIFICATIONS.labels(channel, outcome).inc()


class TaskQueueCollector(Collector):
    """Depth of the task queue and age of its oldest ready task (django-tasks-db)."""

    def collect(self) -> Iterable[Metric]:
        from django_tasks_db.models import DBTaskResult

        depth = GaugeMetricFamily(
            "sorority_task_queue_depth", "Tasks waiting to run.", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "sorority_task_queue_oldest_age_seconds",
            "Age of the oldest task ready to run.",
            labels=["queue"],
        )
        now = timezone.now()
        try:
            ready = DBTaskResult.objects.ready()
            queues: dict[str, list] = {}
            for queue, enqueued in ready.values_list("queue_name", "enqueued_at"):
                queues.setdefault(queue, []).append(enqueued)
        except Exception:  # table missing or database down: report nothing
            queues = {}
        for queue, times in sorted(queues.items()):
            depth.add_metric([queue], len(times))
            age.add_metric([queue], max(0.0, (now - min(times)).total_seconds()))
        if not queues:
            depth.add_metric(["default"], 0)
            age.add_metric(["default"], 0)
        yield depth
        yield age


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].encode(), token.encode())
    networks = settings.METRICS_ALLOWED_NETWORKS
    if not networks:
        return False
    # Through the reverse proxy every request comes from the proxy's address: the
    # network rule holds only for direct connections (no forwarding header).
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        remote = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(remote in net for net in networks)


def _render() -> bytes:
    if MULTIPROC:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    queue = CollectorRegistry()
    queue.register(TaskQueueCollector())
    return body + generate_latest(queue)


@access(Access.PUBLIC)  # the token or network check below is the rule
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    return HttpResponse(
        _render(), content_type="text/plain; version=0.0.4; charset=utf-8"
    )
