"""Machines of their own for a test: Linux network namespaces joined by a bridge.

``HostNetwork`` makes a bridge in the root namespace (the test's own "machine", which
plays the database and Redis hosts) and, for each named host, a network namespace with one
end of a veth pair, the other end on the bridge: each host has its own address and sees the
others only through the bridge, as machines on one network would. ``cut(host)`` takes that
host's link down at the bridge, as a dead switch port would.

PostgreSQL and Redis listen on 127.0.0.1 only, and a namespace's loopback is its own:
``TcpForwarder`` relays a port of the bridge address to the same port on 127.0.0.1, in the
test process, so the hosts reach the real services without their configuration changing.

Interface and namespace names carry the test process's id, so two runs on one machine do
not collide, and leftovers of a run that was killed are removed by the next one. Needs
root and ``ip``; ``namespaces_unavailable()`` says why not when they are missing.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

PREFIX = "vsn"  # names of what this module creates: vsn-<pid>-<host>, vsnb<pid>, vsn<pid>h<n>
NETNS_DIR = Path("/run/netns")
LOCK_FILE = Path("/tmp/voisinage-network-hosts.lock")  # noqa: S108 (one machine-wide lock)
SUBNETS = ipaddress.ip_network("10.77.0.0/16")
IP = shutil.which("ip") or "/usr/sbin/ip"


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (fixed program, our own arguments)
        [IP, *args], capture_output=True, text=True, check=check, timeout=30
    )


def namespaces_unavailable() -> str | None:
    """Why this machine cannot make namespaces for a test, or None when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    if not Path(IP).exists():
        return "the `ip` command (iproute2) is missing"
    probe = f"{PREFIX}-{os.getpid()}-probe"
    made = ip("netns", "add", probe, check=False)
    if made.returncode != 0:
        return f"`ip netns add` fails here: {made.stderr.strip()}"
    ip("netns", "del", probe, check=False)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def leftovers_remove() -> None:
    """Delete namespaces and bridges of earlier runs whose process is gone."""
    pattern = re.compile(rf"^{PREFIX}-(\d+)-")
    for entry in NETNS_DIR.glob(f"{PREFIX}-*") if NETNS_DIR.is_dir() else []:
        found = pattern.match(entry.name)
        if found and not _alive(int(found[1])):
            ip("netns", "del", entry.name, check=False)
    links = ip("-o", "link", "show", check=False).stdout
    for pid in set(re.findall(rf"\d+: {PREFIX}b(\d+)[:@]", links)):
        if not _alive(int(pid)):
            ip("link", "del", f"{PREFIX}b{pid}", check=False)


def _subnet_free() -> ipaddress.IPv4Network:
    used = ip("-o", "-4", "addr", "show", check=False).stdout
    taken = {ipaddress.ip_interface(address).network for address in re.findall(r"inet (\S+)", used)}
    for subnet in SUBNETS.subnets(new_prefix=24):
        if not any(subnet.overlaps(other) for other in taken):
            return subnet
    raise RuntimeError("no free /24 left in 10.77.0.0/16")


class HostNetwork:
    """A bridge at ``gateway`` and one namespace per host in ``hosts``, all on a /24."""

    def __init__(self, hosts: list[str]):
        pid = os.getpid()
        self.bridge = f"{PREFIX}b{pid}"
        self.namespaces = {host: f"{PREFIX}-{pid}-{host}" for host in hosts}
        self.links = {host: f"{PREFIX}{pid}h{number}" for number, host in enumerate(hosts)}
        self.addresses: dict[str, str] = {}
        self.gateway = ""
        self._hosts = hosts

    def create(self) -> HostNetwork:
        """Make the bridge and the hosts; what was made is removed by ``destroy``."""
        leftovers_remove()
        # One run at a time picks a subnet and puts it on its bridge: two runs never share one.
        with LOCK_FILE.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            subnet = _subnet_free()
            addresses = list(subnet.hosts())
            self.gateway = str(addresses[0])
            ip("link", "add", self.bridge, "type", "bridge")
            ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for number, host in enumerate(self._hosts, start=1):
            namespace, outside = self.namespaces[host], self.links[host]
            address = str(addresses[number])
            ip("netns", "add", namespace)
            ip("link", "add", outside, "type", "veth", "peer", "name", f"{outside}n")
            ip("link", "set", f"{outside}n", "netns", namespace)
            ip("link", "set", outside, "master", self.bridge, "up")
            inside = ("netns", "exec", namespace, "ip")
            ip(*inside, "link", "set", f"{outside}n", "name", "eth0")
            ip(*inside, "addr", "add", f"{address}/24", "dev", "eth0")
            ip(*inside, "link", "set", "eth0", "up")
            ip(*inside, "link", "set", "lo", "up")
            self.addresses[host] = address
        return self

    def run_in(self, host: str) -> list[str]:
        """The command prefix that runs a program on ``host``."""
        return [IP, "netns", "exec", self.namespaces[host]]

    def cut(self, host: str) -> None:
        """Take the bridge's end of the host's link down, as a dead switch port would: the
        host's packets go nowhere and nothing answers it, without an error to tell it so."""
        ip("link", "set", self.links[host], "down")

    def destroy(self) -> None:
        """Remove every namespace and link made (processes in them must be stopped first)."""
        for namespace in self.namespaces.values():
            ip("netns", "del", namespace, check=False)
        for link in self.links.values():
            ip("link", "del", link, check=False)  # already gone with its namespace, usually
        ip("link", "del", self.bridge, check=False)


class TcpForwarder:
    """Relay connections to ``listen_host``:``port`` to ``target_host``:``port``, in threads."""

    def __init__(self, listen_host: str, port: int, *, target_host: str = "127.0.0.1"):
        self.port = port
        self.target_host = target_host
        self._server = socket.create_server((listen_host, port), backlog=256)
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name=f"forward-{port}", daemon=True)

    def start(self) -> TcpForwarder:
        self._thread.start()
        return self

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection((self.target_host, self.port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            for end in (client, upstream):
                end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._closed:
                    client.close()
                    upstream.close()
                    return
                self._connections += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        self._server.close()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self._thread.join(timeout=5)


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)
