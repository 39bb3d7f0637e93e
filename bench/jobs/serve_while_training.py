# Issue 17.1 measurement (usage: python3 bench/jobs/serve_while_training.py build/ondo WORK_DIR [THREADS] [train|fine_tune]):
# serving TTFT and tokens/s of one stream, idle vs while a job runs on the same pool (ondo serve --workers 1):
# `train` (POST /v1/jobs, a small model from scratch) or `fine_tune` (POST /v1/fine_tuning/jobs, LoRA over the
# served model). Not a test; prints figures.
import http.client, json, os, subprocess, sys, time, signal, socket, statistics

ONDO = sys.argv[1]; WORK = sys.argv[2]; THREADS = sys.argv[3] if len(sys.argv) > 3 else "2"
MODE = sys.argv[4] if len(sys.argv) > 4 else "train"
if MODE not in ("train", "fine_tune"): sys.exit("mode: expected train or fine_tune, seen " + MODE)
os.makedirs(WORK, exist_ok=True)
data = os.path.join(WORK, "d.jsonl")
with open(data, "w") as f:
    for line in open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "api.md")):
        line = line.strip()
        if len(line) > 20: f.write(json.dumps({"text": line}) + "\n")
tok = os.path.join(WORK, "tok.gguf")
if not os.path.exists(tok):
    subprocess.run([ONDO, "tokenizer", "train", "--data", data, "--vocab", "512", "--out", tok], check=True, stderr=subprocess.DEVNULL)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
log = open(os.path.join(WORK, "serve.log"), "w")
srv = subprocess.Popen([ONDO, "serve", "--port", str(port), "-t", THREADS, "--data-dir", os.path.join(WORK, "data"),
                        "--admin-key", "k", "--workers", "1"], stderr=log)
H = {"Authorization": "Bearer k", "Content-Type": "application/json"}
def req(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request(method, path, json.dumps(body) if body is not None else None, H)
    r = c.getresponse(); return r.status, r.read()
def upload(name, content, purpose):
    b = "ondo-bench-boundary"
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n{purpose}\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/jsonl\r\n\r\n").encode() + content + f"\r\n--{b}--\r\n".encode()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("POST", "/v1/files", body, {"Authorization": "Bearer k", "Content-Type": f"multipart/form-data; boundary={b}"})
    r = c.getresponse(); out = r.read()
    if r.status != 200: sys.exit(f"upload: HTTP {r.status}: {out[:300]!r}")
    return json.loads(out)["id"]
for _ in range(600):
    try:
        if req("GET", "/health")[0] == 200: break
    except Exception: pass
    time.sleep(0.1)
models = json.loads(req("GET", "/v1/models")[1])["data"]; model = models[0]["id"]
def stream_once():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    body = {"model": model, "messages": [{"role": "user", "content": "{\"ingredients\": [\"onion\", \"pork\"]}"}],
            "max_tokens": 64, "temperature": 0, "stream": True, "stream_options": {"include_usage": True}}
    t0 = time.perf_counter(); c.request("POST", "/v1/chat/completions", json.dumps(body), H)
    r = c.getresponse(); first = None; n = 0; buf = b""
    while True:
        line = r.fp.readline()
        if not line or line.strip() == b"data: [DONE]": break
        if line.startswith(b"data: ") and line.strip() != b"data: [DONE]":
            j = json.loads(line[6:])
            if j.get("choices") and j["choices"][0]["delta"].get("content"):
                if first is None: first = time.perf_counter()
            if j.get("usage"): n = j["usage"]["completion_tokens"]
    t1 = time.perf_counter()
    return (first - t0) * 1000, (n - 1) / (t1 - first) if n > 1 else 0
def run(label, k=5):
    stream_once()
    res = [stream_once() for _ in range(k)]
    ttft = statistics.median(r[0] for r in res); tps = statistics.median(r[1] for r in res)
    print(f"{label}: ttft median {ttft:.1f} ms, tokens/s median {tps:.1f} (n={k})", flush=True)
    return ttft, tps
idle = run("idle")
if MODE == "train":
    params = {"data": data, "tokenizer": tok, "layers": 2, "dim": 128, "heads": 4, "ffn": 384, "ctx": 128, "batch": 8,
              "steps": 1000000, "warmup": 10, "ckpt_every": 1000000}
    st, b = req("POST", "/v1/jobs", {"kind": "train", "params": params}); job = json.loads(b)["id"]
    path = "/v1/jobs/" + job
else:  # LoRA on q, v (rank 8) and the MLP (rank 4) over the served model, chat data from docs/api.md lines
    lines = [l.strip() for l in open(data)][:200]
    chat = "".join(json.dumps({"messages": [{"role": "user", "content": json.loads(l)["text"][:60]},
                                             {"role": "assistant", "content": json.loads(l)["text"][60:160] or "ok"}]}) + "\n"
                   for l in lines)
    fid = upload("train.jsonl", chat.encode(), "fine-tune")
    body = {"model": model, "training_file": fid, "hyperparameters": {"n_epochs": 50, "batch_size": 4},
            "lora": {"attention": {"rank": 8, "modules": ["q", "v"]}, "mlp": {"enabled": True, "rank": 4},
                     "lr_schedule": {"type": "cosine", "warmup_steps": 10}, "max_steps": 100000}}
    st, b = req("POST", "/v1/fine_tuning/jobs", body)
    if st != 200: sys.exit(f"fine_tuning/jobs: HTTP {st}: {b[:300]!r}")
    job = json.loads(b)["id"]
    path = "/v1/jobs/" + job
for _ in range(600):
    j = json.loads(req("GET", path)[1])
    if j["state"] == "running" and j["progress"].get("step", 0) >= 3: break
    time.sleep(0.2)
print(MODE, "job", j["state"], "progress", j["progress"], flush=True)
busy = run("while " + MODE)
j = json.loads(req("GET", path)[1]); print(MODE, "progress after", j["progress"], flush=True)
req("POST", path + "/cancel")
print(f"ttft ratio {busy[0]/idle[0]:.2f}, tokens/s ratio {busy[1]/idle[1]:.2f}")
srv.send_signal(signal.SIGTERM); srv.wait(timeout=60)
