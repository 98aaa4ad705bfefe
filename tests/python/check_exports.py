"""Runs train.py --verify and --check of every exported folder given, in one Python process.

Prints one JSON object: {folder: {"verify_worst", "check": {...}, "curve_is_the_runs": bool, "ok"}}.
curve_is_the_runs: the lab's captured first losses equal the run's own logged losses at its logging points
(the capture re-runs the run's first steps on the same engine, which is deterministic).
Usage: /usr/bin/python3 tests/python/check_exports.py DIR [DIR ...]
"""
import contextlib
import importlib
import io
import json
import sys


def check_folder(folder):
    for name in ("lab_data", "model", "train"):
        sys.modules.pop(name, None)
    sys.path.insert(0, folder)
    try:
        train = importlib.import_module("train")
        cfg, train_docs, val, windows = train.load()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            v_ok, v_worst = train.verify(cfg, val, windows)
            c_ok, report = train.check(cfg, train_docs, val, windows)
        ck = train.load_safetensors(train.here("check.safetensors"))
        results = json.load(open(train.here("results.json")))
        lab = ck["losses"].tolist()
        logged = [(e["step"], e["loss"]) for e in results["trainingCurve"] if e["step"] <= len(lab)]
        same = bool(logged) and all(abs(lab[s - 1] - loss) == 0 for s, loss in logged)
        return {"verify_worst": v_worst, "check": report, "curve_is_the_runs": same,
                "ok": v_ok and c_ok and same, "log": out.getvalue()}
    finally:
        sys.path.remove(folder)


def main():
    try:
        import torch  # noqa: F401
    except ImportError:
        print("check_exports: PyTorch is not installed for this Python (Debian: apt-get install -y python3-torch)")
        sys.exit(3)
    print(json.dumps({f: check_folder(f) for f in sys.argv[1:]}))


if __name__ == "__main__":
    main()
