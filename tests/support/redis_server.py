"""A real ``redis-server`` process on a free loopback port, for integration tests.

Redis cannot bind port 0 and report it back, so a free port is picked by binding a socket
first; a collision (another process grabbed it meanwhile) is retried on a new port.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

import redis

from tests.support.processes import free_port

__all__ = ["RedisCluster", "RedisServer", "RedisServerMissing", "SentinelGroup"]


class RedisServerMissing(RuntimeError):
    """``redis-server`` is not on PATH."""


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
        extra_args: list[str] | None = None,
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
        self.extra_args = list(extra_args or [])
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
                self._launch(free_port())
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

    def pause(self, paused: bool = True) -> None:
        """SIGSTOP (or SIGCONT) the server: it keeps its connections but answers nothing."""
        if self._process is not None:
            self._process.send_signal(signal.SIGSTOP if paused else signal.SIGCONT)

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
            "--repl-diskless-sync-delay", "0",  # a replica syncs at once, not after 5 s
        ]
        if self.appendonly:
            command += ["--appendonly", "yes", "--appendfsync", "always"]
        return command + self.extra_args

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


# ----- Redis Cluster and Sentinel (issue 15) ---------------------------------------------------
class RedisCluster:
    """Three (``size``) cluster-enabled primaries on loopback, the 16384 slots split between
    them by CLUSTER ADDSLOTSRANGE and joined by CLUSTER MEET (no redis-cli needed)."""

    def __init__(self, size: int = 3, replicas: int = 0) -> None:
        def node() -> RedisServer:
            # validity factor 0: a replica is promoted however long ago it lost its primary
            # (default 10 x node timeout, 20 s here: a machine stalled that long under CI's
            # load would leave the slots without a primary for good, as TILT did to Sentinel)
            return RedisServer(extra_args=["--cluster-enabled", "yes",
                                           "--cluster-config-file", "nodes.conf",
                                           "--cluster-node-timeout", "2000",
                                           "--cluster-replica-validity-factor", "0"])

        self.nodes = [node() for _ in range(size)]
        self.replicas = [node() for _ in range(size * replicas)]  # replica i: of primary i % size

    @property
    def url(self) -> str:
        """Any node's URL: the cluster client learns the rest."""
        return self.nodes[0].url

    def start(self) -> Self:
        for node in self.nodes:
            node.start()
        per = 16384 // len(self.nodes)
        for i, node in enumerate(self.nodes):
            last = 16383 if i == len(self.nodes) - 1 else (i + 1) * per - 1
            with contextlib.closing(node.client()) as conn:
                try:
                    conn.execute_command("CLUSTER", "ADDSLOTSRANGE", i * per, last)
                except redis.ResponseError:  # Redis < 7.0: one slot per argument
                    conn.execute_command("CLUSTER", "ADDSLOTS", *range(i * per, last + 1))
        with contextlib.closing(self.nodes[0].client()) as conn:
            for node in self.nodes[1:]:
                conn.execute_command("CLUSTER", "MEET", "127.0.0.1", node.port)
        self._wait_ok(self.nodes)
        return self._add_replicas()

    def _wait_ok(self, nodes: list[RedisServer], timeout_s: float = 20) -> None:
        """Wait until each of ``nodes`` reports cluster_state:ok and knows all of them."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            states = []
            for node in nodes:
                with contextlib.closing(node.client()) as conn:
                    info = conn.execute_command("CLUSTER", "INFO")
                    text = info.decode() if isinstance(info, bytes) else str(info)
                    states.append("cluster_state:ok" in text
                                  and f"cluster_known_nodes:{len(nodes)}" in text)
            if all(states):
                return
            time.sleep(0.05)
        raise RuntimeError(f"the test cluster did not reach cluster_state:ok on all {len(nodes)}"
                           f" nodes within {timeout_s:.0f} s")

    def _add_replicas(self) -> Self:
        """Join each replica node and make it replicate its primary (CLUSTER REPLICATE), then
        wait until every primary has its replicas online."""
        if not self.replicas:
            return self
        ids = []
        for primary in self.nodes:
            with contextlib.closing(primary.client()) as conn:
                ids.append(conn.execute_command("CLUSTER", "MYID").decode())
        for replica in self.replicas:
            replica.start()
            with contextlib.closing(self.nodes[0].client()) as conn:
                conn.execute_command("CLUSTER", "MEET", "127.0.0.1", replica.port)
        for i, replica in enumerate(self.replicas):
            target = ids[i % len(self.nodes)]
            deadline = time.monotonic() + 20
            with contextlib.closing(replica.client()) as conn:
                while True:  # the replica must know the primary (gossip) before it can follow it
                    try:
                        conn.execute_command("CLUSTER", "REPLICATE", target)
                        break
                    except redis.ResponseError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.1)
        per_primary = len(self.replicas) // len(self.nodes)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            online = []
            for primary in self.nodes:
                with contextlib.closing(primary.client()) as conn:
                    info = conn.info("replication")
                online.append(sum(1 for k, v in info.items() if k.startswith("slave")
                                  and isinstance(v, dict) and v.get("state") == "online"))
            if all(n >= per_primary for n in online):
                # A replica answers CLUSTERDOWN until gossip has told it every slot's owner
                # (seen in CI: a READONLY read on a replica right after it came online).
                self._wait_ok([*self.nodes, *self.replicas])
                return self
            time.sleep(0.1)
        raise RuntimeError("the test cluster's replicas did not come online within 30 s")

    def flush(self) -> None:
        for node in self.nodes:
            node.flush()

    def stop(self) -> None:
        for node in [*self.replicas, *self.nodes]:
            node.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Sentinel(RedisServer):
    """``redis-server --sentinel`` watching one primary (quorum 2, fast failover)."""

    def __init__(self, master: str, primary_port: int, down_after_ms: int) -> None:
        super().__init__()
        self.master, self.primary_port, self.down_after_ms = master, primary_port, down_after_ms

    def _command(self, port: int) -> list[str]:
        conf = self.directory / "sentinel.conf"
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {self.directory}\nlogfile {self._logfile}\n"
            f"sentinel monitor {self.master} 127.0.0.1 {self.primary_port} 2\n"
            f"sentinel down-after-milliseconds {self.master} {self.down_after_ms}\n"
            f"sentinel failover-timeout {self.master} 5000\n"
            f"sentinel parallel-syncs {self.master} 1\n")
        return [self.binary, str(conf), "--sentinel"]


class SentinelGroup:
    """One primary, one replica and three sentinels on loopback (master name ``desk``)."""

    MASTER = "desk"

    def __init__(self, down_after_ms: int = 5000) -> None:
        # AOF on the data nodes, as Redis' replication docs require with Sentinel: a node that
        # a supervisor restarts *empty* can be taken for the primary by a sentinel that has not
        # heard of the failover yet, and the promoted replica then syncs from it and is wiped
        # (seen here: 18 acknowledged mentions gone with the data of the promoted replica).
        self.primary = RedisServer(appendonly=True)
        self.replica = RedisServer(appendonly=True)
        self.down_after_ms = down_after_ms
        self.sentinels: list[_Sentinel] = []

    @property
    def addresses(self) -> str:
        """``REDIS_SENTINELS``: host:port,host:port,host:port."""
        return ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)

    def start(self) -> Self:
        self.primary.start()
        assert self.primary.port is not None
        self.replica.extra_args = ["--replicaof", "127.0.0.1", str(self.primary.port)]
        self.replica.start()
        self._wait(lambda: self._info(self.primary, "replication").get("connected_slaves") == 1
                   and self._info(self.replica, "replication").get("master_link_status") == "up",
                   "the replica to sync")
        self.sentinels = [_Sentinel(self.MASTER, self.primary.port, self.down_after_ms)
                          for _ in range(3)]
        for sentinel in self.sentinels:
            sentinel.start()
        self._wait(lambda: all(self._info(s, "sentinel").get("master0", {}).get("sentinels") == 3
                               and self._info(s, "sentinel").get("master0", {}).get("slaves") == 1
                               for s in self.sentinels), "three sentinels to see each other")
        return self

    def primary_address(self) -> tuple[str, int]:
        """Where the sentinels say the primary is now."""
        with contextlib.closing(redis.Redis(port=self.sentinels[0].port,
                                            decode_responses=True)) as conn:
            host, port = conn.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.MASTER)
        return str(host), int(port)

    def kill_primary(self) -> RedisServer:
        """SIGKILL whichever data server the sentinels call the primary now; returns it (its
        `start()` brings it back, and the sentinels make it a replica of the new primary)."""
        _, port = self.primary_address()
        server = next(s for s in (self.primary, self.replica) if s.port == port)
        server.crash()
        return server

    def logs(self, tail: int = 2000) -> str:
        """The sentinels' and data nodes' log tails (for a failure message)."""
        out = []
        for name, server in [*((f"sentinel{i}", s) for i, s in enumerate(self.sentinels)),
                             ("primary", self.primary), ("replica", self.replica)]:
            try:
                text = server._logfile.read_text(errors="replace")[-tail:]
            except OSError:
                text = "(no log)"
            out.append(f"--- {name} (port {server.port}):\n{text}")
        return "\n".join(out)

    def stop(self) -> None:
        for server in [*self.sentinels, self.replica, self.primary]:
            server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @staticmethod
    def _info(server: RedisServer, section: str) -> dict[str, Any]:
        with contextlib.closing(redis.Redis(port=server.port, decode_responses=True)) as conn:
            return dict(conn.info(section))

    @staticmethod
    def _wait(cond: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for {what}")
