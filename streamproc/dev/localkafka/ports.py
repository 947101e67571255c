"""Is a TCP port on 127.0.0.1 free, and if not, which process listens on it (from /proc, Linux only)."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

_LISTEN = "0A"


def port_is_free(port: int) -> bool:
    """True when 127.0.0.1:``port`` can be bound now (the way the broker will bind it)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port the kernel says is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_holder(port: int) -> str | None:
    """``pid N (command line)`` of the process listening on ``port``, or None when it cannot be known."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in targets:
                    return f"pid {proc.name} ({_short(command_line(int(proc.name)))})"
    return None


def describe_taken(port: int, role: str) -> str:
    """One line: which port is taken, for what, and by whom if /proc says."""
    holder = port_holder(port)
    by = f" by {holder}" if holder else " by another process"
    return f"the {role} port 127.0.0.1:{port} is already in use{by}"


def command_line(pid: int) -> str:
    """The process's command line with spaces between arguments, or '' when it is gone or hidden."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes.add(inode)
    return inodes


def _short(command: str, width: int = 100) -> str:
    """The program and the end of its arguments (where a JVM's main class and config are)."""
    if len(command) <= width:
        return command
    program = command.split(" ", 1)[0]
    return f"{program} … {command[-(width - len(program)) :]}"
