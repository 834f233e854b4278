#!/usr/bin/python3
"""dlcs's own S3 fake for tests: the S3 REST calls dlcs sends, in memory, with AWS Signature
Version 4 checked on every request (s3rver, the behaviour peer, checks none).

usage: s3_fake.py [--port N] [--access-key K] [--secret-key S] [--region R] [--bucket B ...]
prints "READY http://127.0.0.1:PORT" once it listens.

Calls: PUT/GET (Range)/HEAD/DELETE of objects, ListObjectsV2 (prefix, continuation-token,
max-keys), DeleteObjects (Content-MD5 checked), CreateMultipartUpload, UploadPart,
CompleteMultipartUpload (parts but the last >= 5 MiB, ETags checked), AbortMultipartUpload,
CreateBucket. Path-style (/bucket/key) and virtual-hosted (Host: bucket.localhost:PORT).
Only the buckets named at start (or created) exist: others are NoSuchBucket.

Refused with 403: no or malformed Authorization, an unknown access key, a wrong signature, a
signed header that was not sent, a credential scope of another region or service, an
x-amz-date more than 15 minutes off; 400 for a missing x-amz-content-sha256 and a body that
does not match it.

Test controls (unsigned, under /_fake/, which is no valid bucket name):
  POST /_fake/fail   JSON {"count": N, "status": 503, "code": "SlowDown", "method": "GET"}:
                     the next N matching requests fail so (method optional)
  POST /_fake/reset  forget every object, upload, failure and counter
  GET  /_fake/stats  JSON {"requests", "by_call", "objects", "bytes", "uploads"}
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import signal
import sys
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MIN_PART = 5 * 1024 * 1024
MAX_KEYS = 1000


def uri_encode(s, keep_slash):
    return urllib.parse.quote(s, safe="-_.~" + ("/" if keep_slash else ""))


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class State:
    def __init__(self, buckets):
        self.lock = threading.Lock()
        self.initial = list(buckets)
        self.reset()

    def reset(self):
        self.buckets = {b: {} for b in self.initial}  # bucket -> key -> (bytes, content type)
        self.uploads = {}  # upload id -> (bucket, key, content type, {part: bytes})
        self.failures = []  # [count, status, code, method]
        self.requests = 0
        self.by_call = {}


class Signature:
    """Recomputes AWS SigV4 (header form) and says what is wrong, or None."""

    def __init__(self, access_key, secret_key, region):
        self.ak, self.sk, self.region = access_key, secret_key, region

    def check(self, headers, method, raw_path, body):
        auth = headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return 403, "AccessDenied"
        try:
            parts = dict(p.strip().split("=", 1) for p in auth[17:].split(","))
            access_key, date, region, service, term = parts["Credential"].split("/")
            signed = parts["SignedHeaders"].split(";")
            given = parts["Signature"]
        except (KeyError, ValueError):
            return 403, "AuthorizationHeaderMalformed"
        if access_key != self.ak:
            return 403, "InvalidAccessKeyId"
        if region != self.region or service != "s3" or term != "aws4_request":
            return 403, "AuthorizationHeaderMalformed"
        if "host" not in signed or "x-amz-date" not in signed:
            return 403, "AccessDenied"
        for name in signed:
            if headers.get(name) is None:
                return 403, "SignatureDoesNotMatch"  # signed, never sent (curl's "Expect:")
        payload = headers.get("x-amz-content-sha256")
        if payload is None:
            return 400, "InvalidRequest"
        if payload != "UNSIGNED-PAYLOAD" and payload != hashlib.sha256(body).hexdigest():
            return 400, "XAmzContentSHA256Mismatch"
        stamp = headers.get("x-amz-date", "")
        try:
            when = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
        except ValueError:
            return 403, "AccessDenied"
        if abs((datetime.datetime.utcnow() - when).total_seconds()) > 900 or stamp[:8] != date:
            return 403, "RequestTimeTooSkewed"
        path, _, query = raw_path.partition("?")
        canon_uri = uri_encode(urllib.parse.unquote(path), True)
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        canon_q = "&".join("%s=%s" % (uri_encode(k, False), uri_encode(v, False))
                           for k, v in sorted(pairs))
        canon_h = "".join("%s:%s\n" % (n, " ".join(headers.get(n).strip().split()))
                          for n in signed)
        creq = "\n".join([method, canon_uri, canon_q, canon_h, ";".join(signed), payload])
        scope = "%s/%s/%s/aws4_request" % (date, region, service)
        sts = "\n".join(["AWS4-HMAC-SHA256", stamp, scope,
                         hashlib.sha256(creq.encode()).hexdigest()])
        k = ("AWS4" + self.sk).encode()
        for m in (date, region, service, "aws4_request"):
            k = hmac.new(k, m.encode(), hashlib.sha256).digest()
        want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(want, given) else (403, "SignatureDoesNotMatch")


def make_handler(state, sig):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out as two writes: without TCP_NODELAY, Nagle's algorithm and the
        # client's delayed ACK hold every response ~40 ms
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def reply(self, code, body=b"", ctype="application/xml", extra=None):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def error(self, code, what, message=""):
            self.reply(code, ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code>"
                              "<Message>%s</Message></Error>" % (what, xml_escape(message))
                              ).encode())

        def read_body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def locate(self):
            """(bucket, key, query pairs) of path-style or virtual-hosted requests."""
            path, _, query = self.path.partition("?")
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            path = urllib.parse.unquote(path)
            if host.endswith(".localhost"):
                bucket, key = host[:-len(".localhost")], path.lstrip("/")
            else:
                bucket, _, key = path.lstrip("/").partition("/")
            return bucket, key, dict(urllib.parse.parse_qsl(query, keep_blank_values=True))

        def control(self):
            body = self.read_body()
            if self.path == "/_fake/stats":
                with state.lock:
                    objects = sum(len(b) for b in state.buckets.values())
                    size = sum(len(v[0]) for b in state.buckets.values() for v in b.values())
                    doc = {"requests": state.requests, "by_call": state.by_call,
                           "objects": objects, "bytes": size, "uploads": len(state.uploads)}
                return self.reply(200, json.dumps(doc).encode(), "application/json")
            if self.path == "/_fake/reset":
                with state.lock:
                    state.reset()
                return self.reply(204)
            if self.path == "/_fake/fail":
                f = json.loads(body or b"{}")
                with state.lock:
                    state.failures.append([int(f.get("count", 1)), int(f.get("status", 503)),
                                           f.get("code", "SlowDown"), f.get("method")])
                return self.reply(204)
            return self.error(404, "NoSuchControl")

        def injected_failure(self):
            for f in state.failures:
                if f[0] > 0 and (f[3] is None or f[3] == self.command):
                    f[0] -= 1
                    return f[1], f[2]
            return None

        def handle_any(self):
            if self.path.startswith("/_fake/"):
                return self.control()
            body = self.read_body()
            bucket, key, q = self.locate()
            call = self.call_name(key, q)
            with state.lock:
                state.requests += 1
                state.by_call[call] = state.by_call.get(call, 0) + 1
                failure = self.injected_failure()
            bad = sig.check(self.headers, self.command, self.path, body)
            if bad:
                return self.error(bad[0], bad[1])
            if failure:
                return self.error(failure[0], failure[1], "injected by the test")
            with state.lock:
                if self.command == "PUT" and not key:
                    state.buckets.setdefault(bucket, {})
                    return self.reply(200)
                objects = state.buckets.get(bucket)
                if objects is None:
                    return self.error(404, "NoSuchBucket", bucket)
                return getattr(self, "do_" + call)(objects, bucket, key, q, body)

        def call_name(self, key, q):
            m = self.command
            if m == "POST" and "delete" in q:
                return "DeleteObjects"
            if m == "POST" and "uploads" in q:
                return "CreateMultipartUpload"
            if m == "POST" and "uploadId" in q:
                return "CompleteMultipartUpload"
            if m == "PUT" and "uploadId" in q:
                return "UploadPart"
            if m == "DELETE" and "uploadId" in q:
                return "AbortMultipartUpload"
            if m == "GET" and not key:
                return "ListObjectsV2"
            return {"PUT": "PutObject", "GET": "GetObject", "HEAD": "HeadObject",
                    "DELETE": "DeleteObject"}.get(m, "Unknown")

        # --- the calls (under the state lock) ---

        def do_Unknown(self, objects, bucket, key, q, body):
            return self.error(405, "MethodNotAllowed")

        def do_PutObject(self, objects, bucket, key, q, body):
            objects[key] = (body, self.headers.get("Content-Type", "binary/octet-stream"))
            return self.reply(200, extra={"ETag": '"%s"' % hashlib.md5(body).hexdigest()})

        def do_HeadObject(self, objects, bucket, key, q, body):
            return self.do_GetObject(objects, bucket, key, q, body)

        def do_GetObject(self, objects, bucket, key, q, body):
            if key not in objects:
                return self.error(404, "NoSuchKey", key)
            data, ctype = objects[key]
            etag = {"ETag": '"%s"' % hashlib.md5(data).hexdigest(), "Accept-Ranges": "bytes"}
            rng = self.headers.get("Range")
            if not rng:
                return self.reply(200, data, ctype, etag)
            try:
                unit, _, span = rng.partition("=")
                first, _, last = span.partition("-")
                first, last = int(first), int(last) if last else len(data) - 1
                if unit != "bytes" or first > last:
                    raise ValueError
            except ValueError:
                return self.reply(200, data, ctype, etag)  # S3 ignores a malformed Range
            if first >= len(data):
                return self.error(416, "InvalidRange")
            last = min(last, len(data) - 1)
            etag["Content-Range"] = "bytes %d-%d/%d" % (first, last, len(data))
            return self.reply(206, data[first:last + 1], ctype, etag)

        def do_DeleteObject(self, objects, bucket, key, q, body):
            objects.pop(key, None)
            return self.reply(204)

        def do_ListObjectsV2(self, objects, bucket, key, q, body):
            if q.get("list-type") != "2":
                return self.error(400, "InvalidArgument", "only ListObjectsV2")
            prefix = q.get("prefix", "")
            start = q.get("continuation-token", "")
            limit = min(int(q.get("max-keys", MAX_KEYS)), MAX_KEYS)
            keys = [k for k in sorted(objects) if k.startswith(prefix) and k > start]
            page, more = keys[:limit], len(keys) > limit
            items = "".join("<Contents><Key>%s</Key><Size>%d</Size></Contents>"
                            % (xml_escape(k), len(objects[k][0])) for k in page)
            token = ("<NextContinuationToken>%s</NextContinuationToken>" % xml_escape(page[-1])
                     if more else "")
            doc = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Name>%s</Name>"
                   "<Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>%d</MaxKeys>"
                   "<IsTruncated>%s</IsTruncated>%s%s</ListBucketResult>"
                   % (bucket, xml_escape(prefix), len(page), limit,
                      "true" if more else "false", token, items))
            return self.reply(200, doc.encode())

        def do_DeleteObjects(self, objects, bucket, key, q, body):
            md5 = self.headers.get("Content-MD5")
            if md5 != base64.b64encode(hashlib.md5(body).digest()).decode():
                return self.error(400, "InvalidDigest" if md5 else "MissingContentMD5")
            text = body.decode()
            names = []
            for chunk in text.split("<Key>")[1:]:
                name = chunk.split("</Key>", 1)[0]
                names.append(name.replace("&lt;", "<").replace("&gt;", ">")
                             .replace("&quot;", '"').replace("&amp;", "&"))
            if len(names) > MAX_KEYS:
                return self.error(400, "MalformedXML", "over 1000 keys")
            for name in names:
                objects.pop(name, None)
            quiet = "<Quiet>true</Quiet>" in text
            deleted = "" if quiet else "".join(
                "<Deleted><Key>%s</Key></Deleted>" % xml_escape(n) for n in names)
            return self.reply(200, ("<DeleteResult>%s</DeleteResult>" % deleted).encode())

        def do_CreateMultipartUpload(self, objects, bucket, key, q, body):
            upload = uuid.uuid4().hex + "/+="  # characters a client must encode
            state.uploads[upload] = (bucket, key, self.headers.get("Content-Type"), {})
            doc = ("<InitiateMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key>"
                   "<UploadId>%s</UploadId></InitiateMultipartUploadResult>"
                   % (bucket, xml_escape(key), xml_escape(upload)))
            return self.reply(200, doc.encode())

        def do_UploadPart(self, objects, bucket, key, q, body):
            up = state.uploads.get(q.get("uploadId"))
            if not up or up[:2] != (bucket, key):
                return self.error(404, "NoSuchUpload")
            n = int(q.get("partNumber", "0"))
            if not 1 <= n <= 10000:
                return self.error(400, "InvalidArgument", "partNumber")
            up[3][n] = body
            return self.reply(200, extra={"ETag": '"%s"' % hashlib.md5(body).hexdigest()})

        def do_CompleteMultipartUpload(self, objects, bucket, key, q, body):
            up = state.uploads.get(q.get("uploadId"))
            if not up or up[:2] != (bucket, key):
                return self.error(404, "NoSuchUpload")
            listed = []
            for chunk in body.decode().split("<Part>")[1:]:
                number = int(chunk.split("<PartNumber>", 1)[1].split("<", 1)[0])
                etag = chunk.split("<ETag>", 1)[1].split("</ETag>", 1)[0].replace("&quot;", '"')
                listed.append((number, etag))
            if not listed or [n for n, _ in listed] != sorted(n for n, _ in listed):
                return self.error(400, "InvalidPartOrder")
            data = b""
            for i, (n, etag) in enumerate(listed):
                part = up[3].get(n)
                if part is None or etag != '"%s"' % hashlib.md5(part).hexdigest():
                    return self.error(400, "InvalidPart")
                if i < len(listed) - 1 and len(part) < MIN_PART:
                    return self.error(400, "EntityTooSmall")
                data += part
            objects[key] = (data, up[2] or "binary/octet-stream")
            del state.uploads[q.get("uploadId")]
            doc = ("<CompleteMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key>"
                   "<ETag>\"%s-%d\"</ETag></CompleteMultipartUploadResult>"
                   % (bucket, xml_escape(key), hashlib.md5(data).hexdigest(), len(listed)))
            return self.reply(200, doc.encode())

        def do_AbortMultipartUpload(self, objects, bucket, key, q, body):
            state.uploads.pop(q.get("uploadId"), None)
            return self.reply(204)

        do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = handle_any

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the listen backlog: six processes' connections arrive at once


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--access-key", default="dlcs-test-key")
    ap.add_argument("--secret-key", default="dlcs-test-secret")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--bucket", action="append", default=[])
    a = ap.parse_args()
    state = State(a.bucket)
    server = Server(("127.0.0.1", a.port),
                    make_handler(state, Signature(a.access_key, a.secret_key, a.region)))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("READY http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
