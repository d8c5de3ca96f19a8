#!/usr/bin/env python3
"""A static file server that waits DELAY seconds before answering each request: three sources that
each take a second to answer, for bench/refresh.sh's parallel-fetch figure. Usage:
    slow_server.py DIRECTORY PORT DELAY_SECONDS
Serves on 127.0.0.1 only, one thread per request (so waits overlap when requests do)."""
import functools
import http.server
import sys
import time


class SlowHandler(http.server.SimpleHTTPRequestHandler):
    delay = 1.0

    def send_head(self):
        time.sleep(self.delay)
        return super().send_head()

    def log_message(self, *args):
        pass


def main():
    directory, port, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    SlowHandler.delay = delay
    handler = functools.partial(SlowHandler, directory=directory)
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
