#!/usr/bin/env python3
"""An SMTP front for a TLS server that speaks no SMTP (gnutls-serv, openssl s_server).

Listens on 127.0.0.1:PORT, answers the greeting, EHLO (offering STARTTLS) and STARTTLS, then
joins the connection to BACKEND_PORT byte for byte: the TLS handshake a client then makes is
the backend's. Used by the tests to put TLS settings Postfix cannot have behind STARTTLS.
Usage: starttls_front.py PORT BACKEND_PORT
"""
import socket
import sys
import threading


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, backend_port):
    client.sendall(b"220 mail.example.org ESMTP front\r\n")
    buffered = b""
    while True:
        while b"\n" not in buffered:
            data = client.recv(4096)
            if not data:
                client.close()
                return
            buffered += data
        line, buffered = buffered.split(b"\n", 1)
        verb = line.strip().upper()
        if verb.startswith(b"EHLO"):
            client.sendall(b"250-mail.example.org\r\n250 STARTTLS\r\n")
        elif verb == b"STARTTLS":
            client.sendall(b"220 2.0.0 Ready to start TLS\r\n")
            break
        elif verb == b"QUIT":
            client.sendall(b"221 2.0.0 Bye\r\n")
            client.close()
            return
        else:
            client.sendall(b"502 5.5.2 Error: command not recognized\r\n")
    backend = socket.create_connection(("127.0.0.1", backend_port))
    if buffered:
        backend.sendall(buffered)
    threading.Thread(target=pipe, args=(backend, client), daemon=True).start()
    pipe(client, backend)


def main():
    port, backend_port = int(sys.argv[1]), int(sys.argv[2])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, backend_port), daemon=True).start()


if __name__ == "__main__":
    main()
