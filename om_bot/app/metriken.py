"""The bot's Prometheus metrics, one `CollectorRegistry` per `App` (never the global default:
two apps in one test process must not collide).

The router, the send queue and the reminder scheduler are told nothing about Prometheus: each
calls a plain callback (`befehl`, `senden`, `erinnerung`) that counts here. `/metrics`
(`om_bot.app.web`) renders `text()`. The names are documented in docs/betrieb.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from om_bot.app.planer import GESENDET
from om_bot.chat.router import Befehlsbericht
from om_bot.matrix.sendequeue import GIVEN_UP, RATE_LIMITED

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Handler latency buckets in seconds: a command takes milliseconds, a slow one a second.
LATENZ_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A reminder sent this many seconds after its due time counts as late (e.g. after downtime).
SPAET_AB = 60.0


class Metriken:
    """The counters and gauges of one bot process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.befehle = Counter(
            "om_bot_commands",
            "Handled commands by command syntax and outcome.",
            ["command", "outcome"],
            registry=r,
        )
        self.latenz = Histogram(
            "om_bot_command_duration_seconds",
            "Bot time per handled command (router start to replies).",
            ["outcome"],
            buckets=LATENZ_BUCKETS,
            registry=r,
        )
        self.wiederholungen = Counter(
            "om_bot_send_retries",
            "Send attempts that are tried again, by reason (rate_limited, failed).",
            ["reason"],
            registry=r,
        )
        self.warten_429 = Counter(
            "om_bot_send_rate_limit_wait_seconds",
            "Seconds the send queue waited out rate limits (429 retry_after_ms).",
            registry=r,
        )
        self.aufgegeben = Counter(
            "om_bot_send_given_up", "Messages the send queue gave up on.", registry=r
        )
        self.erinnerungen = Counter(
            "om_bot_reminders_sent", "Reminders the homeserver accepted.", registry=r
        )
        self.erinnerungen_spaet = Counter(
            "om_bot_reminders_late",
            f"Reminders sent more than {SPAET_AB:.0f} s after their due time.",
            registry=r,
        )
        self.erinnerungen_verworfen = Counter(
            "om_bot_reminders_dropped",
            "Reminders not sent, by reason (missed, expired, superseded).",
            ["reason"],
            registry=r,
        )
        self.sync_lag = Gauge(
            "om_bot_sync_lag_seconds",
            "Seconds since the last processed sync response (-1 before the first).",
            registry=r,
        )
        self.aktiv = Gauge(
            "om_bot_active",
            "1 when this process is the active one (holds the sync, scheduler and sends).",
            registry=r,
        )
        # 0 until the standby logic (`om_bot.app.standby`) says this process holds the lock.
        self.aktiv.set(0)
        self._letzter_sync: Callable[[], datetime | None] = lambda: None
        self.sync_lag.set_function(self._lag)

    # --- the callbacks ------------------------------------------------------------------------

    def befehl(self, bericht: Befehlsbericht) -> None:
        """`Dienste.beobachter`: one handled command."""
        self.befehle.labels(bericht.befehl, bericht.ausgang.value).inc()
        self.latenz.labels(bericht.ausgang.value).observe(bericht.dauer_ms / 1000)

    def senden(self, art: str, sekunden: float) -> None:
        """`SendQueue(melden=…)`: a retry or a message given up."""
        if art == GIVEN_UP:
            self.aufgegeben.inc()
            return
        self.wiederholungen.labels(art).inc()
        if art == RATE_LIMITED:
            self.warten_429.inc(sekunden)

    def erinnerung(self, art: str, verspaetung: float) -> None:
        """`Planer(melden=…)`: "sent" (with seconds after due) or a reason it was dropped."""
        if art == GESENDET:
            self.erinnerungen.inc()
            if verspaetung > SPAET_AB:
                self.erinnerungen_spaet.inc()
        else:
            self.erinnerungen_verworfen.labels(art).inc()

    def aktiv_setzen(self, aktiv: bool) -> None:
        """`Standby(melden=…)`: this process became the active one (True) or stopped being it."""
        self.aktiv.set(1 if aktiv else 0)

    def sync_quelle(self, letzter_sync: Callable[[], datetime | None]) -> None:
        """Where the sync lag is read from (the running Matrix adapter's `synced_at`)."""
        self._letzter_sync = letzter_sync

    def _lag(self) -> float:
        zuletzt = self._letzter_sync()
        if zuletzt is None:
            return -1.0
        return max((datetime.now(UTC) - zuletzt).total_seconds(), 0.0)

    def text(self) -> bytes:
        """The Prometheus text exposition of this registry."""
        return generate_latest(self.registry)
