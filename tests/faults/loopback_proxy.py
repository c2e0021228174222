"""A TCP proxy on 127.0.0.1 between a dialing node and a listening one. It can cut each connection
after a chosen number of bytes (counted over both directions, in the order it forwards them) and
can record every byte it forwards. One thread accepts; one thread per connection forwards."""
import selectors
import socket
import struct
import threading


class Connection:
    def __init__(self, index, cut_at, rst):
        self.index = index
        self.cut_at = cut_at        # bytes after which the link is cut; None: never
        self.rst = rst              # cut with a TCP reset rather than a close
        self.forwarded = 0          # both directions
        self.to_server = 0
        self.to_client = 0
        self.cut = False            # the proxy cut it (rather than an end closing it)
        self.cut_direction = None   # "to_server" or "to_client": where the last byte went
        self.recorded = {"to_server": bytearray(), "to_client": bytearray()}
        self.done = threading.Event()


class LoopbackProxy:
    """`plan(index)` gives (cut_at or None, rst) for the index-th accepted connection."""

    def __init__(self, target_port, plan=None, record=False):
        self.target_port = target_port
        self.plan = plan or (lambda index: (None, False))
        self.record = record
        self.connections = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]

    def __enter__(self):
        t = threading.Thread(target=self._accept_loop, name="proxy-accept", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._stop.set()
        for t in list(self._threads):
            t.join(timeout=5)
        self._listener.close()

    def cuts(self):
        with self._lock:
            return [c for c in self.connections if c.cut]

    def recorded_bytes(self):
        with self._lock:
            return [bytes(c.recorded[d]) for c in self.connections for d in c.recorded]

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                index = len(self.connections)
                cut_at, rst = self.plan(index)
                conn = Connection(index, cut_at, rst)
                self.connections.append(conn)
            t = threading.Thread(target=self._serve, args=(conn, client),
                                 name=f"proxy-{index}", daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn, client):
        try:
            server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            client.close()
            conn.done.set()
            return
        try:
            self._forward(conn, client, server)
        finally:
            for s in (client, server):
                try:
                    s.close()
                except OSError:
                    pass
            conn.done.set()

    def _forward(self, conn, client, server):
        for s in (client, server):
            s.setblocking(True)
            s.settimeout(30)
        other = {client: server, server: client}
        direction = {client: "to_server", server: "to_client"}
        open_reads = {client, server}
        sel = selectors.DefaultSelector()
        for s in open_reads:
            sel.register(s, selectors.EVENT_READ)
        while open_reads and not self._stop.is_set():
            for key, _ in sel.select(timeout=0.2):
                src = key.fileobj
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    # One end closed: pass the close on and keep the other direction going.
                    sel.unregister(src)
                    open_reads.discard(src)
                    try:
                        other[src].shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    continue
                if conn.cut_at is not None and conn.forwarded + len(data) >= conn.cut_at:
                    data = data[:conn.cut_at - conn.forwarded]
                    self._send(conn, direction[src], other[src], data)
                    conn.cut = True
                    conn.cut_direction = direction[src]
                    if conn.rst:
                        for s in (client, server):
                            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if not self._send(conn, direction[src], other[src], data):
                    return

    def _send(self, conn, direction, dst, data):
        try:
            dst.sendall(data)
        except OSError:
            return False
        conn.forwarded += len(data)
        setattr(conn, direction, getattr(conn, direction) + len(data))
        if self.record:
            conn.recorded[direction] += data
        return True
