"""A real ``redis-server`` process on a free loopback port, for integration tests.

Redis cannot bind port 0 and report it back, so a free port is picked by binding a socket
first; a collision (another process grabbed it meanwhile) is retried on a new port.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

import redis

__all__ = ["RedisServer", "RedisServerMissing"]


class RedisServerMissing(RuntimeError):
    """``redis-server`` is not on PATH."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """Start, restart and stop a throw-away ``redis-server``.

    Args:
        appendonly: turn on AOF with ``appendfsync always`` so ``restart`` keeps every write.
        save: the ``--save`` setting; ``""`` (default) disables RDB snapshots.
        directory: data directory; a temporary one (removed on ``stop``) when None.
        binary: the server executable to run.
    """

    def __init__(
        self,
        *,
        appendonly: bool = False,
        save: str = "",
        directory: str | Path | None = None,
        binary: str = "redis-server",
        start_timeout: float = 10.0,
    ) -> None:
        executable = shutil.which(binary)
        if executable is None:
            raise RedisServerMissing(
                f"{binary!r} is not on PATH: install it (Debian: apt-get install redis-server; "
                "CI does this in .ci/run) to run the Redis integration tests"
            )
        self.binary = executable
        self.appendonly = appendonly
        self.save = save
        self.start_timeout = start_timeout
        self._own_dir = directory is None
        self.directory = Path(directory or tempfile.mkdtemp(prefix="alert-team-redis-"))
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    # -- public API ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        if self.port is None:
            raise RuntimeError("redis-server is not started")
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A fresh client for this server (decode_responses off, as production uses it)."""
        return redis.Redis.from_url(self.url)

    def start(self) -> Self:
        """Start on a free port (retrying collisions) and wait until PING answers."""
        if self._process is not None:
            return self
        if self.port is not None:  # a restart: same port, no retry elsewhere
            self._launch(self.port)
            return self
        last_error = ""
        for _attempt in range(5):
            try:
                self._launch(_free_port())
                return self
            except RuntimeError as error:
                last_error = str(error)
        raise RuntimeError(f"redis-server did not start: {last_error}")

    def stop(self) -> None:
        """Kill the server and remove its temporary directory (if it made one)."""
        self._kill()
        self.port = None
        if self._own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def restart(self) -> None:
        """Kill and start again on the same port and directory (AOF data survives).

        The kill is a SIGKILL, like a crash: only what the AOF already holds comes back.
        """
        self._kill()
        self.start()

    def crash(self) -> None:
        """Kill the server (SIGKILL) but keep its port and directory: an outage that `start()`
        ends (with AOF the data comes back, without it the server comes back empty)."""
        self._kill()

    def flush(self) -> None:
        """Delete every key in every database."""
        with contextlib.closing(self.client()) as conn:
            conn.flushall()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- internals -------------------------------------------------------------------------
    def _command(self, port: int) -> list[str]:
        command = [
            self.binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(self.directory),
            "--save", self.save, "--daemonize", "no", "--protected-mode", "yes",
            "--loglevel", "warning", "--logfile", str(self._logfile),
        ]
        if self.appendonly:
            command += ["--appendonly", "yes", "--appendfsync", "always"]
        return command

    def _launch(self, port: int) -> None:
        process = subprocess.Popen(
            self._command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self.start_timeout
        conn = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
        try:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(f"exited with {process.returncode}: {self._log_tail()}")
                try:
                    # PING alone could reach a stranger that holds the port: check the pid.
                    if conn.ping() and conn.info("server").get("process_id") == process.pid:
                        self._process, self.port = process, port
                        return
                except redis.ConnectionError:
                    time.sleep(0.02)
                except redis.ResponseError as error:  # e.g. LOADING the AOF: keep waiting
                    if "LOADING" not in str(error):
                        raise
                    time.sleep(0.02)
        finally:
            conn.close()
        process.kill()
        process.wait()
        raise RuntimeError(f"no PING answer on port {port} within {self.start_timeout}s")

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.kill()
        process.wait(timeout=10)

    @property
    def _logfile(self) -> Path:
        return self.directory / "redis.log"

    def _log_tail(self) -> str:
        try:
            return self._logfile.read_text(errors="replace").strip()[-500:]
        except OSError:
            return "(no log)"
