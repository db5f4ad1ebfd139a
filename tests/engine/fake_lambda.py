#!/usr/bin/python3
"""A Lambda control plane for preflight_test.c, the cases the simulator cannot play:
ListFunctions and GetAccountSettings refused (AccessDeniedException, as IAM answers), and
GetFunctionConfiguration of fn<N> with Timeout 100+N s and MemorySize 128*N MB (fn404 and
anything else: ResourceNotFoundException). Prints its port, serves until stdin closes."""
import http.server
import json
import re
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body, error_type=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
        if error_type:
            self.send_header("X-Amzn-ErrorType", error_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        m = re.fullmatch(r"/2015-03-31/functions/fn([0-9]+)/configuration", path)
        if m and m.group(1) != "404":
            n = int(m.group(1))
            self.answer(200, {"FunctionName": f"fn{n}", "Timeout": 100 + n,
                              "MemorySize": 128 * n,
                              "LoggingConfig": {"LogFormat": "JSON", "LogGroup": f"/aws/lambda/fn{n}"}})
        elif path.rstrip("/") in ("/2015-03-31/functions", "/2016-08-19/account-settings"):
            action = "ListFunctions" if "functions" in path else "GetAccountSettings"
            self.answer(403, {"Message": f"User: arn:aws:iam::123456789012:user/ci is not "
                                         f"authorized to perform: lambda:{action}"},
                        "AccessDeniedException")
        else:
            self.answer(404, {"Type": "User", "Message": f"Function not found: {path}"},
                        "ResourceNotFoundException")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
