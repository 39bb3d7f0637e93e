#!/usr/bin/env python3
"""Embeddings per second through /v1/embeddings (issue 16, point 7).

Starts `ondo serve -m MODEL=emb -t THREADS` (or uses --url, e.g. a llama-server started with
--embeddings on the same GGUF), sends N short sentences (8-32 tokens each with [CLS]/[SEP];
seeded, so every run sends the same texts) and reports embeddings/s, median of --runs, for:

  batched     one request per --batch inputs, one request at a time
  single      one input per request, one request at a time
  concurrent  one input per request, --clients requests in flight (the server batches
              requests that wait together)

Only the standard library. Measures; asserts nothing (exit 1 only when a request fails).

  python3 bench/rag/embeddings_per_sec.py --ondo build/ondo --model /tmp/minilm-l6.gguf
  python3 bench/rag/embeddings_per_sec.py --url http://127.0.0.1:8080 --model-name emb
"""
import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

WORDS = (
    "the a of and to in is was for on that with as it by at from his her they this be are an have "
    "which one had not but what all were when we there can more if no out so said up its about into "
    "than them only other new some could time these two may first then do any like my now over such "
    "our man me even most made after also did many before must through back years where much your way "
    "well down should because each just those people how too little state good very make world still "
    "own see men work long get here between both life being under never day same another know while "
    "last might us great old year off come since against go came right used take three fridge milk "
    "bread tomato recipe soup kitchen oven cheese butter garlic onion pepper salt water shelf door cold"
).split()


def sentences(n, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randint(6, 28)  # words; with [CLS]/[SEP] and some words split: ~8-32 tokens
        s = " ".join(rng.choice(WORDS) for _ in range(k))
        out.append(s[0].upper() + s[1:] + ".")
    return out


def post(url, body, timeout=600):
    req = urllib.request.Request(url + "/v1/embeddings", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        out = json.loads(r.read())
    if len(out["data"]) != (len(body["input"]) if isinstance(body["input"], list) else 1):
        raise RuntimeError("wrong number of vectors")
    return out["usage"]["prompt_tokens"]


def run_batched(url, model, texts, batch):
    tokens = 0
    for i in range(0, len(texts), batch):
        tokens += post(url, {"model": model, "input": texts[i:i + batch], "encoding_format": "float"})
    return tokens


def run_single(url, model, texts):
    return sum(post(url, {"model": model, "input": t, "encoding_format": "float"}) for t in texts)


def run_concurrent(url, model, texts, clients):
    lock = threading.Lock()
    next_i = [0]
    tokens = [0]
    errors = []

    def worker():
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= len(texts):
                return
            try:
                n = post(url, {"model": model, "input": texts[i], "encoding_format": "float"})
            except Exception as e:  # reported after the run
                errors.append(e)
                return
            with lock:
                tokens[0] += n

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return tokens[0]


def start_server(ondo, model, threads, extra):
    cmd = [ondo, "serve", "-m", model + "=emb", "-t", str(threads), "--port", "0"] + extra
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    log = []
    while time.time() < deadline:
        line = p.stderr.readline()
        if not line:
            break
        log.append(line)
        m = re.search(r"listening on http://([0-9.]+):(\d+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()
            return p, "http://%s:%s" % (m.group(1), m.group(2))
    p.kill()
    sys.exit("ondo serve did not start:\n" + "".join(log))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ondo", default="build/ondo")
    ap.add_argument("--model", help="GGUF to serve (ondo gen-model --shape minilm-l6)")
    ap.add_argument("--url", help="an already running server instead (llama-server, ondo serve)")
    ap.add_argument("--model-name", default="emb")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("-n", type=int, default=1000, help="sentences")
    ap.add_argument("--batch", type=int, default=100, help="inputs per batched request")
    ap.add_argument("--clients", type=int, default=8, help="requests in flight (concurrent)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--modes", default="batched,single,concurrent")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra argument for ondo serve")
    a = ap.parse_args()
    if not a.url and not a.model:
        ap.error("give --model (ondo serve is started) or --url")
    proc = None
    url = a.url
    if not url:
        proc, url = start_server(a.ondo, a.model, a.threads, a.serve_arg)
    try:
        texts = sentences(a.n, 20261203)
        post(url, {"model": a.model_name, "input": texts[:8]})  # warm-up
        print("server %s, %d sentences, %d threads, median of %d runs" % (url, a.n, a.threads, a.runs))
        print("| mode | requests | tokens | embeddings/s (median) | runs |")
        print("|---|---|---|---|---|")
        results = {}
        for mode in a.modes.split(","):
            rates = []
            tokens = 0
            for _ in range(a.runs):
                t0 = time.perf_counter()
                if mode == "batched":
                    tokens = run_batched(url, a.model_name, texts, a.batch)
                elif mode == "single":
                    tokens = run_single(url, a.model_name, texts)
                elif mode == "concurrent":
                    tokens = run_concurrent(url, a.model_name, texts, a.clients)
                else:
                    sys.exit("unknown mode " + mode)
                rates.append(len(texts) / (time.perf_counter() - t0))
            reqs = {"batched": (a.n + a.batch - 1) // a.batch}.get(mode, a.n)
            label = {"batched": "batched (%d per request)" % a.batch,
                     "concurrent": "one per request, %d in flight" % a.clients}.get(mode, "one per request")
            results[mode] = statistics.median(rates)
            print("| %s | %d | %d | %.1f | %s |" % (label, reqs, tokens, results[mode],
                                                   " / ".join("%.1f" % r for r in rates)))
        if "batched" in results and "single" in results:
            print("batching gain (batched / one per request): %.2fx" % (results["batched"] / results["single"]))
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=60)


if __name__ == "__main__":
    main()
