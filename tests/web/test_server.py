"""The real server (uvicorn on 127.0.0.1): clients that hang up, bodies that lie about size."""

from __future__ import annotations

import http.client
import json
import socket
import time

from tests.web.conftest import TEST_DRAWS, Server


def request(server: Server, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"content-type": "application/json"} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def open_draft(server: Server) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(
        "POST",
        "/drafts",
        body=b"builtin=ukraine-2024-11",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    r = conn.getresponse()
    r.read()
    conn.close()
    assert r.status == 303
    return str(r.getheader("location")).rsplit("/", 1)[1]


def test_client_disconnecting_mid_run_does_not_stop_it(server: Server) -> None:
    draft_id = open_draft(server)
    # start a run and hang up without reading the answer
    body = json.dumps({"draws": TEST_DRAWS}).encode()
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(
            f"POST /api/drafts/{draft_id}/runs HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    # and a second client that disconnects while a poll of the runs list is being answered
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    deadline = time.monotonic() + 60
    runs: list[dict[str, str]] = []
    while time.monotonic() < deadline:
        runs = [r for r in server.app.state.workspace.runs() if r.get("draft") == draft_id]
        if runs and runs[0]["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert runs and runs[0]["status"] == "done"
    status, page = request(server, "GET", f"/runs/{runs[0]['id']}")
    assert status == 200 and b"west-german-model" in page


def test_partial_body_then_hang_up(server: Server) -> None:
    draft_id = open_draft(server)
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(
            f"PUT /api/drafts/{draft_id} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            'Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"rest": '.encode()
        )
    status, _ = request(server, "GET", "/")
    assert status == 200
    status, _ = request(server, "GET", f"/drafts/{draft_id}")
    assert status == 200


def test_oversize_length_is_refused_before_the_body_is_sent(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        # headers only: the server must answer without waiting for 50 MB that never come
        s.sendall(
            f"POST /drafts/upload HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n".encode()
        )
        # the head and the body may come in separate packets: read until the body is there
        data = b""
        while b"larger than" not in data:
            part = s.recv(65536)
            if not part:
                break
            data += part
        answer = data.decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")
    assert "larger than 2 MB" in answer


def test_oversize_chunked_body_is_cut_off(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(
            f"POST /drafts/upload HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b"#" * 65536
        sent = 0
        answer = b""
        s.settimeout(0.05)
        try:
            while sent < 8 * 1024 * 1024:  # four times the cap, unless the server answers first
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                try:
                    answer = s.recv(65536)
                except TimeoutError:
                    continue
                if answer:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        if not answer:
            s.settimeout(10)
            answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 4 * 1024 * 1024
    status, _ = request(server, "GET", "/")
    assert status == 200
