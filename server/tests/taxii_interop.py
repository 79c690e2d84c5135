"""TAXII 2.1 interop with OASIS's own implementations, both ways, all on 127.0.0.1.

1. `medallion` (OASIS's TAXII 2.1 server, memory backend, pages of 2) serves a collection; `ioclens feed add
   taxii2+http://…` pulls it (HTTP Basic), paging with `next`; a revoked version and an expired indicator end their
   evidence (the lookup reports `revoked` / `expired`); a second run resumes with `added_after` and pulls only the
   newer objects. A catalogue source in `taxii2` format (`ioclens intel update`) pages through the same
   collection into the intel pack (Basic, its password from the environment variable `secret_env` names).
2. `taxii2-client` (OASIS's TAXII 2.1 client) reads `ioclens serve`'s TAXII server: discovery, API root,
   collections, objects page by page, manifest, one object, its versions; a wrong key is refused (401).
3. `ioclens feed add` pulls from `ioclens serve` (Bearer, our `next` tokens), resumes an interrupted run at its
   saved `next` token, and restarts the run when the server no longer knows the token.

Run by scripts/test.d/40-server.sh: python taxii_interop.py IOCLENS_BINARY (the venv has medallion and
taxii2-client, scripts/setup.d/40-server.sh).
"""
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

import requests
from taxii2client.v21 import Collection, Server, as_pages

BIN = sys.argv[1]
COLL = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
NOW = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(url):
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers at {url}")


def indicator(n, value, **extra):
    o = {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "pattern": f"[domain-name:value = '{value}']", "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00.000Z", "confidence": 80,
    }
    o.update(extra)
    return o


