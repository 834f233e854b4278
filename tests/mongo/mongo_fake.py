#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A MongoDB-wire-compatible test server: python3-mockupdb speaks the protocol, python3-mongomock
runs the commands. No real MongoDB server can be installed on these machines; this one answers
every command the dlcs store adapter sends (tests/mongo/README.md says what it cannot prove).

    /usr/bin/python3 tests/mongo/mongo_fake.py [PORT]   ->  prints "READY mongodb://127.0.0.1:PORT"

One process, in memory, one lock around every command (so every single-document write is atomic,
as on a real server, and nothing more is). Cursors are kept and served by getMore. A duplicate
key names its index as a real server does ("... index: NAME dup key: ..."). SIGSTOP/SIGCONT make
it unreachable and back, for failure-mode tests.
"""
import copy
import datetime
import itertools
import os
import signal
import sys
import threading

import mockupdb
import mongomock
from pymongo import ReturnDocument

ENGINE = mongomock.MongoClient()
LOCK = threading.Lock()
CURSORS = {}
CURSOR_IDS = itertools.count(1000)
DEFAULT_BATCH = 101
# commands answered (= round trips: one per message), in serverStatus as "dlcsFake.commands"
# for bench/store; a real server's opcounters count operations, not messages
COMMANDS = [0]


class CommandError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def failure(code, message):
    return {"ok": 0, "code": code, "errmsg": message}


def batch_reply(ns, docs, size, first=True):
    """Return the first 'size' docs; keep the rest under a cursor id for getMore."""
    docs = list(docs)
    size = size if size and size > 0 else DEFAULT_BATCH
    head, rest = docs[:size], docs[size:]
    cid = 0
    if rest:
        cid = next(CURSOR_IDS)
        CURSORS[cid] = (ns, rest)
    key = "firstBatch" if first else "nextBatch"
    return {"ok": 1, "cursor": {"id": cid, "ns": ns, key: head}}


def unique_indexes(coll):
    for name, info in coll.index_information().items():
        if info.get("unique"):
            yield name, [k for k, _ in info["key"]]


def conflicting_index(coll, doc, own_id=None):
    """The name of a unique index that 'doc' would collide on in 'coll', or None."""
    for name, keys in unique_indexes(coll):
        probe = {k: doc.get(k) for k in keys}
        for other in coll.find(probe):
            if other.get("_id") != own_id:
                return name
    return None


def duplicate(coll, name, doc):
    keys = next((k for n, k in unique_indexes(coll) if n == name), ["_id"])
    return CommandError(11000, "E11000 duplicate key error collection: %s index: %s dup key: %s"
                        % (coll.full_name, name, {k: doc.get(k) for k in keys}))


SCRATCH = mongomock.MongoClient()["scratch"]["doc"]


def touched(update):
    """The top-level fields an update writes."""
    if is_replacement(update):
        return set(update)
    return {k.split(".")[0] for op in update.values() if isinstance(op, dict) for k in op}


def plain_equalities(query):
    return all(not k.startswith("$") and not isinstance(v, dict) for k, v in query.items())


def after_update(coll, query, update, upsert):
    """The document an update would leave (or None when it matches nothing and cannot insert)."""
    scratch = SCRATCH
    scratch.delete_many({})
    found = coll.find_one(query)
    if found is not None:
        scratch.insert_one(copy.deepcopy(found))
        apply = scratch.replace_one if is_replacement(update) else scratch.update_one
        apply({"_id": found["_id"]}, update)
        return scratch.find_one({"_id": found["_id"]}), found["_id"]
    if not upsert:
        return None, None
    apply = scratch.replace_one if is_replacement(update) else scratch.update_one
    apply(query, update, upsert=True)
    return scratch.find_one(), None


def check_unique(coll, query, update, upsert):
    unique_fields = {k for _, keys in unique_indexes(coll) for k in keys}
    if not unique_fields & touched(update) and plain_equalities(query):
        return  # the keys come from the filter: only a document it would match has them
    doc, own = after_update(coll, query, update, upsert)
    if doc is not None:
        name = conflicting_index(coll, doc, own)
        if name:
            raise duplicate(coll, name, doc)


def is_replacement(update):
    return isinstance(update, dict) and not any(k.startswith("$") for k in update)


def do_insert(coll, cmd):
    n, errors = 0, []
    for i, doc in enumerate(cmd.get("documents", [])):
        name = conflicting_index(coll, doc)
        if name:
            errors.append({"index": i, "code": 11000, "errmsg": str(duplicate(coll, name, doc))})
            if cmd.get("ordered", True):
                break
            continue
        try:
            coll.insert_one(doc)
        except mongomock.DuplicateKeyError:
            errors.append({"index": i, "code": 11000, "errmsg": str(duplicate(coll, "_id_", doc))})
            if cmd.get("ordered", True):
                break
            continue
        n += 1
    reply = {"ok": 1, "n": n}
    if errors:
        reply["writeErrors"] = errors
    return reply


def do_update(coll, cmd):
    n = modified = 0
    upserted, errors = [], []
    for i, u in enumerate(cmd.get("updates", [])):
        query, update, upsert = u.get("q", {}), u.get("u", {}), bool(u.get("upsert"))
        try:
            if not u.get("multi"):
                check_unique(coll, query, update, upsert)
            if is_replacement(update):
                r = coll.replace_one(query, update, upsert=upsert)
            elif u.get("multi"):
                r = coll.update_many(query, update, upsert=upsert)
            else:
                r = coll.update_one(query, update, upsert=upsert)
        except mongomock.DuplicateKeyError:
            e = duplicate(coll, "_id_", query)
            errors.append({"index": i, "code": e.code, "errmsg": str(e)})
            if cmd.get("ordered", True):
                break
            continue
        except CommandError as e:
            errors.append({"index": i, "code": e.code, "errmsg": str(e)})
            if cmd.get("ordered", True):
                break
            continue
        if r.upserted_id is not None:
            upserted.append({"index": i, "_id": r.upserted_id})
            n += 1
        else:
            n += r.matched_count
            modified += r.modified_count
    reply = {"ok": 1, "n": n, "nModified": modified}
    if upserted:
        reply["upserted"] = upserted
    if errors:
        reply["writeErrors"] = errors
    return reply


def do_delete(coll, cmd):
    n = 0
    for d in cmd.get("deletes", []):
        remove = coll.delete_one if d.get("limit") == 1 else coll.delete_many
        n += remove(d.get("q", {})).deleted_count
    return {"ok": 1, "n": n}


def do_find_and_modify(coll, cmd):
    query = cmd.get("query") or {}
    sort = list(cmd["sort"].items()) if cmd.get("sort") else None
    fields = cmd.get("fields") or None
    upsert = bool(cmd.get("upsert"))
    before = coll.find_one(query, sort=sort)
    if cmd.get("remove"):
        value = coll.find_one_and_delete(query, projection=fields, sort=sort)
        return {"ok": 1, "value": value, "lastErrorObject": {"n": int(before is not None)}}
    update = cmd.get("update")
    if before is not None:
        check_unique(coll, {"_id": before["_id"]}, update, False)
    elif upsert:
        check_unique(coll, query, update, True)
    change = coll.find_one_and_replace if is_replacement(update) else coll.find_one_and_update
    try:
        value = change({"_id": before["_id"]} if before is not None else query, update,
                       projection=fields, upsert=upsert,
                       return_document=ReturnDocument.AFTER if cmd.get("new")
                       else ReturnDocument.BEFORE)
    except mongomock.DuplicateKeyError:
        raise duplicate(coll, "_id_", query)
    last = {"n": int(before is not None or upsert), "updatedExisting": before is not None}
    if before is None and upsert:
        last["upserted"] = coll.find_one(query, sort=sort)["_id"]
    return {"ok": 1, "value": value, "lastErrorObject": last}


def do_find(db, coll, cmd):
    cursor = coll.find(cmd.get("filter") or {}, cmd.get("projection") or None)
    if cmd.get("sort"):
        cursor = cursor.sort(list(cmd["sort"].items()))
    if cmd.get("skip"):
        cursor = cursor.skip(int(cmd["skip"]))
    if cmd.get("limit"):
        cursor = cursor.limit(abs(int(cmd["limit"])))
    return batch_reply("%s.%s" % (db.name, coll.name), cursor, cmd.get("batchSize"))


def do_get_more(cmd):
    cid = cmd["getMore"]
    if cid not in CURSORS:
        raise CommandError(43, "cursor id %d not found" % cid)
    ns, rest = CURSORS.pop(cid)
    return batch_reply(ns, rest, cmd.get("batchSize"), first=False)


def do_create_indexes(coll, cmd):
    for spec in cmd.get("indexes", []):
        options = {k: spec[k] for k in ("unique", "sparse") if k in spec}
        if "partialFilterExpression" in spec:
            options["partialFilterExpression"] = spec["partialFilterExpression"]
        coll.create_index(list(spec["key"].items()), name=spec.get("name"), **options)
    return {"ok": 1}


def do_list_indexes(db, coll):
    docs = []
    for name, info in coll.index_information().items():
        doc = {"v": 2, "key": dict(info["key"]), "name": name}
        if info.get("unique"):
            doc["unique"] = True
        docs.append(doc)
    return batch_reply("%s.%s" % (db.name, coll.name), docs, 0)


HANDSHAKE = {"ismaster", "hello"}


def handle(dbname, cmd):
    name = next(iter(cmd))
    verb = name.lower()
    db = ENGINE[dbname]
    if verb in HANDSHAKE:
        return {"ok": 1, "ismaster": True, "isWritablePrimary": True, "helloOk": True,
                "maxWireVersion": 13, "minWireVersion": 0, "maxBsonObjectSize": 16 * 1024 * 1024,
                "maxMessageSizeBytes": 48000000, "maxWriteBatchSize": 100000,
                "localTime": datetime.datetime.utcnow(), "logicalSessionTimeoutMinutes": 30,
                "connectionId": 1, "readOnly": False}
    if verb in ("ping", "endsessions"):
        return {"ok": 1}
    if verb == "serverstatus":
        return {"ok": 1, "dlcsFake": {"commands": COMMANDS[0]}}
    if verb == "killcursors":
        for cid in cmd.get("cursors", []):
            CURSORS.pop(cid, None)
        return {"ok": 1, "cursorsKilled": cmd.get("cursors", [])}
    if verb == "buildinfo":
        return {"ok": 1, "version": "5.0.0-dlcs-fake", "versionArray": [5, 0, 0, 0]}
    if verb == "getmore":
        return do_get_more(cmd)
    if verb == "dropdatabase":
        ENGINE.drop_database(dbname)
        return {"ok": 1}
    if verb == "listcollections":
        names = [{"name": c, "type": "collection"} for c in db.list_collection_names()]
        return batch_reply("%s.$cmd.listCollections" % dbname, names, 0)
    if not isinstance(cmd[name], str):
        raise CommandError(59, "no such command: '%s'" % name)
    coll = db[cmd[name]]
    if verb == "insert":
        return do_insert(coll, cmd)
    if verb == "update":
        return do_update(coll, cmd)
    if verb == "delete":
        return do_delete(coll, cmd)
    if verb == "findandmodify":
        return do_find_and_modify(coll, cmd)
    if verb == "find":
        return do_find(db, coll, cmd)
    if verb == "aggregate":
        docs = coll.aggregate(cmd.get("pipeline", []))
        return batch_reply("%s.%s" % (dbname, coll.name), docs,
                           (cmd.get("cursor") or {}).get("batchSize"))
    if verb == "count":
        return {"ok": 1, "n": coll.count_documents(cmd.get("query") or {})}
    if verb == "createindexes":
        return do_create_indexes(coll, cmd)
    if verb == "listindexes":
        return do_list_indexes(db, coll)
    if verb == "drop":
        db.drop_collection(coll.name)
        return {"ok": 1}
    if verb in ("committransaction", "aborttransaction", "starttransaction"):
        raise CommandError(20, "transactions are not supported by this server")
    raise CommandError(59, "no such command: '%s'" % name)


def respond(request):
    if not getattr(request, "is_command", False):
        return False
    doc = request.doc
    dbname = (getattr(request, "namespace", None) or doc.get("$db", "admin")).split(".")[0]
    cmd = {k: v for k, v in doc.items() if not k.startswith("$") and k != "lsid"}
    with LOCK:
        verb = next(iter(cmd)).lower() if cmd else ""
        if verb not in HANDSHAKE and verb != "serverstatus":
            COMMANDS[0] += 1
        try:
            reply = handle(dbname, cmd)
        except CommandError as e:
            reply = failure(e.code, str(e))
        except Exception as e:  # an engine gap is a command error, never a dropped connection
            reply = failure(1, "%s: %s" % (type(e).__name__, e))
    if isinstance(request, mockupdb.OpMsg) and request.flags & mockupdb.OP_MSG_FLAGS["moreToCome"]:
        return True  # an unacknowledged write has no reply
    request.replies(reply)
    return True


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = mockupdb.MockupDB(port=port, request_timeout=10 ** 6)
    server.autoresponds(respond)
    port = server.run()
    print("READY mongodb://127.0.0.1:%d" % port, flush=True)
    # in memory, nothing to flush: stop at once, even with clients still connected
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    threading.Event().wait()


if __name__ == "__main__":
    main()