def ioclens(*args, env=None):
    r = subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=120)
    if r.returncode != 0:
        raise SystemExit(f"ioclens {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r.stdout


def main():
    tmp = tempfile.mkdtemp(prefix="ioclens-taxii-")
    procs = []
    try:
        # ---------- 1. our client pulls from medallion ----------
        medallion_port = free_port()
        base = f"http://127.0.0.1:{medallion_port}"
        data = {
            "/discovery": {"title": "medallion", "default": f"{base}/api1/", "api_roots": [f"{base}/api1/"]},
            "api1": {
                "information": {"title": "api1", "versions": ["application/taxii+json;version=2.1"],
                                "max_content_length": 10_000_000},
                "status": [],
                "collections": [{"id": COLL, "title": "interop", "can_read": True, "can_write": True,
                                 "media_types": ["application/stix+json;version=2.1"],
                                 "objects": [], "manifest": []}],
            },
        }
        with open(f"{tmp}/data.json", "w") as f:
            json.dump(data, f)
        with open(f"{tmp}/medallion.json", "w") as f:
            json.dump({"backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                                   "filename": f"{tmp}/data.json"},
                       "users": {"reader": "s3cret-pass"}, "taxii": {"max_page_size": 2}}, f)
        medallion = os.path.join(os.path.dirname(sys.executable), "medallion")
        procs.append(subprocess.Popen([medallion, "--host", "127.0.0.1", "--port", str(medallion_port),
                                       f"{tmp}/medallion.json"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        wait_for(f"{base}/taxii2/")
        coll = Collection(f"{base}/api1/collections/{COLL}/", user="reader", password="s3cret-pass")
        first = [
            indicator(1, "live-one.example"),
            indicator(2, "live-two.example"),
            indicator(3, "to-be-revoked.example"),
            indicator(4, "expired.example", valid_until="2026-02-01T00:00:00.000Z"),
            indicator(5, "live-three.example"),
        ]
        for o in first:  # one request each: distinct date_added
            coll.add_objects({"objects": [o]})
        db = f"{tmp}/store.db"
        env = dict(os.environ, IOCLENS_TAXII_PASSWORD="s3cret-pass")
        url = f"taxii2+{base}/api1/collections/{COLL}/"
        add = ["feed", "add", url, "--db", db, "--source", "medallion", "--category", "community",
               "--taxii-user", "reader", "--taxii-limit", "2"]
        # Without credentials: refused, nothing written.
        r = subprocess.run([BIN, *add[:-4], "--taxii-limit", "2"], capture_output=True, text=True,
                           env={k: v for k, v in env.items() if k != "IOCLENS_TAXII_PASSWORD"})
        assert r.returncode != 0 and "HTTP 401" in r.stderr, r.stderr
        out = subprocess.run([BIN, *add], capture_output=True, text=True, env=env, timeout=120)
        assert out.returncode == 0, out.stderr
        assert "s3cret-pass" not in out.stdout + out.stderr
        rep = json.loads(out.stdout)
        assert rep["pages"] == 3 and rep["objects"] == 5 and rep["records"] == 5, rep
        assert rep["status"] == "created" and rep["added_after"], rep
        # The revoked version comes later; the next run pulls it alone, from where the last one stopped.
        coll.add_objects({"objects": [indicator(3, "to-be-revoked.example", modified="2026-03-01T00:00:00.000Z",
                                                revoked=True)]})
        rep2 = json.loads(ioclens(*add, env=env))
        assert rep2["objects"] == 1 and rep2["pages"] == 1 and rep2["records"] == 5, rep2
        assert rep2["added_after"] > rep["added_after"], (rep, rep2)
        rep3 = json.loads(ioclens(*add, env=env))
        assert rep3["objects"] == 0 and rep3["status"] == "unchanged", rep3

        # ---------- 1b. a catalogue source in `taxii2` format pages through the same collection ----------
        cat = f"{tmp}/catalogue.toml"
        with open(cat, "w") as f:
            f.write(f'[[source]]\nname = "medallion-pack"\nurl = "{base}/api1/collections/{COLL}/objects/?limit=2"\n'
                    'format = "taxii2"\ncategory = "malware"\nconfidence = 80\nevery = "1h"\nenabled = true\n'
                    'licence = "test"\nuser = "reader"\nsecret_env = "IOCLENS_TAXII_PASSWORD"\n')
        idir = f"{tmp}/intel-data"
        update = [BIN, "intel", "update", "--force", "--catalogue", cat, "--data-dir", idir, "--retries", "0"]
        status = ["intel", "status", "--format", "json", "--catalogue", cat, "--data-dir", idir]
        # Without the secret in the environment: that source fails, naming the variable, never a secret.
        r = subprocess.run(update, capture_output=True, text=True,
                           env={k: v for k, v in env.items() if k != "IOCLENS_TAXII_PASSWORD"})
        src = json.loads(ioclens(*status))["sources"][0]
        assert r.returncode == 1 and src["status"] == "failed", (r.stderr, src)
        assert "IOCLENS_TAXII_PASSWORD" in src["error"], src
        r = subprocess.run(update, capture_output=True, text=True, env=env, timeout=120)
        assert r.returncode == 0, (r.stdout + r.stderr, json.loads(ioclens(*status))["sources"][0])
        assert "s3cret-pass" not in r.stdout + r.stderr
        src = json.loads(ioclens(*status))["sources"][0]
        # Pages of 2: only following `next` brings all five indicator values (the last one on the third page).
        assert src["status"] == "ok" and src["entries"] == 5, src

        # ---------- 2. taxii2-client reads our server (the same store) ----------
        key = ioclens("keys", "create", "--db", db, "--name", "taxii", "--rate-limit", "0").split()
        key = next(w for w in key if w.startswith("ioc_"))
        port = free_port()
        procs.append(subprocess.Popen([BIN, "serve", "--db", db, "--listen", f"127.0.0.1:{port}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(f"http://127.0.0.1:{port}/health")
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/lookup?ioc=to-be-revoked.example",
                                     headers={"Authorization": f"Bearer {key}"})
        look = json.load(urllib.request.urlopen(req))
        assert [s["status"] for s in look["data"]["sources"]] == ["revoked"], look["data"]["sources"]
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/lookup?ioc=expired.example",
                                     headers={"Authorization": f"Bearer {key}"})
        look = json.load(urllib.request.urlopen(req))
        assert [s["status"] for s in look["data"]["sources"]] == ["expired"], look["data"]["sources"]

        server = Server(f"http://127.0.0.1:{port}/taxii2/", user="sentinel", password=key)
        assert server.title == "ioclens"
        root = server.default
        assert root.versions == ["application/taxii+json;version=2.1"], root.versions
        by_title = {c.title: c for c in root.collections}
        assert set(by_title) == {"all", "medallion"}, by_title
        ours = by_title["medallion"]
        assert ours.can_read and not ours.can_write
        ids, pages = [], 0
        for env_ in as_pages(ours.get_objects, per_request=2):
            pages += 1
            ids += [o["id"] for o in env_.get("objects", [])]
        # Five TLP 2.0 marking definitions, then the five indicators (the revoked one marked so).
        assert len(ids) == 10 and len(set(ids)) == 10 and pages == 5, (pages, ids)
        manifest = []
        for env_ in as_pages(ours.get_manifest, per_request=3):
            manifest += env_.get("objects", [])
        assert sorted(m["id"] for m in manifest) == sorted(ids), manifest
        ind = [i for i in ids if i.startswith("indicator--")]
        one = ours.get_object(ind[0])
        assert [o["id"] for o in one["objects"]] == [ind[0]], one
        assert ours.object_versions(ind[0])["versions"], ind[0]
        got = ours.get_objects(type="indicator")
        assert len(got["objects"]) == 5 and not got["more"], got
        revoked = [o for o in got["objects"] if o.get("revoked")]
        assert [o["name"] for o in revoked] == ["to-be-revoked.example"], revoked
        newest = max(m["date_added"] for m in manifest)
        assert "objects" not in ours.get_objects(added_after=newest), "nothing after the newest"
        # ---------- 3. ioclens pulls from ioclens (Bearer, our own `next` tokens) ----------
        mirror = json.loads(ioclens(
            "feed", "add", f"taxii2+http://127.0.0.1:{port}/taxii2/ioclens/collections/{ours.id}/",
            "--db", f"{tmp}/mirror.db", "--source", "mirror", "--category", "community", "--taxii-limit", "3",
            env=dict(os.environ, IOCLENS_TAXII_TOKEN=key)))
        assert (mirror["pages"], mirror["objects"], mirror["records"]) == (4, 10, 5), mirror
        again = json.loads(ioclens(
            "feed", "add", f"taxii2+http://127.0.0.1:{port}/taxii2/ioclens/collections/{ours.id}/",
            "--db", f"{tmp}/mirror.db", "--source", "mirror", "--category", "community",
            env=dict(os.environ, IOCLENS_TAXII_TOKEN=key)))
        assert (again["objects"], again["status"]) == (0, "unchanged"), again
        # A run that stopped after its first page resumes at the saved `next` token; a token the server no longer
        # knows restarts that run from its start (pages are idempotent).
        token = ours.get_objects(limit=3)["next"]
        for saved, objects in ((token, 7), ("bogus", 10)):
            with sqlite3.connect(f"{tmp}/mirror.db") as c:
                c.execute("UPDATE taxii_pulls SET added_after = NULL, next = ?, last = NULL", (saved,))
            env3 = dict(os.environ, IOCLENS_TAXII_TOKEN=key)
            r = subprocess.run([BIN, "feed", "add", f"taxii2+http://127.0.0.1:{port}/taxii2/ioclens/collections/"
                                f"{ours.id}/", "--db", f"{tmp}/mirror.db", "--source", "mirror", "--category",
                                "community", "--taxii-limit", "3"], capture_output=True, text=True, env=env3)
            assert r.returncode == 0, r.stderr
            resumed = json.loads(r.stdout)
            assert (resumed["resumed"], resumed["objects"], resumed["records"]) == (True, objects, 5), resumed
            assert ("no longer knows" in r.stderr) == (saved == "bogus"), r.stderr
        bad = Server(f"http://127.0.0.1:{port}/taxii2/", user="sentinel", password="ioc_wrong")
        try:
            bad.title
            raise SystemExit("a wrong key was accepted")
        except requests.exceptions.HTTPError as e:
            assert e.response.status_code == 401, e
            assert e.response.headers["content-type"] == "application/taxii+json;version=2.1", e.response.headers
            assert e.response.json()["http_status"] == "401", e.response.text
        print(f"taxii interop: medallion -> ioclens {rep['pages'] + rep2['pages'] + rep3['pages']} pages, "
              f"ioclens -> taxii2-client {pages} pages: ok")
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
        subprocess.run(["rm", "-rf", tmp], check=False)


if __name__ == "__main__":
    main()
